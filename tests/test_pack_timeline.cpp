// `dflab pack build` on the shipped timeline pack: identical bundles on every build, no answer in
// the participant bundle's texts, and the key of each variant against The Sleuth Kit on the two
// participants' images (the office PC's NTFS, the USB stick's FAT32): mmls (the partitions),
// fsstat (the stick's file system type), fls (the entries, the deleted ones, and the mactime body
// of both media, the stick's read with -z Asia/Almaty, for the night's first and last time stamps
// and its longest pause), istat ($STANDARD_INFORMATION against $FILE_NAME times) and icat with
// sha256sum (the same file on both media, the recovered task on the stick), and lnkinfo (the
// stick's serial and the copy's time in the PC's shell link).
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <ctime>
#include <filesystem>
#include <iterator>
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

const fs::path kPack = fs::path(DFLAB_SOURCE_DIR) / "exercises/packs/timeline";

// The evening of 23 October 2025, 18:00 to 24:00 Almaty time (UTC+05:00), in epoch seconds
// (date -u -d 2025-10-23T13:00:00Z +%s, and 19:00:00Z).
const int64_t kEveningFrom = 1761224400;
const int64_t kEveningTo = 1761246000;

const fs::path& built() {
    static const fs::path out = built_shipped_pack("timeline");
    return out;
}

const nlohmann::json& key() {
    return answer_key(built());
}

const nlohmann::json& answer(const std::string& id, int variant) {
    return key_answer(built(), id, variant);
}

// The MFT entry of an NTFS address ("70" of "70-128-2").
std::string entry_of(const std::string& address) {
    return address.substr(0, address.find('-'));
}

// One line of a mactime body (fls -m): the name and its four times (0 when absent).
struct BodyLine {
    std::string name;
    int64_t atime = 0, mtime = 0, ctime = 0, crtime = 0;
};

// One medium of a variant: the raw image handed out, the start of its one file system (mmls
// slot 2), its entries (fls) and its mactime body read in `zone`.
struct Medium {
    std::string raw;
    uint64_t start = 0;
    std::vector<FlsEntry> entries;
    std::vector<BodyLine> body;

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

    const FlsEntry& entry(const std::string& path) const {
        for (const auto& e : entries)
            if (e.path == path) return e;
        throw std::runtime_error("fls lists no " + path);
    }

    std::vector<BodyLine> read_body(const std::string& zone) const {
        std::vector<BodyLine> out;
        for (const auto& line : lines(tsk("fls -m / -r -z " + zone))) {
            std::vector<std::string> f;
            size_t at = 0;
            for (size_t bar; (bar = line.find('|', at)) != std::string::npos; at = bar + 1)
                f.push_back(line.substr(at, bar - at));
            f.push_back(line.substr(at));
            if (f.size() != 11) continue;
            out.push_back(
                {f[1], std::stoll(f[7]), std::stoll(f[8]), std::stoll(f[9]), std::stoll(f[10])});
        }
        return out;
    }
};

Medium medium(int variant, const std::string& file, const std::string& zone) {
    Medium m;
    m.raw =
        (built() / "participant/images" / ("variant-" + std::to_string(variant)) / file).string();
    for (const auto& s : mmls(m.raw))
        if (s.slot == 2) m.start = s.start;
    EXPECT_EQ(m.start, 2048u) << file;
    m.entries = fls(m.raw, m.start);
    m.body = m.read_body(zone);
    return m;
}

// The body's modified time of `name`.
int64_t body_mtime(const std::vector<BodyLine>& body, const std::string& name) {
    for (const auto& b : body)
        if (b.name == name) return b.mtime;
    ADD_FAILURE() << "fls -m lists no " << name;
    return 0;
}

// Every distinct time stamp of the evening in a body.
std::set<int64_t> evening(const std::vector<BodyLine>& body) {
    std::set<int64_t> out;
    for (const auto& b : body)
        for (int64_t t : {b.atime, b.mtime, b.ctime, b.crtime})
            if (t >= kEveningFrom && t < kEveningTo) out.insert(t);
    return out;
}

// istat's "Created:" line of the attribute whose section starts with `section` (istat -z UTC).
std::string istat_created(const std::string& istat_out, const std::string& section) {
    const size_t at = istat_out.find(section);
    if (at == std::string::npos) return "";
    return first_match(istat_out.substr(at), R"(Created:\s+(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d))");
}

std::string as_iso(const std::string& istat_time) {
    return istat_time.size() == 19 ? istat_time.substr(0, 10) + "T" + istat_time.substr(11) + "Z"
                                   : "";
}

const char* const kSI = "$STANDARD_INFORMATION Attribute Values:";
const char* const kFN = "$FILE_NAME Attribute Values:";

}  // namespace

TEST(PackTimeline, TwoBuildsGiveIdenticalBundles) {
    EXPECT_EQ(rebuild_differences(kPack, built()), "");
}

TEST(PackTimeline, TheParticipantBundleHoldsNoAnswer) {
    // Every text file handed out (the images hold the evidence, of course).
    const std::string handed_out = participant_texts(built());
    ASSERT_FALSE(handed_out.empty());
    for (const auto& q : key()["questions"]) {
        const std::string type = q["type"].get<std::string>();
        for (const auto& [variant, a] : q["answers"].items()) {
            std::vector<std::string> values;
            if (type == "text" || type == "path" || type == "timestamp" || type == "regex")
                values.push_back(a.get<std::string>());
            if (type == "hash") values.push_back(a["sha256"].get<std::string>());
            if (type == "set")
                for (const auto& item : a) values.push_back(item.get<std::string>());
            for (const auto& v : values)
                EXPECT_EQ(handed_out.find(v), std::string::npos)
                    << q["id"] << " variant " << variant << ": " << v;
        }
    }
    // The buyer's account, without the key's "@?".
    for (int v : {0, 1}) {
        const std::string account = answer("buyer", v).get<std::string>().substr(2);
        ASSERT_GT(account.size(), 5u);
        EXPECT_EQ(handed_out.find(account), std::string::npos) << account;
    }
}

TEST(PackTimeline, AnswersAgreeWithTheSleuthKit) {
    for (int v : {0, 1}) {
        SCOPED_TRACE("variant " + std::to_string(v));
        const Medium pc = medium(v, "office-pc.raw", "UTC");
        const Medium stick = medium(v, "usb-stick.raw", "Asia/Almaty");
        ASSERT_FALSE(pc.entries.empty());
        ASSERT_FALSE(stick.entries.empty());

        // The stick is FAT32: local times without a zone (choice b).
        const std::string fsstat_out = stick.tsk("fsstat");
        EXPECT_EQ(first_match(fsstat_out, R"((?:^|\n)File System Type: (\S+))"), "FAT32");
        EXPECT_EQ(answer("fat-times", v), std::string("b"));
        EXPECT_NE(pc.tsk("fsstat").find("File System Type: NTFS"), std::string::npos);

        // The tool on the stick: the one allocated file in /tools, its modified time read in
        // Almaty time; read as UTC, the same clock time stands for an instant five hours later.
        std::vector<FlsEntry> tools;
        for (const auto& e : stick.entries)
            if (e.allocated && e.type == "r/r" && e.path.rfind("/tools/", 0) == 0)
                tools.push_back(e);
        ASSERT_EQ(tools.size(), 1u);
        const FlsEntry tool = tools[0];
        ASSERT_TRUE(ends_with(tool.path, ".exe")) << tool.path;
        const int64_t prepared = body_mtime(stick.body, tool.path);
        EXPECT_EQ(answer("stick-prepared", v), iso_utc(prepared));
        EXPECT_EQ(body_mtime(stick.read_body("UTC"), tool.path) - prepared, 5 * 3600);

        // The same content on the PC: the one file under /Users whose icat has the stick's
        // tool's SHA-256.
        const std::string tool_sha = stick.icat_sha256(tool.inode);
        std::vector<FlsEntry> copies;
        for (const auto& e : pc.entries)
            if (e.allocated && e.type == "r/r" && e.path.rfind("/Users/", 0) == 0 &&
                e.path.find(':') == std::string::npos && pc.icat_sha256(e.inode) == tool_sha)
                copies.push_back(e);
        ASSERT_EQ(copies.size(), 1u);
        EXPECT_EQ(answer("tool-on-pc", v), copies[0].path);

        // Back-dated files: $STANDARD_INFORMATION Created before $FILE_NAME Created (istat); the
        // tool's $FILE_NAME Created is when it really arrived.
        nlohmann::json forged = nlohmann::json::array();
        std::string tool_fn_created;
        for (const auto& e : pc.entries) {
            if (!e.allocated || e.type != "r/r" || e.path.rfind("/Users/", 0) != 0 ||
                e.path.find(':') != std::string::npos)
                continue;
            const std::string out = pc.tsk("istat -z UTC", entry_of(e.inode));
            const std::string si = istat_created(out, kSI), fn = istat_created(out, kFN);
            ASSERT_FALSE(si.empty() || fn.empty()) << out;
            if (si < fn) forged.push_back(e.path);
            if (e.path == copies[0].path) tool_fn_created = fn;
            if (ends_with(e.path, "/grafik_dezhurstv.txt")) {
                EXPECT_EQ(si, fn);  // the trap
            }
        }
        std::sort(forged.begin(), forged.end());
        nlohmann::json forged_key = answer("forged", v);
        std::sort(forged_key.begin(), forged_key.end());
        EXPECT_EQ(forged_key, forged);
        EXPECT_EQ(forged.size(), 2u);
        EXPECT_EQ(answer("tool-arrived", v), as_iso(tool_fn_created));
        EXPECT_EQ(answer("stick-prepared", v).get<std::string>().substr(0, 10), "2025-10-22");

        // The evening on both media, one timeline (the stick read in Almaty time): the longest
        // step between two consecutive time stamps, the time after it, and the last one, which
        // is the stick's (after every time stamp of the PC).
        const std::set<int64_t> pc_evening = evening(pc.body), stick_evening = evening(stick.body);
        ASSERT_FALSE(pc_evening.empty());
        ASSERT_FALSE(stick_evening.empty());
        std::set<int64_t> all = pc_evening;
        all.insert(stick_evening.begin(), stick_evening.end());
        int64_t longest = 0, resumed = 0;
        for (auto it = std::next(all.begin()); it != all.end(); ++it)
            if (*it - *std::prev(it) > longest) {
                longest = *it - *std::prev(it);
                resumed = *it;
            }
        EXPECT_EQ(longest % 60, 0);
        EXPECT_GT(longest, 45 * 60);
        EXPECT_EQ(answer("longest-gap", v), longest / 60);
        EXPECT_EQ(answer("resumed", v), iso_utc(resumed));
        EXPECT_EQ(pc_evening.count(resumed), 1u);
        EXPECT_GT(*stick_evening.rbegin(), *pc_evening.rbegin());
        EXPECT_EQ(answer("incident-end", v), iso_utc(*all.rbegin()));
        EXPECT_EQ(body_mtime(stick.body, "/gotovo.txt"), *all.rbegin());

        // The payments' export that ends the pause is deleted on the PC (fls -d, which types a
        // deleted NTFS file "-/r"), born then.
        std::vector<FlsEntry> deleted;
        for (const auto& e : pc.entries)
            if (!e.allocated && (e.type == "r/r" || e.type == "-/r") &&
                e.path.rfind("/Users/", 0) == 0 && e.path.find(':') == std::string::npos)
                deleted.push_back(e);
        ASSERT_EQ(deleted.size(), 2u);
        std::string borrowers_pc;
        for (const auto& e : deleted) {
            if (ends_with(e.path, "/platezhi_2025-10-23.csv")) {
                EXPECT_EQ(as_iso(istat_created(pc.tsk("istat -z UTC", entry_of(e.inode)), kSI)),
                          iso_utc(resumed));
            }
            if (ends_with(e.path, "/zaemshiki_2025-10-23.csv")) borrowers_pc = e.inode;
        }
        ASSERT_FALSE(borrowers_pc.empty());

        // The borrowers' export: the stick's SHA-256 is the key's and that of the PC's
        // recovered copy.
        const std::string export_sha =
            stick.icat_sha256(stick.entry("/zaemshiki_2025-10-23.csv").inode);
        EXPECT_EQ(answer("export-hash", v).at("sha256"), export_sha);
        EXPECT_EQ(pc.icat_sha256(borrowers_pc), export_sha);

        // The shell link in Recent, read with lnkinfo: the drive serial it records is the
        // stick's Volume ID (fsstat), which the key gives as vol prints it, and the target's
        // modification time it records is the stick's copy's, read in Almaty time.
        std::vector<FlsEntry> links;
        for (const auto& e : pc.entries)
            if (e.allocated && e.path.find("/Recent/") != std::string::npos &&
                ends_with(e.path, ".lnk"))
                links.push_back(e);
        ASSERT_EQ(links.size(), 1u);
        const std::string link = temp_dir() + "/link.lnk";
        auto lnk = run("icat -o 2048 " + shell_quote(pc.raw) + " " + links[0].inode + " > " +
                       shell_quote(link) + " && lnkinfo " + shell_quote(link));
        ASSERT_EQ(lnk.exit_code, 0) << lnk.err;
        EXPECT_NE(lnk.out.find("Removable"), std::string::npos) << lnk.out;
        std::string serial = first_match(lnk.out, R"(Drive serial number\s*:\s*0x([0-9a-f]+))");
        std::string volume_id = first_match(fsstat_out, R"(Volume ID: 0x([0-9a-f]+))");
        ASSERT_FALSE(serial.empty()) << lnk.out;
        serial = std::string(8 - std::min<size_t>(serial.size(), 8), '0') + serial;
        volume_id = std::string(8 - std::min<size_t>(volume_id.size(), 8), '0') + volume_id;
        EXPECT_EQ(serial, volume_id);
        std::string vol = serial.substr(0, 4) + "-" + serial.substr(4);
        for (auto& ch : vol) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
        EXPECT_EQ(answer("link-volume", v), vol);
        const std::time_t copied =
            static_cast<std::time_t>(body_mtime(stick.body, "/zaemshiki_2025-10-23.csv"));
        std::tm copied_tm{};
        gmtime_r(&copied, &copied_tm);
        char lnk_time[32];
        std::strftime(lnk_time, sizeof lnk_time, "%b %d, %Y %H:%M:%S", &copied_tm);
        EXPECT_EQ(first_match(lnk.out, R"(Modification time\s*:\s*([^.]+)\.)"), lnk_time)
            << lnk.out;

        // The deleted task on the stick (fls -d, its first letter lost): icat recovers the
        // buyer's account, which the key's pattern accepts with and without the @.
        std::vector<FlsEntry> tasks;
        for (const auto& e : stick.entries)
            if (!e.allocated && e.type == "r/r" && e.path.rfind("/tools/", 0) == 0)
                tasks.push_back(e);
        ASSERT_EQ(tasks.size(), 1u);
        EXPECT_EQ(tasks[0].path, "/tools/_adanie.txt");
        const std::string account =
            first_match(stick.tsk("icat", tasks[0].inode), "Заказчик: @([a-z0-9_]+)");
        ASSERT_FALSE(account.empty());
        EXPECT_TRUE(key_matches(built(), "buyer", v, account)) << account;
        EXPECT_TRUE(key_matches(built(), "buyer", v, "@" + account)) << account;
        EXPECT_FALSE(key_matches(built(), "buyer", v, account + "x")) << account;
    }
}

TEST(PackTimeline, VariantsDifferInTheirOwnValuesOnly) {
    for (const char* id : {"stick-prepared", "tool-on-pc", "forged", "tool-arrived", "longest-gap",
                           "resumed", "export-hash", "incident-end", "buyer", "link-volume"})
        EXPECT_NE(answer(id, 0), answer(id, 1)) << id;
    EXPECT_EQ(answer("fat-times", 0), answer("fat-times", 1));
}
