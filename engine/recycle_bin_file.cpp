#include "engine/recycle_bin_file.hpp"

#include "common/utf16.hpp"
#include "common/windows_time.hpp"
#include "engine/error.hpp"

namespace dflab::engine {

namespace {

constexpr size_t kHeaderBytes = 24;            // version, size, deletion time
constexpr size_t kVersion1PathBytes = 520;     // 260 UTF-16 units (MAX_PATH)
constexpr size_t kVersion2PathAt = 28;         // after the 4-byte path length
constexpr uint64_t kLargestPathUnits = 32767;  // Windows' longest path, \\?\ included

uint64_t le(std::span<const std::byte> bytes, size_t at, size_t width) {
    uint64_t v = 0;
    for (size_t i = 0; i < width; ++i) v |= std::to_integer<uint64_t>(bytes[at + i]) << (8 * i);
    return v;
}

// Where the first NUL unit of the UTF-16LE `text` is, or none.
std::optional<size_t> first_nul_unit(std::span<const std::byte> text) {
    for (size_t i = 0; i + 1 < text.size(); i += 2)
        if (text[i] == std::byte{0} && text[i + 1] == std::byte{0}) return i / 2;
    return std::nullopt;
}

}  // namespace

std::optional<uint64_t> recycle_info_version(std::span<const std::byte> head) {
    if (head.size() < 8) return std::nullopt;
    return le(head, 0, 8);
}

RecycleInfo read_recycle_info(std::span<const std::byte> bytes, const std::string& name) {
    auto fail = [&](const std::string& what) -> Error {
        return Error(name + ": not a readable $I file: " + what);
    };
    const std::string size_text = std::to_string(bytes.size()) + " bytes";
    if (bytes.size() < kHeaderBytes)
        throw fail(size_text + ", shorter than the 24-byte header (version, size, deletion time)");
    RecycleInfo info;
    const uint64_t version = le(bytes, 0, 8);
    if (version != 1 && version != 2)
        throw fail("version " + std::to_string(version) + ", not 1 (Vista, 7) or 2 (Windows 10)");
    info.version = static_cast<unsigned>(version);
    info.original_size = le(bytes, 8, 8);
    info.deleted_filetime = le(bytes, 16, 8);
    const std::optional<int64_t> deleted = common::filetime_to_unix_checked(info.deleted_filetime);
    if (!deleted)
        throw fail("the deletion time " + std::to_string(info.deleted_filetime) +
                   " is not a time (0, or past the year 9999)");
    info.deleted = *deleted;

    std::span<const std::byte> path;
    if (version == 1) {
        if (bytes.size() != kHeaderBytes + kVersion1PathBytes)
            throw fail(size_text + "; a version 1 $I file is 544 (24 + a 520-byte path)");
        path = bytes.subspan(kHeaderBytes);
        const std::optional<size_t> nul = first_nul_unit(path);
        if (!nul) throw fail("the path has no NUL in its 260 characters");
        path = path.first(*nul * 2);
    } else {
        if (bytes.size() < kVersion2PathAt)
            throw fail(size_text + ", too short for the path length of version 2 (28)");
        const uint64_t units = le(bytes, kHeaderBytes, 4);
        if (units == 0 || units > kLargestPathUnits)
            throw fail("the path length " + std::to_string(units) +
                       " is not one of a path (1 to 32767 characters with the NUL)");
        const uint64_t expected = kVersion2PathAt + 2 * units;
        if (bytes.size() != expected)
            throw fail(size_text + ", but the path length " + std::to_string(units) + " makes it " +
                       std::to_string(expected));
        path = bytes.subspan(kVersion2PathAt);
        const std::optional<size_t> nul = first_nul_unit(path);
        if (!nul || *nul != units - 1)
            throw fail("the path does not end with its NUL at character " + std::to_string(units) +
                       " (the length says so)");
        path = path.first(*nul * 2);
    }
    if (path.empty()) throw fail("the original path is empty");
    info.original_path = common::utf16le_to_utf8(path);
    return info;
}

}  // namespace dflab::engine
