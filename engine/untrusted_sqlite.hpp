#pragma once
// Opening a SQLite database found in evidence: from its bytes in memory (sqlite3_deserialize),
// read-only, with everything a hostile file could use against the reader turned off or bounded:
// no triggers, views or untrusted schema functions (SQLITE_DBCONFIG_DEFENSIVE, TRUSTED_SCHEMA
// off), no string or blob longer than kMaxSqliteValueBytes, and a work budget per connection so
// that a query over crafted tables stops instead of running for hours. No temporary file, no
// journal, nothing written. Used by every reader of app databases (browsers, phones) and by the
// carver's SQLite validator.
#include <sqlite3.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <set>
#include <span>
#include <string>

namespace dflab::engine {

// The longest text or blob value a query over an untrusted database may produce.
inline constexpr int kMaxSqliteValueBytes = 16 * 1024 * 1024;
// The virtual machine steps one connection may spend (seconds of work; a busy
// browser history of a million visits needs about a fifth of it).
inline constexpr uint64_t kSqliteWorkBudget = 500'000'000;

// The 16 bytes every SQLite database file starts with ("SQLite format 3\0").
bool has_sqlite_header(std::span<const std::byte> head);

// Throws Error naming `name` when the header cannot describe the file: shorter than 100 bytes, a
// page size SQLite refuses, not whole pages, or fewer pages than a valid header counts.
void check_sqlite_header(std::span<const std::byte> bytes, const std::string& name);

// A read-only connection to the database held in bytes the caller keeps alive and unchanged
// for the connection's life. A WAL-mode database is read as a rollback one (its -wal file is not
// part of the bytes): the header's two version bytes are changed from 2 to 1 in `bytes` for that.
// The names of the database's tables, and whether `table` has `column`: how the readers of app
// databases recognise what a database is, whatever the file is called.
std::set<std::string> sqlite_table_names(sqlite3* db);
bool sqlite_has_column(sqlite3* db, const char* table, const char* column);

class UntrustedSqlite {
  public:
    UntrustedSqlite(std::span<std::byte> bytes, const std::string& name,
                    uint64_t work_budget = kSqliteWorkBudget);
    UntrustedSqlite(UntrustedSqlite&&) noexcept = default;
    UntrustedSqlite& operator=(UntrustedSqlite&&) noexcept = default;
    ~UntrustedSqlite() = default;

    sqlite3* get() const { return db_.get(); }
    // SQLite's PRAGMA quick_check: "" when it says ok, else its first complaint.
    std::string quick_check() const;
    // Whether a statement was stopped because the connection's work budget is spent.
    bool budget_spent() const;

  private:
    struct Close {
        void operator()(sqlite3* db) const noexcept { sqlite3_close_v2(db); }
    };
    // The budget lives on the heap so that its address, given to SQLite's progress handler,
    // survives a move of the connection.
    std::unique_ptr<uint64_t> steps_left_;
    std::unique_ptr<sqlite3, Close> db_;
};

}  // namespace dflab::engine
