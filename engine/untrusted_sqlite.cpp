#include "engine/untrusted_sqlite.hpp"

#include <cstring>

#include "engine/error.hpp"
#include "engine/sqlite.hpp"

namespace dflab::engine {

namespace {

uint32_t big_endian(std::span<const std::byte> b, size_t at, size_t n) {
    uint32_t v = 0;
    for (size_t i = 0; i < n; ++i) v = (v << 8) | std::to_integer<uint32_t>(b[at + i]);
    return v;
}

// SQLite calls this every kStepsPerCall virtual machine steps; a non-zero answer interrupts the
// statement with SQLITE_INTERRUPT.
constexpr int kStepsPerCall = 10000;

int spend(void* budget) {
    auto& left = *static_cast<uint64_t*>(budget);
    if (left < kStepsPerCall) return 1;
    left -= kStepsPerCall;
    return 0;
}

}  // namespace

bool has_sqlite_header(std::span<const std::byte> head) {
    return head.size() >= 16 && std::memcmp(head.data(), "SQLite format 3\0", 16) == 0;
}

void check_sqlite_header(std::span<const std::byte> bytes, const std::string& name) {
    if (bytes.size() < 100)
        throw Error(name + ": " + std::to_string(bytes.size()) +
                    " bytes, shorter than a SQLite header (100)");
    uint32_t page_size = big_endian(bytes, 16, 2);
    if (page_size == 1) page_size = 65536;
    if (page_size < 512 || page_size > 65536 || (page_size & (page_size - 1)) != 0)
        throw Error(name + ": page size " + std::to_string(page_size) + " in the SQLite header");
    if (bytes.size() % page_size != 0)
        throw Error(name + ": " + std::to_string(bytes.size()) + " bytes, not a whole number of " +
                    std::to_string(page_size) + "-byte pages (truncated?)");
    const uint32_t pages = big_endian(bytes, 28, 4);
    if (big_endian(bytes, 24, 4) == big_endian(bytes, 92, 4) &&
        uint64_t{pages} * page_size > bytes.size())
        throw Error(name + ": truncated, the SQLite header counts " + std::to_string(pages) +
                    " pages, the file holds " + std::to_string(bytes.size() / page_size));
}

UntrustedSqlite::UntrustedSqlite(std::span<std::byte> bytes, const std::string& name,
                                 uint64_t work_budget)
    : steps_left_(std::make_unique<uint64_t>(work_budget)) {
    if (bytes.size() < 100) throw Error(name + ": shorter than a SQLite header (100 bytes)");
    for (size_t at : {size_t{18}, size_t{19}})
        if (bytes[at] == std::byte{2}) bytes[at] = std::byte{1};
    sqlite3* raw = nullptr;
    const int rc =
        sqlite3_open_v2(":memory:", &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_MEMORY, nullptr);
    db_.reset(raw);
    if (rc != SQLITE_OK) throw Error(name + ": SQLite cannot open a connection");
    sqlite3_db_config(raw, SQLITE_DBCONFIG_DEFENSIVE, 1, nullptr);
    sqlite3_db_config(raw, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, nullptr);
    sqlite3_db_config(raw, SQLITE_DBCONFIG_ENABLE_TRIGGER, 0, nullptr);
    sqlite3_db_config(raw, SQLITE_DBCONFIG_ENABLE_VIEW, 0, nullptr);
    sqlite3_limit(raw, SQLITE_LIMIT_LENGTH, kMaxSqliteValueBytes);
    sqlite3_progress_handler(raw, kStepsPerCall, spend, steps_left_.get());
    const auto size = static_cast<sqlite3_int64>(bytes.size());
    if (sqlite3_deserialize(raw, "main", reinterpret_cast<unsigned char*>(bytes.data()), size, size,
                            SQLITE_DESERIALIZE_READONLY) != SQLITE_OK)
        throw Error(name + ": SQLite cannot read it: " + sqlite3_errmsg(raw));
}

std::string UntrustedSqlite::quick_check() const {
    sqlite3_stmt* raw = nullptr;
    if (sqlite3_prepare_v2(db_.get(), "PRAGMA quick_check(1)", -1, &raw, nullptr) != SQLITE_OK) {
        sqlite3_finalize(raw);
        return sqlite3_errmsg(db_.get());
    }
    std::string answer;
    if (sqlite3_step(raw) == SQLITE_ROW) {
        const auto* text = sqlite3_column_text(raw, 0);
        answer = text ? reinterpret_cast<const char*>(text) : "";
    } else {
        answer = budget_spent() ? "the check exceeds its work budget" : sqlite3_errmsg(db_.get());
    }
    sqlite3_finalize(raw);
    return answer == "ok" ? "" : answer;
}

bool UntrustedSqlite::budget_spent() const {
    return *steps_left_ < kStepsPerCall;
}

std::set<std::string> sqlite_table_names(sqlite3* db) {
    std::set<std::string> out;
    Statement s(db, "SELECT name FROM sqlite_master WHERE type = 'table'");
    while (s.step()) out.insert(s.column_text(0));
    return out;
}

bool sqlite_has_column(sqlite3* db, const char* table, const char* column) {
    Statement s(db, "SELECT 1 FROM pragma_table_info(?) WHERE name = ?");
    s.bind(1, table).bind(2, column);
    return s.step();
}

}  // namespace dflab::engine
