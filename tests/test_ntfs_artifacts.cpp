// Three NTFS artifacts written by the image builder and read back by the engine: Recycle Bin
// records (`recycle:`), Zone.Identifier streams (`downloaded_from:`) and timestomped files
// (`touch:` back-dating $STANDARD_INFORMATION). The oracles are The Sleuth Kit's fls, icat and
// istat, rifiuti-vista (rifiuti2) for the $I records, and the published $I layout decoded here
// with plain byte reads: FILETIMEs, the expected stream text and the ISO times are computed in
// this file, never taken from the code under test.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <string>
#include <vector>

#include "engine/analyzers/recycle_bin.hpp"
#include "engine/analyzers/timestamp_mismatch.hpp"
#include "engine/analyzers/zone_identifier.hpp"
#include "images/recipe_parser.hpp"
#include "images/recycle_bin.hpp"
#include "tests/oracle.hpp"
#include "tests/support/fixtures.hpp"

namespace dflab {
namespace {

using test::run;
using test::shell_quote;

const std::string kSid = "S-1-5-21-1004336348-1177238915-682003330-1001";
const std::string kBin = "/$Recycle.Bin/" + kSid;
const std::string kPlan = "Plan: move the money on Friday.\n";
const std::string kOld = "written on Windows 7\n";
const std::string kReferrer = "https://mail.example.com/inbox/17";
const std::string kHost = "https://files.example.net/invoice_4711.zip";

constexpr int64_t kReportCreated = 1709284020;  // 2024-03-01 09:07:00 UTC
constexpr int64_t kDownloaded = 1709373600;     // 2024-03-02 10:00:00 UTC
constexpr int64_t kStomped = 1672560000;        // 2023-01-01 08:00:00 UTC
constexpr int64_t kPlanDeleted = 1709566200;    // 2024-03-04 15:30:00 UTC
constexpr int64_t kOldDeleted = 1709566260;     // 2024-03-04 15:31:00 UTC

std::string iso(int64_t t) {
    const std::time_t tt = static_cast<std::time_t>(t);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return text;
}

// "2024-03-01 09:07:00.000000000 (UTC)", as `TZ=UTC istat` prints an NTFS time.
std::string istat_time(int64_t t) {
    std::string s = iso(t);
    s[10] = ' ';
    s.pop_back();
    return s + ".000000000 (UTC)";
}

uint64_t filetime(int64_t unix_seconds) {
    return static_cast<uint64_t>(unix_seconds + 11644473600) * 10000000u;
}

uint64_t le(const std::string& bytes, size_t at, size_t width) {
    uint64_t v = 0;
    for (size_t i = 0; i < width; ++i)
        v |= static_cast<uint64_t>(static_cast<unsigned char>(bytes.at(at + i))) << (8 * i);
    return v;
}

// ASCII text from UTF-16LE: every other byte, each high byte 0.
std::string ascii_of_utf16le(const std::string& bytes) {
    std::string out;
    for (size_t i = 0; i + 1 < bytes.size(); i += 2) {
        EXPECT_EQ(bytes[i + 1], '\0') << "not ASCII at byte " << i;
        out += bytes[i];
    }
    return out;
}

std::vector<std::byte> bytes_of(const std::string& s) {
    const auto b = std::as_bytes(std::span(s));
    return {b.begin(), b.end()};
}

// Recipe lines 1 to 24; line 25 on are the actions a test adds.
std::string recipe_text() {
    return "name: windows\n"
           "seed: 12\n"
           "start: 2024-03-01T09:00:00Z\n"
           "disk:\n"
           "  size: 16MiB\n"
           "  table: none\n"
           "  partitions:\n"
           "    - {id: c, filesystem: ntfs}\n"
           "actions:\n"
           "  - mkdir: /Users\n"
           "  - mkdir: /Users/anna\n"
           "  - mkdir: /Users/anna/Documents\n"
           "  - mkdir: /Users/anna/Downloads\n"
           "  - at: 2024-03-01T09:05:00Z\n"
           "    write: /Users/anna/Documents/plan.docx\n"
           "    text: \"Plan: move the money on Friday.\\n\"\n"
           "  - write: /Users/anna/Documents/old.txt\n"
           "    text: \"written on Windows 7\\n\"\n"
           "  - at: 2024-03-01T09:07:00Z\n"
           "    write: /Users/anna/Documents/report.txt\n"
           "    text: \"quarterly report\\n\"\n"
           "  - write: /Users/anna/Documents/untouched.txt\n"
           "    text: \"left alone\\n\"\n"
           "  - at: 2024-03-02T10:00:00Z\n";
}

class NtfsArtifacts : public testing::Test {
  protected:
    void TearDown() override { std::filesystem::remove_all(dir_); }

    // The recipe error of the recipe with `actions` after line 24, or "".
    std::string parse_error(const std::string& actions) {
        const std::string path = dir_ + "/recipe.yaml";
        std::ofstream(path) << recipe_text() << actions;
        try {
            images::parse_recipe(path, {});
        } catch (const images::RecipeError& e) {
            return e.what();
        }
        return "";
    }

    std::string dir_ = test::temp_dir();
};

// The image every end-to-end test reads: built once for the test program.
class BuiltWindowsImage : public testing::Test {
  protected:
    static void SetUpTestSuite() {
        dir_ = new std::string(test::temp_dir());
        const std::string recipe = *dir_ + "/windows.yaml";
        // The SID, the URLs and the times are kSid, kReferrer, kHost, kStomped, kPlanDeleted and
        // kOldDeleted. The last file is a damaged $I record: version 2, size 10, a FILETIME, a
        // path of 40 UTF-16 units, and only "C:" of it.
        std::ofstream(recipe) << recipe_text()
                              << R"(    write: /Users/anna/Downloads/invoice_4711.zip
    text: "PK not really a zip"
    downloaded_from:
      zone: 3
      referrer: https://mail.example.com/inbox/17
      host: https://files.example.net/invoice_4711.zip
  - at: 2024-03-03T11:00:00Z
    touch: /Users/anna/Documents/report.txt
    crtime: 2023-01-01T08:00:00Z
    mtime: 2023-01-01T08:00:00Z
  - at: 2024-03-04T15:30:00Z
    recycle: /Users/anna/Documents/plan.docx
    sid: S-1-5-21-1004336348-1177238915-682003330-1001
  - at: 2024-03-04T15:31:00Z
    recycle: /Users/anna/Documents/old.txt
    sid: S-1-5-21-1004336348-1177238915-682003330-1001
    version: 1
  - at: 2024-03-04T15:32:00Z
    write: /$Recycle.Bin/S-1-5-21-1004336348-1177238915-682003330-1001/$IBROKEN.txt
    base64: AgAAAAAAAAAKAAAAAAAAAADYehlJbtoBKAAAAEMAOgA=
)";
        auto built = test::dflab("image build " + shell_quote(recipe) + " -o " +
                                 shell_quote(*dir_ + "/out"));
        ASSERT_EQ(built.exit_code, 0) << built.err;
        raw_ = new std::string(*dir_ + "/out/windows.raw");
        inodes_ = new std::map<std::string, std::string>;
        for (const auto& e : test::fls(*raw_))
            if (e.allocated) (*inodes_)[e.path] = e.inode;
    }
    static void TearDownTestSuite() {
        std::filesystem::remove_all(*dir_);
        delete dir_;
        delete raw_;
        delete inodes_;
    }

    static const std::string& raw() { return *raw_; }

    // The allocated path fls lists that matches `pattern` (exactly one).
    static std::string path_like(const std::string& pattern) {
        std::vector<std::string> found;
        for (const auto& [path, inode] : *inodes_)
            if (std::regex_match(path, std::regex(pattern))) found.push_back(path);
        EXPECT_EQ(found.size(), 1u) << pattern;
        return found.empty() ? "" : found.front();
    }
    static std::string inode(const std::string& path) {
        const auto it = inodes_->find(path);
        EXPECT_NE(it, inodes_->end()) << "fls does not list " << path;
        return it == inodes_->end() ? "" : it->second;
    }
    static std::string icat(const std::string& address) {
        auto r = run("icat " + shell_quote(raw()) + " " + address);
        EXPECT_EQ(r.exit_code, 0) << r.err;
        return r.out;
    }
    static std::string istat(const std::string& address) {
        auto r = run("TZ=UTC istat " + shell_quote(raw()) + " " + address);
        EXPECT_EQ(r.exit_code, 0) << r.err;
        return r.out;
    }
    // The JSON lines of `dflab artifacts IMAGE --kind KIND --json`; the exit code is 2, since
    // the image holds a damaged $I file (named on standard error).
    static std::vector<nlohmann::json> artifacts(const std::string& kind) {
        auto r = test::dflab("artifacts " + shell_quote(raw()) + " --kind " + kind + " --json");
        EXPECT_EQ(r.exit_code, 2) << r.err;
        EXPECT_NE(r.err.find("$IBROKEN.txt"), std::string::npos) << r.err;
        std::vector<nlohmann::json> out;
        for (const auto& line : test::lines(r.out))
            if (!line.empty()) out.push_back(nlohmann::json::parse(line));
        return out;
    }

    static std::string* dir_;
    static std::string* raw_;
    static std::map<std::string, std::string>* inodes_;  // allocated paths, as fls lists them
};

std::string* BuiltWindowsImage::dir_ = nullptr;
std::string* BuiltWindowsImage::raw_ = nullptr;
std::map<std::string, std::string>* BuiltWindowsImage::inodes_ = nullptr;

// "Created", "File Modified", "MFT Modified", "Accessed" of one block of istat's output:
// "$STANDARD_INFORMATION" or "$FILE_NAME".
std::map<std::string, std::string> istat_times(const std::string& text, const std::string& block) {
    std::map<std::string, std::string> out;
    const size_t start = text.find(block + " Attribute Values:");
    if (start == std::string::npos) return out;
    const size_t end = text.find("\n\n", start);
    static const std::regex line(R"(^(Created|File Modified|MFT Modified|Accessed):\t(.*)$)");
    for (const auto& l : test::lines(text.substr(start, end - start))) {
        std::smatch m;
        if (std::regex_match(l, m, line)) out[m[1]] = m[2];
    }
    return out;
}

// What rifiuti-vista (rifiuti2, a reader of Recycle Bin index files that shares no code with
// dflab) prints for one $I file: "Version", and the index line's "Deleted Time", "Size" and
// "Path"; empty when it rejects the file.
std::map<std::string, std::string> rifiuti(const std::string& dir, const std::string& bytes) {
    const std::string path = dir + "/index.bin";
    std::ofstream(path, std::ios::binary) << bytes;
    auto r = run("rifiuti-vista " + shell_quote(path));
    std::map<std::string, std::string> out;
    if (r.exit_code != 0) return out;
    for (const auto& line : test::lines(r.out)) {
        std::smatch m;
        if (std::regex_match(line, m, std::regex(R"(^Version: (\d+)$)"))) out["Version"] = m[1];
        if (std::regex_match(line, m, std::regex(R"(^index\.bin\t([^\t]*)\t([^\t]*)\t(.*)$)"))) {
            out["Deleted Time"] = m[1];
            out["Size"] = m[2];
            out["Path"] = m[3];
        }
    }
    return out;
}

// --- The Recycle Bin -------------------------------------------------------------------------

TEST_F(BuiltWindowsImage, RecycledFilesLieInTheSidFolderAsTheLayoutSays) {
    const std::string r_plan = path_like(std::regex_replace(kBin, std::regex(R"([$.])"), R"(\$&)") +
                                         R"(/\$R[0-9A-Z]{6}\.docx)");
    ASSERT_FALSE(r_plan.empty());
    const std::string code = r_plan.substr(kBin.size() + 3, 6);
    const std::string i_plan = kBin + "/$I" + code + ".docx";
    EXPECT_EQ(inodes_->count("/Users/anna/Documents/plan.docx"), 0u) << "moved, not copied";

    // $R: the file's content, as the recipe wrote it.
    EXPECT_EQ(icat(inode(r_plan)), kPlan);

    // $I, version 2: 8 version, 8 size, 8 FILETIME, 4 length in UTF-16 units with the NUL, path.
    const std::string info = icat(inode(i_plan));
    const std::string original = "C:\\Users\\anna\\Documents\\plan.docx";
    ASSERT_EQ(info.size(), 28 + 2 * (original.size() + 1));
    EXPECT_EQ(le(info, 0, 8), 2u);
    EXPECT_EQ(le(info, 8, 8), kPlan.size());
    EXPECT_EQ(le(info, 16, 8), filetime(kPlanDeleted));
    EXPECT_EQ(le(info, 24, 4), original.size() + 1);
    EXPECT_EQ(ascii_of_utf16le(info.substr(28, 2 * original.size())), original);
    EXPECT_EQ(le(info, info.size() - 2, 2), 0u);
    const auto read = rifiuti(*dir_, info);
    EXPECT_EQ(read, (std::map<std::string, std::string>{{"Version", "2"},
                                                        {"Deleted Time", "2024-03-04 15:30:00"},
                                                        {"Size", std::to_string(kPlan.size())},
                                                        {"Path", original}}));

    // Version 1 (Vista, 7): a fixed 520-byte path, NUL-padded; 544 bytes in all.
    const std::string r_old = path_like(std::regex_replace(kBin, std::regex(R"([$.])"), R"(\$&)") +
                                        R"(/\$R[0-9A-Z]{6}\.txt)");
    ASSERT_FALSE(r_old.empty());
    EXPECT_EQ(icat(inode(r_old)), kOld);
    const std::string old_info = icat(inode(kBin + "/$I" + r_old.substr(kBin.size() + 3)));
    const std::string old_original = "C:\\Users\\anna\\Documents\\old.txt";
    ASSERT_EQ(old_info.size(), 544u);
    EXPECT_EQ(le(old_info, 0, 8), 1u);
    EXPECT_EQ(le(old_info, 8, 8), kOld.size());
    EXPECT_EQ(le(old_info, 16, 8), filetime(kOldDeleted));
    EXPECT_EQ(ascii_of_utf16le(old_info.substr(24, 2 * old_original.size())), old_original);
    EXPECT_EQ(old_info.substr(24 + 2 * old_original.size()),
              std::string(520 - 2 * old_original.size(), '\0'));
    EXPECT_EQ(rifiuti(*dir_, old_info),
              (std::map<std::string, std::string>{{"Version", "1"},
                                                  {"Deleted Time", "2024-03-04 15:31:00"},
                                                  {"Size", std::to_string(kOld.size())},
                                                  {"Path", old_original}}));
    // The damaged record: rifiuti-vista rejects it too.
    EXPECT_TRUE(rifiuti(*dir_, icat(inode(kBin + "/$IBROKEN.txt"))).empty());
}

TEST_F(BuiltWindowsImage, ArtifactsListEachRecycledFileAndTheDamagedRecordAsUnreadable) {
    const auto found = artifacts("recycled_file");
    ASSERT_EQ(found.size(), 2u);
    std::map<std::string, nlohmann::json> by_original;
    for (const auto& j : found) by_original[j["fields"]["original_path"]] = j;
    const auto& plan = by_original["C:\\Users\\anna\\Documents\\plan.docx"];
    ASSERT_TRUE(plan.is_object()) << found[0].dump();
    const std::string i_path = plan["path"];
    EXPECT_EQ(plan["inode"], inode(i_path));
    EXPECT_EQ(plan["time"], iso(kPlanDeleted));
    EXPECT_EQ(plan["time_kind"], "deleted");
    EXPECT_EQ(plan["fields"]["original_size"], kPlan.size());
    EXPECT_EQ(plan["fields"]["deleted"], iso(kPlanDeleted));
    EXPECT_EQ(plan["fields"]["version"], 2);
    EXPECT_EQ(plan["fields"]["sid"], kSid);
    const std::string r_path = plan["fields"]["recycled_name"];
    EXPECT_EQ(r_path, kBin + "/$R" + i_path.substr(kBin.size() + 3));
    EXPECT_EQ(inodes_->count(r_path), 1u) << r_path;
    EXPECT_EQ(plan["fields"]["recycled_exists"], true);
    // dflab reads what rifiuti-vista reads from the same bytes.
    const auto read = rifiuti(*dir_, icat(inode(i_path)));
    EXPECT_EQ(plan["fields"]["original_path"], read.at("Path"));
    EXPECT_EQ(std::to_string(plan["fields"]["original_size"].get<uint64_t>()), read.at("Size"));
    std::string deleted = read.at("Deleted Time");
    deleted[10] = 'T';
    EXPECT_EQ(plan["fields"]["deleted"], deleted + "Z");
    const auto& old = by_original["C:\\Users\\anna\\Documents\\old.txt"];
    ASSERT_TRUE(old.is_object());
    EXPECT_EQ(old["fields"]["version"], 1);
    EXPECT_EQ(old["time"], iso(kOldDeleted));

    const auto unreadable = artifacts("unreadable");
    ASSERT_EQ(unreadable.size(), 1u);
    EXPECT_EQ(unreadable[0]["path"], kBin + "/$IBROKEN.txt");
    const std::string error = unreadable[0]["fields"]["error"];
    EXPECT_NE(error.find("$IBROKEN.txt"), std::string::npos) << error;
    EXPECT_NE(error.find("path length 40"), std::string::npos) << error;
}

// --- Zone.Identifier -----------------------------------------------------------------------

TEST_F(BuiltWindowsImage, DownloadedFileHasTheZoneIdentifierWindowsWrites) {
    const std::string file = "/Users/anna/Downloads/invoice_4711.zip";
    const std::string entry = inode(file).substr(0, inode(file).find('-'));
    ASSERT_FALSE(entry.empty());
    std::smatch m;
    const std::string stat = istat(entry);
    ASSERT_TRUE(std::regex_search(
        stat, m, std::regex(R"(Type: \$DATA \((128-[0-9]+)\)\s+Name: Zone\.Identifier\s)")))
        << stat;
    const std::string expected =
        "[ZoneTransfer]\r\nZoneId=3\r\nReferrerUrl=" + kReferrer + "\r\nHostUrl=" + kHost + "\r\n";
    EXPECT_EQ(icat(entry + "-" + m[1].str()), expected);

    const auto found = artifacts("download_origin");
    ASSERT_EQ(found.size(), 1u);
    const auto& j = found[0];
    EXPECT_EQ(j["path"], file + ":Zone.Identifier");
    EXPECT_EQ(j["inode"], entry + "-" + m[1].str());
    const auto& f = j["fields"];
    EXPECT_EQ(f["file"], file);
    EXPECT_EQ(f["zone_id"], 3);
    EXPECT_EQ(f["zone_name"], "Internet");
    EXPECT_EQ(f["referrer_url"], kReferrer);
    EXPECT_EQ(f["host_url"], kHost);
    EXPECT_FALSE(f.contains("last_writer_package_family_name"));
    EXPECT_EQ(j["time"], iso(kDownloaded));  // the file's creation: a stream has no times
    EXPECT_EQ(j["time_kind"], "file_created");
}

// --- Timestomping --------------------------------------------------------------------------

TEST_F(BuiltWindowsImage, TouchBackDatesOnlyStandardInformationAndIsTheOneMismatch) {
    const std::string report = "/Users/anna/Documents/report.txt";
    const std::string entry = inode(report).substr(0, inode(report).find('-'));
    const std::string stat = istat(entry);
    const auto si = istat_times(stat, "$STANDARD_INFORMATION");
    const auto fn = istat_times(stat, "$FILE_NAME");
    ASSERT_EQ(si.size(), 4u) << stat;
    ASSERT_EQ(fn.size(), 4u) << stat;
    EXPECT_EQ(si.at("Created"), istat_time(kStomped));
    EXPECT_EQ(si.at("File Modified"), istat_time(kStomped));
    EXPECT_EQ(fn.at("Created"), istat_time(kReportCreated));
    EXPECT_EQ(fn.at("File Modified"), istat_time(kReportCreated));
    EXPECT_NE(si.at("Created"), fn.at("Created"));
    // A file left alone: the two agree.
    const std::string untouched = inode("/Users/anna/Documents/untouched.txt");
    const std::string other = istat(untouched.substr(0, untouched.find('-')));
    EXPECT_EQ(istat_times(other, "$STANDARD_INFORMATION"), istat_times(other, "$FILE_NAME"));

    const auto found = artifacts("time_mismatch");
    ASSERT_EQ(found.size(), 1u) << nlohmann::json(found).dump();
    const auto& j = found[0];
    EXPECT_EQ(j["path"], report);
    EXPECT_EQ(j["inode"], inode(report));
    EXPECT_EQ(j["time"], iso(kReportCreated));
    EXPECT_EQ(j["time_kind"], "fn_created");
    const auto& f = j["fields"];
    EXPECT_EQ(f["path"], report);
    EXPECT_EQ(f["si_created"], iso(kStomped));
    EXPECT_EQ(f["si_modified"], iso(kStomped));
    EXPECT_EQ(f["fn_created"], iso(kReportCreated));
    EXPECT_EQ(f["fn_modified"], iso(kReportCreated));
    EXPECT_EQ(f["reasons"], nlohmann::json::array(
                                {"si_created_before_fn_created", "si_modified_before_fn_created"}));
}

// --- The case ------------------------------------------------------------------------------

TEST_F(BuiltWindowsImage, AnalyzeWritesTheThreeKindsIntoTheCase) {
    const std::string case_path = *dir_ + "/case.sqlite";
    auto r = test::dflab("analyze " + shell_quote(raw()) + " -o " + shell_quote(case_path) + " -f");
    EXPECT_EQ(r.exit_code, 0) << r.err;  // a damaged $I file is a finding, not a failure
    auto s = run("sqlite3 -batch -noheader " + shell_quote(case_path) + " " +
                 shell_quote("SELECT a.kind, count(*), sum(a.inode = f.inode) FROM artifacts a "
                             "JOIN files f ON f.id = a.file_id GROUP BY a.kind ORDER BY a.kind"));
    ASSERT_EQ(s.exit_code, 0) << s.err;
    EXPECT_EQ(s.out,
              "download_origin|1|1\n"
              "recycled_file|2|2\n"
              "time_mismatch|1|1\n"
              "unreadable|1|1\n");
}

// --- Readers on their own ------------------------------------------------------------------

TEST(RecycleInfoReader, DamagedRecordsAreUnreadableNeverThrow) {
    const std::string original = "C:\\Users\\anna\\plan.docx";
    const auto whole = images::build_recycle_info({2, original, 4096, kPlanDeleted});
    const std::string path = kBin + "/$IAB12CD.docx";
    auto one = engine::read_recycle_bin_artifacts(whole, path);
    ASSERT_EQ(one.size(), 1u);
    EXPECT_EQ(one[0].kind, "recycled_file");
    EXPECT_EQ(one[0].fields["original_path"], original);
    // Every shorter copy, and flipped bytes anywhere, give one artifact and no exception.
    for (size_t n = 0; n < whole.size(); ++n) {
        std::vector<std::byte> cut(whole.begin(), whole.begin() + static_cast<std::ptrdiff_t>(n));
        std::vector<engine::Artifact> got;
        EXPECT_NO_THROW(got = engine::read_recycle_bin_artifacts(cut, path)) << n;
        ASSERT_EQ(got.size(), 1u) << n;
        EXPECT_EQ(got[0].kind, "unreadable") << n;
        EXPECT_NE(got[0].fields["error"].get<std::string>().find(path), std::string::npos);
    }
    uint32_t state = 99;
    auto next = [&] { return state = state * 1103515245u + 12345u; };
    for (int round = 0; round < 200; ++round) {
        auto bytes = whole;
        bytes[next() % bytes.size()] = static_cast<std::byte>(next() >> 24);
        std::vector<engine::Artifact> got;
        EXPECT_NO_THROW(got = engine::read_recycle_bin_artifacts(bytes, path)) << round;
        EXPECT_EQ(got.size(), 1u) << round;
    }
    EXPECT_TRUE(engine::is_recycle_info_path("/$RECYCLE.BIN/S-1-5-18/$iAB12CD.txt"));
    EXPECT_FALSE(engine::is_recycle_info_path("/$Recycle.Bin/$IAB12CD.txt"));
    EXPECT_FALSE(engine::is_recycle_info_path("/Users/S-1-5-18/$IAB12CD.txt"));
    EXPECT_FALSE(engine::is_recycle_info_path("/$Recycle.Bin/S-1-5-18/$RAB12CD.txt"));
}

TEST(ZoneIdentifierReader, ReadsLfBomsAndUtf16) {
    const std::string path = "/setup.exe:Zone.Identifier";
    auto read = [&](const std::vector<std::byte>& bytes) {
        auto got = engine::read_zone_identifier_artifacts(bytes, path);
        EXPECT_EQ(got.size(), 1u);
        return got.empty() ? engine::Artifact{} : got[0];
    };
    auto lf = read(bytes_of("[ZoneTransfer]\nZoneId=2\nHostUrl=http://intra/x.exe\n"));
    EXPECT_EQ(lf.kind, "download_origin");
    EXPECT_EQ(lf.fields["file"], "/setup.exe");
    EXPECT_EQ(lf.fields["zone_id"], 2);
    EXPECT_EQ(lf.fields["zone_name"], "Trusted");
    EXPECT_EQ(lf.fields["host_url"], "http://intra/x.exe");
    EXPECT_TRUE(lf.fields["referrer_url"].is_null());
    auto bom =
        read(bytes_of("\xEF\xBB\xBF[zonetransfer]\r\nzoneid = 4\r\n"
                      "LastWriterPackageFamilyName=Microsoft.Edge_8wekyb3d8bbwe\r\n"));
    EXPECT_EQ(bom.fields["zone_id"], 4);
    EXPECT_EQ(bom.fields["zone_name"], "Restricted");
    EXPECT_EQ(bom.fields["last_writer_package_family_name"], "Microsoft.Edge_8wekyb3d8bbwe");
    std::string utf16 = "\xFF\xFE";
    for (char c : std::string("[ZoneTransfer]\r\nZoneId=0\r\n")) utf16 += std::string{c, '\0'};
    EXPECT_EQ(read(bytes_of(utf16)).fields["zone_name"], "Local machine");
    EXPECT_EQ(read(bytes_of("[Other]\r\nZoneId=3\r\n")).kind, "unreadable");
    EXPECT_EQ(read(bytes_of("[ZoneTransfer]\r\nZoneId=three\r\n")).kind, "unreadable");
    EXPECT_TRUE(engine::is_zone_identifier_path("/a/b.exe:zone.identifier"));
    EXPECT_FALSE(engine::is_zone_identifier_path("/a/Zone.Identifier"));
}

TEST(TimestampMismatch, OnlyEarlierStandardInformationTimesCount) {
    engine::Entry e;
    e.path = "/a.txt";
    e.name = "a.txt";
    e.crtime = e.mtime = e.atime = e.ctime = kReportCreated;
    e.file_name =
        engine::FileNameTimes{kReportCreated, kReportCreated, kReportCreated, kReportCreated};
    EXPECT_FALSE(engine::timestamp_mismatch_artifact(e));
    e.mtime = kReportCreated + 60;  // changed later: what Windows does all the time
    EXPECT_FALSE(engine::timestamp_mismatch_artifact(e));
    e.mtime = kStomped;
    EXPECT_EQ(engine::timestamp_mismatch_reasons(e),
              std::vector<std::string>{"si_modified_before_fn_created"});
    engine::Entry stream = e;
    stream.name = "a.txt:x";
    EXPECT_FALSE(engine::timestamp_mismatch_artifact(stream)) << "its file reports it";
    e.file_name.reset();
    EXPECT_FALSE(engine::timestamp_mismatch_artifact(e)) << "not NTFS";
}

// --- Recipe mistakes -----------------------------------------------------------------------

TEST_F(NtfsArtifacts, RecipeMistakesAreReportedAtTheirLines) {
    EXPECT_EQ(parse_error("    recycle: /Users/anna/Documents/plan.docx\n"
                          "    sid: " +
                          kSid + "\n"),
              "");
    auto at_line = [](const std::string& message, int line, const std::string& part) {
        EXPECT_NE(message.find("recipe.yaml:" + std::to_string(line) + ":"), std::string::npos)
            << message;
        EXPECT_NE(message.find(part), std::string::npos) << message;
    };
    at_line(parse_error("    recycle: /Users/anna/Documents/plan.docx\n"
                        "    sid: anna\n"),
            26, "not a SID");
    at_line(parse_error("    recycle: /Users/anna/Documents/missing.docx\n"
                        "    sid: " +
                        kSid + "\n"),
            25, "does not exist");
    at_line(parse_error("    recycle: /Users/anna/Documents\n"
                        "    sid: " +
                        kSid + "\n"),
            25, "folder");
    at_line(parse_error("    recycle: /Users/anna/Documents/plan.docx\n"
                        "    sid: " +
                        kSid + "\n    version: 3\n"),
            27, "version");
    const std::string no_sid = parse_error("    recycle: /Users/anna/Documents/plan.docx\n");
    EXPECT_NE(no_sid.find("sid"), std::string::npos) << no_sid;
    at_line(parse_error("    write: /a.exe\n"
                        "    text: x\n"
                        "    downloaded_from: {zone: 9}\n"),
            27, "zone");
    at_line(parse_error("    write: /a.exe\n"
                        "    text: x\n"
                        "    downloaded_from: {site: x}\n"),
            27, "site");
}

// What the two keys stand for in the parsed recipe: plain actions at the same time and line.
TEST_F(NtfsArtifacts, RecycleAndDownloadedFromAreActionsOfTheirOwn) {
    const std::string path = dir_ + "/recipe.yaml";
    std::ofstream(path) << recipe_text()
                        << "    write: /Users/anna/Downloads/a.exe\n"
                           "    text: MZ\n"
                           "    downloaded_from: {host: 'http://x.example/a.exe'}\n"
                           "  - recycle: /Users/anna/Documents/plan.docx\n"
                           "    sid: " +
                               kSid + "\n    drive: d\n";
    const images::Recipe r = images::parse_recipe(path, {});
    ASSERT_EQ(r.actions.size(), 13u);  // 8 before, the write, its stream, 2 folders, recycle
    const auto& stream = std::get<images::WriteStream>(r.actions[9].kind);
    EXPECT_EQ(stream.path, "/Users/anna/Downloads/a.exe");
    EXPECT_EQ(stream.stream, "Zone.Identifier");
    EXPECT_EQ(std::get<images::TextContent>(stream.content).text,
              "[ZoneTransfer]\r\nZoneId=3\r\nHostUrl=http://x.example/a.exe\r\n");
    EXPECT_EQ(r.actions[9].time, kDownloaded);
    EXPECT_EQ(std::get<images::MakeDirectory>(r.actions[10].kind).path, "/$Recycle.Bin");
    EXPECT_EQ(std::get<images::MakeDirectory>(r.actions[11].kind).path, kBin);
    const auto& recycled = std::get<images::RecycleFile>(r.actions[12].kind);
    EXPECT_EQ(recycled.path, "/Users/anna/Documents/plan.docx");
    EXPECT_TRUE(std::regex_match(recycled.recycled, std::regex(R"(.*/\$R[0-9A-Z]{6}\.docx)")))
        << recycled.recycled;
    EXPECT_EQ(recycled.info, kBin + "/$I" + recycled.recycled.substr(kBin.size() + 3));
    EXPECT_EQ(recycled.original_path, "D:\\Users\\anna\\Documents\\plan.docx");
    EXPECT_EQ(recycled.version, 2u);
    EXPECT_EQ(r.actions[10].mark.line, r.actions[12].mark.line);
}

TEST_F(NtfsArtifacts, TheSameRecipeGivesTheSameRecycleNames) {
    EXPECT_EQ(images::recycle_bin_name(12, "c:/a.txt"), images::recycle_bin_name(12, "c:/a.txt"));
    EXPECT_NE(images::recycle_bin_name(12, "c:/a.txt"), images::recycle_bin_name(13, "c:/a.txt"));
    EXPECT_TRUE(
        std::regex_match(images::recycle_bin_name(12, "c:/a.txt"), std::regex("[0-9A-Z]{6}")));
}

}  // namespace
}  // namespace dflab
