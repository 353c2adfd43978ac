// `dflab pack build` on the shipped capstone pack (a laptop as E01 and a USB stick as raw, one
// case): identical bundles on every build, no answer in the texts handed out, and key answers
// that independent tools read from both built images of each variant: RegRipper (compname,
// usbstor), hivexml (the account), fsstat, fls, icat and sha256sum (the stick: its volume, the
// files that are on both media, the deleted note), lnkinfo (the file opened from the stick),
// sccainfo (the wallet's runs), evtxexport (the evening logon) and rifiuti-vista (the Recycle
// Bin).
#include <gtest/gtest.h>

#include <algorithm>
#include <ctime>
#include <filesystem>
#include <iomanip>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "tests/oracle.hpp"
#include "tests/support/built_intro.hpp"
#include "tests/support/fixtures.hpp"
#include "tests/support/libyal_info.hpp"
#include "tests/support/shipped_pack.hpp"

namespace fs = std::filesystem;
using namespace dflab::test;

namespace {

const fs::path kPack = fs::path(DFLAB_SOURCE_DIR) / "exercises/packs/capstone";

const fs::path& built() {
    static const fs::path out = built_shipped_pack("capstone");
    return out;
}

const nlohmann::json& answer(const std::string& id, int variant) {
    return key_answer(built(), id, variant);
}

// One image of a variant: the raw file, the start sector of its file system (mmls) and its
// files (fls).
struct Media {
    std::string raw;
    uint64_t start = 0;
    std::vector<FlsEntry> files;
    std::string dir;

    // The file at `path` extracted with icat into the test's folder (deleted ones too).
    std::string extract(const std::string& path, const std::string& name) const {
        for (const auto& f : files)
            if (f.path == path) {
                const std::string out = dir + "/" + name;
                auto r = run("icat -o " + std::to_string(start) + " " + shell_quote(raw) + " " +
                             f.inode + " > " + shell_quote(out));
                EXPECT_EQ(r.exit_code, 0) << r.err;
                return out;
            }
        ADD_FAILURE() << "fls lists no " << path;
        return "";
    }
    std::string sha256(const std::string& path) const {
        return sha256_of_file(extract(path, "hashed"));
    }
};

fs::path variant_dir(int variant) {
    return built() / "participant/images" / ("variant-" + std::to_string(variant));
}

// The laptop as raw, exported from the participants' E01 with ewfexport.
Media laptop(int variant) {
    Media l;
    l.dir = temp_dir();
    const std::string target = l.dir + "/laptop";
    auto r = run("ewfexport -q -u -t " + shell_quote(target) + " -f raw " +
                 shell_quote((variant_dir(variant) / "qeg-laptop.E01").string()));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    l.raw = target + ".raw";
    for (auto& s : mmls(l.raw))
        if (s.description == "Windows") l.start = s.start;  // the GPT name is the label
    EXPECT_NE(l.start, 0u);
    l.files = fls(l.raw, l.start);
    return l;
}

// The stick, handed out as raw: its one FAT32 partition.
Media stick(int variant) {
    Media s;
    s.dir = temp_dir();
    s.raw = (variant_dir(variant) / "transcend-stick.raw").string();
    for (auto& slot : mmls(s.raw))
        if (slot.description.find("FAT32") != std::string::npos) s.start = slot.start;
    EXPECT_EQ(s.start, 2048u);
    s.files = fls(s.raw, s.start);
    return s;
}

// The events of `evtxexport -f xml`, each as its XML text.
std::vector<std::string> evtx_events(const std::string& log) {
    auto r = run("evtxexport -f xml " + shell_quote(log) + " 2>/dev/null");
    EXPECT_EQ(r.exit_code, 0);
    std::vector<std::string> events;
    size_t at = 0;
    while ((at = r.out.find("<Event ", at)) != std::string::npos) {
        size_t end = r.out.find("</Event>", at);
        if (end == std::string::npos) break;
        events.push_back(r.out.substr(at, end - at));
        at = end;
    }
    return events;
}

// "2025-10-15 14:38:52" (UTC, as RegRipper prints it) as seconds since 1970.
int64_t epoch_of(const std::string& text) {
    std::tm tm{};
    std::istringstream in(text);
    in >> std::get_time(&tm, "%Y-%m-%d %H:%M:%S");
    EXPECT_FALSE(in.fail()) << text;
    return timegm(&tm);
}

// "E:\a\b" or "C:\a\b" as "/a/b".
std::string without_drive(const std::string& windows_path) {
    std::string p = "/" + windows_path.substr(3);
    std::replace(p.begin(), p.end(), '\\', '/');
    return p;
}

}  // namespace

TEST(PackCapstone, TwoBuildsGiveIdenticalBundles) {
    EXPECT_EQ(rebuild_differences(kPack, built()), "");
}

TEST(PackCapstone, TheParticipantBundleHoldsNoAnswer) {
    // Every text file handed out (the images hold the evidence, of course).
    const std::string handed_out = participant_texts(built());
    ASSERT_FALSE(handed_out.empty());
    for (int v : {0, 1}) {
        std::vector<std::string> values;
        for (const char* id :
             {"computer-name", "opened-from-stick", "deleted-note", "wallet", "download-origin",
              "recycled-note", "usb-first-connected", "evening-logon", "copied-when"})
            values.push_back(answer(id, v).get<std::string>());
        values.push_back(answer("price-file-hash", v).at("sha256").get<std::string>());
        values.push_back(std::to_string(answer("price", v).get<long long>()));
        for (const auto& path : answer("copied-files", v))
            values.push_back(path.get<std::string>());
        for (const auto& value : values)
            EXPECT_EQ(handed_out.find(value), std::string::npos)
                << "variant " << v << ": " << value;
    }
    // The instructor's texts do hold them: the walkthrough lists every variant's answer.
    EXPECT_NE(read_file((built() / "instructor/walkthrough.en.md").string())
                  .find(answer("wallet", 0).get<std::string>()),
              std::string::npos);
}

TEST(PackCapstone, LaptopAnswersAgreeWithRegRipperLnkinfoSccainfoEvtxexportAndRifiuti) {
    for (int v : {0, 1}) {
        SCOPED_TRACE("variant " + std::to_string(v));
        const Media l = laptop(v);
        const Media s = stick(v);

        // The computer and the stick: RegRipper on SYSTEM.
        const std::string system = l.extract("/Windows/System32/config/SYSTEM", "SYSTEM");
        auto comp = run("regripper -r " + shell_quote(system) + " -p compname 2>/dev/null");
        ASSERT_EQ(comp.exit_code, 0);
        EXPECT_EQ(answer("computer-name", v), first_match(comp.out, R"(ComputerName\s+= (\S+))"));
        auto usb = run("regripper -r " + shell_quote(system) + " -p usbstor 2>/dev/null");
        ASSERT_EQ(usb.exit_code, 0);
        ASSERT_NE(usb.out.find("Disk&Ven_JetFlash"), std::string::npos) << usb.out;
        const std::string jetflash = usb.out.substr(usb.out.find("Disk&Ven_JetFlash"));
        const std::string serial = first_match(jetflash, R"(S/N: (\S+)&0 )");
        ASSERT_FALSE(serial.empty()) << usb.out;
        EXPECT_EQ(answer("usb-serial", v), serial + "(&0)?");
        const std::string installed =
            first_match(jetflash, R"(First InstallDate\s*: (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d))");
        ASSERT_FALSE(installed.empty()) << jetflash;
        EXPECT_EQ(answer("usb-first-connected", v),
                  installed.substr(0, 10) + "T" + installed.substr(11) + "Z");

        // The account: hivexml's last-write time of Names\timur.
        auto xml = run("hivexml " + shell_quote(l.extract("/Windows/System32/config/SAM", "SAM")));
        ASSERT_EQ(xml.exit_code, 0) << xml.err;
        EXPECT_EQ(answer("account-created", v),
                  first_match(xml.out, R"(<node name="timur"><mtime>([^<]+)</mtime>)"));

        // The stick's volume (fsstat) is the drive of the removable link in Recent (lnkinfo).
        auto fsstat = run("fsstat -o 2048 " + shell_quote(s.raw));
        ASSERT_EQ(fsstat.exit_code, 0) << fsstat.err;
        const std::string volume_id = first_match(fsstat.out, R"(Volume ID: 0x([0-9a-f]+))");
        ASSERT_EQ(volume_id.size(), 8u) << fsstat.out;
        const std::string pattern = answer("stick-volume-serial", v).get<std::string>();
        EXPECT_TRUE(std::regex_match(volume_id, std::regex(pattern))) << pattern;
        EXPECT_TRUE(std::regex_match(volume_id.substr(0, 4) + "-" + volume_id.substr(4),
                                     std::regex(pattern)));
        const std::string recent = "/Users/timur/AppData/Roaming/Microsoft/Windows/Recent/";
        std::string removable_target, removable_serial;
        for (const auto& f : l.files) {
            if (f.path.rfind(recent, 0) != 0 || !f.allocated) continue;
            auto info = libyal_info("lnkinfo", l.extract(f.path, "link.lnk"));
            if (info["Drive type"].rfind("Removable", 0) != 0) continue;
            removable_target = info["Local path"];
            removable_serial = info["Drive serial number"];
        }
        ASSERT_EQ(removable_target.substr(0, 3), "E:\\");
        EXPECT_EQ(removable_serial, "0x" + volume_id);
        EXPECT_EQ(answer("opened-from-stick", v), without_drive(removable_target));

        // The download: the Zone.Identifier stream's HostUrl (icat).
        const std::string zone = read_file(l.extract(
            "/Users/timur/Downloads/exodus-windows-x64-25.41.3.exe:Zone.Identifier", "zone"));
        EXPECT_EQ(answer("download-origin", v), first_match(zone, R"(HostUrl=(\S+))")) << zone;

        // The wallet's runs: sccainfo on its prefetch file.
        std::string runs;
        for (const auto& f : l.files)
            if (f.path.rfind("/Windows/Prefetch/EXODUS.EXE-", 0) == 0)
                runs = libyal_info("sccainfo", l.extract(f.path, "exodus.pf"))["Run count"];
        EXPECT_EQ(answer("wallet-runs", v).dump(), runs);

        // The evening logon: the 4624 after the 4634 that ended the working day (evtxexport).
        const auto events =
            evtx_events(l.extract("/Windows/System32/winevt/Logs/Security.evtx", "Security.evtx"));
        std::string logoff, evening, logon_type;
        for (const auto& e : events) {
            const std::string id = first_match(e, R"(<EventID>(\d+)</EventID>)");
            const std::string when = first_match(e, R"re(SystemTime="([0-9T:-]+)\.\d+Z")re") + "Z";
            if (id == "4634" && logoff.empty()) logoff = when;
            if (id == "4624" && !logoff.empty() && evening.empty()) {
                evening = when;
                logon_type = first_match(e, R"(<Data Name="LogonType">([^<]*)</Data>)");
            }
        }
        EXPECT_EQ(answer("evening-logon", v), evening);
        EXPECT_EQ(logon_type, "2");
        EXPECT_EQ(answer("logon-kind", v), "a");  // 2: interactive, at the laptop

        // The Recycle Bin: rifiuti-vista on the $I record.
        std::string info_file;
        for (const auto& f : l.files)
            if (f.path.rfind("/$Recycle.Bin/", 0) == 0 && f.path.find("/$I") != std::string::npos)
                info_file = l.extract(f.path, "recycle-info");
        ASSERT_FALSE(info_file.empty());
        auto rifiuti = run("rifiuti-vista " + shell_quote(info_file));
        ASSERT_EQ(rifiuti.exit_code, 0) << rifiuti.err;
        const std::string original = first_match(rifiuti.out, R"(\t(C:\\.*\S))");
        ASSERT_FALSE(original.empty()) << rifiuti.out;
        EXPECT_EQ(answer("recycled-note", v), without_drive(original));
    }
}

TEST(PackCapstone, StickAnswersAgreeWithFlsIcatAndSha256sumOnBothMedia) {
    for (int v : {0, 1}) {
        SCOPED_TRACE("variant " + std::to_string(v));
        const Media l = laptop(v);
        const Media s = stick(v);

        // The files on both media: every allocated stick file whose SHA-256 a laptop file has.
        std::set<std::string> laptop_hashes;
        for (const auto& f : l.files)
            if (f.type == "r/r" && f.allocated && f.path.rfind("/Users/", 0) == 0 &&
                f.path.find(':') == std::string::npos)
                laptop_hashes.insert(l.sha256(f.path));
        nlohmann::json on_both = nlohmann::json::array();
        for (const auto& f : s.files)
            if (f.type == "r/r" && f.allocated && f.path.rfind("/$", 0) != 0 &&
                f.path.find("(Volume Label Entry)") == std::string::npos &&
                laptop_hashes.count(s.sha256(f.path)))
                on_both.push_back(f.path);
        std::sort(on_both.begin(), on_both.end());
        EXPECT_EQ(on_both.size(), 3u);
        EXPECT_EQ(answer("copied-files", v), on_both);
        EXPECT_EQ(answer("price-file-hash", v).at("sha256"),
                  s.sha256("/TENDER_2025/price_offers.csv"));

        // When it reached the stick: fls's body file read in the zone the laptop wrote it in.
        auto body = run("fls -r -m / -z Asia/Almaty -o 2048 " + shell_quote(s.raw));
        ASSERT_EQ(body.exit_code, 0) << body.err;
        const std::string mtime =
            first_match(body.out, R"(\|/TENDER_2025/price_offers\.csv\|[^|]*\|[^|]*\|[^|]*\|)"
                                  R"([^|]*\|[^|]*\|[^|]*\|(\d+)\|)");
        ASSERT_FALSE(mtime.empty()) << body.out;
        EXPECT_EQ(answer("copied-when", v), iso_utc_text(std::stoll(mtime)));

        // The files made on the stick while it was in: the body file's created times (its 11th
        // field) between the First InstallDate and the Last Removal RegRipper reads on the laptop.
        auto usb = run("regripper -r " +
                       shell_quote(l.extract("/Windows/System32/config/SYSTEM", "SYSTEM")) +
                       " -p usbstor 2>/dev/null");
        const size_t device = usb.out.find("Disk&Ven_JetFlash");
        ASSERT_NE(device, std::string::npos) << usb.out;
        const std::string jetflash = usb.out.substr(device);
        const int64_t in = epoch_of(first_match(jetflash, R"(First InstallDate\s*: (\S+ \S+)Z)"));
        const int64_t out = epoch_of(first_match(jetflash, R"(Last Removal\s*: (\S+ \S+)Z)"));
        int made = 0;
        for (const auto& line : lines(body.out)) {
            std::vector<std::string> field;
            std::istringstream fields(line);
            for (std::string f; std::getline(fields, f, '|');) field.push_back(f);
            if (field.size() == 11 && field[3].rfind("r/r", 0) == 0 &&
                std::stoll(field[10]) >= in && std::stoll(field[10]) <= out)
                ++made;
        }
        EXPECT_EQ(made, 4);
        EXPECT_EQ(answer("written-while-connected", v).dump(), std::to_string(made));

        // The deleted note: the one deleted file fls lists, its content recovered with icat.
        std::vector<std::string> deleted;
        for (const auto& f : s.files)
            if (f.type.find("r") != std::string::npos && !f.allocated) deleted.push_back(f.path);
        ASSERT_EQ(deleted.size(), 1u);
        EXPECT_EQ(answer("deleted-note", v), deleted[0]);
        const std::string note = read_file(s.extract(deleted[0], "note"));
        EXPECT_EQ(answer("wallet", v), first_match(note, R"(\b(T[1-9A-HJ-NP-Za-km-z]{33})\b)"));
        EXPECT_EQ(answer("price", v).dump(), first_match(note, R"((\d+) USDT)"));
    }
}

TEST(PackCapstone, VariantsDifferInTheirOwnValuesOnly) {
    for (const char* id : {"computer-name", "usb-serial", "stick-volume-serial", "price-file-hash",
                           "wallet", "price", "download-origin"})
        EXPECT_NE(answer(id, 0), answer(id, 1)) << id;
    for (const char* id : {"account-created", "usb-first-connected", "opened-from-stick",
                           "copied-files", "copied-when", "written-while-connected", "deleted-note",
                           "wallet-runs", "evening-logon", "logon-kind", "recycled-note"})
        EXPECT_EQ(answer(id, 0), answer(id, 1)) << id;
}
