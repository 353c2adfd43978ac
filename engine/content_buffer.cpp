#include "engine/content_buffer.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>

#include "common/file_descriptor.hpp"
#include "engine/error.hpp"

namespace dflab::engine {

namespace {

constexpr size_t kReadChunk = 1 << 20;

// An unlinked temporary file for content too large for memory; its descriptor is closed on
// every path out.
common::FileDescriptor spill_file() {
    std::string path = (std::filesystem::temp_directory_path() / "dflab-spill-XXXXXX").string();
    common::FileDescriptor fd(::mkstemp(path.data()));
    if (!fd) throw Error(std::string("cannot create temporary file: ") + std::strerror(errno));
    ::unlink(path.c_str());
    return fd;
}

}  // namespace

ContentBuffer::~ContentBuffer() {
    release_mapping();
}

std::span<const std::byte> ContentBuffer::load(
    ContentReader& reader, bool keep,
    const std::function<void(std::span<const std::byte>)>& chunk) {
    auto data = fill(reader, keep, chunk);
    if (loaded_ < reader.size()) {
        throw Error("content ended after " + std::to_string(loaded_) + " of " +
                    std::to_string(reader.size()) + " bytes");
    }
    return data;
}

std::span<const std::byte> ContentBuffer::fill(
    ContentReader& reader, bool keep,
    const std::function<void(std::span<const std::byte>)>& chunk) {
    loaded_ = 0;
    release_mapping();
    head_.clear();
    const uint64_t size = reader.size();
    if (keep && size > memory_limit_) return spill(reader, chunk);
    if (keep)
        memory_.resize(static_cast<size_t>(size));
    else
        memory_.resize(static_cast<size_t>(std::min<uint64_t>(size, kReadChunk)));
    uint64_t offset = 0;
    while (offset < size) {
        std::span<std::byte> dst =
            keep ? std::span(memory_).subspan(static_cast<size_t>(offset)) : std::span(memory_);
        const size_t got = reader.read(offset, dst.first(std::min<size_t>(dst.size(), kReadChunk)));
        if (got == 0) break;
        chunk(dst.first(got));
        if (!keep && offset == 0)
            head_.assign(dst.begin(), dst.begin() + static_cast<long>(std::min(got, head_bytes_)));
        offset += got;
    }
    loaded_ = offset;
    if (!keep) return head_;
    return std::span<const std::byte>(memory_).first(static_cast<size_t>(offset));
}

std::span<const std::byte> ContentBuffer::spill(
    ContentReader& reader, const std::function<void(std::span<const std::byte>)>& chunk) {
    const common::FileDescriptor file = spill_file();
    std::vector<std::byte> piece(kReadChunk);
    uint64_t offset = 0;
    const uint64_t size = reader.size();
    while (offset < size) {
        const size_t got = reader.read(offset, piece);
        if (got == 0) break;
        chunk(std::span(piece).first(got));
        if (::pwrite(file.get(), piece.data(), got, static_cast<off_t>(offset)) !=
            static_cast<ssize_t>(got))
            throw Error(std::string("cannot write temporary file: ") + std::strerror(errno));
        offset += got;
    }
    loaded_ = offset;
    if (offset == 0) return {};
    void* p = ::mmap(nullptr, offset, PROT_READ, MAP_PRIVATE, file.get(), 0);
    if (p == MAP_FAILED)
        throw Error(std::string("cannot map temporary file: ") + std::strerror(errno));
    mapping_ = static_cast<std::byte*>(p);
    mapping_size_ = offset;
    ::madvise(p, offset, MADV_SEQUENTIAL);
    return {mapping_, static_cast<size_t>(mapping_size_)};
}

void ContentBuffer::release() {
    release_mapping();
    std::vector<std::byte>().swap(memory_);
    std::vector<std::byte>().swap(head_);
}

void ContentBuffer::release_mapping() {
    if (mapping_) ::munmap(mapping_, mapping_size_);
    mapping_ = nullptr;
    mapping_size_ = 0;
}

}  // namespace dflab::engine
