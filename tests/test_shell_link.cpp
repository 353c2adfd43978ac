// The shell link writer (images/shell_link.hpp), its recipe generator and the shell link
// analyzer, checked with lnkinfo (liblnk-utils), which shares no code with the writer: what
// lnkinfo prints for a link is what the spec says, and what dflab's reader gives is what lnkinfo
// prints. FILETIMEs, lnkinfo's date texts, ISO times and the droid's UUID time are computed here
// (and in tests/support/libyal_info.hpp) with gmtime and arithmetic, not taken from the code under
// test.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "engine/analyzers/shell_links.hpp"
#include "engine/shell_link_file.hpp"
#include "images/recipe_parser.hpp"
#include "images/shell_link.hpp"
#include "tests/oracle.hpp"
#include "tests/support/artifact_image.hpp"
#include "tests/support/fixtures.hpp"
#include "tests/support/libyal_info.hpp"

namespace dflab {
namespace {

using images::ShellLinkSpec;
using test::run;
using test::shell_quote;

constexpr int64_t kCreated = 1709284320;   // 2024-03-01 09:12:00 UTC
constexpr int64_t kAccessed = 1709625600;  // 2024-03-05 08:00:00 UTC
constexpr int64_t kModified = 1709560000;  // 2024-03-04 13:46:40 UTC

ShellLinkSpec usb_link() {
    ShellLinkSpec s;
    s.target = "E:\\customers.xlsx";
    s.drive = ShellLinkSpec::Drive::Removable;
    s.volume_serial = 0x1A2B3C4D;
    s.volume_label = "KINGSTON";
    s.created = kCreated;
    s.accessed = kAccessed;
    s.modified = kModified;
    s.file_size = 20480;
    s.working_directory = "E:\\";
    s.arguments = "/r \"Q1 report\"";
    s.relative_path = "..\\..\\customers.xlsx";
    s.machine_id = "DESKTOP-7Q2K1M";
    return s;
}

using test::iso_utc_text;

// "Mar 01, 2024 09:12:00.000000000 UTC", as lnkinfo prints a FILETIME of whole seconds.
std::string lnkinfo_time(int64_t t) {
    return test::libyal_time(t);
}

std::string iso(int64_t t) {
    return iso_utc_text(t);
}

class ShellLinkTest : public testing::Test {
  protected:
    void TearDown() override { std::filesystem::remove_all(dir_); }

    std::string write(const std::vector<std::byte>& bytes, const std::string& name = "a.lnk") {
        return test::write_bytes(bytes, dir_ + "/" + name);
    }

    // lnkinfo's "\tName\t\t: value" lines, by name.
    std::map<std::string, std::string> lnkinfo(const std::vector<std::byte>& bytes) {
        return test::libyal_info("lnkinfo", write(bytes));
    }

    std::string dir_ = test::temp_dir();
};

TEST_F(ShellLinkTest, LnkinfoReadsWhatTheSpecSays) {
    const auto info = lnkinfo(images::build_shell_link(usb_link()));
    EXPECT_EQ(info.at("Local path"), "E:\\customers.xlsx");
    EXPECT_EQ(info.at("Drive type"), "Removable (2)");
    EXPECT_EQ(info.at("Drive serial number"), "0x1a2b3c4d");
    EXPECT_EQ(info.at("Volume label"), "KINGSTON");
    EXPECT_EQ(info.at("Creation time"), lnkinfo_time(kCreated));
    EXPECT_EQ(info.at("Access time"), lnkinfo_time(kAccessed));
    EXPECT_EQ(info.at("Modification time"), lnkinfo_time(kModified));
    EXPECT_EQ(info.at("File size"), "20480 bytes");
    EXPECT_EQ(info.at("File attribute flags"), "0x00000020");
    EXPECT_EQ(info.at("Working directory"), "E:\\");
    EXPECT_EQ(info.at("Command line arguments"), "/r \"Q1 report\"");
    EXPECT_EQ(info.at("Relative path"), "..\\..\\customers.xlsx");
    EXPECT_EQ(info.at("Machine identifier"), "DESKTOP-7Q2K1M");
    // The file droid is a time-based (version 1) UUID made at the target's creation, as Windows
    // makes object identifiers; the birth droids are the current ones (the file never moved).
    const std::string droid = info.at("Droid file identifier");
    ASSERT_EQ(droid.size(), 36u) << droid;
    EXPECT_EQ(droid[14], '1') << droid;
    const uint64_t uuid_time = (std::stoull(droid.substr(15, 3), nullptr, 16) << 48) |
                               (std::stoull(droid.substr(9, 4), nullptr, 16) << 32) |
                               std::stoull(droid.substr(0, 8), nullptr, 16);
    constexpr uint64_t kUuidEpochToUnix = 0x01B21DD213814000ULL;  // 100 ns, RFC 4122
    EXPECT_EQ(uuid_time, kUuidEpochToUnix + uint64_t(kCreated) * 10000000ULL) << droid;
    EXPECT_EQ(info.at("Birth droid file identifier"), droid);
    EXPECT_EQ(info.at("Birth droid volume identifier"), info.at("Droid volume identifier"));
}

TEST_F(ShellLinkTest, WithoutOptionalStringsAndOnAFixedDrive) {
    ShellLinkSpec s;
    s.target = "C:\\Users\\alice\\Desktop\\notes.txt";
    s.drive = ShellLinkSpec::Drive::Fixed;
    s.volume_serial = 0xDEADBEEF;
    s.created = s.accessed = s.modified = kCreated;
    const auto bytes = images::build_shell_link(s);
    const auto info = lnkinfo(bytes);
    EXPECT_EQ(info.at("Local path"), s.target);
    EXPECT_EQ(info.at("Drive type"), "Fixed (3)");
    EXPECT_EQ(info.at("Drive serial number"), "0xdeadbeef");
    EXPECT_EQ(info.count("Working directory"), 0u);
    EXPECT_EQ(info.count("Command line arguments"), 0u);
    EXPECT_EQ(info.count("Machine identifier"), 0u);

    const auto link = engine::read_shell_link(bytes, "notes.lnk");
    EXPECT_EQ(link.local_path, s.target);
    EXPECT_EQ(link.drive_type, 3u);
    EXPECT_FALSE(link.working_directory);
    EXPECT_FALSE(link.arguments);
    EXPECT_FALSE(link.machine_id);
    const auto artifacts = engine::read_shell_link_artifacts(bytes, "notes.lnk");
    ASSERT_EQ(artifacts.size(), 1u);
    EXPECT_EQ(artifacts[0].fields["drive_type"], "fixed");
    EXPECT_EQ(artifacts[0].fields["volume_serial"], "DEAD-BEEF");
    EXPECT_TRUE(artifacts[0].fields["working_directory"].is_null());
    EXPECT_TRUE(artifacts[0].fields["machine_id"].is_null());
}

TEST_F(ShellLinkTest, DflabReadsWhatLnkinfoPrints) {
    const auto bytes = images::build_shell_link(usb_link());
    const auto info = lnkinfo(bytes);
    const auto artifacts = engine::read_shell_link_artifacts(bytes, "customers.xlsx.lnk");
    ASSERT_EQ(artifacts.size(), 1u);
    const engine::Artifact& a = artifacts[0];
    EXPECT_EQ(a.kind, "shell_link");
    ASSERT_TRUE(a.time);
    EXPECT_EQ(*a.time, kModified);
    EXPECT_EQ(a.time_kind, "target_modified");
    const auto& f = a.fields;
    EXPECT_EQ(f["target_path"], info.at("Local path"));
    EXPECT_EQ(f["drive_type"], "removable");  // lnkinfo: "Removable (2)"
    EXPECT_EQ(f["volume_serial"], "1A2B-3C4D");
    char hex[16];
    std::snprintf(hex, sizeof hex, "0x%08x", f["volume_serial_number"].get<uint32_t>());
    EXPECT_EQ(hex, info.at("Drive serial number"));
    EXPECT_EQ(f["volume_label"], info.at("Volume label"));
    EXPECT_EQ(std::to_string(f["target_size"].get<uint64_t>()) + " bytes", info.at("File size"));
    EXPECT_EQ(f["target_created"], iso(kCreated));
    EXPECT_EQ(f["target_accessed"], iso(kAccessed));
    EXPECT_EQ(f["target_modified"], iso(kModified));
    EXPECT_EQ(f["working_directory"], info.at("Working directory"));
    EXPECT_EQ(f["arguments"], info.at("Command line arguments"));
    EXPECT_EQ(f["relative_path"], info.at("Relative path"));
    EXPECT_EQ(f["machine_id"], info.at("Machine identifier"));
}

TEST_F(ShellLinkTest, TheSameSpecGivesTheSameBytes) {
    const auto one = images::build_shell_link(usb_link());
    EXPECT_EQ(images::build_shell_link(usb_link()), one);
    ShellLinkSpec other = usb_link();
    other.machine_id = "LAPTOP-02";
    EXPECT_NE(images::build_shell_link(other), one);  // the droids follow the spec
}

TEST_F(ShellLinkTest, CyrillicTargetAndLabel) {
    ShellLinkSpec s = usb_link();
    s.target = "E:\\Клиенты\\отчёт за март.docx";
    s.volume_label = "ФЛЕШКА";
    s.working_directory = "E:\\Клиенты";
    const auto bytes = images::build_shell_link(s);
    const auto info = lnkinfo(bytes);
    EXPECT_EQ(info.at("Local path"), s.target);
    EXPECT_EQ(info.at("Volume label"), s.volume_label);
    EXPECT_EQ(info.at("Working directory"), s.working_directory);
    const auto link = engine::read_shell_link(bytes, "report.lnk");
    EXPECT_EQ(link.local_path, s.target);
    EXPECT_EQ(link.volume_label, s.volume_label);
    EXPECT_EQ(link.working_directory, s.working_directory);
}

TEST_F(ShellLinkTest, BadSpecsFailWithOneLine) {
    ShellLinkSpec s = usb_link();
    s.machine_id = "A-MACHINE-NAME-TOO-LONG";
    const std::string e = test::error_of([&] { images::build_shell_link(s); });
    EXPECT_NE(e.find("machine id"), std::string::npos) << e;
    EXPECT_EQ(e.find('\n'), std::string::npos) << e;
    s = usb_link();
    s.arguments = "\xff\xfe";
    EXPECT_NE(test::error_of([&] { images::build_shell_link(s); }).find("arguments"),
              std::string::npos);
}

// Truncated links and offsets past the end are `unreadable` artifacts naming the file, never an
// exception; so is whatever a few changed bytes make of a link.
TEST_F(ShellLinkTest, DamagedLinksAreUnreadableNeverThrow) {
    const auto whole = images::build_shell_link(usb_link());
    constexpr size_t kLinkInfo = 0x4C;  // no target identifier list: LinkInfo follows the header
    std::vector<std::pair<std::string, std::vector<std::byte>>> cases;
    for (size_t n : {size_t{4}, size_t{20}, size_t{75}, size_t{76}, size_t{90}, whole.size() / 2,
                     whole.size() - 60})
        cases.emplace_back("truncated at " + std::to_string(n),
                           std::vector<std::byte>(whole.begin(), whole.begin() + n));
    auto link_info_size = whole;
    test::put_le32(link_info_size, kLinkInfo, 0x7FFFFFF0);
    cases.emplace_back("LinkInfoSize past the end", link_info_size);
    auto volume_offset = whole;
    test::put_le32(volume_offset, kLinkInfo + 12, 0x7FFFFFF0);
    cases.emplace_back("VolumeIDOffset past the end", volume_offset);
    auto path_offset = whole;
    test::put_le32(path_offset, kLinkInfo + 16, 0x00FFFFFF);
    cases.emplace_back("LocalBasePathOffset past the end", path_offset);
    for (const auto& [what, bytes] : cases) {
        SCOPED_TRACE(what);
        std::vector<engine::Artifact> artifacts;
        EXPECT_NO_THROW(artifacts = engine::read_shell_link_artifacts(bytes, "damaged.lnk"));
        test::expect_one_unreadable(artifacts, "damaged.lnk");
        EXPECT_NE(run("lnkinfo " + shell_quote(write(bytes, "damaged.lnk"))).exit_code, 0)
            << "lnkinfo reads it, dflab does not";
    }
    uint32_t state = 4242;
    for (int round = 0; round < 100; ++round) {
        const auto bytes = test::scribbled(whole, 20, state);
        std::vector<engine::Artifact> artifacts;
        EXPECT_NO_THROW(artifacts = engine::read_shell_link_artifacts(bytes, "x.lnk")) << round;
        EXPECT_EQ(artifacts.size(), 1u) << round;
    }
}

// liblnk allocates the location information's claimed size before reading it: fuzzing found a
// 195-byte link claiming 2 GiB (0x80002EFE bytes). dflab checks each claimed size against the file
// first, and says which structure lies; lnkinfo cannot read such a link either.
TEST_F(ShellLinkTest, SizesPastTheEndAreRefusedBeforeLiblnkAllocatesThem) {
    const auto whole = images::build_shell_link(usb_link());
    constexpr size_t kLinkInfo = 0x4C;  // no target identifier list: LinkInfo follows the header
    auto bytes = whole;
    test::put_le32(bytes, kLinkInfo, 0x80002EFE);
    const auto artifacts = engine::read_shell_link_artifacts(bytes, "huge.lnk");
    test::expect_one_unreadable(artifacts, "huge.lnk");
    EXPECT_EQ(artifacts[0].fields.value("error", ""),
              "huge.lnk: not a readable shell link: its link information claims 2147495678 bytes, "
              "past the end of the file (" +
                  std::to_string(whole.size()) + " bytes)");
    EXPECT_NE(run("lnkinfo " + shell_quote(write(bytes, "huge.lnk"))).exit_code, 0);
}

// `generate: {type: lnk}` in a recipe: mistakes at their lines, then a FAT image with a link in
// alice's Recent folder that `dflab artifacts` lists with the fields lnkinfo reads from the file
// icat extracts.
class ShellLinkRecipe : public ShellLinkTest {
  protected:
    std::string parse_error(const std::string& fields) {
        return test::generate_error(dir_, "lnk", fields);
    }
};

TEST_F(ShellLinkRecipe, MistakesAreReportedAtTheirLines) {
    const auto at_line = test::expect_at_line;
    EXPECT_EQ(parse_error("      target: 'E:\\x.txt'\n"
                          "      serial: 1A2B-3C4D\n"
                          "      drive: network\n"
                          "      size: 20KiB\n"),
              "");
    const std::string no_target = parse_error("      drive: fixed\n");
    EXPECT_NE(no_target.find("needs the key 'target'"), std::string::npos) << no_target;
    at_line(parse_error("      target: x.txt\n"), 10, "drive letter");
    at_line(parse_error("      target: 'E:\\x'\n"
                        "      drive: floppy\n"),
            11, "floppy");
    at_line(parse_error("      target: 'E:\\x'\n"
                        "      serial: 0x123456789\n"),
            11, "serial");
    at_line(parse_error("      target: 'E:\\x'\n"
                        "      size: 5GiB\n"),
            11, "32 bits");
    at_line(parse_error("      target: 'E:\\x'\n"
                        "      machine: A-MACHINE-NAME-TOO-LONG\n"),
            11, "NetBIOS");
    at_line(parse_error("      target: 'E:\\x'\n"
                        "      modified: 2024-13-01T00:00:00Z\n"),
            11, "not a time");
    at_line(parse_error("      target: 'E:\\x'\n"
                        "      keys: []\n"),
            11, "keys");
}

TEST_F(ShellLinkRecipe, ALinkInRecentListedByTheArtifactsCommand) {
    const std::string recipe = dir_ + "/recent.yaml";
    std::ofstream(recipe) << "name: recent\n"
                             "start: 2024-03-05T09:00:00Z\n"
                             "disk:\n"
                             "  size: 16MiB\n"
                             "  table: none\n"
                             "  partitions:\n"
                             "    - {id: c, filesystem: fat16}\n"
                             "actions:\n"
                             "  - mkdir: /Users\n"
                             "  - mkdir: /Users/alice\n"
                             "  - mkdir: /Users/alice/AppData\n"
                             "  - mkdir: /Users/alice/AppData/Roaming\n"
                             "  - mkdir: /Users/alice/AppData/Roaming/Microsoft\n"
                             "  - mkdir: /Users/alice/AppData/Roaming/Microsoft/Windows\n"
                             "  - mkdir: /Users/alice/AppData/Roaming/Microsoft/Windows/Recent\n"
                             "  - write: /Users/alice/AppData/Roaming/Microsoft/Windows/Recent/"
                             "customers.xlsx.lnk\n"
                             "    generate:\n"
                             "      type: lnk\n"
                             "      target: 'E:\\customers.xlsx'\n"
                             "      drive: removable\n"
                             "      serial: 0x1A2B3C4D\n"
                             "      label: KINGSTON\n"
                             "      size: 20480\n"
                             "      created: 2024-03-01T09:12:00Z\n"
                             "      modified: 2024-03-04T13:46:40Z\n"
                             "      working_directory: 'E:\\'\n"
                             "      arguments: '/r'\n"
                             "      machine: DESKTOP-7Q2K1M\n";
    auto built =
        test::dflab("image build " + shell_quote(recipe) + " -o " + shell_quote(dir_ + "/out"));
    ASSERT_EQ(built.exit_code, 0) << built.err;
    const std::string raw = dir_ + "/out/recent.raw";
    const std::string path =
        "/Users/alice/AppData/Roaming/Microsoft/Windows/Recent/"
        "customers.xlsx.lnk";
    std::string inode;
    for (const auto& e : test::fls(raw))
        if (e.path == path) inode = e.inode;
    ASSERT_FALSE(inode.empty()) << "fls does not list " << path;
    const std::string extracted = dir_ + "/extracted.lnk";
    auto cat = run("icat " + shell_quote(raw) + " " + inode + " > " + shell_quote(extracted));
    ASSERT_EQ(cat.exit_code, 0) << cat.err;
    auto info = run("lnkinfo " + shell_quote(extracted));
    ASSERT_EQ(info.exit_code, 0) << info.err;
    // The access time was not given: it is the action's (the story's start).
    const int64_t action_time = 1709629200;  // 2024-03-05 09:00:00 UTC
    EXPECT_NE(info.out.find("Access time\t\t\t: " + lnkinfo_time(action_time)), std::string::npos)
        << info.out;

    auto r = test::dflab("artifacts " + shell_quote(raw) + " --kind shell_link --json");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    std::vector<nlohmann::json> found;
    for (const auto& line : test::lines(r.out))
        if (!line.empty()) found.push_back(nlohmann::json::parse(line));
    ASSERT_EQ(found.size(), 1u) << r.out;
    const auto& j = found[0];
    EXPECT_EQ(j["kind"], "shell_link");
    EXPECT_EQ(j["path"], path);
    EXPECT_EQ(j["inode"], inode);
    EXPECT_EQ(j["time"], iso(kModified));
    EXPECT_EQ(j["time_kind"], "target_modified");
    const auto& f = j["fields"];
    EXPECT_EQ(f["target_path"], "E:\\customers.xlsx");
    EXPECT_EQ(f["drive_type"], "removable");
    EXPECT_EQ(f["volume_serial"], "1A2B-3C4D");
    EXPECT_EQ(f["volume_serial_number"], 0x1A2B3C4D);
    EXPECT_EQ(f["volume_label"], "KINGSTON");
    EXPECT_EQ(f["target_size"], 20480);
    EXPECT_EQ(f["target_created"], iso(kCreated));
    EXPECT_EQ(f["target_accessed"], iso(action_time));
    EXPECT_EQ(f["target_modified"], iso(kModified));
    EXPECT_EQ(f["working_directory"], "E:\\");
    EXPECT_EQ(f["arguments"], "/r");
    EXPECT_EQ(f["machine_id"], "DESKTOP-7Q2K1M");
}

}  // namespace
}  // namespace dflab
