#pragma once
// Windows FILETIME: 100-nanosecond intervals since 1601-01-01 UTC, as the registry, NTFS, event
// logs, shell links and prefetch files store time.
#include <cstdint>
#include <optional>

namespace dflab::common {

// Seconds between 1601-01-01 and 1970-01-01.
inline constexpr int64_t kFiletimeEpochOffset = 11644473600;

inline constexpr uint64_t unix_to_filetime(int64_t unix_seconds) {
    return static_cast<uint64_t>(unix_seconds + kFiletimeEpochOffset) * 10000000ULL;
}

// Whole seconds (rounded down); nullopt for 0, which Windows writes for "never".
inline constexpr std::optional<int64_t> filetime_to_unix(uint64_t filetime) {
    if (filetime == 0) return std::nullopt;
    return static_cast<int64_t>(filetime / 10000000ULL) - kFiletimeEpochOffset;
}

// 9999-12-31T23:59:59Z as a FILETIME: later ones are not times but markers (0x7FFFFFFFFFFFFFFF is
// Windows' "never" for an account's expiry) or damage.
inline constexpr uint64_t kLastFiletime = 2650467743990000000ULL;

// As filetime_to_unix, and nullopt too for a FILETIME past the year 9999 (kLastFiletime), which
// readers of untrusted files count as no time.
inline constexpr std::optional<int64_t> filetime_to_unix_checked(uint64_t filetime) {
    if (filetime > kLastFiletime) return std::nullopt;
    return filetime_to_unix(filetime);
}

}  // namespace dflab::common
