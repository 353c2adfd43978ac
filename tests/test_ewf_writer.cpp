// E01 output of dflab image build, written with libewf's write API: checked with ewfverify,
// ewfinfo and ewfexport (libewf's own tools), md5sum and sha1sum, and rebuilt under another clock
// (faketime), in another time zone and folder, to the same bytes.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "images/ewf_writer.hpp"
#include "tests/support/fixtures.hpp"

namespace dflab {
namespace {

namespace fs = std::filesystem;
using test::run;
using test::shell_quote;

// The case metadata the recipe gives; ewfinfo must show these.
const std::map<std::string, std::string> kCase = {
    {"case_number", "2024-017"},      {"evidence_number", "USB-01"},
    {"examiner", "Айгерим Сапарова"}, {"description", "USB stick seized from the suspect"},
    {"notes", "Bagged and sealed"},
};
const std::string kAcquired = "2024-03-05T14:30:00Z";

std::string write_recipe(const std::string& dir) {
    const std::string path = dir + "/seized.yaml";
    std::ofstream out(path);
    out << "name: seized\nseed: 42\nstart: 2024-03-01T09:00:00Z\ncase:\n";
    for (const auto& [k, v] : kCase) out << "  " << k << ": \"" << v << "\"\n";
    out << "  acquisition_time: " << kAcquired << "\n"
        << "disk:\n  size: 16MiB\n  table: mbr\n  partitions:\n"
        << "    - id: p1\n      filesystem: fat16\n"
        << "actions:\n  - write: /big.bin\n    random: {size: 5MiB}\n"
        << "  - write: /note.txt\n    text: \"hello\"\n";
    return path;
}

std::string sha256_of(const std::string& command) {
    return run(command + " | sha256sum").out.substr(0, 64);
}

// dflab image build with `env` before the command; returns the E01 segments, sorted.
std::vector<std::string> build_e01(const std::string& recipe, const std::string& out,
                                   const std::string& env = "") {
    auto r = run(env + " " + shell_quote(DFLAB_BINARY) + " image build " + shell_quote(recipe) +
                 " -o " + shell_quote(out) + " --format raw,e01 --e01-segment-size 1MiB");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::vector<std::string> segments;
    for (const auto& e : fs::directory_iterator(out)) {
        if (e.path().extension().string().starts_with(".E")) segments.push_back(e.path());
    }
    std::sort(segments.begin(), segments.end());
    return segments;
}

std::string value_after(const std::string& text, const std::string& label) {
    for (const auto& line : test::lines(text)) {
        const auto at = line.find(label);
        if (at == std::string::npos) continue;
        std::string v = line.substr(at + label.size());
        v.erase(0, v.find_first_not_of(" \t"));
        return v;
    }
    return "(no " + label + ")";
}

TEST(EwfWriter, TwoBuildsAtOtherTimesInOtherFoldersGiveTheSameSegments) {
    const std::string dir = test::temp_dir();
    const std::string recipe = write_recipe(dir);
    // The pinned clock really is another day for the tools run under it.
    const std::string faked = test::under_faked_clock("2031-07-15 12:00:00");
    ASSERT_EQ(run(faked + "date -u +%Y").out, "2031\n");

    auto first = build_e01(recipe, dir + "/first");
    run("sleep 1");
    auto second = build_e01(recipe, dir + "/elsewhere/second", "TZ=Asia/Tokyo " + faked);
    ASSERT_GE(first.size(), 2u) << "5 MiB of random data in 1 MiB segments";
    ASSERT_EQ(first.size(), second.size());
    for (size_t i = 0; i < first.size(); ++i) {
        EXPECT_EQ(fs::path(first[i]).filename(), fs::path(second[i]).filename());
        EXPECT_EQ(sha256_of("cat " + shell_quote(first[i])),
                  sha256_of("cat " + shell_quote(second[i])))
            << first[i];
    }
    fs::remove_all(dir);
}

TEST(EwfWriter, SegmentsVerifyExportTheRawImageAndCarryTheCaseMetadata) {
    const std::string dir = test::temp_dir();
    auto segments = build_e01(write_recipe(dir), dir + "/out");
    ASSERT_GE(segments.size(), 2u);
    EXPECT_EQ(fs::path(segments[0]).filename(), "seized.E01");
    EXPECT_EQ(fs::path(segments[1]).filename(), "seized.E02");
    for (const auto& s : segments) EXPECT_LE(fs::file_size(s), 1u << 20) << s;
    const std::string raw = dir + "/out/seized.raw";
    const std::string e01 = shell_quote(segments[0]);

    auto verify = run("ewfverify -q -d sha1 " + e01);
    EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
    ASSERT_EQ(
        run("ewfexport -q -u -f raw -t " + shell_quote(dir + "/exported") + " " + e01).exit_code,
        0);
    EXPECT_EQ(sha256_of("cat " + shell_quote(dir + "/exported.raw")),
              sha256_of("cat " + shell_quote(raw)));

    auto info = run("TZ=UTC ewfinfo " + e01);
    ASSERT_EQ(info.exit_code, 0) << info.err;
    EXPECT_EQ(value_after(info.out, "Case number:"), kCase.at("case_number"));
    EXPECT_EQ(value_after(info.out, "Evidence number:"), kCase.at("evidence_number"));
    EXPECT_EQ(value_after(info.out, "Examiner name:"), kCase.at("examiner"));
    EXPECT_EQ(value_after(info.out, "Description:"), kCase.at("description"));
    EXPECT_EQ(value_after(info.out, "Notes:"), kCase.at("notes"));
    const std::string acquired = run("date -u -d " + kAcquired + " '+%a %b %e %H:%M:%S %Y'").out;
    EXPECT_EQ(value_after(info.out, "Acquisition date:") + "\n", acquired);
    EXPECT_EQ(value_after(info.out, "System date:") + "\n", acquired);
    EXPECT_EQ(value_after(info.out, "Software version used:"), "dflab");
    EXPECT_EQ(info.out.find("Operating system used:"), std::string::npos) << info.out;
    const std::string host = run("hostname").out;
    EXPECT_EQ(info.out.find(host.substr(0, host.size() - 1)), std::string::npos) << info.out;
    EXPECT_EQ(value_after(info.out, "Bytes per sector:"), "512");
    EXPECT_EQ(value_after(info.out, "MD5:"), run("md5sum " + shell_quote(raw)).out.substr(0, 32));
    EXPECT_EQ(value_after(info.out, "SHA1:"), run("sha1sum " + shell_quote(raw)).out.substr(0, 40));
    fs::remove_all(dir);
}

TEST(EwfWriter, CompressionNoneStoresTheMediaAsIsAndFailuresNameTheImage) {
    const std::string dir = test::temp_dir();
    run("head -c 3000000 /dev/urandom > " + shell_quote(dir + "/media.raw") +
        " && truncate -s 3145728 " + shell_quote(dir + "/media.raw"));
    images::EwfMetadata meta;
    meta.case_number = "C-1";
    meta.acquisition_time = 1700000000;
    meta.media_identity = "test";
    images::EwfOptions options;
    options.compression = images::EwfCompression::None;
    uint64_t last_done = 0, last_total = 0;
    auto written = images::write_ewf(dir + "/media.raw", dir + "/media", meta, options,
                                     [&](uint64_t done, uint64_t total) {
                                         EXPECT_GE(done, last_done);
                                         last_done = done;
                                         last_total = total;
                                     });
    EXPECT_EQ(last_done, 3145728u);
    EXPECT_EQ(last_total, 3145728u);
    ASSERT_EQ(written.segments.size(), 1u);
    EXPECT_GT(fs::file_size(written.segments[0]), 3145728u);  // stored, not compressed
    EXPECT_EQ(written.md5, run("md5sum " + shell_quote(dir + "/media.raw")).out.substr(0, 32));
    auto verify = run("ewfverify -q " + shell_quote(written.segments[0].string()));
    EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;

    const std::string missing = test::error_of(
        [&] { images::write_ewf(dir + "/absent.raw", dir + "/absent", meta, options); });
    EXPECT_NE(missing.find("absent.raw"), std::string::npos) << missing;
    options.segment_size = 4096;
    const std::string small = test::error_of(
        [&] { images::write_ewf(dir + "/media.raw", dir + "/small", meta, options); });
    EXPECT_NE(small.find("segment size"), std::string::npos) << small;
    fs::remove_all(dir);
}

}  // namespace
}  // namespace dflab
