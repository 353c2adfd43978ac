#include "engine/content.hpp"

#include "engine/error.hpp"
#include "engine/ext_block_map_check.hpp"
#include "engine/tsk_access.hpp"

namespace dflab::engine {

struct ContentReader::Impl {
    TskFile file;
    const TSK_FS_ATTR* attr = nullptr;
    int flags = 0;
};

ContentReader::ContentReader(ContentReader&&) noexcept = default;
ContentReader& ContentReader::operator=(ContentReader&&) noexcept = default;
ContentReader::~ContentReader() = default;

ContentReader::ContentReader(const FileSystem& fs, const ContentAddress& address,
                             ReadOptions options)
    : impl_(std::make_unique<Impl>()) {
    Impl& r = *impl_;
    r.file.reset(tsk_fs_file_open_meta(tsk_handle(fs), nullptr, address.meta_addr));
    if (!r.file || !r.file->meta) {
        throw Error("no metadata at address " + format_inode(address) + ": " + take_tsk_error());
    }
    if (auto why = unmappable_block_map(r.file.get())) {
        throw Error("inode " + format_inode(address) + ": " + *why);
    }
    r.flags = options.slack ? TSK_FS_FILE_READ_FLAG_SLACK : TSK_FS_FILE_READ_FLAG_NONE;
    if (address.attr_type) {
        r.attr = tsk_fs_file_attr_get_type(
            r.file.get(), static_cast<TSK_FS_ATTR_TYPE_ENUM>(*address.attr_type),
            address.attr_id.value_or(0), address.attr_id.has_value());
    } else {
        r.attr = tsk_fs_file_attr_get(r.file.get());
    }
    if (!r.attr && address.attr_type) {
        take_tsk_error();
        throw Error("no attribute " + std::to_string(*address.attr_type) + "-" +
                    std::to_string(address.attr_id.value_or(0)) + " at address " +
                    std::to_string(address.meta_addr) + " (inode " + format_inode(address) + ")");
    }
    if (!r.attr) {
        tsk_error_reset();
        size_ = 0;  // no content attribute (e.g. an empty file or a device)
        return;
    }
    uint64_t logical = r.attr->size > 0 ? static_cast<uint64_t>(r.attr->size) : 0;
    size_ = logical;
    if (options.slack && (r.attr->flags & TSK_FS_ATTR_NONRES)) {
        size_ = std::max<uint64_t>(logical, static_cast<uint64_t>(r.attr->nrd.allocsize));
    }
}

size_t ContentReader::read(uint64_t offset, std::span<std::byte> out) {
    const TSK_FS_ATTR* attr = impl_->attr;
    if (!attr || offset >= size_ || out.empty()) return 0;
    size_t want = static_cast<size_t>(std::min<uint64_t>(out.size(), size_ - offset));
    ssize_t got =
        tsk_fs_attr_read(attr, static_cast<TSK_OFF_T>(offset), reinterpret_cast<char*>(out.data()),
                         want, static_cast<TSK_FS_FILE_READ_FLAG_ENUM>(impl_->flags));
    if (got < 0) {
        throw Error("read of address " + std::to_string(impl_->file->meta->addr) + " at byte " +
                    std::to_string(offset) + " failed: " + take_tsk_error());
    }
    return static_cast<size_t>(got);
}

void ContentReader::stream(std::span<std::byte> buffer,
                           const std::function<bool(std::span<const std::byte>)>& sink) {
    uint64_t offset = 0;
    while (offset < size_) {
        size_t got = read(offset, buffer);
        if (got == 0) break;
        if (!sink(buffer.first(got))) return;
        offset += got;
    }
}

}  // namespace dflab::engine
