#pragma once
// One structure validator per carved type (one file each: jpeg.cpp, png.cpp, pdf.cpp, zip.cpp,
// sqlite.cpp). A validator reads the bytes from a candidate header on and says whether a whole
// file of its type starts there, and how long it is. docs/carving.md describes each check.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace dflab::engine::carving {

enum class Verdict {
    Valid,     // a whole file: `length` bytes
    Invalid,   // not a file of this type (or a damaged one): `failed_at`, `reason`
    NeedMore,  // the bytes ended before the structure did: give more (up to the type's maximum)
};

struct Validation {
    Verdict verdict = Verdict::Invalid;
    uint64_t length = 0;      // Valid: the file's length
    uint64_t failed_at = 0;   // Invalid: the offset where the structure broke
    uint64_t scan_start = 0;  // JPEG: where the first entropy-coded data began (0: not reached)
    std::string subtype;      // ZIP: docx, xlsx, pptx or ooxml when [Content_Types].xml is there
    std::string reason;       // Invalid: why; Valid: what was checked
};

Validation validate_jpeg(std::span<const std::byte> data);
// The rest of a JPEG from inside entropy-coded data at `from` (the second fragment of a
// bifragmented file): Valid with `length` = the offset just after EOI.
Validation validate_jpeg_scan(std::span<const std::byte> data, uint64_t from);
// libjpeg decodes every scanline with no warning (corrupt data, premature end, extra bytes).
bool jpeg_decodes(std::span<const std::byte> data);

Validation validate_png(std::span<const std::byte> data);
Validation validate_pdf(std::span<const std::byte> data);
Validation validate_zip(std::span<const std::byte> data);
Validation validate_sqlite(std::span<const std::byte> data);
// The largest SQLite file carved (the registry's maximum): a header that claims more is invalid
// at once rather than read up to the maximum.
constexpr uint64_t kSqliteMaxSize = 256ull << 20;

// Big- and little-endian integers at `at` (the caller checks the bounds).
inline uint32_t be16(std::span<const std::byte> d, size_t at) {
    return (std::to_integer<uint32_t>(d[at]) << 8) | std::to_integer<uint32_t>(d[at + 1]);
}
inline uint32_t be32(std::span<const std::byte> d, size_t at) {
    return (be16(d, at) << 16) | be16(d, at + 2);
}
inline uint32_t le16(std::span<const std::byte> d, size_t at) {
    return std::to_integer<uint32_t>(d[at]) | (std::to_integer<uint32_t>(d[at + 1]) << 8);
}
inline uint32_t le32(std::span<const std::byte> d, size_t at) {
    return le16(d, at) | (le16(d, at + 2) << 16);
}

inline Validation invalid(uint64_t at, std::string reason) {
    Validation v;
    v.failed_at = at;
    v.reason = std::move(reason);
    return v;
}
inline Validation need_more() {
    Validation v;
    v.verdict = Verdict::NeedMore;
    return v;
}
inline Validation valid(uint64_t length, std::string what) {
    Validation v;
    v.verdict = Verdict::Valid;
    v.length = length;
    v.reason = std::move(what);
    return v;
}

}  // namespace dflab::engine::carving
