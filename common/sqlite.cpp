#include "common/sqlite.hpp"

#include <cerrno>
#include <cstring>

#include "common/error.hpp"

namespace dflab::common {

namespace {

// The file `db` has open, as SQLite names it (an absolute path), for messages.
std::string file_of(sqlite3* db) {
    const char* name = db ? sqlite3_db_filename(db, "main") : nullptr;
    return name && *name ? name : "the database";
}

[[noreturn]] void fail(sqlite3* db, const std::string& what) {
    if (auto reason = storage_failure(db)) throw StorageError(file_of(db), *reason);
    throw Error(what + ": " + (db ? sqlite3_errmsg(db) : "out of memory"));
}

}  // namespace

std::optional<std::string> storage_failure(sqlite3* db) {
    if (!db) return std::nullopt;
    const int code = sqlite3_extended_errcode(db);
    const int primary = code & 0xff;
    // The errno is recorded only for these two (it may be stale otherwise).
    const int system =
        primary == SQLITE_IOERR || primary == SQLITE_CANTOPEN ? sqlite3_system_errno(db) : 0;
    std::string sqlite = std::string("SQLite: ") + sqlite3_errmsg(db);
    if (system != 0) sqlite += std::string(": ") + std::strerror(system);
    sqlite = " (" + sqlite + ")";
    const bool io = primary == SQLITE_FULL || primary == SQLITE_IOERR ||
                    primary == SQLITE_CANTOPEN || primary == SQLITE_READONLY;
    if (!io) return std::nullopt;
    if (primary == SQLITE_FULL || system == ENOSPC || system == EDQUOT) {
        return "the disk is full" + sqlite;
    }
    if (system == EFBIG) return "the file size limit is reached" + sqlite;
    if (primary == SQLITE_READONLY || system == EROFS || system == EACCES || system == EPERM) {
        return "the file or its folder cannot be written" + sqlite;
    }
    if (primary == SQLITE_CANTOPEN) return "cannot be opened" + sqlite;
    return "a disk I/O error" + sqlite;
}

Statement::Statement(sqlite3* db, std::string_view sql) : db_(db) {
    sqlite3_stmt* raw = nullptr;
    const char* tail = nullptr;
    if (sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &raw, &tail) !=
        SQLITE_OK) {
        fail(db, "SQL error");
    }
    stmt_.reset(raw);
    if (!raw) throw Error("SQL error: empty statement");
    std::string_view rest(tail, static_cast<size_t>(sql.data() + sql.size() - tail));
    if (rest.find_first_not_of(" \t\r\n;") != std::string_view::npos) {
        throw Error("SQL error: give one statement at a time");
    }
}

Statement& Statement::bind(int i, std::nullptr_t) {
    sqlite3_bind_null(stmt_.get(), i);
    return *this;
}
Statement& Statement::bind(int i, int64_t v) {
    sqlite3_bind_int64(stmt_.get(), i, v);
    return *this;
}
Statement& Statement::bind(int i, double v) {
    sqlite3_bind_double(stmt_.get(), i, v);
    return *this;
}
Statement& Statement::bind(int i, std::string_view v) {
    sqlite3_bind_text(stmt_.get(), i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
}
Statement& Statement::bind(int i, const std::optional<std::string>& v) {
    return v ? bind(i, std::string_view(*v)) : bind(i, nullptr);
}
Statement& Statement::bind(int i, const std::optional<int64_t>& v) {
    return v ? bind(i, *v) : bind(i, nullptr);
}

bool Statement::step() {
    int rc = sqlite3_step(stmt_.get());
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    if (sqlite3_db_readonly(db_, "main") == 1 &&
        (rc == SQLITE_READONLY || sqlite3_errcode(db_) == SQLITE_READONLY)) {
        throw Error("the database is open read-only: writes are refused");
    }
    fail(db_, "SQL error");
}

void Statement::run() {
    while (step()) {
    }
    reset();
}

void Statement::reset() {
    sqlite3_reset(stmt_.get());
    sqlite3_clear_bindings(stmt_.get());
}

int Statement::columns() const {
    return sqlite3_column_count(stmt_.get());
}
std::string Statement::column_name(int i) const {
    return sqlite3_column_name(stmt_.get(), i);
}

SqlValue Statement::column(int i) const {
    switch (sqlite3_column_type(stmt_.get(), i)) {
        case SQLITE_INTEGER:
            return static_cast<int64_t>(sqlite3_column_int64(stmt_.get(), i));
        case SQLITE_FLOAT:
            return sqlite3_column_double(stmt_.get(), i);
        case SQLITE_NULL:
            return nullptr;
        default:
            return column_text(i);
    }
}

int64_t Statement::column_int(int i) const {
    return sqlite3_column_int64(stmt_.get(), i);
}

std::string Statement::column_text(int i) const {
    const auto* p = sqlite3_column_text(stmt_.get(), i);
    int n = sqlite3_column_bytes(stmt_.get(), i);
    return p ? std::string(reinterpret_cast<const char*>(p), static_cast<size_t>(n))
             : std::string();
}

bool Statement::column_is_null(int i) const {
    return sqlite3_column_type(stmt_.get(), i) == SQLITE_NULL;
}

Database::Database(const std::string& path, Mode mode) : path_(path) {
    int flags = mode == Mode::ReadOnly
                    ? SQLITE_OPEN_READONLY
                    : (SQLITE_OPEN_READWRITE | (mode == Mode::Create ? SQLITE_OPEN_CREATE : 0));
    sqlite3* raw = nullptr;
    int rc = sqlite3_open_v2(path.c_str(), &raw, flags | SQLITE_OPEN_NOMUTEX, nullptr);
    db_.reset(raw);
    if (rc != SQLITE_OK) {
        if (auto reason = storage_failure(raw)) throw StorageError(path, *reason);
        fail(raw, path + ": cannot open database");
    }
    sqlite3_busy_timeout(raw, 10000);
    if (mode == Mode::ReadOnly) {
        // Reject files that are not SQLite databases now rather than at the first query.
        char* err = nullptr;
        if (sqlite3_exec(raw, "PRAGMA schema_version", nullptr, nullptr, &err) != SQLITE_OK) {
            std::string msg = err ? err : "unreadable";
            sqlite3_free(err);
            if (auto reason = storage_failure(raw)) throw StorageError(path, *reason);
            throw Error(path + ": not a readable SQLite database (" + msg + ")");
        }
    }
}

void Database::exec(std::string_view sql) {
    char* err = nullptr;
    std::string text(sql);
    if (sqlite3_exec(db_.get(), text.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
        std::string msg = err ? err : "unknown error";
        sqlite3_free(err);
        if (auto reason = storage_failure(db_.get())) throw StorageError(path_, *reason);
        throw Error(path_ + ": SQL error: " + msg);
    }
}

Transaction::Transaction(Database& db) : db_(db) {
    db_.exec("BEGIN IMMEDIATE");
}
Transaction::~Transaction() {
    if (!done_) sqlite3_exec(db_.get(), "ROLLBACK", nullptr, nullptr, nullptr);
}
void Transaction::commit() {
    db_.exec("COMMIT");
    done_ = true;
}

}  // namespace dflab::common
