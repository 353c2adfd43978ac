#pragma once
// What the libyal readers (libregf for hives, liblnk for shell links) share: their errors, owned
// and printed as one line, and a libbfio handle that reads bytes in memory, so a file found in an
// image is parsed without touching the disk.
#include <libbfio.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace dflab::engine {

// A libyal error (libregf's, liblnk's, libbfio's), freed however the call that set it ends.
template <class ErrorType, void (*Free)(ErrorType**), int (*Print)(ErrorType*, char*, size_t)>
class LibyalError {
  public:
    LibyalError() = default;
    ~LibyalError() {
        if (error_) Free(&error_);
    }
    LibyalError(const LibyalError&) = delete;
    LibyalError& operator=(const LibyalError&) = delete;
    ErrorType** out() { return &error_; }
    std::string text() const {
        std::array<char, 1024> buffer{};
        if (!error_ || Print(error_, buffer.data(), buffer.size()) < 0) return "unknown error";
        return buffer.data();
    }

  private:
    ErrorType* error_ = nullptr;
};
using BfioError = LibyalError<libbfio_error_t, libbfio_error_free, libbfio_error_sprint>;

// A libbfio handle over `bytes`, which must outlive it. libbfio's own memory range (20201125)
// copies the whole requested size even past the end of the range, so a truncated file would make
// the library read beyond the buffer; reads here stop at the end, as a file's would. Neither
// copied nor moved: libbfio keeps the address of the read position.
class MemoryBfio {
  public:
    // Throws Error "NAME: cannot read it from memory: ..." when libbfio fails.
    MemoryBfio(std::span<const std::byte> bytes, const std::string& name);
    ~MemoryBfio();
    MemoryBfio(const MemoryBfio&) = delete;
    MemoryBfio& operator=(const MemoryBfio&) = delete;

    libbfio_handle_t* get() const { return handle_; }

    struct Position {
        std::span<const std::byte> bytes;
        uint64_t offset = 0;
        bool open = false;
    };

  private:
    Position position_;
    libbfio_handle_t* handle_ = nullptr;
};

}  // namespace dflab::engine
