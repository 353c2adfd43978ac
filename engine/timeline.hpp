#pragma once
// Timelines: the body file that TSK's mactime reads (the same lines `fls -m / -r` prints), and
// the sorted MAC(B) timeline made from it, filtered by a time range and printed in a time zone.
//
// What we match of `fls -m PREFIX -r` (TSK 4.11), line by line:
//   - the name is PREFIX + the path, NTFS streams as "file:stream"; NTFS $FILE_NAME times as a
//     line of their own, "path ($FILE_NAME)" with inode "N-48-ID"; symbolic links as
//     "path -> target"; deleted names with " (deleted)", or " (deleted-realloc)" when the
//     metadata is in use again; control characters as '^'; other bytes as they are (a Latin-1
//     name stays Latin-1: mactime, like fls, handles bytes, not text);
//   - the inode as fls prints it ("14", "64-128-2"), the mode string, UID, GID, the size (of the
//     stream or attribute on NTFS) and the four times in seconds, 0 when absent.
// Where we differ, on purpose:
//   - '|' in a name is written "%7C" and '%' followed by two hex digits "%25" (mactime decodes
//     %XX escapes, so it shows the real name; fls writes them as they are, which breaks the line);
//   - times are written as 64-bit numbers (fls prints the low 32 bits, so times after 2106 or
//     before 1970 come out wrong there).
// The timeline itself differs from mactime's in that absent times (0) make no event (mactime lists
// them at 0000-00-00), and its path is the entry's path (" ($FILE_NAME)" kept, but no
// " (deleted)" or " -> target": the allocated column and the type say that).
#include <cstdint>
#include <functional>
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/evidence.hpp"
#include "engine/file_system.hpp"
#include "engine/volumes.hpp"

namespace dflab::engine {

// One line of a body file: an entry (a file, directory or NTFS stream), or the $FILE_NAME
// attribute of an NTFS file (inode "N-48-ID", its size and its times).
struct TimelineRecord {
    Entry entry;
    bool file_name_attribute = false;  // NTFS $FILE_NAME times: fls -m labels them " ($FILE_NAME)"
    std::string link_target;           // symbolic links: fls -m appends " -> target"

    // The path as the timeline shows it: entry.path, plus " ($FILE_NAME)" for those times.
    std::string label() const;
};

// Calls `visit` for every record of the file system, in fls's order: the entries of
// FileSystem::walk (deleted and orphans included), with each NTFS file's $FILE_NAME record before
// its streams. Reads the metadata again where fls shows more than an Entry holds (NTFS attribute
// sizes and $FILE_NAME times, link targets). Directories that cannot be read go to `on_error` as
// in FileSystem::walk (without it, the first one throws Error).
void walk_timeline_records(const FileSystem& fs, const std::function<void(TimelineRecord&&)>& visit,
                           const std::function<void(const WalkError&)>& on_error = {});

// The body-file line (TSK 3.x: MD5|name|inode|mode|UID|GID|size|atime|mtime|ctime|crtime), without
// the newline. `prefix` is what fls -m takes: "/" gives "/dir/file".
std::string body_line(const TimelineRecord& record, std::string_view prefix = "/");

// An inclusive range of times in seconds since the epoch; either end may be open.
struct TimeRange {
    std::optional<int64_t> from, to;
    bool contains(int64_t t) const { return (!from || t >= *from) && (!to || t <= *to); }
};

// Parses the ends of a range with parse_time in `zone`. A date without a time means the start of
// that day for `from` and its last second (23:59:59) for `to`, so "--from D --to D" is all of day
// D. Throws Error when a time does not parse or `from` is after `to`.
TimeRange parse_time_range(const std::optional<std::string>& from,
                           const std::optional<std::string>& to, const std::string& zone = "UTC");

// One time of one record, with the MACB letters of every time stamp of the record that has this
// value, as mactime writes them: "m.cb" for modified, changed and born at this second.
struct TimelineEvent {
    int64_t time = 0;
    std::string macb;
    const TimelineRecord* record = nullptr;  // points into the records the event was made from
};

// The events of `records` whose time is in `range`, sorted by time, then path (label), then
// partition and inode. Absent times (null) make no event. The events point into `records`.
std::vector<TimelineEvent> make_events(std::span<const TimelineRecord> records,
                                       const TimeRange& range = {});

// "time,macb,partition,inode,type,size,allocated,mode,uid,gid,path,path_hex"
std::string timeline_csv_header();

// One CSV row (RFC 4180 quoting, no newline); the time is ISO 8601 in the IANA zone `zone`
// ("UTC": 2023-10-02T14:03:11Z, otherwise 2023-10-02T17:03:11+03:00). `path` is valid UTF-8 (U+FFFD
// for bytes that are not); `path_hex` is empty, or the path's bytes in hex when it is not UTF-8.
std::string timeline_csv_row(const TimelineEvent& event, const std::string& zone = "UTC");

// The same fields as an object (in that order), for JSON Lines; "path_hex" only when the path is
// not UTF-8; events of FAT entries add "fat_zone", the zone their local times were read in.
nlohmann::ordered_json timeline_event_json(const TimelineEvent& event,
                                           const std::string& zone = "UTC");

// Quoted as RFC 4180 wants it when it holds a comma, quote or line break.
std::string csv_field(std::string_view s);

enum class TimelineFormat { csv, json, l2tcsv };

// The header (CSV only) and one line per event; csv or json (l2tcsv: write_timeline_rows in
// engine/timeline_artifacts.hpp).
void write_timeline(std::ostream& out, std::span<const TimelineEvent> events, TimelineFormat format,
                    const std::string& zone = "UTC");

}  // namespace dflab::engine
