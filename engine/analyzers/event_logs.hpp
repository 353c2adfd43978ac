#pragma once
// The event log analyzer: every file that starts with the "ElfFile\0" signature, whatever its
// name, is read as a Windows XML event log (engine/event_log_file.hpp) and each of its records is
// an artifact of kind `event` in the case's `artifacts` table (docs/artifacts.md). What cannot be
// read (a truncated log, a chunk failing its CRC32, a record libevtx cannot decode) is an
// `unreadable` artifact of that file, next to the records that could be read; never a failure of
// the scan.
#include <cstdint>
#include <string>
#include <string_view>

#include "engine/artifact.hpp"

namespace dflab::engine {

// Larger files with the signature are recorded as unreadable, not read (Windows keeps logs to
// 20 MiB by default; administrators raise that to a few hundred).
inline constexpr uint64_t kMaxEventLogBytes = 1ull << 30;

// The `meaning` field of an event: "logon" for 4624 from Microsoft-Windows-Security-Auditing,
// ... (docs/artifacts.md); "" for the events without one.
std::string_view event_meaning(uint32_t event_id, std::string_view provider);

}  // namespace dflab::engine
