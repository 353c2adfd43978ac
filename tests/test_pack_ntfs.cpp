// `dflab pack build` on the shipped ntfs pack: identical bundles on every build, no answer in the
// participant bundle, and the key of each variant against The Sleuth Kit on the participants'
// image (exported from the E01 with ewfexport): mmls (the GPT partition), fsstat (the volume
// serial), fls (MFT addresses, the named streams, the deleted entry), ifind -n (the entry of a
// path), istat (resident or not, the first cluster of the data run, $STANDARD_INFORMATION and
// $FILE_NAME times) and icat (the Zone.Identifier streams, the hidden stream's and the recovered
// file's SHA-256).
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstring>
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

const fs::path kPack = fs::path(DFLAB_SOURCE_DIR) / "exercises/packs/ntfs";

const fs::path& built() {
    static const fs::path out = built_shipped_pack("ntfs");
    return out;
}

const nlohmann::json& key() {
    return answer_key(built());
}

const nlohmann::json& answer(const std::string& id, int variant) {
    return key_answer(built(), id, variant);
}

// The MFT entry of an NTFS address ("76" of "76-128-2").
std::string entry_of(const std::string& address) {
    return address.substr(0, address.find('-'));
}

// A variant's disk as raw (exported from the participants' E01 with ewfexport), the start sector
// of its NTFS partition (mmls), and its entries (fls).
struct Disk {
    std::string raw;
    uint64_t start = 0;
    std::vector<FlsEntry> entries;

    // A TSK tool on the partition: "TOOL [OPTIONS] -o START IMAGE [ARGS]".
    std::string tsk(const std::string& tool, const std::string& args = "") const {
        auto r = run(tool + " -o " + std::to_string(start) + " " + shell_quote(raw) +
                     (args.empty() ? "" : " " + args));
        EXPECT_EQ(r.exit_code, 0) << tool << " " << args << ": " << r.err;
        return r.out;
    }

    std::string icat_sha256(const std::string& address) const {
        return sha256_of_output("icat -o " + std::to_string(start) + " " + shell_quote(raw) + " " +
                                address);
    }

    // The entries fls lists under /Users/ whose path meets `pred`.
    template <typename Pred>
    std::vector<FlsEntry> users(Pred pred) const {
        std::vector<FlsEntry> out;
        for (const auto& e : entries)
            if (e.path.rfind("/Users/", 0) == 0 && pred(e)) out.push_back(e);
        return out;
    }
};

Disk disk(int variant) {
    Disk d;
    const std::string dir = temp_dir();
    const fs::path e01 =
        built() / "participant/images" / ("variant-" + std::to_string(variant)) / "office-pc.E01";
    auto r = run("ewfexport -q -u -t " + shell_quote(dir + "/disk") + " -f raw " +
                 shell_quote(e01.string()));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    d.raw = dir + "/disk.raw";
    // GPT: the one partition is named by its GPT entry ("Windows"), in slot 4 after the
    // protective MBR, the unallocated start, the header and the table.
    for (const auto& s : mmls(d.raw))
        if (s.description == "Windows") {
            EXPECT_EQ(s.slot, 4);
            d.start = s.start;
        }
    EXPECT_NE(d.start, 0u);
    d.entries = fls(d.raw, d.start);
    return d;
}

// istat's "Created:" line of the attribute whose section starts with `section`, as
// "YYYY-MM-DD HH:MM:SS" (istat -z UTC; the nanoseconds are zero on this image).
std::string istat_created(const std::string& istat_out, const std::string& section) {
    const size_t at = istat_out.find(section);
    if (at == std::string::npos) return "";
    return first_match(istat_out.substr(at), R"(Created:\s+(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d))");
}

std::string istat_modified(const std::string& istat_out, const std::string& section) {
    const size_t at = istat_out.find(section);
    if (at == std::string::npos) return "";
    return first_match(istat_out.substr(at),
                       R"(File Modified:\s+(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d))");
}

const char* const kSI = "$STANDARD_INFORMATION Attribute Values:";
const char* const kFN = "$FILE_NAME Attribute Values:";

}  // namespace

TEST(PackNtfs, TwoBuildsGiveIdenticalBundles) {
    EXPECT_EQ(rebuild_differences(kPack, built()), "");
}

TEST(PackNtfs, TheParticipantBundleHoldsNoAnswer) {
    // Every text file handed out (the images hold the evidence, of course).
    const std::string handed_out = participant_texts(built());
    ASSERT_FALSE(handed_out.empty());
    for (const auto& q : key()["questions"]) {
        const std::string type = q["type"].get<std::string>();
        for (const auto& [variant, a] : q["answers"].items()) {
            std::vector<std::string> values;
            if (type == "text" || type == "path" || type == "timestamp")
                values.push_back(a.get<std::string>());
            if (type == "hash") values.push_back(a["sha256"].get<std::string>());
            if (type == "set")
                for (const auto& item : a) values.push_back(item.get<std::string>());
            if (type == "inode") values.push_back(a["address"].get<std::string>());
            if (type == "integer") values.push_back(std::to_string(a.get<long long>()));
            for (const auto& v : values)
                EXPECT_EQ(handed_out.find(v), std::string::npos)
                    << q["id"] << " variant " << variant << ": " << v;
        }
    }
    // The serial, without the key's "(0x)?".
    for (int v : {0, 1}) {
        const std::string serial = answer("volume-serial", v).get<std::string>().substr(5);
        ASSERT_EQ(serial.size(), 16u);
        EXPECT_EQ(handed_out.find(serial), std::string::npos) << serial;
    }
}

TEST(PackNtfs, AnswersAgreeWithTheSleuthKit) {
    for (int v : {0, 1}) {
        SCOPED_TRACE("variant " + std::to_string(v));
        const Disk d = disk(v);
        ASSERT_FALSE(d.entries.empty());

        // The volume serial: fsstat's 16 digits match the key's pattern, with or without 0x and
        // in lower case; the bytes in the order they are stored (little-endian) do not.
        const std::string fsstat_out = d.tsk("fsstat");
        ASSERT_NE(fsstat_out.find("File System Type: NTFS"), std::string::npos) << fsstat_out;
        const std::string serial =
            first_match(fsstat_out, R"(Volume Serial Number: ([0-9A-Fa-f]{16}))");
        ASSERT_EQ(serial.size(), 16u) << fsstat_out;
        std::string lower = serial;
        for (auto& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        EXPECT_TRUE(key_matches(built(), "volume-serial", v, serial)) << serial;
        EXPECT_TRUE(key_matches(built(), "volume-serial", v, "0x" + lower)) << serial;
        std::string stored;
        for (size_t i = 16; i >= 2; i -= 2) stored += serial.substr(i - 2, 2);
        EXPECT_FALSE(key_matches(built(), "volume-serial", v, stored)) << stored;

        // The scanned contract: fls's one dogovor_*_scan.jpg, its address in the key, and
        // ifind -n of its path gives the same MFT entry.
        static const std::regex scan_re(
            R"(^/Users/[^/]+/Documents/Buhgalteriya/dogovor_.*_scan\.jpg$)");
        const auto scans = d.users(
            [](const FlsEntry& e) { return e.allocated && std::regex_match(e.path, scan_re); });
        ASSERT_EQ(scans.size(), 1u);
        const FlsEntry scan = scans[0];
        EXPECT_EQ(answer("scan-entry", v).at("address"), scan.inode);
        EXPECT_EQ(answer("scan-entry", v).at("default_attribute"), true);
        std::string ifind_out = d.tsk("ifind -n " + shell_quote(scan.path));
        ifind_out.erase(ifind_out.find_last_not_of("\r\n ") + 1);
        EXPECT_EQ(ifind_out, entry_of(scan.inode));

        // Its first cluster: the first number istat lists under its non-resident $DATA.
        const std::string scan_istat = d.tsk("istat -z UTC", entry_of(scan.inode));
        const std::string first_cluster = first_match(
            scan_istat, R"(Type: \$DATA \(128-2\)\s+Name: N/A\s+Non-Resident[^\n]*\n\s*(\d+))");
        ASSERT_FALSE(first_cluster.empty()) << scan_istat;
        EXPECT_EQ(answer("first-cluster", v), std::stoll(first_cluster));

        // kody.txt on the desktop: istat says its $DATA is resident (choice a), the scan's not.
        const auto codes = d.users([](const FlsEntry& e) {
            return e.allocated && ends_with(e.path, "/Desktop/kody.txt");
        });
        ASSERT_EQ(codes.size(), 1u);
        const std::string residence =
            first_match(d.tsk("istat", entry_of(codes[0].inode)),
                        R"(Type: \$DATA \(128-2\)\s+Name: N/A\s+(Resident|Non-Resident))");
        ASSERT_FALSE(residence.empty());
        EXPECT_EQ(answer("resident", v), std::string(residence == "Resident" ? "a" : "b"));

        // The downloads: the Zone.Identifier streams fls lists, read with icat. One says
        // ZoneId=3 (its file is the key's path, its HostUrl the key's URL), the other ZoneId=1.
        const auto zones = d.users(
            [](const FlsEntry& e) { return e.allocated && ends_with(e.path, ":Zone.Identifier"); });
        ASSERT_EQ(zones.size(), 2u);
        std::vector<std::string> internet, zone_ids;
        std::string host;
        for (const auto& z : zones) {
            std::string text = d.tsk("icat", z.inode);
            text.erase(std::remove(text.begin(), text.end(), '\r'), text.end());
            ASSERT_EQ(text.rfind("[ZoneTransfer]\n", 0), 0u) << text;
            const std::string zone = first_match(text, R"(\nZoneId=(\d+)\n)");
            zone_ids.push_back(zone);
            if (zone == "3") {
                internet.push_back(z.path.substr(0, z.path.size() - strlen(":Zone.Identifier")));
                host = first_match(text, R"(\nHostUrl=([^\n]+))");
            }
        }
        std::sort(zone_ids.begin(), zone_ids.end());
        EXPECT_EQ(zone_ids, (std::vector<std::string>{"1", "3"}));
        ASSERT_EQ(internet.size(), 1u);
        EXPECT_EQ(answer("download-file", v), internet[0]);
        EXPECT_FALSE(host.empty());
        EXPECT_EQ(answer("download-host", v), host);

        // The hidden stream: the one named stream under /Users that is no Zone.Identifier; its
        // name after the colon, and the SHA-256 of icat of its full address (not of the entry
        // alone, which reads the .docx).
        const auto streams = d.users([](const FlsEntry& e) {
            return e.allocated && e.path.find(':') != std::string::npos &&
                   !ends_with(e.path, ":Zone.Identifier");
        });
        ASSERT_EQ(streams.size(), 1u);
        const FlsEntry stream = streams[0];
        EXPECT_TRUE(ends_with(stream.path.substr(0, stream.path.find(':')), "/otchet_2025.docx"));
        EXPECT_EQ(answer("hidden-stream", v), stream.path.substr(stream.path.find(':') + 1));
        ASSERT_NE(stream.inode, entry_of(stream.inode));  // a full ENTRY-128-ID address
        const std::string stream_sha = d.icat_sha256(stream.inode);
        EXPECT_EQ(answer("stream-hash", v).at("sha256"), stream_sha);
        EXPECT_NE(d.icat_sha256(entry_of(stream.inode)), stream_sha);

        // Timestomping: every allocated file under /Users (streams left out) whose
        // $STANDARD_INFORMATION Created (istat -z UTC) is before its $FILE_NAME Created.
        nlohmann::json stomped = nlohmann::json::array();
        std::string scheme_fn_created, trap_si_modified, trap_fn_created;
        for (const auto& e : d.users([](const FlsEntry& f) {
                 return f.allocated && f.type == "r/r" && f.path.find(':') == std::string::npos;
             })) {
            const std::string out = d.tsk("istat -z UTC", entry_of(e.inode));
            const std::string si = istat_created(out, kSI), fn = istat_created(out, kFN);
            ASSERT_FALSE(si.empty() || fn.empty()) << out;
            if (si < fn) stomped.push_back(e.path);
            if (ends_with(e.path, "/skhema_vyvoda.txt")) scheme_fn_created = fn;
            if (ends_with(e.path, "/akt_sverki.txt")) {
                trap_si_modified = istat_modified(out, kSI);
                trap_fn_created = fn;
                EXPECT_EQ(si, fn) << out;  // the trap: only its modified time is set back
            }
        }
        std::sort(stomped.begin(), stomped.end());
        nlohmann::json stomped_key = answer("timestomped", v);
        std::sort(stomped_key.begin(), stomped_key.end());
        EXPECT_EQ(stomped_key, stomped);
        EXPECT_EQ(stomped.size(), 2u);
        EXPECT_LT(trap_si_modified, trap_fn_created);

        // When the scheme was really created: its $FILE_NAME Created, in UTC.
        ASSERT_EQ(scheme_fn_created.size(), 19u);
        EXPECT_EQ(answer("real-created", v),
                  scheme_fn_created.substr(0, 10) + "T" + scheme_fn_created.substr(11) + "Z");

        // The deleted ledger: fls's one deleted file under /Users, its address and the
        // SHA-256 of icat of it; istat says its entry is not allocated.
        const auto deleted = d.users([](const FlsEntry& e) {
            return !e.allocated && e.path.find(':') == std::string::npos;
        });
        ASSERT_EQ(deleted.size(), 1u);
        EXPECT_TRUE(ends_with(deleted[0].path, "/Documents/perevody_dekabr.csv"));
        EXPECT_EQ(answer("deleted-entry", v).at("address"), deleted[0].inode);
        EXPECT_NE(d.tsk("istat", entry_of(deleted[0].inode)).find("Not Allocated File"),
                  std::string::npos);
        EXPECT_EQ(answer("deleted-hash", v).at("sha256"), d.icat_sha256(deleted[0].inode));
    }
}

TEST(PackNtfs, VariantsDifferInTheirOwnValuesOnly) {
    for (const char* id :
         {"volume-serial", "first-cluster", "download-file", "download-host", "hidden-stream",
          "stream-hash", "timestomped", "real-created", "deleted-hash"})
        EXPECT_NE(answer(id, 0), answer(id, 1)) << id;
    // MFT entries follow the order the story makes files in, the same in every variant.
    for (const char* id : {"scan-entry", "resident", "deleted-entry"})
        EXPECT_EQ(answer(id, 0), answer(id, 1)) << id;
}
