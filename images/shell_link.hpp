#pragma once
// Windows shell link files (.lnk, [MS-SHLLINK]), written reproducibly: what Explorer leaves in a
// user's Recent folder or on the desktop when a file is opened or a shortcut made. A link holds
// the header (the target's times, size and attributes), the location information (the volume's
// drive type, serial number and label, and the target's local path), the data strings (relative
// path, working directory, arguments; UTF-16) and a distributed link tracker block (the machine's
// NetBIOS name and the droid identifiers). No target identifier list is written; readers take the
// target from the location information. The same spec gives the same bytes: the droid
// identifiers are derived from the spec, not random. Readers that check these files: lnkinfo
// (liblnk), LECmd.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace dflab::images {

struct ShellLinkSpec {
    enum class Drive : uint32_t {  // the VolumeID's drive type
        Removable = 2,             // DRIVE_REMOVABLE: a USB stick, a memory card
        Fixed = 3,                 // DRIVE_FIXED: a hard disk
        Network = 4,               // DRIVE_REMOTE: a mapped network drive
        Optical = 5,               // DRIVE_CDROM
    };
    std::string target;  // the local path, UTF-8, e.g. "E:\customers.xlsx"
    Drive drive = Drive::Fixed;
    uint32_t volume_serial = 0;
    std::string volume_label;  // UTF-8; may be empty
    // The target's times, UTC seconds since 1970, written as FILETIMEs (common/windows_time.hpp).
    int64_t created = 0, accessed = 0, modified = 0;
    uint32_t file_size = 0;         // the target's size (its low 32 bits, as Windows stores)
    uint32_t attributes = 0x20;     // FILE_ATTRIBUTE_ARCHIVE
    std::string working_directory;  // empty: not written
    std::string arguments;          // empty: not written
    std::string relative_path;      // empty: not written
    std::string machine_id;         // NetBIOS name, at most 15 ASCII characters; empty: no
                                    // tracker block
};

// The most bytes of a data string (its length is a 16-bit count of UTF-16 units).
inline constexpr size_t kMaxShellLinkString = 65535;

// Builds the link's bytes. Throws Error naming the field that cannot be written (invalid UTF-8,
// a machine name longer than 15 characters or not ASCII, a string too long).
std::vector<std::byte> build_shell_link(const ShellLinkSpec& spec);

}  // namespace dflab::images
