#pragma once
// A small RAII layer over SQLite: a connection and prepared statements with typed binding (the
// engine's case database and the lab record both use it).
#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "common/error.hpp"

namespace dflab::common {

using SqlValue = std::variant<std::nullptr_t, int64_t, double, std::string>;

// SQLite could not read or write the file itself: the disk is full, the file size limit is
// reached, an I/O error, a read-only file or folder. what() is "FILE: REASON"; reason() alone is
// e.g. "the disk is full (SQLite: database or disk is full)". Callers that classify a file
// ("not a dflab lab record") let these through: the file may be fine.
class StorageError : public Error {
  public:
    StorageError(const std::string& file, std::string reason)
        : Error(file + ": " + reason), reason_(std::move(reason)) {}
    const std::string& reason() const { return reason_; }

  private:
    std::string reason_;
};

// The reason for SQLite's last failure on `db` when it is a storage failure (see StorageError),
// from its extended error code and the errno of the system call that failed; nullopt otherwise.
std::optional<std::string> storage_failure(sqlite3* db);

class Statement {
  public:
    Statement(sqlite3* db, std::string_view sql);
    Statement& bind(int index, std::nullptr_t);
    Statement& bind(int index, int64_t value);
    Statement& bind(int index, double value);
    Statement& bind(int index, std::string_view value);
    Statement& bind(int index, const std::string& value) {
        return bind(index, std::string_view(value));
    }
    Statement& bind(int index, const char* value) { return bind(index, std::string_view(value)); }
    Statement& bind(int index, const std::optional<std::string>& value);
    Statement& bind(int index, const std::optional<int64_t>& value);
    // Runs to the next row; false when done. Throws Error on failure.
    bool step();
    void run();  // step() to completion, then reset() and clear bindings
    void reset();
    int columns() const;
    std::string column_name(int i) const;
    SqlValue column(int i) const;
    int64_t column_int(int i) const;
    std::string column_text(int i) const;
    bool column_is_null(int i) const;
    sqlite3_stmt* get() const { return stmt_.get(); }

  private:
    struct Finalize {
        void operator()(sqlite3_stmt* s) const noexcept { sqlite3_finalize(s); }
    };
    std::unique_ptr<sqlite3_stmt, Finalize> stmt_;
    sqlite3* db_;
};

class Database {
  public:
    enum class Mode { ReadOnly, ReadWrite, Create };
    Database(const std::string& path, Mode mode);
    void exec(std::string_view sql);  // one or more statements, no results
    Statement prepare(std::string_view sql) { return Statement(db_.get(), sql); }
    int64_t last_insert_id() const { return sqlite3_last_insert_rowid(db_.get()); }
    sqlite3* get() const { return db_.get(); }
    const std::string& path() const { return path_; }

  private:
    struct Close {
        void operator()(sqlite3* d) const noexcept { sqlite3_close_v2(d); }
    };
    std::unique_ptr<sqlite3, Close> db_;
    std::string path_;
};

// A transaction that rolls back unless committed.
class Transaction {
  public:
    explicit Transaction(Database& db);
    ~Transaction();
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    void commit();

  private:
    Database& db_;
    bool done_ = false;
};

}  // namespace dflab::common
