#pragma once
// A Windows XML event log (EVTX) read with libevtx from bytes in memory (engine/libyal_memory.hpp),
// so a log found in an image is parsed without touching the disk. Every libevtx handle and error
// is owned here. Damage is reported, not thrown: a record libevtx cannot decode, a chunk missing
// from a truncated log or failing its CRC, each becomes a problem while every readable record
// (those libevtx recovers from a damaged chunk included) is still returned.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace dflab::engine {

struct EventLogRecord {
    uint64_t record_id = 0;
    uint64_t written = 0;  // the record's written time, a FILETIME (common/windows_time.hpp)
    uint32_t event_id = 0;
    uint8_t level = 0;
    std::string provider;  // the Provider Name (libevtx: source name)
    std::string channel;
    std::string computer;
    std::string user_sid;  // "" when the event has none
    // EventData: Data Name -> text, in order (names "1", "2", ... when the event gives none).
    std::vector<std::pair<std::string, std::string>> data;
    bool recovered = false;  // read from a damaged chunk's remains
};

struct EventLogContents {
    std::vector<EventLogRecord> records;
    // One line each: where ("record 12", "chunk 3", "(log)") and what is wrong with it.
    std::vector<std::pair<std::string, std::string>> problems;
};

// Reads the log in `bytes`; `name` names it in the Error thrown when libevtx cannot open it at
// all ("NAME: not a readable event log: ...").
EventLogContents read_event_log(std::span<const std::byte> bytes, const std::string& name);

}  // namespace dflab::engine
