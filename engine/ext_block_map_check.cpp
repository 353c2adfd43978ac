#include "engine/ext_block_map_check.hpp"

#include <algorithm>
#include <limits>

namespace dflab::engine {

uint64_t file_system_bytes(const TSK_FS_INFO* fs) {
    if (!fs || fs->block_size == 0) return 0;
    const uint64_t last = std::min<uint64_t>(fs->last_block, fs->last_block_act);
    const uint64_t blocks = last == std::numeric_limits<uint64_t>::max() ? last : last + 1;
    if (blocks > std::numeric_limits<uint64_t>::max() / fs->block_size)
        return std::numeric_limits<uint64_t>::max();
    return blocks * fs->block_size;
}

uint64_t ext_block_pointers(uint64_t size, uint64_t block_size) {
    if (block_size == 0) return 0;
    return size / block_size + (size % block_size != 0 ? 1 : 0);
}

std::optional<std::string> unmappable_block_map(const TSK_FS_FILE* file) {
    if (!file || !file->meta || !file->fs_info) return std::nullopt;
    const TSK_FS_INFO* fs = file->fs_info;
    if (!TSK_FS_TYPE_ISEXT(fs->ftype)) return std::nullopt;
    if (file->meta->content_type != TSK_FS_META_CONTENT_TYPE_DEFAULT) return std::nullopt;
    const uint64_t size = file->meta->size > 0 ? static_cast<uint64_t>(file->meta->size) : 0;
    const uint64_t fs_bytes = file_system_bytes(fs);
    const uint64_t pointers = ext_block_pointers(size, fs->block_size);
    if (size <= fs_bytes || pointers <= kMostExtBlockPointers) return std::nullopt;
    return "its block map claims " + std::to_string(size) +
           " bytes, more than the whole file system (" + std::to_string(fs_bytes) + " bytes), in " +
           std::to_string(pointers) + " blocks: its content is not read (TSK would take minutes " +
           "to map it)";
}

}  // namespace dflab::engine
