// Prefetch files from the published format (libyal's "Windows Prefetch File (PF) format", format
// version 30, file information variant 1). See prefetch.hpp.
#include "images/prefetch.hpp"

#include <algorithm>
#include <cstdio>
#include <functional>
#include <set>
#include <span>

#include "common/utf16.hpp"
#include "common/windows_time.hpp"
#include "engine/error.hpp"

namespace dflab::images {

using engine::Error;

namespace {

constexpr uint32_t kFormatVersion = 30;
constexpr size_t kHeaderSize = 84;
constexpr size_t kFileInformationSize = 220;                             // version 30, variant 1
constexpr uint32_t kMetricsOffset = kHeaderSize + kFileInformationSize;  // 0x130: variant 1
constexpr size_t kMetricsEntrySize = 32;
constexpr size_t kTraceChainEntrySize = 8;
constexpr size_t kVolumeEntrySize = 96;

// Little-endian values placed at offsets of a growing buffer.
class Bytes {
  public:
    size_t size() const { return bytes_.size(); }
    void pad_to(size_t size) {
        if (bytes_.size() < size) bytes_.resize(size);
    }
    void align(size_t to) { pad_to((bytes_.size() + to - 1) / to * to); }
    void put(size_t at, uint64_t v, int width) {
        pad_to(at + width);
        for (int i = 0; i < width; ++i) bytes_[at + i] = std::byte((v >> (8 * i)) & 0xff);
    }
    void u16(size_t at, uint16_t v) { put(at, v, 2); }
    void u32(size_t at, uint32_t v) { put(at, v, 4); }
    void u64(size_t at, uint64_t v) { put(at, v, 8); }
    void append(std::span<const std::byte> b) { bytes_.insert(bytes_.end(), b.begin(), b.end()); }
    std::vector<std::byte> take() { return std::move(bytes_); }

  private:
    std::vector<std::byte> bytes_;
};

std::vector<std::byte> utf16(const std::string& text, const std::string& what) {
    std::optional<std::vector<std::byte>> units = common::utf8_to_utf16le(text);
    if (!units || text.find('\0') != std::string::npos)
        throw Error("prefetch: " + what + " '" + text + "' is not valid UTF-8 without NUL");
    return *units;
}

std::string upper_ascii(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    return out;
}

// Each folder that holds a file of the list on the volume (its path from the volume's, upper
// case compared), parents before children, in the order first met.
std::vector<std::string> folders_on_volume(const PrefetchSpec& spec) {
    std::vector<std::string> folders;
    std::set<std::string> seen;
    const std::string volume = upper_ascii(spec.volume_path) + "\\";
    for (const std::string& file : spec.files) {
        if (upper_ascii(file).rfind(volume, 0) != 0) continue;
        for (size_t slash = file.find('\\', volume.size()); slash != std::string::npos;
             slash = file.find('\\', slash + 1)) {
            const std::string folder = file.substr(0, slash);
            if (seen.insert(upper_ascii(folder)).second) folders.push_back(folder);
        }
    }
    return folders;
}

// The volume information: one entry, then its device path, file references and folder names.
std::vector<std::byte> volume_information(const PrefetchSpec& spec) {
    Bytes v;
    const std::vector<std::byte> path = utf16(spec.volume_path, "volume path");
    v.pad_to(kVolumeEntrySize);
    const size_t path_offset = v.size();
    v.append(path);
    v.pad_to(v.size() + 2);  // the path's NUL
    v.align(8);
    // File references: version 3, their number, 8 unknown bytes, then one 8-byte reference a
    // file, all 0 ("not set"), as recent Windows 10 versions leave them.
    const size_t references_offset = v.size();
    const uint32_t references = static_cast<uint32_t>(spec.files.size());
    v.u32(references_offset, 3);
    v.u32(references_offset + 4, references);
    v.pad_to(references_offset + 16 + 8 * size_t{references});
    const size_t references_size = v.size() - references_offset;
    // Folder names: a 16-bit count of characters, then the UTF-16 characters and a NUL.
    const size_t folders_offset = v.size();
    const std::vector<std::string> folders = folders_on_volume(spec);
    for (const std::string& folder : folders) {
        const std::vector<std::byte> name = utf16(folder, "folder");
        if (name.size() / 2 > 0xffff) throw Error("prefetch: folder '" + folder + "' is too long");
        v.u16(v.size(), static_cast<uint16_t>(name.size() / 2));
        v.append(name);
        v.pad_to(v.size() + 2);
    }
    v.align(8);
    v.u32(0, static_cast<uint32_t>(path_offset));
    v.u32(4, static_cast<uint32_t>(path.size() / 2));
    v.u64(8, spec.volume_created ? common::unix_to_filetime(spec.volume_created) : 0);
    v.u32(16, spec.volume_serial);
    v.u32(20, static_cast<uint32_t>(references_offset));
    v.u32(24, static_cast<uint32_t>(references_size));
    v.u32(28, static_cast<uint32_t>(folders.empty() ? 0 : folders_offset));
    v.u32(32, static_cast<uint32_t>(folders.size()));
    v.u32(64, static_cast<uint32_t>(folders.size()));  // seen to repeat the number of folders
    return v.take();
}

}  // namespace

uint32_t prefetch_hash(std::string_view device_path) {
    const std::vector<std::byte> units = utf16(upper_ascii(device_path), "executable path");
    uint32_t hash = 314159;  // "SCCA Vista": 37 * hash + byte, modulo 2^32
    for (std::byte b : units) hash = hash * 37 + std::to_integer<uint32_t>(b);
    return hash;
}

std::string prefetch_file_name(const PrefetchSpec& spec) {
    char hash[9];
    std::snprintf(hash, sizeof hash, "%08X", spec.hash);
    return spec.executable + "-" + hash + ".pf";
}

std::vector<std::byte> build_prefetch(const PrefetchSpec& spec) {
    const std::vector<std::byte> executable = utf16(spec.executable, "executable");
    if (executable.empty() || executable.size() / 2 > kMaxPrefetchExecutable)
        throw Error("prefetch: executable '" + spec.executable + "' must be 1 to " +
                    std::to_string(kMaxPrefetchExecutable) + " characters");
    if (spec.last_run.size() > kMaxPrefetchRunTimes)
        throw Error("prefetch: " + std::to_string(spec.last_run.size()) +
                    " last run times given; a prefetch file holds at most 8");
    if (spec.files.empty()) throw Error("prefetch: no files referenced; give at least one");

    Bytes out;
    // The header.
    out.u32(0, kFormatVersion);
    out.put(4, 0x41434353, 4);  // "SCCA"
    out.u32(8, 0x11);           // seen in Windows 10 files
    out.pad_to(16);             // the file size (offset 12) is put at the end
    for (size_t i = 0; i < executable.size(); ++i)
        out.put(16 + i, std::to_integer<uint8_t>(executable[i]), 1);
    out.u32(76, spec.hash);
    out.u32(80, 0);
    out.pad_to(kMetricsOffset);

    // The file name strings, each UTF-16 with a NUL, and the file metrics naming them.
    std::vector<std::byte> strings;
    std::vector<uint32_t> string_offsets;
    for (const std::string& file : spec.files) {
        const std::vector<std::byte> name = utf16(file, "file");
        string_offsets.push_back(static_cast<uint32_t>(strings.size()));
        strings.insert(strings.end(), name.begin(), name.end());
        strings.insert(strings.end(), 2, std::byte{0});
    }
    const auto count = static_cast<uint32_t>(spec.files.size());
    for (uint32_t i = 0; i < count; ++i) {
        const size_t at = kMetricsOffset + i * kMetricsEntrySize;
        out.u32(at, i);      // first trace chain entry
        out.u32(at + 4, 1);  // trace chain entries
        out.u32(at + 8, 0);  // average duration
        out.u32(at + 12, string_offsets[i]);
        const size_t next = i + 1 < count ? string_offsets[i + 1] : strings.size();
        out.u32(at + 16, static_cast<uint32_t>((next - string_offsets[i]) / 2 - 1));
        out.u32(at + 20, 0x2);  // flags, seen for loaded images
        out.u64(at + 24, 0);    // file reference: not set
    }
    const size_t trace_offset = out.size();
    for (uint32_t i = 0; i < count; ++i) {
        const size_t at = trace_offset + i * kTraceChainEntrySize;
        out.u32(at, 1);  // blocks loaded
        out.put(at + 4, 0x02, 1);
        out.put(at + 5, 0x01, 1);
        out.u16(at + 6, 0xffff);
    }
    const size_t strings_offset = out.size();
    out.append(strings);
    out.align(8);
    const size_t volumes_offset = out.size();
    const std::vector<std::byte> volume = volume_information(spec);
    out.append(volume);

    // The file information: where each part is, the run times and the run count.
    constexpr size_t info = kHeaderSize;
    out.u32(info + 0, kMetricsOffset);
    out.u32(info + 4, count);
    out.u32(info + 8, static_cast<uint32_t>(trace_offset));
    out.u32(info + 12, count);
    out.u32(info + 16, static_cast<uint32_t>(strings_offset));
    out.u32(info + 20, static_cast<uint32_t>(strings.size()));
    out.u32(info + 24, static_cast<uint32_t>(volumes_offset));
    out.u32(info + 28, 1);
    out.u32(info + 32, static_cast<uint32_t>(volume.size()));
    std::vector<int64_t> times = spec.last_run;
    std::sort(times.begin(), times.end(), std::greater<>());
    for (size_t i = 0; i < times.size(); ++i)
        out.u64(info + 44 + 8 * i, common::unix_to_filetime(times[i]));
    out.u32(info + 124, spec.run_count);
    out.u32(info + 128, 1);  // seen: 1
    out.u32(info + 132, 3);  // seen: 3
    out.u32(12, static_cast<uint32_t>(out.size()));
    return out.take();
}

}  // namespace dflab::images
