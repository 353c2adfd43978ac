// SQLite: the 100-byte database header (magic, page size, payload fractions, a page count that
// the header vouches for), then every page: a freelist page (the trunks walked from the header),
// a b-tree page whose header and cell pointers fit in the page (and whose child pages are pages
// of the file), or an overflow page whose next-page number is a
// page of the file; then SQLite's own quick_check over the bytes in memory (read-only). The length
// is page count × page size.
#include <cstring>
#include <string>
#include <vector>

#include "engine/carving/validators.hpp"
#include "engine/untrusted_sqlite.hpp"

namespace dflab::engine::carving {

namespace {

// The pages of the freelist (trunks and leaves), or false when the list points outside the file.
bool freelist_pages(std::span<const std::byte> d, uint32_t page_size, uint32_t pages,
                    std::vector<bool>& free) {
    uint32_t trunk = be32(d, 32);
    for (uint32_t steps = 0; trunk != 0; ++steps) {
        if (trunk > pages || steps > pages || free[trunk]) return false;
        free[trunk] = true;
        const size_t at = size_t{trunk - 1} * page_size;
        const uint32_t leaves = be32(d, at + 4);
        if (leaves > page_size / 4 - 2) return false;
        for (uint32_t i = 0; i < leaves; ++i) {
            const uint32_t leaf = be32(d, at + 8 + 4 * i);
            if (leaf == 0 || leaf > pages) return false;
            free[leaf] = true;
        }
        trunk = be32(d, at);
    }
    return true;
}

// Page `number` (from 1) is a b-tree page with a header that fits, or an overflow page.
bool page_plausible(std::span<const std::byte> d, uint32_t page_size, uint32_t pages,
                    uint32_t number) {
    const size_t start = size_t{number - 1} * page_size;
    const size_t header = number == 1 ? start + 100 : start;
    const uint32_t type = std::to_integer<uint32_t>(d[header]);
    if (type == 0x02 || type == 0x05 || type == 0x0A || type == 0x0D) {
        const size_t header_size = (type == 0x02 || type == 0x05) ? 12 : 8;
        const uint32_t cells = be16(d, header + 3);
        uint32_t content = be16(d, header + 5);
        if (content == 0) content = 65536;
        const size_t pointers_end = header - start + header_size + 2 * size_t{cells};
        if (pointers_end > content || content > page_size) return false;
        const bool interior = header_size == 12;
        if (interior && (be32(d, header + 8) == 0 || be32(d, header + 8) > pages)) return false;
        for (uint32_t i = 0; i < cells; ++i) {
            const uint32_t cell = be16(d, header + header_size + 2 * i);
            if (cell < content || cell + 4 > page_size) return false;
            const uint32_t child = be32(d, start + cell);
            if (interior && (child == 0 || child > pages)) return false;
        }
        return true;
    }
    return number != 1 && be32(d, start) <= pages;  // overflow: the next one, or 0 for the last
}

// SQLite's own PRAGMA quick_check over a copy of the bytes (a WAL-mode header is changed to a
// rollback one in the copy, so the candidate's bytes stay as they were): "" when it says ok.
std::string quick_check(std::span<const std::byte> d) {
    std::vector<std::byte> copy(d.begin(), d.end());
    try {
        return UntrustedSqlite(copy, "carved database").quick_check();
    } catch (const std::exception& e) {
        return e.what();
    }
}

}  // namespace

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
    if (length > kSqliteMaxSize) return invalid(28, "page count × page size beyond the maximum");
    if (length > d.size()) return need_more();
    std::vector<bool> free(size_t{pages} + 1, false);
    if (!freelist_pages(d, page_size, pages, free)) return invalid(32, "freelist outside the file");
    // Auto-vacuum files hold pointer-map pages, which have no header: their pages are not checked.
    const bool pointer_maps = be32(d, 52) != 0;
    for (uint32_t p = 1; p <= pages && !pointer_maps; ++p)
        if (!free[p] && !page_plausible(d, page_size, pages, p))
            return invalid(uint64_t{p - 1} * page_size,
                           "page " + std::to_string(p) + " is neither b-tree, overflow nor free");
    const std::string complaint = quick_check(d.first(static_cast<size_t>(length)));
    if (!complaint.empty()) return invalid(0, "SQLite's quick_check: " + complaint);
    return valid(length,
                 "header, page count × page size, every page b-tree, overflow or free; SQLite's "
                 "quick_check says ok");
}

}  // namespace dflab::engine::carving
