// dflab timeline --artifacts and --format l2tcsv, on an image built from a recipe with a SYSTEM
// hive and a shell link: the header is plaso's l2tcsv header (its documentation); the link's
// target_modified time is the "Modification time" lnkinfo prints for the link icat extracts; the
// computer name's last write is the key's mtime hivexml prints; the file system rows are mactime's
// events of fls -m's body file; and the rows are in time order. Dates are converted here with
// strptime/strftime, not with dflab's code.
#include <gtest/gtest.h>

#include <cctype>
#include <ctime>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include "tests/oracle.hpp"
#include "tests/support/artifact_image.hpp"
#include "tests/support/fixtures.hpp"
#include "tests/support/timeline_helpers.hpp"

namespace dflab::test {
namespace {

constexpr const char* kL2tcsvHeader =
    "date,time,timezone,MACB,source,sourcetype,type,user,host,short,desc,version,filename,inode,"
    "notes,format,extra";

// The 17 columns by name.
enum Column {
    kDate,
    kTime,
    kZone,
    kMacb,
    kSource,
    kSourceType,
    kType,
    kUser,
    kHost,
    kShort,
    kDesc,
    kVersion,
    kFilename,
    kInode,
    kNotes,
    kFormat,
    kExtra,
    kColumns
};

class TimelineArtifacts : public testing::Test {
  protected:
    static void SetUpTestSuite() {
        try {
            image_ = new ArtifactImage(build_artifact_image());
        } catch (const std::exception& e) {
            build_error_ = e.what();
        }
    }
    static void TearDownTestSuite() {
        delete image_;
        image_ = nullptr;
    }
    void SetUp() override { ASSERT_NE(image_, nullptr) << build_error_; }

    // The rows of `dflab timeline RAW ARGS --format l2tcsv`, the header checked.
    static std::vector<std::vector<std::string>> l2tcsv(const std::string& args = "") {
        auto r = dflab("timeline " + shell_quote(image_->raw) + " --artifacts --format l2tcsv" +
                       (args.empty() ? "" : " " + args));
        EXPECT_EQ(r.exit_code, 0) << r.err;
        auto ls = lines(r.out);
        EXPECT_FALSE(ls.empty());
        if (ls.empty()) return {};
        EXPECT_EQ(ls.front(), kL2tcsvHeader);
        std::vector<std::vector<std::string>> rows;
        for (size_t i = 1; i < ls.size(); ++i) {
            rows.push_back(csv_fields(ls[i]));
            EXPECT_EQ(rows.back().size(), static_cast<size_t>(kColumns)) << ls[i];
            if (rows.back().size() != static_cast<size_t>(kColumns)) rows.pop_back();
        }
        return rows;
    }

    static ArtifactImage* image_;
    static std::string build_error_;
};

ArtifactImage* TimelineArtifacts::image_ = nullptr;
std::string TimelineArtifacts::build_error_;

// "Mar 04, 2024 13:46:40.000000000 UTC" (lnkinfo) or "2024-03-04T13:46:40Z" (mactime, hivexml)
// as l2tcsv's date and time.
std::pair<std::string, std::string> l2t_form(const std::string& text, const char* format) {
    std::tm tm{};
    if (!strptime(text.c_str(), format, &tm)) return {"?", text};
    char date[16], time[16];
    std::strftime(date, sizeof date, "%m/%d/%Y", &tm);
    std::strftime(time, sizeof time, "%H:%M:%S", &tm);
    return {date, time};
}

// An l2tcsv row's date and time as ISO 8601 UTC, as mactime -y -z UTC prints them.
std::string iso_of(const std::vector<std::string>& row) {
    std::tm tm{};
    if (!strptime((row[kDate] + " " + row[kTime]).c_str(), "%m/%d/%Y %H:%M:%S", &tm)) return "?";
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return text;
}

const std::vector<std::string>* find_row(const std::vector<std::vector<std::string>>& rows,
                                         const std::string& kind, const std::string& type) {
    for (const auto& row : rows)
        if (row[kSourceType] == kind && row[kType] == type) return &row;
    return nullptr;
}

TEST_F(TimelineArtifacts, ShellLinkTimeIsWhatLnkinfoPrints) {
    const std::string link =
        extract_with_icat(image_->raw, ArtifactImage::kLink, image_->dir + "/extracted.lnk");
    ASSERT_FALSE(link.empty()) << "fls does not list " << ArtifactImage::kLink;
    const auto info = lnkinfo_fields(link);
    ASSERT_TRUE(info.count("Modification time")) << "lnkinfo printed no modification time";
    const auto [date, time] = l2t_form(info.at("Modification time"), "%b %d, %Y %H:%M:%S");

    const auto rows = l2tcsv();
    const auto* row = find_row(rows, "shell_link", "target_modified");
    ASSERT_NE(row, nullptr) << "no shell_link row";
    EXPECT_EQ((*row)[kDate], date);
    EXPECT_EQ((*row)[kTime], time);
    EXPECT_EQ((*row)[kZone], "UTC");
    EXPECT_EQ((*row)[kFilename], ArtifactImage::kLink);
    EXPECT_EQ((*row)[kSource], "LNK");
    EXPECT_EQ((*row)[kVersion], "2");
    EXPECT_NE((*row)[kShort].find(info.at("Local path")), std::string::npos) << (*row)[kShort];
    EXPECT_NE((*row)[kDesc].find(info.at("Local path")), std::string::npos) << (*row)[kDesc];
    std::string inode;
    for (const auto& e : fls(image_->raw))
        if (e.path == ArtifactImage::kLink) inode = e.inode;
    EXPECT_EQ((*row)[kInode], inode);
}

TEST_F(TimelineArtifacts, ComputerNameTimeIsTheKeysMtimeInHivexml) {
    const std::string hive =
        extract_with_icat(image_->raw, ArtifactImage::kHive, image_->dir + "/SYSTEM");
    ASSERT_FALSE(hive.empty());
    auto xml = run("hivexml " + shell_quote(hive));
    ASSERT_EQ(xml.exit_code, 0) << xml.err;
    const std::string marker = "<node name=\"ComputerName\"><mtime>";
    const size_t at = xml.out.rfind(marker);
    ASSERT_NE(at, std::string::npos) << xml.out;
    const std::string mtime = xml.out.substr(at + marker.size(), 20);  // 2024-03-01T09:12:00Z
    const auto [date, time] = l2t_form(mtime, "%Y-%m-%dT%H:%M:%SZ");

    const auto rows = l2tcsv();
    const auto* row = find_row(rows, "computer_name", "last_write");
    ASSERT_NE(row, nullptr) << "no computer_name row";
    EXPECT_EQ((*row)[kDate], date);
    EXPECT_EQ((*row)[kTime], time);
    EXPECT_EQ((*row)[kSource], "REG");
    EXPECT_EQ((*row)[kMacb], "M...");
    EXPECT_EQ((*row)[kFilename], ArtifactImage::kHive);
    EXPECT_NE((*row)[kShort].find("DESKTOP-7Q2K1M"), std::string::npos) << (*row)[kShort];
}

// (time, macb, inode, path) of every file system event: mactime's of fls -m's body file, and the
// FILE rows of the l2tcsv timeline.
TEST_F(TimelineArtifacts, FileRowsAreMactimesEventsOfFlsBody) {
    auto body = run("fls -z UTC -m / -r " + shell_quote(image_->raw));
    ASSERT_EQ(body.exit_code, 0) << body.err;
    const std::string body_path = image_->dir + "/body.txt";
    write_file(body_path, body.out);
    auto mac = run("mactime -b " + shell_quote(body_path) + " -d -y -z UTC");
    ASSERT_EQ(mac.exit_code, 0) << mac.err;
    using Event = std::tuple<std::string, std::string, std::string, std::string>;
    std::multiset<Event> from_mactime, from_timeline;
    const auto mac_lines = lines(mac.out);
    for (size_t i = 1; i < mac_lines.size(); ++i) {
        auto f = csv_fields(mac_lines[i]);
        ASSERT_EQ(f.size(), 8u) << mac_lines[i];
        if (f[0] == "0000-00-00T00:00:00Z") continue;  // mactime lists absent times; we do not
        from_mactime.emplace(f[0], f[2], f[6], f[7]);
    }
    ASSERT_GT(from_mactime.size(), 5u);
    for (const auto& row : l2tcsv()) {
        if (row[kSource] != "FILE") continue;
        std::string macb = row[kMacb];
        for (char& c : macb) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        from_timeline.emplace(iso_of(row), macb, row[kInode], row[kFilename]);
        EXPECT_EQ(row[kSourceType], "File stat");
        EXPECT_EQ(row[kFormat], "filestat");
    }
    EXPECT_EQ(from_timeline, from_mactime);
}

TEST_F(TimelineArtifacts, RowsAreInTimeThenPathOrder) {
    const auto rows = l2tcsv();
    ASSERT_GT(rows.size(), 5u);
    size_t artifacts = 0;
    for (size_t i = 0; i < rows.size(); ++i) {
        if (rows[i][kSource] != "FILE") ++artifacts;
        if (i == 0) continue;
        const auto before = std::make_tuple(iso_of(rows[i - 1]), rows[i - 1][kFilename]);
        const auto here = std::make_tuple(iso_of(rows[i]), rows[i][kFilename]);
        EXPECT_LE(before, here) << "row " << i;
    }
    EXPECT_GE(artifacts, 2u);  // the link and the computer name at least
    EXPECT_EQ(l2tcsv(), rows) << "the same image, the same timeline";
}

// The artifacts of the case `dflab analyze` made are the ones read again from the image.
TEST_F(TimelineArtifacts, FromTheCaseAsFromTheImage) {
    const std::string db = image_->dir + "/case.sqlite";
    auto analysed = dflab("analyze " + shell_quote(image_->raw) + " -o " + shell_quote(db));
    ASSERT_EQ(analysed.exit_code, 0) << analysed.err;
    EXPECT_EQ(l2tcsv("--case " + shell_quote(db)), l2tcsv());
    auto csv = dflab("timeline " + shell_quote(image_->raw) + " --artifacts --case " +
                     shell_quote(db) + " --from 2024-03-04 --to 2024-03-04");
    ASSERT_EQ(csv.exit_code, 0) << csv.err;
    auto ls = lines(csv.out);
    if (!ls.empty() && ls.front().starts_with("# FAT times: ")) ls.erase(ls.begin());
    ASSERT_EQ(ls.size(), 2u) << csv.out;  // the header and the link's target_modified
    EXPECT_EQ(ls[0],
              "time,macb,partition,inode,type,size,allocated,mode,uid,gid,path,path_hex,"
              "source,description");
    const auto f = csv_fields(ls[1]);
    ASSERT_EQ(f.size(), 14u) << ls[1];
    EXPECT_EQ(f[0], "2024-03-04T13:46:40Z");
    EXPECT_EQ(f[1], "target_modified");
    EXPECT_EQ(f[4], "shell_link");
    EXPECT_EQ(f[10], ArtifactImage::kLink);
}

TEST_F(TimelineArtifacts, CaseWithoutArtifactsRefusedInOneLine) {
    expect_one_line_error(
        dflab("timeline " + shell_quote(image_->raw) + " --artifacts --case /nonexistent.sqlite"),
        "/nonexistent.sqlite");
    auto r = dflab("timeline " + shell_quote(image_->raw) + " --case /x.sqlite");
    EXPECT_NE(r.exit_code, 0) << "--case without --artifacts";
}

}  // namespace
}  // namespace dflab::test
