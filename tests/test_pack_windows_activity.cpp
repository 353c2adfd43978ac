// `dflab pack build` on the shipped windows-activity pack: identical bundles on every build, the
// recipe the same as the example's, and key answers that independent tools read from the built
// image of each variant: RegRipper's usbstor plugin (the stick's serial and first connection),
// lnkinfo (the document opened from the stick), evtxexport (when the Security log was cleared,
// where the remote logon came from), rifiuti-vista (what went into the Recycle Bin) and istat
// (which files have $STANDARD_INFORMATION created before $FILE_NAME created), hivexregedit and
// hivexml (the SAM account: its RID and when it was made), RegRipper's winver (when Windows was
// installed).
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>
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

const fs::path kPack = fs::path(DFLAB_SOURCE_DIR) / "exercises/packs/windows-activity";

const fs::path& built() {
    static const fs::path out = built_shipped_pack("windows-activity");
    return out;
}

const nlohmann::json& answer(const std::string& id, int variant) {
    return key_answer(built(), id, variant);
}

// A variant's laptop image as raw (exported from the participants' E01 with ewfexport), the
// start sector of its NTFS partition (mmls) and its files (fls).
struct Laptop {
    std::string raw;
    uint64_t ntfs_start = 0;
    std::vector<FlsEntry> files;
    std::string dir;

    // The file at `path`, extracted with icat into the test's folder.
    std::string extract(const std::string& path, const std::string& name) const {
        for (const auto& f : files)
            if (f.path == path && f.allocated) {
                const std::string out = dir + "/" + name;
                auto r = run("icat -o " + std::to_string(ntfs_start) + " " + shell_quote(raw) +
                             " " + f.inode + " > " + shell_quote(out));
                EXPECT_EQ(r.exit_code, 0) << r.err;
                return out;
            }
        ADD_FAILURE() << "fls lists no " << path;
        return "";
    }
};

Laptop laptop(int variant) {
    Laptop l;
    l.dir = temp_dir();
    const fs::path e01 = built() / "participant/images" / ("variant-" + std::to_string(variant)) /
                         "windows10-laptop.E01";
    const std::string target = l.dir + "/laptop";
    auto r =
        run("ewfexport -q -u -t " + shell_quote(target) + " -f raw " + shell_quote(e01.string()));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    l.raw = target + ".raw";
    for (auto& s : mmls(l.raw))
        if (s.description == "Windows") l.ntfs_start = s.start;  // the GPT name is the label
    EXPECT_NE(l.ntfs_start, 0u);
    l.files = fls(l.raw, l.ntfs_start);
    return l;
}

// "Mar 12, 2025 03:58:41.000000000 UTC" (libyal) or "2025-03-11 13:41:07Z" (RegRipper) as
// ISO 8601 UTC, computed here.
std::string iso_from_regripper(const std::string& text) {
    std::smatch m;
    static const std::regex re(R"((\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)Z?)");
    if (!std::regex_search(text, m, re)) return "unparsed: " + text;
    return m[1].str() + "T" + m[2].str() + "Z";
}

// The blocks of RegRipper's usbstor output, one per device key: its lines up to the next
// "Disk&Ven_" line.
std::string usbstor_block(const std::string& out, const std::string& vendor) {
    const size_t at = out.find("Disk&Ven_" + vendor);
    if (at == std::string::npos) return "";
    const size_t next = out.find("Disk&Ven_", at + 1);
    return out.substr(at, next == std::string::npos ? std::string::npos : next - at);
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

}  // namespace

TEST(PackWindowsActivity, ThePackBuildsTheExampleRecipe) {
    EXPECT_EQ(
        read_file((kPack / "images/laptop.yaml").string()),
        read_file((fs::path(DFLAB_SOURCE_DIR) / "images/examples/windows10-laptop.yaml").string()))
        << "images/laptop.yaml is a copy of images/examples/windows10-laptop.yaml";
}

TEST(PackWindowsActivity, TwoBuildsGiveIdenticalBundles) {
    EXPECT_EQ(rebuild_differences(kPack, built()), "");
}

TEST(PackWindowsActivity, AnswersAgreeWithRegRipperLnkinfoEvtxexportAndRifiuti) {
    for (int v : {0, 1}) {
        SCOPED_TRACE("variant " + std::to_string(v));
        const Laptop l = laptop(v);

        // The stick: RegRipper's usbstor on the SYSTEM hive.
        const std::string system = l.extract("/Windows/System32/config/SYSTEM", "SYSTEM");
        auto rip = run("regripper -r " + shell_quote(system) + " -p usbstor 2>/dev/null");
        ASSERT_EQ(rip.exit_code, 0);
        const std::string kingston = usbstor_block(rip.out, "Kingston");
        std::smatch m;
        ASSERT_TRUE(std::regex_search(kingston, m, std::regex(R"(S/N: (\S+)&0 )"))) << rip.out;
        EXPECT_EQ(answer("usb-serial", v), m[1].str() + "(&0)?");
        ASSERT_TRUE(std::regex_search(kingston, m, std::regex(R"(First InstallDate\s*: (.*))")));
        EXPECT_EQ(answer("usb-first-connected", v), iso_from_regripper(m[1].str()));

        // The installation: RegRipper's winver on the SOFTWARE hive.
        const std::string software = l.extract("/Windows/System32/config/SOFTWARE", "SOFTWARE");
        auto winver = run("regripper -r " + shell_quote(software) + " -p winver 2>/dev/null");
        ASSERT_EQ(winver.exit_code, 0);
        ASSERT_TRUE(std::regex_search(winver.out, m, std::regex(R"(\nInstallDate\s+(.*))")))
            << winver.out;
        EXPECT_EQ(answer("windows-installed", v), iso_from_regripper(m[1].str()));

        // The account: hivexregedit gives the RID as the type of Names\anna's default value,
        // hivexml the key's last-write time, which is when the account was made.
        const std::string sam = l.extract("/Windows/System32/config/SAM", "SAM");
        auto names = run("hivexregedit --export " + shell_quote(sam) +
                         " '\\SAM\\Domains\\Account\\Users\\Names'");
        ASSERT_EQ(names.exit_code, 0) << names.err;
        EXPECT_NE(names.out.find("[\\SAM\\Domains\\Account\\Users\\Names\\anna]\n@=hex(3e9):"),
                  std::string::npos)
            << names.out;
        auto xml = run("hivexml " + shell_quote(sam));
        ASSERT_EQ(xml.exit_code, 0) << xml.err;
        EXPECT_EQ(answer("account-created", v),
                  first_match(xml.out, R"(<node name="anna"><mtime>([^<]+)</mtime>)"));

        // The document opened from the stick: the Recent link whose drive lnkinfo calls removable.
        const std::string recent = "/Users/anna/AppData/Roaming/Microsoft/Windows/Recent/";
        std::string removable_target;
        for (const auto& f : l.files) {
            if (f.path.rfind(recent, 0) != 0 || !f.allocated) continue;
            auto info = libyal_info("lnkinfo", l.extract(f.path, "link.lnk"));
            if (info["Drive type"].rfind("Removable", 0) == 0)
                removable_target = info["Local path"];
        }
        ASSERT_EQ(removable_target.substr(0, 3), "E:\\");
        std::string as_path = "/" + removable_target.substr(3);
        std::replace(as_path.begin(), as_path.end(), '\\', '/');
        EXPECT_EQ(answer("file-from-stick", v), as_path);

        // The Security log: evtxexport's 1102 and the logon from the address that failed.
        const auto events =
            evtx_events(l.extract("/Windows/System32/winevt/Logs/Security.evtx", "Security.evtx"));
        std::string cleared, failed_from, logon_from, logon_type;
        for (const auto& e : events) {
            const std::string id = first_match(e, R"(<EventID>(\d+)</EventID>)");
            const std::string address = first_match(e, R"(<Data Name="IpAddress">([^<]*)</Data>)");
            if (id == "1102")
                cleared = first_match(e, R"re(SystemTime="([0-9T:-]+)\.\d+Z")re") + "Z";
            if (id == "4625") failed_from = address;
            if (id == "4624" && !failed_from.empty() && address == failed_from) {
                logon_from = address;
                logon_type = first_match(e, R"(<Data Name="LogonType">([^<]*)</Data>)");
            }
        }
        EXPECT_EQ(answer("log-cleared", v), cleared);
        EXPECT_EQ(answer("remote-logon-source", v), logon_from);
        EXPECT_EQ(answer("remote-logon-type", v).dump(), logon_type);

        // The Recycle Bin: rifiuti-vista on the $I record.
        std::string info_file;
        for (const auto& f : l.files)
            if (f.path.rfind("/$Recycle.Bin/", 0) == 0 && f.path.find("/$I") != std::string::npos)
                info_file = l.extract(f.path, "recycle-info");
        ASSERT_FALSE(info_file.empty());
        auto rifiuti = run("rifiuti-vista " + shell_quote(info_file));
        ASSERT_EQ(rifiuti.exit_code, 0) << rifiuti.err;
        ASSERT_TRUE(std::regex_search(rifiuti.out, m, std::regex(R"(\t[CD]:\\(.*\S))")))
            << rifiuti.out;
        std::string original = "/" + m[1].str();
        std::replace(original.begin(), original.end(), '\\', '/');
        EXPECT_EQ(answer("recycle-bin", v), original);

        // Timestomping: istat's two Created times of every file Anna has.
        nlohmann::json stomped = nlohmann::json::array();
        for (const auto& f : l.files) {
            if (f.type != "r/r" || !f.allocated || f.path.rfind("/Users/", 0) != 0 ||
                f.path.find(':') != std::string::npos)
                continue;
            auto istat = run("istat -z UTC -o " + std::to_string(l.ntfs_start) + " " +
                             shell_quote(l.raw) + " " + f.inode);
            const std::string out = istat.out;
            const size_t si = out.find("$STANDARD_INFORMATION Attribute Values:");
            const size_t fn = out.find("$FILE_NAME Attribute Values:");
            ASSERT_TRUE(si != std::string::npos && fn != std::string::npos) << out;
            const std::string si_created = first_match(out.substr(si), R"(Created:\s*(\S+ \S+))");
            const std::string fn_created = first_match(out.substr(fn), R"(Created:\s*(\S+ \S+))");
            if (si_created < fn_created) stomped.push_back(f.path);
        }
        std::sort(stomped.begin(), stomped.end());
        EXPECT_EQ(answer("timestomped", v), stomped);
        EXPECT_EQ(stomped.size(), 2u);
    }
}

TEST(PackWindowsActivity, VariantsDifferInTheirOwnValuesOnly) {
    for (const char* id : {"usb-serial", "computer-name", "download-origin", "remote-logon-source"})
        EXPECT_NE(answer(id, 0), answer(id, 1)) << id;
    for (const char* id :
         {"usb-first-connected", "file-from-stick", "log-cleared", "timestomped", "recycle-bin",
          "most-run-program", "account-created", "windows-installed"})
        EXPECT_EQ(answer(id, 0), answer(id, 1)) << id;
}
