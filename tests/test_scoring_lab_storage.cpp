// A lab record that cannot be read or written because of the disk (full, a file size limit, an
// I/O error) is said to be so, never "not a dflab lab record", and nothing is half-written. The
// disk is made to fail without root by a file size limit (`ulimit -f`, with SIGXFSZ ignored so
// that writes fail with EFBIG, as they fail with ENOSPC on a full disk), and SQLite's own
// max_page_count for SQLITE_FULL. sqlite3 under the same limit is the oracle for SQLite's words.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>

#include "common/sqlite.hpp"
#include "tests/lab_test_key.hpp"
#include "tests/support/fixtures.hpp"

namespace dflab {
namespace {

namespace fs = std::filesystem;
using test::shell_quote;

// Runs `command` with files limited to `kib` KiB; SIGXFSZ ignored (inherited through exec), so
// that a write past the limit fails with EFBIG instead of killing the process.
test::CommandResult run_limited(int kib, const std::string& command) {
    return test::run("trap '' XFSZ; ulimit -f " + std::to_string(kib) + "; exec " + command);
}

// SQLite's own words for the failure ("disk I/O error", "database or disk is full") in `text`.
std::string sqlite_words(const std::string& text) {
    static const std::regex words("disk I/O error|database or disk is full");
    std::smatch m;
    return std::regex_search(text, m, words) ? m.str() : "";
}

class LabStorage : public ::testing::Test {
  protected:
    void SetUp() override {
        dir = test::temp_dir();
        db = dir + "/lab.sqlite";
        key = test::write_json(dir + "/answer-key.json", test::lab_test_key());
        auto r = lab("lab init --key " + shell_quote(key) + " --db " + shell_quote(db));
        ASSERT_EQ(r.exit_code, 0) << r.err;
        std::ofstream(dir + "/people.csv") << "id,name,team,variant\np1,Ann,red,0\np2,Bo,red,1\n";
        r = lab("lab participants --db " + shell_quote(db) + " import " +
                shell_quote(dir + "/people.csv"));
        ASSERT_EQ(r.exit_code, 0) << r.err;
    }
    void TearDown() override { fs::remove_all(dir); }

    std::string command(const std::string& args) const {
        return "env DFLAB_TIME=2026-11-28T09:00:00Z " + shell_quote(DFLAB_BINARY) + " " + args;
    }
    test::CommandResult lab(const std::string& args) const { return test::run(command(args)); }
    std::string sql(const std::string& query) const {
        return test::run("sqlite3 " + shell_quote(db) + " " + shell_quote(query)).out;
    }

    // The one-line failure of `r`, checked: names the record and SQLite's words, and is not a
    // verdict on what the file is.
    void expect_storage_failure(const test::CommandResult& r, const std::string& words) const {
        EXPECT_NE(r.exit_code, 0) << r.out;
        EXPECT_LT(r.exit_code, 128) << "killed by a signal: " << r.err;
        const auto err = test::lines(r.err);
        ASSERT_EQ(err.size(), 1u) << r.err;
        EXPECT_EQ(err[0].rfind("dflab: ", 0), 0u) << err[0];
        EXPECT_NE(err[0].find("lab.sqlite: "), std::string::npos) << err[0];
        EXPECT_NE(err[0].find("(SQLite: " + words), std::string::npos) << err[0];
        EXPECT_EQ(err[0].find("not a dflab lab record"), std::string::npos) << err[0];
        EXPECT_EQ(err[0].find("SQL error"), std::string::npos) << err[0];
    }

    // The record is whole and holds the two participants of SetUp.
    void expect_record_intact() const {
        EXPECT_EQ(sql("PRAGMA integrity_check"), "ok\n");
        EXPECT_EQ(sql("SELECT count(*) FROM participants"), "2\n");
        auto r = lab("lab participants list --json --db " + shell_quote(db));
        EXPECT_EQ(r.exit_code, 0) << r.err;
    }

    std::string dir, db, key;
};

TEST_F(LabStorage, OpeningWhenNothingCanBeWrittenIsADiskFailure) {
    // Opening a WAL database needs its shared-memory file (32 KiB): at 1 KiB, even reading fails.
    auto oracle = run_limited(1, "sqlite3 " + shell_quote(db) + " 'SELECT count(*) FROM lab'");
    ASSERT_NE(oracle.exit_code, 0) << oracle.out;
    const std::string words = sqlite_words(oracle.err);
    ASSERT_FALSE(words.empty()) << oracle.err;
    fs::remove(db + "-shm");
    fs::remove(db + "-wal");

    for (const std::string args : {"lab participants list", "lab scoreboard"}) {
        SCOPED_TRACE(args);
        auto r = run_limited(1, command(args + " --db " + shell_quote(db)));
        expect_storage_failure(r, words);
        EXPECT_NE(r.err.find("dflab: " + db + ": "), std::string::npos) << r.err;
    }
    fs::remove(db + "-shm");
    fs::remove(db + "-wal");
    expect_record_intact();
}

TEST_F(LabStorage, AWriteThatDoesNotFitIsADiskFailureAndStoresNothing) {
    // 2000 participants in one transaction need far more than 48 KiB of write-ahead log; the
    // shared-memory file (32 KiB) still fits, so the record opens and the write fails.
    std::ofstream csv(dir + "/many.csv");
    csv << "id,name,team,variant\n";
    for (int i = 0; i < 2000; ++i)
        csv << "q" << i << ",Participant number " << i << " with a longish name,team" << i % 7
            << ",0\n";
    csv.close();
    auto r = run_limited(48, command("lab participants --db " + shell_quote(db) + " import " +
                                     shell_quote(dir + "/many.csv")));
    expect_storage_failure(r, "disk I/O error");
    EXPECT_EQ(r.out.find("added"), std::string::npos) << r.out;
    expect_record_intact();
}

TEST_F(LabStorage, AFileThatOpensButIsNotALabRecordIsStillSaidToBeOne) {
    const std::string other = dir + "/other.sqlite";
    test::run("sqlite3 " + shell_quote(other) + " 'CREATE TABLE t (x)'");
    auto r = lab("lab scoreboard --db " + shell_quote(other));
    EXPECT_NE(r.exit_code, 0);
    EXPECT_EQ(test::lines(r.err).size(), 1u) << r.err;
    EXPECT_NE(r.err.find("dflab: " + other + ": not a dflab lab record"), std::string::npos)
        << r.err;
    std::ofstream(dir + "/text.sqlite") << "hello, this is not a database at all\n";
    r = lab("lab scoreboard --db " + shell_quote(dir + "/text.sqlite"));
    EXPECT_NE(r.exit_code, 0);
    EXPECT_NE(r.err.find("text.sqlite: not a dflab lab record (not an SQLite database)"),
              std::string::npos)
        << r.err;
}

TEST(SqliteStorage, AFullDatabaseIsSaidToBeFull) {
    const std::string dir = test::temp_dir();
    const std::string path = dir + "/full.sqlite";
    // sqlite3's words when max_page_count stops a write.
    auto oracle = test::run("sqlite3 " + shell_quote(dir + "/oracle.sqlite") +
                            " 'CREATE TABLE t (x); PRAGMA max_page_count = 2; "
                            "INSERT INTO t VALUES (randomblob(100000))'");
    ASSERT_NE(oracle.exit_code, 0);
    const std::string words = sqlite_words(oracle.err);
    ASSERT_EQ(words, "database or disk is full") << oracle.err;

    common::Database db(path, common::Database::Mode::Create);
    db.exec("CREATE TABLE t (x)");
    db.exec("PRAGMA max_page_count = 2");
    try {
        db.prepare("INSERT INTO t VALUES (randomblob(100000))").run();
        ADD_FAILURE() << "the insert should not fit";
    } catch (const common::StorageError& e) {
        EXPECT_EQ(e.reason(), "the disk is full (SQLite: " + words + ")");
        EXPECT_NE(std::string(e.what()).find("full.sqlite: the disk is full"), std::string::npos)
            << e.what();
    }
    try {
        db.exec("INSERT INTO t VALUES (randomblob(100000))");
        ADD_FAILURE() << "the insert should not fit";
    } catch (const common::StorageError& e) {
        EXPECT_EQ(std::string(e.what()), path + ": the disk is full (SQLite: " + words + ")");
    }
    fs::remove_all(dir);
}

}  // namespace
}  // namespace dflab
