// `dflab pack build` on the shipped acquisition pack: identical bundles on every build, no answer
// in the participant bundle's texts, and key answers that independent tools read from the built
// evidence of each variant: ewfinfo (the stored MD5, the case number, the examiner, the write
// blocker's serial in the notes, the acquisition date read with TZ=UTC, the media size),
// ewfverify and ewfexport + md5sum (the stick verifies), the split card's pieces (ls) and their
// SHA-256 reassembled (cat + sha256sum), md5sum of the working copies against the stored MD5
// (which copy was altered), cmp -l (the one sector that differs) and mmls, ifind and ffind (the
// file that holds it).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <ctime>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "tests/oracle.hpp"
#include "tests/support/built_intro.hpp"
#include "tests/support/fixtures.hpp"
#include "tests/support/shipped_pack.hpp"

namespace fs = std::filesystem;
using namespace dflab::test;

namespace {

const fs::path kPack = fs::path(DFLAB_SOURCE_DIR) / "exercises/packs/acquisition";

const fs::path& built() {
    static const fs::path out = built_shipped_pack("acquisition");
    return out;
}

const nlohmann::json& answer(const std::string& id, int variant) {
    return key_answer(built(), id, variant);
}

// A participant's image file of `variant`.
std::string image(int variant, const std::string& name) {
    return participant_image(built(), variant, name);
}

// The value ewfinfo prints after "LABEL:" and tabs, to the end of the line.
std::string ewf_value(const std::string& ewfinfo, const std::string& label) {
    return first_match(ewfinfo, "\\n\\s*" + label + ":\\s+([^\\n]*[^\\s])");
}

std::string checked(const std::string& command_line) {
    auto r = run(command_line);
    EXPECT_EQ(r.exit_code, 0) << command_line << ": " << r.err;
    return r.out;
}

// The first word md5sum prints for a file.
std::string md5_of_file(const std::string& path) {
    return checked("md5sum " + shell_quote(path)).substr(0, 32);
}

// The stick of a variant: what ewfinfo says of its E01 (read with TZ=UTC), and its media
// exported to raw with ewfexport.
struct Stick {
    std::string ewfinfo;
    std::string raw;
};

Stick stick(int variant) {
    Stick s;
    const std::string e01 = image(variant, "mule-stick.E01");
    s.ewfinfo = checked("TZ=UTC ewfinfo " + shell_quote(e01));
    const std::string dir = temp_dir();
    checked("ewfexport -q -u -t " + shell_quote(dir + "/stick") + " -f raw " + shell_quote(e01));
    s.raw = dir + "/stick.raw";
    return s;
}

// ewfinfo's "Fri Mar 13 09:30:00 2026" (read with TZ=UTC) as ISO 8601 UTC.
std::string iso_from_ewfinfo(const std::string& text) {
    std::tm tm{};
    if (!strptime(text.c_str(), "%a %b %d %H:%M:%S %Y", &tm)) return "unparsed: " + text;
    const std::time_t t = timegm(&tm);
    std::tm utc{};
    gmtime_r(&t, &utc);
    char out[32];
    std::strftime(out, sizeof out, "%Y-%m-%dT%H:%M:%SZ", &utc);
    return out;
}

// The sectors (counted from 0) in which two files of the same size differ: cmp -l lists each
// differing byte's position counted from 1.
std::set<uint64_t> differing_sectors(const std::string& a, const std::string& b) {
    auto r = run("cmp -l " + shell_quote(a) + " " + shell_quote(b));
    EXPECT_LE(r.exit_code, 1) << r.err;
    std::set<uint64_t> sectors;
    for (const auto& line : lines(r.out)) {
        const std::string position = first_match(line, R"(^\s*(\d+)\s)");
        if (!position.empty()) sectors.insert((std::stoull(position) - 1) / 512);
    }
    return sectors;
}

}  // namespace

TEST(PackAcquisition, TwoBuildsGiveIdenticalBundles) {
    EXPECT_EQ(rebuild_differences(kPack, built()), "");
}

TEST(PackAcquisition, TheParticipantTextsHoldNoAnswer) {
    const std::string texts = participant_texts(built());
    ASSERT_FALSE(texts.empty());
    for (int v : {0, 1}) {
        for (const char* id : {"case-number", "examiner", "acquired", "altered-file"}) {
            const std::string value = answer(id, v).get<std::string>();
            EXPECT_EQ(texts.find(value), std::string::npos) << id << " " << value;
        }
        EXPECT_EQ(texts.find(answer("stored-md5", v).at("md5").get<std::string>()),
                  std::string::npos);
        EXPECT_EQ(texts.find(answer("card-hash", v).at("sha256").get<std::string>()),
                  std::string::npos);
        EXPECT_EQ(texts.find(std::to_string(answer("altered-sector", v).get<uint64_t>())),
                  std::string::npos);
        const std::string blocker =
            answer("write-blocker", v).get<std::string>();  // "(...)?SERIAL"
        EXPECT_EQ(texts.find(blocker.substr(blocker.size() - 8)), std::string::npos) << blocker;
    }
}

TEST(PackAcquisition, TheStickAgreesWithEwfinfoEwfverifyAndEwfexport) {
    for (int v : {0, 1}) {
        SCOPED_TRACE("variant " + std::to_string(v));
        const Stick s = stick(v);
        const std::string& info = s.ewfinfo;

        // The stored MD5 is the key's, ewfverify finds the media still has it, and so does the
        // media exported to raw.
        const std::string md5 = first_match(info, R"(MD5:\s+([0-9a-f]{32}))");
        ASSERT_FALSE(md5.empty()) << info;
        EXPECT_EQ(answer("stored-md5", v).at("md5"), md5);
        checked("ewfverify -q " + shell_quote(image(v, "mule-stick.E01")));
        EXPECT_EQ(md5_of_file(s.raw), md5);

        // The chain-of-custody headers.
        const std::string case_number = ewf_value(info, "Case number");
        EXPECT_TRUE(std::regex_match(case_number, std::regex(R"(\d{15})"))) << case_number;
        EXPECT_EQ(answer("case-number", v), case_number);
        EXPECT_EQ(answer("examiner", v), ewf_value(info, "Examiner name"));
        const std::string notes = ewf_value(info, "Notes");
        const std::string serial = first_match(notes, R"(S/N ([0-9a-f]{8}))");
        ASSERT_FALSE(serial.empty()) << notes;
        const std::regex blocker(answer("write-blocker", v).get<std::string>(), std::regex::icase);
        EXPECT_TRUE(std::regex_match(serial, blocker)) << serial;
        EXPECT_TRUE(std::regex_match("S/N " + serial, blocker)) << serial;
        EXPECT_FALSE(std::regex_match(notes, blocker)) << notes;
        EXPECT_EQ(answer("acquired", v), iso_from_ewfinfo(ewf_value(info, "Acquisition date")));

        // The media's size: ewfinfo's bytes and sectors, and the exported raw's length.
        const uint64_t bytes =
            std::stoull(first_match(info, R"(Media size:[^\n]*\((\d+) bytes\))"));
        EXPECT_EQ(answer("media-size", v), bytes);
        EXPECT_EQ(std::stoull(ewf_value(info, "Number of sectors")) * 512, bytes);
        EXPECT_EQ(fs::file_size(s.raw), bytes);
    }
}

TEST(PackAcquisition, TheSplitCardAgreesWithCatAndSha256sum) {
    for (int v : {0, 1}) {
        SCOPED_TRACE("variant " + std::to_string(v));
        std::vector<std::string> pieces;
        for (const auto& f : fs::directory_iterator(fs::path(image(v, "")).parent_path()))
            if (f.path().filename().string().rfind("phone-card.", 0) == 0)
                pieces.push_back(f.path().string());
        std::sort(pieces.begin(), pieces.end());
        ASSERT_GE(pieces.size(), 2u);
        EXPECT_EQ(answer("card-segments", v), pieces.size());
        uint64_t size = 0;
        std::string cat = "cat";
        for (size_t i = 0; i < pieces.size(); ++i) {
            EXPECT_EQ(pieces[i].substr(pieces[i].size() - 4),
                      "." + std::string(i < 9 ? "00" : "0") + std::to_string(i + 1));
            if (i + 1 < pieces.size()) {
                EXPECT_EQ(fs::file_size(pieces[i]), 16u << 20);
            }
            size += fs::file_size(pieces[i]);
            cat += " " + shell_quote(pieces[i]);
        }
        EXPECT_EQ(answer("card-hash", v).at("sha256"), sha256_of_output(cat));
        // The first piece alone is not the card.
        EXPECT_NE(answer("card-hash", v).at("sha256"), sha256_of_file(pieces[0]));
        // mmls reads the reassembled media: its FAT32 partition ends in the last sector.
        const std::string whole = temp_dir() + "/card.raw";
        checked(cat + " > " + shell_quote(whole));
        uint64_t end = 0;
        for (const auto& slot : mmls(whole))
            if (slot.description.find("FAT32") != std::string::npos) end = slot.end;
        EXPECT_EQ(end + 1, size / 512);
    }
}

TEST(PackAcquisition, TheAlteredCopyAgreesWithMd5sumCmpIfindAndFfind) {
    std::vector<size_t> account_offsets;
    for (int v : {0, 1}) {
        SCOPED_TRACE("variant " + std::to_string(v));
        const Stick s = stick(v);
        const std::string md5 = first_match(s.ewfinfo, R"(MD5:\s+([0-9a-f]{32}))");
        const std::string copy1 = image(v, "working-copy-1.raw");
        const std::string copy2 = image(v, "working-copy-2.raw");
        const bool intact1 = md5_of_file(copy1) == md5;
        const bool intact2 = md5_of_file(copy2) == md5;
        ASSERT_NE(intact1, intact2) << "exactly one copy is altered";
        EXPECT_EQ(answer("altered-copy", v), std::string(intact1 ? "copy-2" : "copy-1"));
        const std::string altered = intact1 ? copy2 : copy1;
        EXPECT_EQ(fs::file_size(altered), fs::file_size(s.raw));

        // One sector differs (cmp -l); the intact copy differs in none.
        const std::set<uint64_t> sectors = differing_sectors(s.raw, altered);
        ASSERT_EQ(sectors.size(), 1u);
        const uint64_t sector = *sectors.begin();
        EXPECT_EQ(answer("altered-sector", v), sector);
        EXPECT_TRUE(differing_sectors(s.raw, intact1 ? copy1 : copy2).empty());

        // The file that holds it: the FAT32 partition's start (mmls), the entry that holds
        // that sector of the file system (ifind -d) and its path (ffind).
        uint64_t start = 0;
        for (const auto& slot : mmls(s.raw))
            if (slot.description.find("FAT32") != std::string::npos) start = slot.start;
        ASSERT_GT(start, 0u);
        ASSERT_GT(sector, start);
        const std::string o = " -o " + std::to_string(start) + " " + shell_quote(s.raw) + " ";
        std::string inode = checked("ifind -o " + std::to_string(start) + " -d " +
                                    std::to_string(sector - start) + " " + shell_quote(s.raw));
        inode.erase(inode.find_last_not_of(" \n") + 1);
        ASSERT_TRUE(std::regex_match(inode, std::regex(R"(\d+)"))) << inode;
        std::string path = checked("ffind" + o + inode);
        path.erase(path.find_last_not_of(" \n") + 1);
        EXPECT_EQ(answer("altered-file", v), path);

        // What changed: the collection account (icat, grep -b) in the original, at a byte of
        // the file that istat's sector list puts in that sector; the altered copy's file has
        // the same size and not the account.
        const std::string original = checked("icat" + o + inode);
        const std::string in_copy =
            checked("icat -o " + std::to_string(start) + " " + shell_quote(altered) + " " + inode);
        EXPECT_EQ(original.size(), in_copy.size());
        const std::string offset = first_match(
            checked("icat" + o + inode + " | grep -b -o KZ49722C000024871063"), R"((\d+):)");
        ASSERT_FALSE(offset.empty());
        EXPECT_EQ(in_copy.find("KZ49722C000024871063"), std::string::npos);
        account_offsets.push_back(std::stoul(offset));
        std::vector<uint64_t> file_sectors;
        const std::string list = checked("istat" + o + inode);
        ASSERT_NE(list.find("Sectors:"), std::string::npos) << list;
        const std::string tail = list.substr(list.find("Sectors:") + 8);
        for (const auto& word : lines(std::regex_replace(tail, std::regex(R"(\s+)"), "\n")))
            if (!word.empty()) file_sectors.push_back(std::stoull(word));
        ASSERT_GT(file_sectors.size(), account_offsets.back() / 512);
        EXPECT_EQ(file_sectors[account_offsets.back() / 512] + start, sector);
    }
    // The account stands at the same byte of the register in every variant (the recipe keeps
    // everything before it fixed), so that it never crosses a sector boundary.
    ASSERT_EQ(account_offsets.size(), 2u);
    EXPECT_EQ(account_offsets[0], account_offsets[1]);
    EXPECT_LE(account_offsets[0] % 512 + 20, 512u);
}

TEST(PackAcquisition, VariantsDifferInTheirOwnValues) {
    for (const char* id :
         {"stored-md5", "case-number", "examiner", "write-blocker", "acquired", "media-size",
          "card-segments", "card-hash", "altered-copy", "altered-sector", "altered-file"})
        EXPECT_NE(answer(id, 0), answer(id, 1)) << id;
}
