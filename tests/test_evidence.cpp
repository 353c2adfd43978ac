// Evidence: raw, split raw and multi-segment E01 images as `dflab info` and `dflab verify` see
// them, checked against stat, sha256sum/md5sum and libewf's own ewfinfo/ewfverify.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>

#include "tests/oracle.hpp"
#include "tests/support/fixtures.hpp"

namespace dflab::test {
namespace {

namespace fs = std::filesystem;

// Files in the fixture directory whose names match `pattern` (e.g. disk.E01..E11), sorted.
std::vector<std::string> fixture_files(const std::string& pattern) {
    std::vector<std::string> out;
    const std::regex re(pattern);
    for (const auto& e : fs::directory_iterator(fs::path(fixture("fat16.img")).parent_path())) {
        if (std::regex_match(e.path().filename().string(), re)) out.push_back(e.path().string());
    }
    std::sort(out.begin(), out.end());
    return out;
}

nlohmann::json info(const std::string& image) {
    auto r = dflab("info --json " + shell_quote(image));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return nlohmann::json::parse(r.out);
}

// "Label:\t\tvalue" from ewfinfo's output.
std::string ewfinfo_value(const std::string& ewfinfo_out, const std::string& label) {
    for (const auto& line : lines(ewfinfo_out)) {
        auto pos = line.find(label + ":");
        if (pos == std::string::npos) continue;
        std::string v = line.substr(pos + label.size() + 1);
        v.erase(0, v.find_first_not_of(" \t"));
        return v;
    }
    return "";
}

TEST(Evidence, RawImage) {
    const std::string img = fixture("fat16.img");
    auto j = info(img);
    EXPECT_EQ(j.at("format"), "raw");
    EXPECT_EQ(j.at("size").get<uint64_t>(), fs::file_size(img));
    EXPECT_EQ(j.at("sector_size").get<uint32_t>(), 512u);
    ASSERT_EQ(j.at("segments").size(), 1u);
    EXPECT_TRUE(j.at("acquisition").is_null());
}

TEST(Evidence, SplitRawGivenOnlyFirstSegment) {
    const auto pieces = fixture_files(R"(split\.\d{3})");
    ASSERT_GE(pieces.size(), 2u);
    uint64_t total = 0;
    for (const auto& p : pieces) total += fs::file_size(p);
    auto j = info(fixture("split.001"));
    EXPECT_EQ(j.at("format"), "split raw");
    EXPECT_EQ(j.at("size").get<uint64_t>(), total);
    EXPECT_EQ(j.at("size").get<uint64_t>(), fs::file_size(fixture("fat16.img")));
    EXPECT_EQ(j.at("sector_size").get<uint32_t>(), 512u);
    EXPECT_EQ(j.at("segments").size(), pieces.size());
}

TEST(Evidence, SplitRawContentEqualsTheWhole) {
    // The split pieces read as one medium: the hash sha256sum gives the unsplit image.
    const std::string want = sha256_of_file(fixture("fat16.img"));
    auto r = dflab("verify --json --expect " + want + " " + shell_quote(fixture("split.001")));
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    auto j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j.at("sha256"), want);
    EXPECT_EQ(j.at("result"), "verified");
}

TEST(Evidence, MultiSegmentE01GivenOnlyFirstSegment) {
    const auto segments = fixture_files(R"(disk\.E\d\d)");
    ASSERT_GE(segments.size(), 3u) << "the E01 fixture must span several segments";
    auto ewf = run("ewfinfo " + shell_quote(fixture("disk.E01")));
    ASSERT_EQ(ewf.exit_code, 0) << ewf.err;
    // "Media size:		10 MiB (10485760 bytes)"
    std::smatch m;
    const std::string media = ewfinfo_value(ewf.out, "Media size");
    ASSERT_TRUE(std::regex_search(media, m, std::regex(R"(\((\d+) bytes\))"))) << media;
    const uint64_t media_size = std::stoull(m[1]);

    auto j = info(fixture("disk.E01"));
    EXPECT_EQ(j.at("format"), "E01");
    EXPECT_EQ(j.at("size").get<uint64_t>(), media_size);
    EXPECT_EQ(j.at("size").get<uint64_t>(), fs::file_size(fixture("mbr.img")));
    EXPECT_EQ(std::to_string(j.at("sector_size").get<uint32_t>()),
              ewfinfo_value(ewf.out, "Bytes per sector"));
    EXPECT_EQ(j.at("segments").size(), segments.size());
}

TEST(Evidence, E01AcquisitionMetadata) {
    auto j = info(fixture("disk.E01"));
    ASSERT_TRUE(j.at("acquisition").is_object()) << j.dump();
    const auto& a = j.at("acquisition");
    // What tests/fixtures/make.sh passed to ewfacquire.
    EXPECT_EQ(a.value("case_number", ""), "CASE-001");
    EXPECT_EQ(a.value("evidence_number", ""), "EV-42");
    EXPECT_EQ(a.value("examiner_name", ""), "Examiner Name");
    EXPECT_EQ(a.value("description", ""), "Sample disk");
    EXPECT_EQ(a.value("notes", ""), "notes text");
    // The stored hashes are those of the source image (md5sum/sha1sum) and those ewfinfo shows.
    auto md5 = run("md5sum " + shell_quote(fixture("mbr.img")));
    auto sha1 = run("sha1sum " + shell_quote(fixture("mbr.img")));
    EXPECT_EQ(a.at("stored_md5"), md5.out.substr(0, 32));
    EXPECT_EQ(a.at("stored_sha1"), sha1.out.substr(0, 40));
    auto ewf = run("ewfinfo " + shell_quote(fixture("disk.E01")));
    EXPECT_EQ(a.at("stored_md5"), ewfinfo_value(ewf.out, "MD5"));
    EXPECT_EQ(a.at("stored_sha1"), ewfinfo_value(ewf.out, "SHA1"));
}

TEST(Evidence, E01ContentEqualsSourceImage) {
    const std::string want = sha256_of_file(fixture("mbr.img"));
    auto r = dflab("verify --json " + shell_quote(fixture("disk.E01")));
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    auto j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j.at("sha256"), want);
}

TEST(Evidence, VerifyGoodE01) {
    ASSERT_EQ(run("ewfverify -q " + shell_quote(fixture("disk.E01"))).exit_code, 0);
    auto r = dflab("verify " + shell_quote(fixture("disk.E01")));
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("SUCCESS"), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find("FAILURE"), std::string::npos) << r.out;
}

TEST(Evidence, VerifyE01WithFlippedByteInMiddleSegment) {
    const std::string dir = temp_dir();
    const auto segments = fixture_files(R"(disk\.E\d\d)");
    ASSERT_GE(segments.size(), 3u);
    for (const auto& s : segments) fs::copy_file(s, dir + "/" + fs::path(s).filename().string());
    const std::string middle =
        dir + "/" + fs::path(segments[segments.size() / 2]).filename().string();
    {
        std::fstream f(middle, std::ios::in | std::ios::out | std::ios::binary);
        const auto off = static_cast<std::streamoff>(fs::file_size(middle) / 2);
        f.seekg(off);
        char c = 0;
        f.read(&c, 1);
        c = static_cast<char>(c ^ 0x5a);
        f.seekp(off);
        f.write(&c, 1);
    }
    // libewf's own verifier must agree that the copy is damaged.
    ASSERT_NE(run("ewfverify -q " + shell_quote(dir + "/disk.E01")).exit_code, 0);

    auto r = dflab("verify " + shell_quote(dir + "/disk.E01"));
    EXPECT_NE(r.exit_code, 0) << r.out;
    EXPECT_LT(r.exit_code, 128) << "crashed: " << r.err;
    const bool failure_reported = r.out.find("FAILURE") != std::string::npos;
    const auto err_lines = lines(r.err);
    const bool error_reported = err_lines.size() == 1 && err_lines[0].rfind("dflab: ", 0) == 0;
    EXPECT_TRUE(failure_reported || error_reported) << "stdout: " << r.out << "\nstderr: " << r.err;
    EXPECT_EQ(r.out.find("SUCCESS"), std::string::npos) << r.out;
    fs::remove_all(dir);
}

TEST(Evidence, VerifyRawWithExpectedSha256) {
    const std::string img = fixture("ext4.img");
    const std::string good = sha256_of_file(img);
    auto ok = dflab("verify --expect " + good + " " + shell_quote(img));
    EXPECT_EQ(ok.exit_code, 0) << ok.out << ok.err;
    EXPECT_NE(ok.out.find("SUCCESS"), std::string::npos) << ok.out;

    std::string bad = good;
    bad[0] = bad[0] == '0' ? '1' : '0';
    auto wrong = dflab("verify --expect " + bad + " " + shell_quote(img));
    EXPECT_EQ(wrong.exit_code, 1) << wrong.out << wrong.err;
    EXPECT_NE(wrong.out.find("FAILURE"), std::string::npos) << wrong.out;
}

TEST(Evidence, VerifyRawWithExpectedMd5AndSha1) {
    const std::string img = fixture("fat16.img");
    auto md5 = run("md5sum " + shell_quote(img)).out.substr(0, 32);
    auto sha1 = run("sha1sum " + shell_quote(img)).out.substr(0, 40);
    EXPECT_EQ(dflab("verify --expect " + md5 + " " + shell_quote(img)).exit_code, 0);
    EXPECT_EQ(dflab("verify --expect " + sha1 + " " + shell_quote(img)).exit_code, 0);
}

TEST(Evidence, VerifyRawWithoutHashIsUnverified) {
    auto r = dflab("verify " + shell_quote(fixture("fat16.img")));
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    EXPECT_EQ(r.out.find("SUCCESS"), std::string::npos) << r.out;
}

TEST(Evidence, VerifyRejectsMalformedExpectedHash) {
    auto r = dflab("verify --expect 1234 " + shell_quote(fixture("fat16.img")));
    EXPECT_NE(r.exit_code, 0);
    EXPECT_LT(r.exit_code, 128);
    auto err = lines(r.err);
    ASSERT_EQ(err.size(), 1u) << r.err;
    EXPECT_EQ(err[0].rfind("dflab: ", 0), 0u) << r.err;
}

}  // namespace
}  // namespace dflab::test

namespace dflab::test {
namespace {

// VHD and VMDK containers open through Debian's libtsk (libvhdi, libvmdk): the same listing as the
// raw image they were made from.
TEST(Evidence, VirtualDiskContainersListLikeTheRawImage) {
    auto raw = dflab("ls -r --json " + shell_quote(fixture("fat16.img")));
    ASSERT_EQ(raw.exit_code, 0) << raw.err;
    for (const auto& [name, format] :
         {std::pair{"fat16.vhd", "VHD"}, std::pair{"fat16.vmdk", "VMDK"}}) {
        auto info = dflab("info --json " + shell_quote(fixture(name)));
        ASSERT_EQ(info.exit_code, 0) << name << ": " << info.err;
        auto j = nlohmann::json::parse(info.out);
        EXPECT_EQ(j["format"], format);
        // the media size the container declares (VHD rounds it up to its disk geometry)
        auto qemu = run("qemu-img info --output=json " + shell_quote(fixture(name)));
        EXPECT_EQ(j["size"], nlohmann::json::parse(qemu.out)["virtual-size"]) << name;
        auto ls = dflab("ls -r --json " + shell_quote(fixture(name)));
        EXPECT_EQ(ls.out, raw.out) << name;
    }
}

}  // namespace
}  // namespace dflab::test
