// The prefetch writer (images/prefetch.hpp), its recipe generator and the prefetch analyzer,
// checked with sccainfo (libscca-utils), which shares no code with the writer: what sccainfo
// prints for a file is what the spec says, and what dflab's reader gives is what sccainfo prints.
// sccainfo's date texts and ISO times are computed with gmtime (tests/support/libyal_info.hpp),
// not taken from the code under test.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "engine/analyzers/prefetch.hpp"
#include "engine/prefetch_file.hpp"
#include "images/prefetch.hpp"
#include "images/recipe_parser.hpp"
#include "tests/oracle.hpp"
#include "tests/support/fixtures.hpp"
#include "tests/support/libyal_info.hpp"

namespace dflab {
namespace {

using images::PrefetchSpec;
using test::run;
using test::shell_quote;

constexpr int64_t kFirstRun = 1709284320;    // 2024-03-01 09:12:00 UTC
constexpr int64_t kSecondRun = 1709560000;   // 2024-03-04 13:46:40 UTC
constexpr int64_t kLastRun = 1709625600;     // 2024-03-05 08:00:00 UTC
constexpr int64_t kVolumeMade = 1600000000;  // 2020-09-13 12:26:40 UTC
const std::string kVolume = "\\VOLUME{01d6899a1b2c3d4e-1a2b3c4d}";

PrefetchSpec setup_run() {
    PrefetchSpec s;
    s.executable = "SETUP.EXE";
    s.hash = 0x888825F7;
    s.run_count = 5;
    s.last_run = {kSecondRun, kFirstRun, kLastRun};  // not in order: written most recent first
    s.files = {kVolume + "\\WINDOWS\\SYSTEM32\\NTDLL.DLL",
               kVolume + "\\WINDOWS\\SYSTEM32\\KERNEL32.DLL",
               kVolume + "\\USERS\\ALICE\\DOWNLOADS\\SETUP.EXE"};
    s.volume_path = kVolume;
    s.volume_serial = 0x1A2B3C4D;
    s.volume_created = kVolumeMade;
    return s;
}

using test::iso_utc_text;
using test::libyal_time;

std::string hex8(uint32_t v) {
    char text[16];
    std::snprintf(text, sizeof text, "0x%08x", v);
    return text;
}

std::map<std::string, std::string> sccainfo_of(const std::string& path) {
    return test::libyal_info("sccainfo", path);
}

class PrefetchTest : public testing::Test {
  protected:
    void TearDown() override { std::filesystem::remove_all(dir_); }

    std::string write(const std::vector<std::byte>& bytes, const std::string& name = "a.pf") {
        return test::write_bytes(bytes, dir_ + "/" + name);
    }

    std::map<std::string, std::string> sccainfo(const std::vector<std::byte>& bytes) {
        return sccainfo_of(write(bytes));
    }

    std::string dir_ = test::temp_dir();
};

TEST_F(PrefetchTest, SccainfoReadsWhatTheSpecSays) {
    const PrefetchSpec s = setup_run();
    const auto info = sccainfo(images::build_prefetch(s));
    EXPECT_EQ(info.at("Format version"), "30");
    EXPECT_EQ(info.at("Prefetch hash"), "0x888825f7");
    EXPECT_EQ(info.at("Executable filename"), "SETUP.EXE");
    EXPECT_EQ(info.at("Run count"), "5");
    EXPECT_EQ(info.at("Last run time: 1"), libyal_time(kLastRun));
    EXPECT_EQ(info.at("Last run time: 2"), libyal_time(kSecondRun));
    EXPECT_EQ(info.at("Last run time: 3"), libyal_time(kFirstRun));
    for (int i = 4; i <= 8; ++i)
        EXPECT_EQ(info.at("Last run time: " + std::to_string(i)), "Not set (0)") << i;
    EXPECT_EQ(info.at("Number of filenames"), "3");
    for (size_t i = 0; i < s.files.size(); ++i)
        EXPECT_EQ(info.at("Filename: " + std::to_string(i + 1)), s.files[i]);
    EXPECT_EQ(info.at("Number of volumes"), "1");
    EXPECT_EQ(info.at("Device path"), kVolume);
    EXPECT_EQ(info.at("Creation time"), libyal_time(kVolumeMade));
    EXPECT_EQ(info.at("Serial number"), "0x1a2b3c4d");
}

TEST_F(PrefetchTest, EightRunTimesAndCyrillicNames) {
    PrefetchSpec s = setup_run();
    s.last_run.clear();
    for (int i = 0; i < 8; ++i) s.last_run.push_back(kFirstRun + 3600 * i);
    s.files.push_back(kVolume + "\\USERS\\ALICE\\ДОКУМЕНТЫ\\ОТЧЁТ.DOCX");
    const auto info = sccainfo(images::build_prefetch(s));
    for (int i = 1; i <= 8; ++i)
        EXPECT_EQ(info.at("Last run time: " + std::to_string(i)),
                  libyal_time(kFirstRun + 3600 * (8 - i)))
            << i;
    EXPECT_EQ(info.at("Filename: 4"), s.files[3]);
}

// The hash Windows Vista to 11 give a program (libyal's "SCCA Vista" function over the UTF-16LE
// bytes of its device path): cmd.exe in System32 of the second volume is the CMD.EXE-4A81B364.pf
// of Windows 7 installs.
TEST_F(PrefetchTest, PrefetchHashAsWindowsNamesTheFile) {
    EXPECT_EQ(images::prefetch_hash("\\DEVICE\\HARDDISKVOLUME2\\WINDOWS\\SYSTEM32\\CMD.EXE"),
              0x4A81B364u);
    EXPECT_EQ(images::prefetch_hash("\\Device\\HarddiskVolume2\\Windows\\System32\\cmd.exe"),
              0x4A81B364u);
    PrefetchSpec s = setup_run();
    s.executable = "CMD.EXE";
    s.hash = 0x4A81B364;
    EXPECT_EQ(images::prefetch_file_name(s), "CMD.EXE-4A81B364.pf");
}

TEST_F(PrefetchTest, TheSameSpecGivesTheSameBytes) {
    const auto one = images::build_prefetch(setup_run());
    EXPECT_EQ(images::build_prefetch(setup_run()), one);
    PrefetchSpec other = setup_run();
    other.run_count = 6;
    EXPECT_NE(images::build_prefetch(other), one);
}

TEST_F(PrefetchTest, DflabReadsWhatSccainfoPrints) {
    const auto bytes = images::build_prefetch(setup_run());
    const auto info = sccainfo(bytes);
    const engine::Prefetch p = engine::read_prefetch(bytes, "SETUP.EXE-888825F7.pf");
    EXPECT_EQ(std::to_string(p.format_version), info.at("Format version"));
    EXPECT_EQ(p.executable, info.at("Executable filename"));
    EXPECT_EQ(hex8(p.hash), info.at("Prefetch hash"));
    EXPECT_EQ(std::to_string(p.run_count), info.at("Run count"));
    ASSERT_EQ(p.files.size(), 3u);
    for (size_t i = 0; i < p.files.size(); ++i)
        EXPECT_EQ(p.files[i], info.at("Filename: " + std::to_string(i + 1)));
    ASSERT_EQ(p.volumes.size(), 1u);
    EXPECT_EQ(p.volumes[0].device_path, info.at("Device path"));
    EXPECT_EQ(hex8(p.volumes[0].serial), info.at("Serial number"));

    const auto artifacts = engine::read_prefetch_artifacts(bytes, "SETUP.EXE-888825F7.pf");
    ASSERT_EQ(artifacts.size(), 1u);
    const engine::Artifact& a = artifacts[0];
    EXPECT_EQ(a.kind, "prefetch");
    ASSERT_TRUE(a.time);
    EXPECT_EQ(*a.time, kLastRun);
    EXPECT_EQ(a.time_kind, "last_run");
    const auto& f = a.fields;
    EXPECT_EQ(f["executable"], info.at("Executable filename"));
    EXPECT_EQ(f["prefetch_hash"], "888825F7");  // sccainfo: 0x888825f7
    EXPECT_EQ(std::to_string(f["run_count"].get<uint32_t>()), info.at("Run count"));
    EXPECT_EQ(f["last_run_times"],
              nlohmann::json::array(
                  {iso_utc_text(kLastRun), iso_utc_text(kSecondRun), iso_utc_text(kFirstRun)}));
    ASSERT_EQ(f["files_referenced"].size(), 3u);
    for (size_t i = 0; i < 3; ++i)
        EXPECT_EQ(f["files_referenced"][i], info.at("Filename: " + std::to_string(i + 1)));
    ASSERT_EQ(f["volumes"].size(), 1u);
    EXPECT_EQ(f["volumes"][0]["path"], info.at("Device path"));
    EXPECT_EQ(f["volumes"][0]["serial"], "1A2B-3C4D");  // sccainfo: 0x1a2b3c4d
    EXPECT_EQ(f["volumes"][0]["created"], iso_utc_text(kVolumeMade));
}

TEST_F(PrefetchTest, BadSpecsFailWithOneLine) {
    PrefetchSpec s = setup_run();
    s.executable = "A-PROGRAM-NAME-THAT-IS-TOO-LONG.EXE";
    std::string e = test::error_of([&] { images::build_prefetch(s); });
    EXPECT_NE(e.find("executable"), std::string::npos) << e;
    EXPECT_EQ(e.find('\n'), std::string::npos) << e;
    s = setup_run();
    s.last_run.assign(9, kFirstRun);
    EXPECT_NE(test::error_of([&] { images::build_prefetch(s); }).find("at most 8"),
              std::string::npos);
    s = setup_run();
    s.files.clear();
    EXPECT_NE(test::error_of([&] { images::build_prefetch(s); }).find("no files"),
              std::string::npos);
}

// Truncated files and offsets past the end are `unreadable` artifacts naming the file, never an
// exception; so is whatever a few changed bytes make of a file.
TEST_F(PrefetchTest, DamagedFilesAreUnreadableNeverThrow) {
    const auto whole = images::build_prefetch(setup_run());
    std::vector<std::pair<std::string, std::vector<std::byte>>> cases;
    for (size_t n :
         {size_t{8}, size_t{84}, size_t{200}, size_t{320}, whole.size() / 2, whole.size() - 40})
        cases.emplace_back("truncated at " + std::to_string(n),
                           std::vector<std::byte>(whole.begin(), whole.begin() + n));
    auto strings_offset = whole;
    test::put_le32(strings_offset, 84 + 16, 0x7FFFFFF0);
    cases.emplace_back("filename strings offset past the end", strings_offset);
    auto volumes_size = whole;
    test::put_le32(volumes_size, 84 + 32, 0x7FFFFFF0);
    cases.emplace_back("volumes information size past the end", volumes_size);
    for (const auto& [what, bytes] : cases) {
        SCOPED_TRACE(what);
        std::vector<engine::Artifact> artifacts;
        EXPECT_NO_THROW(artifacts = engine::read_prefetch_artifacts(bytes, "damaged.pf"));
        test::expect_one_unreadable(artifacts, "damaged.pf");
        EXPECT_NE(run("sccainfo " + shell_quote(write(bytes, "damaged.pf"))).exit_code, 0)
            << "sccainfo reads it, dflab does not";
    }
    uint32_t state = 4242;
    for (int round = 0; round < 100; ++round) {
        const auto bytes = test::scribbled(whole, 8, state);
        std::vector<engine::Artifact> artifacts;
        EXPECT_NO_THROW(artifacts = engine::read_prefetch_artifacts(bytes, "x.pf")) << round;
        EXPECT_EQ(artifacts.size(), 1u) << round;
    }
}

// `generate: {type: prefetch}` in a recipe: mistakes at their lines, then an NTFS image with a
// prefetch file (and a damaged one) in Windows\Prefetch that `dflab analyze` stores and
// `dflab artifacts` lists with the fields sccainfo reads from the file icat extracts.
class PrefetchRecipe : public PrefetchTest {
  protected:
    std::string parse_error(const std::string& fields) {
        return test::generate_error(dir_, "prefetch", fields);
    }
};

TEST_F(PrefetchRecipe, MistakesAreReportedAtTheirLines) {
    const auto at_line = test::expect_at_line;
    const std::string files = "      files: ['\\VOLUME{1}\\X.EXE']\n";
    const std::string volume = "      volume: {path: '\\VOLUME{1}'}\n";
    EXPECT_EQ(
        parse_error("      executable: '\\DEVICE\\HARDDISKVOLUME2\\X.EXE'\n" + files + volume), "");
    const std::string no_files =
        parse_error("      executable: '\\DEVICE\\HARDDISKVOLUME2\\X.EXE'\n" + volume);
    EXPECT_NE(no_files.find("needs the key 'files'"), std::string::npos) << no_files;
    at_line(parse_error("      executable: X.EXE\n" + files + volume), 10, "hash");
    at_line(parse_error("      executable: X.EXE\n"
                        "      hash: 12345G78\n" +
                        files + volume),
            11, "8 hex digits");
    at_line(parse_error("      executable: '\\D\\A-PROGRAM-NAME-THAT-IS-TOO-LONG.EXE'\n" + files +
                        volume),
            10, "29 characters");
    at_line(parse_error("      executable: '\\D\\X.EXE'\n"
                        "      last_run: [2024-03-01T00:00:00Z, 2024-03-02T00:00:00Z]\n"
                        "      run_count: 1\n" +
                        files + volume),
            12, "run_count");
    at_line(parse_error("      executable: '\\D\\X.EXE'\n"
                        "      last_run: [2024-13-01T00:00:00Z]\n" +
                        files + volume),
            11, "not a time");
    at_line(parse_error("      executable: '\\D\\X.EXE'\n" + files +
                        "      volume: {path: '\\VOLUME{1}', serial: 0x123456789}\n"),
            12, "serial");
    at_line(parse_error("      executable: '\\D\\X.EXE'\n" + files + volume +
                        "      target: 'E:\\x'\n"),
            13, "target");
}

TEST_F(PrefetchRecipe, AnNtfsImageAnalysedAndListedByTheArtifactsCommand) {
    const std::string recipe = dir_ + "/prefetch.yaml";
    std::ofstream(recipe)
        << "name: prefetch\n"
           "start: 2024-03-05T09:00:00Z\n"
           "disk:\n"
           "  size: 32MiB\n"
           "  table: none\n"
           "  partitions:\n"
           "    - {id: c, filesystem: ntfs}\n"
           "actions:\n"
           "  - mkdir: /Windows\n"
           "  - mkdir: /Windows/Prefetch\n"
           "  - write: /Windows/Prefetch/SETUP.EXE-888825F7.pf\n"
           "    generate:\n"
           "      type: prefetch\n"
           "      executable: '\\DEVICE\\HARDDISKVOLUME2\\USERS\\ALICE\\DOWNLOADS\\SETUP.EXE'\n"
           "      run_count: 2\n"
           "      last_run: [2024-03-01T09:12:00Z, 2024-03-04T13:46:40Z]\n"
           "      files:\n"
           "        - '\\VOLUME{01d6899a1b2c3d4e-1a2b3c4d}\\WINDOWS\\SYSTEM32\\NTDLL.DLL'\n"
           "        - '\\VOLUME{01d6899a1b2c3d4e-1a2b3c4d}\\USERS\\ALICE\\DOWNLOADS\\SETUP.EXE'\n"
           "      volume:\n"
           "        path: '\\VOLUME{01d6899a1b2c3d4e-1a2b3c4d}'\n"
           "        serial: 1A2B-3C4D\n"
           "  - write: /Windows/Prefetch/BROKEN.EXE-00000000.pf\n"
           "    base64: HgAAAFNDQ0ERAAAAABAAAA==\n";  // a header cut after 16 bytes
    auto built =
        test::dflab("image build " + shell_quote(recipe) + " -o " + shell_quote(dir_ + "/out"));
    ASSERT_EQ(built.exit_code, 0) << built.err;
    const std::string raw = dir_ + "/out/prefetch.raw";
    const std::string path = "/Windows/Prefetch/SETUP.EXE-888825F7.pf";
    std::string inode;
    for (const auto& e : test::fls(raw))
        if (e.path == path) inode = e.inode;
    ASSERT_FALSE(inode.empty()) << "fls does not list " << path;
    const std::string extracted = dir_ + "/extracted.pf";
    auto cat = run("icat " + shell_quote(raw) + " " + inode + " > " + shell_quote(extracted));
    ASSERT_EQ(cat.exit_code, 0) << cat.err;
    const auto info = sccainfo_of(extracted);
    // The hash computed from the device path is the one the recipe's file name carries.
    EXPECT_EQ(info.at("Prefetch hash"), "0x888825f7");
    // The volume's creation time was not given: it is the action's (the story's start).
    const int64_t action_time = 1709629200;  // 2024-03-05 09:00:00 UTC
    EXPECT_EQ(info.at("Creation time"), libyal_time(action_time));

    const std::string case_path = dir_ + "/case.sqlite";
    auto analyzed = test::dflab("analyze " + shell_quote(raw) + " -o " + shell_quote(case_path));
    EXPECT_EQ(analyzed.exit_code, 0) << analyzed.err;  // a damaged file is a finding
    auto sql = [&](const std::string& q) {
        auto s = run("sqlite3 -batch -noheader " + shell_quote(case_path) + " " + shell_quote(q));
        EXPECT_EQ(s.exit_code, 0) << s.err;
        return s.out;
    };
    EXPECT_EQ(sql("SELECT f.path, a.time FROM artifacts a JOIN files f ON f.id = a.file_id "
                  "WHERE a.kind = 'prefetch'"),
              path + "|" + iso_utc_text(kSecondRun) + "\n");
    EXPECT_EQ(sql("SELECT f.path FROM artifacts a JOIN files f ON f.id = a.file_id "
                  "WHERE a.kind = 'unreadable'"),
              "/Windows/Prefetch/BROKEN.EXE-00000000.pf\n");

    auto r = test::dflab("artifacts " + shell_quote(raw) + " --kind prefetch --json");
    EXPECT_EQ(r.exit_code, 2) << r.err;  // the damaged file is named on standard error
    EXPECT_NE(r.err.find("BROKEN.EXE-00000000.pf"), std::string::npos) << r.err;
    std::vector<nlohmann::json> found;
    for (const auto& line : test::lines(r.out))
        if (!line.empty()) found.push_back(nlohmann::json::parse(line));
    ASSERT_EQ(found.size(), 1u) << r.out;
    const auto& j = found[0];
    EXPECT_EQ(j["kind"], "prefetch");
    EXPECT_EQ(j["path"], path);
    EXPECT_EQ(j["inode"], inode);
    EXPECT_EQ(j["time"], iso_utc_text(kSecondRun));
    EXPECT_EQ(j["time_kind"], "last_run");
    const auto& f = j["fields"];
    EXPECT_EQ(f["executable"], info.at("Executable filename"));
    EXPECT_EQ("0x" + std::string(f["prefetch_hash"]), "0x888825F7");
    EXPECT_EQ(hex8(static_cast<uint32_t>(std::stoul(std::string(f["prefetch_hash"]), nullptr, 16))),
              info.at("Prefetch hash"));
    EXPECT_EQ(std::to_string(f["run_count"].get<uint32_t>()), info.at("Run count"));
    ASSERT_EQ(f["last_run_times"].size(), 2u);
    EXPECT_EQ(info.at("Last run time: 1"), libyal_time(kSecondRun));
    EXPECT_EQ(f["last_run_times"][0], iso_utc_text(kSecondRun));
    EXPECT_EQ(info.at("Last run time: 2"), libyal_time(kFirstRun));
    EXPECT_EQ(f["last_run_times"][1], iso_utc_text(kFirstRun));
    ASSERT_EQ(f["files_referenced"].size(), 2u);
    EXPECT_EQ(f["files_referenced"][0], info.at("Filename: 1"));
    EXPECT_EQ(f["files_referenced"][1], info.at("Filename: 2"));
    ASSERT_EQ(f["volumes"].size(), 1u);
    EXPECT_EQ(f["volumes"][0]["path"], info.at("Device path"));
    EXPECT_EQ(info.at("Serial number"), "0x1a2b3c4d");
    EXPECT_EQ(f["volumes"][0]["serial"], "1A2B-3C4D");
    EXPECT_EQ(f["volumes"][0]["created"], iso_utc_text(action_time));
}

}  // namespace
}  // namespace dflab
