// The registry hive writer (images/registry_hive.hpp) and `generate: {type: registry}`, checked
// with readers that share no code with it: hivexget and hivexml (hivex's tools, reading the file
// back), regfinfo and regfexport (libregf), and RegRipper 3.0's plugins (Parse::Win32Registry) on
// hives laid out as Windows lays out SYSTEM and NTUSER.DAT. Expected texts, times, FILETIMEs and
// ROT13 names are computed here, not taken from the code under test.
#include <gtest/gtest.h>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "engine/error.hpp"
#include "images/recipe_parser.hpp"
#include "images/registry_hive.hpp"
#include "tests/oracle.hpp"
#include "tests/support/fixtures.hpp"

namespace dflab::images {
namespace {

namespace fs = std::filesystem;
using dflab::test::error_of;
using dflab::test::run;
using dflab::test::shell_quote;

constexpr int64_t kWritten = 1709625600;   // 2024-03-05 08:00:00 UTC
constexpr int64_t kNameTime = 1709284320;  // 2024-03-01 09:12:00 UTC
constexpr int64_t kZoneTime = 1709290800;  // 2024-03-01 11:00:00 UTC
constexpr int64_t kUsbTime = 1709900000;   // 2024-03-08 12:13:20 UTC
constexpr int64_t kRunTime = 1710000000;   // 2024-03-09 16:00:00 UTC
constexpr int64_t kDocsTime = 1709560000;  // 2024-03-04 13:46:40 UTC

// "2024-03-01 09:12:00", as RegRipper prints times (gmtime, independent of the writer).
std::string utc_text(int64_t t) {
    const std::time_t tt = static_cast<std::time_t>(t);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S", &tm);
    return text;
}

std::string rot13(std::string s) {
    for (char& c : s) {
        if (c >= 'a' && c <= 'z') c = static_cast<char>('a' + (c - 'a' + 13) % 26);
        if (c >= 'A' && c <= 'Z') c = static_cast<char>('A' + (c - 'A' + 13) % 26);
    }
    return s;
}

std::vector<std::byte> utf16z(const std::u16string& s) {
    std::vector<std::byte> out;
    for (char16_t c : s) {
        out.push_back(std::byte(c & 0xff));
        out.push_back(std::byte(c >> 8));
    }
    out.push_back(std::byte{0});
    out.push_back(std::byte{0});
    return out;
}

void put_le(std::vector<std::byte>& out, size_t at, uint64_t v, size_t width) {
    for (size_t i = 0; i < width; ++i) out[at + i] = std::byte((v >> (8 * i)) & 0xff);
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

class RegistryHiveWriter : public ::testing::Test {
  protected:
    void SetUp() override { dir_ = dflab::test::temp_dir(); }
    void TearDown() override { fs::remove_all(dir_); }

    std::string save(const std::string& name, const std::vector<std::byte>& bytes) {
        const std::string path = dir_ + "/" + name;
        std::ofstream out(path, std::ios::binary);
        out.write(reinterpret_cast<const char*>(bytes.data()),
                  static_cast<std::streamsize>(bytes.size()));
        return path;
    }

    // hivexget HIVE KEY [VALUE]: the value's data as hivexsh prints it, or the key's values in
    // .reg form. The output's last newline is dropped.
    static std::string hivexget(const std::string& hive, const std::string& key,
                                const std::string* value = nullptr) {
        auto r = run("hivexget " + shell_quote(hive) + " " + shell_quote(key) +
                     (value ? " " + shell_quote(*value) : ""));
        EXPECT_EQ(r.exit_code, 0) << key << ": " << r.err;
        if (!r.out.empty() && r.out.back() == '\n') r.out.pop_back();
        return r.out;
    }
    static std::string value_of(const std::string& hive, const std::string& key,
                                const std::string& value) {
        return hivexget(hive, key, &value);
    }

    static std::string regripper(const std::string& hive, const std::string& plugin) {
        auto r = run("regripper -r " + shell_quote(hive) + " -p " + plugin);
        EXPECT_EQ(r.exit_code, 0) << plugin << ": " << r.err;
        return r.out;
    }

    std::string dir_;
};

HiveSpec system_like() {
    HiveSpec spec;
    spec.file_name = "\\??\\C:\\Windows\\System32\\config\\SYSTEM";
    spec.written = kWritten;
    spec.keys.push_back({"Select", kNameTime, {HiveValue::dword("Current", 1)}});
    spec.keys.push_back({"ControlSet001\\Control\\ComputerName\\ComputerName",
                         kNameTime,
                         {HiveValue::string("ComputerName", "DESKTOP-7Q2K1M")}});
    spec.keys.push_back({"ControlSet001\\Services\\Tcpip\\Parameters",
                         kNameTime,
                         {HiveValue::string("Hostname", "desktop-7q2k1m")}});
    spec.keys.push_back({"ControlSet001\\Control\\TimeZoneInformation",
                         kZoneTime,
                         {HiveValue::dword("Bias", static_cast<uint32_t>(-180)),
                          HiveValue::dword("ActiveTimeBias", static_cast<uint32_t>(-180)),
                          HiveValue::string("StandardName", "Russian Standard Time"),
                          HiveValue::string("DaylightName", "Russian Daylight Time"),
                          HiveValue::string("TimeZoneKeyName", "Russian Standard Time")}});
    spec.keys.push_back(
        {"ControlSet001\\Enum\\USBSTOR\\Disk&Ven_Kingston&Prod_DataTraveler_3.0&Rev_PMAP\\"
         "60A44C3FACC93110B9970045&0",
         kUsbTime,
         {HiveValue::string("FriendlyName", "Kingston DataTraveler 3.0 USB Device")}});
    return spec;
}

TEST_F(RegistryHiveWriter, ValuesOfEveryTypeReadBackExactly) {
    HiveSpec spec;
    spec.written = kWritten;
    const std::vector<std::string> list = {"a", "b"};
    const std::vector<std::byte> three = {std::byte{0x0a}, std::byte{0x0b}, std::byte{0x0c}};
    spec.keys.push_back(
        {"Values",
         kNameTime,
         {HiveValue::string("Text", "DESKTOP-7Q2K1M"), HiveValue::string("Cyrillic", "Привет, мир"),
          HiveValue::string("", "default"), HiveValue::expand_string("Expand", "%SystemRoot%\\x"),
          HiveValue::dword("Dword", 0xffffff4c), HiveValue::qword("Qword", 0x1122334455667788),
          HiveValue::binary("Binary", three), HiveValue::multi_string("Multi", list)}});
    const std::string hive = save("values", build_hive(spec));

    EXPECT_EQ(value_of(hive, "Values", "Text"), "DESKTOP-7Q2K1M");
    EXPECT_EQ(value_of(hive, "Values", "Cyrillic"), "Привет, мир");
    EXPECT_EQ(value_of(hive, "Values", ""), "default");  // hivexget: "" is the default value
    EXPECT_EQ(value_of(hive, "Values", "Binary"), "\x0a\x0b\x0c");
    // The key in .reg form: every value's type and bytes.
    const std::string reg = hivexget(hive, "Values");
    EXPECT_TRUE(contains(reg, "\"Text\"=\"DESKTOP-7Q2K1M\"")) << reg;
    EXPECT_TRUE(contains(reg, "\"@\"=\"default\"")) << reg;  // hivexget quotes the default's @
    EXPECT_TRUE(contains(reg, "\"Expand\"=str(2):\"%SystemRoot%\\\\x\"")) << reg;
    EXPECT_TRUE(contains(reg, "\"Dword\"=dword:ffffff4c")) << reg;
    EXPECT_TRUE(contains(reg, "\"Qword\"=hex(11):88,77,66,55,44,33,22,11")) << reg;
    EXPECT_TRUE(contains(reg, "\"Binary\"=hex(3):0a,0b,0c")) << reg;
    EXPECT_TRUE(contains(reg, "\"Multi\"=hex(7):61,00,00,00,62,00,00,00,00,00")) << reg;

    // libregf reads the same hive: its key hierarchy and the string's data.
    auto info = run("regfinfo " + shell_quote(hive));
    EXPECT_EQ(info.exit_code, 0) << info.err;
    EXPECT_TRUE(contains(info.out, "Version:\t1.5")) << info.out;
    EXPECT_TRUE(contains(info.out, "(key:) Values")) << info.out;
    auto exported = run("regfexport " + shell_quote(hive));
    EXPECT_EQ(exported.exit_code, 0) << exported.err;
    EXPECT_TRUE(contains(exported.out, "Data: Привет, мир")) << exported.out;
    // Both sequence numbers alike: RegRipper finds the hive clean.
    EXPECT_TRUE(contains(run("regripper -r " + shell_quote(hive) + " -d").out, "not dirty"));
}

TEST_F(RegistryHiveWriter, KeyTimesAreTheSpecsAndParentsTakeTheirFirstChilds) {
    HiveSpec spec = system_like();
    const std::string hive = save("SYSTEM", build_hive(spec));
    auto xml = run("hivexml " + shell_quote(hive));
    ASSERT_EQ(xml.exit_code, 0) << xml.err;
    auto iso = [](int64_t t) {
        std::string s = utc_text(t);
        s[10] = 'T';
        return "<mtime>" + s + "Z</mtime>";
    };
    // The base block's time, then the root's (unlisted: the spec's written time).
    EXPECT_TRUE(contains(xml.out, "<hive>" + iso(kWritten))) << xml.out;
    EXPECT_TRUE(contains(xml.out, "<node name=\"ROOT\" root=\"1\">" + iso(kWritten))) << xml.out;
    // ControlSet001 is first made for ComputerName, listed second: its time.
    EXPECT_TRUE(contains(xml.out, "<node name=\"ControlSet001\">" + iso(kNameTime))) << xml.out;
    EXPECT_TRUE(contains(xml.out, "<node name=\"Enum\">" + iso(kUsbTime))) << xml.out;
    // No time of the moment of building is left anywhere: every key has one of the spec's.
    size_t mtimes = 0;
    for (size_t at = xml.out.find("<mtime>"); at != std::string::npos;
         at = xml.out.find("<mtime>", at + 1)) {
        ++mtimes;
        const std::string one = xml.out.substr(at, iso(0).size());
        EXPECT_TRUE(one == iso(kWritten) || one == iso(kNameTime) || one == iso(kZoneTime) ||
                    one == iso(kUsbTime))
            << one;
    }
    EXPECT_EQ(mtimes, 1u + 14u);  // the base block and the 14 keys, root included

    // RegRipper's view: the time zone key's and the USB device's times.
    const std::string zone = regripper(hive, "timezone");
    EXPECT_TRUE(contains(zone, "LastWrite Time " + utc_text(kZoneTime) + "Z")) << zone;
    const std::string usb = regripper(hive, "usbstor");
    EXPECT_TRUE(contains(
        usb, "Disk&Ven_Kingston&Prod_DataTraveler_3.0&Rev_PMAP [" + utc_text(kUsbTime) + "]"))
        << usb;
    EXPECT_TRUE(contains(usb, "S/N: 60A44C3FACC93110B9970045&0 [" + utc_text(kUsbTime) + "Z]"))
        << usb;
}

TEST_F(RegistryHiveWriter, RegRipperReadsASystemHive) {
    const std::string hive = save("SYSTEM", build_hive(system_like()));
    const std::string name = regripper(hive, "compname");
    EXPECT_TRUE(contains(name, "ComputerName    = DESKTOP-7Q2K1M")) << name;
    EXPECT_TRUE(contains(name, "TCP/IP Hostname = desktop-7q2k1m")) << name;

    const std::string zone = regripper(hive, "timezone");
    EXPECT_TRUE(contains(zone, "ControlSet001\\Control\\TimeZoneInformation")) << zone;
    EXPECT_TRUE(contains(zone, "StandardName   -> Russian Standard Time")) << zone;
    EXPECT_TRUE(contains(zone, "DaylightName   -> Russian Daylight Time")) << zone;
    EXPECT_TRUE(contains(zone, "Bias           -> -180 (-3 hours)")) << zone;
    EXPECT_TRUE(contains(zone, "ActiveTimeBias -> -180 (-3 hours)")) << zone;
    EXPECT_TRUE(contains(zone, "TimeZoneKeyName-> Russian Standard Time")) << zone;

    const std::string usb = regripper(hive, "usbstor");
    EXPECT_TRUE(contains(usb, "FriendlyName          : Kingston DataTraveler 3.0 USB Device"))
        << usb;
}

TEST_F(RegistryHiveWriter, RegRipperReadsAnNtuserHive) {
    const std::string program = "{1AC14E77-02E7-4E5D-B744-2EB1AE5198B7}\\cmd.exe";
    // Windows 7 and later: 72 bytes, the run count at 4, the last run's FILETIME at 60.
    std::vector<std::byte> entry(72);
    put_le(entry, 4, 7, 4);
    const uint64_t run_filetime = (static_cast<uint64_t>(kRunTime) + 11644473600ULL) * 10000000ULL;
    put_le(entry, 60, run_filetime, 8);
    const std::string explorer = "Software\\Microsoft\\Windows\\CurrentVersion\\Explorer";

    // RecentDocs: numbered values (a UTF-16 name, NUL, then a shell item) in MRUListEx order.
    std::vector<std::byte> order(12);
    put_le(order, 0, 1, 4);
    put_le(order, 4, 0, 4);
    put_le(order, 8, 0xffffffff, 4);
    std::vector<std::byte> first = utf16z(u"secret.pdf"), second = utf16z(u"отчёт.docx");
    for (auto* item : {&first, &second})
        item->insert(item->end(), {std::byte{0x14}, std::byte{0}, std::byte{0x1f}, std::byte{0}});

    HiveSpec spec;
    spec.root_name = "CMI-CreateHive{D43B12B8-09B5-40DB-B4F6-F6DFEB78DAEC}";
    spec.file_name = "\\??\\C:\\Users\\alice\\ntuser.dat";
    spec.written = kWritten;
    spec.keys.push_back({explorer + "\\UserAssist\\{CEBFF5CD-ACE2-4F4F-9178-9926F41749EA}\\Count",
                         kRunTime,
                         {HiveValue::binary(rot13(program), entry)}});
    spec.keys.push_back({explorer + "\\RecentDocs",
                         kDocsTime,
                         {HiveValue::binary("MRUListEx", order), HiveValue::binary("0", first),
                          HiveValue::binary("1", second)}});
    const std::string hive = save("NTUSER.DAT", build_hive(spec));

    const std::string assist = regripper(hive, "userassist");
    // The UserAssist key is not listed: it takes the time of its first listed key below it.
    EXPECT_TRUE(contains(assist, "LastWrite Time " + utc_text(kRunTime) + "Z")) << assist;
    EXPECT_TRUE(contains(assist, "{CEBFF5CD-ACE2-4F4F-9178-9926F41749EA}")) << assist;
    EXPECT_TRUE(contains(assist, utc_text(kRunTime) + "Z\n  " + program + " (7)")) << assist;

    const std::string docs = regripper(hive, "recentdocs");
    EXPECT_TRUE(contains(docs, "LastWrite Time: " + utc_text(kDocsTime) + "Z")) << docs;
    EXPECT_TRUE(contains(docs, "  1 = отчёт.docx\n  0 = secret.pdf")) << docs;
}

TEST_F(RegistryHiveWriter, ThousandsOfKeysAndADeepOne) {
    HiveSpec spec;
    spec.written = kWritten;
    for (int group = 0; group < 40; ++group)
        for (int item = 0; item < 60; ++item)
            spec.keys.push_back({"Groups\\G" + std::to_string(group) + "\\K" + std::to_string(item),
                                 kNameTime + group,
                                 {HiveValue::dword("Index", static_cast<uint32_t>(item)),
                                  HiveValue::string("Name", "key " + std::to_string(item))}});
    std::string deep = "Deep";
    for (int level = 1; level < 40; ++level) deep += "\\Level" + std::to_string(level);
    spec.keys.push_back({deep, kZoneTime, {HiveValue::string("Bottom", "reached")}});
    const std::string hive = save("big", build_hive(spec));

    EXPECT_EQ(value_of(hive, deep, "Bottom"), "reached");
    EXPECT_EQ(value_of(hive, "Groups\\G39\\K59", "Name"), "key 59");
    EXPECT_EQ(value_of(hive, "Groups\\G17\\K3", "Index"), "3");
    auto info = run("regfinfo " + shell_quote(hive));
    EXPECT_EQ(info.exit_code, 0) << info.err;
    EXPECT_TRUE(contains(info.out, "(key:) K59")) << info.err;
    EXPECT_TRUE(contains(info.out, "(key:) Level39")) << info.err;
}

TEST_F(RegistryHiveWriter, TheSameSpecGivesTheSameBytes) {
    const HiveSpec spec = system_like();
    const std::vector<std::byte> first = build_hive(spec);
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));  // another second of the clock
    const std::vector<std::byte> second = build_hive(spec);
    EXPECT_EQ(first, second);
    HiveSpec later = spec;
    later.written += 1;
    EXPECT_NE(build_hive(later), first);
}

TEST_F(RegistryHiveWriter, BadSpecsFailWithOneLineNamingTheKeyOrValue) {
    auto one_line_with = [](const std::string& message, const std::string& part) {
        EXPECT_FALSE(message.empty());
        EXPECT_EQ(message.find('\n'), std::string::npos) << message;
        EXPECT_TRUE(contains(message, part)) << message;
    };
    HiveSpec empty_part;
    empty_part.keys.push_back({"Software\\\\Example", kNameTime, {}});
    one_line_with(error_of([&] { build_hive(empty_part); }), "Software\\\\Example");

    HiveSpec too_large;
    const std::vector<std::byte> big(16345);
    too_large.keys.push_back({"Software", kNameTime, {HiveValue::binary("Blob", big)}});
    one_line_with(error_of([&] { build_hive(too_large); }), "'Blob'");

    HiveSpec twice;
    twice.keys.push_back({"Software\\A", kNameTime, {}});
    twice.keys.push_back({"software\\a", kNameTime, {}});
    one_line_with(error_of([&] { build_hive(twice); }), "listed twice");

    HiveSpec bad_root;
    bad_root.root_name = "has space";
    one_line_with(error_of([&] { build_hive(bad_root); }), "root key name");

    one_line_with(error_of([&] { HiveValue::string("Bad", "\xff\xfe"); }), "'Bad'");
    const std::vector<std::string> with_empty = {"a", ""};
    one_line_with(error_of([&] { HiveValue::multi_string("List", with_empty); }), "'List'");
}

// The recipe's `generate: {type: registry}`: mistakes at their lines.
class RegistryRecipe : public RegistryHiveWriter {
  protected:
    // Parses a recipe whose one action writes the hive with `keys` (YAML lines under `keys:`,
    // from line 10); returns the error's message, or "" when it parses.
    std::string parse_error(const std::string& keys) {
        const std::string path = dir_ + "/recipe.yaml";
        std::ofstream(path) << kHead << keys;
        try {
            parse_recipe(path, {});
        } catch (const RecipeError& e) {
            return e.what();
        }
        return "";
    }
    static constexpr const char* kHead =
        "start: 2024-03-01T10:00:00Z\n"        // 1
        "disk:\n"                              // 2
        "  size: 16MiB\n"                      // 3
        "  partitions:\n"                      // 4
        "    - {id: p1, filesystem: fat16}\n"  // 5
        "actions:\n"                           // 6
        "  - write: /SYSTEM\n"                 // 7
        "    generate:\n"                      // 8
        "      type: registry\n"               // 9
        "      keys:\n";                       // 10
};

TEST_F(RegistryRecipe, MistakesAreReportedAtTheirLines) {
    auto at_line = [&](const std::string& message, int line, const std::string& part) {
        EXPECT_TRUE(contains(message, "recipe.yaml:" + std::to_string(line) + ":")) << message;
        EXPECT_TRUE(contains(message, part)) << message;
        EXPECT_EQ(message.find('\n'), std::string::npos) << message;
    };
    EXPECT_EQ(parse_error("        - path: A\\B\n"
                          "          values:\n"
                          "            - {name: D, type: dword, value: -2147483648}\n"
                          "            - {name: E, type: dword, value: 4294967295}\n"
                          "            - {name: Q, type: qword, value: 18446744073709551615}\n"
                          "            - {name: M, type: multi_string, value: [a, b]}\n"
                          "            - {name: B, type: binary, hex: \"0a0b0c\"}\n"),
              "");
    at_line(parse_error("        - path: A\\\\B\n"), 11, "empty name");
    at_line(parse_error("        - path: A\n"
                        "          values:\n"
                        "            - {name: D, type: dword, value: 4294967296}\n"),
            13, "4294967295");
    at_line(parse_error("        - path: A\n"
                        "          values:\n"
                        "            - {name: D, type: dword, value: -2147483649}\n"),
            13, "-2147483648");
    at_line(parse_error("        - path: A\n"
                        "          values:\n"
                        "            - {name: B, type: binary, hex: \"" +
                        std::string(2 * 16345, 'a') + "\"}\n"),
            13, "16344");
    at_line(parse_error("        - path: A\n"
                        "          values:\n"
                        "            - {name: S, type: sting, value: x}\n"),
            13, "sting");
    at_line(parse_error("        - path: A\n"
                        "        - path: a\n"),
            12, "listed twice");
    at_line(parse_error("        - path: A\n"
                        "          time: 2024-13-01T00:00:00Z\n"),
            12, "not a time");
}

// A FAT image holding a generated SYSTEM hive: TSK finds the file, icat gives its bytes, hivexget
// reads the values; the base block's time is the action's; a build under a faked clock gives the
// same image.
TEST_F(RegistryRecipe, AHiveInsideABuiltImage) {
    const std::string recipe = dir_ + "/hive.yaml";
    std::ofstream(recipe)
        << "name: hive\n"
           "start: 2024-03-01T08:00:00Z\n"
           "disk:\n"
           "  size: 16MiB\n"
           "  table: none\n"
           "  partitions:\n"
           "    - {id: c, filesystem: fat16}\n"
           "actions:\n"
           "  - mkdir: /config\n"
           "  - at: 2024-03-05T08:00:00Z\n"
           "    write: /config/SYSTEM\n"
           "    generate:\n"
           "      type: registry\n"
           "      file_name: \\??\\C:\\Windows\\System32\\config\\SYSTEM\n"
           "      keys:\n"
           "        - path: Select\n"
           "          values: [{name: Current, type: dword, value: 1}]\n"
           "        - path: ControlSet001\\Control\\ComputerName\\ComputerName\n"
           "          time: 2024-03-01T09:12:00Z\n"
           "          values:\n"
           "            - {name: ComputerName, type: string, value: DESKTOP-7Q2K1M}\n"
           "        - path: ControlSet001\\Control\\TimeZoneInformation\n"
           "          values:\n"
           "            - {name: ActiveTimeBias, type: dword, value: -180}\n"
           "            - {name: Paths, type: multi_string, value: [a, b]}\n"
           "            - {name: Data, type: binary, hex: \"0a0b0c\"}\n";
    auto built = dflab::test::dflab("image build " + shell_quote(recipe) + " -o " +
                                    shell_quote(dir_ + "/out"));
    ASSERT_EQ(built.exit_code, 0) << built.err;
    const std::string raw = dir_ + "/out/hive.raw";
    std::string inode;
    for (const auto& e : dflab::test::fls(raw))
        if (e.path == "/config/SYSTEM") inode = e.inode;
    ASSERT_FALSE(inode.empty());
    const std::string hive = dir_ + "/SYSTEM";
    auto cat = run("icat " + shell_quote(raw) + " " + inode + " > " + shell_quote(hive));
    ASSERT_EQ(cat.exit_code, 0) << cat.err;

    EXPECT_EQ(value_of(hive, "ControlSet001\\Control\\ComputerName\\ComputerName", "ComputerName"),
              "DESKTOP-7Q2K1M");
    EXPECT_EQ(value_of(hive, "ControlSet001\\Control\\TimeZoneInformation", "ActiveTimeBias"),
              "-180");
    const std::string reg = hivexget(hive, "ControlSet001\\Control\\TimeZoneInformation");
    EXPECT_TRUE(contains(reg, "\"Data\"=hex(3):0a,0b,0c")) << reg;
    EXPECT_TRUE(contains(reg, "\"Paths\"=hex(7):61,00,00,00,62,00,00,00,00,00")) << reg;
    EXPECT_TRUE(contains(regripper(hive, "compname"), "ComputerName    = DESKTOP-7Q2K1M"));
    // Times: the base block and the keys without their own are the action's; one key has its own.
    auto xml = run("hivexml " + shell_quote(hive));
    ASSERT_EQ(xml.exit_code, 0) << xml.err;
    EXPECT_TRUE(contains(xml.out, "<hive><mtime>2024-03-05T08:00:00Z</mtime>")) << xml.out;
    EXPECT_TRUE(contains(xml.out, "<node name=\"TimeZoneInformation\"><mtime>2024-03-05T08:00:00Z"))
        << xml.out;
    EXPECT_TRUE(contains(xml.out, "<node name=\"ComputerName\"><mtime>2024-03-01T09:12:00Z"))
        << xml.out;

    // Built again under a clock years later: the same image, byte for byte.
    const std::string faked = dflab::test::under_faked_clock("2031-07-04 23:59:58");
    ASSERT_EQ(run(faked + "date -u +%Y").out, "2031\n");
    auto again = run(faked + shell_quote(DFLAB_BINARY) + " image build " + shell_quote(recipe) +
                     " -o " + shell_quote(dir_ + "/again"));
    ASSERT_EQ(again.exit_code, 0) << again.err;
    EXPECT_EQ(
        run("cmp " + shell_quote(raw) + " " + shell_quote(dir_ + "/again/hive.raw")).exit_code, 0);
}

}  // namespace
}  // namespace dflab::images
