#include "images/recipe_disk.hpp"

#include <algorithm>
#include <bit>
#include <set>
#include <string>
#include <vector>

#include <date/tz.h>

#include "images/recipe_text.hpp"
#include "images/recipe_values.hpp"

namespace dflab::images::recipe_detail {

namespace {

// A size that must be a whole, non-zero number of sectors (`subject` is "the disk size", ...).
void check_whole_sectors(const Context& ctx, const SourceMark& mark, const std::string& subject,
                         uint64_t bytes, uint64_t sector_size, const std::string& example) {
    if (bytes == 0 || bytes % sector_size)
        ctx.fail(mark, subject + " " + bytes_text(bytes) + " is not a whole, non-zero number of " +
                           std::to_string(sector_size) + "-byte sectors; round it" + example);
}

std::string label_value(const Context& ctx, const Field& f, FileSystemType type) {
    std::string label = text_value(ctx, f);
    bool ntfs = type == FileSystemType::Ntfs;
    size_t limit = is_fat(type) ? 11 : is_ext(type) ? 16 : 32;
    size_t length = ntfs ? count_chars(label) : label.size();
    if (length > limit)
        ctx.fail(f.mark, "the label " + quote(label) + " is too long for " +
                             file_system_name(type) + " (at most " + std::to_string(limit) +
                             (ntfs ? " characters" : " bytes") + "); shorten it");
    return label;
}

// FAT: 8 hex digits (a dash in the middle allowed); NTFS: 16 hex digits; ext: the UUID.
std::string serial_value(const Context& ctx, const Field& f, FileSystemType type) {
    std::string s = trim(scalar(ctx, f, "a serial number"));
    if (is_fat(type)) {
        std::string hex = s;
        if (hex.size() == 9 && hex[4] == '-') hex.erase(4, 1);
        if (hex.size() != 8 || !is_hex(hex))
            ctx.fail(f.mark, "a FAT volume serial is 8 hex digits (1234ABCD or 1234-ABCD), not " +
                                 quote(s) + "; fix it");
        return hex;
    }
    if (type == FileSystemType::Ntfs) {
        if (s.size() != 16 || !is_hex(s))
            ctx.fail(f.mark, "an NTFS serial is 16 hex digits (0123456789ABCDEF), not " + quote(s) +
                                 "; fix it");
        return s;
    }
    if (!is_guid(s))
        ctx.fail(f.mark,
                 "an ext file system's serial is its UUID, written "
                 "01234567-89ab-cdef-0123-456789abcdef, not " +
                     quote(s) + "; fix it");
    return lower(s);
}

std::string type_code_value(const Context& ctx, const Field& f, PartitionTable table) {
    std::string s = keyword_value(ctx, f, "a type code");
    if (table == PartitionTable::Mbr && (s.size() != 2 || !is_hex(s) || s == "00"))
        ctx.fail(f.mark, "an MBR type code is two hex digits such as 0c or 83 (not 00), not " +
                             quote(s) + "; fix it");
    if (table == PartitionTable::Gpt && !is_guid(s))
        ctx.fail(f.mark,
                 "a GPT type code is a GUID such as "
                 "0fc63daf-8483-4772-8e79-3d69d8477de4, not " +
                     quote(s) + "; fix it");
    return s;
}

PartitionSpec parse_partition(const Context& ctx, const Field& item, size_t index,
                              const DiskSpec& disk, const Layout& layout, uint64_t previous_end,
                              bool last) {
    const uint64_t ss = disk.sector_size;
    MapReader p(ctx, item.node, item.mark, "partition " + std::to_string(index + 1),
                {"id", "filesystem", "start", "size", "label", "serial", "cluster_size", "logical",
                 "delete_entry", "type_code", "timezone"});
    PartitionSpec spec;
    spec.mark = item.mark;
    spec.id = id_value(ctx, p.need("id", "name it, e.g. id: p1 (actions refer to it)"),
                       "a name such as p1", "partition id");
    std::string what = "partition '" + spec.id + "'";

    Field fsf = p.need("filesystem", "one of " + file_system_names());
    std::string fs_text = keyword_value(ctx, fsf, "a file system name");
    auto type = file_system_named(fs_text);
    if (!type)
        ctx.fail(fsf.mark,
                 "unknown file system " + quote(fs_text) + "; use one of " + file_system_names());
    spec.filesystem = *type;

    if (auto f = p.get("logical")) {
        spec.logical = bool_value(ctx, *f);
        if (spec.logical && disk.table != PartitionTable::Mbr)
            ctx.fail(f->mark,
                     "logical partitions exist only inside an MBR's extended partition; "
                     "use table: mbr or remove 'logical'");
    }
    if (disk.table == PartitionTable::None) {
        for (const char* key : {"start", "delete_entry", "type_code"})
            if (const Field* f = p.find(key))
                ctx.fail(f->key_mark, "'" + std::string(key) +
                                          "' needs a partition table, and table: none is a bare "
                                          "file system; remove it or use table: mbr or gpt");
    }

    // Start (sectors). A plain number is sectors; a value with a unit is bytes.
    const Field* start_field = p.find("start");
    uint64_t start = 0;
    const uint64_t align = kMiB / ss;
    if (start_field) {
        std::string s = trim(scalar(ctx, *start_field, "a sector number or a size such as 1MiB"));
        if (auto sectors = parse_int<uint64_t>(s)) {
            start = *sectors;
        } else {
            uint64_t bytes = size_value(ctx, *start_field);
            if (bytes % ss)
                ctx.fail(start_field->mark, what + " starts at byte " + std::to_string(bytes) +
                                                ", not on a sector boundary; use a multiple of " +
                                                std::to_string(ss));
            start = bytes / ss;
        }
    } else if (disk.table != PartitionTable::None) {
        uint64_t from = std::max(previous_end + (spec.logical ? 1 : 0), layout.first_usable);
        start = (from + align - 1) / align * align;
    }
    spec.start = start;

    const Field* size_field = p.find("size");
    uint64_t bytes = 0;
    if (size_field) {
        bytes = size_value(ctx, *size_field);
        check_whole_sectors(ctx, size_field->mark, what + " size", bytes, ss, "");
    } else if (last) {
        if (start >= layout.end_usable)
            ctx.fail(item.mark, what + " starts at sector " + std::to_string(start) +
                                    ", past the end of the disk; make the disk bigger");
        bytes = (layout.end_usable - start) * ss;
    } else {
        ctx.fail(item.mark, what +
                                " needs a size; only the last partition may leave it out (it "
                                "then fills the rest of the disk)");
    }
    spec.size = bytes;
    const SourceMark& where = start_field ? start_field->mark : item.mark;
    uint64_t end = start + bytes / ss;
    uint64_t first_allowed = layout.first_usable + (spec.logical ? 1 : 0);
    if (start < first_allowed)
        ctx.fail(where, what + " starts at sector " + std::to_string(start) +
                            ", inside the partition table's own sectors; start at sector " +
                            std::to_string(first_allowed) + " or later (the default is 1 MiB)");
    if (spec.logical && start_field && start < previous_end + 1)
        ctx.fail(where, what +
                            " is logical and needs one free sector before it for its extended "
                            "boot record; start it at sector " +
                            std::to_string(previous_end + 1) + " or later");
    if (end > layout.end_usable)
        ctx.fail(size_field ? size_field->mark : where,
                 what + " does not fit in the disk: it ends at byte " + std::to_string(end * ss) +
                     " but only " + std::to_string(layout.end_usable * ss) + " bytes" +
                     (disk.table == PartitionTable::Gpt ? " (the rest holds the backup GPT)" : "") +
                     " are usable; make the disk bigger or the partition smaller");
    if (disk.table == PartitionTable::Mbr && (start >> 32 || (bytes / ss) >> 32))
        ctx.fail(where, what + " is beyond what an MBR can address (2^32 sectors); use table: gpt");

    if (auto f = p.get("label")) spec.label = label_value(ctx, *f, spec.filesystem);
    if (auto f = p.get("serial")) spec.serial = serial_value(ctx, *f, spec.filesystem);
    if (auto f = p.get("cluster_size")) {
        uint64_t c = size_value(ctx, *f);
        uint64_t lo = is_ext(spec.filesystem) ? 1024 : ss, hi = 64 * kKiB;
        if (!std::has_single_bit(c) || c < lo || c > hi)
            ctx.fail(f->mark, "cluster_size " + bytes_text(c) + " is not possible for " +
                                  file_system_name(spec.filesystem) + "; use a power of two from " +
                                  std::to_string(lo) + " to " + std::to_string(hi) + " bytes");
        if (c > bytes / 16)
            ctx.fail(f->mark, "cluster_size " + bytes_text(c) + " is too large for " + what +
                                  " of " + bytes_text(bytes) + "; use a smaller cluster size");
        spec.cluster_size = static_cast<uint32_t>(c);
    }
    if (auto f = p.get("delete_entry")) spec.delete_entry = bool_value(ctx, *f);
    if (auto f = p.get("type_code")) spec.type_code = type_code_value(ctx, *f, disk.table);
    if (auto f = p.get("timezone")) {
        if (!is_fat(spec.filesystem))
            ctx.fail(f->key_mark, what + " is " + file_system_name(spec.filesystem) +
                                      ", which stores UTC; 'timezone' applies to FAT partitions "
                                      "only (they store local time); remove it");
        spec.timezone = trim(scalar(ctx, *f, "a time zone name such as Asia/Almaty"));
        try {
            date::locate_zone(spec.timezone);
        } catch (const std::exception&) {
            ctx.fail(f->mark, "unknown time zone " + quote(spec.timezone) +
                                  "; use an IANA name such as Asia/Almaty, Europe/Moscow or UTC");
        }
    } else if (is_fat(spec.filesystem)) {
        spec.timezone = ctx.zone_name;  // the story's zone
    }
    return spec;
}

}  // namespace

DiskSpec parse_disk(const Context& ctx, const Field& section, Layout& layout) {
    MapReader r(ctx, section.node, section.mark, "disk",
                {"size", "sector_size", "table", "partitions"});
    DiskSpec disk;
    if (auto f = r.get("sector_size")) {
        disk.sector_size = static_cast<uint32_t>(uint_value(ctx, *f, 512, 4096));
        if (disk.sector_size != 512 && disk.sector_size != 4096)
            ctx.fail(f->mark, "sector_size must be 512 or 4096; fix the value");
    }
    if (auto f = r.get("table")) {
        std::string t = keyword_value(ctx, *f, "none, mbr or gpt");
        if (t == "none")
            disk.table = PartitionTable::None;
        else if (t == "mbr")
            disk.table = PartitionTable::Mbr;
        else if (t == "gpt")
            disk.table = PartitionTable::Gpt;
        else
            ctx.fail(f->mark, "unknown partition table " + quote(t) + "; use none, mbr or gpt");
    }
    const uint64_t ss = disk.sector_size;
    Field sf = r.need("size", "give the whole disk's size, e.g. size: 64MiB");
    disk.size = size_value(ctx, sf);
    check_whole_sectors(ctx, sf.mark, "the disk size", disk.size, ss, " (e.g. 64MiB)");
    layout.sectors = disk.size / ss;
    const uint64_t gpt_entries = (16384 + ss - 1) / ss;
    layout.first_usable = disk.table == PartitionTable::None  ? 0
                          : disk.table == PartitionTable::Mbr ? 1
                                                              : 2 + gpt_entries;
    layout.end_usable = layout.sectors;
    if (disk.table == PartitionTable::Gpt) {
        if (layout.sectors < 2 * (2 + gpt_entries))
            ctx.fail(sf.mark, "the disk is too small for a GPT; make it at least 1MiB");
        layout.end_usable = layout.sectors - 1 - gpt_entries;
    }
    if (disk.table == PartitionTable::Mbr && layout.sectors >> 32)
        ctx.fail(sf.mark, "an MBR cannot address a disk of " + bytes_text(disk.size) +
                              "; use table: gpt or a smaller disk");

    Field pf = r.need("partitions", "list the partitions (table: none needs exactly one)");
    const YAML::Node& list = list_value(ctx, pf, "a list of partitions");
    if (list.size() == 0) ctx.fail(pf.mark, "the disk needs at least one partition; add one");
    if (disk.table == PartitionTable::None && list.size() != 1)
        ctx.fail(pf.mark,
                 "table: none is a bare file system and takes exactly one partition, not " +
                     std::to_string(list.size()) + "; remove the others or use mbr or gpt");
    if (disk.table == PartitionTable::Gpt && list.size() > 128)
        ctx.fail(pf.mark, "a GPT holds at most 128 partitions; remove some");

    std::set<std::string> ids;
    uint64_t previous_end = 0;
    bool seen_logical = false;
    size_t primaries = 0;
    struct Occupied {
        uint64_t from, to;  // sectors, [from, to), including a logical partition's EBR
        std::string id;
    };
    std::vector<Occupied> occupied;
    for (size_t i = 0; i < list.size(); ++i) {
        Field item = item_field(ctx, pf, i);
        PartitionSpec spec =
            parse_partition(ctx, item, i, disk, layout, previous_end, i + 1 == list.size());
        MapReader again(ctx, item.node, item.mark, "partition", {"*"});
        if (!ids.insert(spec.id).second)
            ctx.fail(again.find("id")->mark, "partition id " + quote(spec.id) +
                                                 " is used twice; give each partition its own id");
        if (spec.logical) {
            seen_logical = true;
        } else {
            if (seen_logical)
                ctx.fail(item.mark, "primary partition '" + spec.id +
                                        "' follows logical ones; list primary partitions first");
            ++primaries;
        }
        uint64_t start = *spec.start, end = start + spec.size / ss;
        Occupied mine{spec.logical ? start - 1 : start, end, spec.id};
        for (auto& other : occupied)
            if (mine.from < other.to && other.from < mine.to) {
                const Field* sfield = again.find("start");
                ctx.fail(sfield ? sfield->mark : item.mark,
                         "partition '" + spec.id + "' (sectors " + std::to_string(start) + " to " +
                             std::to_string(end - 1) + ") overlaps partition '" + other.id +
                             "' (sectors " + std::to_string(other.from) + " to " +
                             std::to_string(other.to - 1) +
                             "); move its start or make one of them smaller");
            }
        occupied.push_back(mine);
        previous_end = end;
        disk.partitions.push_back(std::move(spec));
    }
    if (disk.table == PartitionTable::Mbr && primaries + (seen_logical ? 1 : 0) > 4)
        ctx.fail(pf.mark, "an MBR has 4 entries, and " + std::to_string(primaries) +
                              " primary partitions" +
                              (seen_logical ? " plus the extended one" : "") +
                              " are too many; make some logical or use table: gpt");
    return disk;
}

uint64_t gap_after(const DiskSpec& disk, const Layout& layout, const PartitionSpec& p) {
    const uint64_t ss = disk.sector_size;
    uint64_t end = *p.start + p.size / ss, next = layout.end_usable;
    for (auto& q : disk.partitions) {
        uint64_t q_from = *q.start - (q.logical ? 1 : 0);
        if (q_from >= end) next = std::min(next, q_from);
    }
    return next > end ? (next - end) * ss : 0;
}

}  // namespace dflab::images::recipe_detail
