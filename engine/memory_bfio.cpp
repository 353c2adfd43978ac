// See memory_bfio.hpp.
#include "engine/memory_bfio.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>

#include "engine/error.hpp"

namespace dflab::engine {

namespace {

MemoryBfio::Io& io_of(intptr_t* io_handle) {
    return *reinterpret_cast<MemoryBfio::Io*>(io_handle);
}

int io_free(intptr_t** io_handle, libbfio_error_t**) {
    *io_handle = nullptr;  // owned by the MemoryBfio, not by libbfio
    return 1;
}
int io_clone(intptr_t**, intptr_t*, libbfio_error_t**) {
    return -1;  // the libraries never clone the handle they are given
}
int io_open(intptr_t* io_handle, int, libbfio_error_t**) {
    io_of(io_handle).offset = 0;
    io_of(io_handle).open = true;
    return 1;
}
int io_close(intptr_t* io_handle, libbfio_error_t**) {
    io_of(io_handle).open = false;
    return 0;
}
ssize_t io_read(intptr_t* io_handle, uint8_t* buffer, size_t size, libbfio_error_t**) {
    MemoryBfio::Io& io = io_of(io_handle);
    if (io.offset >= io.bytes.size()) return 0;
    const size_t n = std::min<uint64_t>(size, io.bytes.size() - io.offset);
    std::memcpy(buffer, io.bytes.data() + io.offset, n);
    io.offset += n;
    return static_cast<ssize_t>(n);
}
ssize_t io_write(intptr_t*, const uint8_t*, size_t, libbfio_error_t**) {
    return -1;  // read-only
}
off64_t io_seek(intptr_t* io_handle, off64_t offset, int whence, libbfio_error_t**) {
    MemoryBfio::Io& io = io_of(io_handle);
    off64_t base = 0;
    if (whence == SEEK_CUR) base = static_cast<off64_t>(io.offset);
    if (whence == SEEK_END) base = static_cast<off64_t>(io.bytes.size());
    if (offset < -base) return -1;
    io.offset = static_cast<uint64_t>(base + offset);
    return static_cast<off64_t>(io.offset);
}
int io_exists(intptr_t*, libbfio_error_t**) {
    return 1;
}
int io_is_open(intptr_t* io_handle, libbfio_error_t**) {
    return io_of(io_handle).open ? 1 : 0;
}
int io_get_size(intptr_t* io_handle, size64_t* size, libbfio_error_t**) {
    *size = io_of(io_handle).bytes.size();
    return 1;
}

}  // namespace

MemoryBfio::MemoryBfio(std::span<const std::byte> bytes, const std::string& name) {
    io_.bytes = bytes;
    BfioError e;
    if (libbfio_handle_initialize(&handle_, reinterpret_cast<intptr_t*>(&io_), io_free, io_clone,
                                  io_open, io_close, io_read, io_write, io_seek, io_exists,
                                  io_is_open, io_get_size, 0, e.out()) != 1)
        throw Error(name + ": cannot read it from memory: " + e.text());
}

MemoryBfio::~MemoryBfio() {
    if (handle_) libbfio_handle_free(&handle_, nullptr);
}

}  // namespace dflab::engine
