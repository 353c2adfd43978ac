// SQLite database from statements: a fresh in-memory database (page size 4096, UTF-8, no
// auto-vacuum, no journal), the statements in order, VACUUM, then the database file's bytes by
// sqlite3_serialize. Sources of variation are pinned: 'now' in date functions is the context time
// (a private VFS answers the current-time calls) and random()/randomblob() draw from the seed.
// ATTACH is refused, so statements cannot write files outside the generated one. The browser
// history builders (images/browser_history.cpp) write their databases the same way.
#include <sqlite3.h>

#include <atomic>
#include <cstring>
#include <memory>

#include "engine/error.hpp"
#include "images/content_generator.hpp"

namespace dflab::images::detail {

using engine::Error;

namespace {

// The default VFS with the clock replaced; registered for one generation only.
struct FixedTimeVfs {
    sqlite3_vfs vfs;  // first member: SQLite hands back a pointer to it
    int64_t time;
    std::string name;
};

int current_time_int64(sqlite3_vfs* vfs, sqlite3_int64* out) {
    // Milliseconds since the Julian day epoch: 2440587.5 days before the Unix epoch.
    *out = reinterpret_cast<FixedTimeVfs*>(vfs)->time * 1000 + sqlite3_int64{210866760000000};
    return SQLITE_OK;
}

int current_time(sqlite3_vfs* vfs, double* out) {
    sqlite3_int64 ms = 0;
    current_time_int64(vfs, &ms);
    *out = static_cast<double>(ms) / 86400000.0;
    return SQLITE_OK;
}

struct VfsRegistration {
    FixedTimeVfs* vfs;
    ~VfsRegistration() { sqlite3_vfs_unregister(&vfs->vfs); }
};

struct CloseDb {
    void operator()(sqlite3* db) const { sqlite3_close(db); }
};
struct FreeSqlite {
    void operator()(unsigned char* p) const { sqlite3_free(p); }
};

void seeded_random(sqlite3_context* ctx, int, sqlite3_value**) {
    auto* prng = static_cast<Prng*>(sqlite3_user_data(ctx));
    sqlite3_result_int64(ctx, static_cast<sqlite3_int64>(prng->next()));
}

void seeded_randomblob(sqlite3_context* ctx, int, sqlite3_value** argv) {
    auto* prng = static_cast<Prng*>(sqlite3_user_data(ctx));
    sqlite3_int64 n = sqlite3_value_int64(argv[0]);
    if (n < 1) n = 1;  // as SQLite's own randomblob()
    if (n > 1000000000) {
        sqlite3_result_error_toobig(ctx);
        return;
    }
    std::vector<std::byte> bytes(static_cast<size_t>(n));
    prng->fill(bytes);
    sqlite3_result_blob64(ctx, bytes.data(), bytes.size(), SQLITE_TRANSIENT);
}

int authorize(void*, int action, const char*, const char*, const char*, const char*) {
    return action == SQLITE_ATTACH || action == SQLITE_DETACH ? SQLITE_DENY : SQLITE_OK;
}

std::string shorten(const std::string& s) {
    std::string one_line;
    for (char ch : s) one_line += (ch == '\n' || ch == '\r' || ch == '\t') ? ' ' : ch;
    return one_line.size() > 80 ? one_line.substr(0, 77) + "..." : one_line;
}

}  // namespace

namespace {

// `keep_deleted`: secure_delete off and no VACUUM, so that deleted rows stay in freeblocks and
// free pages, as on a phone.
std::vector<std::byte> database_bytes(std::span<const std::string> statements,
                                      const GenerationContext& c, std::string_view what,
                                      unsigned page_size, bool keep_deleted) {
    const std::string who = "generate " + std::string(what);
    sqlite3_vfs* base = sqlite3_vfs_find(nullptr);
    if (!base) throw Error(who + ": SQLite has no default VFS");
    static std::atomic<uint64_t> counter{0};
    FixedTimeVfs vfs{*base, c.time, "dflab-fixed-time-" + std::to_string(counter++)};
    vfs.vfs.zName = vfs.name.c_str();
    vfs.vfs.xCurrentTime = current_time;
    if (vfs.vfs.iVersion >= 2) vfs.vfs.xCurrentTimeInt64 = current_time_int64;
    vfs.vfs.pNext = nullptr;
    if (sqlite3_vfs_register(&vfs.vfs, 0) != SQLITE_OK)
        throw Error(who + ": cannot register the fixed-time VFS");
    VfsRegistration registration{&vfs};

    sqlite3* raw = nullptr;
    const int rc = sqlite3_open_v2(":memory:", &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                                   vfs.name.c_str());
    std::unique_ptr<sqlite3, CloseDb> db(raw);
    if (rc != SQLITE_OK)
        throw Error(
            who + ": cannot open a database: " + (raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)));

    Prng prng(c.seed, c.purpose, "sqlite");
    if (sqlite3_create_function_v2(db.get(), "random", 0, SQLITE_UTF8, &prng, seeded_random,
                                   nullptr, nullptr, nullptr) != SQLITE_OK ||
        sqlite3_create_function_v2(db.get(), "randomblob", 1, SQLITE_UTF8, &prng, seeded_randomblob,
                                   nullptr, nullptr, nullptr) != SQLITE_OK)
        throw Error(who + ": " + sqlite3_errmsg(db.get()));

    auto exec = [&](const std::string& sql, const std::string& step) {
        char* message = nullptr;
        if (sqlite3_exec(db.get(), sql.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
            std::string text = message ? message : sqlite3_errmsg(db.get());
            sqlite3_free(message);
            throw Error(who + ": " + step + " failed: " + text);
        }
    };
    exec("PRAGMA page_size=" + std::to_string(page_size) +
             "; PRAGMA encoding='UTF-8'; PRAGMA auto_vacuum=NONE; PRAGMA journal_mode=OFF;" +
             (keep_deleted ? " PRAGMA secure_delete=OFF;" : " PRAGMA secure_delete=ON;"),
         "setup");
    sqlite3_set_authorizer(db.get(), authorize, nullptr);
    for (size_t i = 0; i < statements.size(); ++i)
        exec(statements[i],
             "statement " + std::to_string(i + 1) + " (" + shorten(statements[i]) + ")");
    sqlite3_set_authorizer(db.get(), nullptr, nullptr);
    if (!keep_deleted) exec("VACUUM;", "VACUUM");

    sqlite3_int64 size = 0;
    std::unique_ptr<unsigned char, FreeSqlite> data(sqlite3_serialize(db.get(), "main", &size, 0));
    if (!data || size < 0) throw Error(who + ": cannot serialize the database");
    std::vector<std::byte> out(static_cast<size_t>(size));
    std::memcpy(out.data(), data.get(), out.size());
    return out;
}

}  // namespace

std::vector<std::byte> sqlite_file_bytes(std::span<const std::string> statements,
                                         const GenerationContext& c, std::string_view what,
                                         unsigned page_size) {
    return database_bytes(statements, c, what, page_size, false);
}

std::vector<std::byte> generate_sqlite(const GeneratedContent& g, const GenerationContext& c) {
    if (g.sql.empty()) throw Error("generate sqlite: 'sql' needs at least one statement");
    const auto keep = g.options.find("keep_deleted");
    return database_bytes(g.sql, c, "sqlite", 4096,
                          keep != g.options.end() && keep->second == "true");
}

}  // namespace dflab::images::detail
