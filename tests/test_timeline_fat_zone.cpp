// dflab timeline --fat-zone: FAT stores local time without a zone; the body file read in a zone
// equals TSK's fls -z in that zone, per partition on a disk, and every output names the zone.
#include <gtest/gtest.h>

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/support/fixtures.hpp"
#include "tests/support/timeline_helpers.hpp"

namespace dflab::test {
namespace {

// ---------------------------------------------------------------------------------------------
// FAT times in a zone (--fat-zone), against fls -z

// The body file of `image` as `fls -z ZONE -m / -r` prints it (TZ of the shell set elsewhere, to
// show it plays no part).
std::vector<std::string> fls_body_in_zone(const std::string& image, const std::string& zone) {
    auto r = run("TZ=Asia/Tokyo fls -z " + zone + " -m / -r " + shell_quote(image));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::vector<std::string> out;
    for (const auto& l : lines(r.out)) out.push_back(normalise_body_line(l));
    return out;
}

std::vector<std::string> our_body(const std::string& image, const std::string& args,
                                  const std::string& env = "") {
    auto r = run(env + " " + shell_quote(DFLAB_BINARY) + " timeline " + shell_quote(image) +
                 " --body " + args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::vector<std::string> out;
    for (const auto& l : lines(r.out)) out.push_back(normalise_body_line(l));
    return out;
}

TEST(TimelineFatZone, BodyFileEqualsFlsInThatZone) {
    const std::string image = fixture("fat16.img");
    for (const std::string zone : {"Asia/Almaty", "Europe/Moscow", "America/New_York", "UTC"}) {
        SCOPED_TRACE(zone);
        auto want = fls_body_in_zone(image, zone);
        ASSERT_GT(want.size(), 5u);
        EXPECT_EQ(our_body(image, "--fat-zone " + zone), want);
        EXPECT_EQ(our_body(image, "--fat-zone 0=" + zone), want);
    }
    // The shell's TZ changes nothing: without --fat-zone, FAT is read in UTC.
    EXPECT_EQ(our_body(image, "", "TZ=Asia/Almaty"), fls_body_in_zone(image, "UTC"));
}

TEST(TimelineFatZone, WrongZoneShiftsEveryTimeByItsOffset) {
    const std::string image = fixture("fat16.img");
    auto right = our_body(image, "--fat-zone Asia/Almaty");
    auto as_utc = our_body(image, "--fat-zone UTC");
    ASSERT_EQ(right.size(), as_utc.size());
    size_t compared = 0;
    for (size_t i = 0; i < right.size(); ++i) {
        auto a = split(right[i], '|'), b = split(as_utc[i], '|');
        ASSERT_EQ(a[1], b[1]);
        for (size_t f = 7; f < 11; ++f) {
            if (a[f] == "0") {
                EXPECT_EQ(b[f], "0");
                continue;
            }
            // The offset Almaty had at that instant, from GNU date.
            auto z = run("TZ=Asia/Almaty date -d @" + a[f] + " +%z").out;
            const int64_t offset =
                std::stoll(z.substr(1, 2)) * 3600 + std::stoll(z.substr(3, 2)) * 60;
            EXPECT_EQ(std::stoll(b[f]) - std::stoll(a[f]), offset) << right[i];
            ++compared;
        }
    }
    EXPECT_GT(compared, 10u);
}

TEST(TimelineFatZone, PerPartitionZonesOnADisk) {
    const std::string image = fixture("mbr.img");
    auto r = dflab("timeline " + shell_quote(image) +
                   " --body --fat-zone UTC --fat-zone 2=Asia/Almaty --partition 2");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto fls2 = run("fls -z Asia/Almaty -o 2048 -m / -r " + shell_quote(image));
    EXPECT_EQ(as_multiset(lines(r.out)), as_multiset(lines(fls2.out)));
    EXPECT_NE(r.err.find("FAT times: local time read in Asia/Almaty (partition 2)"),
              std::string::npos)
        << r.err;
    // Partition 8 (FAT12) keeps the zone for all; ext4 (4) stores UTC and has none.
    auto csv = timeline("mbr.img", "--fat-zone Europe/Moscow --fat-zone 2=Asia/Almaty");
    ASSERT_EQ(csv.exit_code, 0) << csv.err;
    EXPECT_EQ(lines(csv.out).front(),
              "# FAT times: local time read in Asia/Almaty (partition 2); Europe/Moscow "
              "(partition 8); set with --fat-zone");
    auto json = timeline("mbr.img", "--format json --fat-zone 2=Asia/Almaty");
    ASSERT_EQ(json.exit_code, 0) << json.err;
    std::set<std::string> zones_of[9];
    for (const auto& l : lines(json.out)) {
        auto j = nlohmann::json::parse(l);
        zones_of[j["partition"].get<int>()].insert(j.value("fat_zone", "-"));
    }
    EXPECT_EQ(zones_of[2], std::set<std::string>{"Asia/Almaty"});
    EXPECT_EQ(zones_of[4], std::set<std::string>{"-"});
    EXPECT_EQ(zones_of[8], std::set<std::string>{"UTC"});
    // No note where no FAT is read.
    auto ext = timeline("mbr.img", "--partition 4");
    EXPECT_TRUE(lines(ext.out).front().starts_with("time,macb,")) << ext.out;
}

TEST(TimelineFatZone, BadZonesAreOneLine) {
    expect_one_line_error(timeline("fat16.img", "--fat-zone Mars/Base"), "Mars/Base");
    expect_one_line_error(timeline("fat16.img", "--fat-zone x=Asia/Almaty"), "x=Asia/Almaty");
    expect_one_line_error(timeline("fat16.img", "--fat-zone 2=UTC --fat-zone 2=Asia/Almaty"),
                          "given twice");
}

}  // namespace
}  // namespace dflab::test
