// SQLite databases found in evidence are opened by engine/untrusted_sqlite: a WAL-mode database
// (as Firefox and Android apps leave them) is carved and read like a rollback one without changing
// the carved bytes, and what a hostile file can ask of the reader is bounded: a value longer than
// kMaxSqliteValueBytes, a query that never ends, a download end time that overflows. The sqlite3
// command-line tool shows what each file really holds.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "engine/browser_history_file.hpp"
#include "engine/carving/validators.hpp"
#include "engine/error.hpp"
#include "engine/sqlite.hpp"
#include "engine/untrusted_sqlite.hpp"
#include "tests/oracle.hpp"
#include "tests/support/fixtures.hpp"

using namespace dflab;
using namespace dflab::test;

namespace {

std::vector<std::byte> bytes_of(const std::string& path) {
    const std::string text = read_file(path);
    std::vector<std::byte> out(text.size());
    std::memcpy(out.data(), text.data(), text.size());
    return out;
}

// A database made by the sqlite3 tool from `sql`, and its bytes.
std::vector<std::byte> made_by_sqlite3(const std::string& name, const std::string& sql) {
    const std::string path = temp_dir() + "/" + name;
    const auto r = run("sqlite3 " + shell_quote(path) + " " + shell_quote(sql));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return bytes_of(path);
}

std::string sqlite3_says(const std::vector<std::byte>& bytes, const std::string& sql) {
    const std::string path = temp_dir() + "/copy.db";
    {
        std::FILE* f = std::fopen(path.c_str(), "wb");
        EXPECT_NE(f, nullptr);
        std::fwrite(bytes.data(), 1, bytes.size(), f);
        std::fclose(f);
    }
    const auto r = run("sqlite3 -readonly " + shell_quote(path) + " " + shell_quote(sql));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
}

TEST(UntrustedSqlite, AWalModeDatabaseIsCarvedWholeAndItsBytesStayAsTheyWere) {
    const auto db = made_by_sqlite3(
        "wal.db",
        "PRAGMA journal_mode=WAL; CREATE TABLE t(x); INSERT INTO t VALUES('hello'), "
        "(zeroblob(5000)); CREATE TABLE u(y);");
    // The tool's own account: a WAL database (header bytes 18 and 19 are 2), intact.
    ASSERT_EQ(std::to_integer<int>(db[18]), 2);
    ASSERT_EQ(std::to_integer<int>(db[19]), 2);
    EXPECT_EQ(sqlite3_says(db, "PRAGMA integrity_check"), "ok\n");
    const auto before = db;
    const auto v = engine::carving::validate_sqlite(db);
    EXPECT_EQ(v.verdict, engine::carving::Verdict::Valid) << v.reason;
    EXPECT_EQ(v.length, db.size());
    EXPECT_EQ(db, before);
}

TEST(UntrustedSqlite, AValueLongerThanTheLimitIsNotMadeAHundredMegabytesLong) {
    // A generated column that makes a 100,000,000-byte title from a few bytes of schema.
    auto db = made_by_sqlite3(
        "huge.db",
        "CREATE TABLE urls(id INTEGER PRIMARY KEY, url TEXT, visit_count INTEGER, "
        "title TEXT AS (printf('%.*c', 100000000, 'x'))); "
        "CREATE TABLE visits(id INTEGER PRIMARY KEY, url INTEGER, visit_time INTEGER, "
        "from_visit INTEGER, transition INTEGER); "
        "INSERT INTO urls(id, url, visit_count) VALUES (1, 'https://example.kz/', 1); "
        "INSERT INTO visits VALUES (1, 1, 13300000000000000, 0, 1);");
    EXPECT_EQ(sqlite3_says(db, "SELECT length(title) FROM urls"), "100000000\n");
    // Beyond SQLite's length limit printf gives null: the visit is read, without its title.
    const auto history = engine::read_browser_history(db, "/History");
    ASSERT_TRUE(history);
    ASSERT_EQ(history->visits.size(), 1u);
    EXPECT_EQ(history->visits[0].url, "https://example.kz/");
    EXPECT_FALSE(history->visits[0].title);
}

TEST(UntrustedSqlite, AQueryThatNeverEndsStopsAtTheWorkBudget) {
    auto db = made_by_sqlite3("t.db", "CREATE TABLE t(x); INSERT INTO t VALUES (1);");
    const engine::UntrustedSqlite connection(db, "t.db", 10'000'000);
    engine::Statement endless(connection.get(),
                              "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) "
                              "SELECT count(*) FROM c");
    EXPECT_ANY_THROW(endless.step());
    EXPECT_TRUE(connection.budget_spent());
}

TEST(UntrustedSqlite, AFirefoxDownloadEndingAtTheLargestIntegerHasNoEndTime) {
    auto db = made_by_sqlite3(
        "places.sqlite",
        "CREATE TABLE moz_places(id INTEGER PRIMARY KEY, url TEXT, title TEXT, visit_count "
        "INTEGER); CREATE TABLE moz_historyvisits(id INTEGER PRIMARY KEY, from_visit INTEGER, "
        "place_id INTEGER, visit_date INTEGER, visit_type INTEGER); "
        "CREATE TABLE moz_anno_attributes(id INTEGER PRIMARY KEY, name TEXT); "
        "CREATE TABLE moz_annos(id INTEGER PRIMARY KEY, place_id INTEGER, anno_attribute_id "
        "INTEGER, content TEXT, dateAdded INTEGER); "
        "INSERT INTO moz_places VALUES (1, 'https://example.kz/a.zip', 'a', 1); "
        "INSERT INTO moz_historyvisits VALUES (1, 0, 1, 1700000000000000, 7); "
        "INSERT INTO moz_anno_attributes VALUES (1, 'downloads/destinationFileURI'), "
        "(2, 'downloads/metaData'); "
        "INSERT INTO moz_annos VALUES (1, 1, 1, 'file:///C:/Users/a/a.zip', 1700000000000000), "
        "(2, 1, 2, '{\"state\":1,\"endTime\":9223372036854775807,\"fileSize\":5}', "
        "1700000000000000);");
    EXPECT_EQ(sqlite3_says(db,
                           "SELECT json_extract(content, '$.endTime') FROM moz_annos "
                           "WHERE anno_attribute_id = 2"),
              "9223372036854775807\n");
    const auto history = engine::read_browser_history(db, "/places.sqlite");
    ASSERT_TRUE(history);
    ASSERT_EQ(history->downloads.size(), 1u);
    EXPECT_EQ(history->downloads[0].target_path, "C:\\Users\\a\\a.zip");
    EXPECT_EQ(history->downloads[0].start, 1700000000);
    EXPECT_FALSE(history->downloads[0].end);
}

}  // namespace
