#pragma once
// Windows XML event log files (EVTX), written reproducibly from the published format (libyal's
// "Windows XML Event Log (EVTX) format"): a 4096-byte file header, then chunks of 64 KiB, each a
// 512-byte header followed by event records. Every record's event is binary XML (BinXML) written
// as Windows writes it: a template instance with typed substitution values, which libevtx
// (evtxexport, evtxinfo) needs to read event ids, levels and EventData strings. The first record
// of each shape (provider, computer, channel, Data names) in a chunk writes the template
// definition in place; later ones in the chunk refer to it by offset, as Windows' records do.
// Readers that check these files: evtxinfo and evtxexport (libevtx), the engine's event log
// analyzer.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace dflab::images {

// The largest event one record holds: a chunk's space after its header, less the record's own
// header and trailing size.
inline constexpr size_t kMaxEventRecordBytes = 65536 - 512 - 28;

struct EventRecordSpec {
    uint32_t event_id = 0;
    std::string provider;       // Provider Name, e.g. Microsoft-Windows-Security-Auditing
    std::string provider_guid;  // "{54849625-5478-4994-A5BA-3E3B0328C30D}"; empty: none written
    std::string channel;        // empty: the log's channel
    std::string computer;
    int64_t time = 0;         // UTC seconds since 1970: TimeCreated and the record's written time
    uint32_t time_100ns = 0;  // and its fraction, in 100-nanosecond units (below 10000000)
    uint8_t level = 0;        // 0 LogAlways (Security audits), 2 Error, 3 Warning, 4 Information
    uint64_t keywords = 0;    // e.g. 0x8020000000000000 (Audit Success)
    uint16_t task = 0;
    uint8_t opcode = 0;
    uint8_t version = 0;
    uint32_t process_id = 0;
    uint32_t thread_id = 0;
    std::string user_sid;  // Security UserID, e.g. S-1-5-18; empty: no UserID attribute
    std::vector<std::pair<std::string, std::string>> data;  // EventData: Data Name -> text
};

// The log's bytes: records get the ids 1..N in the given order, as many chunks as they need, the
// file header marks the log clean with its CRC32s. Throws Error naming the record (its position)
// whose text is not UTF-8, whose user SID is not one, or whose event is larger than
// kMaxEventRecordBytes, and when there are no records.
std::vector<std::byte> build_event_log(std::string_view channel,
                                       std::span<const EventRecordSpec> records);

}  // namespace dflab::images
