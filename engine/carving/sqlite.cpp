// SQLite: the 100-byte database header (magic, page size, payload fractions, a page count that
// the header vouches for) and page 1's b-tree type; the length is page count × page size.
#include "engine/carving/validators.hpp"

#include <cstring>

namespace dflab::engine::carving {

Validation validate_sqlite(std::span<const std::byte> d) {
    if (d.size() < 108) return need_more();
    if (std::memcmp(d.data(), "SQLite format 3\0", 16) != 0) return invalid(0, "no magic");
    uint32_t page_size = be16(d, 16);
    if (page_size == 1) page_size = 65536;
    if (page_size < 512 || (page_size & (page_size - 1)) != 0)
        return invalid(16, "page size not a power of two from 512 to 65536");
    const auto byte = [&](size_t i) { return std::to_integer<uint32_t>(d[i]); };
    if (byte(18) < 1 || byte(18) > 2 || byte(19) < 1 || byte(19) > 2)
        return invalid(18, "file format versions not 1 or 2");
    if (byte(21) != 64 || byte(22) != 32 || byte(23) != 32)
        return invalid(21, "payload fractions not 64, 32, 32");
    const uint32_t pages = be32(d, 28);
    // The in-header size is valid only when "version-valid-for" equals the change counter.
    if (pages == 0 || be32(d, 92) != be32(d, 24))
        return invalid(28, "page count in the header not valid (older writer)");
    const uint32_t btree = byte(100);
    if (btree != 0x0D && btree != 0x05) return invalid(100, "page 1 is not a table b-tree page");
    const uint64_t length = uint64_t{page_size} * pages;
    if (length > d.size()) return need_more();
    return valid(length, "header, page size, page count × page size");
}

}  // namespace dflab::engine::carving
