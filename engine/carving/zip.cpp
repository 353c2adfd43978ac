// ZIP (and the OOXML documents that are ZIPs: DOCX, XLSX, PPTX): local file header at the start,
// then the first end of central directory record whose central directory is consistent: it ends
// where the record begins, holds the record's entry count, and every entry points at a local
// header with the same name, whose data ends before the central directory and, stored or
// deflated, matches its CRC-32 and size (up to 256 MiB inflated an archive). ZIP64 is not carved.
#include <zlib.h>

#include <array>
#include <cstring>
#include <string_view>

#include "engine/carving/validators.hpp"

namespace dflab::engine::carving {

namespace {

constexpr size_t kLocal = 30, kCentral = 46, kEnd = 22;
constexpr uint64_t kInflateBudget = 256ull << 20;  // bytes inflated to check CRCs, per archive

// The CRC-32 of an entry's data after stored (0) or deflate (8) decompression matches the central
// directory's and the size is the declared one. Other methods and encrypted entries are not
// checked; neither are entries once `budget` is spent.
bool data_checks(std::span<const std::byte> data, uint32_t method, uint32_t crc, uint32_t size,
                 uint64_t& budget) {
    if ((method != 0 && method != 8) || size > budget) return true;
    budget -= size;
    const auto* in = reinterpret_cast<const Bytef*>(data.data());
    if (method == 0)
        return data.size() == size && crc32(0L, in, static_cast<uInt>(data.size())) == crc;
    z_stream z{};
    if (inflateInit2(&z, -MAX_WBITS) != Z_OK) return false;
    z.next_in = const_cast<Bytef*>(in);
    z.avail_in = static_cast<uInt>(data.size());
    std::array<Bytef, 65536> out;
    uLong sum = crc32(0L, Z_NULL, 0);
    uint64_t total = 0;
    int status = Z_OK;
    while (status == Z_OK) {
        z.next_out = out.data();
        z.avail_out = out.size();
        status = inflate(&z, Z_NO_FLUSH);
        const size_t produced = out.size() - z.avail_out;
        total += produced;
        sum = crc32(sum, out.data(), static_cast<uInt>(produced));
        if (total > size || (status == Z_BUF_ERROR && z.avail_in == 0)) break;
    }
    inflateEnd(&z);
    return status == Z_STREAM_END && total == size && sum == crc;
}

std::string_view text(std::span<const std::byte> d, size_t at, size_t n) {
    return {reinterpret_cast<const char*>(d.data() + at), n};
}

// The central directory at [offset, end) with `entries` entries: "" when consistent, or why not.
// Sets `subtype` from the entry names.
std::string check_directory(std::span<const std::byte> d, size_t offset, size_t end,
                            uint32_t entries, std::string& subtype) {
    bool content_types = false, word = false, xl = false, ppt = false, first_local = false;
    uint64_t budget = kInflateBudget;
    size_t pos = offset;
    for (uint32_t i = 0; i < entries; ++i) {
        if (pos + kCentral > end || text(d, pos, 4) != std::string_view("PK\1\2", 4))
            return "central directory entry " + std::to_string(i) + " missing";
        const uint32_t compressed = le32(d, pos + 20);
        const size_t name_length = le16(d, pos + 28);
        const size_t extra = le16(d, pos + 30), comment = le16(d, pos + 32);
        const uint32_t local = le32(d, pos + 42);
        if (compressed == 0xFFFFFFFF || local == 0xFFFFFFFF) return "ZIP64 entry";
        if (pos + kCentral + name_length + extra + comment > end)
            return "central directory entry " + std::to_string(i) + " runs past the directory";
        const std::string_view name = text(d, pos + kCentral, name_length);
        if (local + kLocal > offset || text(d, local, 4) != std::string_view("PK\3\4", 4))
            return "entry " + std::string(name) + ": no local header at its offset";
        const size_t local_name = le16(d, local + 26), local_extra = le16(d, local + 28);
        if (local_name != name_length || local + kLocal + local_name > offset ||
            text(d, local + kLocal, local_name) != name)
            return "entry " + std::string(name) + ": local header names another file";
        if (uint64_t{local} + kLocal + local_name + local_extra + compressed > offset)
            return "entry " + std::string(name) + ": data runs into the central directory";
        const uint32_t flags = le16(d, pos + 8), method = le16(d, pos + 10);
        const size_t data_at = local + kLocal + local_name + local_extra;
        if ((flags & 1) == 0 && !data_checks(d.subspan(data_at, compressed), method,
                                             le32(d, pos + 16), le32(d, pos + 24), budget))
            return "entry " + std::string(name) + ": data does not match its CRC-32 or size";
        first_local = first_local || local == 0;
        content_types = content_types || name == "[Content_Types].xml";
        word = word || name.starts_with("word/");
        xl = xl || name.starts_with("xl/");
        ppt = ppt || name.starts_with("ppt/");
        pos += kCentral + name_length + extra + comment;
    }
    if (pos != end) return "central directory size does not match its entries";
    if (!first_local) return "no entry for the first local header";
    if (content_types) subtype = word ? "docx" : xl ? "xlsx" : ppt ? "pptx" : "ooxml";
    return "";
}

}  // namespace

Validation validate_zip(std::span<const std::byte> d) {
    if (d.size() < kLocal + kEnd) return need_more();
    if (text(d, 0, 4) != std::string_view("PK\3\4", 4)) return invalid(0, "no local header");
    std::string last_problem = "no end of central directory record";
    uint64_t last_at = 0;
    const std::string_view all = text(d, 0, d.size());
    for (size_t q = all.find(std::string_view("PK\5\6", 4), kLocal); q != std::string_view::npos;
         q = all.find(std::string_view("PK\5\6", 4), q + 1)) {
        if (q + kEnd > d.size()) break;
        const uint32_t entries_here = le16(d, q + 8), entries = le16(d, q + 10);
        const uint32_t size = le32(d, q + 12), offset = le32(d, q + 16);
        const size_t comment = le16(d, q + 20);
        if (le16(d, q + 4) != 0 || le16(d, q + 6) != 0 || entries_here != entries) {
            last_problem = "multi-disk archive";
            last_at = q;
            continue;
        }
        if (uint64_t{offset} + size != q) {
            last_problem = "central directory does not end at its end record";
            last_at = q;
            continue;  // an archive stored inside this one, or not this archive's record
        }
        if (q + kEnd + comment > d.size()) return need_more();
        Validation v;
        const std::string problem = check_directory(d, offset, q, entries, v.subtype);
        if (!problem.empty()) {
            last_problem = problem;
            last_at = q;
            continue;
        }
        v.verdict = Verdict::Valid;
        v.length = q + kEnd + comment;
        v.reason = "local headers, central directory consistent with its end record";
        return v;
    }
    // An end record was found and none fits: invalid now, not read on to the maximum (an archive
    // stored whole inside this one would end this one's search too early; such nesting is rare).
    if (last_at != 0) return invalid(last_at, last_problem);
    return need_more();
}

}  // namespace dflab::engine::carving
