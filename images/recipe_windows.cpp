// Generated Windows files in a recipe (internal): a registry hive's root, file name and keys, a
// shell link's target, volume, times and strings, and a prefetch file's program, runs, files and
// volume, each checked at its YAML line.
#include <algorithm>
#include <cctype>
#include <charconv>
#include <climits>
#include <cstdint>
#include <set>

#include "common/utf16.hpp"
#include "engine/error.hpp"
#include "images/prefetch.hpp"
#include "images/recipe_contents.hpp"
#include "images/recipe_parser.hpp"
#include "images/recipe_text.hpp"
#include "images/recipe_values.hpp"
#include "images/shell_link.hpp"

namespace dflab::images::recipe_detail {

namespace {

std::vector<std::byte> hex_bytes(const Context& ctx, const Field& f) {
    std::string text = scalar(ctx, f, "hex digits, e.g. 0a0b0c");
    text.erase(std::remove_if(text.begin(), text.end(),
                              [](char c) { return c == ' ' || c == '\n' || c == ':'; }),
               text.end());
    if (!text.empty() && (!is_hex(text) || text.size() % 2 != 0))
        ctx.fail(f.mark, "'hex' must be pairs of hex digits (spaces and ':' allowed), not " +
                             quote(text) + "; fix the value");
    std::vector<std::byte> out;
    for (size_t i = 0; i < text.size(); i += 2)
        out.push_back(static_cast<std::byte>(std::stoi(text.substr(i, 2), nullptr, 16)));
    return out;
}

// A whole number from `min` to `max` where max may exceed int64's range (REG_QWORD).
uint64_t registry_number(const Context& ctx, const Field& f, int64_t min, uint64_t max) {
    const std::string text = trim(scalar(ctx, f, "a whole number"));
    if (auto v = parse_int<int64_t>(text); v && *v >= min && (*v < 0 || uint64_t(*v) <= max))
        return static_cast<uint64_t>(*v);
    if (auto v = parse_int<uint64_t>(text); v && *v <= max) return *v;
    ctx.fail(f.mark, "'value' must be a whole number from " + std::to_string(min) + " to " +
                         std::to_string(max) + ", not " + quote(text) + "; fix the value");
}

// A value type given as a whole number, decimal or 0x hexadecimal, from 0 to 0xFFFFFFFF.
std::optional<uint32_t> raw_value_type(const std::string& text) {
    const bool hex = text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X');
    const std::string digits = hex ? text.substr(2) : text;
    if (digits.empty()) return std::nullopt;
    uint32_t v = 0;
    const auto [end, ec] =
        std::from_chars(digits.data(), digits.data() + digits.size(), v, hex ? 16 : 10);
    if (ec != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
    return v;
}

HiveValue parse_registry_value(const Context& ctx, const Field& item) {
    MapReader m(ctx, item.node, item.mark, "registry value", {"name", "type", "value", "hex"});
    std::string name;
    if (const Field* nf = m.find("name")) {
        name = text_value(ctx, *nf);
        if (common::utf16_units(name) > 16383 || name.find('\0') != std::string::npos)
            ctx.fail(nf->mark, "value name " + quote(name) +
                                   " must be at most 16383 characters without NUL; shorten it");
    }
    Field tf = m.need("type", "one of string, expand_string, multi_string, dword, qword, binary");
    if (const auto number = raw_value_type(text_value(ctx, tf))) {
        // A type by its number (the SAM keeps an account's RID as the type of Names\NAME's
        // default value): the data as bytes, none when `hex` is left out.
        m.only({"name", "type", "hex"}, "registry value (type " + std::to_string(*number) + ")");
        HiveValue v{name, static_cast<HiveValue::Type>(*number), {}};
        if (const Field* hf = m.find("hex")) v.data = hex_bytes(ctx, *hf);
        if (v.data.size() > kMaxHiveValueData)
            ctx.fail(tf.mark, "the value holds " + std::to_string(v.data.size()) +
                                  " bytes; at most " + std::to_string(kMaxHiveValueData) +
                                  " fit in one registry value");
        return v;
    }
    const std::string type = keyword_value(ctx, tf, "a registry value type");
    const bool binary = type == "binary";
    m.only({"name", "type", binary ? "hex" : "value"}, "registry value (" + type + ")");
    Field vf = m.need(binary ? "hex" : "value",
                      binary ? "give the bytes, e.g. hex: 0a0b0c" : "give the value's data");
    HiveValue v;
    try {
        if (type == "string" || type == "expand_string") {
            const std::string text = text_value(ctx, vf);
            v = type == "string" ? HiveValue::string(name, text)
                                 : HiveValue::expand_string(name, text);
        } else if (type == "multi_string") {
            const YAML::Node& list = list_value(ctx, vf, "a list of strings, e.g. [a, b]");
            std::vector<std::string> texts;
            for (size_t i = 0; i < list.size(); ++i)
                texts.push_back(text_value(ctx, item_field(ctx, vf, i)));
            v = HiveValue::multi_string(name, texts);
        } else if (type == "dword") {
            v = HiveValue::dword(
                name, static_cast<uint32_t>(registry_number(ctx, vf, INT32_MIN, UINT32_MAX)));
        } else if (type == "qword") {
            v = HiveValue::qword(name, registry_number(ctx, vf, INT64_MIN, UINT64_MAX));
        } else if (binary) {
            v = HiveValue::binary(name, hex_bytes(ctx, vf));
        } else {
            ctx.fail(tf.mark, "registry value type " + quote(type) +
                                  " is unknown; use string, expand_string, multi_string, dword, "
                                  "qword or binary");
        }
    } catch (const engine::Error& e) {
        ctx.fail(vf.mark, std::string(e.what()) + "; fix the value");
    }
    if (v.data.size() > kMaxHiveValueData)
        ctx.fail(vf.mark, "the value holds " + std::to_string(v.data.size()) + " bytes; at most " +
                              std::to_string(kMaxHiveValueData) + " fit in one registry value");
    return v;
}

}  // namespace

void parse_registry_keys(const Context& ctx, const MapReader& g, GeneratedContent& out) {
    if (const Field* rf = g.find("root")) {
        const std::string root = text_value(ctx, *rf);
        if (root.empty() || root.size() > 255 || !std::all_of(root.begin(), root.end(), [](char c) {
                return c > ' ' && c < 0x7f && c != '\\';
            }))
            ctx.fail(rf->mark, "root key name " + quote(root) +
                                   " must be 1 to 255 ASCII letters, digits or signs without "
                                   "spaces or backslashes, e.g. ROOT");
        out.options["root"] = root;
    }
    if (const Field* ff = g.find("file_name")) out.options["file_name"] = text_value(ctx, *ff);
    const Field* kf = g.find("keys");
    if (!kf) return;
    const YAML::Node& list = list_value(ctx, *kf, "a list of {path, time, values}");
    std::set<std::string> paths;  // folded as the registry compares names
    for (size_t i = 0; i < list.size(); ++i) {
        Field item = item_field(ctx, *kf, i);
        MapReader m(ctx, item.node, item.mark, "registry key " + std::to_string(i + 1),
                    {"path", "time", "values"});
        Field pf = m.need("path", "give the key's path below the root, e.g. Software\\Example");
        RegistryKeyContent key;
        key.key.path = text_value(ctx, pf);
        const std::string& path = key.key.path;
        for (size_t p = 0, q; p <= path.size(); p = q + 1) {
            q = std::min(path.find('\\', p), path.size());
            const std::string part = path.substr(p, q - p);
            if (part.empty() && !path.empty())
                ctx.fail(pf.mark, "key path " + quote(path) +
                                      " has an empty name (two backslashes together or one at an "
                                      "end); remove it");
            if (common::utf16_units(part) > 255 || part.find('\0') != std::string::npos)
                ctx.fail(pf.mark, "key name " + quote(part) +
                                      " must be at most 255 characters without NUL; shorten it");
        }
        if (!paths.insert(lower(path)).second)
            ctx.fail(pf.mark, "key " + quote(path) + " is listed twice; merge the two");
        if (const Field* tf = m.find("time")) {
            key.key.last_write = time_value(ctx, *tf);
            key.has_time = true;
        }
        if (const Field* vf = m.find("values")) {
            const YAML::Node& values = list_value(ctx, *vf, "a list of {name, type, value}");
            std::set<std::string> names;
            for (size_t j = 0; j < values.size(); ++j) {
                Field value_item = item_field(ctx, *vf, j);
                HiveValue v = parse_registry_value(ctx, value_item);
                if (!names.insert(lower(v.name)).second)
                    ctx.fail(value_item.mark, "value " + quote(v.name) + " of key " + quote(path) +
                                                  " is listed twice; keep one");
                key.key.values.push_back(std::move(v));
            }
        }
        out.registry_keys.push_back(std::move(key));
    }
}

namespace {

// A volume serial number: 0x1A2B3C4D, 1A2B-3C4D (as `vol` prints it) or a decimal number.
uint32_t volume_serial(const Context& ctx, const Field& f) {
    const std::string text = trim(scalar(ctx, f, "a volume serial number"));
    std::optional<uint64_t> v;
    std::string digits;
    if (text.size() > 2 && (text[1] == 'x' || text[1] == 'X') && text[0] == '0')
        digits = text.substr(2);
    else if (text.size() == 9 && text[4] == '-')
        digits = text.substr(0, 4) + text.substr(5);
    if (!digits.empty() && digits.size() <= 8 && is_hex(digits))
        v = std::stoull(digits, nullptr, 16);
    else if (digits.empty())
        v = parse_int<uint64_t>(text);
    if (!v || *v > UINT32_MAX)
        ctx.fail(f.mark,
                 "'serial' must be a 32-bit volume serial number such as 0x1A2B3C4D or "
                 "1A2B-3C4D, not " +
                     quote(text) + "; fix the value");
    return static_cast<uint32_t>(*v);
}

// A link string: valid UTF-8 without NUL, at most `most` UTF-16 units.
std::string link_text(const Context& ctx, const Field& f, size_t most) {
    std::string s = text_value(ctx, f);
    if (s.find('\0') != std::string::npos || common::utf16_units(s) > most)
        ctx.fail(f.mark, "'" + f.key + "' must be at most " + std::to_string(most) +
                             " characters without NUL; shorten it");
    return s;
}

}  // namespace

void parse_shell_link(const Context& ctx, const MapReader& g, GeneratedContent& out) {
    ShellLinkSpec& spec = out.shell_link.spec;
    Field tf = g.need("target", "give the target's path, e.g. target: 'E:\\customers.xlsx'");
    spec.target = link_text(ctx, tf, 32767);
    const std::string& t = spec.target;
    if (t.size() < 3 || !std::isalpha(static_cast<unsigned char>(t[0])) || t[1] != ':' ||
        t[2] != '\\')
        ctx.fail(tf.mark, "target " + quote(t) +
                              " must be a path on a drive letter, e.g. 'E:\\customers.xlsx' "
                              "(in YAML single quotes, so the backslash stays)");
    if (const Field* df = g.find("drive")) {
        const std::string drive = keyword_value(ctx, *df, "a drive type");
        if (drive == "fixed")
            spec.drive = ShellLinkSpec::Drive::Fixed;
        else if (drive == "removable")
            spec.drive = ShellLinkSpec::Drive::Removable;
        else if (drive == "network")
            spec.drive = ShellLinkSpec::Drive::Network;
        else if (drive == "optical")
            spec.drive = ShellLinkSpec::Drive::Optical;
        else
            ctx.fail(df->mark, "drive type " + quote(drive) +
                                   " is unknown; use fixed, removable, network or optical");
    }
    if (const Field* sf = g.find("serial")) spec.volume_serial = volume_serial(ctx, *sf);
    if (const Field* lf = g.find("label")) spec.volume_label = link_text(ctx, *lf, 32);
    if (const Field* zf = g.find("size")) {
        const uint64_t size = size_value(ctx, *zf);
        if (size > UINT32_MAX)
            ctx.fail(zf->mark, "a shell link stores the target's size in 32 bits; give at most " +
                                   std::to_string(UINT32_MAX) + " bytes");
        spec.file_size = static_cast<uint32_t>(size);
    }
    if (const Field* af = g.find("attributes"))
        spec.attributes = static_cast<uint32_t>(uint_value(ctx, *af, 0, UINT32_MAX));
    struct TimeKey {
        const char* key;
        int64_t& value;
        bool& given;
    };
    ShellLinkContent& link = out.shell_link;
    for (const TimeKey& k : {TimeKey{"created", spec.created, link.has_created},
                             TimeKey{"accessed", spec.accessed, link.has_accessed},
                             TimeKey{"modified", spec.modified, link.has_modified}})
        if (const Field* f = g.find(k.key)) {
            k.value = time_value(ctx, *f);
            k.given = true;
        }
    if (const Field* f = g.find("working_directory"))
        spec.working_directory = link_text(ctx, *f, kMaxShellLinkString);
    if (const Field* f = g.find("arguments"))
        spec.arguments = link_text(ctx, *f, kMaxShellLinkString);
    if (const Field* f = g.find("relative_path"))
        spec.relative_path = link_text(ctx, *f, kMaxShellLinkString);
    if (const Field* mf = g.find("machine")) {
        spec.machine_id = text_value(ctx, *mf);
        const std::string& m = spec.machine_id;
        if (m.empty() || m.size() > 15 ||
            !std::all_of(m.begin(), m.end(), [](char c) { return c > ' ' && c < 0x7f; }))
            ctx.fail(mf->mark, "machine " + quote(m) +
                                   " must be a NetBIOS name: 1 to 15 ASCII letters, digits or "
                                   "signs without spaces, e.g. DESKTOP-7Q2K1M");
    }
}

std::string zone_identifier_text(const Context& ctx, const Field& downloaded_from) {
    MapReader m(ctx, downloaded_from.node, downloaded_from.mark, "downloaded_from",
                {"zone", "referrer", "host"});
    uint64_t zone = 3;  // URLZONE_INTERNET, what a browser writes for a download
    if (const Field* f = m.find("zone")) zone = uint_value(ctx, *f, 0, 4);
    std::string text = "[ZoneTransfer]\r\nZoneId=" + std::to_string(zone) + "\r\n";
    for (auto [key, name] : {std::pair{"referrer", "ReferrerUrl"}, {"host", "HostUrl"}}) {
        const Field* f = m.find(key);
        if (!f) continue;
        const std::string url = trim(text_value(ctx, *f));
        if (url.empty() || url.find_first_of(std::string("\r\n\0", 3)) != std::string::npos)
            ctx.fail(f->mark, std::string(key) + " must be one line of text (a URL); fix it");
        text += std::string(name) + "=" + url + "\r\n";
    }
    return text;
}

}  // namespace dflab::images::recipe_detail

namespace dflab::images::recipe_detail {

namespace {

std::string upper(std::string s) {  // ASCII only, as the prefetch hash folds
    for (char& c : s)
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    return s;
}

}  // namespace

void parse_prefetch(const Context& ctx, const MapReader& g, GeneratedContent& out) {
    PrefetchContent& pf = out.prefetch;
    PrefetchSpec& spec = pf.spec;
    Field ef = g.need("executable",
                      "give the program's device path, e.g. executable: "
                      "'\\DEVICE\\HARDDISKVOLUME2\\USERS\\ALICE\\DOWNLOADS\\SETUP.EXE'");
    const std::string executable = link_text(ctx, ef, 32767);
    const size_t slash = executable.rfind('\\');
    spec.executable = upper(slash == std::string::npos ? executable : executable.substr(slash + 1));
    if (spec.executable.empty() || common::utf16_units(spec.executable) > kMaxPrefetchExecutable)
        ctx.fail(ef.mark, "the executable's name " + quote(spec.executable) +
                              " must be 1 to 29 characters (what a prefetch file holds)");
    if (const Field* hf = g.find("hash")) {
        const std::string hash = trim(scalar(ctx, *hf, "8 hex digits"));
        if (hash.empty() || hash.size() > 8 || !is_hex(hash))
            ctx.fail(hf->mark,
                     "'hash' must be the prefetch hash as 8 hex digits (as in "
                     "SETUP.EXE-1A2B3C4D.pf), not " +
                         quote(hash) + "; fix the value");
        spec.hash = static_cast<uint32_t>(std::stoul(hash, nullptr, 16));
    } else if (slash != std::string::npos) {
        spec.hash = prefetch_hash(executable);
    } else {
        ctx.fail(ef.mark,
                 "give the executable's device path (its prefetch hash is computed from "
                 "it) or a 'hash'");
    }
    if (const Field* lf = g.find("last_run")) {
        const YAML::Node& list = list_value(ctx, *lf, "a list of up to 8 times");
        if (list.size() == 0 || list.size() > kMaxPrefetchRunTimes)
            ctx.fail(lf->mark, "'last_run' must list 1 to 8 times (a prefetch file keeps 8)");
        for (size_t i = 0; i < list.size(); ++i)
            spec.last_run.push_back(time_value(ctx, item_field(ctx, *lf, i)));
        pf.has_last_run = true;
    }
    if (const Field* rf = g.find("run_count")) {
        spec.run_count = static_cast<uint32_t>(uint_value(ctx, *rf, 1, UINT32_MAX));
        if (spec.run_count < std::max<size_t>(spec.last_run.size(), 1))
            ctx.fail(rf->mark, "'run_count' " + std::to_string(spec.run_count) +
                                   " is fewer than the last_run times listed; raise it");
        pf.has_run_count = true;
    }
    Field ff = g.need("files", "list the device paths of the files the program loaded");
    const YAML::Node& files = list_value(ctx, ff, "a list of device paths");
    if (files.size() == 0) ctx.fail(ff.mark, "'files' must list at least one file");
    for (size_t i = 0; i < files.size(); ++i) {
        Field item = item_field(ctx, ff, i);
        spec.files.push_back(link_text(ctx, item, 32767));
        if (spec.files.back().empty()) ctx.fail(item.mark, "a file's path must not be empty");
    }
    Field vf = g.need("volume", "give the volume: {path, serial, created}");
    MapReader v(ctx, vf.node, vf.mark, "volume", {"path", "serial", "created"});
    Field pf_path = v.need("path", "give the volume's device path, e.g. '\\VOLUME{...}'");
    spec.volume_path = link_text(ctx, pf_path, 32767);
    if (spec.volume_path.empty()) ctx.fail(pf_path.mark, "the volume's path must not be empty");
    if (const Field* sf = v.find("serial")) spec.volume_serial = volume_serial(ctx, *sf);
    if (const Field* cf = v.find("created")) {
        spec.volume_created = time_value(ctx, *cf);
        pf.has_volume_created = true;
    }
}

}  // namespace dflab::images::recipe_detail
