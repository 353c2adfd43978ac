#pragma once
// Engine-internal: the TSK handles behind the engine's public types, for engine/*.cpp only.
// Nothing outside engine/ includes this (or engine/tsk_handles.hpp): tools, exercises and the
// engine's public headers see Evidence, FileSystem and ContentReader, never a TSK type.
#include <cstdint>
#include <cstring>
#include <optional>

#include "engine/evidence.hpp"
#include "engine/file_system.hpp"
#include "engine/tsk_handles.hpp"
#include "engine/volumes.hpp"

namespace dflab::engine {

struct EvidenceAccess {
    static TSK_IMG_INFO* image(const Evidence& evidence);
};

struct FileSystemAccess {
    static TSK_FS_INFO* handle(const FileSystem& fs);
};

// The image handle of `evidence`; it lives as long as `evidence`.
TSK_IMG_INFO* tsk_handle(const Evidence& evidence);

// The file system handle of `fs`; it lives as long as `fs`. TSK serialises reads per handle:
// one FileSystem per thread.
TSK_FS_INFO* tsk_handle(const FileSystem& fs);

// Opens a TSK file system handle on a partition; throws Error naming image and partition.
TskFileSystem open_file_system(const Evidence& evidence, const Partition& partition);

// The $FILE_NAME times of an NTFS file, read from the attribute's content; none on other file
// systems or when the file has no $FILE_NAME attribute.
std::optional<FileNameTimes> file_name_times(TSK_FS_FILE* file);

// An attribute's type as the number on disk. TSK stores an NTFS attribute's type field in an enum
// member as it reads it, so a damaged record holds values the enum does not name (0xFFFFFF00,
// found by fuzzing), and loading such a value as the enum is undefined behaviour.
inline uint32_t attribute_type(const TSK_FS_ATTR* attr) {
    uint32_t type = 0;
    static_assert(sizeof attr->type == sizeof type);
    std::memcpy(&type, &attr->type, sizeof type);
    return type;
}

}  // namespace dflab::engine
