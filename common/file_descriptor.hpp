#pragma once
// An owned POSIX file descriptor: closed when its owner goes, moved but never copied. -1 stands
// for "no file". The destructor cannot report a failed close(2); call close() where a failure
// matters (a file just written), it throws Error then.
#include <fcntl.h>
#include <sys/types.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>
#include <utility>

#include "common/error.hpp"

namespace dflab::common {

class FileDescriptor {
  public:
    FileDescriptor() noexcept = default;
    // Takes ownership of `fd` (-1: none), e.g. what open(2), mkstemp(3) or accept(2) returned.
    explicit FileDescriptor(int fd) noexcept : fd_(fd) {}

    // Opens `file` with `flags` (O_CLOEXEC is always added); throws Error
    // "FILE: cannot open: REASON" when it cannot.
    static FileDescriptor open(const std::filesystem::path& file, int flags, mode_t mode = 0) {
        const int fd = ::open(file.c_str(), flags | O_CLOEXEC, mode);
        if (fd < 0) throw Error(file.string() + ": cannot open: " + std::strerror(errno));
        return FileDescriptor(fd);
    }

    FileDescriptor(const FileDescriptor&) = delete;
    FileDescriptor& operator=(const FileDescriptor&) = delete;
    FileDescriptor(FileDescriptor&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
    FileDescriptor& operator=(FileDescriptor&& other) noexcept {
        if (this != &other) reset(std::exchange(other.fd_, -1));
        return *this;
    }
    ~FileDescriptor() { reset(); }

    int get() const noexcept { return fd_; }
    explicit operator bool() const noexcept { return fd_ >= 0; }

    // Closes the descriptor held (its error ignored) and holds `fd` instead.
    void reset(int fd = -1) noexcept {
        if (fd_ >= 0) ::close(fd_);
        fd_ = fd;
    }
    // Gives the descriptor up without closing it.
    [[nodiscard]] int release() noexcept { return std::exchange(fd_, -1); }

    // Closes now and reports a failure (on some file systems the last write errors show up
    // only here); `what` names the file in the message. Nothing happens when none is held.
    void close(const std::string& what) {
        if (fd_ < 0) return;
        if (::close(std::exchange(fd_, -1)) != 0)
            throw Error(what + ": cannot close: " + std::strerror(errno));
    }

  private:
    int fd_ = -1;
};

}  // namespace dflab::common
