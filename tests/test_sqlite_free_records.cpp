// Deleted SQLite rows read back from freeblocks and free pages (engine/sqlite_free_records.hpp),
// on databases the sqlite3 command makes with secure_delete off. sqlite3 says which rows are
// gone (SELECT) and how many pages are free (PRAGMA freelist_count); grep -obUa says where each
// deleted row's text still lies in the file; the rows' values are what the SQL inserted. Every
// deleted row whose text is still there is recovered with every column, at its page; nothing
// is recovered that was never a row.
#include <gtest/gtest.h>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "engine/sqlite_free_records.hpp"
#include "tests/support/fixtures.hpp"

namespace dflab {
namespace {

using test::run;
using test::shell_quote;

std::vector<std::byte> bytes_of(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::string s((std::istreambuf_iterator<char>(in)), {});
    return {reinterpret_cast<const std::byte*>(s.data()),
            reinterpret_cast<const std::byte*>(s.data() + s.size())};
}

std::string sqlite3(const std::string& db, const std::string& sql) {
    auto r = run("sqlite3 -batch -noheader " + shell_quote(db) + " " + shell_quote(sql));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
}

// Row i of the SMS table the tests make: its address, date and body.
struct Row {
    std::string address;
    int64_t date;
    std::string body;
};
Row row(int i) {
    return {"+7701" + std::to_string(5550000 + i), 1714550000000 + int64_t{i} * 60000,
            "message number " + std::to_string(i) + " " +
                std::string(40, static_cast<char>('a' + i % 26))};
}

// A database of `rows` SMS rows (secure_delete off), then `deletes`.
std::string sms_database(int rows, const std::string& deletes) {
    const std::string db = test::temp_dir() + "/mmssms.db";
    std::string sql =
        "PRAGMA secure_delete=OFF; CREATE TABLE sms (_id INTEGER PRIMARY KEY, address TEXT, date "
        "INTEGER, body TEXT); BEGIN;";
    for (int i = 1; i <= rows; ++i) {
        const Row r = row(i);
        sql += "INSERT INTO sms (_id, address, date, body) VALUES (" + std::to_string(i) + ", '" +
               r.address + "', " + std::to_string(r.date) + ", '" + r.body + "');";
    }
    sql += "COMMIT; " + deletes;
    auto made = run("sqlite3 " + shell_quote(db) + " " + shell_quote(sql));
    EXPECT_EQ(made.exit_code, 0) << made.err;
    return db;
}

// The rows still in the table, by sqlite3.
std::set<int> live_rows(const std::string& db) {
    std::set<int> ids;
    for (const auto& line : test::lines(sqlite3(db, "SELECT _id FROM sms")))
        if (!line.empty()) ids.insert(std::stoi(line));
    return ids;
}

// Where grep finds `text` in the file (byte offsets).
std::vector<uint64_t> grep_offsets(const std::string& db, const std::string& text) {
    auto r = run("grep -obUaF " + shell_quote(text) + " " + shell_quote(db));
    std::vector<uint64_t> at;
    for (const auto& line : test::lines(r.out))
        if (!line.empty()) at.push_back(std::stoull(line.substr(0, line.find(':'))));
    return at;
}

// The row number a recovered body names ("message number 17 ..."); 0 for any other text.
int number_in(const std::string& body) {
    const std::string head = "message number ";
    if (body.rfind(head, 0) != 0 || body.size() == head.size() ||
        !std::isdigit(static_cast<unsigned char>(body[head.size()])))
        return 0;
    return std::stoi(body.substr(head.size()));
}

void expect_genuine(const engine::FreeRecord& r) {
    const std::string at = r.where + " of page " + std::to_string(r.page) + " at " +
                           std::to_string(r.offset) + ": " + r.values.dump();
    ASSERT_TRUE(r.values.contains("body") && r.values["body"].is_string()) << at;
    const int i = number_in(r.values["body"].get<std::string>());
    ASSERT_GT(i, 0) << at;
    const Row want = row(i);
    EXPECT_EQ(r.table, "sms");
    EXPECT_EQ(r.values["address"], want.address) << r.values.dump();
    EXPECT_EQ(r.values["date"], want.date) << r.values.dump();
    EXPECT_EQ(r.values["body"], want.body) << r.values.dump();
    if (r.rowid) {
        EXPECT_EQ(*r.rowid, i);
        EXPECT_EQ(r.values["_id"], i);
    }
}

TEST(SqliteFreeRecords, ADeletedRowIsRebuiltFromItsFreeblock) {
    const std::string db = sms_database(6, "DELETE FROM sms WHERE _id = 4;");
    EXPECT_EQ(live_rows(db), (std::set<int>{1, 2, 3, 5, 6}));
    const auto where = grep_offsets(db, row(4).body);
    ASSERT_EQ(where.size(), 1u) << "the deleted body is no longer in the file";
    auto bytes = bytes_of(db);
    const auto records = engine::read_sqlite_free_records(bytes, "mmssms.db");
    ASSERT_EQ(records.size(), 1u);
    const auto& r = records.front();
    expect_genuine(r);
    EXPECT_EQ(number_in(r.values["body"]), 4);
    EXPECT_EQ(r.where, "freeblock");
    EXPECT_FALSE(r.rowid);  // the cell's first bytes, which held it, are the freeblock's header
    EXPECT_TRUE(r.values["_id"].is_null());
    // The cell starts before the body and on the same page.
    EXPECT_LT(r.file_offset, where.front());
    EXPECT_LT(where.front() - r.file_offset, 64u);
    EXPECT_EQ(r.page, where.front() / 4096 + 1);
}

// The row inserted last has its cell at the start of the page's cell area: deleting it writes the
// freeblock header over the cell's first bytes and then moves that start, so the rest of the cell
// is left in the page's unallocated gap, not in the freeblock chain.
TEST(SqliteFreeRecords, TheLastRowsCellIsRebuiltFromThePagesGap) {
    const std::string db = sms_database(6, "DELETE FROM sms WHERE _id = 6;");
    EXPECT_EQ(live_rows(db), (std::set<int>{1, 2, 3, 4, 5}));
    ASSERT_EQ(grep_offsets(db, row(6).body).size(), 1u);
    auto bytes = bytes_of(db);
    const auto records = engine::read_sqlite_free_records(bytes, "mmssms.db");
    ASSERT_EQ(records.size(), 1u);
    expect_genuine(records.front());
    EXPECT_EQ(records.front().where, "unallocated");
    EXPECT_EQ(number_in(records.front().values["body"]), 6);
    EXPECT_FALSE(records.front().rowid);
}

// Rows deleted next to each other in rowid order: each freed cell merges the freeblock after it,
// whose cell had its own first bytes overwritten; all three come back.
TEST(SqliteFreeRecords, NeighboursDeletedTogetherAreAllRebuiltFromTheMergedFreeblock) {
    const std::string db = sms_database(8, "DELETE FROM sms WHERE _id IN (3, 4, 5);");
    EXPECT_EQ(live_rows(db), (std::set<int>{1, 2, 6, 7, 8}));
    auto bytes = bytes_of(db);
    std::set<int> recovered;
    for (const auto& r : engine::read_sqlite_free_records(bytes, "mmssms.db")) {
        expect_genuine(r);
        recovered.insert(number_in(r.values["body"]));
    }
    EXPECT_EQ(recovered, (std::set<int>{3, 4, 5}));
}

// Deleting 400 of 600 rows frees whole pages. Nearly every deleted row whose text is still in the
// file comes back: the misses are cells in the old freeblocks of a page that became a freelist
// trunk (its header, which began their chain, is now the trunk's list). Nothing comes back that
// was never a row.
TEST(SqliteFreeRecords, NearlyEveryDeletedRowStillInTheFileIsRecoveredFromFreeblocksAndFreePages) {
    const std::string db = sms_database(
        600, "DELETE FROM sms WHERE _id BETWEEN 40 AND 420; DELETE FROM sms WHERE _id % 7 = 0;");
    const std::set<int> live = live_rows(db);
    ASSERT_EQ(live.count(40), 0u);
    ASSERT_EQ(live.count(1), 1u);
    EXPECT_GT(std::stoi(sqlite3(db, "PRAGMA freelist_count")), 0);  // whole pages were freed
    auto bytes = bytes_of(db);
    const auto records = engine::read_sqlite_free_records(bytes, "mmssms.db");
    std::set<int> recovered;
    std::set<std::string> places;
    for (const auto& r : records) {
        expect_genuine(r);
        recovered.insert(number_in(r.values["body"]));
        places.insert(r.where);
    }
    EXPECT_TRUE(places.count("free page") && places.count("freeblock")) << places.size();
    int still_there = 0, found = 0;
    for (int i = 1; i <= 600; ++i) {
        if (live.count(i) || grep_offsets(db, row(i).body).empty()) continue;
        ++still_there;
        found += static_cast<int>(recovered.count(i));
    }
    EXPECT_GT(still_there, 300);
    EXPECT_GE(found * 100, still_there * 95) << found << " of " << still_there;
}

TEST(SqliteFreeRecords, WithSecureDeleteNothingIsLeftAndNothingIsInvented) {
    const std::string db = test::temp_dir() + "/wiped.db";
    ASSERT_EQ(run("sqlite3 " + shell_quote(db) +
                  " \"PRAGMA secure_delete=ON; CREATE TABLE t (a TEXT); INSERT INTO t VALUES "
                  "('alpha'), ('bravo'), ('charlie'); DELETE FROM t WHERE a = 'bravo';\"")
                  .exit_code,
              0);
    EXPECT_TRUE(grep_offsets(db, "bravo").empty());
    auto bytes = bytes_of(db);
    EXPECT_TRUE(engine::read_sqlite_free_records(bytes, "wiped.db").empty());
}

TEST(SqliteFreeRecords, DamagedChainsAndHeadersAreBoundedAndNamed) {
    const std::string db = sms_database(50, "DELETE FROM sms WHERE _id BETWEEN 10 AND 30;");
    auto bytes = bytes_of(db);
    // Every freeblock pointer of page 2 aimed at itself: read once, no loop.
    auto looped = bytes;
    const size_t page = 4096 * 1;
    const size_t first = (std::to_integer<size_t>(looped[page + 1]) << 8) |
                         std::to_integer<size_t>(looped[page + 2]);
    if (first != 0) {
        looped[page + first] = looped[page + 1];
        looped[page + first + 1] = looped[page + 2];
    }
    EXPECT_NO_THROW((void)engine::read_sqlite_free_records(looped, "mmssms.db"));
    // Cut short: the error names the file.
    auto cut = bytes;
    cut.resize(cut.size() - 100);
    const std::string error =
        test::error_of([&] { engine::read_sqlite_free_records(cut, "mmssms.db"); });
    EXPECT_EQ(error.rfind("mmssms.db: ", 0), 0u) << error;
    // Garbage in every free byte of every page: whatever is read is bounded and the call ends.
    auto noisy = bytes;
    for (size_t i = 4096; i < noisy.size(); ++i)
        if (std::to_integer<int>(noisy[i]) == 0) noisy[i] = std::byte{0x81};
    const std::string noise =
        test::error_of([&] { engine::read_sqlite_free_records(noisy, "mmssms.db"); });
    EXPECT_TRUE(noise.empty() || noise.rfind("mmssms.db: ", 0) == 0) << noise;
}

}  // namespace
}  // namespace dflab
