// Command-line behaviour shared by the subcommands: pipes that close early, interruption,
// options given in any order, output shapes that scripts rely on.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "tests/support/fixtures.hpp"

namespace dflab {
namespace {

namespace fs = std::filesystem;
using test::dflab;
using test::fixture;
using test::run;
using test::shell_quote;

// An ext4 image with one large file, so that hashing it takes a noticeable time.
std::string large_image(const std::string& dir) {
    std::string tree = dir + "/tree", image = dir + "/large.img";
    fs::create_directories(tree);
    EXPECT_EQ(run("head -c 300000000 /dev/urandom > " + shell_quote(tree + "/big.bin")).exit_code,
              0);
    EXPECT_EQ(run("mke2fs -q -t ext4 -d " + shell_quote(tree) + " " + shell_quote(image) + " 360M")
                  .exit_code,
              0);
    fs::remove_all(tree);
    return image;
}

TEST(Commands, ClosedPipeEndsQuietly) {
    // `ls | head -1` closes the pipe early: no "parser crashed", no message, exit by SIGPIPE.
    auto r =
        run("bash -c " +
            shell_quote(
                shell_quote(DFLAB_BINARY) + " ls -r " + shell_quote(fixture("mbr.img")) +
                " --partition 2 --json | head -c 1 >/dev/null; echo \"status=${PIPESTATUS[0]}\""));
    EXPECT_EQ(r.err, "");
    EXPECT_TRUE(r.out == "status=141\n" || r.out == "status=0\n") << r.out;
}

TEST(Commands, InterruptedAnalyzeLeavesNoCase) {
    const std::string dir = test::temp_dir();
    const std::string image = large_image(dir);
    const std::string out = dir + "/case.sqlite";
    // Interrupt once the case is being written (its temporary file exists).
    const std::string script =
        shell_quote(DFLAB_BINARY) + " analyze " + shell_quote(image) + " -o " + shell_quote(out) +
        " & pid=$!; for i in $(seq 1 2000); do ls -a " + shell_quote(dir) +
        " | grep -q partial && break; sleep 0.005; done; kill -INT $pid; wait $pid";
    auto r = run("bash -c " + shell_quote(script));
    EXPECT_EQ(r.exit_code, 130) << r.err;
    EXPECT_EQ(r.err, "dflab: interrupted\n");
    std::vector<std::string> left;
    for (const auto& e : fs::directory_iterator(dir)) left.push_back(e.path().filename());
    EXPECT_EQ(left, std::vector<std::string>{"large.img"});
    fs::remove_all(dir);
}

TEST(Commands, RepeatableOptionsTakeOneValueEach) {
    // The image may come after or between repeatable options.
    auto r =
        dflab("search -k password " + shell_quote(fixture("fat16.img")) + " -k hunter2 --json");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    std::set<std::string> terms;
    for (const auto& line : test::lines(r.out)) terms.insert(nlohmann::json::parse(line)["term"]);
    EXPECT_EQ(terms, (std::set<std::string>{"password", "hunter2"}));
}

TEST(Commands, HashOfOneFileByPath) {
    auto r = dflab("hash " + shell_quote(fixture("ext4.img")) + " --path /docs/big.txt -a sha256");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto icat = run("icat " + shell_quote(fixture("ext4.img")) + " 14 | sha256sum");
    EXPECT_EQ(r.out, icat.out.substr(0, 64) + "  0:/docs/big.txt\n");
}

TEST(Commands, VerifyRejectsAMalformedExpectedHashBeforeReading) {
    auto r = dflab("verify " + shell_quote(fixture("fat16.img")) + " --expect 12345");
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(r.out, "");
    EXPECT_EQ(r.err, "dflab: expected hash '12345': not an MD5, SHA-1 or SHA-256 in hex\n");
}

TEST(Commands, QueryKeepsColumnOrderAndHeaders) {
    const std::string dir = test::temp_dir();
    const std::string db = dir + "/case.sqlite";
    ASSERT_EQ(
        dflab("analyze " + shell_quote(fixture("fat16.img")) + " -o " + shell_quote(db)).exit_code,
        0);
    auto j =
        dflab("query " + shell_quote(db) + " 'SELECT 2 AS zeta, 1 AS alpha, 3 AS alpha' --json");
    EXPECT_EQ(j.out, "[\n  {\n    \"zeta\": 2,\n    \"alpha\": 1,\n    \"alpha:2\": 3\n  }\n]\n");
    auto empty = dflab("query " + shell_quote(db) + " 'SELECT path, size FROM files WHERE 0'");
    EXPECT_EQ(empty.out, "path\tsize\n");
    fs::remove_all(dir);
}

TEST(Commands, UnreadableContentIsReportedNotHashedAsEmpty) {
    // NTFS $BadClus:$Bad claims gigabytes it does not store; its size cannot be read back.
    auto r = dflab("hash " + shell_quote(fixture("ntfs.img")) + " --json");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    bool seen = false;
    for (const auto& line : test::lines(r.out)) {
        auto e = nlohmann::json::parse(line);
        if (e["path"] != "/$BadClus:$Bad") continue;
        seen = true;
        EXPECT_FALSE(e.contains("sha256")) << line;
        EXPECT_NE(e.value("error", "").find("content ended after"), std::string::npos) << line;
    }
    EXPECT_TRUE(seen);
}

TEST(Commands, EverySubcommandHasHelp) {
    for (const char* cmd : {"info", "verify", "partitions", "ls", "cat", "hash", "yara", "search",
                            "timeline", "artifacts", "analyze", "query"}) {
        auto r = dflab(std::string(cmd) + " --help");
        EXPECT_EQ(r.exit_code, 0) << cmd;
        EXPECT_NE(r.out.find("Usage:"), std::string::npos) << cmd;
        EXPECT_NE(r.out.find("--help"), std::string::npos) << cmd;
    }
}

}  // namespace
}  // namespace dflab

namespace dflab {
namespace {

TEST(Commands, CatTakesThePathAsLastArgument) {
    auto r =
        test::dflab("cat " + test::shell_quote(test::fixture("fat16.img")) + " /Docs/report.txt");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto inode =
        test::run("ifind -n /Docs/report.txt " + test::shell_quote(test::fixture("fat16.img")));
    ASSERT_EQ(inode.exit_code, 0) << inode.err;
    auto icat =
        test::run("icat " + test::shell_quote(test::fixture("fat16.img")) + " " + inode.out);
    EXPECT_EQ(r.out, icat.out);
    // Windows-style path, any case, on a split image given by its first segment
    auto win = test::dflab("cat " + test::shell_quote(test::fixture("split.001")) +
                           " '\\DOCS\\REPORT.TXT'");
    EXPECT_EQ(win.out, icat.out) << win.err;
}

}  // namespace
}  // namespace dflab
