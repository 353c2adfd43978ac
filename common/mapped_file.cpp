#include "common/mapped_file.hpp"

#include <sys/mman.h>
#include <sys/stat.h>

#include <utility>

#include "common/file_descriptor.hpp"

namespace dflab::common {

std::optional<MappedFile> MappedFile::map_if_regular(const std::filesystem::path& file,
                                                     size_t expected_size) {
    if (expected_size == 0) return std::nullopt;
    const FileDescriptor fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
    struct stat st {};
    if (!fd || ::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode) ||
        static_cast<uint64_t>(st.st_size) != expected_size)
        return std::nullopt;
    void* at = ::mmap(nullptr, expected_size, PROT_READ, MAP_SHARED, fd.get(), 0);
    if (at == MAP_FAILED) return std::nullopt;
    return MappedFile(static_cast<const std::byte*>(at), expected_size);
}

MappedFile::MappedFile(MappedFile&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)) {}

MappedFile& MappedFile::operator=(MappedFile&& other) noexcept {
    if (this != &other) {
        unmap();
        data_ = std::exchange(other.data_, nullptr);
        size_ = std::exchange(other.size_, 0);
    }
    return *this;
}

MappedFile::~MappedFile() {
    unmap();
}

void MappedFile::unmap() noexcept {
    if (data_) ::munmap(const_cast<std::byte*>(data_), size_);
    data_ = nullptr;
    size_ = 0;
}

}  // namespace dflab::common
