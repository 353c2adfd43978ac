#pragma once
// Content: streaming reads of an entry's bytes (deleted entries where recoverable, optionally with
// slack), by metadata address so that any handle on the same file system can read it.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>

#include "engine/file_system.hpp"

namespace dflab::engine {

class ContentReader {
  public:
    // Reads through `fs`'s handle, which must outlive the reader. Throws Error when the address
    // has no metadata or no such attribute. (FileSystem::content makes one too.)
    ContentReader(const FileSystem& fs, const ContentAddress& address, ReadOptions options = {});
    ContentReader(ContentReader&&) noexcept;
    ContentReader& operator=(ContentReader&&) noexcept;
    ~ContentReader();

    uint64_t size() const { return size_; }  // bytes this reader will deliver
    // Reads up to out.size() bytes at offset; returns the count (0 at the end).
    size_t read(uint64_t offset, std::span<std::byte> out);
    // Calls sink for consecutive chunks of the whole content; stops early if sink returns false.
    void stream(std::span<std::byte> buffer,
                const std::function<bool(std::span<const std::byte>)>& sink);

  private:
    struct Impl;  // the TSK file and attribute
    std::unique_ptr<Impl> impl_;
    uint64_t size_ = 0;
};

}  // namespace dflab::engine
