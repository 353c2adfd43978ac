// Damaged E01 sets: a file that begins with the EVF signature is an E01, never read as raw; when
// libewf cannot read it, dflab names the damaged segment and agrees with ewfverify's verdict. The
// damage is made by hand after libyal's description of the format ("Expert Witness Compression
// Format"): a section is a 76-byte descriptor (16-byte type, ...) followed by its data; the "hash"
// section's data is the MD5 (16 bytes), 16 more bytes and the Adler-32 of those 32.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <regex>

#include "tests/oracle.hpp"
#include "tests/support/fixtures.hpp"

namespace dflab::test {
namespace {

namespace fs = std::filesystem;

class EvidenceDamage : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ = temp_dir();
        const std::regex segment(R"(disk\.E\d\d)");
        for (const auto& e : fs::directory_iterator(fs::path(fixture("disk.E01")).parent_path())) {
            if (!std::regex_match(e.path().filename().string(), segment)) continue;
            segments_.push_back(dir_ + "/" + e.path().filename().string());
            fs::copy_file(e.path(), segments_.back());
        }
        std::sort(segments_.begin(), segments_.end());
        ASSERT_GE(segments_.size(), 3u) << "the E01 fixture must span several segments";
        first_ = segments_.front();
        last_ = segments_.back();
        last_name_ = fs::path(last_).filename().string();
    }
    void TearDown() override { fs::remove_all(dir_); }

    std::string dir_, first_, last_, last_name_;
    std::vector<std::string> segments_;
};

std::string read_all(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_all(const std::string& path, const std::string& data) {
    std::ofstream(path, std::ios::binary | std::ios::trunc) << data;
}

uint32_t adler32(std::string_view data) {
    uint32_t a = 1, b = 0;
    for (unsigned char c : data) {
        a = (a + c) % 65521;
        b = (b + a) % 65521;
    }
    return (b << 16) | a;
}

// Offset of the data of the section of type `type` in `segment` (its descriptor starts with the
// type padded with NULs to 16 bytes).
size_t section_data(const std::string& segment, const std::string& type) {
    const std::string bytes = read_all(segment);
    std::string key = type;
    key.resize(16, '\0');
    const size_t at = bytes.find(key);
    if (at == std::string::npos) throw std::runtime_error(segment + ": no " + type + " section");
    return at + 76;
}

// Changes the first byte of the MD5 in the last segment's hash section; with `fix_checksum`, also
// rewrites the section's Adler-32 so that libewf reads the changed MD5 as the stored one.
void change_stored_md5(const std::string& segment, bool fix_checksum) {
    std::string bytes = read_all(segment);
    const size_t md5 = section_data(segment, "hash");
    bytes[md5] = static_cast<char>(bytes[md5] ^ 0x55);
    if (fix_checksum) {
        uint32_t sum = adler32(std::string_view(bytes).substr(md5, 32));
        for (int i = 0; i < 4; ++i)
            bytes[md5 + 32 + i] = static_cast<char>((sum >> (8 * i)) & 0xff);
    }
    write_all(segment, bytes);
}

// Whether `dflab info` printed "Format: raw" (or "split raw").
bool read_as_raw(const std::string& info_out) {
    static const std::regex raw(R"(Format:\s+(split )?raw)");
    return std::regex_search(info_out, raw);
}

// ewfverify's verdict: whether it opened the set, and whether it succeeded.
struct EwfVerdict {
    bool opened = false;
    bool success = false;
};

EwfVerdict ewfverify(const std::string& first) {
    auto r = run("ewfverify -q " + shell_quote(first) + " 2>&1");
    return {r.out.find("Unable to open") == std::string::npos, r.exit_code == 0};
}

// One "dflab: " line on stderr that contains every string in `names`.
void expect_one_line_naming(const CommandResult& r, const std::vector<std::string>& names) {
    EXPECT_NE(r.exit_code, 0) << r.out;
    EXPECT_LT(r.exit_code, 128) << "killed by a signal: " << r.err;
    const auto err = lines(r.err);
    ASSERT_EQ(err.size(), 1u) << "stderr: " << r.err;
    EXPECT_EQ(err[0].rfind("dflab: ", 0), 0u) << err[0];
    for (const auto& n : names)
        EXPECT_NE(err[0].find(n), std::string::npos) << err[0] << "\n(should name '" << n << "')";
}

TEST_F(EvidenceDamage, TruncatedLastSegmentIsNamedNotReadAsRaw) {
    const auto whole = read_all(last_);
    int unopenable = 0;
    for (size_t keep : {size_t{0}, size_t{100}, size_t{1000}, whole.size() / 2, whole.size() - 100,
                        whole.size() - 20}) {
        SCOPED_TRACE("last segment cut to " + std::to_string(keep) + " bytes");
        write_all(last_, whole.substr(0, keep));
        const EwfVerdict ewf = ewfverify(first_);
        ASSERT_FALSE(ewf.success);
        auto info = dflab("info " + shell_quote(first_));
        EXPECT_FALSE(read_as_raw(info.out)) << info.out;
        auto verify = dflab("verify " + shell_quote(first_));
        EXPECT_EQ(verify.exit_code, 1) << verify.out << verify.err;
        EXPECT_EQ(verify.out.find("SUCCESS"), std::string::npos) << verify.out;
        EXPECT_EQ(verify.out.find("stores no hash"), std::string::npos) << verify.out;
        if (!ewf.opened) {
            // Neither libewf's verifier nor dflab can open it: one line naming the segment.
            ++unopenable;
            expect_one_line_naming(info, {first_, "libewf cannot open", last_name_, "truncated"});
            expect_one_line_naming(verify, {first_, last_name_, "truncated"});
        } else {
            // libewf reads around the cut (as ewfverify does, and fails): the segment is named.
            EXPECT_EQ(info.exit_code, 0) << info.err;
            EXPECT_NE(info.out.find("Damage:      segment " + last_name_ + " is truncated"),
                      std::string::npos)
                << info.out;
            EXPECT_NE((verify.out + verify.err).find(last_name_ + " is truncated"),
                      std::string::npos)
                << verify.out << verify.err;
        }
    }
    EXPECT_GE(unopenable, 1) << "no cut made the set unopenable for ewfverify";
}

TEST_F(EvidenceDamage, MissingLastSegmentIsNamed) {
    fs::remove(last_);
    ASSERT_FALSE(ewfverify(first_).success);
    auto info = dflab("info --json " + shell_quote(first_));
    EXPECT_EQ(info.exit_code, 0) << info.err;
    if (info.exit_code == 0) {
        auto j = nlohmann::json::parse(info.out);
        EXPECT_EQ(j.at("format"), "E01");
        EXPECT_EQ(
            j.at("damage").get<std::string>().rfind("segment " + last_name_ + " is missing", 0), 0u)
            << j.dump();
    }
    auto verify = dflab("verify " + shell_quote(first_));
    EXPECT_EQ(verify.exit_code, 1) << verify.out << verify.err;
    EXPECT_EQ(verify.out.find("SUCCESS"), std::string::npos) << verify.out;
    EXPECT_NE((verify.out + verify.err).find("segment " + last_name_ + " is missing"),
              std::string::npos)
        << verify.out << verify.err;
}

TEST_F(EvidenceDamage, ChangedStoredMd5IsNamedNotUnverified) {
    change_stored_md5(last_, false);
    const EwfVerdict ewf = ewfverify(first_);
    ASSERT_FALSE(ewf.opened) << "libewf checks the hash section's checksum";
    auto info = dflab("info " + shell_quote(first_));
    expect_one_line_naming(info, {first_, "libewf cannot open", last_name_, "'hash' section"});
    EXPECT_FALSE(read_as_raw(info.out)) << info.out;
    auto verify = dflab("verify " + shell_quote(first_));
    expect_one_line_naming(verify, {first_, last_name_, "'hash' section", "MD5"});
    EXPECT_EQ(verify.exit_code, 1);
    EXPECT_EQ(verify.out.find("stores no hash"), std::string::npos) << verify.out;
}

TEST_F(EvidenceDamage, ChangedStoredMd5WithValidChecksumIsAMismatch) {
    change_stored_md5(last_, true);
    const EwfVerdict ewf = ewfverify(first_);
    ASSERT_TRUE(ewf.opened);
    ASSERT_FALSE(ewf.success) << "ewfverify must see the changed MD5";
    // The stored MD5 is what ewfinfo reads from the copy; the computed one that of the source.
    auto ewfinfo = run("ewfinfo " + shell_quote(first_));
    ASSERT_EQ(ewfinfo.exit_code, 0) << ewfinfo.err;
    std::string stored;
    for (const auto& line : lines(ewfinfo.out)) {
        std::smatch m;
        static const std::regex md5_line(R"(^\s*MD5:\s+([0-9a-f]{32})\s*$)");
        if (std::regex_match(line, m, md5_line)) stored = m[1];
    }
    ASSERT_EQ(stored.size(), 32u) << ewfinfo.out;
    const std::string source_md5 =
        run("md5sum " + shell_quote(fixture("mbr.img"))).out.substr(0, 32);
    ASSERT_NE(stored, source_md5);

    auto text = dflab("verify " + shell_quote(first_));
    EXPECT_EQ(text.exit_code, 1) << text.out << text.err;
    EXPECT_NE(text.out.find("FAILURE: hash mismatch"), std::string::npos) << text.out;
    auto json = dflab("verify --json " + shell_quote(first_));
    EXPECT_EQ(json.exit_code, 1) << json.err;
    auto j = nlohmann::json::parse(json.out);
    EXPECT_EQ(j.at("result"), "mismatch");
    EXPECT_EQ(j.at("stored_md5"), stored);
    EXPECT_EQ(j.at("md5"), source_md5);
    EXPECT_TRUE(j.at("damage").is_null()) << j.dump();
}

TEST_F(EvidenceDamage, IntactCopyAgreesWithEwfverify) {
    const EwfVerdict ewf = ewfverify(first_);
    ASSERT_TRUE(ewf.opened && ewf.success);
    auto json = dflab("verify --json " + shell_quote(first_));
    EXPECT_EQ(json.exit_code, 0) << json.err;
    auto j = nlohmann::json::parse(json.out);
    EXPECT_EQ(j.at("result"), "verified");
    EXPECT_TRUE(j.at("damage").is_null()) << j.dump();
    auto info = dflab("info --json " + shell_quote(first_));
    ASSERT_EQ(info.exit_code, 0) << info.err;
    EXPECT_TRUE(nlohmann::json::parse(info.out).at("damage").is_null()) << info.out;
}

// libewf orders a set by the segment numbers stored in the files, not by their names: two
// segments whose names were swapped are still a whole set, as ewfverify says (the fault campaign
// found dflab calling it damaged: "segment disk.E03 is segment number 4 of a set, not number 3").
TEST_F(EvidenceDamage, SegmentsRenamedOutOfOrderAreAWholeSet) {
    const std::string second = segments_[1], third = segments_[2];
    fs::rename(second, dir_ + "/swap");
    fs::rename(third, second);
    fs::rename(dir_ + "/swap", third);
    const EwfVerdict ewf = ewfverify(first_);
    ASSERT_TRUE(ewf.opened && ewf.success) << "ewfverify reads a renamed set whole";
    auto json = dflab("verify --json " + shell_quote(first_));
    EXPECT_EQ(json.exit_code, 0) << json.out << json.err;
    if (json.exit_code == 0) {
        auto j = nlohmann::json::parse(json.out);
        EXPECT_EQ(j.at("result"), "verified");
        EXPECT_TRUE(j.at("damage").is_null()) << j.dump();
    }
    // A segment number that occurs twice is damage, named.
    fs::copy_file(second, third, fs::copy_options::overwrite_existing);
    EXPECT_FALSE(ewfverify(first_).success);
    auto verify = dflab("verify " + shell_quote(first_));
    EXPECT_EQ(verify.exit_code, 1) << verify.out;
    EXPECT_EQ(verify.out.find("SUCCESS"), std::string::npos) << verify.out;
}

}  // namespace
}  // namespace dflab::test
