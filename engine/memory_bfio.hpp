#pragma once
// What the readers built on libyal libraries (libregf, libevtx) share: a libbfio handle that reads
// bytes held in memory, and a libyal error freed however the call that set it ends.
//
// libbfio's own memory range (20201125) copies the whole requested size even past the end of the
// range, so a truncated file would make the library read beyond the buffer; reads here stop at the
// end, as a file's would.
#include <libbfio.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace dflab::engine {

class MemoryBfio {
  public:
    // A handle reading `bytes`, which must outlive it; `name` names them in the error thrown when
    // libbfio cannot make the handle.
    MemoryBfio(std::span<const std::byte> bytes, const std::string& name);
    ~MemoryBfio();
    MemoryBfio(const MemoryBfio&) = delete;  // the handle points at this object
    MemoryBfio& operator=(const MemoryBfio&) = delete;

    libbfio_handle_t* get() const { return handle_; }

    struct Io {
        std::span<const std::byte> bytes;
        uint64_t offset = 0;
        bool open = false;
    };

  private:
    Io io_;
    libbfio_handle_t* handle_ = nullptr;
};

// A libyal error (libregf's, libevtx's, libbfio's), freed when this goes.
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

}  // namespace dflab::engine
