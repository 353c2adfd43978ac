// The registry reader and the registry analyzer against independent readers of the same hive
// files: RegRipper (Parse::Win32Registry; its compname, timezone, usbstor, userassist, recentdocs
// and samparse plugins) and hivexget (libhivex). Hives are made with images::build_hive in the
// layouts Windows uses (SYSTEM, NTUSER.DAT, SAM); damaged hives are recorded as unreadable, and
// `dflab artifacts` / `dflab analyze` are run end to end on a FAT image holding hives.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>

#include "common/windows_time.hpp"
#include "engine/registry_artifacts.hpp"
#include "engine/windows_registry_file.hpp"
#include "images/registry_hive.hpp"
#include "tests/support/fixtures.hpp"

namespace dflab {
namespace {

using images::HiveKey;
using images::HiveSpec;
using images::HiveValue;
using test::run;
using test::shell_quote;

// Times in the hives. RegRipper turns FILETIMEs into seconds in floating point and comes out a
// second short for some values (1700300000 gives 1700299999); these are ones it computes exactly,
// so any difference below is a real one.
constexpr int64_t kSelectWritten = 1699999999;
constexpr int64_t kNameWritten = 1700000000;
constexpr int64_t kZoneWritten = 1700100000;
constexpr int64_t kUsbWritten = 1700200000;
constexpr int64_t kUsbFirstInstall = 1701234567;
constexpr int64_t kUsbLastArrival = 1702345678;
constexpr int64_t kUsbLastRemoval = 1703456789;

// ISO 8601 UTC computed here, not by the engine, from a UTC broken-down time.
std::string iso(int64_t t) {
    const std::time_t tt = static_cast<std::time_t>(t);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return text;
}

std::vector<std::byte> bytes_of(std::string_view s) {
    std::vector<std::byte> out;
    for (char c : s) out.push_back(static_cast<std::byte>(c));
    return out;
}

std::vector<std::byte> utf16(std::string_view ascii, bool terminate = true) {
    std::vector<std::byte> out;
    for (char c : ascii) {
        out.push_back(static_cast<std::byte>(c));
        out.push_back(std::byte{0});
    }
    if (terminate) out.insert(out.end(), 2, std::byte{0});
    return out;
}

void put_u32(std::vector<std::byte>& data, size_t at, uint32_t v) {
    if (data.size() < at + 4) data.resize(at + 4);
    for (int i = 0; i < 4; ++i) data[at + i] = static_cast<std::byte>((v >> (8 * i)) & 0xFF);
}

void put_u16(std::vector<std::byte>& data, size_t at, uint16_t v) {
    if (data.size() < at + 2) data.resize(at + 2);
    data[at] = static_cast<std::byte>(v & 0xFF);
    data[at + 1] = static_cast<std::byte>(v >> 8);
}

void put_filetime(std::vector<std::byte>& data, size_t at, int64_t unix_seconds) {
    const uint64_t ft = unix_seconds ? common::unix_to_filetime(unix_seconds) : 0;
    put_u32(data, at, static_cast<uint32_t>(ft));
    put_u32(data, at + 4, static_cast<uint32_t>(ft >> 32));
}

std::vector<std::byte> filetime_bytes(int64_t unix_seconds) {
    std::vector<std::byte> data;
    put_filetime(data, 0, unix_seconds);
    return data;
}

std::string write_hive(const std::string& dir, const std::string& name, const HiveSpec& spec) {
    const std::string path = dir + "/" + name;
    const auto bytes = images::build_hive(spec);
    std::ofstream(path, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()),
               static_cast<std::streamsize>(bytes.size()));
    return path;
}

std::vector<std::byte> read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::string s((std::istreambuf_iterator<char>(in)), {});
    return bytes_of(s);
}

std::string regripper(const std::string& hive, const std::string& plugin) {
    auto r = run("regripper -r " + shell_quote(hive) + " -p " + plugin + " 2>/dev/null");
    EXPECT_EQ(r.exit_code, 0) << plugin;
    return r.out;
}

std::string hivexget(const std::string& hive, const std::string& key, const std::string& value) {
    auto r =
        run("hivexget " + shell_quote(hive) + " " + shell_quote(key) + " " + shell_quote(value));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::string out = r.out;
    while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
    return out;
}

// The text after `label` on the first line that starts with it (RegRipper's "Name : value").
std::string after(const std::string& text, const std::string& label) {
    for (const auto& line : test::lines(text))
        if (line.rfind(label, 0) == 0) return line.substr(label.size());
    ADD_FAILURE() << "no line starting with '" << label << "' in:\n" << text;
    return "";
}

// RegRipper's "2023-11-14 22:13:20" (getDateFromEpoch, with or without a trailing Z) as ISO.
std::string regripper_time(std::string text) {
    if (!text.empty() && text.back() == 'Z') text.pop_back();
    std::replace(text.begin(), text.end(), ' ', 'T');
    return text + "Z";
}

// Perl's scalar gmtime ("Tue Nov 14 22:13:20 2023", samparse) as ISO.
std::string perl_gmtime(const std::string& text) {
    static const std::regex re(R"((\w{3}) (\w{3}) +(\d+) (\d\d):(\d\d):(\d\d) (\d{4}))");
    std::smatch m;
    if (!std::regex_search(text, m, re)) return "unparsed: " + text;
    static const std::string months = "JanFebMarAprMayJunJulAugSepOctNovDec";
    std::tm tm{};
    tm.tm_year = std::stoi(m[7]) - 1900;
    tm.tm_mon = static_cast<int>(months.find(m[2].str()) / 3);
    tm.tm_mday = std::stoi(m[3]);
    tm.tm_hour = std::stoi(m[4]);
    tm.tm_min = std::stoi(m[5]);
    tm.tm_sec = std::stoi(m[6]);
    return iso(timegm(&tm));
}

std::vector<engine::Artifact> of_kind(const std::vector<engine::Artifact>& all,
                                      const std::string& kind) {
    std::vector<engine::Artifact> out;
    std::copy_if(all.begin(), all.end(), std::back_inserter(out),
                 [&](const auto& a) { return a.kind == kind; });
    return out;
}

std::string time_of(const engine::Artifact& a) {
    return a.time ? iso(*a.time) : "none";
}

// --- SYSTEM ------------------------------------------------------------------------------------

// Select\Current is 2: ControlSet002 is the one in use, ControlSet001 an older copy.
HiveSpec system_hive() {
    HiveSpec spec;
    spec.file_name = "\\??\\C:\\Windows\\System32\\config\\SYSTEM";
    spec.written = kNameWritten;
    const std::string usb = "ControlSet002\\Enum\\USBSTOR\\";
    const std::string sandisk =
        usb + "Disk&Ven_SanDisk&Prod_Cruzer_Blade&Rev_1.00\\4C530001231120115142&0";
    const std::string props = sandisk + "\\Properties\\{83da6326-97a6-4088-9453-a1923f573b29}\\";
    spec.keys = {
        {"Select",
         kSelectWritten,
         {HiveValue::dword("Current", 2), HiveValue::dword("Default", 2),
          HiveValue::dword("LastKnownGood", 1)}},
        {"ControlSet001\\Control\\ComputerName\\ComputerName",
         kSelectWritten,
         {HiveValue::string("ComputerName", "OLD-NAME")}},
        {"ControlSet002\\Control\\ComputerName\\ComputerName",
         kNameWritten,
         {HiveValue::string("ComputerName", "WS-ANALYST-07")}},
        {"ControlSet002\\Services\\Tcpip\\Parameters",
         kNameWritten,
         {HiveValue::string("Hostname", "ws-analyst-07")}},
        {"ControlSet002\\Control\\TimeZoneInformation",
         kZoneWritten,
         {HiveValue::dword("Bias", static_cast<uint32_t>(-360)),
          HiveValue::dword("ActiveTimeBias", static_cast<uint32_t>(-300)),
          HiveValue::string("StandardName", "Central Asia Standard Time"),
          HiveValue::string("DaylightName", "Central Asia Daylight Time"),
          HiveValue::string("TimeZoneKeyName", "Central Asia Standard Time")}},
        {sandisk,
         kUsbWritten,
         {HiveValue::string("FriendlyName", "SanDisk Cruzer Blade USB Device"),
          HiveValue::string("ParentIdPrefix", "7&2a7e4b1c&0")}},
        {props + "0064", kUsbWritten, {HiveValue::binary("", filetime_bytes(kUsbFirstInstall))}},
        {props + "0066", kUsbWritten, {HiveValue::binary("", filetime_bytes(kUsbLastArrival))}},
        {props + "0067", kUsbWritten, {HiveValue::binary("", filetime_bytes(kUsbLastRemoval))}},
        {usb + "Disk&Ven_Kingston&Prod_DataTraveler_3.0&Rev_PMAP\\60A44C3FACC93110B9970045&0",
         kZoneWritten,
         {HiveValue::string("FriendlyName", "Kingston DataTraveler 3.0 USB Device")}},
    };
    return spec;
}

struct SystemHive : testing::Test {
    std::string dir = test::temp_dir();
    std::string path = write_hive(dir, "SYSTEM", system_hive());
    std::vector<engine::Artifact> artifacts =
        engine::read_registry_artifacts(read_file(path), "SYSTEM");
    void TearDown() override { std::filesystem::remove_all(dir); }
};

TEST_F(SystemHive, NothingIsUnreadable) {
    for (const auto& a : of_kind(artifacts, "unreadable")) ADD_FAILURE() << a.fields.dump();
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

// --- NTUSER.DAT --------------------------------------------------------------------------------

constexpr int64_t kUserAssistWritten = 1700000000;
constexpr int64_t kMimikatzRun = 1701234567;
constexpr int64_t kPuttyRun = 1702345678;
constexpr int64_t kRecentWritten = 1703456789;
constexpr int64_t kPdfWritten = 1700200000;

std::vector<std::byte> user_assist_data(uint32_t runs, uint32_t focus, uint32_t focus_ms,
                                        int64_t last_run) {
    std::vector<std::byte> data(72);
    put_u32(data, 4, runs);
    put_u32(data, 8, focus);
    put_u32(data, 12, focus_ms);
    put_filetime(data, 60, last_run);
    return data;
}

// A RecentDocs value: the name in UTF-16, then the shell item that follows it on Windows.
std::vector<std::byte> recent_doc(std::string_view name) {
    auto data = utf16(name);
    for (int i = 0; i < 24; ++i) data.push_back(static_cast<std::byte>(0x41 + i));
    return data;
}

std::vector<std::byte> mru_list_ex(std::initializer_list<uint32_t> order) {
    std::vector<std::byte> data;
    for (uint32_t i : order) put_u32(data, data.size(), i);
    put_u32(data, data.size(), 0xFFFFFFFF);
    return data;
}

HiveSpec ntuser_hive() {
    const std::string explorer = "Software\\Microsoft\\Windows\\CurrentVersion\\Explorer\\";
    const std::string count =
        explorer + "UserAssist\\{CEBFF5CD-ACE2-4F4F-9178-9926F41749EA}\\Count";
    const std::string recent = explorer + "RecentDocs";
    HiveSpec spec;
    spec.file_name = "\\??\\C:\\Users\\analyst\\ntuser.dat";
    spec.written = kUserAssistWritten;
    spec.keys = {
        // ROT13 of "C:\Tools\mimikatz.exe" and of the PuTTY path under a known-folder GUID; the
        // third never ran (no time); the session value is not a program entry.
        {count,
         kUserAssistWritten,
         {HiveValue::binary("P:\\Gbbyf\\zvzvxngm.rkr", user_assist_data(7, 3, 65000, kMimikatzRun)),
          HiveValue::binary("{6Q809377-6NS0-444O-8957-N3773S02200R}\\ChGGL\\chggl.rkr",
                            user_assist_data(2, 1, 1200, kPuttyRun)),
          HiveValue::binary("HRZR_PGYFRFFVBA", std::vector<std::byte>(1612)),
          HiveValue::binary("Zvpebfbsg.Jvaqbjf.Rkcybere", user_assist_data(1, 0, 0, 0))}},
        {recent,
         kRecentWritten,
         {HiveValue::binary("0", recent_doc("report.docx")),
          HiveValue::binary("1", recent_doc("secret.pdf")),
          HiveValue::binary("2", recent_doc("notes.txt")),
          HiveValue::binary("MRUListEx", mru_list_ex({2, 0, 1}))}},
        {recent + "\\.pdf",
         kPdfWritten,
         {HiveValue::binary("0", recent_doc("secret.pdf")),
          HiveValue::binary("MRUListEx", mru_list_ex({0}))}},
        {explorer + "TypedPaths",
         kPdfWritten,
         {HiveValue::string("url1", "\\\\fileserver\\share"),
          HiveValue::string("url2", "C:\\Users\\analyst\\Desktop")}},
        {explorer + "RunMRU",
         kRecentWritten,
         {HiveValue::string("a", "cmd\\1"), HiveValue::string("b", "powershell -nop\\1"),
          HiveValue::string("MRUList", "ba")}},
        {explorer + "WordWheelQuery",
         kUserAssistWritten,
         {HiveValue::binary("0", utf16("password")), HiveValue::binary("1", utf16("invoice 2023")),
          HiveValue::binary("MRUListEx", mru_list_ex({1, 0}))}},
        {"Software\\Microsoft\\Windows\\CurrentVersion\\Run",
         kMimikatzRun,
         {HiveValue::string("OneDrive", "\"C:\\Users\\analyst\\OneDrive.exe\" /background"),
          HiveValue::expand_string("updater", "%APPDATA%\\upd.exe")}},
        {"Software\\Microsoft\\Windows\\CurrentVersion\\RunOnce",
         kPuttyRun,
         {HiveValue::string("once", "C:\\x.exe")}},
        // RegRipper's run plugin reads the Run keys of a hive it takes for NTUSER.DAT: one with
        // Software\Microsoft\Windows NT\CurrentVersion too.
        {"Software\\Microsoft\\Windows NT\\CurrentVersion", kPuttyRun, {}},
    };
    return spec;
}

struct NtuserHive : testing::Test {
    std::string dir = test::temp_dir();
    std::string path = write_hive(dir, "NTUSER.DAT", ntuser_hive());
    std::vector<engine::Artifact> artifacts =
        engine::read_registry_artifacts(read_file(path), "NTUSER.DAT");
    void TearDown() override { std::filesystem::remove_all(dir); }
};

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

// --- SAM ---------------------------------------------------------------------------------------

constexpr int64_t kAnalystCreated = 1699999999;
constexpr int64_t kAnalystLogon = 1702345678;
constexpr int64_t kAnalystPassword = 1700100000;
constexpr int64_t kAnalystFailed = 1701234567;

// The F value: last logon at 8, password last set at 24, last failed logon at 40, the RID at
// 48, account flags at 56, logon count at 66 (samparse's offsets).
std::vector<std::byte> f_value(uint32_t rid, int64_t logon, int64_t password, int64_t failed,
                               uint16_t flags, uint16_t logons) {
    std::vector<std::byte> f(80);
    put_filetime(f, 8, logon);
    put_filetime(f, 24, password);
    put_filetime(f, 40, failed);
    put_u32(f, 48, rid);
    put_u16(f, 56, flags);
    put_u16(f, 66, logons);
    return f;
}

// The V value: a table of (offset, length, 0) triples, 17 of them (0xCC bytes), then the texts;
// offsets count from 0xCC. Entry 1 is the user name, 2 the full name, 3 the comment.
std::vector<std::byte> v_value(const std::string& name, const std::string& full,
                               const std::string& comment) {
    std::vector<std::byte> v(0xCC);
    put_u32(v, 4, 0xd4);  // entry 0's length: the account type samparse prints
    uint32_t at = 0;
    const std::string texts[] = {name, full, comment};
    for (int i = 0; i < 3; ++i) {
        auto text = utf16(texts[i], false);
        put_u32(v, 12 * (i + 1), at);
        put_u32(v, 12 * (i + 1) + 4, static_cast<uint32_t>(text.size()));
        v.insert(v.end(), text.begin(), text.end());
        at += static_cast<uint32_t>(text.size());
    }
    return v;
}

HiveSpec sam_hive() {
    const std::string users = "SAM\\Domains\\Account\\Users\\";
    auto rid_value = [](uint32_t rid) {
        HiveValue v;  // the RID is the default value's type; no data
        v.type = static_cast<HiveValue::Type>(rid);
        return v;
    };
    HiveSpec spec;
    spec.file_name = "\\??\\C:\\Windows\\System32\\config\\SAM";
    spec.written = kAnalystLogon;
    spec.keys = {
        {users + "000001F4",
         kAnalystCreated,
         {HiveValue::binary("F", f_value(0x1F4, 0, kAnalystPassword, 0, 0x0211, 0)),
          HiveValue::binary("V", v_value("Administrator", "", "Built-in account"))}},
        {users + "000003E9",
         kAnalystLogon,
         {HiveValue::binary(
              "F", f_value(0x3E9, kAnalystLogon, kAnalystPassword, kAnalystFailed, 0x0210, 12)),
          HiveValue::binary("V", v_value("analyst", "Lab Analyst", "case 12"))}},
        {users + "Names\\Administrator", kAnalystCreated, {rid_value(0x1F4)}},
        {users + "Names\\analyst", kAnalystCreated, {rid_value(0x3E9)}},
    };
    return spec;
}

TEST(SamHive, UserAccountsAgreeWithSamparse) {
    const std::string dir = test::temp_dir();
    const std::string path = write_hive(dir, "SAM", sam_hive());
    auto artifacts = engine::read_registry_artifacts(read_file(path), "SAM");
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
    std::filesystem::remove_all(dir);
}

// --- Damaged hives -------------------------------------------------------------------------------

TEST(DamagedHive, TruncatedOrGarbageIsUnreadableNotAFailure) {
    const auto whole = images::build_hive(system_hive());
    ASSERT_GT(whole.size(), 4096u + 64u);
    std::vector<std::byte> garbage = bytes_of("regf");
    for (int i = 0; i < 8192; ++i) garbage.push_back(static_cast<std::byte>((i * 151 + 7) & 0xFF));
    const std::vector<std::pair<std::string, std::vector<std::byte>>> cases = {
        {"base block only", {whole.begin(), whole.begin() + 4096}},
        {"cut inside the first bin", {whole.begin(), whole.begin() + 4096 + 64}},
        {"garbage after the signature", garbage},
        {"signature alone", bytes_of("regf")},
    };
    for (const auto& [what, bytes] : cases) {
        SCOPED_TRACE(what);
        std::vector<engine::Artifact> artifacts;
        EXPECT_NO_THROW(artifacts = engine::read_registry_artifacts(bytes, "SYSTEM"));
        auto bad = of_kind(artifacts, "unreadable");
        ASSERT_FALSE(bad.empty());
        EXPECT_FALSE(bad.front().fields.value("error", "").empty());
        EXPECT_NE(bad.front().fields.value("error", "").find("SYSTEM"), std::string::npos);
    }
    // The wrapper says what is wrong in one line that names the hive.
    const std::string e = test::error_of([&] { engine::RegistryFile(garbage, "bad.dat"); });
    EXPECT_EQ(e.rfind("bad.dat: ", 0), 0u) << e;
    EXPECT_EQ(e.find('\n'), std::string::npos);
}

// Bytes changed here and there in the bins (a fixed pseudo-random sequence): whatever libregf
// makes of them, the reader returns artifacts and unreadable records, never an exception.
TEST(DamagedHive, ChangedBytesNeverThrow) {
    const auto whole = images::build_hive(system_hive());
    uint32_t state = 12345;
    auto next = [&] { return state = state * 1103515245u + 12345u; };
    for (int round = 0; round < 60; ++round) {
        auto bytes = whole;
        for (int n = 1 + static_cast<int>(next() % 12); n > 0; --n)
            bytes[4096 + next() % (bytes.size() - 4096)] = static_cast<std::byte>(next() >> 24);
        std::vector<engine::Artifact> artifacts;
        EXPECT_NO_THROW(artifacts = engine::read_registry_artifacts(bytes, "SYSTEM")) << round;
        for (const auto& a : of_kind(artifacts, "unreadable"))
            EXPECT_FALSE(a.fields.value("error", "").empty()) << round;
    }
}

// --- End to end --------------------------------------------------------------------------------

// A FAT image with a SYSTEM and a SAM hive where Windows keeps them, a damaged hive under a name
// that says nothing, and a text file.
struct HiveImage : testing::Test {
    std::string dir = test::temp_dir();
    std::string image = dir + "/windows.img";

    void SetUp() override {
        write_hive(dir, "SYSTEM", system_hive());
        write_hive(dir, "SAM", sam_hive());
        auto damaged = images::build_hive(system_hive());
        damaged.resize(4096 + 64);
        std::ofstream(dir + "/BACKUP.BIN", std::ios::binary)
            .write(reinterpret_cast<const char*>(damaged.data()),
                   static_cast<std::streamsize>(damaged.size()));
        std::ofstream(dir + "/NOTES.TXT") << "regf is the signature of a hive\n";
        const std::string i = shell_quote(image);
        auto r = run("mkfs.vfat -C -n WIN " + i +
                     " 8192 >/dev/null && export MTOOLS_SKIP_CHECK=1 && "
                     "mmd -i " +
                     i +
                     " ::Windows ::Windows/System32 ::Windows/System32/config && "
                     "mcopy -i " +
                     i + " " + shell_quote(dir + "/SYSTEM") + " " + shell_quote(dir + "/SAM") +
                     " ::Windows/System32/config/ && "
                     "mcopy -i " +
                     i + " " + shell_quote(dir + "/BACKUP.BIN") + " " +
                     shell_quote(dir + "/NOTES.TXT") + " ::");
        ASSERT_EQ(r.exit_code, 0) << r.err;
    }
    void TearDown() override { std::filesystem::remove_all(dir); }
};

TEST_F(HiveImage, ArtifactsCommandListsHivesAndNamesTheDamagedOne) {
    auto r = test::dflab("artifacts " + shell_quote(image) + " --json");
    EXPECT_EQ(r.exit_code, 2) << r.err;  // the damaged hive
    EXPECT_NE(r.err.find("/BACKUP.BIN"), std::string::npos) << r.err;
    std::map<std::string, std::vector<nlohmann::json>> by_kind;
    for (const auto& line : test::lines(r.out)) {
        if (line.empty()) continue;
        auto j = nlohmann::json::parse(line);
        EXPECT_EQ(j["partition"], 0);
        by_kind[j["kind"].get<std::string>()].push_back(j);
    }
    ASSERT_EQ(by_kind["computer_name"].size(), 1u) << r.out;
    const auto& name = by_kind["computer_name"].front();
    EXPECT_EQ(name["fields"]["name"],
              hivexget(dir + "/SYSTEM", "\\ControlSet002\\Control\\ComputerName\\ComputerName",
                       "ComputerName"));
    EXPECT_EQ(name["time"], iso(kNameWritten));
    EXPECT_EQ(name["time_kind"], "last_write");
    EXPECT_EQ(by_kind["usb_device"].size(), 2u);
    EXPECT_EQ(by_kind["user_account"].size(), 2u);
    ASSERT_FALSE(by_kind["unreadable"].empty());
    for (const auto& j : by_kind["unreadable"]) EXPECT_EQ(j["path"], "/BACKUP.BIN");
    // The listing's path of each file is the one fls gives (FAT: upper-case short names).
    auto fls = run("fls -r -p " + shell_quote(image));
    ASSERT_EQ(fls.exit_code, 0);
    for (const auto& [kind, list] : by_kind)
        for (const auto& j : list) {
            const std::string path = j["path"].get<std::string>().substr(1);
            EXPECT_NE(fls.out.find(":\t" + path + "\n"), std::string::npos) << path;
        }

    auto only = test::dflab("artifacts " + shell_quote(image) + " --kind usb_device");
    EXPECT_EQ(only.exit_code, 2);
    EXPECT_NE(only.out.find("4C530001231120115142&0"), std::string::npos) << only.out;
    EXPECT_EQ(only.out.find("computer_name"), std::string::npos) << only.out;

    auto unknown = test::dflab("artifacts " + shell_quote(image) + " --kind usb");
    EXPECT_EQ(unknown.exit_code, 1);
    EXPECT_NE(unknown.err.find("--kind 'usb': unknown kind"), std::string::npos) << unknown.err;
}

TEST_F(HiveImage, AnalyzeWritesTheArtifactsTable) {
    const std::string case_path = dir + "/case.sqlite";
    auto r = test::dflab("analyze " + shell_quote(image) + " -o " + shell_quote(case_path));
    EXPECT_EQ(r.exit_code, 0) << r.err;  // a damaged hive is a finding, not a failed partition
    auto sql = [&](const std::string& q) {
        auto s = run("sqlite3 -batch -noheader " + shell_quote(case_path) + " " + shell_quote(q));
        EXPECT_EQ(s.exit_code, 0) << s.err;
        return s.out;
    };
    EXPECT_EQ(sql("SELECT count(*) FROM files WHERE path = '/NOTES.TXT'"), "1\n");
    EXPECT_EQ(sql("SELECT json_extract(a.fields, '$.name'), a.time, f.path FROM artifacts a "
                  "JOIN files f ON f.id = a.file_id WHERE a.kind = 'computer_name'"),
              "WS-ANALYST-07|" + iso(kNameWritten) + "|/Windows/System32/config/SYSTEM\n");
    EXPECT_EQ(sql("SELECT DISTINCT a.path, a.inode = f.inode FROM artifacts a JOIN files f ON "
                  "f.id = a.file_id WHERE a.kind = 'unreadable'"),
              "/BACKUP.BIN|1\n");
    EXPECT_EQ(sql("SELECT count(*) FROM artifacts WHERE kind = 'user_account'"), "2\n");
}

}  // namespace
}  // namespace dflab
