// A damaged directory costs that directory, not the partition: an ext4 image made with
// mke2fs -d, one subdirectory's block address overwritten so that it points past the end of the
// file system (TSK cannot read it: `fls IMAGE INODE` fails), and FileSystem::walk, `dflab ls` and
// `dflab timeline` compared with fls on the same damaged image.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <tuple>

#include "engine/error.hpp"
#include "engine/evidence.hpp"
#include "engine/file_system.hpp"
#include "engine/volumes.hpp"
#include "tests/oracle.hpp"
#include "tests/support/fixtures.hpp"

namespace dflab::test {
namespace {

namespace fs = std::filesystem;

std::multiset<Key> entry_keys(const std::vector<engine::Entry>& entries) {
    std::multiset<Key> out;
    for (const auto& e : entries) out.emplace(e.path, e.inode, e.allocated);
    return out;
}

void write_file(const fs::path& p, const std::string& text) {
    fs::create_directories(p.parent_path());
    std::ofstream(p) << text;
}

std::string debugfs(const std::string& image, const std::string& request) {
    auto r = run("debugfs -R " + shell_quote(request) + " " + shell_quote(image));
    if (r.exit_code != 0) throw std::runtime_error("debugfs " + request + ": " + r.err);
    return r.out;
}

// The directory's first block, as debugfs lists it.
uint64_t first_block(const std::string& image, const std::string& dir) {
    const std::string out = debugfs(image, "blocks " + dir);
    return std::stoull(out);
}

// Where in the image the first extent's start block (ee_start_lo) of `dir`'s inode lies: the
// inode from debugfs imap, then i_block at 0x28, the extent header (12 bytes), and ee_block,
// ee_len, ee_start_hi (8 bytes) of the first extent.
uint64_t extent_start_offset(const std::string& image, const std::string& dir,
                             uint64_t block_size) {
    const std::string out = debugfs(image, "imap " + dir);
    static const std::regex re(R"(located at block (\d+), offset 0x([0-9a-fA-F]+))");
    std::smatch m;
    if (!std::regex_search(out, m, re)) throw std::runtime_error("debugfs imap: " + out);
    return std::stoull(m[1]) * block_size + std::stoull(m[2], nullptr, 16) + 0x28 + 12 + 8;
}

uint32_t read_le32(const std::string& image, uint64_t offset) {
    std::ifstream in(image, std::ios::binary);
    in.seekg(static_cast<std::streamoff>(offset));
    unsigned char b[4] = {};
    in.read(reinterpret_cast<char*>(b), 4);
    return b[0] | (b[1] << 8) | (b[2] << 16) | (static_cast<uint32_t>(b[3]) << 24);
}

void overwrite(const std::string& image, uint64_t offset, const std::string& bytes) {
    std::fstream io(image, std::ios::binary | std::ios::in | std::ios::out);
    io.seekp(static_cast<std::streamoff>(offset));
    io.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    ASSERT_TRUE(io.good());
}

constexpr uint64_t kBlockSize = 1024;

// docs/a.txt, docs/inner/b.txt, notes/n.txt, photos/c.jpg, photos/d.jpg, top.txt; then
// /photos made unreadable (its extent points to block 0x0fffffff of a 4 MiB file system) and,
// when `zero_notes`, /notes's only directory block zeroed.
std::string damaged_image(bool zero_notes = false) {
    const std::string dir = temp_dir();
    const fs::path tree = fs::path(dir) / "tree";
    write_file(tree / "docs/a.txt", "a\n");
    write_file(tree / "docs/inner/b.txt", "b\n");
    write_file(tree / "notes/n.txt", "n\n");
    write_file(tree / "photos/c.jpg", "c\n");
    write_file(tree / "photos/d.jpg", "d\n");
    write_file(tree / "top.txt", "top\n");
    const std::string image = dir + "/damaged.img";
    auto made = run("mke2fs -q -F -t ext4 -b 1024 -d " + shell_quote(tree.string()) + " " +
                    shell_quote(image) + " 4M");
    EXPECT_EQ(made.exit_code, 0) << made.err;

    const uint64_t at = extent_start_offset(image, "/photos", kBlockSize);
    // The bytes we are about to change are the block debugfs names (we patch what we mean to).
    EXPECT_EQ(read_le32(image, at), first_block(image, "/photos"));
    overwrite(image, at, std::string("\xff\xff\xff\x0f", 4));
    if (zero_notes) {
        overwrite(image, first_block(image, "/notes") * kBlockSize, std::string(kBlockSize, '\0'));
    }
    return image;
}

std::string inode_of(const std::vector<FlsEntry>& listing, const std::string& path) {
    for (const auto& e : listing)
        if (e.path == path) return e.inode;
    return "";
}

struct Walked {
    std::vector<engine::Entry> entries;
    std::vector<engine::WalkError> errors;
};

Walked walk(const std::string& image, const std::string& start = "/") {
    auto evidence = engine::Evidence::open({image});
    const auto part = engine::file_system_partitions(evidence).front();
    const engine::FileSystem fs(evidence, part);
    Walked w;
    engine::WalkOptions options;
    options.start_path = start;
    fs.walk(
        options, [&](engine::Entry&& e) { w.entries.push_back(std::move(e)); },
        [&](const engine::WalkError& e) { w.errors.push_back(e); });
    return w;
}

TEST(WalkErrors, TheOracleCannotReadTheDamagedDirectory) {
    const std::string image = damaged_image();
    const auto listing = fls(image);
    const std::string photos = inode_of(listing, "/photos");
    ASSERT_FALSE(photos.empty());
    // fls -r skips it without a word; asked for it alone, fls fails.
    for (const auto& e : listing) EXPECT_FALSE(e.path.starts_with("/photos/")) << e.path;
    EXPECT_NE(inode_of(listing, "/docs/inner/b.txt"), "");
    EXPECT_NE(run("fls " + shell_quote(image) + " " + photos).exit_code, 0);
}

TEST(WalkErrors, EverythingElseIsWalkedAndTheDirectoryIsReportedOnce) {
    const std::string image = damaged_image();
    const auto listing = fls(image);
    const Walked w = walk(image);
    EXPECT_EQ(entry_keys(w.entries), keys_of(listing));
    ASSERT_EQ(w.errors.size(), 1u);
    const engine::WalkError& e = w.errors.front();
    EXPECT_EQ(e.partition, 0);
    EXPECT_EQ(e.path, "/photos");
    ASSERT_TRUE(e.address);
    EXPECT_EQ(std::to_string(*e.address), inode_of(listing, "/photos"));
    EXPECT_FALSE(e.message.empty());
    EXPECT_EQ(e.message.find('\n'), std::string::npos);
}

TEST(WalkErrors, WithoutAHandlerTheWalkThrowsNamingTheDirectory) {
    const std::string image = damaged_image();
    auto evidence = engine::Evidence::open({image});
    const auto part = engine::file_system_partitions(evidence).front();
    const engine::FileSystem fs(evidence, part);
    const std::string message = error_of([&] { fs.walk({}, [](engine::Entry&&) {}); });
    EXPECT_NE(message.find(image + ": partition 0: directory /photos (inode " +
                           inode_of(fls(image), "/photos") + "): cannot read: "),
              std::string::npos)
        << message;
}

TEST(WalkErrors, AnUnreadableStartDirectoryIsTheError) {
    const std::string image = damaged_image();
    const Walked w = walk(image, "/photos");
    EXPECT_TRUE(w.entries.empty());
    ASSERT_EQ(w.errors.size(), 1u);
    EXPECT_EQ(w.errors.front().path, "/photos");
    // The other directories still list as fls lists them.
    const Walked docs = walk(image, "/docs");
    EXPECT_TRUE(docs.errors.empty());
    std::set<std::string> paths;
    for (const auto& e : docs.entries) paths.insert(e.path);
    EXPECT_EQ(paths, (std::set<std::string>{"/docs/a.txt", "/docs/inner", "/docs/inner/b.txt"}));
}

// A directory whose inode claims more bytes than its file system has (fuzzing found an ext4 root
// claiming 426 MB on 256 KiB): TSK would read the sparse claim whole, at about 20 MB/s; the walk
// refuses it at once, naming the claim, and the rest of the file system still lists.
TEST(WalkErrors, AStartDirectoryLargerThanItsFileSystemIsRefusedUnread) {
    const std::string image = damaged_image();
    const std::string docs = inode_of(fls(image), "/docs");  // before: fls would read the claim
    const auto sif = run("debugfs -w -R 'sif /docs size 0x40000000' " + shell_quote(image));
    ASSERT_EQ(sif.exit_code, 0) << sif.err;
    // istat reads the claim debugfs wrote.
    EXPECT_NE(run("istat " + shell_quote(image) + " " + docs).out.find("size: 1073741824\n"),
              std::string::npos);
    const Walked w = walk(image, "/docs");
    EXPECT_TRUE(w.entries.empty());
    ASSERT_EQ(w.errors.size(), 1u);
    EXPECT_EQ(w.errors.front().path, "/docs");
    EXPECT_EQ(w.errors.front().message,
              "its metadata claims 1073741824 bytes, more than the whole file system (4194304 "
              "bytes)");
    const Walked notes = walk(image, "/notes");
    EXPECT_TRUE(notes.errors.empty());
    EXPECT_EQ(notes.entries.size(), 1u);
}

TEST(WalkErrors, AnInodeClaimingMoreInlineDataThanAnInodeHoldsIsRefusedBeforeTskAllocatesIt) {
    const std::string image = damaged_image();
    const std::string notes = inode_of(fls(image), "/notes");  // before: fls would allocate it
    // EXT4_INLINE_DATA_FL and a size of 1.8 GB: TSK 4.11 allocates the size twice on loading it.
    for (const char* field : {"flags 0x10000000", "size 1818632293"}) {
        const auto sif =
            run(std::string("debugfs -w -R 'sif /notes ") + field + "' " + shell_quote(image));
        ASSERT_EQ(sif.exit_code, 0) << sif.err;
    }
    // debugfs, not TSK, reads back what it wrote (istat would allocate the claim).
    const auto stat = run("debugfs -R 'stat <" + notes + ">' " + shell_quote(image));
    EXPECT_NE(stat.out.find("Flags: 0x10000000"), std::string::npos) << stat.out;
    EXPECT_NE(stat.out.find("Size: 1818632293"), std::string::npos) << stat.out;
    const std::string why = "the file system is not walked: inode " + notes +
                            " is marked as holding its data inline but claims 1818632293 bytes; "
                            "an inode of 256 bytes holds at most 316";
    // From the root: one WalkError, nothing listed. A subdirectory cannot even be found, since
    // finding it walks the root: an error naming the root.
    const Walked w = walk(image);
    EXPECT_TRUE(w.entries.empty());
    ASSERT_EQ(w.errors.size(), 1u);
    EXPECT_EQ(w.errors.front().message, why);
    std::string from_docs;
    try {
        walk(image, "/docs");
    } catch (const std::exception& e) {
        from_docs = e.what();
    }
    EXPECT_TRUE(from_docs.ends_with("directory / (inode 2): cannot read: " + why)) << from_docs;
    auto r = dflab("ls -r " + shell_quote(image));
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_EQ(lines(r.err).size(), 1u) << r.err;
}

TEST(WalkErrors, AZeroedDirectoryBlockReadsAsEmptyLikeFls) {
    // TSK parses a zeroed directory block as a directory without entries: no error for fls, none
    // for the walk; only the unreadable /photos is reported.
    const std::string image = damaged_image(true);
    const auto listing = fls(image);
    for (const auto& e : listing) EXPECT_FALSE(e.path.starts_with("/notes/")) << e.path;
    const Walked w = walk(image);
    EXPECT_EQ(entry_keys(w.entries), keys_of(listing));
    ASSERT_EQ(w.errors.size(), 1u);
    EXPECT_EQ(w.errors.front().path, "/photos");
}

TEST(WalkErrors, LsListsTheRestReportsOneLineAndExitsTwo) {
    const std::string image = damaged_image();
    const auto listing = fls(image);
    auto r = dflab("ls -r --json " + shell_quote(image));
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_EQ(keys_of(json_lines(r.out)), keys_of(listing));
    const auto err = lines(r.err);
    ASSERT_EQ(err.size(), 1u) << r.err;
    EXPECT_TRUE(err.front().starts_with("dflab: " + image +
                                        ": partition 0: directory /photos (inode " +
                                        inode_of(listing, "/photos") + "): cannot read: "))
        << err.front();
    // Text output: the same line, the same status.
    auto text = dflab("ls -r " + shell_quote(image));
    EXPECT_EQ(text.exit_code, 2);
    EXPECT_EQ(lines(text.err), err);
    // A listing that does not go into the damaged directory is complete: exit 0.
    auto top = dflab("ls --json " + shell_quote(image));
    EXPECT_EQ(top.exit_code, 0) << top.err;
    EXPECT_EQ(top.err, "");
}

TEST(WalkErrors, TimelineBodyFileHasEveryOtherLineAndExitsTwo) {
    const std::string image = damaged_image();
    auto fls_body = run("fls -r -m / " + shell_quote(image));
    ASSERT_EQ(fls_body.exit_code, 0) << fls_body.err;
    auto r = dflab("timeline --body " + shell_quote(image));
    EXPECT_EQ(r.exit_code, 2) << r.err;
    // The same names as fls -m (field 2 of each body line).
    auto names = [](const std::string& text) {
        std::multiset<std::string> out;
        for (const auto& line : lines(text)) {
            if (line.empty()) continue;
            const auto a = line.find('|'), b = line.find('|', a + 1);
            out.insert(line.substr(a + 1, b - a - 1));
        }
        return out;
    };
    EXPECT_EQ(names(r.out), names(fls_body.out));
    EXPECT_EQ(lines(r.err).size(), 1u) << r.err;
}

}  // namespace
}  // namespace dflab::test
