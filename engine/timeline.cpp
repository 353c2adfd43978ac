#include "engine/timeline.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <tuple>
#include <utility>

#include "common/utf8.hpp"
#include "engine/error.hpp"
#include "engine/time_format.hpp"
#include "engine/tsk_access.hpp"

namespace dflab::engine {

namespace {

std::optional<int64_t> time_or_null(time_t t) {
    if (t == 0) return std::nullopt;
    return static_cast<int64_t>(t);
}

// The metadata of one address, opened once for the consecutive entries that share it.
class MetaCache {
  public:
    explicit MetaCache(TSK_FS_INFO* fs) : fs_(fs) {}

    const TSK_FS_FILE* get(uint64_t addr) {
        if (!loaded_ || addr != addr_) {
            file_.reset(tsk_fs_file_open_meta(fs_, nullptr, addr));
            if (!file_ || !file_->meta) {
                file_.reset();
                take_tsk_error();  // fls prints what it has; so do we
            }
            addr_ = addr;
            loaded_ = true;
        }
        return file_.get();
    }

  private:
    TSK_FS_INFO* fs_;
    TskFile file_;
    uint64_t addr_ = 0;
    bool loaded_ = false;
};

struct FoundAttribute {
    const TSK_FS_ATTR* attr = nullptr;
    int index = -1;  // position in the file's attribute list, the order fls prints them in
};

FoundAttribute find_attribute(const TSK_FS_FILE* file, uint32_t type, uint16_t id) {
    auto* f = const_cast<TSK_FS_FILE*>(file);
    int count = tsk_fs_file_attr_getsize(f);
    for (int i = 0; i < count; ++i) {
        const TSK_FS_ATTR* attr = tsk_fs_file_attr_get_idx(f, i);
        if (attr && attribute_type(attr) == type && attr->id == id) return {attr, i};
    }
    return {};
}

bool is_default_attribute_name(const TSK_FS_ATTR* attr) {
    if (!attr->name || attr->name[0] == '\0') return true;
    return attribute_type(attr) == TSK_FS_ATTR_TYPE_NTFS_IDXROOT &&
           std::string_view(attr->name) == "$I30";
}

// The record fls prints for the $FILE_NAME attribute whose times TSK read (meta->time2.ntfs).
std::optional<TimelineRecord> file_name_record(const TSK_FS_FILE* file, const Entry& entry,
                                               const std::string& base_path) {
    const TSK_FS_META* meta = file->meta;
    const uint16_t id = meta->time2.ntfs.fn_id;
    FoundAttribute fn = find_attribute(file, TSK_FS_ATTR_TYPE_NTFS_FNAME, id);
    if (!fn.attr) return std::nullopt;
    TimelineRecord r;
    r.file_name_attribute = true;
    Entry& e = r.entry;
    e = entry;
    e.path = base_path;
    e.name = base_path.substr(base_path.rfind('/') + 1);
    e.address.attr_type = static_cast<uint32_t>(TSK_FS_ATTR_TYPE_NTFS_FNAME);
    e.address.attr_id = id;
    e.inode = format_inode(e.address);
    e.size = fn.attr->size > 0 ? static_cast<uint64_t>(fn.attr->size) : 0;
    if (meta->type == TSK_FS_META_TYPE_DIR)
        e.type = "directory";
    else if (meta->type == TSK_FS_META_TYPE_REG)
        e.type = "file";
    e.atime = time_or_null(meta->time2.ntfs.fn_atime);
    e.mtime = time_or_null(meta->time2.ntfs.fn_mtime);
    e.ctime = time_or_null(meta->time2.ntfs.fn_ctime);
    e.crtime = time_or_null(meta->time2.ntfs.fn_crtime);
    return r;
}

bool is_hex(char c) {
    return std::isxdigit(static_cast<unsigned char>(c)) != 0;
}

// A name as fls -m writes it (control characters as '^'), with '|' and "%XX" escaped so that
// mactime, which splits on '|' and decodes %XX, reads the name back as it is.
void append_name(std::string& out, std::string_view s) {
    for (size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        if (static_cast<unsigned char>(c) < 0x20)
            out += '^';
        else if (c == '|')
            out += "%7C";
        else if (c == '%' && i + 2 < s.size() && is_hex(s[i + 1]) && is_hex(s[i + 2]))
            out += "%25";
        else
            out += c;
    }
}

bool is_date_only(const std::string& s) {
    if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
    for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
        if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
    }
    return true;
}

// The path and path_hex columns: the label as UTF-8 (U+FFFD for what is not) and, only when it is
// not UTF-8, its bytes in hex (empty otherwise).
std::string path_fields(const TimelineRecord& record) {
    const std::string label = record.label();
    if (common::is_valid_utf8(label)) return csv_field(label) + ",";
    return csv_field(common::to_display_utf8(label)) + "," + common::hex_bytes(label);
}

}  // namespace

std::string csv_field(std::string_view s) {
    if (s.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(s);
    std::string out = "\"";
    for (char c : s) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + "\"";
}

std::string TimelineRecord::label() const {
    return file_name_attribute ? entry.path + " ($FILE_NAME)" : entry.path;
}

void walk_timeline_records(const FileSystem& file_system,
                           const std::function<void(TimelineRecord&&)>& visit,
                           const std::function<void(const WalkError&)>& on_error) {
    TSK_FS_INFO* fs = tsk_handle(file_system);
    const bool ntfs = TSK_FS_TYPE_ISNTFS(fs->ftype);
    MetaCache cache(fs);
    // The NTFS file whose streams are being listed: fls prints its $FILE_NAME record first.
    struct Current {
        uint64_t addr = 0;
        std::string base_path;
        int attr_index = -1;
    };
    std::optional<Current> current;

    file_system.walk(
        WalkOptions{},
        [&](Entry&& entry) {
            TimelineRecord r;
            r.entry = std::move(entry);
            Entry& e = r.entry;
            if (e.has_metadata && (ntfs || e.type == "symlink")) {
                const TSK_FS_FILE* file = cache.get(e.address.meta_addr);
                if (file) {
                    if (file->meta->type == TSK_FS_META_TYPE_LNK && file->meta->link) {
                        r.link_target = file->meta->link;
                    }
                    if (ntfs) {
                        std::string base_path = e.path;
                        FoundAttribute found;
                        if (e.address.attr_type && e.address.attr_id) {
                            found = find_attribute(file, *e.address.attr_type, *e.address.attr_id);
                        }
                        if (found.attr) {
                            // fls gives the size of the stream or index the line is about
                            e.size =
                                found.attr->size > 0 ? static_cast<uint64_t>(found.attr->size) : 0;
                            if (!is_default_attribute_name(found.attr)) {
                                const std::string suffix = std::string(":") + found.attr->name;
                                if (base_path.ends_with(suffix))
                                    base_path.resize(base_path.size() - suffix.size());
                            }
                        }
                        // Streams of one file come in attribute order; anything else starts a new
                        // file.
                        const bool same_file = current && current->addr == e.address.meta_addr &&
                                               current->base_path == base_path &&
                                               found.index >= 0 &&
                                               found.index > current->attr_index;
                        if (!same_file) {
                            if (auto fn = file_name_record(file, e, base_path)) {
                                fn->link_target = r.link_target;
                                visit(std::move(*fn));
                            }
                        }
                        current = Current{e.address.meta_addr, base_path, found.index};
                    }
                }
            }
            visit(std::move(r));
        },
        on_error);
}

std::string body_line(const TimelineRecord& record, std::string_view prefix) {
    const Entry& e = record.entry;
    std::string line = "0|";
    std::string name(prefix);
    if (!name.empty() && name.back() == '/' && e.path.starts_with('/'))
        name += e.path.substr(1);
    else
        name += e.path;
    append_name(line, name);
    if (record.file_name_attribute) line += " ($FILE_NAME)";
    if (!record.link_target.empty()) {
        line += " -> ";
        append_name(line, record.link_target);
    }
    if (!e.allocated) line += e.reallocated ? " (deleted-realloc)" : " (deleted)";
    auto t = [](const std::optional<int64_t>& v) { return std::to_string(v.value_or(0)); };
    line += "|" + e.inode + "|" + e.mode_string + "|" + std::to_string(e.uid) + "|" +
            std::to_string(e.gid) + "|" + std::to_string(e.size) + "|" + t(e.atime) + "|" +
            t(e.mtime) + "|" + t(e.ctime) + "|" + t(e.crtime);
    return line;
}

TimeRange parse_time_range(const std::optional<std::string>& from,
                           const std::optional<std::string>& to, const std::string& zone) {
    TimeRange range;
    if (from) range.from = parse_time(*from, zone);
    if (to)
        range.to = is_date_only(*to) ? parse_time(*to + "T23:59:59", zone) : parse_time(*to, zone);
    if (range.from && range.to && *range.from > *range.to) {
        throw Error("time range: from '" + *from + "' is after to '" + *to + "'");
    }
    return range;
}

std::vector<TimelineEvent> make_events(std::span<const TimelineRecord> records,
                                       const TimeRange& range) {
    std::vector<TimelineEvent> events;
    for (const TimelineRecord& r : records) {
        const Entry& e = r.entry;
        const std::array<std::pair<const std::optional<int64_t>*, unsigned>, 4> stamps{
            {{&e.mtime, 1u}, {&e.atime, 2u}, {&e.ctime, 4u}, {&e.crtime, 8u}}};
        std::array<std::pair<int64_t, unsigned>, 4> times{};
        size_t n = 0;
        for (const auto& [stamp, bit] : stamps) {
            if (!*stamp || !range.contains(**stamp)) continue;
            const int64_t when = **stamp;  // a local: clang 14 cannot capture a structured binding
            auto* slot = std::find_if(times.begin(), times.begin() + static_cast<std::ptrdiff_t>(n),
                                      [&](const auto& p) { return p.first == when; });
            if (slot == times.begin() + static_cast<std::ptrdiff_t>(n)) {
                times[n++] = {when, bit};
            } else {
                slot->second |= bit;
            }
        }
        for (size_t i = 0; i < n; ++i) {
            const unsigned mask = times[i].second;
            std::string macb = "....";
            if (mask & 1u) macb[0] = 'm';
            if (mask & 2u) macb[1] = 'a';
            if (mask & 4u) macb[2] = 'c';
            if (mask & 8u) macb[3] = 'b';
            events.push_back(TimelineEvent{times[i].first, std::move(macb), &r});
        }
    }
    // Labels once per record, not once per comparison.
    std::vector<std::string> labels;
    labels.reserve(records.size());
    for (const TimelineRecord& r : records) labels.push_back(r.label());
    auto label_of = [&](const TimelineEvent& ev) -> const std::string& {
        return labels[static_cast<size_t>(ev.record - records.data())];
    };
    std::sort(events.begin(), events.end(), [&](const TimelineEvent& a, const TimelineEvent& b) {
        return std::forward_as_tuple(a.time, label_of(a), a.record->entry.partition,
                                     a.record->entry.inode, a.macb) <
               std::forward_as_tuple(b.time, label_of(b), b.record->entry.partition,
                                     b.record->entry.inode, b.macb);
    });
    return events;
}

std::string timeline_csv_header() {
    return "time,macb,partition,inode,type,size,allocated,mode,uid,gid,path,path_hex";
}

std::string timeline_csv_row(const TimelineEvent& event, const std::string& zone) {
    const Entry& e = event.record->entry;
    return iso_in_zone(event.time, zone) + "," + event.macb + "," + std::to_string(e.partition) +
           "," + csv_field(e.inode) + "," + csv_field(e.type) + "," + std::to_string(e.size) + "," +
           (e.allocated ? "true" : "false") + "," + csv_field(e.mode_string) + "," +
           std::to_string(e.uid) + "," + std::to_string(e.gid) + "," + path_fields(*event.record);
}

nlohmann::ordered_json timeline_event_json(const TimelineEvent& event, const std::string& zone) {
    const Entry& e = event.record->entry;
    nlohmann::ordered_json j{{"time", iso_in_zone(event.time, zone)},
                             {"macb", event.macb},
                             {"partition", e.partition},
                             {"inode", e.inode},
                             {"type", e.type},
                             {"size", e.size},
                             {"allocated", e.allocated},
                             {"mode", e.mode_string},
                             {"uid", e.uid},
                             {"gid", e.gid}};
    common::set_text(j, "path", event.record->label());  // + path_hex when not UTF-8
    if (e.fat_zone) j["fat_zone"] = *e.fat_zone;  // FAT: the zone its local times were read in
    return j;
}

void write_timeline(std::ostream& out, std::span<const TimelineEvent> events, TimelineFormat format,
                    const std::string& zone) {
    check_time_zone(zone);
    if (format == TimelineFormat::l2tcsv)
        throw Error("timeline: l2tcsv is written by write_timeline_rows");
    if (format == TimelineFormat::csv) out << timeline_csv_header() << "\n";
    for (const TimelineEvent& ev : events) {
        if (format == TimelineFormat::csv) {
            out << timeline_csv_row(ev, zone) << "\n";
        } else {
            out << timeline_event_json(ev, zone).dump() << "\n";  // valid UTF-8: set_text
        }
    }
}

}  // namespace dflab::engine
