#include "engine/entry_owner.hpp"

#include <cstdlib>
#include <memory>

namespace dflab::engine {

namespace {

// TSK allocates the SID string with malloc; the caller frees it.
struct FreeDeleter {
    void operator()(char* p) const noexcept { std::free(p); }
};

std::string ntfs_owner_sid(TSK_FS_FILE* file) {
    char* raw = nullptr;
    const uint8_t failed = tsk_fs_file_get_owner_sid(file, &raw);
    std::unique_ptr<char, FreeDeleter> sid(raw);
    // A failure leaves TSK's per-thread error set; it is not ours to report, and the next
    // TSK call that fails sets its own.
    if (failed) {
        tsk_error_reset();
        return "";
    }
    return sid ? std::string(sid.get()) : std::string();
}

bool records_unix_owner(TSK_FS_TYPE_ENUM type) {
    return TSK_FS_TYPE_ISEXT(type) || TSK_FS_TYPE_ISFFS(type) || TSK_FS_TYPE_ISHFS(type) ||
           TSK_FS_TYPE_ISAPFS(type) || TSK_FS_TYPE_ISYAFFS2(type);
}

}  // namespace

std::string entry_owner(TSK_FS_FILE* file) {
    if (file == nullptr || file->meta == nullptr || file->fs_info == nullptr) return "";
    const TSK_FS_TYPE_ENUM type = file->fs_info->ftype;
    if (TSK_FS_TYPE_ISNTFS(type)) return ntfs_owner_sid(file);
    if (records_unix_owner(type)) return std::to_string(file->meta->uid);
    return "";
}

}  // namespace dflab::engine
