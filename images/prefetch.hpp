#pragma once
// Windows prefetch files (.pf, signature "SCCA"), written reproducibly: what the Windows cache
// manager leaves in C:\Windows\Prefetch when a program runs. Written as format version 30 (Windows
// 10), uncompressed (Windows 10 itself compresses the file with MAM/XPRESS Huffman; readers take
// both), after libyal's "Windows Prefetch File (PF) format": the header (executable name, prefetch
// hash), the file information (8 last run times, run count), the file metrics (one per file
// referenced, each naming its string), one trace chain entry per file, the file name strings, and
// one volume (device path, serial number, creation time, file references all unset, and the
// folders of the files on it). The same spec gives the same bytes. Readers that check these files:
// sccainfo (libscca), PECmd.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace dflab::images {

struct PrefetchSpec {
    std::string executable;  // the file name as Windows stores it, upper case: "SETUP.EXE"
    uint32_t hash = 0;       // the prefetch hash (prefetch_hash() of the executable's device path)
    uint32_t run_count = 0;
    // Up to 8, UTC seconds since 1970 (FILETIMEs, common/windows_time.hpp); written most recent
    // first, as Windows keeps them, whatever the order given.
    std::vector<int64_t> last_run;
    // Device paths of the files the program loaded, in load order, e.g.
    // "\VOLUME{01d8a1b2c3d4e5f6-1a2b3c4d}\WINDOWS\SYSTEM32\NTDLL.DLL". At least one.
    std::vector<std::string> files;
    std::string volume_path;  // e.g. "\VOLUME{01d8a1b2c3d4e5f6-1a2b3c4d}"
    uint32_t volume_serial = 0;
    int64_t volume_created = 0;  // UTC seconds
};

inline constexpr size_t kMaxPrefetchExecutable = 29;  // UTF-16 units the header holds
inline constexpr size_t kMaxPrefetchRunTimes = 8;

// The prefetch hash Windows Vista to 11 give a program: the "SCCA Vista" function of libyal's
// document over the UTF-16LE bytes of the executable's upper-case device path, e.g.
// "\DEVICE\HARDDISKVOLUME2\WINDOWS\SYSTEM32\CMD.EXE" -> 0x4A81B364 (CMD.EXE-4A81B364.pf). Only
// ASCII letters are upper-cased here. Throws Error on invalid UTF-8.
uint32_t prefetch_hash(std::string_view device_path);

// "SETUP.EXE-1A2B3C4D.pf", as Windows names the file.
std::string prefetch_file_name(const PrefetchSpec& spec);

// Builds the file's bytes. Throws Error "prefetch: ..." naming the field that cannot be written
// (an empty or too long executable name, more than 8 run times, no files, invalid UTF-8).
std::vector<std::byte> build_prefetch(const PrefetchSpec& spec);

}  // namespace dflab::images
