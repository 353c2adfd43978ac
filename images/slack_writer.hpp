#pragma once
// Data in file slack: the bytes between the end of a file's content and the end of its last
// cluster (FAT, NTFS) or block (ext). Works on a finished file system image of any type TSK
// reads: the file's last cluster is found through its data runs, and the bytes are written right
// after the content's last byte.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>

namespace dflab::images {

struct SlackPlace {
    std::string inode;       // the file's metadata address, as TSK prints it
    uint64_t file_size = 0;  // the content's size: the slack begins at this byte of the file
    uint64_t offset = 0;     // byte offset of the first slack byte in the file system image
    uint64_t capacity = 0;   // slack bytes after the content, up to the end of its last cluster
};

// Where the slack of the file at `path` lies in the file system image `image` (a file system
// starting at byte 0). Throws dflab::engine::Error, prefixed with `where` (the recipe spot), when
// the file is missing, empty, resident in its metadata record (NTFS), sparse or compressed at
// its end, or fills its last cluster exactly.
SlackPlace find_slack(const std::filesystem::path& image, std::string_view path,
                      std::string_view where);

// Writes `data` into the slack of `path`, right after its content; throws (prefixed with `where`)
// when it does not fit.
SlackPlace write_slack(const std::filesystem::path& image, std::string_view path,
                       std::span<const std::byte> data, std::string_view where);

}  // namespace dflab::images
