#pragma once
// Rows a SQLite database no longer has but still holds: deleting a row turns its cell into a
// freeblock of its page (SQLite overwrites the cell's first four bytes with the freeblock's next
// pointer and size and leaves the rest, unless secure_delete is on), and a page that empties
// goes to the freelist whole. Read from the file's bytes by the published file format
// (sqlite.org/fileformat2.html): the table b-trees from the schema's root pages, each table leaf
// page's freeblock chain, and the freelist's leaf pages. A freeblock's first cell is rebuilt
// from what survives: its payload-length and rowid varints are gone, so every split of the four
// lost bytes is tried, and a reading is kept only when the record's size agrees with the
// payload-length varint's width, its columns with the table's, and it fits the freeblock; a
// rowid-alias column (INTEGER PRIMARY KEY), stored as NULL, may be among the lost bytes. Cells
// behind it in a merged freeblock are whole or were freed before it (then rebuilt the same way);
// cells on free pages are whole (on a freelist trunk, whose first bytes are its list, the rest
// of the page is scanned for them); a cell deleted at the start of its page's cell area is left in
// the page's unallocated gap (SQLite moves the area's start instead of chaining the freeblock)
// and rebuilt there. Bounded: every page once, every chain once, at most 200,000 freed spans
// per file; the analyzer reads no file larger than kMaxAndroidDatabaseBytes.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace dflab::engine {

struct FreeRecord {
    std::string table;             // the table whose page it lies on; "" when not known
    uint32_t page = 0;             // 1-based page number
    uint32_t offset = 0;           // where the cell starts in the page (its freeblock's start)
    uint64_t file_offset = 0;      // the same from the start of the file
    std::string where;             // "freeblock", "unallocated" (a page's gap) or "free page"
    std::optional<int64_t> rowid;  // lost with a freeblock's first bytes
    nlohmann::json values;         // column name -> value (text, integer, real, null; blobs hex)
};

// The free records of the database in `bytes` (modified as UntrustedSqlite does to read a WAL
// database's schema). Throws Error naming `name` when the header or the schema cannot be read.
std::vector<FreeRecord> read_sqlite_free_records(std::span<std::byte> bytes,
                                                 const std::string& name);

}  // namespace dflab::engine
