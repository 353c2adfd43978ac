#include "images/ntfs_handles.hpp"

#include <cstdio>
#include <mutex>

#include "engine/error.hpp"

namespace dflab::images::ntfs {
namespace {

thread_local std::string last_message;

// libntfs-3g's log goes into last_message: the writer reports it with its own error.
__attribute__((format(printf, 6, 0))) int capture(const char* /*function*/, const char* /*file*/,
                                                  int /*line*/, u32 /*level*/, void* /*data*/,
                                                  const char* format, va_list args) {
    char buffer[512];
    int n = std::vsnprintf(buffer, sizeof buffer, format, args);
    if (n <= 0) return 0;
    std::string text(buffer);
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    if (!text.empty()) last_message = text;
    return n;
}

void install_log_handler() {
    static std::once_flag once;
    std::call_once(once, [] {
        ntfs_log_set_handler(capture);
        ntfs_log_clear_levels(NTFS_LOG_LEVEL_DEBUG | NTFS_LOG_LEVEL_TRACE | NTFS_LOG_LEVEL_ENTER |
                              NTFS_LOG_LEVEL_LEAVE | NTFS_LOG_LEVEL_VERBOSE | NTFS_LOG_LEVEL_QUIET |
                              NTFS_LOG_LEVEL_INFO | NTFS_LOG_LEVEL_PROGRESS);
        ntfs_log_set_levels(NTFS_LOG_LEVEL_WARNING | NTFS_LOG_LEVEL_ERROR | NTFS_LOG_LEVEL_PERROR |
                            NTFS_LOG_LEVEL_CRITICAL);
    });
}

}  // namespace

void clear_library_message() {
    install_log_handler();
    last_message.clear();
}

std::string library_message() {
    return last_message;
}

Utf16Name::Utf16Name(std::string_view utf8, const std::string& what) {
    std::string text(utf8);
    size_ = ntfs_mbstoucs(text.c_str(), &units_);
    if (size_ < 0) {
        units_ = nullptr;
        throw engine::Error(what + ": '" + text + "' is not valid UTF-8");
    }
    if (size_ == 0 || size_ > 255)
        throw engine::Error(what + ": the name '" + text +
                            "' must have 1 to 255 UTF-16 characters on NTFS");
}

ntfs_time to_ntfs_time(int64_t seconds, const std::string& what) {
    // 11644473600 s from 1601 to 1970; NTFS times are signed 64-bit counts of 100 ns.
    constexpr int64_t kFrom1601 = 11644473600;
    constexpr int64_t kLast = (INT64_MAX / 10000000) - kFrom1601;
    if (seconds < -kFrom1601 || seconds > kLast)
        throw engine::Error(what + ": time " + std::to_string(seconds) +
                            " is outside what NTFS can store (years 1601 to 30828)");
    return cpu_to_sle64(static_cast<uint64_t>((seconds + kFrom1601) * 10000000));
}

}  // namespace dflab::images::ntfs
