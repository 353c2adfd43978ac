#pragma once
// Content: streaming reads of an entry's bytes (deleted entries where recoverable, optionally with
// slack), by metadata address so that any handle on the same file system can read it.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>

#include "engine/file_system.hpp"

namespace dflab::engine {

struct ReadOptions {
    bool slack = false;  // read up to the allocated size, not just the file size
};

class ContentReader {
  public:
    // Throws Error when the address has no metadata or no such attribute.
    ContentReader(TSK_FS_INFO* fs, const ContentAddress& address, ReadOptions options = {});

    uint64_t size() const { return size_; }  // bytes this reader will deliver
    // Reads up to out.size() bytes at offset; returns the count (0 at the end).
    size_t read(uint64_t offset, std::span<std::byte> out);
    // Calls sink for consecutive chunks of the whole content; stops early if sink returns false.
    void stream(std::span<std::byte> buffer,
                const std::function<bool(std::span<const std::byte>)>& sink);

  private:
    TskFile file_;
    const TSK_FS_ATTR* attr_ = nullptr;
    int flags_ = 0;
    uint64_t size_ = 0;
};

}  // namespace dflab::engine
