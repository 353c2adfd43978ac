#pragma once
// Checks TSK does not make, over every inode before a walk. First, on ext2/3/4, an inode flagged as
// holding its data inline (EXT4_INLINE_DATA_FL) makes TSK 4.11 allocate the inode's whole claimed
// size, twice, as soon as the inode is loaded (by a directory walk, its orphan search or an open by
// address): a 58 KB image whose inode claimed 1.8 GB of inline data made `fls` and dflab take 3.5
// GiB (found by fuzzing). Inline data lives inside the inode (60 bytes in i_block and the rest in
// the inode's extended attribute space), so it can never exceed the inode's size plus 60 bytes.
// Second, a directory mapped by block pointers that claims more than the whole file system and more
// than kMostExtBlockPointers blocks (engine/ext_block_map_check.hpp): TSK reads every directory it
// meets whole, the deleted ones its walk recurses into too, and would spend minutes mapping it.
#include <tsk/libtsk.h>

#include <optional>
#include <string>

namespace dflab::engine {

// Why the ext file system `fs` cannot be walked safely: the first inode (in inode order, every
// inode of every group's table, as TSK's orphan search loads them, those the group descriptors
// mark unused or uninitialised too) flagged inline whose size is more than an inode can hold, or
// a block-mapped directory claiming more than the file system, as one line; nullopt when there is
// none or `fs` is not ext. Reads the inode tables once, in large reads. Damage that stops the
// reading (a table outside the image) ends the check: TSK reports that itself.
std::optional<std::string> impossible_ext_inode(TSK_FS_INFO* fs);

}  // namespace dflab::engine
