#pragma once
// What the first bytes of a file system say it is, as TSK's sigfind and TestDisk look: a FAT,
// exFAT or NTFS boot sector, or an ext2/3/4 superblock 1024 bytes in. Cheap (one read of
// kSignatureBytes), so that TSK's autodetection, which for YAFFS2 reads through the whole rest of
// the image, runs only where no signature answers.
#include <tsk/libtsk.h>

#include <cstddef>
#include <optional>
#include <span>
#include <string_view>

namespace dflab::engine {

// The bytes from a file system's start that the checks read.
inline constexpr size_t kSignatureBytes = 2048;

struct FileSystemSignature {
    std::string_view what;    // "NTFS boot sector", "exFAT boot sector", "FAT boot sector", ...
    TSK_FS_TYPE_ENUM family;  // the TSK type to open it with (..._DETECT within the family)
};

// The signature that `head` (kSignatureBytes from the candidate start; fewer never match)
// begins with, or nothing.
std::optional<FileSystemSignature> file_system_signature(std::span<const std::byte> head);

}  // namespace dflab::engine
