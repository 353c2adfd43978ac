#include "engine/timeline_artifacts.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <iterator>
#include <string_view>
#include <tuple>

#include "common/utf8.hpp"
#include "engine/error.hpp"
#include "engine/time_format.hpp"

namespace dflab::engine {

namespace {

// Fields that say what an artifact is about, in the order the short text takes them. A kind
// without any of them shows its first fields in alphabetical order.
constexpr std::array<std::string_view, 18> kMainFields = {
    "name",       "computer_name", "target_path", "path",     "original_path", "program",
    "executable", "document",      "url",         "title",    "serial",        "friendly_name",
    "command",    "value",         "term",        "event_id", "profile_name",  "user_name"};

constexpr size_t kShortFields = 3;
constexpr size_t kShortLength = 100;

// The plaso source short name ("REG", "LNK", ...) of a kind; "ARTIFACT" for the others.
std::string_view l2t_source(std::string_view kind) {
    static constexpr std::array<std::pair<std::string_view, std::string_view>, 18> kSources = {{
        {"computer_name", "REG"},
        {"time_zone", "REG"},
        {"usb_device", "REG"},
        {"program_run", "REG"},
        {"recent_document", "REG"},
        {"user_account", "REG"},
        {"typed_path", "REG"},
        {"run_mru", "REG"},
        {"search_term", "REG"},
        {"autorun", "REG"},
        {"os_installation", "REG"},
        {"network_profile", "REG"},
        {"shell_link", "LNK"},
        {"event", "EVT"},
        {"prefetch", "LOG"},
        {"recycled_file", "RECBIN"},
        {"web_visit", "WEBHIST"},
        {"web_download", "WEBHIST"},
    }};
    for (const auto& [k, source] : kSources)
        if (k == kind) return source;
    return "ARTIFACT";
}

// The mactime letter a time_kind is closest to: "...B" for creation and first times, "M..." for
// modification and last writes, ".A.." for access, runs and visits, "...." when none fits.
std::string macb_of_time_kind(std::string_view time_kind) {
    std::string t;
    for (char c : time_kind) t += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    auto has = [&](std::initializer_list<std::string_view> words) {
        return std::any_of(words.begin(), words.end(),
                           [&](std::string_view w) { return t.find(w) != std::string::npos; });
    };
    if (has({"creat", "first", "install", "birth", "born"})) return "...B";
    if (has({"modif", "write", "written"})) return "M...";
    if (has({"access", "run", "visit", "open", "used", "connect", "logon", "deleted"}))
        return ".A..";
    return "....";
}

// A field's value in one line: text as it is, other scalars and nested values as JSON.
std::string value_text(const nlohmann::json& v) {
    if (v.is_string()) return v.get<std::string>();
    return v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// Cuts `s` to at most `n` bytes without splitting a UTF-8 sequence, marking the cut with "...".
std::string cut(std::string s, size_t n) {
    if (s.size() <= n) return s;
    size_t end = n - 3;
    while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) --end;
    s.resize(end);
    return s + "...";
}

// Every field that has a value as "name=value" joined with "; ", in alphabetical order.
std::string all_fields_text(const nlohmann::json& fields) {
    std::string out;
    for (const auto& [key, value] : fields.items())
        if (!value.is_null()) out += (out.empty() ? "" : "; ") + key + "=" + value_text(value);
    return out;
}

std::string bytes_of_hex(const std::string& hex, const std::string& what) {
    auto digit = [&](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        throw Error(what + ": path_hex '" + hex + "' is not hex");
    };
    if (hex.size() % 2 != 0) throw Error(what + ": path_hex '" + hex + "' has an odd length");
    std::string out;
    for (size_t i = 0; i < hex.size(); i += 2)
        out += static_cast<char>(digit(hex[i]) * 16 + digit(hex[i + 1]));
    return out;
}

// The path of a row (the file system row's label) and its kind ("" for file system rows).
std::string row_path(const TimelineRow& r) {
    return r.file ? r.file->record->label() : r.artifact->path;
}

std::string row_kind(const TimelineRow& r) {
    return r.file ? std::string() : r.artifact->kind;
}

// The path columns of the CSV: UTF-8 (U+FFFD for what is not), then its hex when it is not.
std::string csv_path(const std::string& path) {
    if (common::is_valid_utf8(path)) return csv_field(path) + ",";
    return csv_field(common::to_display_utf8(path)) + "," + common::hex_bytes(path);
}

std::string artifact_csv_row(const ArtifactEvent& a, const std::string& zone) {
    return iso_in_zone(a.time, zone) + "," + csv_field(a.time_kind) + "," +
           std::to_string(a.partition) + "," + csv_field(a.inode) + "," + csv_field(a.kind) + ",," +
           (a.allocated ? "true" : "false") + ",,,," + csv_path(a.path) + "," +
           csv_field(common::to_display_utf8(a.source)) + "," + csv_field(artifact_short_text(a));
}

nlohmann::ordered_json artifact_event_json(const ArtifactEvent& a, const std::string& zone) {
    nlohmann::ordered_json j{{"time", iso_in_zone(a.time, zone)},
                             {"macb", a.time_kind},
                             {"partition", a.partition},
                             {"inode", a.inode},
                             {"type", a.kind},
                             {"allocated", a.allocated}};
    common::set_text(j, "path", a.path);  // + path_hex when not UTF-8
    common::set_text(j, "source", a.source);
    j["description"] = artifact_short_text(a);
    j["fields"] = a.fields;
    return j;
}

// l2tcsv's date (MM/DD/YYYY) and time (HH:MM:SS) of `t` in `zone`, from its ISO 8601 form.
std::pair<std::string, std::string> l2t_date_time(int64_t t, const std::string& zone) {
    const std::string iso = iso_in_zone(t, zone);  // [-]YYYY-MM-DDTHH:MM:SS(Z|+hh:mm)
    const size_t at = iso.find('T');
    if (at == std::string::npos || at < 10 || iso.size() < at + 9)
        throw Error("timeline: time " + std::to_string(t) + " has no l2tcsv form");
    return {iso.substr(at - 5, 2) + "/" + iso.substr(at - 2, 2) + "/" + iso.substr(0, at - 6),
            iso.substr(at + 1, 8)};
}

std::string file_l2t_fields(const TimelineEvent& ev) {
    static constexpr std::array<std::string_view, 4> kNames = {
        "Content Modification Time", "Last Access Time", "Metadata Modification Time",
        "Creation Time"};
    const Entry& e = ev.record->entry;
    std::string macb = ev.macb, type;
    for (size_t i = 0; i < macb.size() && i < kNames.size(); ++i) {
        if (macb[i] == '.') continue;
        macb[i] = static_cast<char>(std::toupper(static_cast<unsigned char>(macb[i])));
        type += (type.empty() ? "" : "; ") + std::string(kNames[i]);
    }
    const std::string path = common::to_display_utf8(ev.record->label());
    const std::string desc = path + " (" + e.type + ", " + std::to_string(e.size) + " bytes" +
                             (e.allocated ? "" : ", deleted") + ")";
    std::string extra =
        "partition: " + std::to_string(e.partition) + "; size: " + std::to_string(e.size) +
        "; allocated: " + (e.allocated ? "true" : "false") + "; mode: " + e.mode_string +
        "; uid: " + std::to_string(e.uid) + "; gid: " + std::to_string(e.gid);
    if (e.fat_zone) extra += "; fat_zone: " + *e.fat_zone;
    return csv_field(macb) + ",FILE,File stat," + csv_field(type) + ",-,-," + csv_field(path) +
           "," + csv_field(desc) + ",2," + csv_field(path) + "," + csv_field(e.inode) +
           ",-,filestat," + csv_field(extra);
}

std::string artifact_l2t_fields(const ArtifactEvent& a) {
    const std::string path = common::to_display_utf8(a.path);
    const std::string source = common::to_display_utf8(a.source);
    const std::string desc = a.kind + " " + a.time_kind + ": " + all_fields_text(a.fields);
    const std::string extra = "partition: " + std::to_string(a.partition) + "; source: " + source +
                              "; allocated: " + (a.allocated ? "true" : "false");
    return csv_field(macb_of_time_kind(a.time_kind)) + "," +
           csv_field(std::string(l2t_source(a.kind))) + "," + csv_field(a.kind) + "," +
           csv_field(a.time_kind) + ",-,-," + csv_field(artifact_short_text(a)) + "," +
           csv_field(common::to_display_utf8(desc)) + ",2," + csv_field(path) + "," +
           csv_field(a.inode) + ",-," + csv_field("artifacts/" + a.kind) + "," + csv_field(extra);
}

}  // namespace

void add_artifact_events(const ArtifactFindings& found, const TimeRange& range,
                         std::vector<ArtifactEvent>& out) {
    for (const Artifact& a : found.artifacts) {
        if (!a.time || !range.contains(*a.time)) continue;
        out.push_back(ArtifactEvent{*a.time, found.partition, found.path, found.inode,
                                    found.allocated, a.kind, a.time_kind, a.source, a.fields});
    }
}

std::vector<ArtifactEvent> case_artifact_events(CaseReader& reader, const TimeRange& range,
                                                const std::vector<int>& partitions) {
    std::vector<ArtifactEvent> out;
    reader.for_each_artifact([&](const CaseArtifact& c) {
        if (!c.time) return;
        if (!partitions.empty() &&
            std::find(partitions.begin(), partitions.end(), c.partition) == partitions.end())
            return;
        const std::string what = reader.path() + ": artifact of " + c.path;
        ArtifactEvent a;
        try {
            a.time = parse_time(*c.time);
        } catch (const std::exception&) {
            throw Error(what + ": time '" + *c.time + "' is not ISO 8601");
        }
        if (!range.contains(a.time)) return;
        a.partition = c.partition;
        a.path = c.path_hex ? bytes_of_hex(*c.path_hex, what) : c.path;
        a.inode = c.inode;
        a.allocated = c.allocated;
        a.kind = c.kind;
        a.time_kind = c.time_kind.value_or("");
        a.source = c.source;
        a.fields = nlohmann::json::parse(c.fields, nullptr, false);
        if (a.fields.is_discarded() || !a.fields.is_object())
            throw Error(what + ": fields is not a JSON object");
        out.push_back(std::move(a));
    });
    return out;
}

std::vector<TimelineRow> merge_timeline(std::span<const TimelineEvent> events,
                                        std::vector<ArtifactEvent>& artifacts) {
    std::sort(
        artifacts.begin(), artifacts.end(), [](const ArtifactEvent& a, const ArtifactEvent& b) {
            return std::tie(a.time, a.path, a.kind, a.source, a.time_kind, a.partition, a.inode) <
                   std::tie(b.time, b.path, b.kind, b.source, b.time_kind, b.partition, b.inode);
        });
    std::vector<TimelineRow> files, found, rows;
    for (const TimelineEvent& ev : events) files.push_back({&ev, nullptr});
    for (const ArtifactEvent& a : artifacts) found.push_back({nullptr, &a});
    rows.reserve(files.size() + found.size());
    // make_events sorted the file rows by time, then label: the same order as this key.
    std::merge(
        files.begin(), files.end(), found.begin(), found.end(), std::back_inserter(rows),
        [](const TimelineRow& x, const TimelineRow& y) {
            return std::make_tuple(x.time(), row_path(x), x.artifact != nullptr, row_kind(x)) <
                   std::make_tuple(y.time(), row_path(y), y.artifact != nullptr, row_kind(y));
        });
    return rows;
}

std::string artifact_short_text(const ArtifactEvent& a) {
    std::vector<std::string> parts;
    auto take = [&](const std::string& key, const nlohmann::json& v) {
        if (parts.size() >= kShortFields || v.is_null() || v.is_structured()) return;
        const std::string text = value_text(v);
        if (!text.empty()) parts.push_back(key + "=" + text);
    };
    for (std::string_view key : kMainFields) {
        const auto it = a.fields.find(std::string(key));
        if (it != a.fields.end()) take(std::string(key), *it);
    }
    if (parts.empty())
        for (const auto& [key, value] : a.fields.items()) take(key, value);
    std::string out = a.kind;
    for (size_t i = 0; i < parts.size(); ++i) out += (i ? "; " : ": ") + parts[i];
    return cut(common::to_display_utf8(out), kShortLength);
}

std::string l2tcsv_header() {
    return "date,time,timezone,MACB,source,sourcetype,type,user,host,short,desc,version,filename,"
           "inode,notes,format,extra";
}

std::string l2tcsv_row(const TimelineRow& row, const std::string& zone) {
    const auto [date, time] = l2t_date_time(row.time(), zone);
    return date + "," + time + "," + csv_field(zone) + "," +
           (row.file ? file_l2t_fields(*row.file) : artifact_l2t_fields(*row.artifact));
}

void write_timeline_rows(std::ostream& out, std::span<const TimelineRow> rows,
                         TimelineFormat format, const std::string& zone) {
    check_time_zone(zone);
    if (format == TimelineFormat::csv) out << timeline_csv_header() << ",source,description\n";
    if (format == TimelineFormat::l2tcsv) out << l2tcsv_header() << "\n";
    for (const TimelineRow& row : rows) {
        switch (format) {
            case TimelineFormat::csv:
                out << (row.file ? timeline_csv_row(*row.file, zone) + ",,"
                                 : artifact_csv_row(*row.artifact, zone))
                    << "\n";
                break;
            case TimelineFormat::json:
                out << (row.file ? timeline_event_json(*row.file, zone)
                                 : artifact_event_json(*row.artifact, zone))
                           .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
                    << "\n";
                break;
            case TimelineFormat::l2tcsv:
                out << l2tcsv_row(row, zone) << "\n";
                break;
        }
    }
}

}  // namespace dflab::engine
