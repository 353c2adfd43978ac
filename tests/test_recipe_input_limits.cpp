// Recipes that are hostile or broken as text, and tools that fail (issue 15): `dflab image build`
// refuses a recipe that is a link to /dev/zero, a FIFO, larger than 4 MiB, an alias bomb or
// nested 10,000 levels deep at once, with one line naming the file and the limit; a FAT16 root
// folder that runs out of entries is said in dflab's words, at the recipe line, without the
// tool's text or a temporary path; and no output is left behind that looks complete.
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <fstream>
#include <string>

#include "tests/support/fixtures.hpp"
#include "tests/support/hostile_yaml.hpp"

namespace dflab {
namespace {

namespace fs = std::filesystem;
using test::shell_quote;

void write(const fs::path& path, const std::string& text) {
    std::ofstream(path, std::ios::binary) << text;
}

// `dflab image build recipe.yaml -o out` run inside `dir` (so that messages name recipe.yaml, not
// a path under /tmp), stopped after 120 s: a read that never ends fails the test, not hangs it.
test::CommandResult build_in(const fs::path& dir, const std::string& recipe = "recipe.yaml") {
    return test::run("cd " + shell_quote(dir.string()) + " && timeout 120 " +
                     shell_quote(DFLAB_BINARY) + " image build " + shell_quote(recipe) + " -o out");
}

// Nothing in out/ that looks like an image or its truth (nor a half-built folder).
void expect_no_output(const fs::path& dir) {
    std::error_code ec;
    if (!fs::exists(dir / "out", ec)) return;
    for (const auto& entry : fs::directory_iterator(dir / "out"))
        ADD_FAILURE() << "left behind: " << entry.path();
}

// The message must be exactly one line.
void expect_one_line_error(const test::CommandResult& r, const std::string& message) {
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_EQ(r.err, "dflab: " + message + "\n");
    EXPECT_EQ(r.err.find("/tmp/"), std::string::npos) << r.err;
}

// `dflab image build` refuses recipe.yaml in `dir` with exactly `message` and leaves nothing.
void expect_refused(const fs::path& dir, const std::string& message) {
    expect_one_line_error(build_in(dir), message);
    expect_no_output(dir);
}

TEST(RecipeInputLimits, ALinkToDevZeroIsRefusedUnread) {
    fs::path dir = test::temp_dir();
    fs::create_symlink("/dev/zero", dir / "recipe.yaml");
    expect_refused(dir, "recipe.yaml: not a regular file (a folder, device or pipe); not a recipe");
}

TEST(RecipeInputLimits, AFifoIsRefusedWithoutWaitingForAWriter) {
    fs::path dir = test::temp_dir();
    ASSERT_EQ(::mkfifo((dir / "recipe.yaml").c_str(), 0600), 0);
    expect_refused(dir, "recipe.yaml: not a regular file (a folder, device or pipe); not a recipe");
}

TEST(RecipeInputLimits, ARecipeOver4MiBIsRefused) {
    fs::path dir = test::temp_dir();
    write(dir / "recipe.yaml", test::padded_text("name: big\n", 5u << 20));
    expect_refused(dir, "recipe.yaml: larger than 4 MiB; not a recipe");
}

// test::billion_laughs (tests/support/hostile_yaml.hpp) says how the values are counted.
TEST(RecipeInputLimits, AnAliasBombIsRefusedWhereItPassesTheLimit) {
    fs::path dir = test::temp_dir();
    write(dir / "recipe.yaml", test::billion_laughs());
    // Line 6 is "f: &f [*e,...": the first alias stands at column 8.
    expect_refused(dir,
                   "recipe.yaml:6:8: aliases expand to more than 100000 values (an alias "
                   "counts every value it stands for); write fewer aliases");
}

TEST(RecipeInputLimits, NestingTenThousandLevelsDeepIsRefusedAtLevel65) {
    fs::path dir = test::temp_dir();
    write(dir / "recipe.yaml", "x: " + std::string(10000, '[') + std::string(10000, ']') + "\n");
    // The top map is level 1; the 64th '[' (column 4 + 63) would be level 65.
    expect_refused(dir,
                   "recipe.yaml:1:67: nested more than 64 levels deep; flatten the lists and maps");
}

TEST(RecipeInputLimits, MoreThan100000ValuesAreRefusedWithoutAliasesToo) {
    fs::path dir = test::temp_dir();
    std::string text = "x: [1";
    for (int i = 1; i < 100001; ++i) text += ",1";
    write(dir / "recipe.yaml", text + "]\n");
    // The map, the key and the list are 3 values; scalar number 99,998 (at column 5 + 2 x
    // 99,997) is value 100,001.
    expect_refused(dir, "recipe.yaml:1:199999: more than 100000 values; split the file");
}

TEST(RecipeInputLimits, AnAliasInsideTheValueItNamesIsRefused) {
    fs::path dir = test::temp_dir();
    write(dir / "recipe.yaml", "a: &a [*a]\n");
    expect_refused(dir,
                   "recipe.yaml:1:8: an alias refers to the value it stands in; a value "
                   "cannot contain itself");
}

// (A link to /dev/zero leads outside the recipe's folder and is refused for that.)
TEST(RecipeInputLimits, AnAssetThatIsAFifoIsRefused) {
    fs::path dir = test::temp_dir();
    ASSERT_EQ(::mkfifo((dir / "zero.bin").c_str(), 0600), 0);
    write(dir / "recipe.yaml",
          "name: asset\nstart: 2023-08-19T12:00:00Z\ndisk:\n  size: 16MiB\n  table: none\n"
          "  partitions:\n    - id: p\n      filesystem: fat16\nactions:\n"
          "  - write: /ZERO.BIN\n    asset: zero.bin\n");
    expect_refused(dir,
                   "recipe.yaml:11:12: asset 'zero.bin' is not a regular file (a folder, "
                   "device or pipe); name a file");
}

// The number of root folder entries mkfs.fat gives a 16 MiB FAT16 volume, read from the boot
// sector it writes (bytes 17-18, BPB_RootEntCnt): the oracle for where the recipe must stop.
unsigned fat16_root_entries(const fs::path& dir) {
    const fs::path image = dir / "oracle.img";
    auto made =
        test::run("truncate -s 16M " + shell_quote(image.string()) + " && mkfs.fat -F 16 -S 512 " +
                  shell_quote(image.string()) + " >/dev/null");
    EXPECT_EQ(made.exit_code, 0) << made.err;
    std::ifstream in(image, std::ios::binary);
    std::array<unsigned char, 512> boot{};
    in.read(reinterpret_cast<char*>(boot.data()), boot.size());
    return boot[17] | (boot[18] << 8);
}

TEST(RecipeInputLimits, AFullFat16RootFolderIsSaidInDflabsWordsAtTheRecipeLine) {
    fs::path dir = test::temp_dir();
    const unsigned entries = fat16_root_entries(dir);
    ASSERT_GT(entries, 0u);
    ASSERT_LT(entries, 600u);
    std::string text =
        "name: full-root\nseed: 1\nstart: 2023-08-19T12:00:00Z\ndisk:\n  size: 16MiB\n"
        "  table: none\n  partitions:\n    - id: p\n      filesystem: fat16\nactions:\n";
    for (int i = 0; i < 600; ++i)
        text += "  - write: /F" + std::to_string(i) + ".TXT\n    text: x\n";
    write(dir / "recipe.yaml", text);
    // No volume label: every 8.3 name takes one entry, so file number `entries` (0-based) is
    // the first that finds the root folder full.
    const std::string failing = "/F" + std::to_string(entries) + ".TXT";
    const auto at = text.find("  - write: " + failing + "\n");
    ASSERT_NE(at, std::string::npos);
    const auto line = std::count(text.begin(), text.begin() + static_cast<long>(at), '\n') + 1;
    auto r = build_in(dir);
    expect_one_line_error(r, "recipe.yaml:" + std::to_string(line) + ":5: " + failing +
                                 ": the FAT16 root folder is full (it holds " +
                                 std::to_string(entries) +
                                 " entries, and a long name takes more than one); put the files "
                                 "in a subfolder or use fat32");
    // Neither the tool's name nor its own words.
    EXPECT_EQ(r.err.find("mcopy"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("No directory slots"), std::string::npos) << r.err;
    expect_no_output(dir);
}

}  // namespace
}  // namespace dflab
