#pragma once
// libntfs-3g for the NTFS writer: the library's C headers (with what they expect to be included
// before them) and RAII owners for its handles: the mounted volume, inodes, attributes, attribute
// search contexts and UTF-16 names. Only the NTFS writer's files include this.
#include <endian.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/types.h>
#include <time.h>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpedantic"
#pragma GCC diagnostic ignored "-Wold-style-cast"
extern "C" {
#include <ntfs-3g/types.h>

#include <ntfs-3g/attrib.h>
#include <ntfs-3g/device.h>
#include <ntfs-3g/dir.h>
#include <ntfs-3g/inode.h>
#include <ntfs-3g/layout.h>
#include <ntfs-3g/logging.h>
#include <ntfs-3g/ntfstime.h>
#include <ntfs-3g/unistr.h>
#include <ntfs-3g/volume.h>
}
#pragma GCC diagnostic pop
// support.h defines these as macros, which would break the C++ library's std::min and max.
#undef min
#undef max

namespace dflab::images::ntfs {

// What the library last reported (its log goes here instead of stderr), for error messages;
// cleared by clear_library_message(). Installs the log handler on first use.
void clear_library_message();
std::string library_message();

// Owns one handle; `Close` releases it and returns 0 or -1 (errno set), as libntfs-3g does.
template <typename T, int (*Close)(T*)>
class Handle {
  public:
    Handle() = default;
    explicit Handle(T* handle) : handle_(handle) {}
    ~Handle() {
        if (handle_) Close(handle_);  // an error path: the error that matters is already thrown
    }
    Handle(Handle&& other) noexcept : handle_(std::exchange(other.handle_, nullptr)) {}
    Handle& operator=(Handle&& other) noexcept {
        if (this != &other) {
            if (handle_) Close(handle_);
            handle_ = std::exchange(other.handle_, nullptr);
        }
        return *this;
    }
    Handle(const Handle&) = delete;
    Handle& operator=(const Handle&) = delete;

    T* get() const { return handle_; }
    T* operator->() const { return handle_; }
    explicit operator bool() const { return handle_ != nullptr; }
    // Gives the handle to a library call that closes it itself (ntfs_delete).
    T* release() { return std::exchange(handle_, nullptr); }
    // Closes now; 0, or -1 with errno set.
    int close() { return handle_ ? Close(std::exchange(handle_, nullptr)) : 0; }

  private:
    T* handle_ = nullptr;
};

inline int unmount_volume(ntfs_volume* volume) {
    return ntfs_umount(volume, FALSE);
}
inline int close_attribute(ntfs_attr* attribute) {
    ntfs_attr_close(attribute);
    return 0;
}
inline int put_search_context(ntfs_attr_search_ctx* context) {
    ntfs_attr_put_search_ctx(context);
    return 0;
}

using Volume = Handle<ntfs_volume, unmount_volume>;
using Attribute = Handle<ntfs_attr, close_attribute>;
using SearchContext = Handle<ntfs_attr_search_ctx, put_search_context>;

// An open inode; closing writes it back (and the copies of its names in its folders' indexes).
class Inode {
  public:
    Inode() = default;
    explicit Inode(ntfs_inode* inode) : inode_(inode) {}
    ~Inode() { drop(); }
    Inode(Inode&& other) noexcept : inode_(std::exchange(other.inode_, nullptr)) {}
    Inode& operator=(Inode&& other) noexcept {
        if (this != &other) {
            drop();
            inode_ = std::exchange(other.inode_, nullptr);
        }
        return *this;
    }
    Inode(const Inode&) = delete;
    Inode& operator=(const Inode&) = delete;

    ntfs_inode* get() const { return inode_; }
    ntfs_inode* operator->() const { return inode_; }
    explicit operator bool() const { return inode_ != nullptr; }
    // Gives the inode to a library call that closes it itself (ntfs_delete).
    ntfs_inode* release() { return std::exchange(inode_, nullptr); }
    // Writes the inode back and closes it: 0, or -1 with errno set (then it stays open here).
    int close() { return finish(ntfs_inode_close(inode_)); }
    // The same with the folder holding its name already open (the library would open it again).
    int close_in(const Inode& folder) {
        return finish(inode_ ? ntfs_inode_close_in_dir(inode_, folder.get()) : 0);
    }

  private:
    int finish(int status) {
        if (status == 0) inode_ = nullptr;
        return status;
    }
    // Closes on an error path: when the inode cannot be written back (the error that matters is
    // already on its way), its changes are dropped and it is freed, not kept in the library's
    // cache of closed inodes.
    void drop() noexcept {
        ntfs_inode* inode = std::exchange(inode_, nullptr);
        if (!inode || ntfs_inode_close(inode) == 0) return;
        NInoClearDirty(inode);
        NInoAttrListClearDirty(inode);
        NInoFileNameClearDirty(inode);
        ntfs_inode_real_close(inode);
    }

    ntfs_inode* inode_ = nullptr;
};

// A name in NTFS's UTF-16, converted from UTF-8.
class Utf16Name {
  public:
    Utf16Name() = default;
    // Throws dflab::engine::Error naming `what` when the text is not valid UTF-8 or is longer
    // than 255 UTF-16 units.
    Utf16Name(std::string_view utf8, const std::string& what);
    ~Utf16Name() { std::free(units_); }
    Utf16Name(const Utf16Name&) = delete;
    Utf16Name& operator=(const Utf16Name&) = delete;

    ntfschar* data() const { return units_; }
    u8 size() const { return static_cast<u8>(size_); }

  private:
    ntfschar* units_ = nullptr;
    int size_ = 0;
};

// NTFS time (100 ns units since 1601, UTC) of whole seconds since 1970; throws for a time NTFS
// cannot hold (before 1601 or after 30828).
ntfs_time to_ntfs_time(int64_t seconds, const std::string& what);

}  // namespace dflab::images::ntfs
