// The registry reader against independent readers of the same hive files: RegRipper
// (Parse::Win32Registry; its compname, timezone, usbstor, userassist, recentdocs, typedpaths,
// runmru, wordwheelquery, run, networklist and samparse plugins) and hivexget (libhivex), on hives
// made with images::build_hive (tests/support/registry_hives.hpp).
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <map>
#include <regex>
#include <set>

#include "engine/registry_artifacts.hpp"
#include "engine/windows_registry_file.hpp"
#include "tests/support/registry_hives.hpp"

namespace dflab {
namespace {

using namespace test;

// A hive written to a temporary folder (for RegRipper and hivexget) and read by the reader.
class HiveTest : public testing::Test {
  protected:
    void open(const std::string& name, const HiveSpec& spec) {
        path = write_hive(dir, name, spec);
        artifacts = engine::read_registry_artifacts(read_file(path), name);
    }
    void TearDown() override { std::filesystem::remove_all(dir); }

    std::string dir = test::temp_dir();
    std::string path;
    std::vector<engine::Artifact> artifacts;
};

struct SystemHive : HiveTest {
    void SetUp() override { open("SYSTEM", system_hive()); }
};
struct NtuserHive : HiveTest {
    void SetUp() override { open("NTUSER.DAT", ntuser_hive()); }
};
struct SamHive : HiveTest {
    void SetUp() override { open("SAM", sam_hive()); }
};
struct SoftwareHive : HiveTest {
    void SetUp() override { open("SOFTWARE", software_hive()); }
};

TEST_F(SystemHive, NothingIsUnreadable) {
    for (const auto& a : of_kind(artifacts, "unreadable")) ADD_FAILURE() << a.fields.dump();
}

// The reader itself: every value of a few keys as hivexget lists them ("Name"="text" or
// "Name"=dword:0000012c), found by a path in any case as Windows (and hivexsh) find keys.
TEST_F(SystemHive, ReaderValuesAgreeWithHivexget) {
    engine::RegistryFile hive(read_file(path), "SYSTEM");
    const std::string device =
        "ControlSet002\\Enum\\USBSTOR\\Disk&Ven_SanDisk&Prod_Cruzer_Blade&Rev_1.00\\"
        "4C530001231120115142&0";
    static const std::regex line_re(R"re(^"(.*)"=(?:"(.*)"|dword:([0-9a-f]{8}))$)re");
    for (const std::string& key_path :
         {std::string("Select"), std::string("ControlSet002\\Control\\TimeZoneInformation"),
          device}) {
        SCOPED_TRACE(key_path);
        auto listing = run("hivexget " + shell_quote(path) + " " + shell_quote("\\" + key_path));
        ASSERT_EQ(listing.exit_code, 0) << listing.err;
        std::map<std::string, std::string> expected;
        for (const auto& line : test::lines(listing.out)) {
            std::smatch m;
            if (!std::regex_match(line, m, line_re)) continue;
            expected[m[1]] = m[2].matched ? m[2].str() : "dword:" + m[3].str();
        }
        std::string lower = key_path;
        std::transform(lower.begin(), lower.end(), lower.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        auto key = hive.key(lower);
        ASSERT_TRUE(key.has_value());
        std::map<std::string, std::string> ours;
        for (const auto& v : key->values()) {
            if (auto text = v.as_string()) {
                ours[v.name] = *text;
            } else if (v.type == 4) {
                char hex[16];
                std::snprintf(hex, sizeof hex, "%08x", v.as_dword().value_or(0));
                ours[v.name] = std::string("dword:") + hex;
            }
        }
        EXPECT_EQ(ours, expected) << listing.out;
        EXPECT_FALSE(expected.empty());
    }
    // The key's last write is the FILETIME the hive was written with.
    EXPECT_EQ(hive.key("ControlSet002\\Control\\TimeZoneInformation")->last_written(),
              common::unix_to_filetime(kZoneWritten));
    EXPECT_FALSE(hive.key("ControlSet002\\NoSuchKey").has_value());
    EXPECT_FALSE(hive.key("Select")->value("NoSuchValue").has_value());
}

TEST_F(SystemHive, ComputerNameAgreesWithCompnameAndHivexget) {
    const std::string rr = regripper(path, "compname");
    auto names = of_kind(artifacts, "computer_name");
    ASSERT_EQ(names.size(), 1u);
    const auto& a = names.front();
    EXPECT_EQ(a.fields.value("name", ""), after(rr, "ComputerName    = "));
    EXPECT_EQ(a.fields.value("hostname", ""), after(rr, "TCP/IP Hostname = "));
    EXPECT_EQ(
        a.fields.value("name", ""),
        hivexget(path, "\\ControlSet002\\Control\\ComputerName\\ComputerName", "ComputerName"));
    EXPECT_EQ(a.source, "ControlSet002\\Control\\ComputerName\\ComputerName");
    EXPECT_EQ(time_of(a), iso(kNameWritten));
}

TEST_F(SystemHive, TimeZoneAgreesWithTimezonePlugin) {
    const std::string rr = regripper(path, "timezone");
    auto zones = of_kind(artifacts, "time_zone");
    ASSERT_EQ(zones.size(), 1u);
    const auto& a = zones.front();
    EXPECT_EQ(a.fields.value("standard_name", ""), after(rr, "  StandardName   -> "));
    EXPECT_EQ(a.fields.value("daylight_name", ""), after(rr, "  DaylightName   -> "));
    EXPECT_EQ(a.fields.value("time_zone_key_name", ""), after(rr, "  TimeZoneKeyName-> "));
    // "-360 (-6 hours)": the signed minutes before the parenthesis
    const std::string bias = after(rr, "  Bias           -> ");
    EXPECT_EQ(a.fields.value("bias", 0), std::stoi(bias.substr(0, bias.find(' '))));
    const std::string active = after(rr, "  ActiveTimeBias -> ");
    EXPECT_EQ(a.fields.value("active_time_bias", 0), std::stoi(active.substr(0, active.find(' '))));
    EXPECT_EQ(time_of(a), regripper_time(after(rr, "LastWrite Time ")));
    // hivexget prints a DWORD as a number; read as 32 bits it is the same signed value
    const long long raw =
        std::stoll(hivexget(path, "\\ControlSet002\\Control\\TimeZoneInformation", "Bias"));
    EXPECT_EQ(a.fields.value("bias", 0), static_cast<int32_t>(static_cast<uint32_t>(raw)));
}

TEST_F(SystemHive, UsbDevicesAgreeWithUsbstor) {
    const std::string rr = regripper(path, "usbstor");
    // RegRipper's devices: "  S/N: SERIAL [time Z]", each followed by its details, indented.
    struct Device {
        std::string serial, time, friendly, first_install, last_arrival, last_removal;
    };
    std::vector<Device> expected;
    static const std::regex serial_re(R"(^  S/N: (.*) \[(.*)\]$)");
    for (const auto& line : test::lines(rr)) {
        std::smatch m;
        if (std::regex_match(line, m, serial_re)) {
            expected.push_back({m[1], regripper_time(m[2]), "", "", "", ""});
            continue;
        }
        if (expected.empty()) continue;
        auto field = [&](const char* label, std::string& into) {
            if (line.rfind(label, 0) == 0) into = line.substr(std::strlen(label));
        };
        field("    FriendlyName          : ", expected.back().friendly);
        field("    First InstallDate     : ", expected.back().first_install);
        field("    Last Arrival          : ", expected.back().last_arrival);
        field("    Last Removal          : ", expected.back().last_removal);
    }
    auto devices = of_kind(artifacts, "usb_device");
    ASSERT_EQ(devices.size(), expected.size()) << rr;
    ASSERT_EQ(devices.size(), 2u);
    for (const auto& want : expected) {
        SCOPED_TRACE(want.serial);
        auto it = std::find_if(devices.begin(), devices.end(), [&](const auto& a) {
            return a.fields.value("serial", "") == want.serial;
        });
        ASSERT_NE(it, devices.end());
        EXPECT_EQ(time_of(*it), want.time);
        EXPECT_EQ(it->fields.value("friendly_name", ""), want.friendly);
        auto time_or_empty = [&](const char* f) {
            return it->fields.contains(f) ? it->fields[f].get<std::string>() : std::string();
        };
        EXPECT_EQ(time_or_empty("first_install"),
                  want.first_install.empty() ? "" : regripper_time(want.first_install));
        EXPECT_EQ(time_or_empty("last_arrival"),
                  want.last_arrival.empty() ? "" : regripper_time(want.last_arrival));
        EXPECT_EQ(time_or_empty("last_removal"),
                  want.last_removal.empty() ? "" : regripper_time(want.last_removal));
    }
    // The vendor, product and revision are the parts of the device key's name.
    auto sandisk = std::find_if(devices.begin(), devices.end(), [](const auto& a) {
        return a.fields.value("vendor", "") == "SanDisk";
    });
    ASSERT_NE(sandisk, devices.end());
    EXPECT_EQ(sandisk->fields.value("product", ""), "Cruzer_Blade");
    EXPECT_EQ(sandisk->fields.value("revision", ""), "1.00");
    EXPECT_EQ(sandisk->fields.value("device_class", ""), "Disk");
    EXPECT_NE(rr.find("Disk&Ven_SanDisk&Prod_Cruzer_Blade&Rev_1.00 ["), std::string::npos);
}

TEST_F(NtuserHive, ProgramsRunAgreeWithUserassist) {
    EXPECT_TRUE(of_kind(artifacts, "unreadable").empty());
    const std::string rr = regripper(path, "userassist");
    // RegRipper: a time line "2023-11-29 05:09:27Z", then "  NAME (COUNT)" for each run at it;
    // names without a time after "Value names with no time stamps:".
    std::map<std::string, std::pair<std::string, std::string>> expected;  // name -> time, count
    std::set<std::string> untimed;
    static const std::regex time_re(R"(^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ)$)");
    static const std::regex entry_re(R"(^  (.*) \((\d+)\)$)");
    std::string current;
    bool in_untimed = false;
    for (const auto& line : test::lines(rr)) {
        std::smatch m;
        if (line == "Value names with no time stamps:") in_untimed = true;
        if (std::regex_match(line, m, time_re))
            current = regripper_time(m[1]);
        else if (!in_untimed && std::regex_match(line, m, entry_re))
            expected[m[1]] = {current, m[2]};
        else if (in_untimed && line.rfind("  ", 0) == 0)
            untimed.insert(line.substr(2));
    }
    auto runs = of_kind(artifacts, "program_run");
    ASSERT_EQ(runs.size(), expected.size() + untimed.size()) << rr;
    for (const auto& a : runs) {
        const std::string name = a.fields.value("name", "");
        SCOPED_TRACE(name);
        if (!a.time) {
            EXPECT_TRUE(untimed.count(name));
            continue;
        }
        ASSERT_TRUE(expected.count(name));
        EXPECT_EQ(time_of(a), expected[name].first);
        EXPECT_EQ(std::to_string(a.fields.value("run_count", 0)), expected[name].second);
    }
    // Decoded independently: the ROT13 text written above, and the counts at offsets 8 and 12.
    auto mimikatz = std::find_if(runs.begin(), runs.end(), [](const auto& a) {
        return a.fields.value("name", "") == "C:\\Tools\\mimikatz.exe";
    });
    ASSERT_NE(mimikatz, runs.end());
    EXPECT_EQ(mimikatz->fields.value("focus_count", 0), 3);
    EXPECT_EQ(mimikatz->fields.value("focus_time_ms", 0), 65000);
    EXPECT_EQ(time_of(*mimikatz), iso(kMimikatzRun));
}

TEST_F(NtuserHive, RecentDocumentsAgreeWithRecentdocs) {
    const std::string rr = regripper(path, "recentdocs");
    // "  2 = notes.txt" lines in MRUListEx order, per key; the root key first.
    std::vector<std::vector<std::string>> per_key(1);
    static const std::regex entry_re(R"(^  (\d+) = (.*)$)");
    for (const auto& line : test::lines(rr)) {
        std::smatch m;
        if (line.find("RecentDocs\\.") != std::string::npos && line.rfind("Software", 0) == 0)
            per_key.emplace_back();
        if (std::regex_match(line, m, entry_re)) per_key.back().push_back(m[2]);
    }
    auto docs = of_kind(artifacts, "recent_document");
    std::vector<std::string> root, pdf;
    for (const auto& a : docs) {
        auto& into = a.fields["extension"].is_null() ? root : pdf;
        ASSERT_EQ(a.fields.value("position", 0u), into.size());  // in MRU order
        into.push_back(a.fields.value("name", ""));
    }
    ASSERT_EQ(per_key.size(), 2u) << rr;
    EXPECT_EQ(root, per_key[0]);
    EXPECT_EQ(pdf, per_key[1]);
    EXPECT_EQ(root, (std::vector<std::string>{"notes.txt", "report.docx", "secret.pdf"}));
    // Only position 0 has a time: the key's last write, as RegRipper prints it.
    ASSERT_FALSE(docs.empty());
    EXPECT_EQ(time_of(docs.front()), regripper_time(after(rr, "LastWrite Time: ")));
    EXPECT_FALSE(docs[1].time.has_value());
}

TEST_F(NtuserHive, TypedPathsRunMruSearchesAndRunKeysAgreeWithRegRipper) {
    // typedpaths: "url1     \\fileserver\share" (padded), in number order
    std::map<std::string, std::string> typed;
    static const std::regex typed_re(R"(^(url\d+) +(.*?) *$)");
    for (const auto& line : test::lines(regripper(path, "typedpaths"))) {
        std::smatch m;
        if (std::regex_match(line, m, typed_re)) typed[m[1]] = m[2];
    }
    std::map<std::string, std::string> ours;
    for (const auto& a : of_kind(artifacts, "typed_path"))
        ours[a.fields.value("value", "")] = a.fields.value("path", "");
    EXPECT_EQ(ours, typed);
    EXPECT_EQ(typed.size(), 2u);

    // runmru: "MRUList = ba", then "a   cmd\1" per value
    const std::string runmru = regripper(path, "runmru");
    std::map<std::string, std::string> commands;
    static const std::regex mru_re(R"(^([a-z])   (.*)$)");
    for (const auto& line : test::lines(runmru)) {
        std::smatch m;
        if (std::regex_match(line, m, mru_re)) commands[m[1]] = m[2];
    }
    std::vector<std::string> expected_commands;
    for (char c : after(runmru, "MRUList = "))
        expected_commands.push_back(commands[std::string(1, c)]);
    std::vector<std::string> our_commands;
    for (const auto& a : of_kind(artifacts, "run_mru"))
        our_commands.push_back(a.fields.value("command", ""));
    EXPECT_EQ(our_commands, expected_commands);
    EXPECT_EQ(our_commands.size(), 2u);

    // wordwheelquery: "1    invoice 2023" lines (padded) in MRUListEx order
    std::vector<std::string> searches;
    static const std::regex term_re(R"(^(\d+) +(.*?) *$)");
    bool listed = false;
    for (const auto& line : test::lines(regripper(path, "wordwheelquery"))) {
        std::smatch m;
        if (line == "Searches listed in MRUListEx order") listed = true;
        if (listed && std::regex_match(line, m, term_re)) searches.push_back(m[2]);
    }
    std::vector<std::string> our_searches;
    for (const auto& a : of_kind(artifacts, "search_term"))
        our_searches.push_back(a.fields.value("term", ""));
    EXPECT_EQ(our_searches, searches);
    EXPECT_EQ(our_searches, (std::vector<std::string>{"invoice 2023", "password"}));

    // run: a key path line, then "  NAME - DATA" for each of its values
    const std::string run_out = regripper(path, "run");
    std::set<std::string> expected_runs;
    std::string key;
    static const std::regex run_re(R"(^  (.*?) - (.*)$)");
    for (const auto& line : test::lines(run_out)) {
        std::smatch m;
        if (line.rfind("Software\\", 0) == 0)
            key = line;
        else if (std::regex_match(line, m, run_re))
            expected_runs.insert(key + "|" + m[1].str() + "|" + m[2].str());
    }
    std::set<std::string> our_runs;
    for (const auto& a : of_kind(artifacts, "autorun"))
        our_runs.insert(a.source + "|" + a.fields.value("name", "") + "|" +
                        a.fields.value("command", ""));
    EXPECT_EQ(our_runs, expected_runs) << run_out;
    EXPECT_EQ(our_runs.size(), 3u);
}

TEST_F(SamHive, UserAccountsAgreeWithSamparse) {
    EXPECT_TRUE(of_kind(artifacts, "unreadable").empty());
    const std::string rr = regripper(path, "samparse");
    // One block per user, from "Username        : NAME [RID]" to the blank line.
    std::map<std::string, std::map<std::string, std::string>> users;
    std::map<std::string, std::set<std::string>> flags;
    static const std::regex user_re(R"(^Username        : (.*) \[(\d+)\]$)");
    static const std::regex field_re(R"(^([A-Za-z /]+?) *: (.*)$)");
    std::string current;
    for (const auto& line : test::lines(rr)) {
        std::smatch m;
        if (std::regex_match(line, m, user_re)) {
            current = m[1];
            users[current]["rid"] = m[2];
        } else if (line.empty()) {
            current.clear();
        } else if (!current.empty() && line.rfind("  --> ", 0) == 0) {
            flags[current].insert(line.substr(6));
        } else if (!current.empty() && std::regex_match(line, m, field_re)) {
            users[current][m[1]] = m[2];
        }
    }
    auto accounts = of_kind(artifacts, "user_account");
    ASSERT_EQ(accounts.size(), 2u);
    ASSERT_EQ(users.size(), 2u) << rr;
    auto time_text = [](const nlohmann::json& v) {
        return v.is_null() ? std::string("Never") : v.get<std::string>();
    };
    auto rr_time = [](const std::string& t) { return t == "Never" ? t : perl_gmtime(t); };
    for (const auto& a : accounts) {
        const std::string name = a.fields.value("name", "");
        SCOPED_TRACE(name);
        ASSERT_TRUE(users.count(name));
        auto& u = users[name];
        EXPECT_EQ(std::to_string(a.fields.value("rid", 0u)), u["rid"]);
        EXPECT_EQ(a.fields.value("full_name", ""), u["Full Name"]);
        EXPECT_EQ(a.fields.value("comment", ""), u["User Comment"]);
        EXPECT_EQ(std::to_string(a.fields.value("logon_count", 0)), u["Login Count"]);
        EXPECT_EQ(time_text(a.fields["last_logon"]), rr_time(u["Last Login Date"]));
        EXPECT_EQ(time_text(a.fields["password_last_set"]), rr_time(u["Pwd Reset Date"]));
        EXPECT_EQ(time_text(a.fields["last_failed_logon"]), rr_time(u["Pwd Fail Date"]));
        EXPECT_EQ(a.fields.value("created", ""), perl_gmtime(u["Account Created"]));
        std::set<std::string> names;
        for (const auto& f : a.fields["flag_names"]) names.insert(f.get<std::string>());
        EXPECT_EQ(names, flags[name]);
    }
}

TEST_F(SoftwareHive, NetworkProfilesAndRunKeysAgreeWithRegRipper) {
    EXPECT_TRUE(of_kind(artifacts, "unreadable").empty());

    const std::string rr = regripper(path, "networklist");
    auto profiles = of_kind(artifacts, "network_profile");
    ASSERT_EQ(profiles.size(), 1u);
    const auto& p = profiles.front();
    // RegRipper: the profile name, then "  Key LastWrite    : ..." and the rest, indented.
    EXPECT_NE(rr.find("\n" + p.fields.value("profile_name", "") + "\n"), std::string::npos) << rr;
    EXPECT_EQ(p.fields.value("profile_name", ""), "CICA-Lab");
    EXPECT_EQ(time_of(p), regripper_time(after(rr, "  Key LastWrite    : ")));
    auto local = [](std::string t) {  // "2023-12-12 18:45:59": a local time, no zone
        std::replace(t.begin(), t.end(), ' ', 'T');
        return t;
    };
    EXPECT_EQ(p.fields.value("date_last_connected", ""), local(after(rr, "  DateLastConnected: ")));
    EXPECT_EQ(p.fields.value("date_created", ""), local(after(rr, "  DateCreated      : ")));
    EXPECT_EQ(p.fields.value("default_gateway_mac", ""), after(rr, "  DefaultGatewayMac: "));
    EXPECT_EQ(p.fields.value("type", ""), after(rr, "  Type             : "));

    const std::string run_out = regripper(path, "run");
    auto runs = of_kind(artifacts, "autorun");
    ASSERT_EQ(runs.size(), 1u);
    EXPECT_EQ(runs.front().source, "Microsoft\\Windows\\CurrentVersion\\Run");
    // "  SecurityHealth - %windir%\system32\SecurityHealthSystray.exe"
    EXPECT_EQ(runs.front().fields.value("command", ""),
              after(run_out, "  " + runs.front().fields.value("name", "") + " - "));
}

// winver prints "Name<padding> value" for ProductName, ReleaseID, CSDVersion, BuildLab,
// BuildLabEx, CompositionEditionID, RegisteredOrganization and RegisteredOwner (those present),
// then InstallDate and InstallTime as "2023-11-03 08:26:40Z".
TEST_F(SoftwareHive, InstallationAgreesWithRegRipperWinver) {
    const std::string rr = regripper(path, "winver");
    auto installs = of_kind(artifacts, "os_installation");
    ASSERT_EQ(installs.size(), 1u);
    const auto& a = installs.front();
    EXPECT_EQ(a.source, "Microsoft\\Windows NT\\CurrentVersion");
    auto field = [&](const std::string& label) {
        std::string v = after(rr, label);
        while (!v.empty() && v.front() == ' ') v.erase(0, 1);
        while (!v.empty() && v.back() == ' ') v.pop_back();
        return v;
    };
    EXPECT_EQ(a.fields.value("product_name", ""), field("ProductName "));
    EXPECT_EQ(a.fields.value("release_id", ""), field("ReleaseID "));
    EXPECT_EQ(a.fields.value("registered_owner", ""), field("RegisteredOwner "));
    EXPECT_EQ(a.fields.value("registered_organization", ""), field("RegisteredOrganization "));
    EXPECT_EQ(a.fields.value("install_date", ""), regripper_time(field("InstallDate ")));
    EXPECT_EQ(a.fields.value("install_time", ""), regripper_time(field("InstallTime ")));
    // Values winver does not print, against hivexget.
    EXPECT_EQ(a.fields.value("edition_id", ""),
              hivexget(path, "\\Microsoft\\Windows NT\\CurrentVersion", "EditionID"));
    EXPECT_EQ(a.fields.value("current_build", ""),
              hivexget(path, "\\Microsoft\\Windows NT\\CurrentVersion", "CurrentBuild"));
    // The artifact's time is the installation (InstallTime, the finer of the two).
    EXPECT_EQ(time_of(a), a.fields.value("install_time", "?"));
    EXPECT_EQ(a.time_kind, "installed");
}

}  // namespace
}  // namespace dflab
