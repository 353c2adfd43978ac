// Shell link files from the published format ([MS-SHLLINK]; libyal's "Windows Shortcut File (LNK)
// format"). See shell_link.hpp.
#include "images/shell_link.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <initializer_list>
#include <optional>
#include <span>
#include <string_view>

#include "common/utf16.hpp"
#include "common/windows_time.hpp"
#include "engine/error.hpp"

namespace dflab::images {

using engine::Error;

namespace {

// LinkFlags ([MS-SHLLINK] 2.1.1).
constexpr uint32_t kHasLinkInfo = 0x2, kHasRelativePath = 0x8, kHasWorkingDir = 0x10,
                   kHasArguments = 0x20, kIsUnicode = 0x80;
constexpr uint32_t kHeaderSize = 0x4C;
constexpr std::array<uint8_t, 16> kLinkClsid = {0x01, 0x14, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00,
                                                0xC0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46};
constexpr uint32_t kTrackerSignature = 0xA0000003;
// 100-nanosecond intervals from the UUID epoch (1582-10-15) to the FILETIME one (1601-01-01).
constexpr uint64_t kUuidToFiletime = 5748192000000000ULL;

class Writer {
  public:
    void u16(uint16_t v) {
        for (int i = 0; i < 2; ++i) bytes_.push_back(std::byte((v >> (8 * i)) & 0xff));
    }
    void u32(uint32_t v) {
        for (int i = 0; i < 4; ++i) bytes_.push_back(std::byte((v >> (8 * i)) & 0xff));
    }
    void u64(uint64_t v) {
        for (int i = 0; i < 8; ++i) bytes_.push_back(std::byte((v >> (8 * i)) & 0xff));
    }
    void raw(std::span<const std::byte> b) { bytes_.insert(bytes_.end(), b.begin(), b.end()); }
    void raw(std::span<const uint8_t> b) {
        for (uint8_t c : b) bytes_.push_back(std::byte(c));
    }
    void text(const std::string& s) {  // ANSI, NUL-terminated
        for (char c : s) bytes_.push_back(std::byte(static_cast<uint8_t>(c)));
        bytes_.push_back(std::byte{0});
    }
    size_t size() const { return bytes_.size(); }
    void put_u32(size_t at, uint32_t v) {
        for (int i = 0; i < 4; ++i) bytes_[at + i] = std::byte((v >> (8 * i)) & 0xff);
    }
    std::vector<std::byte> take() { return std::move(bytes_); }

  private:
    std::vector<std::byte> bytes_;
};

std::vector<std::byte> utf16le(const std::string& utf8, const char* field) {
    std::optional<std::vector<std::byte>> units = common::utf8_to_utf16le(utf8);
    if (!units) throw Error(std::string("shell link: ") + field + " is not valid UTF-8");
    return *units;
}

bool is_ascii(const std::string& s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return static_cast<uint8_t>(c) < 0x80; });
}

// The ANSI form Windows writes beside the Unicode one: characters outside ASCII become '?' (the
// code page is not known here), one for each UTF-16 unit.
std::string ansi(const std::string& utf8, const char* field) {
    const std::vector<std::byte> units = utf16le(utf8, field);
    std::string out;
    for (size_t i = 0; i + 1 < units.size(); i += 2) {
        const unsigned u =
            std::to_integer<unsigned>(units[i]) | std::to_integer<unsigned>(units[i + 1]) << 8;
        out.push_back(u < 0x80 ? static_cast<char>(u) : '?');
    }
    return out;
}

std::array<uint8_t, 32> sha256(const std::string& input) {
    std::array<uint8_t, 32> digest{};
    unsigned int length = 0;
    if (EVP_Digest(input.data(), input.size(), digest.data(), &length, EVP_sha256(), nullptr) !=
            1 ||
        length != digest.size())
        throw Error("shell link: SHA-256 failed (OpenSSL)");
    return digest;
}

std::string tag(std::string_view domain, std::initializer_list<std::string_view> parts) {
    std::string s = "dflab-lnk-v1:";
    s.append(domain);
    for (std::string_view p : parts) {
        s.push_back('\0');
        s.append(p);
    }
    return s;
}

// The NTFS object identifier of the target's volume: a random-looking (version 4) GUID, here
// derived from the volume's serial number and label.
std::array<uint8_t, 16> volume_droid(const ShellLinkSpec& spec) {
    const auto d = sha256(tag("volume", {std::to_string(spec.volume_serial), spec.volume_label}));
    std::array<uint8_t, 16> g{};
    std::copy_n(d.begin(), 16, g.begin());
    g[7] = static_cast<uint8_t>((g[7] & 0x0f) | 0x40);  // Data3's high nibble: version 4
    g[8] = static_cast<uint8_t>((g[8] & 0x3f) | 0x80);  // RFC 4122 variant
    return g;
}

// The target's object identifier as Windows makes it: a time-based (version 1) UUID, at the
// target's creation time, with a clock sequence and a node (the MAC address) derived from the
// target path and the machine's name.
std::array<uint8_t, 16> file_droid(const ShellLinkSpec& spec) {
    const uint64_t t =
        common::unix_to_filetime(std::max<int64_t>(spec.created, 0)) + kUuidToFiletime;
    const auto sequence = sha256(tag("sequence", {spec.target, spec.machine_id}));
    const auto node = sha256(tag("node", {spec.machine_id}));
    std::array<uint8_t, 16> g{};
    const uint32_t time_low = static_cast<uint32_t>(t);
    const uint16_t time_mid = static_cast<uint16_t>(t >> 32);
    const uint16_t time_high = static_cast<uint16_t>(((t >> 48) & 0x0fff) | 0x1000);
    for (int i = 0; i < 4; ++i) g[i] = static_cast<uint8_t>(time_low >> (8 * i));
    for (int i = 0; i < 2; ++i) g[4 + i] = static_cast<uint8_t>(time_mid >> (8 * i));
    for (int i = 0; i < 2; ++i) g[6 + i] = static_cast<uint8_t>(time_high >> (8 * i));
    g[8] = static_cast<uint8_t>((sequence[0] & 0x3f) | 0x80);
    g[9] = sequence[1];
    std::copy_n(node.begin(), 6, g.begin() + 10);
    g[10] = static_cast<uint8_t>(g[10] & 0xfe);  // a unicast address, as a network card's is
    return g;
}

void data_string(Writer& w, const std::string& utf8, const char* field) {
    const std::vector<std::byte> units = utf16le(utf8, field);
    if (units.size() / 2 > kMaxShellLinkString)
        throw Error(std::string("shell link: ") + field + " has " +
                    std::to_string(units.size() / 2) + " UTF-16 characters, more than " +
                    std::to_string(kMaxShellLinkString));
    w.u16(static_cast<uint16_t>(units.size() / 2));
    w.raw(units);
}

// VolumeID ([MS-SHLLINK] 2.3.1): the label as ANSI, and as Unicode too when it is not ASCII.
void volume_id(Writer& w, const ShellLinkSpec& spec) {
    const size_t start = w.size();
    const bool unicode = !is_ascii(spec.volume_label);
    w.u32(0);  // size, set below
    w.u32(static_cast<uint32_t>(spec.drive));
    w.u32(spec.volume_serial);
    w.u32(unicode ? 0x14 : 0x10);  // VolumeLabelOffset
    if (unicode) w.u32(0x14);      // VolumeLabelOffsetUnicode: the ANSI label is then ignored
    if (!unicode) w.text(spec.volume_label);
    if (unicode) {
        w.raw(utf16le(spec.volume_label, "volume label"));
        w.u16(0);
    }
    w.put_u32(start, static_cast<uint32_t>(w.size() - start));
}

// LinkInfo ([MS-SHLLINK] 2.3): the volume and the local base path, with an empty common path
// suffix; the Unicode offsets (header size 0x24) only when the path is not ASCII.
void link_info(Writer& w, const ShellLinkSpec& spec) {
    const size_t start = w.size();
    const bool unicode = !is_ascii(spec.target);
    const uint32_t header = unicode ? 0x24 : 0x1C;
    w.u32(0);  // LinkInfoSize, set below
    w.u32(header);
    w.u32(0x1);  // VolumeIDAndLocalBasePath
    const size_t offsets = w.size();
    for (uint32_t i = 0; i < (header - 12) / 4; ++i) w.u32(0);
    auto offset_here = [&](size_t slot) {
        w.put_u32(offsets + 4 * slot, static_cast<uint32_t>(w.size() - start));
    };
    offset_here(0);  // VolumeIDOffset
    volume_id(w, spec);
    offset_here(1);  // LocalBasePathOffset
    w.text(ansi(spec.target, "target"));
    // slot 2, CommonNetworkRelativeLinkOffset, stays 0: no network share information
    offset_here(3);  // CommonPathSuffixOffset
    w.text("");
    if (unicode) {
        offset_here(4);  // LocalBasePathOffsetUnicode
        w.raw(utf16le(spec.target, "target"));
        w.u16(0);
        offset_here(5);  // CommonPathSuffixOffsetUnicode
        w.u16(0);
    }
    w.put_u32(start, static_cast<uint32_t>(w.size() - start));
}

// TrackerDataBlock ([MS-SHLLINK] 2.5.10): the machine's NetBIOS name and the droids; the birth
// droids are the current ones (the target has not moved).
void tracker_block(Writer& w, const ShellLinkSpec& spec) {
    w.u32(0x60);
    w.u32(kTrackerSignature);
    w.u32(0x58);
    w.u32(0);  // version
    std::array<uint8_t, 16> machine{};
    std::copy(spec.machine_id.begin(), spec.machine_id.end(), machine.begin());
    w.raw(machine);
    const auto volume = volume_droid(spec);
    const auto file = file_droid(spec);
    w.raw(volume);
    w.raw(file);
    w.raw(volume);
    w.raw(file);
}

}  // namespace

std::vector<std::byte> build_shell_link(const ShellLinkSpec& spec) {
    if (spec.target.empty()) throw Error("shell link: the target path is empty");
    if (spec.machine_id.size() > 15 || !is_ascii(spec.machine_id) ||
        spec.machine_id.find('\0') != std::string::npos)
        throw Error("shell link: machine id '" + spec.machine_id +
                    "' must be at most 15 ASCII characters (a NetBIOS name)");
    uint32_t flags = kHasLinkInfo | kIsUnicode;
    if (!spec.relative_path.empty()) flags |= kHasRelativePath;
    if (!spec.working_directory.empty()) flags |= kHasWorkingDir;
    if (!spec.arguments.empty()) flags |= kHasArguments;

    Writer w;
    w.u32(kHeaderSize);
    w.raw(kLinkClsid);
    w.u32(flags);
    w.u32(spec.attributes);
    w.u64(common::unix_to_filetime(spec.created));
    w.u64(common::unix_to_filetime(spec.accessed));
    w.u64(common::unix_to_filetime(spec.modified));
    w.u32(spec.file_size);
    w.u32(0);  // icon index
    w.u32(1);  // SW_SHOWNORMAL
    w.u16(0);  // no hot key
    w.u16(0);  // reserved
    w.u32(0);
    w.u32(0);

    link_info(w, spec);
    if (flags & kHasRelativePath) data_string(w, spec.relative_path, "relative path");
    if (flags & kHasWorkingDir) data_string(w, spec.working_directory, "working directory");
    if (flags & kHasArguments) data_string(w, spec.arguments, "arguments");
    if (!spec.machine_id.empty()) tracker_block(w, spec);
    w.u32(0);  // TerminalBlock
    return w.take();
}

}  // namespace dflab::images
