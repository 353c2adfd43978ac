// A damaged directory costs that directory, not the partition: an ext4 image made with
// mke2fs -d, one subdirectory's block address overwritten so that it points past the end of the
// file system (TSK cannot read it: `fls IMAGE INODE` fails), and FileSystem::walk, `dflab ls` and
// `dflab timeline` compared with fls on the same damaged image.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <regex>
#include <set>
#include <span>
#include <tuple>

#include "engine/byte_runs.hpp"
#include "engine/content.hpp"
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

// debugfs with `flags` ("-w" to write), failing the test when it fails.
std::string debugfs(const std::string& image, const std::string& flags,
                    const std::string& request) {
    auto r = run("debugfs " + flags + " -R " + shell_quote(request) + " " + shell_quote(image));
    if (r.exit_code != 0) throw std::runtime_error("debugfs " + request + ": " + r.err);
    return r.out;
}

std::string debugfs(const std::string& image, const std::string& request) {
    return debugfs(image, "", request);
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

// An ext2 image (block pointers, no extents) of 4 MiB with 1 KiB blocks holding /big.bin,
// /sparse.bin, /sub/s.txt and /top.txt; `claims` sets sizes with debugfs (PATH -> bytes).
std::string block_mapped_image(const std::vector<std::pair<std::string, uint64_t>>& claims) {
    const std::string dir = temp_dir();
    const fs::path tree = fs::path(dir) / "tree";
    write_file(tree / "big.bin", std::string(3000, 'b'));
    write_file(tree / "sparse.bin", std::string(2048, 's'));
    write_file(tree / "sub/s.txt", "s\n");
    write_file(tree / "top.txt", "top\n");
    const std::string image = dir + "/mapped.img";
    auto made = run("mke2fs -q -F -t ext2 -b 1024 -d " + shell_quote(tree.string()) + " " +
                    shell_quote(image) + " 4M");
    EXPECT_EQ(made.exit_code, 0) << made.err;
    for (const auto& [path, size] : claims) {
        debugfs(image, "-w", "sif " + path + " size " + std::to_string(size));
    }
    return image;
}

// A block-mapped file claiming 300 MB on 4 MiB: TSK would map 292,969 block pointers (with
// garbage in its indirect blocks, one run each, quadratically: minutes). Its content is refused
// at once, naming the claim; the walk still lists it; a sparse claim TSK maps quickly (8 MiB,
// 8,192 blocks) still reads byte for byte as icat reads it.
TEST(WalkErrors, ABlockMappedClaimLargerThanTheFileSystemIsRefusedBeforeTskMapsIt) {
    const std::string image =
        block_mapped_image({{"/big.bin", 300000000}, {"/sparse.bin", 8388608}});
    // debugfs reads back the claims and that the files are mapped by block pointers.
    const std::string stat = debugfs(image, "", "stat /big.bin");
    EXPECT_NE(stat.find("Size: 300000000"), std::string::npos) << stat;
    EXPECT_EQ(stat.find("EXTENTS"), std::string::npos) << stat;
    const std::string sparse_stat = debugfs(image, "", "stat /sparse.bin");
    EXPECT_NE(sparse_stat.find("Size: 8388608"), std::string::npos) << sparse_stat;

    const Walked w = walk(image);
    EXPECT_TRUE(w.errors.empty());
    std::optional<engine::Entry> big;
    std::optional<engine::Entry> sparse;
    for (const auto& e : w.entries) {
        if (e.path == "/big.bin") big = e;
        if (e.path == "/sparse.bin") sparse = e;
    }
    ASSERT_TRUE(big && sparse);
    EXPECT_EQ(big->size, 300000000u);

    auto evidence = engine::Evidence::open({image});
    const engine::FileSystem fs(evidence, engine::file_system_partitions(evidence).front());
    const std::string why =
        "its block map claims 300000000 bytes, more than the whole file system (4194304 bytes), "
        "in 292969 blocks: its content is not read (TSK would take minutes to map it)";
    EXPECT_EQ(error_of([&] { fs.content(big->address); }), "inode " + big->inode + ": " + why);
    engine::ByteRunReader runs(fs);
    EXPECT_EQ(error_of([&] { runs.runs(big->address); }),
              "byte runs: inode " + big->inode + ": " + why);
    EXPECT_FALSE(fs.default_attribute(big->address.meta_addr));

    auto reader = fs.content(sparse->address);
    ASSERT_EQ(reader.size(), 8388608u);
    std::string bytes(8388608, '\0');
    ASSERT_EQ(reader.read(0, std::as_writable_bytes(std::span(bytes))), bytes.size());
    const auto icat = run("icat " + shell_quote(image) + " " + sparse->inode);
    ASSERT_EQ(icat.exit_code, 0) << icat.err;
    EXPECT_TRUE(icat.out == bytes);

    auto cat = dflab("cat " + shell_quote(image) + " /big.bin");
    EXPECT_NE(cat.exit_code, 0);
    EXPECT_EQ(lines(cat.err).size(), 1u) << cat.err;
    EXPECT_NE(cat.err.find(why), std::string::npos) << cat.err;
    EXPECT_TRUE(cat.out.empty());
}

// A subdirectory mapped by block pointers that claims 300 MB: TSK reads every directory whole as
// its walk recurses, and would map the claim for minutes; the inode pre-pass refuses the walk.
TEST(WalkErrors, ABlockMappedDirectoryLargerThanTheFileSystemRefusesTheWalk) {
    const std::string image = block_mapped_image({{"/sub", 300000000}});
    const std::string stat = debugfs(image, "", "stat /sub");
    EXPECT_NE(stat.find("Type: directory"), std::string::npos) << stat;
    EXPECT_NE(stat.find("Size: 300000000"), std::string::npos) << stat;
    static const std::regex inode_re(R"(Inode: (\d+))");
    std::smatch m;
    ASSERT_TRUE(std::regex_search(stat, m, inode_re)) << stat;
    const Walked w = walk(image);
    EXPECT_TRUE(w.entries.empty());
    ASSERT_EQ(w.errors.size(), 1u);
    EXPECT_EQ(w.errors.front().message,
              "the file system is not walked: inode " + m[1].str() +
                  " is a directory mapped by block pointers that claims 300000000 bytes, more "
                  "than the whole file system (4194304 bytes), in 292969 blocks");
}

// The same directory claim on a superblock that also claims 4,294,967,280 blocks (4 TiB) in a
// 4 MiB image: the claim is judged against the bytes the image really holds, not against the
// superblock's count (a fuzzed superblock claiming 10^16 blocks overflowed that product and
// slipped every "more than the file system" rule). debugfs refuses such a superblock; TSK's
// fsstat reads back the claimed range and the range the image holds, fls the directory's inode.
TEST(WalkErrors, ASuperblockClaimingMoreBlocksThanTheImageHoldsDoesNotHideAnImpossibleClaim) {
    const std::string image = block_mapped_image({{"/sub", 300000000}});
    overwrite(image, 1024 + 4, std::string("\xf0\xff\xff\xff", 4));  // s_blocks_count_lo
    const auto super = run("fsstat " + shell_quote(image));
    EXPECT_NE(super.out.find("Block Range: 0 - 4294967279"), std::string::npos) << super.out;
    EXPECT_NE(super.out.find("Total Range in Image: 0 - 4095"), std::string::npos) << super.out;
    const auto fls = run("fls " + shell_quote(image));
    static const std::regex inode_re(R"(d/d (\d+):\tsub)");
    std::smatch m;
    ASSERT_TRUE(std::regex_search(fls.out, m, inode_re)) << fls.out;
    const Walked w = walk(image);
    EXPECT_TRUE(w.entries.empty());
    ASSERT_EQ(w.errors.size(), 1u);
    EXPECT_EQ(w.errors.front().message,
              "the file system is not walked: inode " + m[1].str() +
                  " is a directory mapped by block pointers that claims 300000000 bytes, more "
                  "than the whole file system (4194304 bytes), in 292969 blocks");
}

// An NTFS root whose $INDEX_ALLOCATION claims 2 TiB: TSK allocates the claim before reading the
// index. The walk refuses the directory, naming the claim. The patch is found from the boot
// sector and the MFT record's attribute list, as the NTFS documentation lays them out.
TEST(WalkErrors, AnNtfsIndexClaimingMoreThanItsFileSystemIsRefusedBeforeTskAllocatesIt) {
    const std::string image = temp_dir() + "/ntfs.img";
    fs::copy_file(fixture("ntfs.img"), image);
    // istat (TSK's own reading) shows that the root has a non-resident index.
    EXPECT_NE(run("istat " + shell_quote(image) + " 5").out.find("$INDEX_ALLOCATION"),
              std::string::npos);
    std::ifstream in(image, std::ios::binary);
    std::string boot(512, '\0');
    in.read(boot.data(), 512);
    auto le = [](const std::string& b, size_t at, int n) {
        uint64_t v = 0;
        for (int i = n - 1; i >= 0; --i) v = v << 8 | static_cast<unsigned char>(b[at + i]);
        return v;
    };
    const uint64_t cluster = le(boot, 0x0B, 2) * le(boot, 0x0D, 1);
    const auto per_record = static_cast<int8_t>(boot[0x40]);
    const uint64_t record_size = per_record < 0 ? uint64_t{1} << -per_record : per_record * cluster;
    const uint64_t root_at = le(boot, 0x30, 8) * cluster + 5 * record_size;
    std::string record(record_size, '\0');
    in.seekg(static_cast<std::streamoff>(root_at));
    in.read(record.data(), static_cast<std::streamsize>(record_size));
    ASSERT_EQ(record.substr(0, 4), "FILE");
    uint64_t at = le(record, 0x14, 2);
    uint64_t alloc_at = 0;
    while (at + 16 < record_size && le(record, at, 4) != 0xFFFFFFFF) {
        if (le(record, at, 4) == 0xA0 && record[at + 8] == 1) alloc_at = at + 0x28;
        at += le(record, at + 4, 4);
    }
    ASSERT_NE(alloc_at, 0u);
    overwrite(image, root_at + alloc_at, std::string("\0\0\0\0\0\x02\0\0", 8));  // 2^41

    const Walked w = walk(image);
    EXPECT_TRUE(w.entries.empty());
    ASSERT_EQ(w.errors.size(), 1u);
    EXPECT_EQ(w.errors.front().path, "/");
    EXPECT_TRUE(w.errors.front().message.starts_with(
        "its index ($INDEX_ALLOCATION) claims 2199023255552 bytes, more than the whole file "
        "system ("))
        << w.errors.front().message;
    auto r = dflab("ls " + shell_quote(image));
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
