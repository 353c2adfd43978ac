// File systems: `dflab ls -r --json` against TSK's `fls -r -p` (same paths, addresses and
// allocation state, deleted entries and NTFS streams included), the JSON fields and their types,
// and the times that tests/fixtures/make.sh planted.
#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>
#include <iomanip>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <tuple>

#include "engine/evidence.hpp"
#include "engine/file_system.hpp"
#include "engine/file_type.hpp"
#include "engine/time_format.hpp"
#include "engine/volumes.hpp"
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

// istat's "$FILE_NAME Attribute Values" block of an MFT entry: Created, File Modified, MFT
// Modified, Accessed, as "YYYY-MM-DDTHH:MM:SSZ" (istat run in UTC).
std::map<std::string, std::string> istat_file_name_block(const std::string& image,
                                                         const std::string& entry) {
    auto r = run("TZ=UTC istat " + shell_quote(image) + " " + entry);
    std::map<std::string, std::string> out;
    bool inside = false;
    std::regex time_line(
        "^(Created|File Modified|MFT Modified|Accessed):\\s+"
        "(\\d{4}-\\d\\d-\\d\\d) (\\d\\d:\\d\\d:\\d\\d)");
    for (auto& line : lines(r.out)) {
        if (line.rfind("$FILE_NAME Attribute Values", 0) == 0) inside = true;
        if (line.rfind("Attributes:", 0) == 0) inside = false;
        std::smatch m;
        if (inside && std::regex_search(line, m, time_line))
            out[m[1]] = m[2].str() + "T" + m[3].str() + "Z";
    }
    return out;
}

std::string iso_or_empty(const std::optional<int64_t>& t) {
    return t ? engine::iso_utc(*t) : "";
}

TEST(FileSystem, NtfsFileNameTimesAreIstatsFileNameBlock) {
    const std::string image = fixture("ntfs.img");
    auto evidence = engine::Evidence::open({image});
    auto part = engine::file_system_partitions(evidence).front();
    const engine::FileSystem fs(evidence, part);
    size_t compared = 0, differing = 0;
    for (auto& e : fs.list()) {
        if (!e.allocated || e.type != "file" || e.path.rfind("/$", 0) == 0) continue;
        ASSERT_TRUE(e.file_name) << e.path;
        auto istat = istat_file_name_block(image, std::to_string(e.address.meta_addr));
        ASSERT_EQ(istat.size(), 4u) << e.path;
        EXPECT_EQ(iso_or_empty(e.file_name->crtime), istat["Created"]) << e.path;
        EXPECT_EQ(iso_or_empty(e.file_name->mtime), istat["File Modified"]) << e.path;
        EXPECT_EQ(iso_or_empty(e.file_name->ctime), istat["MFT Modified"]) << e.path;
        EXPECT_EQ(iso_or_empty(e.file_name->atime), istat["Accessed"]) << e.path;
        if (e.file_name->mtime != e.mtime) ++differing;
        ++compared;
    }
    EXPECT_GE(compared, 5u);
    // make.sh sets the modified times with touch, which leaves $FILE_NAME alone.
    EXPECT_GT(differing, 0u);
    // Other file systems have no $FILE_NAME times.
    const std::string fat = fixture("fat16.img");
    auto fat_evidence = engine::Evidence::open({fat});
    auto fat_part = engine::file_system_partitions(fat_evidence).front();
    const engine::FileSystem fat_fs(fat_evidence, fat_part);
    for (auto& e : fat_fs.list()) EXPECT_FALSE(e.file_name) << e.path;
}

TEST(FileType, ANamedStreamIsJudgedByItsOwnNameNotItsHostsExtension) {
    engine::FileTypeDetector detector;
    std::string zone = "[ZoneTransfer]\r\nZoneId=3\r\nHostUrl=https://example.net/a.jpg\r\n";
    std::string mime = detector.mime_type(std::as_bytes(std::span(zone)));
    // Oracle for the type: file(1) reads the same bytes the same way.
    std::string dir = temp_dir();
    write_file(dir + "/zone", zone);
    EXPECT_EQ(run("file -b --mime-type " + shell_quote(dir + "/zone")).out, mime + "\n");
    EXPECT_FALSE(engine::name_extension_mismatch("holiday.jpg:Zone.Identifier", mime));
    EXPECT_FALSE(engine::name_extension_mismatch("HOLIDAY.JPG:Zone.Identifier", mime));
    // The host itself, or a stream whose own name claims a type, is still judged.
    EXPECT_TRUE(engine::name_extension_mismatch("holiday.jpg", mime));
    EXPECT_TRUE(engine::name_extension_mismatch("notes.txt:payload.exe", mime));
    EXPECT_FALSE(engine::name_extension_mismatch("notes.txt", mime));
}

// ---------------------------------------------------------------------------------------------
// FAT times in a zone

// Local times (as TSK gives them under TZ=UTC: the wall clock as if UTC) and the instants Python's
// zoneinfo gives them in `zone` (fold=0: the earlier of two, the offset before a skipped hour;
// what mktime does for a skipped one).
std::vector<std::pair<int64_t, int64_t>> zoneinfo_oracle(const std::string& zone,
                                                         const std::vector<std::string>& locals) {
    std::string script =
        "import datetime, sys, zoneinfo\n"
        "z = zoneinfo.ZoneInfo(sys.argv[1])\n"
        "for s in sys.argv[2:]:\n"
        "    d = datetime.datetime.fromisoformat(s)\n"
        "    wall = int(d.replace(tzinfo=datetime.timezone.utc).timestamp())\n"
        "    print(wall, int(d.replace(tzinfo=z, fold=0).timestamp()))\n";
    std::string cmd = "python3 -c " + shell_quote(script) + " " + shell_quote(zone);
    for (const auto& l : locals) cmd += " " + shell_quote(l);
    auto r = run(cmd);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::vector<std::pair<int64_t, int64_t>> out;
    for (const auto& line : lines(r.out)) {
        auto space = line.find(' ');
        out.emplace_back(std::stoll(line.substr(0, space)), std::stoll(line.substr(space + 1)));
    }
    return out;
}

TEST(FatZone, LocalTimeToInstantAgreesWithZoneinfo) {
    const std::vector<std::string> locals = {
        "2024-02-29 23:59:58", "2024-03-01 00:30:00", "2024-11-13 18:10:00",  // Almaty: +6 -> +5
        "2010-03-28 02:30:00", "2010-10-31 02:30:00",                         // Moscow DST
        "2023-03-26 02:30:00", "2023-10-29 02:30:00",                         // Berlin DST
        "1999-12-31 23:59:59", "2038-01-19 03:14:08"};
    for (const std::string zone :
         {"Asia/Almaty", "Europe/Moscow", "Europe/Berlin", "America/New_York", "UTC"}) {
        SCOPED_TRACE(zone);
        auto oracle = zoneinfo_oracle(zone, locals);
        ASSERT_EQ(oracle.size(), locals.size());
        for (const auto& [wall, instant] : oracle)
            EXPECT_EQ(engine::fat_time_in_zone(wall, zone), instant) << wall;
    }
    EXPECT_THROW(engine::fat_time_in_zone(0, "Mars/Base"), engine::Error);
}

TEST(FatZone, ZonesForAllAndPerPartition) {
    auto zones = engine::parse_fat_zones({"2=Asia/Almaty", "Europe/Moscow", "8=UTC"});
    EXPECT_EQ(zones.zone_for(2), "Asia/Almaty");
    EXPECT_EQ(zones.zone_for(8), "UTC");
    EXPECT_EQ(zones.zone_for(4), "Europe/Moscow");
    EXPECT_EQ(engine::parse_fat_zones({}).zone_for(0), "UTC");
    for (const std::vector<std::string>& bad : {std::vector<std::string>{"Mars/Base"},
                                                {"2=Mars/Base"},
                                                {"two=UTC"},
                                                {"-1=UTC"},
                                                {"UTC", "Asia/Almaty"},
                                                {"2=UTC", "2=UTC"}}) {
        std::string message;
        try {
            engine::parse_fat_zones(bad);
        } catch (const engine::Error& e) {
            message = e.what();
        }
        EXPECT_NE(message.find(bad.back()), std::string::npos) << message;
        EXPECT_EQ(message.find('\n'), std::string::npos) << message;
    }
}

// "2023-03-14T15:09:26Z" in seconds, with the C library (timegm), or 0 for null.
int64_t seconds(const nlohmann::json& iso) {
    if (iso.is_null()) return 0;
    std::tm tm{};
    std::istringstream in(iso.get<std::string>());
    in >> std::get_time(&tm, "%Y-%m-%dT%H:%M:%SZ");
    EXPECT_FALSE(in.fail()) << iso;
    return static_cast<int64_t>(::timegm(&tm));
}

TEST(FatZone, LsReadsEachPartitionInItsZoneLikeFlsZ) {
    const std::string image = fixture("mbr.img");
    auto r = dflab("ls -r --json --fat-zone 2=Asia/Almaty --fat-zone America/New_York " +
                   shell_quote(image));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const std::map<int, std::pair<std::string, int>> fat = {{2, {"Asia/Almaty", 2048}},
                                                            {8, {"America/New_York", 17408}}};
    std::map<int, size_t> compared;
    for (const auto& [index, zone_start] : fat) {
        // fls -m -z ZONE: name -> "atime|mtime|crtime"
        auto fls = run("fls -z " + zone_start.first + " -r -m / -o " +
                       std::to_string(zone_start.second) + " " + shell_quote(image));
        ASSERT_EQ(fls.exit_code, 0) << fls.err;
        std::map<std::string, std::string> want;
        for (const auto& line : lines(fls.out)) {
            std::vector<std::string> f;
            std::stringstream in(line);
            for (std::string x; std::getline(in, x, '|');) f.push_back(x);
            if (f.size() == 11 && f[1].find(" (deleted") == std::string::npos)
                want[f[2] + " " + f[1]] = f[7] + "|" + f[8] + "|" + f[10];
        }
        for (const auto& e : json_lines(r.out)) {
            if (e["partition"] != index || !e["allocated"].get<bool>()) continue;
            const std::string key =
                e["inode"].get<std::string>() + " " + e["path"].get<std::string>();
            if (!want.count(key)) continue;
            EXPECT_EQ(e["fat_zone"], zone_start.first) << key;
            EXPECT_EQ(std::to_string(seconds(e["atime"])) + "|" +
                          std::to_string(seconds(e["mtime"])) + "|" +
                          std::to_string(seconds(e["crtime"])),
                      want[key])
                << key;
            ++compared[index];
        }
    }
    EXPECT_GT(compared[2], 3u);
    EXPECT_GT(compared[8], 1u);
    for (const auto& e : json_lines(r.out)) {
        if (e["partition"] == 4) {
            EXPECT_FALSE(e.contains("fat_zone")) << e;  // ext4 stores UTC
        }
    }

    // Text output names the zones first; the shell's TZ changes nothing.
    auto text = run("TZ=Asia/Almaty " + shell_quote(DFLAB_BINARY) + " ls " + shell_quote(image));
    ASSERT_EQ(text.exit_code, 0) << text.err;
    EXPECT_EQ(lines(text.out).front(),
              "# FAT times: local time read in UTC (partitions 2, 8); set with --fat-zone");
    EXPECT_EQ(text.out, dflab("ls --fat-zone UTC " + shell_quote(image)).out);
}

}  // namespace
}  // namespace dflab::test

namespace dflab::test {

// The `filesystem` solution step's volume_id: the serial number as fsstat prints it on FAT
// ("Volume ID: 0x1234abcd") and NTFS ("Volume Serial Number: 34F5EE1202469FF7"), the UUID as
// blkid shows it (without the dashes) on ext4; never the stored byte order.
TEST(FileSystem, VolumeIdIsWhatFsstatAndBlkidShow) {
    auto expected_id = [](const std::string& image) {
        const std::string out = run("fsstat " + shell_quote(image)).out;
        std::smatch m;
        if (std::regex_search(out, m, std::regex("Volume ID: 0x([0-9a-fA-F]+)")) ||
            std::regex_search(out, m, std::regex("Volume Serial Number: ([0-9A-Fa-f]+)"))) {
            std::string id = m[1].str();
            for (auto& c : id) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            return id;
        }
        std::string uuid =
            run("PATH=$PATH:/usr/sbin:/sbin blkid -p -s UUID -o value " + shell_quote(image)).out;
        std::erase(uuid, '-');
        std::erase(uuid, '\n');
        return uuid;
    };
    for (const char* name : {"fat16.img", "ntfs.img", "ext4.img"}) {
        const std::string image = fixture(name);
        auto evidence = engine::Evidence::open({image});
        auto parts = engine::file_system_partitions(evidence);
        ASSERT_EQ(parts.size(), 1u) << name;
        const engine::FileSystem fs(evidence, parts.front());
        const std::string want = expected_id(image);
        EXPECT_GE(want.size(), 8u) << name;
        EXPECT_EQ(fs.info().volume_id, want) << name;
    }
}

}  // namespace dflab::test
