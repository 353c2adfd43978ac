#include "engine/ext_inode_check.hpp"

#include "engine/ext_block_map_check.hpp"

#include <tsk/fs/tsk_ext2fs.h>

#include <algorithm>
#include <cstdint>
#include <vector>

namespace dflab::engine {

namespace {

constexpr uint32_t kInlineDataFlag = 0x10000000;  // EXT4_INLINE_DATA_FL
constexpr uint32_t kExtentsFlag = 0x00080000;     // EXT4_EXTENTS_FL
constexpr uint16_t kTypeMask = 0xF000;            // i_mode's file type
constexpr uint16_t kDirectory = 0x4000;
constexpr uint64_t kInlineInBlockArray = 60;  // i_block: 15 four-byte words
constexpr size_t kReadBytes = 1 << 20;        // inode table bytes read at once

uint32_t le32(const uint8_t* p) {
    return static_cast<uint32_t>(p[0]) | static_cast<uint32_t>(p[1]) << 8 |
           static_cast<uint32_t>(p[2]) << 16 | static_cast<uint32_t>(p[3]) << 24;
}

uint16_t le16(const uint8_t* p) {
    return static_cast<uint16_t>(p[0] | p[1] << 8);
}

}  // namespace

std::optional<std::string> impossible_ext_inode(TSK_FS_INFO* fs) {
    if (!fs || !TSK_FS_TYPE_ISEXT(fs->ftype)) return std::nullopt;
    const auto* ext = reinterpret_cast<const EXT2FS_INFO*>(fs);
    const ext2fs_sb* sb = ext->fs;
    const uint64_t inode_size = ext->inode_size;
    const uint64_t per_group = le32(sb->s_inodes_per_group);
    const uint64_t total = le32(sb->s_inodes_count);
    if (inode_size < 128 || per_group == 0 || fs->block_size == 0) return std::nullopt;
    const bool wide = (le32(sb->s_feature_incompat) & EXT2FS_FEATURE_INCOMPAT_64BIT) != 0 &&
                      le16(sb->s_desc_size) >= 64;
    const uint64_t desc_size = wide ? le16(sb->s_desc_size) : 32;
    const uint64_t limit = inode_size + kInlineInBlockArray;
    const uint64_t fs_bytes = file_system_bytes(fs);

    std::vector<uint8_t> desc(desc_size);
    std::vector<uint8_t> table;
    uint64_t checked = 0;
    // The inode tables of a file system lie inside it, one beside the other: tables that add up
    // to more than four times its bytes overlap, and reading them all would cost without end.
    uint64_t table_bytes = 0;
    const uint64_t table_budget = 4 * fs_bytes + kReadBytes;
    for (uint64_t group = 0; group < ext->groups_count && checked < total; ++group) {
        const TSK_OFF_T at = ext->groups_offset + static_cast<TSK_OFF_T>(group * desc_size);
        if (tsk_fs_read(fs, at, reinterpret_cast<char*>(desc.data()), desc_size) !=
            static_cast<ssize_t>(desc_size)) {
            tsk_error_reset();
            break;
        }
        // Every inode, also those the descriptor marks unused or uninitialised: TSK's orphan
        // search loads them all.
        const uint64_t in_use = std::min(per_group, total - checked);
        const uint64_t first = group * per_group + 1;  // inode numbers start at 1
        checked += in_use;
        uint64_t table_block = le32(&desc[8]);
        if (wide) table_block |= static_cast<uint64_t>(le32(&desc[40])) << 32;
        const uint64_t table_at = table_block * fs->block_size;
        if (table_at >= fs_bytes) continue;  // TSK cannot read such a table (block 0 it can)
        // Inodes past the end of the file system cannot be read: only the part of the table
        // inside it is (the inode that straddles the end included).
        const uint64_t inside =
            std::min(in_use, (fs_bytes - table_at + inode_size - 1) / inode_size);
        table_bytes += inside * inode_size;
        if (table_bytes > table_budget)
            return "the inode tables claim " + std::to_string(table_bytes) +
                   " bytes or more by group " + std::to_string(group) +
                   ", more than four times the file system (" + std::to_string(fs_bytes) +
                   " bytes): they overlap";
        const uint64_t per_read = std::max<uint64_t>(1, kReadBytes / inode_size);
        for (uint64_t done = 0; done < inside; done += per_read) {
            const uint64_t count = std::min(per_read, inside - done);
            table.resize(count * inode_size);
            const TSK_OFF_T off = static_cast<TSK_OFF_T>(table_at + done * inode_size);
            std::vector<bool> read(count, true);
            if (tsk_fs_read(fs, off, reinterpret_cast<char*>(table.data()), table.size()) !=
                static_cast<ssize_t>(table.size())) {
                // Part of the table lies outside the image: read what TSK can read, one by one.
                tsk_error_reset();
                for (uint64_t i = 0; i < count; ++i) {
                    read[i] = tsk_fs_read(fs, off + static_cast<TSK_OFF_T>(i * inode_size),
                                          reinterpret_cast<char*>(table.data() + i * inode_size),
                                          inode_size) == static_cast<ssize_t>(inode_size);
                    if (!read[i]) tsk_error_reset();
                }
            }
            for (uint64_t i = 0; i < count; ++i) {
                if (!read[i]) continue;
                const uint8_t* inode = table.data() + i * inode_size;
                const uint32_t flags = le32(inode + 0x20);
                const uint64_t size = le32(inode + 0x04) | static_cast<uint64_t>(le32(inode + 0x6C))
                                                               << 32;
                const std::string number = std::to_string(first + done + i);
                if ((flags & kInlineDataFlag) != 0) {
                    if (size <= limit) continue;
                    return "inode " + number + " is marked as holding its data inline but claims " +
                           std::to_string(size) + " bytes; an inode of " +
                           std::to_string(inode_size) + " bytes holds at most " +
                           std::to_string(limit);
                }
                const bool directory = (le16(inode) & kTypeMask) == kDirectory;
                const uint64_t pointers = ext_block_pointers(size, fs->block_size);
                if (!directory || (flags & kExtentsFlag) != 0 || size <= fs_bytes ||
                    pointers <= kMostExtBlockPointers) {
                    continue;
                }
                return "inode " + number + " is a directory mapped by block pointers that claims " +
                       std::to_string(size) + " bytes, more than the whole file system (" +
                       std::to_string(fs_bytes) + " bytes), in " + std::to_string(pointers) +
                       " blocks";
            }
        }
    }
    return std::nullopt;
}

}  // namespace dflab::engine
