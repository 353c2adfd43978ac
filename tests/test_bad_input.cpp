// Bad input: every malformed image or argument gives a non-zero exit (no crash: below 128) and
// exactly one line on stderr, "dflab: ...", that names what was wrong.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "tests/oracle.hpp"
#include "tests/support/fixtures.hpp"

namespace dflab::test {
namespace {

namespace fs = std::filesystem;

class BadInput : public ::testing::Test {
  protected:
    void SetUp() override { dir_ = temp_dir(); }
    void TearDown() override { fs::remove_all(dir_); }
    std::string dir_;
};

// Checks the failure contract and that the message contains `names`.
void expect_clean_failure(const CommandResult& r, const std::string& names,
                          const std::string& what) {
    SCOPED_TRACE(what);
    EXPECT_NE(r.exit_code, 0) << "stdout: " << r.out.substr(0, 300);
    EXPECT_LT(r.exit_code, 128) << "killed by a signal; stderr: " << r.err;
    const auto err = lines(r.err);
    ASSERT_EQ(err.size(), 1u) << "stderr: " << r.err;
    EXPECT_EQ(err[0].rfind("dflab: ", 0), 0u) << err[0];
    EXPECT_NE(err[0].find(names), std::string::npos)
        << err[0] << "\n(should name '" << names << "')";
}

// The subcommands that open an image, each given `image`.
void expect_all_commands_fail(const std::string& image, const std::string& what,
                              const std::vector<std::string>& commands = {
                                  "info", "partitions", "ls -r", "cat --inode 2", "verify"}) {
    const std::string name = fs::path(image).filename().string();
    for (const auto& cmd : commands) {
        expect_clean_failure(dflab(cmd + " " + shell_quote(image)), name, what + ": dflab " + cmd);
    }
}

std::string random_bytes(size_t n, unsigned seed) {
    std::mt19937 gen(seed);
    std::string out(n, '\0');
    for (char& c : out) c = static_cast<char>(gen() & 0xff);
    return out;
}

void overwrite(const std::string& path, uint64_t offset, const std::string& bytes) {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(offset));
    f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

TEST_F(BadInput, MissingFile) {
    expect_all_commands_fail(dir_ + "/no-such-image.E01", "missing file");
}

TEST_F(BadInput, EmptyFile) {
    write_file(dir_ + "/empty.img", "");
    expect_all_commands_fail(dir_ + "/empty.img", "empty file");
}

TEST_F(BadInput, Directory) {
    fs::create_directory(dir_ + "/a-directory");
    expect_all_commands_fail(dir_ + "/a-directory", "directory");
}

TEST_F(BadInput, RandomBytes) {
    write_file(dir_ + "/random.img", random_bytes(1 << 20, 42));
    // A raw image of noise opens (any file is a raw image) but holds no volume or file system.
    expect_all_commands_fail(dir_ + "/random.img", "random bytes",
                             {"partitions", "ls -r", "cat --inode 2"});
}

TEST_F(BadInput, TruncatedImage) {
    const std::string data = read_file(fixture("ext4.img")).substr(0, 64 * 1024);
    write_file(dir_ + "/truncated.img", data);
    const std::string name = "truncated.img";
    for (const std::string cmd : {"ls -r", "cat --inode 22", "cat --path /readme.txt"}) {
        auto r = dflab(cmd + " " + shell_quote(dir_ + "/" + name));
        expect_clean_failure(r, name, "truncated: dflab " + cmd);
    }
}

TEST_F(BadInput, CorruptFileSystems) {
    // Zero the region that identifies each file system: FAT/NTFS boot sector, ext4 superblock.
    const std::vector<std::pair<std::string, std::pair<uint64_t, size_t>>> damage{
        {"fat16.img", {0, 512}}, {"ntfs.img", {0, 8192}}, {"ext4.img", {1024, 1024}}};
    for (const auto& [name, region] : damage) {
        const std::string copy = copy_fixture(dir_, name);
        overwrite(copy, region.first, std::string(region.second, '\0'));
        for (const std::string cmd : {"partitions", "ls -r", "cat --inode 5"}) {
            expect_clean_failure(dflab(cmd + " " + shell_quote(copy)), name,
                                 "corrupt " + name + ": dflab " + cmd);
        }
    }
}

TEST_F(BadInput, CorruptPartitionFileSystem) {
    // The ext4 superblock of the second MBR partition zeroed: the table still lists it, but it
    // no longer holds a file system.
    const std::string copy = copy_fixture(dir_, "mbr.img");
    const uint64_t start = mmls_start(fixture("mbr.img"), 4);
    overwrite(copy, start * 512 + 1024, std::string(1024, '\0'));
    expect_clean_failure(dflab("ls -r --partition 4 " + shell_quote(copy)), "mbr.img",
                         "corrupt partition");
    // The other file systems are still listed.
    auto r = dflab("ls -r " + shell_quote(copy));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("README.TXT"), std::string::npos);
}

std::vector<std::string> copy_e01(const std::string& dir) {
    std::vector<std::string> out;
    for (int i = 1;; ++i) {
        const std::string name = std::string("disk.E") + (i < 10 ? "0" : "") + std::to_string(i);
        const std::string src = fs::path(fixture("disk.E01")).parent_path() / name;
        if (!fs::exists(src)) break;
        fs::copy_file(src, dir + "/" + name);
        out.push_back(dir + "/" + name);
    }
    return out;
}

TEST_F(BadInput, TruncatedE01Segment) {
    const auto segments = copy_e01(dir_);
    ASSERT_GE(segments.size(), 3u);
    fs::resize_file(segments[1], fs::file_size(segments[1]) / 2);
    ASSERT_NE(run("ewfverify -q " + shell_quote(segments[0])).exit_code, 0);
    // The partition table (in E01) still reads; the file systems behind the cut do not.
    expect_all_commands_fail(segments[0], "truncated E02",
                             {"ls -r", "ls -r --partition 4", "cat --partition 4 --inode 2"});
    // Verification reports the damage (FAILURE on stdout, or one "dflab:" line).
    auto v = dflab("verify " + shell_quote(segments[0]));
    EXPECT_NE(v.exit_code, 0) << v.out;
    EXPECT_LT(v.exit_code, 128) << v.err;
    EXPECT_EQ(v.out.find("SUCCESS"), std::string::npos) << v.out;
    if (!v.err.empty()) expect_clean_failure(v, "disk.E01", "verify truncated E02");
    // Describing it must not crash; if it fails, it fails cleanly.
    for (const std::string cmd : {"info", "partitions"}) {
        auto r = dflab(cmd + " " + shell_quote(segments[0]));
        EXPECT_LT(r.exit_code, 128) << cmd << ": " << r.err;
        if (r.exit_code != 0) expect_clean_failure(r, "disk.E01", "truncated E02: dflab " + cmd);
    }
}

TEST_F(BadInput, OverwrittenE01Segment) {
    const auto segments = copy_e01(dir_);
    ASSERT_GE(segments.size(), 3u);
    // The data of E02 covers media bytes 1..2 MiB: the FAT16 file system of partition 2.
    overwrite(segments[1], fs::file_size(segments[1]) / 2, random_bytes(64 * 1024, 7));
    ASSERT_NE(run("ewfverify -q " + shell_quote(segments[0])).exit_code, 0);
    // Verification must not report success; reading the damaged region fails cleanly or yields
    // what libewf makes of it, but never crashes.
    auto v = dflab("verify " + shell_quote(segments[0]));
    EXPECT_NE(v.exit_code, 0) << v.out;
    EXPECT_LT(v.exit_code, 128) << v.err;
    EXPECT_EQ(v.out.find("SUCCESS"), std::string::npos) << v.out;
    if (!v.err.empty()) expect_clean_failure(v, "disk.E01", "verify overwritten E02");
    for (const std::string cmd : {"ls -r --partition 2", "cat --partition 2 --inode 524"}) {
        auto r = dflab(cmd + " " + shell_quote(segments[0]) + " >/dev/null");
        EXPECT_LT(r.exit_code, 128) << cmd << ": " << r.err;
        if (r.exit_code != 0) expect_clean_failure(r, "disk.E01", "overwritten E02: dflab " + cmd);
    }
}

TEST_F(BadInput, UnknownPartitionIndex) {
    for (const std::string cmd : {"ls -r", "cat --inode 2"}) {
        expect_clean_failure(dflab(cmd + " --partition 99 " + shell_quote(fixture("mbr.img"))),
                             "99", cmd + " --partition 99");
        // Slot 1 is the unallocated space before the first partition: no file system there.
        expect_clean_failure(dflab(cmd + " --partition 1 " + shell_quote(fixture("mbr.img"))), "1",
                             cmd + " --partition 1");
        // A bare file system has only index 0.
        expect_clean_failure(dflab(cmd + " --partition 2 " + shell_quote(fixture("fat16.img"))),
                             "2", cmd + " --partition 2 on a bare file system");
    }
}

TEST_F(BadInput, InodeThatDoesNotExist) {
    for (const std::string img : {"fat16.img", "ext4.img", "ntfs.img"}) {
        expect_clean_failure(dflab("cat --inode 999999999 " + shell_quote(fixture(img))),
                             "999999999", img + " inode 999999999");
    }
    // An NTFS attribute that the entry does not have.
    expect_clean_failure(dflab("cat --inode 64-128-9 " + shell_quote(fixture("ntfs.img"))),
                         "64-128-9", "ntfs attribute 64-128-9");
}

TEST_F(BadInput, PathThatDoesNotExist) {
    for (const std::string img : {"fat16.img", "ext4.img", "ntfs.img"}) {
        expect_clean_failure(dflab("cat --path /no/such/file.txt " + shell_quote(fixture(img))),
                             "/no/such/file.txt", img + " cat missing path");
        expect_clean_failure(dflab("ls --path /no/such/dir " + shell_quote(fixture(img))),
                             "/no/such/dir", img + " ls missing path");
    }
    // ls --path on a file, not a directory.
    expect_clean_failure(dflab("ls --path /README.TXT " + shell_quote(fixture("fat16.img"))),
                         "/README.TXT", "ls --path of a file");
}

TEST_F(BadInput, BadInodeText) {
    for (const std::string text : {"abc", "12abc", "1-2", "-5", "64-128-", "1-2-3-4"}) {
        expect_clean_failure(
            dflab("cat --inode=" + shell_quote(text) + " " + shell_quote(fixture("ext4.img"))),
            text, "inode text '" + text + "'");
    }
}

TEST_F(BadInput, SeveralFileSystemsNeedPartitionForCat) {
    expect_clean_failure(dflab("cat --inode 2 " + shell_quote(fixture("mbr.img"))), "mbr.img",
                         "cat on a disk without --partition");
}

}  // namespace
}  // namespace dflab::test
