#include "common/input_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/error.hpp"
#include "common/file_descriptor.hpp"

namespace dflab::common {

std::string size_text(std::uintmax_t bytes) {
    if (bytes >= (1u << 20) && bytes % (1u << 20) == 0) return std::to_string(bytes >> 20) + " MiB";
    if (bytes >= (1u << 10) && bytes % (1u << 10) == 0) return std::to_string(bytes >> 10) + " KiB";
    return std::to_string(bytes) + " bytes";
}

std::string read_input_file(const std::filesystem::path& file, std::uintmax_t limit,
                            std::string_view what) {
    const std::string name = file.string();
    // O_NONBLOCK: opening a FIFO does not wait for a writer (and means nothing for a regular file).
    FileDescriptor fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
    if (!fd) {
        const int error = errno;
        if (error == ENOENT) throw Error(name + ": no such file");
        throw Error(name + ": cannot be read: " + std::strerror(error));
    }
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0)
        throw Error(name + ": cannot be read: " + std::strerror(errno));
    const std::string not_one = "; not a " + std::string(what);
    if (!S_ISREG(st.st_mode))
        throw Error(name + ": not a regular file (a folder, device or pipe)" + not_one);
    const std::string too_large = name + ": larger than " + size_text(limit) + not_one;
    if (static_cast<std::uintmax_t>(st.st_size) > limit) throw Error(too_large);
    // Read to the end, not to the size seen: the file may be growing; stop past the limit.
    std::string text;
    text.reserve(static_cast<size_t>(st.st_size));
    char buffer[65536];
    for (;;) {
        const ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw Error(name + ": cannot be read: " + std::strerror(errno));
        if (n == 0) break;
        text.append(buffer, static_cast<size_t>(n));
        if (text.size() > limit) throw Error(too_large);
    }
    return text;
}

}  // namespace dflab::common
