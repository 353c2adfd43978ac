#pragma once
// A regular file mapped read-only into memory: its bytes served by the page cache without a copy
// into a buffer (what a pread(2) of each window costs). Moved, never copied; unmapped when its
// owner goes. A file that shrinks while mapped makes reads past its new end fault (SIGBUS): map
// only evidence that nothing writes, and read it in a supervised child (engine/supervisor.hpp).
#include <cstddef>
#include <filesystem>
#include <optional>
#include <span>

namespace dflab::common {

class MappedFile {
  public:
    // Maps the whole of `file` when it is a regular file of `expected_size` bytes (more than 0);
    // nothing when it is not (a device, a different size) or the system refuses the mapping.
    static std::optional<MappedFile> map_if_regular(const std::filesystem::path& file,
                                                    size_t expected_size);

    MappedFile(const MappedFile&) = delete;
    MappedFile& operator=(const MappedFile&) = delete;
    MappedFile(MappedFile&& other) noexcept;
    MappedFile& operator=(MappedFile&& other) noexcept;
    ~MappedFile();

    std::span<const std::byte> bytes() const noexcept { return {data_, size_}; }

  private:
    MappedFile(const std::byte* data, size_t size) noexcept : data_(data), size_(size) {}
    void unmap() noexcept;
    const std::byte* data_ = nullptr;
    size_t size_ = 0;
};

}  // namespace dflab::common
