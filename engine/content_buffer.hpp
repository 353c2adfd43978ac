#pragma once
// One entry's content read once: fed chunk by chunk to whoever streams it (hashes), and kept
// either whole and contiguous (for YARA and keyword search) or as its first bytes only (for the
// file type). Whole content is kept in memory up to a limit and beyond it in an unlinked
// temporary file mapped into memory, so resident memory stays bounded on large files.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "engine/content.hpp"

namespace dflab::engine {

class ContentBuffer {
  public:
    ContentBuffer(uint64_t memory_limit, size_t head_bytes)
        : memory_limit_(memory_limit), head_bytes_(head_bytes) {}
    ~ContentBuffer();
    ContentBuffer(const ContentBuffer&) = delete;
    ContentBuffer& operator=(const ContentBuffer&) = delete;

    // Reads all of `reader`, calling `chunk` with each piece in order. Returns the whole content
    // when `keep`, else its first head_bytes. Throws Error when the content ends before its
    // recorded size or the temporary file cannot be written.
    std::span<const std::byte> load(ContentReader& reader, bool keep,
                                    const std::function<void(std::span<const std::byte>)>& chunk);

    // Frees the memory held (between phases of a scan).
    void release();

  private:
    std::span<const std::byte> fill(ContentReader& reader, bool keep,
                                    const std::function<void(std::span<const std::byte>)>& chunk);
    std::span<const std::byte> spill(ContentReader& reader,
                                     const std::function<void(std::span<const std::byte>)>& chunk);
    void release_mapping();

    uint64_t memory_limit_;
    size_t head_bytes_;
    std::vector<std::byte> memory_;
    std::vector<std::byte> head_;
    std::byte* mapping_ = nullptr;
    uint64_t mapping_size_ = 0;
    uint64_t loaded_ = 0;
};

}  // namespace dflab::engine
