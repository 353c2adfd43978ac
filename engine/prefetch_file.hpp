#pragma once
// A Windows prefetch file (.pf: "SCCA", or "MAM\x04" when Windows 10 and later compress it) read
// with libscca from bytes in memory (a bounded libbfio handle, engine/libyal_memory.hpp). Every
// libscca handle and error is owned here; every libscca error becomes one Error naming the file.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace dflab::engine {

// "SCCA" at offset 4 (uncompressed) or "MAM\x04" at 0 (compressed) in `head`: how a prefetch file
// is recognised, whatever it is called.
bool has_prefetch_signature(std::span<const std::byte> head);

struct PrefetchVolume {
    std::string device_path;  // UTF-8, e.g. "\VOLUME{01d9...-1a2b3c4d}"
    uint32_t serial = 0;
    uint64_t created = 0;  // FILETIME as stored; 0 when not set
};

// What a prefetch file says. Strings are UTF-8.
struct Prefetch {
    uint32_t format_version = 0;
    std::string executable;
    uint32_t hash = 0;
    uint32_t run_count = 0;
    std::vector<uint64_t> last_run;  // FILETIMEs as stored, most recent first, 0s included
    std::vector<std::string> files;  // the file name strings, in order
    std::vector<PrefetchVolume> volumes;
};

// Throws Error "NAME: not a readable prefetch file: ..." when libscca cannot read `bytes`.
Prefetch read_prefetch(std::span<const std::byte> bytes, const std::string& name);

}  // namespace dflab::engine
