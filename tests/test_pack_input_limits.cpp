// Pack files that are hostile or broken as text (issue 15): `dflab pack validate` and `pack build`
// refuse a pack.yaml or question file that is a link to /dev/zero, a FIFO, larger than 4 MiB, an
// alias bomb or nested 10,000 levels deep, and a YARA rule file that is a FIFO, at once, with one
// line naming the file and the limit, and build nothing.
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>

#include "tests/support/fixtures.hpp"
#include "tests/support/hostile_yaml.hpp"
#include "tests/support/pack_helpers.hpp"

namespace dflab {
namespace {

namespace fs = std::filesystem;
using test::shell_quote;

const std::string kQuestion = "pack/questions/01-image-hash.yaml";

void write(const fs::path& path, const std::string& text) {
    std::ofstream(path, std::ios::binary) << text;
}

// A copy of the intro pack as `pack` inside a fresh folder; returns that folder.
fs::path pack_copy() {
    return test::intro_copy().parent_path();
}

// `dflab pack ARGS` run inside `dir` (so that messages name pack/..., not a path under /tmp),
// stopped after 120 s: a read that never ends fails the test, not hangs it.
test::CommandResult pack_in(const fs::path& dir, const std::string& args) {
    return test::run("cd " + shell_quote(dir.string()) + " && timeout 120 " +
                     shell_quote(DFLAB_BINARY) + " pack " + args);
}

// Both commands refuse the pack with exactly `message` on one line, and build has left no output.
void expect_refused(const fs::path& dir, const std::string& message) {
    for (const std::string args : {"validate pack", "build pack -o out"}) {
        auto r = pack_in(dir, args);
        EXPECT_EQ(r.exit_code, 1) << args << ": " << r.err;
        EXPECT_EQ(r.err, "dflab: " + message + "\n") << args;  // one line
        EXPECT_EQ(r.err.find("/tmp/"), std::string::npos) << r.err;
    }
    EXPECT_FALSE(fs::exists(dir / "out"));
}

TEST(PackInputLimits, APackYamlThatLinksToDevZeroIsRefusedUnread) {
    fs::path dir = pack_copy();
    fs::remove(dir / "pack/pack.yaml");
    fs::create_symlink("/dev/zero", dir / "pack/pack.yaml");
    expect_refused(
        dir, "pack/pack.yaml: not a regular file (a folder, device or pipe); not a pack file");
}

TEST(PackInputLimits, AQuestionFileThatIsAFifoIsRefusedWithoutWaiting) {
    fs::path dir = pack_copy();
    fs::remove(dir / kQuestion);
    ASSERT_EQ(::mkfifo((dir / kQuestion).c_str(), 0600), 0);
    expect_refused(
        dir, kQuestion + ": not a regular file (a folder, device or pipe); not a question file");
}

TEST(PackInputLimits, AQuestionFileThatLinksOutsideThePackIsRefused) {
    fs::path dir = pack_copy();
    fs::remove(dir / kQuestion);
    fs::create_symlink("/dev/zero", dir / kQuestion);
    auto r = pack_in(dir, "validate pack");
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_NE(r.err.find("'questions/01-image-hash.yaml' escapes the pack folder"),
              std::string::npos)
        << r.err;
}

TEST(PackInputLimits, AQuestionFileOver4MiBIsRefused) {
    fs::path dir = pack_copy();
    write(dir / kQuestion, test::padded_text("id: big\n", 5u << 20));
    expect_refused(dir, kQuestion + ": larger than 4 MiB; not a question file");
}

TEST(PackInputLimits, AnAliasBombInAQuestionFileIsRefused) {
    fs::path dir = pack_copy();
    write(dir / kQuestion, test::billion_laughs());
    expect_refused(dir, kQuestion +
                            ":6:8: aliases expand to more than 100000 values (an alias counts "
                            "every value it stands for); write fewer aliases");
}

// A Latin-1 byte (what an editor set to CP1252 writes for é) anywhere in the file, not only in the
// values read as text: fuzzing found one in a map step's results reaching the JSON writer, which
// threw an exception that named no file.
TEST(PackInputLimits, AQuestionFileThatIsNotUtf8IsRefusedAtTheFirstBadByte) {
    fs::path dir = pack_copy();
    std::string text = test::read_file((dir / kQuestion).string());
    const auto at = text.find("{en: Verify");
    ASSERT_NE(at, std::string::npos);
    text.replace(at + 6, 1, "\xe9");  // "Verify" -> "V\xe9rify"
    write(dir / kQuestion, text);
    // Line 2 is "title: {en: V\xe9rify ...": the byte stands at column 14.
    expect_refused(dir, kQuestion + ":2:14: byte 0xE9 is not valid UTF-8; save the file as UTF-8");
}

TEST(PackInputLimits, APackYamlNestedTenThousandLevelsDeepIsRefused) {
    fs::path dir = pack_copy();
    write(dir / "pack/pack.yaml",
          "id: " + std::string(10000, '[') + std::string(10000, ']') + "\n");
    // The top map is level 1; the 64th '[' (column 5 + 63) would be level 65.
    expect_refused(dir,
                   "pack/pack.yaml:1:68: nested more than 64 levels deep; flatten the lists and "
                   "maps");
}

TEST(PackInputLimits, ARuleFileThatIsAFifoIsRefused) {
    fs::path dir = pack_copy();
    fs::remove(dir / "pack/rules/intro.yar");
    ASSERT_EQ(::mkfifo((dir / "pack/rules/intro.yar").c_str(), 0600), 0);
    const std::string text = test::read_file((dir / "pack/pack.yaml").string());
    const auto at = text.find("rules: [rules/intro.yar]");
    ASSERT_NE(at, std::string::npos);
    const auto line = std::count(text.begin(), text.begin() + static_cast<long>(at), '\n') + 1;
    // The path stands after "rules: [", at column 9.
    expect_refused(dir, "pack/pack.yaml:" + std::to_string(line) +
                            ":9: 'rules/intro.yar' is not a regular file (a folder, device or "
                            "pipe); name a YARA rule file");
}

}  // namespace
}  // namespace dflab
