// Registry hive files (see registry_hive.hpp). The empty hive follows the published regf format
// (libyal's "Windows NT Registry File (REGF) format"): a 4096-byte base block, then one 4096-byte
// hive bin with the root key's nk cell, the sk cell it points to and one free cell. hivex then adds
// keys and values; new keys copy their parent's timestamp and hivex_commit leaves the base block's
// time alone (it only counts the sequence numbers up, both alike), so the only times in the file
// are the ones patched here afterwards from the spec. hivex's node handles are offsets from the
// start of the file (the base block included), so a key's nk cell is at its handle.
#include "images/registry_hive.hpp"

#include <hivex.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <optional>

#include "common/utf16.hpp"
#include "common/windows_time.hpp"
#include "engine/error.hpp"
#include "images/temp_folder.hpp"

namespace dflab::images {

using engine::Error;

namespace {

constexpr size_t kBaseBlockSize = 4096;
constexpr size_t kHiveBinSize = 4096;
constexpr size_t kHiveBinHeaderSize = 32;
constexpr size_t kNkHeaderSize = 0x50;        // nk cell up to its name, size field included
constexpr size_t kNkTimestampOffset = 8;      // from the start of the nk cell
constexpr size_t kChecksumOffset = 0x1fc;     // XOR-32 of the base block's first 508 bytes
constexpr uint32_t kNoCell = 0xffffffff;      // "no list", "no class name"
constexpr size_t kMaxKeyNameUnits = 255;      // UTF-16 units, Windows' limit
constexpr size_t kMaxValueNameUnits = 16383;  // UTF-16 units, Windows' limit

void put16(std::span<std::byte> out, size_t at, uint16_t v) {
    for (size_t i = 0; i < 2; ++i) out[at + i] = std::byte((v >> (8 * i)) & 0xff);
}
void put32(std::span<std::byte> out, size_t at, uint32_t v) {
    for (size_t i = 0; i < 4; ++i) out[at + i] = std::byte((v >> (8 * i)) & 0xff);
}
void put64(std::span<std::byte> out, size_t at, uint64_t v) {
    for (size_t i = 0; i < 8; ++i) out[at + i] = std::byte((v >> (8 * i)) & 0xff);
}
uint32_t get32(std::span<const std::byte> in, size_t at) {
    uint32_t v = 0;
    for (size_t i = 0; i < 4; ++i) v |= std::to_integer<uint32_t>(in[at + i]) << (8 * i);
    return v;
}

std::u16string checked_utf16(std::string_view utf8, const std::string& what) {
    std::optional<std::u16string> units = common::utf8_to_utf16(utf8);
    if (!units) throw Error("registry hive: " + what + " is not valid UTF-8");
    return *units;
}

void append_utf16(std::vector<std::byte>& out, std::u16string_view units) {
    for (char16_t u : units) {
        out.push_back(std::byte(u & 0xff));
        out.push_back(std::byte(u >> 8));
    }
}

std::string value_label(std::string_view name) {
    return name.empty() ? "the default value" : "value '" + std::string(name) + "'";
}

HiveValue text_value(std::string_view name, std::string_view utf8, HiveValue::Type type) {
    const std::u16string units = checked_utf16(utf8, value_label(name));
    if (units.find(u'\0') != std::u16string::npos)
        throw Error("registry hive: " + value_label(name) + " holds a NUL character");
    HiveValue v{std::string(name), type, {}};
    append_utf16(v.data, units);
    append_utf16(v.data, std::u16string(1, u'\0'));
    return v;
}

uint32_t checksum(std::span<const std::byte> base_block) {
    uint32_t sum = 0;
    for (size_t at = 0; at < kChecksumOffset; at += 4) sum ^= get32(base_block, at);
    return sum;
}

// A self-relative security descriptor: owner BUILTIN\Administrators, group SYSTEM, and a DACL
// that gives SYSTEM and Administrators full control of the key and the keys below it.
std::vector<std::byte> security_descriptor() {
    auto sid = [](std::vector<uint32_t> sub_authorities) {
        std::vector<std::byte> s(8 + 4 * sub_authorities.size());
        s[0] = std::byte{1};  // revision
        s[1] = std::byte(sub_authorities.size());
        s[7] = std::byte{5};  // SECURITY_NT_AUTHORITY (big-endian 48-bit)
        for (size_t i = 0; i < sub_authorities.size(); ++i) put32(s, 8 + 4 * i, sub_authorities[i]);
        return s;
    };
    const std::vector<std::byte> system = sid({18}), administrators = sid({32, 544});
    std::vector<std::byte> dacl(8);
    for (const auto* trustee : {&system, &administrators}) {
        std::vector<std::byte> ace(8);
        ace[0] = std::byte{0};     // ACCESS_ALLOWED_ACE_TYPE
        ace[1] = std::byte{0x02};  // CONTAINER_INHERIT_ACE
        put16(ace, 2, static_cast<uint16_t>(8 + trustee->size()));
        put32(ace, 4, 0x000f003f);  // KEY_ALL_ACCESS
        ace.insert(ace.end(), trustee->begin(), trustee->end());
        dacl.insert(dacl.end(), ace.begin(), ace.end());
    }
    dacl[0] = std::byte{2};  // ACL_REVISION
    put16(dacl, 2, static_cast<uint16_t>(dacl.size()));
    put16(dacl, 4, 2);  // ACE count
    std::vector<std::byte> sd(20);
    sd[0] = std::byte{1};  // revision
    put16(sd, 2, 0x8004);  // SE_SELF_RELATIVE | SE_DACL_PRESENT
    const size_t owner_at = sd.size() + dacl.size();
    const size_t group_at = owner_at + administrators.size();
    put32(sd, 4, static_cast<uint32_t>(owner_at));
    put32(sd, 8, static_cast<uint32_t>(group_at));
    put32(sd, 12, 0);  // no SACL
    put32(sd, 16, 20);
    sd.insert(sd.end(), dacl.begin(), dacl.end());
    sd.insert(sd.end(), administrators.begin(), administrators.end());
    sd.insert(sd.end(), system.begin(), system.end());
    return sd;
}

size_t round_up_8(size_t n) {
    return (n + 7) & ~size_t{7};
}

// The base block and one hive bin: the root key (no subkeys, no values) and its sk cell.
std::vector<std::byte> empty_hive(const HiveSpec& spec, const std::u16string& file_name) {
    const uint64_t written = common::unix_to_filetime(spec.written);
    std::vector<std::byte> hive(kBaseBlockSize + kHiveBinSize);
    std::span<std::byte> base(hive.data(), kBaseBlockSize);
    std::memcpy(base.data(), "regf", 4);
    put32(base, 0x04, 1);  // primary sequence number
    put32(base, 0x08, 1);  // secondary sequence number: equal, the hive is consistent
    put64(base, 0x0c, written);
    put32(base, 0x14, 1);                   // major version
    put32(base, 0x18, 5);                   // minor version
    put32(base, 0x1c, 0);                   // file type: primary file
    put32(base, 0x20, 1);                   // file format: direct memory load
    put32(base, 0x24, kHiveBinHeaderSize);  // root cell offset, from the first hive bin
    put32(base, 0x28, kHiveBinSize);        // hive bins data size
    put32(base, 0x2c, 1);                   // clustering factor
    // The file name's last 32 UTF-16 units, as Windows keeps the end of the path.
    const std::u16string_view tail =
        std::u16string_view(file_name).substr(file_name.size() > 32 ? file_name.size() - 32 : 0);
    for (size_t i = 0; i < tail.size(); ++i) put16(base, 0x30 + 2 * i, tail[i]);

    std::span<std::byte> bin(hive.data() + kBaseBlockSize, kHiveBinSize);
    std::memcpy(bin.data(), "hbin", 4);
    put32(bin, 0x04, 0);  // offset from the first hive bin
    put32(bin, 0x08, kHiveBinSize);
    put64(bin, 0x14, written);  // the first hive bin carries the time too

    const size_t nk_at = kHiveBinHeaderSize;
    const size_t nk_size = round_up_8(kNkHeaderSize + spec.root_name.size());
    const std::vector<std::byte> sd = security_descriptor();
    const size_t sk_at = nk_at + nk_size;
    const size_t sk_size = round_up_8(24 + sd.size());
    const size_t free_at = sk_at + sk_size;

    auto nk = bin.subspan(nk_at, nk_size);
    put32(nk, 0x00, static_cast<uint32_t>(-static_cast<int32_t>(nk_size)));  // used: negative
    std::memcpy(nk.data() + 4, "nk", 2);
    put16(nk, 0x06, 0x0004 | 0x0008 | 0x0020);  // hive entry (root), no delete, ASCII name
    put64(nk, 0x08, written);
    put32(nk, 0x14, kNoCell);  // parent: none
    put32(nk, 0x20, kNoCell);  // subkey list
    put32(nk, 0x24, kNoCell);  // volatile subkey list
    put32(nk, 0x2c, kNoCell);  // value list
    put32(nk, 0x30, static_cast<uint32_t>(sk_at));
    put32(nk, 0x34, kNoCell);  // class name
    put16(nk, 0x4c, static_cast<uint16_t>(spec.root_name.size()));
    std::memcpy(nk.data() + kNkHeaderSize, spec.root_name.data(), spec.root_name.size());

    auto sk = bin.subspan(sk_at, sk_size);
    put32(sk, 0x00, static_cast<uint32_t>(-static_cast<int32_t>(sk_size)));
    std::memcpy(sk.data() + 4, "sk", 2);
    put32(sk, 0x08, static_cast<uint32_t>(sk_at));  // the list of sk cells: itself alone
    put32(sk, 0x0c, static_cast<uint32_t>(sk_at));
    put32(sk, 0x10, 1);  // reference count: the root key
    put32(sk, 0x14, static_cast<uint32_t>(sd.size()));
    std::memcpy(sk.data() + 24, sd.data(), sd.size());

    put32(bin, free_at, static_cast<uint32_t>(kHiveBinSize - free_at));  // free: positive

    put32(base, kChecksumOffset, checksum(base));
    return hive;
}

struct CloseHive {
    void operator()(hive_h* h) const { hivex_close(h); }
};
using HiveHandle = std::unique_ptr<hive_h, CloseHive>;

void write_bytes(const std::filesystem::path& path, std::span<const std::byte> bytes) {
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()),
              static_cast<std::streamsize>(bytes.size()));
    if (!out.flush()) throw Error("registry hive: cannot write " + path.string());
}

std::vector<std::byte> read_bytes(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error("registry hive: cannot read " + path.string());
    std::vector<char> data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad()) throw Error("registry hive: cannot read " + path.string());
    std::vector<std::byte> bytes(data.size());
    std::memcpy(bytes.data(), data.data(), data.size());
    return bytes;
}

// The parts of a key path, each checked; an empty path is the root key.
std::vector<std::string> split_path(const std::string& path) {
    std::vector<std::string> parts;
    if (path.empty()) return parts;
    for (size_t start = 0;;) {
        const size_t end = std::min(path.find('\\', start), path.size());
        std::string part = path.substr(start, end - start);
        if (part.empty())
            throw Error("registry hive: key '" + path +
                        "' has an empty name between backslashes (or one at either end)");
        const std::u16string units = checked_utf16(part, "key '" + path + "'");
        if (units.size() > kMaxKeyNameUnits)
            throw Error("registry hive: key '" + path + "' has a name longer than 255 characters");
        if (units.find(u'\0') != std::u16string::npos)
            throw Error("registry hive: key '" + path + "' holds a NUL character");
        parts.push_back(std::move(part));
        if (end == path.size()) return parts;
        start = end + 1;
    }
}

std::string ascii_lower(std::string s) {
    for (char& c : s)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return s;
}

void check_values(const HiveKey& key) {
    std::map<std::string, bool> names;  // compared as hivex compares them: ASCII case folded
    for (const HiveValue& v : key.values) {
        const std::string where = value_label(v.name) + " of key '" + key.path + "'";
        if (!names.emplace(ascii_lower(v.name), true).second)
            throw Error("registry hive: " + where + " is listed twice");
        const std::u16string units = checked_utf16(v.name, where);
        if (units.size() > kMaxValueNameUnits || units.find(u'\0') != std::u16string::npos)
            throw Error("registry hive: " + where +
                        " has a name longer than 16383 characters or holding NUL");
        if (v.data.size() > kMaxHiveValueData)
            throw Error("registry hive: " + where + " holds " + std::to_string(v.data.size()) +
                        " bytes; at most " + std::to_string(kMaxHiveValueData) + " fit in a value");
    }
}

std::string hivex_error(const std::string& what) {
    return "registry hive: " + what + ": " + std::strerror(errno);
}

// Times before 1601 have no FILETIME; years after 9999 are refused as typing mistakes.
uint64_t filetime_of(int64_t unix_seconds, const std::string& what) {
    constexpr int64_t kLatest = 253402300800;  // 10000-01-01
    if (unix_seconds < -common::kFiletimeEpochOffset || unix_seconds >= kLatest)
        throw Error("registry hive: " + what + " has a time outside the years 1601 to 9999 (" +
                    std::to_string(unix_seconds) + " seconds since 1970)");
    return common::unix_to_filetime(unix_seconds);
}

struct KeyTime {
    uint64_t filetime = 0;
    bool listed = false;  // the spec names this key: its own time, not a child's
};

}  // namespace

HiveValue HiveValue::string(std::string_view name, std::string_view utf8) {
    return text_value(name, utf8, Type::String);
}

HiveValue HiveValue::expand_string(std::string_view name, std::string_view utf8) {
    return text_value(name, utf8, Type::ExpandString);
}

HiveValue HiveValue::multi_string(std::string_view name, std::span<const std::string> utf8) {
    HiveValue v{std::string(name), Type::MultiString, {}};
    for (size_t i = 0; i < utf8.size(); ++i) {
        if (utf8[i].empty())
            throw Error("registry hive: " + value_label(name) + ": string " +
                        std::to_string(i + 1) + " is empty (an empty string ends the list)");
        const HiveValue one = text_value(name, utf8[i], Type::MultiString);
        v.data.insert(v.data.end(), one.data.begin(), one.data.end());
    }
    append_utf16(v.data, std::u16string(1, u'\0'));
    return v;
}

HiveValue HiveValue::dword(std::string_view name, uint32_t value) {
    HiveValue v{std::string(name), Type::Dword, std::vector<std::byte>(4)};
    put32(v.data, 0, value);
    return v;
}

HiveValue HiveValue::qword(std::string_view name, uint64_t value) {
    HiveValue v{std::string(name), Type::Qword, std::vector<std::byte>(8)};
    put64(v.data, 0, value);
    return v;
}

HiveValue HiveValue::binary(std::string_view name, std::span<const std::byte> bytes) {
    return HiveValue{std::string(name), Type::Binary, {bytes.begin(), bytes.end()}};
}

std::vector<std::byte> build_hive(const HiveSpec& spec) {
    const std::string& root = spec.root_name;
    if (root.empty() || root.size() > kMaxKeyNameUnits ||
        !std::all_of(root.begin(), root.end(),
                     [](char c) { return c > ' ' && c < 0x7f && c != '\\'; }))
        throw Error("registry hive: root key name '" + root +
                    "' must be 1 to 255 printable ASCII characters without spaces or backslashes");
    const std::u16string file_name =
        checked_utf16(spec.file_name, "file name '" + spec.file_name + "'");

    TempFolder folder("dflab-hive");
    const auto empty_path = folder.path() / "empty";
    const auto built_path = folder.path() / "built";
    write_bytes(empty_path, empty_hive(spec, file_name));
    HiveHandle hive(hivex_open(empty_path.c_str(), HIVEX_OPEN_WRITE));
    if (!hive) throw Error(hivex_error("hivex cannot open the empty hive"));

    const hive_node_h root_node = hivex_root(hive.get());
    std::map<hive_node_h, KeyTime> times;
    const uint64_t written = filetime_of(spec.written, "the hive's written time");
    times[root_node] = {written, false};
    std::map<std::pair<hive_node_h, std::string>, hive_node_h> children;  // (parent, folded name)

    for (const HiveKey& key : spec.keys) {
        const std::vector<std::string> parts = split_path(key.path);
        check_values(key);
        const uint64_t filetime = filetime_of(key.last_write, "key '" + key.path + "'");
        hive_node_h node = root_node;
        for (const std::string& part : parts) {
            auto [it, made] = children.try_emplace({node, ascii_lower(part)}, 0);
            if (made) {
                it->second = hivex_node_add_child(hive.get(), node, part.c_str());
                if (it->second == 0)
                    throw Error(
                        hivex_error("cannot add key '" + key.path + "' (at '" + part + "')"));
                times[it->second] = {filetime, false};
            }
            node = it->second;
        }
        KeyTime& time = times[node];
        if (time.listed) throw Error("registry hive: key '" + key.path + "' is listed twice");
        time = {filetime, true};
        if (key.values.empty()) continue;
        std::vector<hive_set_value> values;
        values.reserve(key.values.size());
        static char no_data = 0;  // hivex copies `len` bytes: none for empty data, from here
        for (const HiveValue& v : key.values)
            values.push_back(
                {const_cast<char*>(v.name.c_str()), static_cast<hive_type>(v.type), v.data.size(),
                 v.data.empty() ? &no_data
                                : const_cast<char*>(reinterpret_cast<const char*>(v.data.data()))});
        if (hivex_node_set_values(hive.get(), node, values.size(), values.data(), 0) != 0)
            throw Error(hivex_error("cannot set the values of key '" + key.path + "'"));
    }
    if (hivex_commit(hive.get(), built_path.c_str(), 0) != 0)
        throw Error(hivex_error("hivex cannot write the hive"));
    hive.reset();

    std::vector<std::byte> bytes = read_bytes(built_path);
    if (bytes.size() < kBaseBlockSize + kHiveBinSize)
        throw Error("registry hive: hivex wrote " + std::to_string(bytes.size()) + " bytes");
    for (const auto& [node, time] : times) {
        if (node + kNkTimestampOffset + 8 > bytes.size())
            throw Error("registry hive: key cell at " + std::to_string(node) +
                        " is outside the file");
        put64(bytes, node + kNkTimestampOffset, time.filetime);
    }
    std::span<std::byte> base(bytes.data(), kBaseBlockSize);
    put64(base, 0x0c, written);
    // Windows never stores 0 or 0xffffffff as the checksum (libyal's format description).
    uint32_t sum = checksum(base);
    if (sum == 0) sum = 1;
    if (sum == 0xffffffff) sum = 0xfffffffe;
    put32(base, kChecksumOffset, sum);
    return bytes;
}

}  // namespace dflab::images
