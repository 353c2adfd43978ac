#include "images/image_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <vector>

#include "common/file_descriptor.hpp"
#include "engine/error.hpp"
#include "engine/hashes.hpp"

namespace dflab::images {

namespace fs = std::filesystem;
using engine::Error;

void write_at(const fs::path& file, uint64_t offset, std::span<const std::byte> data) {
    const auto fd = common::FileDescriptor::open(file, O_WRONLY);
    const ssize_t n = ::pwrite(fd.get(), data.data(), data.size(), static_cast<off_t>(offset));
    if (n != static_cast<ssize_t>(data.size()))
        throw Error(file.string() + ": write failed at byte " + std::to_string(offset));
}

void copy_into(const fs::path& from, const fs::path& to, uint64_t offset,
               const std::function<void(uint64_t)>& copied) {
    std::ifstream in(from, std::ios::binary);
    std::vector<char> buf(4 << 20);
    uint64_t at = offset;
    while (in) {
        in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
        auto n = static_cast<size_t>(in.gcount());
        if (n == 0) break;
        write_at(to, at, std::as_bytes(std::span(buf.data(), n)));
        at += n;
        if (copied) copied(n);
    }
}

void make_sized_file(const fs::path& file, uint64_t size) {
    { std::ofstream(file, std::ios::binary | std::ios::trunc); }
    fs::resize_file(file, size);
}

std::string sparse_sha256(const fs::path& file,
                          const std::function<void(uint64_t, uint64_t)>& hashed_so_far) {
    const auto fd = common::FileDescriptor::open(file, O_RDONLY);
    const off_t size = ::lseek(fd.get(), 0, SEEK_END);
    engine::Hasher h(engine::kSha256);
    std::vector<std::byte> buf(4 << 20), zeros(1 << 20);
    off_t at = 0;
    auto hashed = [&](std::span<const std::byte> bytes) {
        h.update(bytes);
        at += static_cast<off_t>(bytes.size());
        if (hashed_so_far) hashed_so_far(static_cast<uint64_t>(at), static_cast<uint64_t>(size));
    };
    while (at < size) {
        off_t data = ::lseek(fd.get(), at, SEEK_DATA);
        if (data < 0) data = errno == ENXIO ? size : at;  // a hole to the end; no SEEK_DATA
        while (at < data)
            hashed(std::span(zeros).first(
                static_cast<size_t>(std::min<off_t>(static_cast<off_t>(zeros.size()), data - at))));
        if (at >= size) break;
        off_t hole = ::lseek(fd.get(), at, SEEK_HOLE);
        if (hole < 0) hole = size;
        while (at < hole) {
            const auto want =
                static_cast<size_t>(std::min<off_t>(static_cast<off_t>(buf.size()), hole - at));
            const ssize_t n = ::pread(fd.get(), buf.data(), want, at);
            if (n <= 0) throw Error(file.string() + ": read failed at byte " + std::to_string(at));
            hashed(std::span(buf).first(static_cast<size_t>(n)));
        }
    }
    return h.finish().sha256;
}

}  // namespace dflab::images
