#pragma once
// A check TSK does not make: TSK 4.11 maps a file whose blocks are listed by pointers (ext2 and
// ext3, ext4 without extents) by reading its indirect blocks and appending one run for each
// pointer that does not continue the previous run, and its run append walks the list from the
// start every time: quadratic in the runs. A damaged inode claiming 285 MB on a 256 KiB ext4 file
// system, its indirect blocks full of garbage, made TSK build 278,000 runs for minutes (found by
// fuzzing). A genuine file lies within its file system or is sparse; a block-mapped file that
// claims more than the whole file system and more than kMostExtBlockPointers blocks (16 MiB with
// 1 KiB blocks, 64 MiB with 4 KiB blocks) is refused: its content is not read.
#include <tsk/libtsk.h>

#include <cstdint>
#include <optional>
#include <string>

namespace dflab::engine {

inline constexpr uint64_t kMostExtBlockPointers = 16384;

// The bytes of `fs` as far as the image really holds them: (the smaller of the last block the
// superblock claims and the last block the image holds, plus one) times the block size, saturating.
// A damaged superblock may claim 10^16 blocks: multiplying its block count by the block size
// overflowed, and the "more than the file system" rules never fired (found by fuzzing).
uint64_t file_system_bytes(const TSK_FS_INFO* fs);

// The block pointers a block-mapped file of `size` bytes needs: ceil(size / block_size).
uint64_t ext_block_pointers(uint64_t size, uint64_t block_size);

// Why the content of `file` is not read, as one line; nullopt when it may be (not ext, mapped by
// extents or inline, or a claim TSK maps quickly). Looks at the loaded inode only: TSK has not
// built the run list yet.
std::optional<std::string> unmappable_block_map(const TSK_FS_FILE* file);

}  // namespace dflab::engine
