// The recipe parser: every example recipe parses, and each kind of bad input is reported at the
// right FILE:LINE:COLUMN with a message that says what to do.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>

#include "images/recipe_parser.hpp"
#include "tests/support/fixtures.hpp"

namespace fs = std::filesystem;
using namespace dflab::images;

namespace {

class RecipeParser : public ::testing::Test {
  protected:
    void SetUp() override { dir_ = dflab::test::temp_dir(); }
    void TearDown() override { fs::remove_all(dir_); }

    std::string write(const std::string& name, const std::string& text) {
        fs::path p = fs::path(dir_) / name;
        fs::create_directories(p.parent_path());
        std::ofstream(p, std::ios::binary) << text;
        return p.string();
    }

    Recipe parse(const std::string& yaml, unsigned variant = 0) {
        return parse_recipe(write("recipe.yaml", yaml), ParseOptions{variant});
    }

    // Parses `yaml` and expects an error at line:column whose message contains `fragment`.
    void expect_error(const std::string& yaml, int line, int column, const std::string& fragment) {
        std::string path = write("recipe.yaml", yaml);
        try {
            parse_recipe(path, {});
            ADD_FAILURE() << "no error; expected " << line << ":" << column << " " << fragment;
        } catch (const RecipeError& e) {
            std::string what = e.what();
            std::string prefix =
                path + ":" + std::to_string(line) + ":" + std::to_string(column) + ": ";
            EXPECT_EQ(what.substr(0, prefix.size()), prefix) << what;
            EXPECT_NE(what.find(fragment), std::string::npos) << what;
            EXPECT_EQ(what.find('\n'), std::string::npos) << what;
            EXPECT_NE(what.find("; "), std::string::npos) << "no advice: " << what;
        }
    }

    std::string dir_;
};

// A small valid disk that bad recipes below change one thing in.
const std::string kDisk =
    "disk:\n"                     // 1
    "  size: 16MiB\n"             // 2
    "  partitions:\n"             // 3
    "    - id: p1\n"              // 4
    "      filesystem: fat16\n";  // 5

int64_t utc(const std::string& iso) {
    return *parse_time(iso, "UTC");
}

}  // namespace

TEST_F(RecipeParser, EveryExampleParses) {
    size_t count = 0;
    for (auto& entry : fs::directory_iterator(fs::path(DFLAB_SOURCE_DIR) / "images/examples")) {
        if (entry.path().extension() != ".yaml") continue;
        SCOPED_TRACE(entry.path().string());
        ++count;
        Recipe r0 = parse_recipe(entry.path().string(), {0});
        Recipe r1 = parse_recipe(entry.path().string(), {1});
        EXPECT_FALSE(r0.disk.partitions.empty());
        EXPECT_FALSE(r0.actions.empty());
        EXPECT_FALSE(r0.variables.empty());
        EXPECT_NE(r0.variables, r1.variables) << "variants 0 and 1 should differ";
        EXPECT_EQ(r0.folder, fs::canonical(entry.path().parent_path()).string());
    }
    EXPECT_GE(count, 4u);
}

TEST_F(RecipeParser, UsbExample) {
    Recipe r = parse_recipe(std::string(DFLAB_SOURCE_DIR) + "/images/examples/usb-fat32-mbr.yaml");
    EXPECT_EQ(r.name, "usb-stick");
    EXPECT_EQ(r.timezone, "Asia/Almaty");
    EXPECT_EQ(r.disk.table, PartitionTable::Mbr);
    ASSERT_EQ(r.disk.partitions.size(), 1u);
    const PartitionSpec& p = r.disk.partitions[0];
    EXPECT_EQ(p.filesystem, FileSystemType::Fat32);
    EXPECT_EQ(p.start, 2048u);
    EXPECT_EQ(p.size, 63u * 1024 * 1024);  // the rest of the disk
    EXPECT_EQ(p.serial, "5A3C19E2");
    EXPECT_EQ(p.cluster_size, 512u);
    ASSERT_EQ(r.actions.size(), 6u);
    // The first action has no at: and takes the recipe's start (09:00 in Almaty, +05 from March
    // 2024 in current tzdata, +06 before): check it is the same instant as parse_time says.
    EXPECT_EQ(r.actions[0].time, *parse_time("2024-03-01T09:00:00", "Asia/Almaty"));
    const auto& note = std::get<WriteFile>(r.actions[1].kind);
    EXPECT_EQ(note.path, "/Документы/заметка.txt");
    EXPECT_EQ(note.artifact_id, "note");
    const std::string& text = std::get<TextContent>(note.content).text;
    EXPECT_NE(text.find("Встреча с " + r.variables.at("owner")), std::string::npos) << text;
    EXPECT_NE(text.find(r.variables.at("amount") + " тенге"), std::string::npos) << text;
    EXPECT_TRUE(std::holds_alternative<Delete>(r.actions[3].kind));
    EXPECT_EQ(r.actions[4].time, r.actions[3].time);  // no at: takes the previous time
    const auto& hide = std::get<HideData>(r.actions[5].kind);
    EXPECT_EQ(hide.where, HideData::Where::Unallocated);
    EXPECT_EQ(hide.partition, "p1");
    EXPECT_EQ(hide.offset, 8u * 1024 * 1024);
    EXPECT_EQ(r.actions[5].partition, "");
    EXPECT_EQ(r.case_metadata.description, "USB stick seized from " + r.variables.at("owner"));
}

TEST_F(RecipeParser, Sizes) {
    EXPECT_EQ(parse_size("512"), 512u);
    EXPECT_EQ(parse_size("512B"), 512u);
    EXPECT_EQ(parse_size("4KiB"), 4096u);
    EXPECT_EQ(parse_size("4kib"), 4096u);
    EXPECT_EQ(parse_size("64MiB"), 64u << 20);
    EXPECT_EQ(parse_size("1.5 GiB"), 1536u << 20);
    EXPECT_EQ(parse_size("10MB"), 10000000u);
    EXPECT_EQ(parse_size("10mb"), 10000000u);
    EXPECT_EQ(parse_size("2TB"), 2000000000000u);
    EXPECT_FALSE(parse_size("1.3KiB"));  // 1331.2 bytes
    EXPECT_FALSE(parse_size("64 MeB"));
    EXPECT_FALSE(parse_size("-1"));
    EXPECT_FALSE(parse_size("1e3"));
    EXPECT_FALSE(parse_size("99999999999TiB"));
    EXPECT_FALSE(parse_size(""));
}

TEST_F(RecipeParser, Times) {
    EXPECT_EQ(parse_time("1970-01-01T00:00:00Z", "UTC"), 0);
    EXPECT_EQ(parse_time("2024-03-01T10:00:00Z", "Asia/Almaty"), utc("2024-03-01T10:00:00"));
    EXPECT_EQ(parse_time("2024-03-01T10:00:00+05:00", "UTC"), utc("2024-03-01T05:00:00"));
    EXPECT_EQ(parse_time("2024-03-01T10:00:00-0130", "UTC"), utc("2024-03-01T11:30:00"));
    // No offset: the zone's offset (Almaty was +06 all of 2023).
    EXPECT_EQ(parse_time("2023-06-01T10:00:00", "Asia/Almaty"), utc("2023-06-01T04:00:00"));
    EXPECT_FALSE(parse_time("2024-02-30T10:00:00", "UTC"));
    EXPECT_FALSE(parse_time("2024-03-01 25:00:00", "UTC"));
    EXPECT_FALSE(parse_time("01.03.2024 10:00", "UTC"));
    EXPECT_FALSE(parse_time("2024-03-01T10:00:00+5", "UTC"));
    EXPECT_FALSE(parse_time("2024-03-31T02:30:00", "Europe/Berlin"));  // skipped by DST
    EXPECT_FALSE(parse_time("2024-10-27T02:30:00", "Europe/Berlin"));  // happens twice
}

TEST_F(RecipeParser, TimeZoneApplied) {
    Recipe r = parse(
        "timezone: Asia/Almaty\n"
        "start: 2023-06-01T10:00:00\n" +
        kDisk +
        "actions:\n"
        "  - mkdir: /a\n"
        "  - at: 2023-06-01T12:00:00Z\n"
        "    mkdir: /b\n"
        "  - at: 2023-06-01T12:00:00+03:00\n"
        "    mkdir: /c\n");
    ASSERT_EQ(r.actions.size(), 3u);
    EXPECT_EQ(r.actions[0].time, utc("2023-06-01T04:00:00"));
    EXPECT_EQ(r.actions[1].time, utc("2023-06-01T12:00:00"));
    EXPECT_EQ(r.actions[2].time, utc("2023-06-01T09:00:00"));
}

TEST_F(RecipeParser, DefaultsAndLayout) {
    Recipe r = parse(
        "disk:\n"
        "  size: 100MiB\n"
        "  table: mbr\n"
        "  partitions:\n"
        "    - {id: a, filesystem: fat16, size: 20MiB}\n"
        "    - {id: b, filesystem: ext4, size: 30000KiB}\n"
        "    - {id: c, filesystem: ntfs, size: 10MiB, logical: true}\n"
        "    - {id: d, filesystem: ext2, logical: true}\n");
    EXPECT_EQ(r.name, "recipe");
    EXPECT_EQ(r.seed, 0u);
    EXPECT_EQ(r.timezone, "UTC");
    EXPECT_TRUE(r.actions.empty());
    auto& p = r.disk.partitions;
    ASSERT_EQ(p.size(), 4u);
    EXPECT_EQ(p[0].start, 2048u);
    EXPECT_EQ(p[1].start, 2048u + 20 * 2048);
    // b ends at 43008 + 60000 = 103008 sectors; c is logical, so it needs a free sector for
    // its EBR and starts at the next MiB boundary after 103009.
    EXPECT_EQ(p[2].start, 104448u);
    EXPECT_EQ(p[3].start, 104448u + 10 * 2048 + 2048);
    EXPECT_EQ(p[3].size, (100u * 2048 - *p[3].start) * 512);

    Recipe g = parse(
        "disk:\n"
        "  size: 8MiB\n"
        "  table: gpt\n"
        "  partitions:\n"
        "    - {id: a, filesystem: ext4}\n");
    EXPECT_EQ(g.disk.partitions[0].start, 2048u);
    EXPECT_EQ(g.disk.partitions[0].size, (8u * 2048 - 33 - 2048) * 512);  // backup GPT at the end

    Recipe bare = parse(kDisk + "  table: none\n");
    EXPECT_EQ(bare.disk.table, PartitionTable::None);
    EXPECT_EQ(bare.disk.partitions[0].start, 0u);
    EXPECT_EQ(bare.disk.partitions[0].size, 16u << 20);
}

TEST_F(RecipeParser, AllActionsAndContents) {
    write("assets/a.bin", "0123456789");
    Recipe r = parse(
        "start: 2024-01-01T00:00:00Z\n"
        "disk:\n"
        "  size: 32MiB\n"
        "  partitions:\n"
        "    - {id: p1, filesystem: ntfs, size: 8MiB}\n"
        "    - {id: p2, filesystem: ext4, start: 20MiB}\n"
        "actions:\n"
        "  - {partition: p1, mkdir: /d}\n"
        "  - {partition: p1, write: /d/a.txt, text: hi, id: a}\n"
        "  - {partition: p1, write: /d/b.bin, base64: 'AAEC', id: b}\n"
        "  - {partition: p1, write: /d/c.bin, asset: assets/a.bin}\n"
        "  - {partition: p1, write: /d/r.bin, random: {size: 1KiB}}\n"
        "  - {partition: p1, write: /d/x.pdf, generate: {type: pdf, title: T, text: body}}\n"
        "  - {partition: p1, touch: /d/a.txt, mtime: 2020-01-01T00:00:00Z}\n"
        "  - {partition: p1, rename: /d, to: /e}\n"
        "  - {partition: p1, delete: /e/c.bin, overwrite: true}\n"
        "  - {partition: p1, slack: /e/r.bin, text: s, id: s}\n"
        "  - {partition: p1, stream: /E/A.TXT, name: Zone.Identifier, text: z, id: z}\n"
        "  - {hide: gap, partition: p1, text: g, id: g}\n"
        "  - {hide: offset, offset: 31MiB, text: o}\n"
        "  - {partition: p2, write: /x, text: ''}\n");
    ASSERT_EQ(r.actions.size(), 14u);
    EXPECT_EQ(std::get<Base64Content>(std::get<WriteFile>(r.actions[2].kind).content).base64,
              "AAEC");
    const auto& asset = std::get<AssetContent>(std::get<WriteFile>(r.actions[3].kind).content);
    EXPECT_EQ(asset.path, (fs::canonical(dir_) / "assets/a.bin").string());
    EXPECT_EQ(std::get<RandomContent>(std::get<WriteFile>(r.actions[4].kind).content).size, 1024u);
    const auto& pdf = std::get<GeneratedContent>(std::get<WriteFile>(r.actions[5].kind).content);
    EXPECT_EQ(pdf.type, "pdf");
    EXPECT_EQ(pdf.options.at("title"), "T");
    const auto& touch = std::get<SetTimes>(r.actions[6].kind);
    EXPECT_EQ(touch.times.mtime, utc("2020-01-01T00:00:00"));
    EXPECT_FALSE(touch.times.atime);
    EXPECT_EQ(std::get<Rename>(r.actions[7].kind).to, "/e");
    EXPECT_TRUE(std::get<Delete>(r.actions[8].kind).overwrite);
    EXPECT_EQ(std::get<WriteSlack>(r.actions[9].kind).artifact_id, "s");
    EXPECT_EQ(std::get<WriteStream>(r.actions[10].kind).stream, "Zone.Identifier");
    EXPECT_EQ(std::get<HideData>(r.actions[11].kind).where, HideData::Where::Gap);
    EXPECT_EQ(std::get<HideData>(r.actions[12].kind).offset, 31u << 20);
    EXPECT_EQ(r.actions[13].partition, "p2");
}

TEST_F(RecipeParser, BrokenYaml) {
    expect_error("disk:\n  size: [1, 2\n  table: mbr\n", 3, 8, "the YAML is broken");
}

TEST_F(RecipeParser, UnknownKey) {
    expect_error(kDisk + "      sise: 1MiB\n", 6, 7,
                 "unknown key 'sise' in partition 1 (did you mean 'size'?)");
    expect_error(kDisk + "      sise: 1MiB\n", 6, 7, "allowed keys: id, filesystem, start, size");
    expect_error("nmae: x\n" + kDisk, 1, 1, "unknown key 'nmae' in the recipe");
    expect_error(kDisk + "actions:\n  - mkdir: /a\n    at: 2024-01-01T00:00:00Z\n    text: x\n", 9,
                 5, "'text' does not belong in action 1 (mkdir)");
    expect_error(kDisk + "actions:\n  - wirte: /a\n", 7, 5,
                 "unknown key 'wirte' in action 1 (did you mean 'write'?)");
    expect_error(kDisk + "      id: p2\n", 6, 7, "appears twice");
}

TEST_F(RecipeParser, WrongType) {
    expect_error("disk:\n  size: 16MiB\n  partitions:\n    id: p1\n", 4, 5,
                 "'partitions' must be a list of partitions, not a map");
    expect_error("disk:\n  size: [16, MiB]\n  partitions: []\n", 2, 9, "'size' must be a size");
    expect_error("disk: [16MiB]\n", 1, 7, "disk must be a map");
    expect_error(kDisk + "      logical: maybe\n", 6, 16, "must be true or false");
    expect_error("seed: abc\n" + kDisk, 1, 7, "'seed' must be a whole number");
    expect_error(kDisk + "      label:\n", 6, 7, "give it a value or remove the key");
}

TEST_F(RecipeParser, MissingRequiredKey) {
    expect_error("seed: 1\n", 1, 1, "needs the key 'disk'");
    expect_error("disk:\n  partitions: []\n", 2, 3, "needs the key 'size'");
    expect_error("disk:\n  size: 1MiB\n  partitions:\n    - id: p1\n", 4, 7,
                 "needs the key 'filesystem'");
}

TEST_F(RecipeParser, BadSize) {
    expect_error("disk:\n  size: 64 MeB\n  partitions: []\n", 2, 9,
                 "'size' is not a size: '64 MeB'");
    expect_error("disk:\n  size: 1.3KiB\n  partitions: []\n", 2, 9, "not a whole number of bytes");
    expect_error("disk:\n  size: 1000\n  partitions: []\n", 2, 9, "not a whole, non-zero number");
}

TEST_F(RecipeParser, BadTime) {
    expect_error("start: 2024-03-01 10h\n" + kDisk, 1, 8, "'start' is not a time");
    expect_error(kDisk + "actions:\n  - at: 2024-02-30T00:00:00\n    mkdir: /a\n", 7, 9,
                 "is not a time");
    expect_error("timezone: Europe/Berlin\nstart: 2024-03-31T02:30:00\n" + kDisk, 2, 8,
                 "does not exist in Europe/Berlin");
    expect_error("timezone: Mars/Olympus\n" + kDisk, 1, 11, "unknown time zone 'Mars/Olympus'");
    expect_error(kDisk + "actions:\n  - mkdir: /a\n", 7, 5, "needs a time");
}

TEST_F(RecipeParser, PathEscapingTheFolder) {
    write("../outside.txt", "secret");  // exists, but outside the recipe's folder
    const std::string head = "start: 2024-01-01T00:00:00Z\n" + kDisk + "actions:\n";
    expect_error(head + "  - write: /a\n    asset: ../outside.txt\n", 9, 12,
                 "a path that escapes the pack folder");
    expect_error(head + "  - write: /a\n    asset: sub/../../outside.txt\n", 9, 12,
                 "escapes the pack folder");
    expect_error(head + "  - write: /a\n    asset: /etc/hostname\n", 9, 12, "relative to");
    fs::create_directory_symlink(fs::path(dir_).parent_path(), fs::path(dir_) / "link");
    expect_error(head + "  - write: /a\n    asset: link/outside.txt\n", 9, 12,
                 "escapes the pack folder");
    fs::remove(fs::path(dir_).parent_path() / "outside.txt");
}

TEST_F(RecipeParser, MissingAsset) {
    expect_error("start: 2024-01-01T00:00:00Z\n" + kDisk +
                     "actions:\n  - write: /a\n    asset: assets/nope.jpg\n",
                 9, 12, "asset 'assets/nope.jpg' does not exist");
}

TEST_F(RecipeParser, BadFileSystemPaths) {
    const std::string head = "start: 2024-01-01T00:00:00Z\n" + kDisk + "actions:\n";
    expect_error(head + "  - mkdir: a\n", 8, 12, "is not absolute");
    expect_error(head + "  - mkdir: /a/../b\n", 8, 12, "without . and ..");
    expect_error(head + "  - mkdir: \"/a\\0b\"\n", 8, 12, "NUL");
    expect_error(head + "  - mkdir: /a?b\n", 8, 12, "fat16 names cannot hold");
    expect_error(head + "  - write: /no/such.txt\n    text: x\n", 8, 12,
                 "the folder '/no' does not exist");
    expect_error(head + "  - delete: /x\n", 8, 13, "'/x' does not exist at this point");
    expect_error(head + "  - write: /a\n    text: x\n  - stream: /a\n    name: s\n    text: y\n",
                 10, 13, "exist only on NTFS");
}

TEST_F(RecipeParser, PartitionsThatDoNotFit) {
    expect_error(
        "disk:\n"
        "  size: 16MiB\n"
        "  partitions:\n"
        "    - {id: a, filesystem: fat16, size: 8MiB}\n"
        "    - {id: b, filesystem: fat16, start: 4MiB, size: 4MiB}\n",
        5, 41, "partition 'b' (sectors 8192 to 16383) overlaps partition 'a'");
    expect_error(
        "disk:\n"
        "  size: 16MiB\n"
        "  partitions:\n"
        "    - {id: a, filesystem: fat16, size: 16MiB}\n",
        4, 40, "does not fit in the disk");
    expect_error(
        "disk:\n"
        "  size: 16MiB\n"
        "  table: none\n"
        "  partitions:\n"
        "    - {id: a, filesystem: fat16}\n"
        "    - {id: b, filesystem: fat16}\n",
        5, 5, "exactly one partition");
    expect_error(
        "disk:\n"
        "  size: 16MiB\n"
        "  table: gpt\n"
        "  partitions:\n"
        "    - {id: a, filesystem: fat16, logical: true}\n",
        5, 43, "use table: mbr");
}

TEST_F(RecipeParser, FileTooBig) {
    const std::string head = "start: 2024-01-01T00:00:00Z\n" + kDisk + "actions:\n";
    expect_error(head + "  - write: /big\n    random: {size: 20MiB}\n", 9, 13,
                 "a file that does not fit");
    expect_error(head +
                     "  - write: /a\n    random: {size: 10MiB}\n"
                     "  - write: /b\n    random: {size: 10MiB}\n",
                 11, 13, "add up to");
}

// split: both fragments must hold bytes, the gap must be a byte at least, and the fragments with
// their gap must fit where the data is hidden.
TEST_F(RecipeParser, SplitHiddenData) {
    const std::string head = "start: 2024-01-01T00:00:00Z\n" + kDisk + "actions:\n";
    Recipe r = parse(head +
                     "  - hide: unallocated\n    split: {after: 2KiB, gap: 8KiB}\n"
                     "    random: {size: 10KiB}\n");
    const auto& hide = std::get<HideData>(r.actions[0].kind);
    EXPECT_EQ(hide.split_after, 2048u);
    EXPECT_EQ(hide.split_gap, 8192u);
    expect_error(head +
                     "  - hide: unallocated\n    split: {after: 10KiB, gap: 8KiB}\n"
                     "    random: {size: 10KiB}\n",
                 9, 20, "split: after must leave bytes in both fragments");
    expect_error(head +
                     "  - hide: unallocated\n    split: {after: 1KiB, gap: 0}\n"
                     "    random: {size: 10KiB}\n",
                 9, 31, "split: gap must be at least one byte");
    expect_error(head +
                     "  - hide: offset\n    offset: 15MiB\n    split: {after: 1KiB, gap: 1MiB}\n"
                     "    random: {size: 10KiB}\n",
                 11, 13, "does not fit in the disk");
    expect_error(
        head + "  - hide: unallocated\n    split: {after: 1KiB}\n    random: {size: 10KiB}\n", 9,
        12, "split needs the key 'gap'");
}

TEST_F(RecipeParser, UnknownPartitionId) {
    expect_error(
        "start: 2024-01-01T00:00:00Z\n" + kDisk + "actions:\n  - mkdir: /a\n    partition: p9\n", 9,
        16, "unknown partition 'p9'; the partitions are: p1");
    // Columns count characters, not bytes, on a line with Cyrillic before the error.
    expect_error("start: 2024-01-01T00:00:00Z\n" + kDisk +
                     "actions:\n  - {mkdir: /Документы, partition: p9}\n",
                 8, 36, "unknown partition 'p9'");
}

TEST_F(RecipeParser, DuplicateIds) {
    expect_error(
        "disk:\n"
        "  size: 16MiB\n"
        "  partitions:\n"
        "    - {id: a, filesystem: fat16, size: 4MiB}\n"
        "    - {id: a, filesystem: fat16, size: 4MiB}\n",
        5, 12, "partition id 'a' is used twice");
    expect_error("start: 2024-01-01T00:00:00Z\n" + kDisk +
                     "actions:\n"
                     "  - {write: /a, text: x, id: one}\n"
                     "  - {write: /b, text: y, id: one}\n",
                 9, 30, "artifact id 'one' is used twice");
}

TEST_F(RecipeParser, Base64AndSql) {
    const std::string head = "start: 2024-01-01T00:00:00Z\n" + kDisk + "actions:\n";
    expect_error(head + "  - write: /a\n    base64: 'abc$'\n", 9, 13, "not valid base64");
    expect_error(head + "  - write: /a\n    generate: {type: sqlite, sql: [\"CREATE TABL x\"]}\n",
                 9, 36, "SQL statement 1 fails");
    expect_error(head + "  - write: /a\n    generate: {type: gif}\n", 9, 22,
                 "cannot generate 'gif'");
}

TEST_F(RecipeParser, Variables) {
    const std::string yaml =
        "seed: 42\n"
        "timezone: Asia/Almaty\n"
        "variables:\n"
        "  pick: {choice: [a, b, c]}\n"
        "  count: {integer: [10, 20]}\n"
        "  big: {integer: [-9223372036854775808, 9223372036854775807]}\n"
        "  bytes: {size: [1KiB, 2KiB], step: 512}\n"
        "  when: {time: [2023-06-01T09:00:00, 2023-06-01T18:00:00], step: 60}\n"
        "  day: {time: [2023-06-01T09:00:00, 2023-06-30T18:00:00], format: '%d.%m.%Y'}\n"
        "  who: {name: kazakh}\n"
        "  serial: {hex: 8}\n" +
        kDisk +
        "actions:\n"
        "  - at: ${when}\n"
        "    write: /${pick}.txt\n"
        "    text: '${who} $${literal}'\n";
    Recipe a = parse(yaml, 0), again = parse(yaml, 0), b = parse(yaml, 1);
    EXPECT_EQ(a.variables, again.variables);
    EXPECT_EQ(a.variables.size(), 8u);
    for (auto& [name, value] : a.variables) {
        if (name == "day") continue;  // formatted to the day: two instants can share a day
        EXPECT_NE(value, b.variables.at(name)) << name << " is the same in variants 0 and 1";
    }

    std::set<std::string> picks;
    for (unsigned v = 0; v < 30; ++v) {
        Recipe r = parse(yaml, v);
        if (v < 3) picks.insert(r.variables.at("pick"));
        int count = std::stoi(r.variables.at("count"));
        EXPECT_GE(count, 10);
        EXPECT_LE(count, 20);
        uint64_t bytes = std::stoull(r.variables.at("bytes"));
        EXPECT_TRUE(bytes == 1024 || bytes == 1536 || bytes == 2048) << bytes;
        const std::string& when = r.variables.at("when");
        int64_t t = *parse_time(when, "UTC");
        EXPECT_EQ(when.substr(19), "+06:00");
        EXPECT_GE(t, utc("2023-06-01T03:00:00"));
        EXPECT_LE(t, utc("2023-06-01T12:00:00"));
        EXPECT_EQ(t % 60, 0);
        EXPECT_EQ(r.actions[0].time, t);
        EXPECT_EQ(r.variables.at("day").size(), 10u);
        EXPECT_EQ(r.variables.at("serial").size(), 8u);
        const auto& w = std::get<WriteFile>(r.actions[0].kind);
        EXPECT_EQ(w.path, "/" + r.variables.at("pick") + ".txt");
        EXPECT_EQ(std::get<TextContent>(w.content).text, r.variables.at("who") + " ${literal}");
    }
    EXPECT_EQ(picks.size(), 3u) << "the first three variants take all three choices";

    Recipe other_seed = parse("seed: 43\n" + yaml.substr(yaml.find('\n') + 1), 0);
    EXPECT_NE(other_seed.variables, a.variables);
}

TEST_F(RecipeParser, BadVariables) {
    expect_error("variables:\n  x: {integer: [5, 1]}\n" + kDisk, 2, 20, "ends before it starts");
    expect_error("variables:\n  x: {colour: [a]}\n" + kDisk, 2, 7, "unknown key 'colour'");
    expect_error("variables:\n  x: {choice: [a], integer: [1, 2]}\n" + kDisk, 2, 20,
                 "has both 'choice' and 'integer'");
    expect_error("variables:\n  x: {choice: a}\n" + kDisk, 2, 15, "must be a list");
    expect_error("variables:\n  x: {choice: [a]}\nname: img-${y}\n" + kDisk, 3, 11,
                 "unknown variable ${y}; define it under variables: (defined: x)");
    expect_error("name: img-${y\n" + kDisk, 1, 11, "unfinished ${");
}

TEST_F(RecipeParser, SplitMix64ReferenceValues) {
    // From Vigna's splitmix64.c with seed 1234567.
    SplitMix64 rng(1234567);
    EXPECT_EQ(rng.next(), 6457827717110365317ULL);
    EXPECT_EQ(rng.next(), 3203168211198807973ULL);
    EXPECT_EQ(rng.next(), 9817491932198370423ULL);
    EXPECT_EQ(rng.next(), 4593380528125082431ULL);
    EXPECT_EQ(rng.next(), 16408922859458223821ULL);
    SplitMix64 r2(1);
    for (int i = 0; i < 1000; ++i) EXPECT_LT(r2.below(7), 7u);
}

TEST_F(RecipeParser, UnreadableFile) {
    try {
        parse_recipe(dir_ + "/missing.yaml");
        ADD_FAILURE();
    } catch (const RecipeError& e) {
        EXPECT_EQ(std::string(e.what()), dir_ + "/missing.yaml: no such file");
    }
}
