#include "engine/content.hpp"

#include "engine/error.hpp"

namespace dflab::engine {

ContentReader::ContentReader(TSK_FS_INFO* fs, const ContentAddress& address, ReadOptions options)
    : file_(tsk_fs_file_open_meta(fs, nullptr, address.meta_addr)) {
    if (!file_ || !file_->meta) {
        throw Error("no metadata at address " + format_inode(address) + ": " + take_tsk_error());
    }
    flags_ = options.slack ? TSK_FS_FILE_READ_FLAG_SLACK : TSK_FS_FILE_READ_FLAG_NONE;
    if (address.attr_type) {
        attr_ = tsk_fs_file_attr_get_type(file_.get(),
                                          static_cast<TSK_FS_ATTR_TYPE_ENUM>(*address.attr_type),
                                          address.attr_id.value_or(0), address.attr_id.has_value());
    } else {
        attr_ = tsk_fs_file_attr_get(file_.get());
    }
    if (!attr_ && address.attr_type) {
        take_tsk_error();
        throw Error("no attribute " + std::to_string(*address.attr_type) + "-" +
                    std::to_string(address.attr_id.value_or(0)) + " at address " +
                    std::to_string(address.meta_addr) + " (inode " + format_inode(address) + ")");
    }
    if (!attr_) {
        tsk_error_reset();
        size_ = 0;  // no content attribute (e.g. an empty file or a device)
        return;
    }
    uint64_t logical = attr_->size > 0 ? static_cast<uint64_t>(attr_->size) : 0;
    size_ = logical;
    if (options.slack && (attr_->flags & TSK_FS_ATTR_NONRES)) {
        size_ = std::max<uint64_t>(logical, static_cast<uint64_t>(attr_->nrd.allocsize));
    }
}

size_t ContentReader::read(uint64_t offset, std::span<std::byte> out) {
    if (!attr_ || offset >= size_ || out.empty()) return 0;
    size_t want = static_cast<size_t>(std::min<uint64_t>(out.size(), size_ - offset));
    ssize_t got =
        tsk_fs_attr_read(attr_, static_cast<TSK_OFF_T>(offset), reinterpret_cast<char*>(out.data()),
                         want, static_cast<TSK_FS_FILE_READ_FLAG_ENUM>(flags_));
    if (got < 0) {
        throw Error("read of address " + std::to_string(file_->meta->addr) + " at byte " +
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
