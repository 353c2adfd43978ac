// PNG: the 8-byte signature, then chunks (length, type, data, CRC-32 of type and data, checked
// with zlib) from IHDR to IEND.
#include <zlib.h>

#include "engine/carving/validators.hpp"

namespace dflab::engine::carving {

namespace {

constexpr unsigned char kSignature[8] = {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};
constexpr uint32_t kMaxChunk = 0x7FFFFFFF;  // the PNG specification's limit

bool is_letter(std::byte b) {
    const auto c = std::to_integer<unsigned char>(b);
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

}  // namespace

Validation validate_png(std::span<const std::byte> d) {
    if (d.size() < 8 + 25) return need_more();
    for (size_t i = 0; i < 8; ++i)
        if (std::to_integer<unsigned char>(d[i]) != kSignature[i])
            return invalid(i, "no signature");
    size_t pos = 8;
    bool first = true;
    for (;;) {
        if (pos + 12 > d.size()) return need_more();
        const uint32_t length = be32(d, pos);
        if (length > kMaxChunk) return invalid(pos, "chunk length beyond 2^31-1");
        for (size_t i = 4; i < 8; ++i)
            if (!is_letter(d[pos + i])) return invalid(pos + 4, "chunk type is not four letters");
        const std::string type(reinterpret_cast<const char*>(d.data() + pos + 4), 4);
        if (first && (type != "IHDR" || length != 13)) return invalid(pos, "first chunk not IHDR");
        first = false;
        if (pos + 12 + uint64_t{length} > d.size()) return need_more();
        const uLong crc =
            crc32(crc32(0L, Z_NULL, 0), reinterpret_cast<const Bytef*>(d.data() + pos + 4),
                  static_cast<uInt>(length + 4));
        if (crc != be32(d, pos + 8 + length)) return invalid(pos, "CRC mismatch in chunk " + type);
        pos += 12 + length;
        if (type == "IEND") return valid(pos, "signature, chunk CRCs from IHDR to IEND");
    }
}

}  // namespace dflab::engine::carving
