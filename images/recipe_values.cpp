#include "images/recipe_values.hpp"

#include <date/date.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <utility>
#include <vector>

#include "images/recipe_parser.hpp"
#include "images/recipe_text.hpp"
#include "images/recipe_variables.hpp"

namespace dflab::images {

namespace recipe_detail {

std::optional<uint64_t> size_from_text(const std::string& input, std::string& why) {
    std::string s = trim(input);
    size_t i = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    std::string whole = s.substr(0, i), frac;
    if (i < s.size() && s[i] == '.') {
        size_t j = ++i;
        while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
        frac = s.substr(j, i - j);
        if (frac.empty()) return std::nullopt;
    }
    if (whole.empty()) return std::nullopt;
    std::string unit = lower(trim(s.substr(i)));
    static const std::vector<std::pair<std::string, uint64_t>> units = {
        {"", 1},
        {"b", 1},
        {"kb", 1000},
        {"mb", 1000 * 1000},
        {"gb", 1000ULL * 1000 * 1000},
        {"tb", 1000ULL * 1000 * 1000 * 1000},
        {"kib", kKiB},
        {"mib", kMiB},
        {"gib", kMiB * kKiB},
        {"tib", kMiB * kMiB}};
    auto u = std::find_if(units.begin(), units.end(), [&](auto& p) { return p.first == unit; });
    if (u == units.end()) return std::nullopt;
    if (frac.size() > 9) {
        why = "too many decimals";
        return std::nullopt;
    }
    uint64_t scale = 1, num = 0;
    for (size_t k = 0; k < frac.size(); ++k) scale *= 10;
    auto w = parse_int<uint64_t>(whole);
    uint64_t f = frac.empty() ? 0 : *parse_int<uint64_t>(frac), bytes_scaled = 0;
    if (!w || __builtin_mul_overflow(*w, scale, &num) || __builtin_add_overflow(num, f, &num) ||
        __builtin_mul_overflow(num, u->second, &bytes_scaled)) {
        why = "too large";
        return std::nullopt;
    }
    if (bytes_scaled % scale != 0) {
        why = "not a whole number of bytes";
        return std::nullopt;
    }
    return bytes_scaled / scale;
}

TimeParse time_from_text(const std::string& input, const date::time_zone* zone) {
    TimeParse r;
    std::string s = trim(input);
    auto num = [&](size_t pos, size_t n, int& out) {
        if (pos + n > s.size()) return false;
        out = 0;
        for (size_t k = pos; k < pos + n; ++k) {
            if (s[k] < '0' || s[k] > '9') return false;
            out = out * 10 + (s[k] - '0');
        }
        return true;
    };
    int y, mo, d, h, mi, se;
    if (s.size() < 19 || !num(0, 4, y) || s[4] != '-' || !num(5, 2, mo) || s[7] != '-' ||
        !num(8, 2, d) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || !num(11, 2, h) ||
        s[13] != ':' || !num(14, 2, mi) || s[16] != ':' || !num(17, 2, se))
        return r;
    std::string rest = s.substr(19);
    std::optional<int> offset_minutes;
    if (rest == "Z" || rest == "z") {
        offset_minutes = 0;
    } else if (!rest.empty()) {
        int oh = 0, om = 0;
        if (rest[0] != '+' && rest[0] != '-') return r;
        bool ok = (rest.size() == 6 && rest[3] == ':' && num(20, 2, oh) && num(23, 2, om)) ||
                  (rest.size() == 5 && num(20, 2, oh) && num(22, 2, om)) ||
                  (rest.size() == 3 && num(20, 2, oh));
        if (!ok || oh > 23 || om > 59) return r;
        offset_minutes = (rest[0] == '-' ? -1 : 1) * (oh * 60 + om);
    }
    date::year_month_day ymd{date::year{y}, date::month{static_cast<unsigned>(mo)},
                             date::day{static_cast<unsigned>(d)}};
    if (!ymd.ok() || h > 23 || mi > 59 || se > 59) return r;
    auto local = date::local_days{ymd} + std::chrono::hours{h} + std::chrono::minutes{mi} +
                 std::chrono::seconds{se};
    if (offset_minutes) {
        r.value = (local - std::chrono::minutes{*offset_minutes}).time_since_epoch().count();
        return r;
    }
    date::local_info info = zone->get_info(local);
    if (info.result == date::local_info::nonexistent) {
        r.why = "does not exist in " + zone->name() + " (the clocks skip it)";
    } else if (info.result == date::local_info::ambiguous) {
        r.why = "happens twice in " + zone->name() + " (the clocks go back)";
    } else {
        r.value = (local - info.first.offset).time_since_epoch().count();
    }
    return r;
}

std::string format_time(int64_t t, const date::time_zone* zone, const std::string& format) {
    date::sys_seconds sys{std::chrono::seconds{t}};
    if (!format.empty()) return date::format(format, date::make_zoned(zone, sys));
    auto offset = zone->get_info(sys).offset;
    auto local = date::local_seconds{(sys + offset).time_since_epoch()};
    long minutes = static_cast<long>(offset.count() / 60);
    char buf[32];
    std::snprintf(buf, sizeof buf, "%c%02ld:%02ld", minutes < 0 ? '-' : '+',
                  std::labs(minutes) / 60, std::labs(minutes) % 60);
    return date::format("%Y-%m-%dT%H:%M:%S", local) + buf;
}

uint64_t size_value(const Context& ctx, const Field& f) {
    std::string s = scalar(ctx, f, "a size such as 64MiB");
    std::string why;
    auto v = size_from_text(s, why);
    if (!v)
        ctx.fail(f.mark, "'" + f.key + "' is not a size: " + quote(s) +
                             (why.empty() ? "" : " (" + why + ")") +
                             "; write bytes (4096) or a number with a unit: B, KiB, MiB, GiB, "
                             "TiB (powers of 1024) or KB, MB, GB, TB (powers of 1000)");
    return *v;
}

int64_t time_value(const Context& ctx, const Field& f) {
    std::string s = scalar(ctx, f, "a time such as 2024-03-01T10:00:00");
    TimeParse t = time_from_text(s, ctx.zone);
    if (t.value) return *t.value;
    if (!t.why.empty())
        ctx.fail(f.mark, "'" + f.key + "' " + quote(s) + " " + t.why +
                             "; add an offset such as +05:00 or pick another time");
    ctx.fail(f.mark, "'" + f.key + "' is not a time: " + quote(s) +
                         "; write ISO 8601 like 2024-03-01T10:00:00, optionally with Z or an "
                         "offset such as +05:00 (without one it is read in the recipe's timezone)");
}

namespace {

const std::vector<std::pair<std::string, FileSystemType>>& file_systems() {
    static const std::vector<std::pair<std::string, FileSystemType>> types = {
        {"fat12", FileSystemType::Fat12}, {"fat16", FileSystemType::Fat16},
        {"fat32", FileSystemType::Fat32}, {"ntfs", FileSystemType::Ntfs},
        {"ext2", FileSystemType::Ext2},   {"ext3", FileSystemType::Ext3},
        {"ext4", FileSystemType::Ext4}};
    return types;
}

}  // namespace

const char* file_system_name(FileSystemType t) {
    for (auto& [name, type] : file_systems())
        if (type == t) return name.c_str();
    return "?";
}

std::optional<FileSystemType> file_system_named(const std::string& name) {
    for (auto& [n, type] : file_systems())
        if (n == name) return type;
    return std::nullopt;
}

const std::string& file_system_names() {
    static const std::string names = [] {
        std::vector<std::string> all;
        for (auto& entry : file_systems()) all.push_back(entry.first);
        return join(all);
    }();
    return names;
}

bool is_fat(FileSystemType t) {
    return t == FileSystemType::Fat12 || t == FileSystemType::Fat16 || t == FileSystemType::Fat32;
}

bool is_ext(FileSystemType t) {
    return t == FileSystemType::Ext2 || t == FileSystemType::Ext3 || t == FileSystemType::Ext4;
}

bool has_windows_names(FileSystemType t) {
    return is_fat(t) || t == FileSystemType::Ntfs;
}

std::string fs_path(const Context& ctx, const Field& f, FileSystemType type) {
    std::string p = text_value(ctx, f);
    auto bad = [&](const std::string& why) { ctx.fail(f.mark, "path " + quote(p) + " " + why); };
    if (p.find('\0') != std::string::npos) bad("contains a NUL character; remove it");
    if (p.empty() || p[0] != '/')
        bad("is not absolute; start it with / (the root of the file system)");
    if (p == "/") bad("is the root folder; name a file or folder inside it");
    if (p.back() == '/') bad("ends with /; remove the trailing /");
    bool windows = has_windows_names(type);
    for (size_t b = 1; b <= p.size();) {
        size_t e = std::min(p.find('/', b), p.size());
        std::string part = p.substr(b, e - b);
        if (part.empty()) bad("has an empty name (//); remove the extra /");
        if (part == "." || part == "..")
            bad("contains '" + part + "'; write the path without . and .. parts");
        if (windows) {
            for (unsigned char c : part)
                if (c < 0x20 ||
                    std::string("<>:\"|?*\\").find(static_cast<char>(c)) != std::string::npos)
                    bad("contains " + quote(std::string(1, static_cast<char>(c))) + ", which " +
                        file_system_name(type) + " names cannot hold; rename it");
        }
        if ((windows ? count_chars(part) : part.size()) > 255)
            bad("has a name longer than 255 " + std::string(windows ? "characters" : "bytes") +
                "; shorten it");
        b = e + 1;
    }
    return p;
}

}  // namespace recipe_detail

std::optional<uint64_t> parse_size(const std::string& text) {
    std::string why;
    return recipe_detail::size_from_text(text, why);
}

std::optional<int64_t> parse_time(const std::string& text, const std::string& zone) {
    const date::time_zone* z = nullptr;
    try {
        z = date::locate_zone(zone);
    } catch (const std::exception&) {
        return std::nullopt;
    }
    return recipe_detail::time_from_text(text, z).value;
}

}  // namespace dflab::images
