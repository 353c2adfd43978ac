#pragma once
// Unallocated space of a file system as one stream (the blocks blkls would print, in order),
// which remembers where each byte lies in the image (provenance).
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "engine/evidence.hpp"
#include "engine/file_system.hpp"

namespace dflab::engine {

class UnallocatedSpace {
  public:
    // Maps the unallocated blocks of `fs` (addresses only; no content is read).
    static UnallocatedSpace map(const FileSystem& fs);

    uint64_t size() const { return size_; }  // bytes in the stream
    uint32_t block_size() const { return block_size_; }
    uint64_t block_count() const { return size_ / block_size_; }

    // Where the stream's byte `offset` lies: an absolute byte offset in the image, and the file
    // system block that holds it.
    uint64_t image_offset(uint64_t offset) const;
    uint64_t block_of(uint64_t offset) const;

    // Reads stream bytes [offset, offset + out.size()) from the image; returns the count.
    size_t read(const Evidence& evidence, uint64_t offset, std::span<std::byte> out) const;

  private:
    struct Run {
        uint64_t stream_offset;  // where the run starts in the stream
        uint64_t first_block;
        uint64_t blocks;
    };
    const Run& run_at(uint64_t offset) const;
    std::vector<Run> runs_;
    uint64_t size_ = 0;
    uint64_t fs_offset_ = 0;
    uint32_t block_size_ = 512;
};

// Overlapping windows over a stream of `size` bytes: each window is [start, start + length);
// matches that start at or after `report_end` belong to the next window (de-duplication), so a
// match up to `overlap` bytes long is found whatever the window boundaries.
struct Window {
    uint64_t start = 0;
    uint64_t length = 0;
    uint64_t report_end = 0;
};
std::vector<Window> make_windows(uint64_t size, uint64_t window, uint64_t overlap);

}  // namespace dflab::engine
