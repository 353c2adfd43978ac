// A wiped partition table no longer hides intact file systems: `partitions --scan` finds them by
// their signatures where mmls found them on the intact disk, and `--offset SECTOR` reads one as
// TSK's `fls -o` does.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>

#include "tests/support/fixtures.hpp"

namespace dflab {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using test::dflab;
using test::fixture;
using test::run;
using test::shell_quote;

// mmls on the intact disk: start sector of every partition slot that is not a table or a gap.
std::map<uint64_t, std::string> mmls_partitions(const std::string& image) {
    auto r = run("mmls " + shell_quote(image));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::map<uint64_t, std::string> out;
    for (const auto& line : test::lines(r.out)) {
        // "002:  000:000   0000002048   0000006143   0000004096   DOS FAT16 (0x06)"
        std::istringstream in(line);
        std::string slot, table, start, end, length, description;
        if (!(in >> slot >> table >> start >> end >> length) || slot.back() != ':') continue;
        std::getline(in, description);
        if (table == "Meta" || table.find(':') == std::string::npos) continue;
        if (description.find("Extended") != std::string::npos) continue;
        out[std::stoull(start)] = description;
    }
    return out;
}

// Paths of the allocated entries `fls -r -p -u -o SECTOR` lists, with a leading slash.
std::set<std::string> fls_paths(const std::string& image, uint64_t sector) {
    auto r = run("fls -r -p -u -o " + std::to_string(sector) + " " + shell_quote(image));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::set<std::string> out;
    for (const auto& line : test::lines(r.out)) {
        const size_t colon = line.find(":\t");
        if (colon == std::string::npos) continue;
        out.insert("/" + line.substr(colon + 2));
    }
    return out;
}

// The first regular file `fls -r -p` lists: "r/r 12:\tdir/name.txt".
std::string fls_first_regular_path(const std::string& listing) {
    for (const auto& line : test::lines(listing))
        if (line.starts_with("r/r ")) return "/" + line.substr(line.find(":\t") + 2);
    return "";
}
std::string fls_first_regular_inode(const std::string& listing) {
    for (const auto& line : test::lines(listing))
        if (line.starts_with("r/r ")) return line.substr(4, line.find(':') - 4);
    return "";
}

class PartitionScan : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        dir_ = test::temp_dir();
        fs::copy_file(fixture("mbr.img"), wiped());
        // The MBR (partition table and boot signature) is gone; the extended partition's own
        // table further on stays, as after a careless repartitioning.
        auto r = run("dd if=/dev/zero of=" + shell_quote(wiped()) +
                     " bs=512 count=1 conv=notrunc status=none");
        ASSERT_EQ(r.exit_code, 0) << r.err;
    }
    static void TearDownTestSuite() { fs::remove_all(dir_); }
    static std::string wiped() { return dir_ + "/wiped.img"; }
    static inline std::string dir_;
};

TEST_F(PartitionScan, TheWipedTableIsRefusedInOneLine) {
    auto r = dflab("partitions " + shell_quote(wiped()));
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(test::lines(r.err).size(), 1u) << r.err;
    EXPECT_NE(r.err.find("wiped.img"), std::string::npos) << r.err;
}

TEST_F(PartitionScan, FindsEveryFileSystemWhereMmlsSawItsPartition) {
    const auto expected = mmls_partitions(fixture("mbr.img"));
    ASSERT_EQ(expected.size(), 3u);  // FAT16, ext4, the logical FAT12

    auto r = dflab("partitions --scan --json " + shell_quote(wiped()));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const json found = json::parse(r.out);
    std::map<uint64_t, std::string> starts;
    for (const auto& f : found) {
        starts[f["start"].get<uint64_t>()] = f["filesystem"].get<std::string>();
        EXPECT_FALSE(f["in_partition_table"].get<bool>());
        EXPECT_GT(f["length"].get<uint64_t>(), 0u);
    }
    ASSERT_EQ(starts.size(), expected.size()) << r.out;
    for (const auto& [start, description] : expected) {
        ASSERT_TRUE(starts.contains(start)) << start << " " << description << "\n" << r.out;
        // What TSK opens there is what the table said the partition held.
        const std::string type = starts[start];
        if (description.find("FAT") != std::string::npos) {
            EXPECT_TRUE(type.starts_with("fat")) << start << ": " << type;
        }
        if (description.find("Linux") != std::string::npos) {
            EXPECT_TRUE(type.starts_with("ext")) << start << ": " << type;
        }
    }
}

TEST_F(PartitionScan, OnTheIntactDiskEachFindIsInTheTable) {
    auto r = dflab("partitions --scan --json " + shell_quote(fixture("mbr.img")));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const json found = json::parse(r.out);
    ASSERT_EQ(found.size(), 3u) << r.out;
    for (const auto& f : found) EXPECT_TRUE(f["in_partition_table"].get<bool>()) << f.dump();
    // The text form names the table and each file system's start.
    auto text = dflab("partitions --scan " + shell_quote(fixture("mbr.img")));
    EXPECT_EQ(text.exit_code, 0) << text.err;
    EXPECT_NE(text.out.find("Partition table: dos"), std::string::npos) << text.out;
    EXPECT_NE(text.out.find("000000011264"), std::string::npos) << text.out;
}

TEST_F(PartitionScan, OffsetReadsEachFileSystemAsFlsDoes) {
    for (const auto& [start, description] : mmls_partitions(fixture("mbr.img"))) {
        auto r =
            dflab("ls -r --json --offset " + std::to_string(start) + " " + shell_quote(wiped()));
        ASSERT_EQ(r.exit_code, 0) << start << ": " << r.err;
        std::set<std::string> paths;  // one JSON object per line
        for (const auto& line : test::lines(r.out)) {
            const json e = json::parse(line);
            if (e["allocated"].get<bool>()) paths.insert(e["path"].get<std::string>());
        }
        const auto expected = fls_paths(wiped(), start);
        ASSERT_FALSE(expected.empty()) << start;
        for (const auto& p : expected) EXPECT_TRUE(paths.contains(p)) << start << ": " << p;
    }
}

TEST_F(PartitionScan, AnalyzeAndCatTakeTheOffsetToo) {
    const std::string db = dir_ + "/case.sqlite";
    auto r = dflab("analyze --offset 11264 -o " + shell_quote(db) + " " + shell_quote(wiped()));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto q = run("sqlite3 " + shell_quote(db) +
                 " \"SELECT count(*) FROM files WHERE allocated = 1 AND type = 'file'\"");
    ASSERT_EQ(q.exit_code, 0) << q.err;
    const auto fls_files = run("fls -r -p -u -o 11264 " + shell_quote(wiped()));
    size_t regular = 0;
    for (const auto& line : test::lines(fls_files.out)) regular += line.starts_with("r/r ");
    EXPECT_GT(regular, 0u);
    EXPECT_EQ(std::stoul(q.out), regular) << fls_files.out;
    // cat reads a file by its path there, as icat does by its inode.
    auto c = dflab("cat --offset 11264 " + shell_quote(wiped()) + " " +
                   shell_quote(fls_first_regular_path(fls_files.out)));
    EXPECT_EQ(c.exit_code, 0) << c.err;
    auto icat =
        run("icat -o 11264 " + shell_quote(wiped()) + " " + fls_first_regular_inode(fls_files.out));
    EXPECT_EQ(c.out, icat.out);
}

TEST_F(PartitionScan, ABadOffsetIsOneLineNamingTheImage) {
    auto r = dflab("ls --offset 5 " + shell_quote(wiped()));
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(r.err, "dflab: " + wiped() +
                         ": no file system that TSK recognises at sector 5 (byte 2560) (try "
                         "'dflab partitions --scan')\n");
    r = dflab("ls --offset 99999999 " + shell_quote(wiped()));
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("is beyond the image's 20480 sectors"), std::string::npos) << r.err;
    r = dflab("ls --offset 2048 --partition 2 " + shell_quote(wiped()));
    EXPECT_NE(r.exit_code, 0);
    EXPECT_NE(r.err.find("excludes"), std::string::npos) << r.err;
}

// A deleted table entry (the volumes pack's case): the file system it described is found in the
// gap mmls now shows, and is not called "in the table", while the others are.
TEST_F(PartitionScan, AFileSystemBehindADeletedEntryIsNotInTheTable) {
    const std::string image = test::temp_dir() + "/deleted-entry.img";
    fs::copy_file(fixture("mbr.img"), image);
    const auto intact = mmls_partitions(image);
    // The second primary entry of the MBR (bytes 462-477) zeroed, as fdisk's delete leaves it.
    auto r = run("dd if=/dev/zero of=" + shell_quote(image) +
                 " bs=1 seek=462 count=16 conv=notrunc status=none");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto left = mmls_partitions(image);
    ASSERT_EQ(left.size() + 1, intact.size());
    uint64_t deleted = 0;
    for (const auto& [start, description] : intact)
        if (!left.contains(start)) deleted = start;
    ASSERT_NE(deleted, 0u);
    r = dflab("partitions --scan --json " + shell_quote(image));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    size_t seen = 0;
    for (const auto& f : json::parse(r.out)) {
        const uint64_t start = f["start"].get<uint64_t>();
        if (!intact.contains(start)) continue;
        ++seen;
        EXPECT_EQ(f["in_partition_table"].get<bool>(), start != deleted) << f.dump();
    }
    EXPECT_EQ(seen, intact.size()) << r.out;
}

}  // namespace
}  // namespace dflab
