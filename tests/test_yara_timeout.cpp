// A YARA scan that exceeds --timeout: reported once, with the file's path named once, on the
// terminal, in the exit code and in the case database; the other files are still scanned.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/support/fixtures.hpp"

namespace dflab {
namespace {

namespace fs = std::filesystem;
using test::dflab;
using test::run;
using test::shell_quote;

size_t occurrences(const std::string& text, const std::string& part) {
    size_t n = 0;
    for (size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
    return n;
}

class YaraTimeout : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        dir_ = test::temp_dir();
        fs::create_directories(dir_ + "/tree");
        std::ofstream(dir_ + "/tree/zeros.bin") << std::string(100000, '\0');
        std::ofstream(dir_ + "/tree/note.txt") << "password\n";
        auto r = run("mke2fs -q -F -t ext4 -d " + shell_quote(dir_ + "/tree") + " " +
                     shell_quote(image()) + " 4M");
        ASSERT_EQ(r.exit_code, 0) << r.err;
        // Quadratic in the file size: the 100,000-byte file takes far longer than a second,
        // the 9-byte note no time.
        std::ofstream(rules()) << "rule slow { condition: for all i in (0..filesize) : "
                                  "(for all j in (0..filesize) : (uint8(i) == uint8(j))) }\n"
                                  "rule password { strings: $p = \"password\" condition: $p }\n";
    }
    static void TearDownTestSuite() { fs::remove_all(dir_); }
    static std::string image() { return dir_ + "/t.img"; }
    static std::string rules() { return dir_ + "/slow.yar"; }
    static inline std::string dir_;
};

TEST_F(YaraTimeout, AnalyzeRecordsItOnceAndExitsTwo) {
    const std::string db = dir_ + "/case.sqlite";
    auto r = dflab("analyze " + shell_quote(image()) + " -r " + shell_quote(rules()) +
                   " --timeout 1 --no-unallocated -o " + shell_quote(db));
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_NE(r.err.find("/zeros.bin: YARA scan timed out after 1 s"), std::string::npos) << r.err;
    EXPECT_EQ(occurrences(r.err, "zeros.bin"), 1u) << r.err;

    auto q = run("sqlite3 " + shell_quote(db) + " " +
                 shell_quote("SELECT message FROM errors WHERE message LIKE '%zeros.bin%'"));
    ASSERT_EQ(q.exit_code, 0) << q.err;
    EXPECT_EQ(q.out, "/zeros.bin: YARA scan timed out after 1 s\n");
    q = run("sqlite3 " + shell_quote(db) + " " +
            shell_quote("SELECT content_error FROM files WHERE name = 'zeros.bin'"));
    EXPECT_EQ(q.out, "YARA scan timed out after 1 s\n");
    // The other file was scanned and matched; the partition was walked to the end.
    q = run(
        "sqlite3 " + shell_quote(db) + " " +
        shell_quote("SELECT f.name, m.rule FROM yara_matches m JOIN files f ON f.id = m.file_id "
                    "ORDER BY f.name, m.rule"));
    EXPECT_EQ(q.out, "note.txt|password\n");
}

TEST_F(YaraTimeout, YaraCommandWarnsOnceAndExitsTwo) {
    auto r = dflab("yara " + shell_quote(image()) + " -r " + shell_quote(rules()) +
                   " --timeout 1 --no-unallocated");
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_EQ(occurrences(r.err, "zeros.bin"), 1u) << r.err;
    EXPECT_NE(r.err.find("YARA scan timed out after 1 s"), std::string::npos) << r.err;
    EXPECT_NE(r.out.find("password 0:/note.txt"), std::string::npos) << r.out;
}

TEST_F(YaraTimeout, ABadTimeoutIsRefused) {
    auto r = dflab("yara " + shell_quote(image()) + " -r " + shell_quote(rules()) + " --timeout 0");
    EXPECT_NE(r.exit_code, 0);
    EXPECT_NE(r.err.find("--timeout"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace dflab
