// dflab analyze / query / hash: the case database against TSK's tools, yara's CLI and md5sum.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <tuple>

#include "tests/support/fixtures.hpp"

namespace dflab {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using test::dflab;
using test::fixture;
using test::run;
using test::shell_quote;

json query(const std::string& db, const std::string& sql) {
    auto r = dflab("query " + shell_quote(db) + " " + shell_quote(sql) + " --json");
    EXPECT_EQ(r.exit_code, 0) << sql << ": " << r.err;
    return json::parse(r.out);
}

std::string rules_file(const std::string& dir) {
    std::string path = dir + "/rules.yar";
    std::ofstream(path)
        << "rule password_file : credentials { meta: author = \"dflab tests\" strings: $p = "
           "\"password\" nocase condition: $p }\n"
           "rule png_image { condition: uint32be(0) == 0x89504E47 }\n"
           "rule deleted_text { strings: $d = \"its content is still on disk\" condition: $d }\n";
    return path;
}

class AnalyzeFat : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        dir_ = test::temp_dir();
        db_ = dir_ + "/case.sqlite";
        auto r = dflab("analyze " + shell_quote(fixture("fat16.img")) + " -r " +
                       shell_quote(rules_file(dir_)) + " -k " + shell_quote("СЕКРЕТНЫЙ КЛЮЧ") +
                       " -e " + shell_quote("hunter\\d") + " -o " + shell_quote(db_));
        ASSERT_EQ(r.exit_code, 0) << r.err;
    }
    static void TearDownTestSuite() { fs::remove_all(dir_); }
    static inline std::string dir_, db_;
};

TEST_F(AnalyzeFat, CaseIsCompleteAndVersioned) {
    auto info = query(db_, "SELECT key, value FROM case_info ORDER BY key");
    std::map<std::string, std::string> kv;
    for (const auto& row : info) kv[row["key"]] = row["value"];
    EXPECT_EQ(kv["complete"], "1");
    EXPECT_EQ(kv["schema_version"],
              "4");  // 2: FAT zones; 3: name_hex, path_hex, analyzer columns; 4: artifacts
    EXPECT_EQ(kv["fat_zone"], "UTC");
    // no temporary file is left beside the case
    for (const auto& e : fs::directory_iterator(dir_)) {
        EXPECT_EQ(e.path().filename().string().find(".partial"), std::string::npos) << e.path();
    }
}

TEST_F(AnalyzeFat, FilesAgreeWithFls) {
    auto fls = run("fls -r -p " + shell_quote(fixture("fat16.img")));
    ASSERT_EQ(fls.exit_code, 0);
    std::set<std::pair<std::string, bool>> expected;
    for (const auto& line : test::lines(fls.out)) {
        auto tab = line.find('\t');
        expected.insert({"/" + line.substr(tab + 1), line.find(" * ") == std::string::npos});
    }
    std::set<std::pair<std::string, bool>> got;
    for (const auto& row : query(db_, "SELECT path, allocated FROM files")) {
        got.insert({row["path"].get<std::string>(), row["allocated"].get<int>() == 1});
    }
    EXPECT_EQ(got, expected);
}

TEST_F(AnalyzeFat, HashesAgreeWithIcat) {
    auto rows = query(
        db_, "SELECT inode, md5, sha1, sha256 FROM files WHERE type = 'file' AND md5 IS NOT NULL");
    ASSERT_GE(rows.size(), 8u);
    for (const auto& row : rows) {
        std::string icat =
            "icat " + shell_quote(fixture("fat16.img")) + " " + row["inode"].get<std::string>();
        auto md5 = run(icat + " | md5sum"), sha1 = run(icat + " | sha1sum"),
             sha256 = run(icat + " | sha256sum");
        EXPECT_EQ(md5.out.substr(0, 32), row["md5"]) << row["inode"];
        EXPECT_EQ(sha1.out.substr(0, 40), row["sha1"]) << row["inode"];
        EXPECT_EQ(sha256.out.substr(0, 64), row["sha256"]) << row["inode"];
    }
}

TEST_F(AnalyzeFat, ExtensionMismatchIsTheDisguisedPng) {
    auto rows = query(db_, "SELECT path, mime FROM files WHERE extension_mismatch = 1");
    ASSERT_EQ(rows.size(), 1u) << rows.dump();
    EXPECT_EQ(rows[0]["path"], "/Photos/holiday.txt");
    EXPECT_EQ(rows[0]["mime"], "image/png");
}

TEST_F(AnalyzeFat, YaraMatchesAgreeWithYaraOverRecoveredFiles) {
    // The pipeline a user would otherwise script: tsk_recover -e, then yara -r.
    std::string out = dir_ + "/recovered";
    ASSERT_EQ(run("tsk_recover -e " + shell_quote(fixture("fat16.img")) + " " + shell_quote(out))
                  .exit_code,
              0);
    auto y = run("yara -r " + shell_quote(rules_file(dir_ + "/..")) + " " + shell_quote(out));
    std::set<std::pair<std::string, std::string>> expected;
    for (const auto& line : test::lines(y.out)) {
        auto sp = line.find(' ');
        expected.insert({line.substr(0, sp), line.substr(sp + 1 + out.size())});
    }
    std::set<std::pair<std::string, std::string>> got;
    for (const auto& row :
         query(db_, "SELECT m.rule, f.path FROM yara_matches m JOIN files f ON f.id = m.file_id")) {
        got.insert({row["rule"].get<std::string>(), row["path"].get<std::string>()});
    }
    EXPECT_EQ(got, expected);
    auto meta =
        query(db_, "SELECT tags, meta FROM yara_matches WHERE rule = 'password_file' LIMIT 1");
    ASSERT_EQ(meta.size(), 1u);
    EXPECT_EQ(meta[0]["tags"], "credentials");
    EXPECT_EQ(json::parse(meta[0]["meta"].get<std::string>())["author"], "dflab tests");
}

TEST_F(AnalyzeFat, KeywordHitsInUtf8AndUtf16) {
    auto rows = query(db_,
                      "SELECT f.path, h.encoding, h.offset, h.text FROM keyword_hits h JOIN files "
                      "f ON f.id = h.file_id "
                      "WHERE h.term = 'СЕКРЕТНЫЙ КЛЮЧ' ORDER BY f.path");
    std::set<std::pair<std::string, std::string>> got;
    for (const auto& r : rows)
        got.insert({r["path"].get<std::string>(), r["encoding"].get<std::string>()});
    EXPECT_TRUE(got.count({"/secrets.txt", "utf-8"})) << rows.dump();
    EXPECT_TRUE(got.count({"/Docs/utf16.bin", "utf-16le"})) << rows.dump();
    for (const auto& r : rows) {
        if (r["path"] == "/Docs/utf16.bin") {
            EXPECT_EQ(r["offset"], std::string("UTF-16LE follows: ").size());
            EXPECT_EQ(r["text"], "секретный ключ");
        }
    }
    auto regex = query(
        db_, "SELECT text FROM keyword_hits WHERE term = 'hunter\\d' AND file_id IS NOT NULL");
    ASSERT_FALSE(regex.empty());
    EXPECT_EQ(regex[0]["text"], "hunter2");
}

TEST_F(AnalyzeFat, QueryRefusesWrites) {
    for (const char* sql :
         {"DELETE FROM files", "INSERT INTO errors(message) VALUES ('x')", "DROP TABLE files",
          "UPDATE files SET md5 = ''", "CREATE TABLE t(x)", "PRAGMA journal_mode=WAL"}) {
        auto r = dflab("query " + shell_quote(db_) + " " + shell_quote(sql));
        EXPECT_NE(r.exit_code, 0) << sql;
        EXPECT_EQ(test::lines(r.err).size(), 1u) << r.err;
        EXPECT_EQ(r.err.rfind("dflab: ", 0), 0u) << r.err;
    }
    EXPECT_EQ(query(db_, "SELECT count(*) AS n FROM files WHERE md5 = ''")[0]["n"], 0);
    auto two = dflab("query " + shell_quote(db_) + " 'SELECT 1; SELECT 2'");
    EXPECT_NE(two.exit_code, 0);
    auto tsv = dflab("query " + shell_quote(db_) +
                     " 'SELECT path, size FROM files WHERE path = \"/README.TXT\"'");
    EXPECT_EQ(tsv.out, "path\tsize\n/README.TXT\t30\n");
}

TEST(Analyze, BadInputsLeaveNoCase) {
    const std::string dir = test::temp_dir();
    std::string junk = dir + "/junk.img";
    run("head -c 300000 /dev/urandom > " + shell_quote(junk));
    std::string bad_rule = dir + "/bad.yar";
    std::ofstream(bad_rule)
        << "rule ok { condition: true }\n\nrule broken { strings: $a = \"x\" condition: $b }\n";
    struct Case {
        std::string args, must_mention;
    };
    for (const auto& c : std::vector<Case>{
             {shell_quote(junk) + " -o " + shell_quote(dir + "/a.sqlite"), "junk.img"},
             {shell_quote(fixture("fat16.img")) + " -o " +
                  shell_quote(dir + "/no/such/dir/a.sqlite"),
              "no/such/dir"},
             {shell_quote(fixture("fat16.img")) + " -r " + shell_quote(bad_rule) + " -o " +
                  shell_quote(dir + "/b.sqlite"),
              "bad.yar:3"},
             {shell_quote(fixture("fat16.img")) + " -e " + shell_quote("([a-z") + " -o " +
                  shell_quote(dir + "/c.sqlite"),
              "([a-z"},
             {shell_quote(dir + "/missing.img") + " -o " + shell_quote(dir + "/d.sqlite"),
              "missing.img"},
         }) {
        auto r = dflab("analyze " + c.args);
        EXPECT_EQ(r.exit_code, 1) << c.args << "\n" << r.err;
        EXPECT_EQ(test::lines(r.err).size(), 1u) << r.err;
        EXPECT_NE(r.err.find(c.must_mention), std::string::npos) << r.err;
    }
    std::vector<std::string> left;
    for (const auto& e : fs::directory_iterator(dir)) left.push_back(e.path().filename());
    std::sort(left.begin(), left.end());
    EXPECT_EQ(left, (std::vector<std::string>{"bad.yar", "junk.img"}));
    // An existing case is not replaced without --force.
    std::ofstream(dir + "/exists.sqlite") << "keep me";
    auto r = dflab("analyze " + shell_quote(fixture("fat16.img")) + " -o " +
                   shell_quote(dir + "/exists.sqlite"));
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("already exists"), std::string::npos);
    auto q = dflab("query " + shell_quote(dir + "/exists.sqlite") + " 'SELECT 1'");
    EXPECT_EQ(q.exit_code, 1);
    EXPECT_EQ(test::lines(q.err).size(), 1u) << q.err;
    fs::remove_all(dir);
}

TEST(Analyze, EveryPartitionOfAnE01) {
    const std::string dir = test::temp_dir();
    const std::string db = dir + "/case.sqlite";
    auto r = dflab("analyze " + shell_quote(fixture("disk.E01")) + " -o " + shell_quote(db));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto image = query(db, "SELECT format, case_number, examiner, stored_md5 FROM images");
    ASSERT_EQ(image.size(), 1u);
    EXPECT_EQ(image[0]["format"], "E01");
    EXPECT_EQ(image[0]["case_number"], "CASE-001");
    auto parts = query(db,
                       "SELECT \"index\" AS i, start, filesystem, analysed FROM partitions WHERE "
                       "filesystem IS NOT NULL");
    ASSERT_EQ(parts.size(), 3u) << parts.dump();
    for (const auto& p : parts) {
        EXPECT_EQ(p["analysed"], 1);
        auto fls = run("fls -r -p -o " + std::to_string(p["start"].get<int>()) + " " +
                       shell_quote(fixture("mbr.img")));
        auto n = query(db, "SELECT count(*) AS n FROM files WHERE partition = " +
                               std::to_string(p["i"].get<int>()));
        EXPECT_EQ(n[0]["n"].get<size_t>(), test::lines(fls.out).size()) << p.dump();
    }
    fs::remove_all(dir);
}

// sqlite3's own answer (the CLI, not dflab) for a query on the case.
std::string sqlite(const std::string& db, const std::string& sql) {
    auto r = run("sqlite3 -readonly " + shell_quote(db) + " " + shell_quote(sql));
    EXPECT_EQ(r.exit_code, 0) << sql << ": " << r.err;
    return r.out;
}

TEST(Analyze, RecordsTheZoneFatTimesWereReadIn) {
    const std::string dir = test::temp_dir();
    const std::string db = dir + "/case.sqlite";
    auto r =
        dflab("analyze " + shell_quote(fixture("disk.E01")) +
              " --fat-zone Europe/Moscow --fat-zone 2=Asia/Almaty --json -o " + shell_quote(db));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto summary = json::parse(r.out);
    EXPECT_EQ(summary["fat_zones"], json({{"2", "Asia/Almaty"}, {"8", "Europe/Moscow"}}));
    EXPECT_EQ(sqlite(db, "SELECT value FROM case_info WHERE key = 'fat_zone'"), "Europe/Moscow\n");
    EXPECT_EQ(sqlite(db,
                     "SELECT \"index\" || '=' || ifnull(fat_zone, '-') FROM partitions WHERE "
                     "filesystem IS NOT NULL ORDER BY \"index\""),
              "2=Asia/Almaty\n4=-\n8=Europe/Moscow\n");
    // The files' times are the instants fls -z reads: compare as seconds (sqlite's strftime).
    for (const auto& [index, zone, start] :
         {std::tuple{2, "Asia/Almaty", 2048}, std::tuple{8, "Europe/Moscow", 17408}}) {
        auto fls = run("fls -z " + std::string(zone) + " -r -m / -o " + std::to_string(start) +
                       " " + shell_quote(fixture("mbr.img")));
        ASSERT_EQ(fls.exit_code, 0) << fls.err;
        std::set<std::string> want, got;
        for (const auto& line : test::lines(fls.out)) {
            std::vector<std::string> f;
            std::stringstream in(line);
            for (std::string x; std::getline(in, x, '|');) f.push_back(x);
            if (f.size() == 11 && f[8] != "0") want.insert(f[2] + "|" + f[7] + "|" + f[8]);
        }
        for (const auto& line :
             test::lines(sqlite(db,
                                "SELECT inode, strftime('%s', atime), strftime('%s', mtime) FROM "
                                "files WHERE mtime IS NOT NULL AND partition = " +
                                    std::to_string(index))))
            got.insert(line);
        EXPECT_GT(want.size(), 2u);
        EXPECT_EQ(got, want) << zone;
    }
    fs::remove_all(dir);
}

TEST(Hash, EveryFileAgreesWithIcat) {
    auto r = dflab("hash " + shell_quote(fixture("ext4.img")) + " --json");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    size_t n = 0;
    for (const auto& line : test::lines(r.out)) {
        auto j = json::parse(line);
        auto icat = run("icat " + shell_quote(fixture("ext4.img")) + " " +
                        j["inode"].get<std::string>() + " | sha256sum");
        EXPECT_EQ(icat.out.substr(0, 64), j["sha256"]) << j["path"];
        ++n;
    }
    EXPECT_GE(n, 5u);
}

}  // namespace
}  // namespace dflab
