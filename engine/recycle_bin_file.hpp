#pragma once
// A Windows Recycle Bin record: the `$I` file Explorer writes next to a deleted file it moved to
// `$Recycle.Bin\SID\$R...` (images/recycle_bin.hpp writes them), read from its bytes with plain,
// bounds-checked reads:
//
//   offset 0   8 bytes  version: 1 (Vista, 7) or 2 (8.1, 10, 11)
//   offset 8   8 bytes  the original file's size
//   offset 16  8 bytes  the deletion time, a FILETIME (UTC)
//   version 1: offset 24, 520 bytes: the original path, UTF-16LE, NUL-terminated and padded
//              (the file is 544 bytes)
//   version 2: offset 24, 4 bytes: the path's length in UTF-16 units, its NUL included;
//              offset 28: the path, UTF-16LE, ending with its NUL (the file ends there)
//
// All little-endian.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace dflab::engine {

struct RecycleInfo {
    unsigned version = 0;
    uint64_t original_size = 0;
    uint64_t deleted_filetime = 0;
    int64_t deleted = 0;        // the same, UTC seconds rounded down
    std::string original_path;  // UTF-8: C:\Users\anna\Documents\plan.docx
};

// The version field (the first 8 bytes), or none when there are fewer.
std::optional<uint64_t> recycle_info_version(std::span<const std::byte> head);

// Throws Error "NAME: not a readable $I file: WHAT" for anything inconsistent: too short, another
// version, a size that does not match the version's layout, a path length past the end, a path
// without its NUL or empty, a deletion time that is 0 or past the year 9999.
RecycleInfo read_recycle_info(std::span<const std::byte> bytes, const std::string& name);

}  // namespace dflab::engine
