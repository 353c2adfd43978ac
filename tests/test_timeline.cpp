// dflab timeline: the body file against TSK's fls -m, the timeline against TSK's mactime run on
// our body file, time ranges, and time zones against GNU date (glibc's tz code).
//
// Normalisation before comparing with fls -m (see engine/timeline.hpp): we write '|' in names as
// "%7C" and '%XX' as "%25XX" (mactime decodes them), and 64-bit times where fls prints the low 32
// bits. The fixtures hold neither, but the comparison undoes both so it stays exact otherwise.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/error.hpp"
#include "engine/time_format.hpp"
#include "engine/timeline.hpp"
#include "tests/support/fixtures.hpp"
#include "tests/support/timeline_helpers.hpp"

namespace dflab::test {
namespace {

using engine::Entry;
using engine::TimelineRecord;

// ---------------------------------------------------------------------------------------------
// Helpers

// A fresh directory, removed at the end of the scope.
struct TempDir {
    std::string path = temp_dir();
    TempDir() = default;
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    ~TempDir() { std::filesystem::remove_all(path); }
};

std::string write_file(const std::string& dir, const std::string& name, const std::string& text) {
    std::string path = dir + "/" + name;
    std::ofstream(path, std::ios::binary) << text;
    return path;
}

// The CSV rows of `dflab timeline` (header checked and dropped), each split into fields.
std::vector<std::vector<std::string>> timeline_rows(const std::string& image,
                                                    const std::string& args = "") {
    auto r = timeline(image, args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    auto ls = lines(r.out);
    // FAT file systems: first a line naming the zone their local times were read in.
    if (!ls.empty() && ls.front().starts_with("# FAT times: local time read in ")) {
        ls.erase(ls.begin());
    }
    EXPECT_FALSE(ls.empty());
    if (ls.empty()) return {};
    EXPECT_EQ(ls.front(),
              "time,macb,partition,inode,type,size,allocated,mode,uid,gid,path,path_hex");
    std::vector<std::vector<std::string>> rows;
    for (size_t i = 1; i < ls.size(); ++i) {
        rows.push_back(csv_fields(ls[i]));
        EXPECT_EQ(rows.back().size(), 12u) << ls[i];
    }
    return rows;
}

bool ends_with(const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() &&
           s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// ---------------------------------------------------------------------------------------------
// Engine: events, body lines, ranges (no image needed)

TimelineRecord record(const std::string& path, std::optional<int64_t> m, std::optional<int64_t> a,
                      std::optional<int64_t> c, std::optional<int64_t> b) {
    TimelineRecord r;
    r.entry.path = path;
    r.entry.name = path.substr(path.rfind('/') + 1);
    r.entry.inode = "12";
    r.entry.type = "file";
    r.entry.size = 6;
    r.entry.has_metadata = true;
    r.entry.mode_string = "r/rrw-r--r--";
    r.entry.mtime = m;
    r.entry.atime = a;
    r.entry.ctime = c;
    r.entry.crtime = b;
    return r;
}

TEST(TimelineEngine, CombinesEqualTimesLikeMactime) {
    std::vector<TimelineRecord> recs{record("/a", 100, 200, 100, 100)};
    auto events = engine::make_events(recs);
    ASSERT_EQ(events.size(), 2u);
    EXPECT_EQ(events[0].time, 100);
    EXPECT_EQ(events[0].macb, "m.cb");
    EXPECT_EQ(events[1].time, 200);
    EXPECT_EQ(events[1].macb, ".a..");
    EXPECT_EQ(events[1].record, &recs[0]);
}

TEST(TimelineEngine, AbsentTimesMakeNoEvent) {
    std::vector<TimelineRecord> recs{
        record("/a", std::nullopt, 5, std::nullopt, std::nullopt),
        record("/b", std::nullopt, std::nullopt, std::nullopt, std::nullopt)};
    auto events = engine::make_events(recs);
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].macb, ".a..");
}

TEST(TimelineEngine, SortsByTimeThenPath) {
    std::vector<TimelineRecord> recs{record("/z", 10, 10, 10, 10), record("/b", 20, 20, 20, 20),
                                     record("/a", 10, 30, 10, 10)};
    recs[2].file_name_attribute = true;  // "/a ($FILE_NAME)"
    auto events = engine::make_events(recs);
    std::vector<std::pair<int64_t, std::string>> got;
    for (const auto& e : events) got.emplace_back(e.time, e.record->label());
    std::vector<std::pair<int64_t, std::string>> want{
        {10, "/a ($FILE_NAME)"}, {10, "/z"}, {20, "/b"}, {30, "/a ($FILE_NAME)"}};
    EXPECT_EQ(got, want);
}

TEST(TimelineEngine, RangeIsInclusiveAndFiltersEachStamp) {
    std::vector<TimelineRecord> recs{record("/a", 100, 200, 300, 100)};
    engine::TimeRange range{200, 300};
    auto events = engine::make_events(recs, range);
    ASSERT_EQ(events.size(), 2u);
    EXPECT_EQ(events[0].time, 200);
    EXPECT_EQ(events[0].macb, ".a..");
    EXPECT_EQ(events[1].time, 300);
    EXPECT_EQ(events[1].macb, "..c.");
}

TEST(TimelineEngine, ParsesRangesInAZone) {
    // A date alone: from its first second to its last, in the zone.
    auto r = engine::parse_time_range("2021-06-01", "2021-06-01", "Europe/Moscow");
    EXPECT_EQ(engine::iso_utc(*r.from), "2021-05-31T21:00:00Z");
    EXPECT_EQ(engine::iso_utc(*r.to), "2021-06-01T20:59:59Z");
    auto exact = engine::parse_time_range("2021-06-01T08:00:00Z", "2021-06-01T12:00:00+03:00");
    EXPECT_EQ(engine::iso_utc(*exact.from), "2021-06-01T08:00:00Z");
    EXPECT_EQ(engine::iso_utc(*exact.to), "2021-06-01T09:00:00Z");
    EXPECT_THROW(engine::parse_time_range("2021-06-02", "2021-06-01"), engine::Error);
    EXPECT_THROW(engine::parse_time_range("yesterday", std::nullopt), engine::Error);
    auto open = engine::parse_time_range(std::nullopt, std::nullopt);
    EXPECT_FALSE(open.from);
    EXPECT_FALSE(open.to);
}

TEST(TimelineEngine, BodyLineLikeFls) {
    TimelineRecord r = record("/docs/a.txt", 1000, 2000, 3000, std::nullopt);
    EXPECT_EQ(engine::body_line(r), "0|/docs/a.txt|12|r/rrw-r--r--|0|0|6|2000|1000|3000|0");
    EXPECT_EQ(engine::body_line(r, "/p2/"),
              "0|/p2/docs/a.txt|12|r/rrw-r--r--|0|0|6|2000|1000|3000|0");
    r.entry.allocated = false;
    EXPECT_EQ(engine::body_line(r),
              "0|/docs/a.txt (deleted)|12|r/rrw-r--r--|0|0|6|2000|1000|3000|0");
    r.entry.reallocated = true;
    EXPECT_EQ(engine::body_line(r),
              "0|/docs/a.txt (deleted-realloc)|12|r/rrw-r--r--|0|0|6|2000|1000|3000|0");

    TimelineRecord fn = record("/a.txt", 1, 2, 3, 4);
    fn.file_name_attribute = true;
    fn.entry.inode = "64-48-3";
    EXPECT_EQ(engine::body_line(fn), "0|/a.txt ($FILE_NAME)|64-48-3|r/rrw-r--r--|0|0|6|2|1|3|4");
    EXPECT_EQ(fn.label(), "/a.txt ($FILE_NAME)");

    TimelineRecord link = record("/l", 1, 1, 1, 1);
    link.link_target = "a.txt";
    link.entry.mode_string = "l/lrwxrwxrwx";
    EXPECT_EQ(engine::body_line(link), "0|/l -> a.txt|12|l/lrwxrwxrwx|0|0|6|1|1|1|1");

    // No metadata: fls prints zeros.
    TimelineRecord none;
    none.entry.path = "/gone";
    none.entry.inode = "0";
    none.entry.allocated = false;
    none.entry.mode_string = "r/----------";
    EXPECT_EQ(engine::body_line(none), "0|/gone (deleted)|0|r/----------|0|0|0|0|0|0|0");
}

TEST(TimelineEngine, BodyNamesStayOneFieldForMactime) {
    TimelineRecord r = record("/a|b%41\x01.txt", 1, 1, 1, 1);
    EXPECT_EQ(engine::body_line(r), "0|/a%7Cb%2541^.txt|12|r/rrw-r--r--|0|0|6|1|1|1|1");
    // Times past 2106 and before 1970 are written in full.
    TimelineRecord far = record("/f", int64_t{5000000000}, -1, 1, 1);
    EXPECT_EQ(engine::body_line(far), "0|/f|12|r/rrw-r--r--|0|0|6|-1|5000000000|1|1");
}

TEST(TimelineEngine, CsvAndJsonRows) {
    std::vector<TimelineRecord> recs{
        record("/docs/report, \"final\".txt", 1633035600, 1633035600, 1633035600, 1633035600)};
    recs[0].entry.partition = 2;
    auto events = engine::make_events(recs);
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(engine::timeline_csv_row(events[0]),
              "2021-09-30T21:00:00Z,macb,2,12,file,6,true,r/rrw-r--r--,0,0,"
              "\"/docs/report, \"\"final\"\".txt\",");  // path_hex: empty, the path is UTF-8
    EXPECT_EQ(engine::timeline_csv_row(events[0], "Europe/Moscow").substr(0, 25),
              "2021-10-01T00:00:00+03:00");
    auto j = engine::timeline_event_json(events[0], "Asia/Almaty");
    EXPECT_EQ(j["time"], "2021-10-01T03:00:00+06:00");
    EXPECT_EQ(j["path"], "/docs/report, \"final\".txt");
    EXPECT_EQ(j["allocated"], true);
    EXPECT_EQ(j["mode"], "r/rrw-r--r--");
    EXPECT_EQ(j.size(), 11u);
}

// ---------------------------------------------------------------------------------------------
// Body file against fls -m / -r

class TimelineImage : public ::testing::TestWithParam<std::string> {};

TEST_P(TimelineImage, BodyFileEqualsFls) {
    const std::string image = fixture(GetParam());
    auto ours = dflab("timeline " + shell_quote(image) + " --body");
    ASSERT_EQ(ours.exit_code, 0) << ours.err;
    auto theirs = run("fls -m / -r " + shell_quote(image));
    ASSERT_EQ(theirs.exit_code, 0) << theirs.err;
    std::vector<std::string> a, b;
    for (const auto& l : lines(ours.out)) a.push_back(normalise_body_line(l));
    for (const auto& l : lines(theirs.out)) b.push_back(normalise_body_line(l));
    ASSERT_GT(b.size(), 5u);
    EXPECT_EQ(as_multiset(a), as_multiset(b));
    EXPECT_EQ(a, b) << "same lines, but not in fls's order";
    // Every line has the 11 fields mactime reads, and the fixtures' deleted file is there.
    bool deleted = false;
    for (const auto& l : a) {
        EXPECT_EQ(split(l, '|').size(), 11u) << l;
        deleted = deleted || l.find(" (deleted)|") != std::string::npos;
    }
    EXPECT_TRUE(deleted);
}

// What the timeline CSV says, as (time, macb, inode, size, mode, path).
using EventKey =
    std::tuple<std::string, std::string, std::string, std::string, std::string, std::string>;

TEST_P(TimelineImage, MactimeOnOurBodyFileAgreesWithTheTimeline) {
    const std::string image = fixture(GetParam());
    auto body = dflab("timeline " + shell_quote(image) + " --body");
    ASSERT_EQ(body.exit_code, 0) << body.err;
    TempDir dir;
    const std::string body_path = write_file(dir.path, "body.txt", body.out);
    auto mac = run("mactime -b " + shell_quote(body_path) + " -d -y -z UTC");
    ASSERT_EQ(mac.exit_code, 0) << mac.err;
    auto mac_lines = lines(mac.out);
    ASSERT_FALSE(mac_lines.empty());
    EXPECT_EQ(mac_lines.front(), "Date,Size,Type,Mode,UID,GID,Meta,File Name");

    // mactime read every line that has a time: each (inode, name) shows up in its output.
    std::set<std::pair<std::string, std::string>> in_body, in_mactime;
    for (const auto& l : lines(body.out)) {
        auto f = split(l, '|');
        ASSERT_EQ(f.size(), 11u) << l;
        if (f[7] != "0" || f[8] != "0" || f[9] != "0" || f[10] != "0") in_body.emplace(f[2], f[1]);
    }
    std::multiset<EventKey> from_mactime;
    for (size_t i = 1; i < mac_lines.size(); ++i) {
        auto f = csv_fields(mac_lines[i]);
        ASSERT_EQ(f.size(), 8u) << mac_lines[i];
        in_mactime.emplace(f[6], f[7]);
        if (f[0] == "0000-00-00T00:00:00Z") continue;  // mactime lists absent times; we do not
        std::string file = f[7];
        for (const std::string suffix : {" (deleted)", " (deleted-realloc)"}) {
            if (ends_with(file, suffix)) file.resize(file.size() - suffix.size());
        }
        if (f[3].starts_with("l/")) {
            auto arrow = file.rfind(" -> ");
            if (arrow != std::string::npos) file.resize(arrow);
        }
        from_mactime.emplace(f[0], f[2], f[6], f[1], f[3], file);
    }
    EXPECT_EQ(in_mactime, in_body);

    std::multiset<EventKey> from_timeline;
    for (const auto& row : timeline_rows(GetParam())) {
        from_timeline.emplace(row[0], row[1], row[3], row[5], row[7], row[10]);
    }
    ASSERT_GT(from_timeline.size(), 5u);
    EXPECT_EQ(from_timeline, from_mactime);
}

TEST_P(TimelineImage, SortedByTimeThenPath) {
    auto rows = timeline_rows(GetParam());
    ASSERT_GT(rows.size(), 5u);
    for (size_t i = 1; i < rows.size(); ++i) {
        const auto& a = rows[i - 1];
        const auto& b = rows[i];
        EXPECT_TRUE(a[0] < b[0] || (a[0] == b[0] && a[10] <= b[10]))
            << a[0] << " " << a[10] << " before " << b[0] << " " << b[10];
        EXPECT_EQ(b[1].size(), 4u);
    }
}

TEST_P(TimelineImage, JsonLinesCarryTheSameEvents) {
    auto csv = timeline_rows(GetParam());
    auto r = timeline(GetParam(), "--format json");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto ls = lines(r.out);
    ASSERT_EQ(ls.size(), csv.size());
    for (size_t i = 0; i < ls.size(); ++i) {
        auto j = nlohmann::json::parse(ls[i]);
        const auto& row = csv[i];
        EXPECT_EQ(j["time"], row[0]);
        EXPECT_EQ(j["macb"], row[1]);
        EXPECT_EQ(std::to_string(j["partition"].get<int>()), row[2]);
        EXPECT_EQ(j["inode"], row[3]);
        EXPECT_EQ(j["type"], row[4]);
        EXPECT_EQ(std::to_string(j["size"].get<uint64_t>()), row[5]);
        EXPECT_EQ(j["allocated"].get<bool>() ? "true" : "false", row[6]);
        EXPECT_EQ(j["mode"], row[7]);
        EXPECT_EQ(std::to_string(j["uid"].get<uint32_t>()), row[8]);
        EXPECT_EQ(std::to_string(j["gid"].get<uint32_t>()), row[9]);
        EXPECT_EQ(j["path"], row[10]);
    }
}

// The time zone's rendering of each event against GNU date (glibc reading the same tzdata).
void expect_zone_matches_date(const std::string& image, const std::string& zone) {
    auto utc = timeline_rows(image);
    auto zoned = timeline_rows(image, "--timezone " + zone);
    ASSERT_EQ(zoned.size(), utc.size());
    ASSERT_FALSE(utc.empty());
    std::string input;
    for (const auto& row : utc) input += row[0] + "\n";
    TempDir dir;
    const std::string path = write_file(dir.path, "times.txt", input);
    auto oracle = run("TZ=" + zone + " date -f " + shell_quote(path) + " +%Y-%m-%dT%H:%M:%S%:z");
    ASSERT_EQ(oracle.exit_code, 0) << oracle.err;
    auto want = lines(oracle.out);
    ASSERT_EQ(want.size(), utc.size());
    for (size_t i = 0; i < utc.size(); ++i) {
        EXPECT_EQ(zoned[i][0], want[i]) << "UTC " << utc[i][0];
        // Same event, only the time written differently.
        EXPECT_EQ(std::vector<std::string>(zoned[i].begin() + 1, zoned[i].end()),
                  std::vector<std::string>(utc[i].begin() + 1, utc[i].end()));
        EXPECT_EQ(engine::parse_time(zoned[i][0]), engine::parse_time(utc[i][0]));
    }
}

TEST_P(TimelineImage, TimeZoneAlmatyMatchesGnuDate) {
    expect_zone_matches_date(GetParam(), "Asia/Almaty");
}

TEST_P(TimelineImage, TimeZoneMoscowMatchesGnuDate) {
    expect_zone_matches_date(GetParam(), "Europe/Moscow");
}

INSTANTIATE_TEST_SUITE_P(Fixtures, TimelineImage,
                         ::testing::Values("fat16.img", "ext4.img", "ntfs.img"),
                         [](const auto& param_info) {
                             return param_info.param.substr(0, param_info.param.find('.'));
                         });

// ---------------------------------------------------------------------------------------------
// Several file systems: the body file is fls -m /pN/ -r of each, N the slot mmls prints.

TEST(TimelineCommand, BodyOfAPartitionedDiskEqualsFlsWithPrefixes) {
    const std::string image = fixture("mbr.img");
    auto mm = run("mmls " + shell_quote(image));
    ASSERT_EQ(mm.exit_code, 0) << mm.err;
    std::vector<std::string> want;
    int file_systems = 0;
    for (const auto& l : lines(mm.out)) {
        // "002:  000:000   0000002048   0000010239   0000008192   DOS FAT16 (0x06)"
        std::istringstream in(l);
        std::string slot, kind, start;
        if (!(in >> slot >> kind >> start) || slot.size() != 4 || slot[3] != ':') continue;
        if (kind == "Meta" || kind.starts_with("---")) continue;
        const int index = std::stoi(slot.substr(0, 3));
        auto fls = run("fls -o " + start + " -m /p" + std::to_string(index) + "/ -r " +
                       shell_quote(image));
        if (fls.exit_code != 0) continue;
        ++file_systems;
        for (const auto& x : lines(fls.out)) want.push_back(normalise_body_line(x));
    }
    ASSERT_EQ(file_systems, 3);
    auto ours = dflab("timeline " + shell_quote(image) + " --body");
    ASSERT_EQ(ours.exit_code, 0) << ours.err;
    std::vector<std::string> got;
    for (const auto& l : lines(ours.out)) got.push_back(normalise_body_line(l));
    EXPECT_EQ(as_multiset(got), as_multiset(want));

    // One partition: plain "/" prefix, the partition column says which.
    auto one = dflab("timeline " + shell_quote(image) + " --partition 4 --body");
    ASSERT_EQ(one.exit_code, 0) << one.err;
    auto fls4 = run("fls -o 11264 -m / -r " + shell_quote(image));
    EXPECT_EQ(as_multiset(lines(one.out)), as_multiset(lines(fls4.out)));
    auto rows = timeline_rows("mbr.img", "--partition 4");
    ASSERT_FALSE(rows.empty());
    for (const auto& row : rows) EXPECT_EQ(row[2], "4");
}

// ---------------------------------------------------------------------------------------------
// Ranges

TEST(TimelineCommand, RangeSelectsInclusiveTimes) {
    auto all = timeline_rows("ext4.img");
    ASSERT_GT(all.size(), 10u);
    std::vector<std::string> times;
    for (const auto& row : all) times.push_back(row[0]);
    times.erase(std::unique(times.begin(), times.end()), times.end());
    ASSERT_GE(times.size(), 4u);
    const std::string lo = times[1], hi = times[times.size() - 2];

    auto expect_rows = [&](const std::string& args, auto keep) {
        std::vector<std::vector<std::string>> want;
        for (const auto& row : all) {
            if (keep(row[0])) want.push_back(row);
        }
        auto got = timeline_rows("ext4.img", args);
        EXPECT_FALSE(got.empty()) << args;
        EXPECT_EQ(got, want) << args;
    };
    expect_rows("--from " + lo + " --to " + hi,
                [&](const std::string& t) { return t >= lo && t <= hi; });
    expect_rows("--from " + lo + " --to " + lo, [&](const std::string& t) { return t == lo; });
    expect_rows("--from " + hi, [&](const std::string& t) { return t >= hi; });
    expect_rows("--to " + lo, [&](const std::string& t) { return t <= lo; });
    // A date alone covers the whole day.
    const std::string day = lo.substr(0, 10);
    expect_rows("--from " + day + " --to " + day,
                [&](const std::string& t) { return t.substr(0, 10) == day; });
    // An offset in the argument, or --timezone for one without: the same instant.
    const int64_t t_lo = engine::parse_time(lo);
    const std::string lo_moscow = engine::iso_in_zone(t_lo, "Europe/Moscow");
    expect_rows("--from " + lo_moscow + " --to " + lo,
                [&](const std::string& t) { return t == lo; });
    auto local =
        timeline_rows("ext4.img", "--timezone Europe/Moscow --from " + lo_moscow.substr(0, 19) +
                                      " --to " + lo_moscow.substr(0, 19));
    ASSERT_FALSE(local.empty());
    for (const auto& row : local) EXPECT_EQ(row[0], lo_moscow);
}

TEST(TimelineCommand, KnownTimesInTheFixture) {
    // ext4.img: /readme.txt was modified 2021-05-04 10:20:30 UTC (tests/fixtures/make.sh).
    auto find = [](const std::vector<std::vector<std::string>>& rows, const std::string& path) {
        std::vector<std::string> out;
        for (const auto& row : rows) {
            if (row[10] == path) out.push_back(row[0] + " " + row[1]);
        }
        return out;
    };
    auto utc = find(timeline_rows("ext4.img"), "/readme.txt");
    EXPECT_NE(std::find(utc.begin(), utc.end(), "2021-05-04T10:20:30Z m..."), utc.end());
    auto almaty = find(timeline_rows("ext4.img", "--timezone Asia/Almaty"), "/readme.txt");
    EXPECT_NE(std::find(almaty.begin(), almaty.end(), "2021-05-04T16:20:30+06:00 m..."),
              almaty.end());
    auto moscow = find(timeline_rows("ext4.img", "--timezone Europe/Moscow"), "/readme.txt");
    EXPECT_NE(std::find(moscow.begin(), moscow.end(), "2021-05-04T13:20:30+03:00 m..."),
              moscow.end());
    // Almaty moved from +06:00 to +05:00 on 2024-03-01 (tzdata 2024a).
    std::vector<TimelineRecord> recs{record("/x", 1735689600, 1735689600, 1735689600, 1735689600)};
    auto events = engine::make_events(recs);
    EXPECT_EQ(engine::timeline_csv_row(events[0], "Asia/Almaty").substr(0, 25),
              "2025-01-01T05:00:00+05:00");
}

// ---------------------------------------------------------------------------------------------
// Errors: one line on stderr, nothing on stdout (expect_one_line_error)

TEST(TimelineCommand, UnknownTimeZoneIsOneLine) {
    expect_one_line_error(timeline("ext4.img", "--timezone Mars/Olympus_Mons"),
                          "Mars/Olympus_Mons");
}

TEST(TimelineCommand, BadTimesAreOneLine) {
    expect_one_line_error(timeline("ext4.img", "--from yesterday"), "yesterday");
    expect_one_line_error(timeline("ext4.img", "--from 2022-01-02 --to 2022-01-01"), "2022-01-02");
}

TEST(TimelineCommand, BodyTakesNoRangeOrZone) {
    auto r = timeline("ext4.img", "--body --from 2021-01-01");
    EXPECT_NE(r.exit_code, 0);
    EXPECT_EQ(r.out, "");
}

TEST(TimelineCommand, HelpDescribesTheOptions) {
    auto r = dflab("timeline --help");
    EXPECT_EQ(r.exit_code, 0);
    for (const char* word : {"--body", "--from", "--to", "--timezone", "--format", "--partition",
                             "mactime", "macb", "IANA"}) {
        EXPECT_NE(r.out.find(word), std::string::npos) << word;
    }
}

}  // namespace
}  // namespace dflab::test
