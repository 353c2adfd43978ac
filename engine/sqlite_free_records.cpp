#include "engine/sqlite_free_records.hpp"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <utility>

#include "common/error.hpp"
#include "common/utf8.hpp"
#include "engine/error.hpp"
#include "engine/sqlite.hpp"
#include "engine/untrusted_sqlite.hpp"

namespace dflab::engine {

namespace {

constexpr uint8_t kTableLeaf = 0x0D, kTableInterior = 0x05;
constexpr uint32_t kMostFreelistTrunks = 1u << 20;
constexpr size_t kMostFreedSpans = 200000;

struct Table {
    std::string name;
    uint32_t root = 0;
    std::vector<std::string> columns;
    int rowid_alias = -1;  // the INTEGER PRIMARY KEY column, stored as NULL
};

// The database's bytes as pages.
class Pages {
  public:
    Pages(std::span<const std::byte> bytes, uint32_t page_size, uint32_t usable)
        : bytes_(bytes),
          size_(page_size),
          usable_(usable),
          count_(static_cast<uint32_t>(bytes.size() / page_size)) {}

    uint32_t count() const { return count_; }
    uint32_t size() const { return size_; }
    uint32_t usable() const { return usable_; }
    // The usable bytes of page `n` (1-based); empty when there is no such page.
    std::span<const std::byte> page(uint32_t n) const {
        if (n == 0 || n > count_) return {};
        return bytes_.subspan(static_cast<size_t>(n - 1) * size_, usable_);
    }

  private:
    std::span<const std::byte> bytes_;
    uint32_t size_, usable_, count_;
};

uint64_t big_endian(std::span<const std::byte> b, size_t at, size_t n) {
    uint64_t v = 0;
    for (size_t i = 0; i < n; ++i) v = (v << 8) | std::to_integer<uint8_t>(b[at + i]);
    return v;
}

struct Varint {
    uint64_t value;
    size_t length;
};

// SQLite's varint at `at`, not reading at or past `end`.
std::optional<Varint> varint(std::span<const std::byte> b, size_t at, size_t end) {
    uint64_t v = 0;
    for (size_t i = 0; i < 9; ++i) {
        if (at + i >= end || at + i >= b.size()) return std::nullopt;
        const auto c = std::to_integer<uint8_t>(b[at + i]);
        if (i == 8) return Varint{(v << 8) | c, 9};
        v = (v << 7) | (c & 0x7F);
        if ((c & 0x80) == 0) return Varint{v, i + 1};
    }
    return std::nullopt;
}

size_t varint_length(uint64_t v) {
    size_t n = 1;
    while (n < 9 && v >= (uint64_t{1} << (7 * n))) ++n;
    return n;
}

// The body bytes of a column of serial type `t`; nullopt for the reserved types 10 and 11.
std::optional<uint64_t> serial_size(uint64_t t) {
    static constexpr uint64_t fixed[] = {0, 1, 2, 3, 4, 6, 8, 8, 0, 0};
    if (t < 10) return fixed[t];
    if (t < 12) return std::nullopt;
    return (t - 12) / 2;
}

nlohmann::json column_value(std::span<const std::byte> b, size_t at, uint64_t t) {
    if (t == 0) return nullptr;
    if (t == 8) return 0;
    if (t == 9) return 1;
    if (t <= 6) {
        const size_t n = *serial_size(t);
        uint64_t raw = big_endian(b, at, n);
        if (n < 8 && (raw >> (8 * n - 1)) != 0) raw |= ~uint64_t{0} << (8 * n);  // sign
        return static_cast<int64_t>(raw);
    }
    if (t == 7) {
        const uint64_t raw = big_endian(b, at, 8);
        double d = 0;
        std::memcpy(&d, &raw, sizeof d);
        return d;
    }
    const size_t n = *serial_size(t);
    std::string s(reinterpret_cast<const char*>(b.data() + at), n);
    if (t % 2 == 1) return common::to_display_utf8(s);
    static constexpr char hex[] = "0123456789abcdef";
    std::string h;
    for (unsigned char c : s) h += {hex[c >> 4], hex[c & 15]};
    return h;
}

struct Record {
    std::vector<uint64_t> types;
    size_t body = 0;  // where the body starts
    size_t end = 0;   // just past the body
};

// The serial types from `at` to `header_end`, then the body: nullopt unless every type is valid,
// there are at most `columns`, and the body ends by `limit`.
std::optional<Record> read_record(std::span<const std::byte> p, size_t at, size_t header_end,
                                  size_t limit, size_t columns, std::vector<uint64_t> types = {}) {
    if (header_end > limit) return std::nullopt;
    while (at < header_end) {
        auto t = varint(p, at, header_end);
        if (!t || !serial_size(t->value) || types.size() >= columns) return std::nullopt;
        types.push_back(t->value);
        at += t->length;
    }
    if (at != header_end || types.empty()) return std::nullopt;
    uint64_t body = 0;
    for (uint64_t t : types) {
        body += *serial_size(t);
        if (body > limit) return std::nullopt;
    }
    if (header_end + body > limit) return std::nullopt;
    return Record{std::move(types), header_end, header_end + static_cast<size_t>(body)};
}

nlohmann::json values_of(std::span<const std::byte> p, const Record& r, const Table* table,
                         std::optional<int64_t> rowid) {
    nlohmann::json values = nlohmann::json::object();
    size_t at = r.body;
    for (size_t i = 0; i < r.types.size(); ++i) {
        const std::string name =
            table && i < table->columns.size() ? table->columns[i] : "column_" + std::to_string(i);
        nlohmann::json v = column_value(p, at, r.types[i]);
        if (table && static_cast<int>(i) == table->rowid_alias && v.is_null() && rowid) v = *rowid;
        values[name] = std::move(v);
        at += *serial_size(r.types[i]);
    }
    return values;
}

struct Cell {
    Record record;
    std::optional<int64_t> rowid;
    size_t start = 0, end = 0;
};

// A whole table-leaf cell at `at`: payload length, rowid, record; nullopt unless it is one that
// lies within [at, limit) without overflow pages.
std::optional<Cell> whole_cell(std::span<const std::byte> p, size_t at, size_t limit,
                               size_t max_local, size_t columns) {
    auto payload = varint(p, at, limit);
    if (!payload) return std::nullopt;
    auto rowid = varint(p, at + payload->length, limit);
    if (!rowid) return std::nullopt;
    const size_t h = at + payload->length + rowid->length;
    auto header = varint(p, h, limit);
    if (!header || payload->value > max_local || header->value > payload->value ||
        header->value < header->length + 1 || header->value > 1 + 9 * columns)
        return std::nullopt;
    auto r =
        read_record(p, h + header->length, h + static_cast<size_t>(header->value), limit, columns);
    if (!r || r->end != h + payload->value) return std::nullopt;
    return Cell{std::move(*r), static_cast<int64_t>(rowid->value), at, r->end};
}

// Whether a freed cell's header (next freeblock, size) could start at `at`: a size that fits.
bool freed_header(std::span<const std::byte> p, size_t at, size_t end) {
    if (at + 4 > end) return false;
    const size_t size = big_endian(p, at + 2, 2);
    return size >= 4 && size <= end - at;
}

// The first cell of the freeblock [start, end): its first four bytes are the freeblock's header.
// Every width of the lost payload-length (1-3 bytes) and rowid (1-9) varints is tried.
std::optional<Cell> rebuilt_cell(std::span<const std::byte> p, size_t start, size_t end,
                                 size_t max_local, const Table& table) {
    const size_t lost = start + 4, columns = table.columns.size();
    std::optional<Cell> best;
    size_t best_rest = SIZE_MAX;
    for (size_t a = 1; a <= 3; ++a) {
        for (size_t b = 1; b <= 9; ++b) {
            const size_t h = start + a + b;  // the record's header-size varint
            std::optional<Record> r;
            size_t header_size = 0;
            if (h >= lost) {
                auto hs = varint(p, h, end);
                if (!hs || hs->value < hs->length + 1 || hs->value > max_local) continue;
                header_size = static_cast<size_t>(hs->value);
                r = read_record(p, h + hs->length, h + header_size, end, columns);
            } else {
                // The header size is lost: one byte, then one serial type per column; a lost
                // type can only be the rowid alias's NULL.
                std::vector<uint64_t> types;
                size_t at = h + 1;
                for (; at < lost && types.size() < columns; ++at) {
                    if (static_cast<int>(types.size()) != table.rowid_alias) break;
                    types.push_back(0);
                }
                if (at < lost) continue;
                size_t scan = at;
                std::vector<uint64_t> rest = types;
                bool ok = true;
                while (rest.size() < columns) {
                    auto t = varint(p, scan, end);
                    if (!t || !serial_size(t->value)) {
                        ok = false;
                        break;
                    }
                    rest.push_back(t->value);
                    scan += t->length;
                }
                if (!ok) continue;
                header_size = scan - h;
                if (varint_length(header_size) != 1) continue;
                r = read_record(p, scan, scan, end, columns, rest);
            }
            if (!r) continue;
            const size_t payload = r->end - h;
            if (varint_length(payload) != a || payload > max_local) continue;
            const size_t rest = end - r->end;
            // What follows is a fragment SQLite merged in (under four bytes) or the next cell:
            // whole, or freed earlier (its own freeblock header, swallowed by this one).
            if (rest >= 4 && !whole_cell(p, r->end, end, max_local, columns) &&
                !freed_header(p, r->end, end))
                continue;
            if (rest < best_rest) {
                best_rest = rest;
                best = Cell{std::move(*r), std::nullopt, start, h + payload};
            }
        }
    }
    return best;
}

struct Reader {
    const Pages& pages;
    const std::vector<Table>& tables;
    std::vector<FreeRecord>& out;
    size_t max_local;
    // Freed spans looked at, at most: a crafted file of plausible freeblock headers on every
    // byte costs this much, not hours.
    size_t spans_left = kMostFreedSpans;

    void add(uint32_t page, const Cell& c, const Table* table, const char* where) {
        FreeRecord f;
        f.table = table ? table->name : "";
        f.page = page;
        f.offset = static_cast<uint32_t>(c.start);
        f.file_offset = uint64_t{page - 1} * pages.size() + c.start;
        f.where = where;
        f.rowid = c.rowid;
        f.values = values_of(pages.page(page), c.record, table, c.rowid);
        out.push_back(std::move(f));
    }

    // The table a cell of an unknown page fits: the only one with as many columns, else none.
    const Table* fitting(const Record& r) const {
        const Table* found = nullptr;
        for (const auto& t : tables) {
            if (t.columns.size() != r.types.size()) continue;
            if (found) return nullptr;
            found = &t;
        }
        return found;
    }

    // The cells of the freed span [start, end) of `page`: the first rebuilt, each next one whole
    // or rebuilt (a cell freed before the one in front of it, whose freeblock that one merged).
    // `table`: the page's; null on a free page (the table whose shape the first cell fits).
    // How many were found.
    size_t cells(uint32_t page, size_t start, size_t end, const Table* table, const char* where) {
        if (spans_left == 0) return 0;
        --spans_left;
        std::span<const std::byte> p = pages.page(page);
        std::optional<Cell> first;
        const Table* owner = table;
        if (table) {
            first = rebuilt_cell(p, start, end, max_local, *table);
        } else {
            for (const auto& t : tables) {
                auto c = rebuilt_cell(p, start, end, max_local, t);
                if (c && (!first || c->end > first->end)) {
                    first = std::move(c);
                    owner = &t;
                }
            }
        }
        if (!first) return 0;
        add(page, *first, owner, where);
        size_t found = 1;
        for (size_t at = first->end; at + 4 <= end;) {
            auto c = whole_cell(p, at, end, max_local, owner->columns.size());
            if (!c) c = rebuilt_cell(p, at, end, max_local, *owner);
            if (!c) break;
            add(page, *c, owner, where);
            ++found;
            at = c->end;
        }
        return found;
    }

    // The page's unallocated gap between its cell pointers and its cells: deleting the cell at
    // the start of the cell area writes its freeblock header and then moves that start past it
    // instead of chaining the freeblock, so the cell stays just below the new start, rebuilt as
    // a freeblock's is. Older bytes in the gap (cells moved away when the page was rebalanced)
    // are not read: nothing marks where they begin.
    void gap(uint32_t page, size_t header, const Table& table) {
        std::span<const std::byte> p = pages.page(page);
        const size_t count = big_endian(p, header + 3, 2);
        size_t content = big_endian(p, header + 5, 2);
        if (content == 0) content = 65536;
        const size_t from = header + 8 + 2 * count, to = std::min(content, p.size());
        // The freed cell ends where the cell area now starts, and its header's size says so;
        // one freed before it ends where it starts, and so on down.
        for (size_t end = to; end >= from + 4 && spans_left > 0;) {
            std::optional<size_t> found;
            for (size_t at = end - 4;; --at) {
                if (big_endian(p, at + 2, 2) == end - at &&
                    cells(page, at, end, &table, "unallocated") > 0) {
                    found = at;
                    break;
                }
                if (at == from) break;
            }
            if (!found) break;
            end = *found;
        }
    }

    // The freeblock chain of a table leaf page (`header`: where the b-tree header starts).
    void freeblocks(uint32_t page, size_t header, const Table* table) {
        std::span<const std::byte> p = pages.page(page);
        size_t at = big_endian(p, header + 1, 2), previous = 0;
        while (at != 0) {
            if (at <= previous || at + 4 > p.size()) return;  // not ascending: damaged
            const size_t size = big_endian(p, at + 2, 2);
            if (size < 4 || at + size > p.size()) return;
            cells(page, at, at + size, table, table ? "freeblock" : "free page");
            previous = at;
            at = big_endian(p, at, 2);
        }
    }
};

// The table leaf pages of each table's b-tree, by page: the table that owns it.
std::vector<const Table*> owners(const Pages& pages, const std::vector<Table>& tables) {
    std::vector<const Table*> owner(pages.count() + 1, nullptr);
    std::vector<char> seen(pages.count() + 1, 0);
    for (const auto& t : tables) {
        std::vector<uint32_t> todo;
        auto visit = [&](uint64_t n) {  // each page once, marked when it is queued
            if (n == 0 || n > pages.count() || seen[n]) return;
            seen[n] = 1;
            todo.push_back(static_cast<uint32_t>(n));
        };
        visit(t.root);
        while (!todo.empty()) {
            const uint32_t n = todo.back();
            todo.pop_back();
            if (n == 0 || n > pages.count()) continue;
            std::span<const std::byte> p = pages.page(n);
            const size_t h = n == 1 ? 100 : 0;
            if (p.size() < h + 12) continue;
            const auto flag = std::to_integer<uint8_t>(p[h]);
            if (flag == kTableLeaf) {
                owner[n] = &t;
            } else if (flag == kTableInterior) {
                const size_t cells = big_endian(p, h + 3, 2);
                visit(big_endian(p, h + 8, 4));
                for (size_t i = 0; i < cells && h + 12 + 2 * i + 2 <= p.size(); ++i) {
                    const size_t at = big_endian(p, h + 12 + 2 * i, 2);
                    if (at + 4 <= p.size()) visit(big_endian(p, at, 4));
                }
            }
        }
    }
    return owner;
}

// The pages of the freelist: the leaves, and the trunks that list them (a trunk's first bytes
// are its list; the rest of the page is what it held before).
struct FreePage {
    uint32_t page;
    size_t list_end;  // 0 for a leaf; a trunk's: where its list of leaves ends
};
std::vector<FreePage> free_pages(std::span<const std::byte> bytes, const Pages& pages) {
    std::vector<FreePage> leaves;
    std::vector<char> seen(pages.count() + 1, 0);
    uint32_t trunk = static_cast<uint32_t>(big_endian(bytes, 32, 4));
    for (uint32_t hops = 0; trunk != 0 && hops < kMostFreelistTrunks; ++hops) {
        if (trunk > pages.count() || seen[trunk]) break;
        seen[trunk] = 1;
        std::span<const std::byte> p = pages.page(trunk);
        const size_t count = big_endian(p, 4, 4);
        size_t i = 0;
        for (; i < count && 8 + 4 * i + 4 <= p.size(); ++i) {
            const auto leaf = static_cast<uint32_t>(big_endian(p, 8 + 4 * i, 4));
            if (leaf != 0 && leaf <= pages.count() && !seen[leaf]) {
                seen[leaf] = 1;
                leaves.push_back({leaf, 0});
            }
        }
        leaves.push_back({trunk, 8 + 4 * i});
        trunk = static_cast<uint32_t>(big_endian(p, 0, 4));
    }
    return leaves;
}

std::vector<Table> read_tables(std::span<std::byte> bytes, const std::string& name) {
    const UntrustedSqlite db(bytes, name);
    std::vector<Table> tables;
    Statement s(db.get(),
                "SELECT name, rootpage FROM sqlite_master WHERE type = 'table' AND rootpage > 0 "
                "AND sql NOT LIKE '%WITHOUT ROWID%' ORDER BY rootpage");
    while (s.step())
        tables.push_back({s.column_text(0), static_cast<uint32_t>(s.column_int(1)), {}, -1});
    for (auto& t : tables) {
        Statement info(db.get(), "SELECT name, type, pk FROM pragma_table_info(?)");
        info.bind(1, t.name);
        int pk_columns = 0, pk_at = -1;
        std::string pk_type;
        while (info.step()) {
            if (info.column_int(2) > 0) {
                ++pk_columns;
                pk_at = static_cast<int>(t.columns.size());
                pk_type = info.column_text(1);
            }
            t.columns.push_back(info.column_text(0));
        }
        std::transform(pk_type.begin(), pk_type.end(), pk_type.begin(),
                       [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
        if (pk_columns == 1 && pk_type == "INTEGER") t.rowid_alias = pk_at;
    }
    std::erase_if(tables, [](const Table& t) { return t.columns.empty(); });
    return tables;
}

}  // namespace

std::vector<FreeRecord> read_sqlite_free_records(std::span<std::byte> bytes,
                                                 const std::string& name) {
    check_sqlite_header(bytes, name);
    uint32_t page_size = static_cast<uint32_t>(big_endian(bytes, 16, 2));
    if (page_size == 1) page_size = 65536;
    const uint32_t reserved = std::to_integer<uint8_t>(bytes[20]);
    if (reserved > page_size - 480) throw Error(name + ": SQLite header reserves too many bytes");
    if (big_endian(bytes, 56, 4) > 1) return {};  // UTF-16 text: not read
    std::vector<Table> tables;
    try {
        tables = read_tables(bytes, name);
    } catch (const std::exception& e) {
        throw Error(name + ": " + common::one_line(e.what()));
    }
    const Pages pages(bytes, page_size, page_size - reserved);
    std::vector<FreeRecord> out;
    Reader reader{pages, tables, out, pages.usable() - 35};
    const auto owner = owners(pages, tables);
    for (uint32_t n = 1; n <= pages.count(); ++n)
        if (owner[n]) {
            reader.freeblocks(n, n == 1 ? 100 : 0, owner[n]);
            reader.gap(n, n == 1 ? 100 : 0, *owner[n]);
        }
    for (const auto [n, list_end] : free_pages(bytes, pages)) {
        std::span<const std::byte> p = pages.page(n);
        if (list_end > 0) {  // a trunk: its old cells have lost their pointers; scanned for whole
                             // cells of a table's shape
            for (size_t at = list_end; at + 4 <= p.size() && reader.spans_left > 0;) {
                auto c = whole_cell(p, at, p.size(), reader.max_local, 64);
                const Table* t = c ? reader.fitting(c->record) : nullptr;
                if (!t) {
                    ++at;
                    continue;
                }
                --reader.spans_left;
                reader.add(n, *c, t, "free page");
                at = c->end;
            }
            continue;
        }
        if (p.size() < 8 || std::to_integer<uint8_t>(p[0]) != kTableLeaf) continue;
        const size_t cells = big_endian(p, 3, 2);
        for (size_t i = 0; i < cells && 8 + 2 * i + 2 <= p.size(); ++i) {
            const size_t at = big_endian(p, 8 + 2 * i, 2);
            if (at < 8 + 2 * cells || at >= p.size()) continue;
            auto c = whole_cell(p, at, p.size(), reader.max_local, 64);
            if (c) reader.add(n, *c, reader.fitting(c->record), "free page");
        }
        reader.freeblocks(n, 0, nullptr);
    }
    return out;
}

}  // namespace dflab::engine
