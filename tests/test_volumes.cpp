// Volumes: `dflab partitions --json` against TSK's mmls (slot numbers, start, length, descriptions,
// gaps and table entries), and a bare file system as a single entry.
#include <gtest/gtest.h>

#include <filesystem>

#include "tests/oracle.hpp"
#include "tests/support/fixtures.hpp"

namespace dflab::test {
namespace {

nlohmann::json partitions(const std::string& image) {
    auto r = dflab("partitions --json " + shell_quote(image));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return nlohmann::json::parse(r.out);
}

std::string kind_of(const MmlsSlot& s) {
    if (s.kind == "Meta") return "meta";
    if (s.kind.find_first_not_of('-') == std::string::npos) return "unallocated";
    return "partition";
}

void expect_same_as_mmls(const std::string& image) {
    const auto want = mmls(image);
    ASSERT_FALSE(want.empty());
    const auto got = partitions(image);
    ASSERT_TRUE(got.is_array());
    ASSERT_EQ(got.size(), want.size()) << got.dump(1);
    for (size_t i = 0; i < want.size(); ++i) {
        SCOPED_TRACE("mmls slot " + std::to_string(want[i].slot) + " " + want[i].description);
        const auto& p = got[i];
        EXPECT_EQ(p.at("index").get<int>(), want[i].slot);
        EXPECT_EQ(p.at("start").get<uint64_t>(), want[i].start);
        EXPECT_EQ(p.at("length").get<uint64_t>(), want[i].length);
        EXPECT_EQ(p.at("description").get<std::string>(), want[i].description);
        EXPECT_EQ(p.at("kind").get<std::string>(), kind_of(want[i]));
        EXPECT_EQ(p.at("sector_size").get<uint32_t>(), 512u);
    }
}

const nlohmann::json* by_index(const nlohmann::json& parts, int index) {
    for (const auto& p : parts) {
        if (p.at("index").get<int>() == index) return &p;
    }
    return nullptr;
}

TEST(Volumes, MbrAgreesWithMmls) {
    expect_same_as_mmls(fixture("mbr.img"));
}

TEST(Volumes, GptAgreesWithMmls) {
    expect_same_as_mmls(fixture("gpt.img"));
}

TEST(Volumes, E01OfMbrAgreesWithMmls) {
    expect_same_as_mmls(fixture("disk.E01"));
}

TEST(Volumes, MbrHasLogicalPartitionAndGap) {
    // make.sh: FAT16 at 2048, a 1024-sector gap at 10240, ext4 at 11264, logical FAT12 at 17408.
    const auto parts = partitions(fixture("mbr.img"));
    bool gap = false, logical = false;
    for (const auto& p : parts) {
        const auto start = p.at("start").get<uint64_t>();
        if (p.at("kind") == "unallocated" && start == 10240 &&
            p.at("length").get<uint64_t>() == 1024)
            gap = true;
        if (p.at("kind") == "partition" && start == 17408) {
            logical = true;
            EXPECT_EQ(p.at("filesystem"), "fat12");
        }
        if (p.at("kind") == "partition" && start == 2048) {
            EXPECT_EQ(p.at("filesystem"), "fat16");
        }
        if (p.at("kind") == "partition" && start == 11264) {
            EXPECT_EQ(p.at("filesystem"), "ext4");
        }
    }
    EXPECT_TRUE(gap) << parts.dump(1);
    EXPECT_TRUE(logical) << parts.dump(1);
}

TEST(Volumes, GptFileSystems) {
    const auto parts = partitions(fixture("gpt.img"));
    int found = 0;
    for (const auto& p : parts) {
        if (p.at("kind") != "partition") continue;
        const auto start = p.at("start").get<uint64_t>();
        if (start == 2048) {
            EXPECT_EQ(p.at("filesystem"), "ext4");
            ++found;
        }
        if (start == 8192) {
            EXPECT_EQ(p.at("filesystem"), "ntfs");
            ++found;
        }
    }
    EXPECT_EQ(found, 2) << parts.dump(1);
}

TEST(Volumes, MetaAndGapsHaveNoFileSystemOfTheirOwnName) {
    // The partition table entries are not file systems; no entry claims a file system twice by
    // overlapping a partition that has one (the extended container holds the logical one).
    const auto parts = partitions(fixture("mbr.img"));
    for (const auto& p : parts) {
        if (p.at("kind") == "meta") {
            EXPECT_TRUE(p.at("filesystem").is_null()) << p.dump();
        }
    }
}

TEST(Volumes, BareFileSystemIsOneEntry) {
    for (const auto& [name, fs_name] :
         std::vector<std::pair<std::string, std::string>>{{"fat16.img", "fat16"},
                                                          {"ext4.img", "ext4"},
                                                          {"ntfs.img", "ntfs"},
                                                          {"split.001", "fat16"}}) {
        SCOPED_TRACE(name);
        // mmls finds no volume system in a bare file system.
        EXPECT_NE(run("mmls " + shell_quote(fixture(name))).exit_code, 0);
        const auto parts = partitions(fixture(name));
        ASSERT_EQ(parts.size(), 1u) << parts.dump(1);
        EXPECT_EQ(parts[0].at("index").get<int>(), 0);
        EXPECT_EQ(parts[0].at("start").get<uint64_t>(), 0u);
        const std::string whole = name == "split.001" ? fixture("fat16.img") : fixture(name);
        EXPECT_EQ(parts[0].at("length").get<uint64_t>() * 512, std::filesystem::file_size(whole));
        EXPECT_EQ(parts[0].at("filesystem"), fs_name);
    }
}

TEST(Volumes, PartitionIndexSelectsMmlsSlot) {
    // `dflab ls --partition N` reads the partition at mmls slot N: its file system is the one
    // fsstat finds at that slot's start.
    const std::string img = fixture("mbr.img");
    for (const auto& s : mmls(img)) {
        if (kind_of(s) != "partition") continue;
        SCOPED_TRACE("slot " + std::to_string(s.slot));
        auto fsstat = run("fsstat -o " + std::to_string(s.start) + " " + shell_quote(img));
        ASSERT_EQ(fsstat.exit_code, 0) << fsstat.err;
        const auto parts = partitions(img);
        const auto* p = by_index(parts, s.slot);
        ASSERT_NE(p, nullptr);
        EXPECT_EQ(p->at("start").get<uint64_t>(), s.start);
        ASSERT_TRUE(p->at("filesystem").is_string());
        auto upper = [](std::string t) {
            for (char& c : t) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
            return t;
        };
        // "File System Type: FAT16" / "Ext4" / "NTFS"
        EXPECT_NE(upper(fsstat.out)
                      .find("FILE SYSTEM TYPE: " + upper(p->at("filesystem").get<std::string>())),
                  std::string::npos)
            << fsstat.out.substr(0, 400);
    }
}

}  // namespace
}  // namespace dflab::test

namespace dflab::test {
namespace {

// A deleted partition-table entry leaves its file system in an unallocated gap: dflab finds it
// there (where mmls shows only "Unallocated") and its files list like fls at that offset.
TEST(Volumes, FileSystemOfADeletedTableEntryIsFoundInTheGap) {
    const std::string dir = temp_dir();
    const std::string image = dir + "/disk.img";
    std::filesystem::copy_file(fixture("mbr.img"), image);
    ASSERT_EQ(
        run("sfdisk --no-reread --no-tell-kernel --quiet --delete " + shell_quote(image) + " 2")
            .exit_code,
        0);
    auto r = dflab("partitions --json " + shell_quote(image));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto parts = nlohmann::json::parse(r.out);
    std::optional<nlohmann::json> gap;
    for (const auto& p : parts) {
        if (p["kind"] == "unallocated" && p["filesystem"] == "ext4") gap = p;
    }
    ASSERT_TRUE(gap) << r.out;
    EXPECT_EQ(gap->at("filesystem_start"), 11264);  // where make.sh put the ext4 partition
    auto ls = dflab("ls -r --json --partition " + std::to_string(gap->at("index").get<int>()) +
                    " " + shell_quote(image));
    ASSERT_EQ(ls.exit_code, 0) << ls.err;
    auto expected = fls(image, 11264);
    EXPECT_EQ(lines(ls.out).size(), expected.size());
    std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace dflab::test
