#pragma once
// Registry hives for the tests, in the layouts Windows uses (SYSTEM, NTUSER.DAT, SAM, SOFTWARE),
// made with images::build_hive, and the oracles that read them: RegRipper and hivexget, with
// parsers for their text. Times are ones RegRipper computes exactly (see below).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <ctime>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

#include "common/windows_time.hpp"
#include "engine/artifact.hpp"
#include "images/registry_hive.hpp"
#include "tests/support/fixtures.hpp"

namespace dflab::test {

using images::HiveKey;
using images::HiveSpec;
using images::HiveValue;

// Times in the hives. RegRipper turns FILETIMEs into seconds in floating point and comes out a
// second short for some values (1700300000 gives 1700299999); these are ones it computes exactly,
// so any difference below is a real one.
constexpr int64_t kSelectWritten = 1699999999;
constexpr int64_t kNameWritten = 1700000000;
constexpr int64_t kZoneWritten = 1700100000;
constexpr int64_t kUsbWritten = 1700200000;
// SOFTWARE's InstallDate (seconds) and InstallTime (a FILETIME): apart, so that a reader taking
// one for the other is seen.
constexpr uint32_t kInstallDate = 1699000000;
constexpr int64_t kInstallTime = 1699000125;
// Half a second in FILETIME units (100 ns), as Windows stores times: RegRipper's floating-point
// conversion of a whole second can come out a second early, of x.5 s it floors as dflab does.
constexpr uint64_t kHalfSecond = 5'000'000;
constexpr int64_t kUsbFirstInstall = 1701234567;
constexpr int64_t kUsbLastArrival = 1702345678;
constexpr int64_t kUsbLastRemoval = 1703456789;

// ISO 8601 UTC computed here, not by the engine, from a UTC broken-down time.
inline std::string iso(int64_t t) {
    const std::time_t tt = static_cast<std::time_t>(t);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return text;
}

inline std::vector<std::byte> bytes_of(std::string_view s) {
    std::vector<std::byte> out;
    for (char c : s) out.push_back(static_cast<std::byte>(c));
    return out;
}

inline std::vector<std::byte> utf16(std::string_view ascii, bool terminate = true) {
    std::vector<std::byte> out;
    for (char c : ascii) {
        out.push_back(static_cast<std::byte>(c));
        out.push_back(std::byte{0});
    }
    if (terminate) out.insert(out.end(), 2, std::byte{0});
    return out;
}

inline void put_u32(std::vector<std::byte>& data, size_t at, uint32_t v) {
    if (data.size() < at + 4) data.resize(at + 4);
    for (int i = 0; i < 4; ++i) data[at + i] = static_cast<std::byte>((v >> (8 * i)) & 0xFF);
}

inline void put_u16(std::vector<std::byte>& data, size_t at, uint16_t v) {
    if (data.size() < at + 2) data.resize(at + 2);
    data[at] = static_cast<std::byte>(v & 0xFF);
    data[at + 1] = static_cast<std::byte>(v >> 8);
}

inline void put_filetime(std::vector<std::byte>& data, size_t at, int64_t unix_seconds) {
    const uint64_t ft = unix_seconds ? common::unix_to_filetime(unix_seconds) : 0;
    put_u32(data, at, static_cast<uint32_t>(ft));
    put_u32(data, at + 4, static_cast<uint32_t>(ft >> 32));
}

inline std::vector<std::byte> filetime_bytes(int64_t unix_seconds) {
    std::vector<std::byte> data;
    put_filetime(data, 0, unix_seconds);
    return data;
}

inline std::string write_hive(const std::string& dir, const std::string& name,
                              const HiveSpec& spec) {
    const std::string path = dir + "/" + name;
    const auto bytes = images::build_hive(spec);
    std::ofstream(path, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()),
               static_cast<std::streamsize>(bytes.size()));
    return path;
}

inline std::vector<std::byte> read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::string s((std::istreambuf_iterator<char>(in)), {});
    return bytes_of(s);
}

inline std::string regripper(const std::string& hive, const std::string& plugin) {
    auto r = run("regripper -r " + shell_quote(hive) + " -p " + plugin + " 2>/dev/null");
    EXPECT_EQ(r.exit_code, 0) << plugin;
    return r.out;
}

inline std::string hivexget(const std::string& hive, const std::string& key,
                            const std::string& value) {
    auto r =
        run("hivexget " + shell_quote(hive) + " " + shell_quote(key) + " " + shell_quote(value));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::string out = r.out;
    while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
    return out;
}

// The text after `label` on the first line that starts with it (RegRipper's "Name : value").
inline std::string after(const std::string& text, const std::string& label) {
    for (const auto& line : test::lines(text))
        if (line.rfind(label, 0) == 0) return line.substr(label.size());
    ADD_FAILURE() << "no line starting with '" << label << "' in:\n" << text;
    return "";
}

// RegRipper's "2023-11-14 22:13:20" (getDateFromEpoch, with or without a trailing Z) as ISO.
inline std::string regripper_time(std::string text) {
    if (!text.empty() && text.back() == 'Z') text.pop_back();
    std::replace(text.begin(), text.end(), ' ', 'T');
    return text + "Z";
}

// Perl's scalar gmtime ("Tue Nov 14 22:13:20 2023", samparse) as ISO.
inline std::string perl_gmtime(const std::string& text) {
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

inline std::vector<engine::Artifact> of_kind(const std::vector<engine::Artifact>& all,
                                             const std::string& kind) {
    std::vector<engine::Artifact> out;
    std::copy_if(all.begin(), all.end(), std::back_inserter(out),
                 [&](const auto& a) { return a.kind == kind; });
    return out;
}

inline std::string time_of(const engine::Artifact& a) {
    return a.time ? iso(*a.time) : "none";
}

// --- SYSTEM ------------------------------------------------------------------------------------

// Select\Current is 2: ControlSet002 is the one in use, ControlSet001 an older copy.
inline HiveSpec system_hive() {
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

// --- NTUSER.DAT --------------------------------------------------------------------------------

constexpr int64_t kUserAssistWritten = 1700000000;
constexpr int64_t kMimikatzRun = 1701234567;
constexpr int64_t kPuttyRun = 1702345678;
constexpr int64_t kRecentWritten = 1703456789;
constexpr int64_t kPdfWritten = 1700200000;

inline std::vector<std::byte> user_assist_data(uint32_t runs, uint32_t focus, uint32_t focus_ms,
                                               int64_t last_run) {
    std::vector<std::byte> data(72);
    put_u32(data, 4, runs);
    put_u32(data, 8, focus);
    put_u32(data, 12, focus_ms);
    put_filetime(data, 60, last_run);
    return data;
}

// A RecentDocs value: the name in UTF-16, then the shell item that follows it on Windows.
inline std::vector<std::byte> recent_doc(std::string_view name) {
    auto data = utf16(name);
    for (int i = 0; i < 24; ++i) data.push_back(static_cast<std::byte>(0x41 + i));
    return data;
}

inline std::vector<std::byte> mru_list_ex(std::initializer_list<uint32_t> order) {
    std::vector<std::byte> data;
    for (uint32_t i : order) put_u32(data, data.size(), i);
    put_u32(data, data.size(), 0xFFFFFFFF);
    return data;
}

inline HiveSpec ntuser_hive() {
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

// --- SAM ---------------------------------------------------------------------------------------

constexpr int64_t kAnalystCreated = 1699999999;
constexpr int64_t kAnalystLogon = 1702345678;
constexpr int64_t kAnalystPassword = 1700100000;
constexpr int64_t kAnalystFailed = 1701234567;

// The F value: last logon at 8, password last set at 24, last failed logon at 40, the RID at
// 48, account flags at 56, logon count at 66 (samparse's offsets).
inline std::vector<std::byte> f_value(uint32_t rid, int64_t logon, int64_t password, int64_t failed,
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
inline std::vector<std::byte> v_value(const std::string& name, const std::string& full,
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

inline HiveSpec sam_hive() {
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

// --- SOFTWARE ----------------------------------------------------------------------------------

// A SYSTEMTIME: year, month, day of week, day, hour, minute, second, milliseconds.
inline std::vector<std::byte> systemtime(std::initializer_list<uint16_t> parts) {
    std::vector<std::byte> data;
    for (uint16_t p : parts) put_u16(data, data.size(), p);
    return data;
}

inline HiveSpec software_hive() {
    const std::string list = "Microsoft\\Windows NT\\CurrentVersion\\NetworkList\\";
    const std::string guid = "{1B2C3D4E-0000-4000-8000-000000000001}";
    const std::byte mac[] = {std::byte{0x00}, std::byte{0x1a}, std::byte{0x2b},
                             std::byte{0x3c}, std::byte{0x4d}, std::byte{0x5e}};
    HiveSpec spec;
    spec.file_name = "\\??\\C:\\Windows\\System32\\config\\SOFTWARE";
    spec.written = kZoneWritten;
    spec.keys = {
        {"Microsoft\\Windows NT\\CurrentVersion",
         kZoneWritten,
         {HiveValue::string("ProductName", "Windows 10 Pro"),
          HiveValue::string("EditionID", "Professional"),
          HiveValue::string("CurrentBuild", "19045"), HiveValue::string("ReleaseId", "2009"),
          HiveValue::string("RegisteredOwner", "Aigerim"),
          HiveValue::string("RegisteredOrganization", "CICA Lab"),
          HiveValue::dword("InstallDate", kInstallDate),
          HiveValue::qword("InstallTime", common::unix_to_filetime(kInstallTime) + kHalfSecond)}},
        {list + "Profiles\\" + guid,
         kZoneWritten,
         {HiveValue::string("ProfileName", "CICA-Lab"),
          HiveValue::string("Description", "CICA-Lab"), HiveValue::dword("Managed", 0),
          HiveValue::dword("NameType", 0x47),
          HiveValue::binary("DateCreated", systemtime({2023, 11, 2, 14, 9, 30, 5, 0})),
          HiveValue::binary("DateLastConnected", systemtime({2023, 12, 2, 12, 18, 45, 59, 0}))}},
        {list + "Signatures\\Unmanaged\\010103000F0000F0080000000F0000F0",
         kZoneWritten,
         {HiveValue::string("ProfileGuid", guid), HiveValue::binary("DefaultGatewayMac", mac)}},
        {"Microsoft\\Windows\\CurrentVersion\\Run",
         kUsbWritten,
         {HiveValue::expand_string("SecurityHealth",
                                   "%windir%\\system32\\SecurityHealthSystray.exe")}},
    };
    return spec;
}

}  // namespace dflab::test
