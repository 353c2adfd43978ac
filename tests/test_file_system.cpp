// File systems: `dflab ls -r --json` against TSK's `fls -r -p` (same paths, addresses and
// allocation state, deleted entries and NTFS streams included), the JSON fields and their types,
// and the times that tests/fixtures/make.sh planted.
#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>
#include <map>
#include <regex>
#include <set>
#include <tuple>

#include "tests/oracle.hpp"
#include "tests/support/fixtures.hpp"

namespace dflab::test {
namespace {

// FAT stores local time without a zone and TSK reads it in the process's time zone; make.sh
// writes the fixtures with TZ=UTC, so dflab (and fls) must read them in UTC too.
const bool utc_for_children = [] {
    ::setenv("TZ", "UTC", 1);
    ::tzset();
    return true;
}();

std::string partition_arg(const Target& t) {
    return t.slot ? "--partition " + std::to_string(*t.slot) + " " : "";
}

std::vector<nlohmann::json> ls(const Target& t, const std::string& extra = "-r") {
    auto r = dflab("ls " + extra + " --json " + partition_arg(t) + shell_quote(fixture(t.image)));
    EXPECT_EQ(r.exit_code, 0) << t.label() << ": " << r.err;
    EXPECT_EQ(r.err, "");
    return json_lines(r.out);
}

using Key = std::tuple<std::string, std::string, bool>;  // path, inode, allocated

std::multiset<Key> keys_of(const std::vector<FlsEntry>& entries) {
    std::multiset<Key> out;
    for (const auto& e : entries) out.emplace(e.path, e.inode, e.allocated);
    return out;
}

std::multiset<Key> keys_of(const std::vector<nlohmann::json>& entries) {
    std::multiset<Key> out;
    for (const auto& e : entries) {
        out.emplace(e.at("path").get<std::string>(), e.at("inode").get<std::string>(),
                    e.at("allocated").get<bool>());
    }
    return out;
}

std::string describe_difference(const std::multiset<Key>& want, const std::multiset<Key>& got) {
    std::string out;
    for (const auto& k : want) {
        if (got.count(k) < want.count(k))
            out += "  missing: " + std::get<0>(k) + " " + std::get<1>(k) +
                   (std::get<2>(k) ? "" : " (deleted)") + "\n";
    }
    for (const auto& k : got) {
        if (want.count(k) < got.count(k))
            out += "  extra:   " + std::get<0>(k) + " " + std::get<1>(k) +
                   (std::get<2>(k) ? "" : " (deleted)") + "\n";
    }
    return out;
}

TEST(FileSystem, RecursiveListingEqualsFls) {
    for (const auto& t : targets()) {
        SCOPED_TRACE(t.label());
        const auto want = keys_of(fls(fixture(t.image), t.start));
        const auto got = keys_of(ls(t));
        ASSERT_FALSE(want.empty());
        EXPECT_EQ(got, want) << describe_difference(want, got);
    }
}

TEST(FileSystem, E01PartitionListingEqualsFls) {
    // The same disk through the multi-segment E01: fls reads E01 too.
    const uint64_t start = mmls_start(fixture("mbr.img"), 2);
    const Target t{"disk.E01", 2, start, ""};
    const auto want = keys_of(fls(fixture("disk.E01"), start));
    const auto got = keys_of(ls(t));
    EXPECT_EQ(got, want) << describe_difference(want, got);
}

TEST(FileSystem, DiskWithoutPartitionOptionListsEveryFileSystem) {
    std::multiset<Key> want;
    std::set<int> slots;
    for (const auto& t : targets()) {
        if (t.image != "mbr.img") continue;
        slots.insert(*t.slot);
        for (const auto& k : keys_of(fls(fixture(t.image), t.start))) want.insert(k);
    }
    auto r = dflab("ls -r --json " + shell_quote(fixture("mbr.img")));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto entries = json_lines(r.out);
    std::set<int> seen;
    for (const auto& e : entries) seen.insert(e.at("partition").get<int>());
    EXPECT_EQ(seen, slots);
    const auto got = keys_of(entries);
    EXPECT_EQ(got, want) << describe_difference(want, got);
}

TEST(FileSystem, TopLevelListingEqualsFls) {
    for (const auto& t : targets()) {
        SCOPED_TRACE(t.label());
        std::string cmd = "fls -p" + (t.start ? " -o " + std::to_string(t.start) : std::string()) +
                          " " + shell_quote(fixture(t.image));
        auto r = run(cmd);
        ASSERT_EQ(r.exit_code, 0) << r.err;
        const auto want = keys_of(parse_fls(r.out));
        const auto got = keys_of(ls(t, ""));
        EXPECT_EQ(got, want) << describe_difference(want, got);
    }
}

TEST(FileSystem, DeletedOnlyListingEqualsFlsD) {
    for (const auto& t : targets()) {
        SCOPED_TRACE(t.label());
        std::string cmd = "fls -r -p -d" +
                          (t.start ? " -o " + std::to_string(t.start) : std::string()) + " " +
                          shell_quote(fixture(t.image));
        auto r = run(cmd);
        ASSERT_EQ(r.exit_code, 0) << r.err;
        const auto want = keys_of(parse_fls(r.out));
        const auto got = keys_of(ls(t, "-r -d"));
        EXPECT_EQ(got, want) << describe_difference(want, got);
    }
}

TEST(FileSystem, SubdirectoryListingEqualsFls) {
    // --path DIR lists below DIR with full paths; fls takes the directory's address.
    const Target t{"fat16.img", {}, 0, ""};
    std::string dir_inode;
    for (const auto& e : fls(fixture("fat16.img"))) {
        if (e.path == "/Docs" && e.type == "d/d") dir_inode = e.inode;
    }
    ASSERT_FALSE(dir_inode.empty());
    auto r = run("fls -r -p " + shell_quote(fixture("fat16.img")) + " " + dir_inode);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    std::multiset<Key> want;
    for (auto e : parse_fls(r.out)) want.emplace("/Docs" + e.path, e.inode, e.allocated);
    const auto got = keys_of(ls(t, "-r --path /Docs"));
    EXPECT_EQ(got, want) << describe_difference(want, got);
}

TEST(FileSystem, JsonFieldsAndTypes) {
    const std::regex iso(R"(^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$)");
    for (const auto& t : targets()) {
        SCOPED_TRACE(t.label());
        const auto entries = ls(t);
        ASSERT_FALSE(entries.empty());
        for (const auto& e : entries) {
            SCOPED_TRACE(e.dump());
            ASSERT_TRUE(e.is_object());
            ASSERT_TRUE(e.at("partition").is_number_integer());
            EXPECT_EQ(e.at("partition").get<int>(), t.slot.value_or(0));
            ASSERT_TRUE(e.at("path").is_string());
            const auto path = e.at("path").get<std::string>();
            ASSERT_FALSE(path.empty());
            EXPECT_EQ(path[0], '/');
            ASSERT_TRUE(e.at("name").is_string());
            EXPECT_EQ(e.at("name").get<std::string>(), path.substr(path.rfind('/') + 1));
            ASSERT_TRUE(e.at("inode").is_string());
            EXPECT_TRUE(std::regex_match(e.at("inode").get<std::string>(),
                                         std::regex(R"(^\d+(-\d+-\d+)?$)")));
            ASSERT_TRUE(e.at("type").is_string());
            EXPECT_FALSE(e.at("type").get<std::string>().empty());
            EXPECT_TRUE(e.at("size").is_number_unsigned());
            EXPECT_TRUE(e.at("allocated").is_boolean());
            for (const char* field : {"mtime", "atime", "ctime", "crtime"}) {
                ASSERT_TRUE(e.contains(field)) << field;
                const auto& v = e.at(field);
                EXPECT_TRUE(v.is_null() ||
                            (v.is_string() && std::regex_match(v.get<std::string>(), iso)))
                    << field << " = " << v.dump();
            }
        }
    }
}

TEST(FileSystem, TypesAgreeWithFls) {
    // fls "r/r" -> file, "d/d" -> directory, "l/l" -> symlink (the meta type, after the '/').
    const std::map<char, std::string> names{{'r', "file"}, {'d', "directory"}, {'l', "symlink"}};
    for (const auto& t : targets()) {
        SCOPED_TRACE(t.label());
        std::map<std::pair<std::string, std::string>, std::string> want;
        for (const auto& e : fls(fixture(t.image), t.start)) {
            auto it = names.find(e.type.back());
            if (it != names.end()) want[{e.path, e.inode}] = it->second;
        }
        for (const auto& e : ls(t)) {
            auto it =
                want.find({e.at("path").get<std::string>(), e.at("inode").get<std::string>()});
            if (it == want.end()) continue;
            EXPECT_EQ(e.at("type").get<std::string>(), it->second) << e.dump();
        }
    }
}

TEST(FileSystem, PlantedEntriesSizesAndTimes) {
    for (const auto& t : targets()) {
        SCOPED_TRACE(t.label());
        const auto& want = planted(t.image, t.planted_key);
        std::map<std::string, nlohmann::json> by_path;
        for (auto& e : ls(t)) by_path[e.at("path").get<std::string>()] = e;
        ASSERT_FALSE(want.empty());
        for (const auto& p : want) {
            const auto path = p.at("path").get<std::string>();
            SCOPED_TRACE(path);
            auto it = by_path.find(path);
            ASSERT_NE(it, by_path.end()) << "planted entry not listed";
            const auto& e = it->second;
            EXPECT_EQ(e.at("allocated").get<bool>(), p.at("allocated").get<bool>());
            EXPECT_EQ(e.at("size").get<uint64_t>(), p.at("size").get<uint64_t>());
            if (p.at("allocated").get<bool>()) {
                EXPECT_EQ(e.at("type"), "file");
            }
            for (const char* field : {"mtime", "atime", "crtime"}) {
                if (p.at(field).is_null()) continue;
                EXPECT_EQ(e.at(field), p.at(field)) << field;
            }
        }
    }
}

TEST(FileSystem, Ext4SymlinkAndDirectories) {
    const Target t{"ext4.img", {}, 0, ""};
    std::map<std::string, nlohmann::json> by_path;
    for (auto& e : ls(t)) by_path[e.at("path").get<std::string>()] = e;
    ASSERT_TRUE(by_path.count("/link_to_report"));
    EXPECT_EQ(by_path["/link_to_report"].at("type"), "symlink");
    EXPECT_EQ(by_path["/link_to_report"].at("size").get<uint64_t>(),
              std::string("docs/report.txt").size());
    EXPECT_EQ(by_path["/link_to_report"].at("mtime"), "2022-05-05T05:05:05Z");
    for (const char* dir : {"/docs", "/docs/sub", "/photos", "/lost+found"}) {
        ASSERT_TRUE(by_path.count(dir)) << dir;
        EXPECT_EQ(by_path[dir].at("type"), "directory") << dir;
        EXPECT_EQ(by_path[dir].at("mtime"), "2021-01-01T12:00:00Z") << dir;
        EXPECT_EQ(by_path[dir].at("ctime"), "2021-01-01T12:02:00Z") << dir;
    }
}

TEST(FileSystem, NtfsStreamIsItsOwnEntry) {
    const Target t{"ntfs.img", {}, 0, ""};
    const auto flsed = fls(fixture("ntfs.img"));
    std::string stream_inode, file_inode;
    for (const auto& e : flsed) {
        if (e.path == "/secret.txt:hidden") stream_inode = e.inode;
        if (e.path == "/secret.txt") file_inode = e.inode;
    }
    ASSERT_FALSE(stream_inode.empty()) << "fixture has no ADS";
    bool found = false;
    for (const auto& e : ls(t)) {
        if (e.at("path") != "/secret.txt:hidden") continue;
        found = true;
        EXPECT_EQ(e.at("inode"), stream_inode);
        EXPECT_EQ(e.at("name"), "secret.txt:hidden");
        EXPECT_EQ(e.at("type"), "file");
        // Same MFT entry as the file, another attribute.
        EXPECT_EQ(stream_inode.substr(0, stream_inode.find('-')),
                  file_inode.substr(0, file_inode.find('-')));
        EXPECT_NE(stream_inode, file_inode);
    }
    EXPECT_TRUE(found);
}

TEST(FileSystem, TextOutputMarksDeletedLikeFls) {
    const Target t{"fat16.img", {}, 0, ""};
    auto r = dflab("ls -r " + shell_quote(fixture(t.image)));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    std::set<std::string> deleted_fls, deleted_dflab;
    for (const auto& e : fls(fixture(t.image))) {
        if (!e.allocated) deleted_fls.insert(e.inode);
    }
    for (const auto& line : lines(r.out)) {
        std::smatch m;
        if (std::regex_search(line, m, std::regex(R"(^\d+  \S+ \* (\S+):\t)")))
            deleted_dflab.insert(m[1]);
    }
    EXPECT_EQ(deleted_dflab, deleted_fls) << r.out;
}

}  // namespace
}  // namespace dflab::test
