// The phone's settings files in the Android userdata example, packages.xml and
// WifiConfigStore.xml, extracted with fls and icat and read by xmllint (libxml2's own command,
// sharing no code with dflab's reader) against `dflab artifacts`; install times converted by bash
// and date; hostile XML (entity bombs, truncation, deep nesting, Android Binary XML) refused
// with one line naming the file.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <span>
#include <string>
#include <vector>

#include "engine/android_settings.hpp"
#include "engine/error.hpp"
#include "tests/support/android_userdata.hpp"

namespace dflab {
namespace {

using test::AndroidUserdata;
using test::run;
using test::shell_quote;
using test::text;

const std::string kPackages = "/system/packages.xml";
const std::string kWifi = "/misc/wifi/WifiConfigStore.xml";

// What xmllint's XPath gives for `expression` (a string() or count()), without its newline.
std::string xpath(const std::string& file, const std::string& expression) {
    auto r = run("xmllint --nonet --xpath " + shell_quote(expression) + " " + shell_quote(file));
    EXPECT_EQ(r.exit_code, 0) << expression << ": " << r.err;
    if (!r.out.empty() && r.out.back() == '\n') r.out.pop_back();
    return r.out;
}

// Hexadecimal milliseconds as bash reads them, then as UTC seconds.
std::string hex_ms(const std::string& hex) {
    auto r = run("bash -c " + shell_quote("echo $((16#" + hex + "))"));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return test::lines(r.out).front();
}

std::string utc_of_ms(const std::string& ms) {
    auto r = run("date -u -d @" + std::to_string(std::stoll(ms) / 1000) + " +%Y-%m-%dT%H:%M:%SZ");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return test::lines(r.out).front();
}

std::string unquoted(std::string s) {
    if (s.size() >= 2 && s.front() == '"' && s.back() == '"') s = s.substr(1, s.size() - 2);
    return s;
}

TEST_F(AndroidUserdata, EveryInstalledAppIsReadAsXmllintReadsIt) {
    const std::string file = extract(kPackages);
    const int count = std::stoi(xpath(file, "count(/packages/package)"));
    ASSERT_EQ(count, 3);
    std::vector<std::string> expected;
    for (int i = 1; i <= count; ++i) {
        const std::string at = "/packages/package[" + std::to_string(i) + "]/@";
        auto attr = [&](const char* name) { return xpath(file, "string(" + at + name + ")"); };
        const std::string installed = hex_ms(attr("it"));
        expected.push_back("package/" + attr("name") + "|" + attr("name") + "|" + attr("version") +
                           "|" + attr("installer") + "|" + attr("userId") + "|" + attr("codePath") +
                           "|" + installed + "|" + hex_ms(attr("ut")) + "|" + utc_of_ms(installed) +
                           "|installed");
    }
    std::vector<std::string> listed;
    for (const auto& a : artifacts("installed_app")) {
        EXPECT_EQ(a["path"], kPackages);
        const auto& f = a["fields"];
        listed.push_back(text(a["source"]) + "|" + text(f["package"]) + "|" + text(f["version"]) +
                         "|" + text(f["installer"]) + "|" + text(f["user_id"]) + "|" +
                         text(f["code_path"]) + "|" + text(f["first_install_ms"]) + "|" +
                         text(f["last_update_ms"]) + "|" + text(a["time"]) + "|" +
                         text(a["time_kind"]));
    }
    EXPECT_EQ(listed, expected);
}

TEST_F(AndroidUserdata, EverySavedWifiNetworkIsReadAsXmllintReadsIt) {
    const std::string file = extract(kWifi);
    const std::string networks = "/WifiConfigStoreData/NetworkList/Network";
    const int count = std::stoi(xpath(file, "count(" + networks + ")"));
    ASSERT_EQ(count, 2);
    std::vector<std::string> expected;
    for (int i = 1; i <= count; ++i) {
        const std::string config = networks + "[" + std::to_string(i) + "]/WifiConfiguration/";
        auto string = [&](const char* name) {
            return xpath(file, "string(" + config + "string[@name='" + name + "'])");
        };
        const std::string key = string("ConfigKey");
        expected.push_back("network/" + std::to_string(i) + "|" + unquoted(string("SSID")) + "|" +
                           key + "|" + key.substr(key.rfind('"') + 1) + "|" +
                           unquoted(string("PreSharedKey")) + "|" + string("CreatorName") + "|" +
                           xpath(file, "string(" + config + "int[@name='CreatorUid']/@value)") +
                           "|" + string("CreationTime"));
    }
    std::vector<std::string> listed;
    for (const auto& a : artifacts("wifi_network")) {
        EXPECT_EQ(a["path"], kWifi);
        EXPECT_TRUE(a["time"].is_null());  // CreationTime has no year: Android writes none
        const auto& f = a["fields"];
        listed.push_back(text(a["source"]) + "|" + text(f["ssid"]) + "|" + text(f["config_key"]) +
                         "|" + text(f["security"]) + "|" + text(f["pre_shared_key"]) + "|" +
                         text(f["creator_name"]) + "|" + text(f["creator_uid"]) + "|" +
                         text(f["creation_time_text"]));
    }
    EXPECT_EQ(listed, expected);
}

std::span<const std::byte> bytes(const std::string& s) {
    return std::as_bytes(std::span(s));
}

// What reading `xml` as the file "s.xml" throws, or "" when it throws nothing.
std::string refusal(const std::string& xml) {
    return test::error_of([&] { engine::read_android_settings(bytes(xml), "s.xml"); });
}

// xmllint's verdict on the same text: whether it is well-formed.
bool xmllint_accepts(const std::string& xml) {
    const std::string file = test::temp_dir() + "/s.xml";
    std::ofstream(file, std::ios::binary) << xml;
    return run("xmllint --nonet --noout " + shell_quote(file)).exit_code == 0;
}

TEST(AndroidSettings, RecognisesTheSettingsFilesByTheirRootElement) {
    const std::string declaration = "<?xml version='1.0' encoding='utf-8' standalone='yes' ?>\n";
    EXPECT_TRUE(engine::android_settings_file(bytes(declaration + "<packages>\n")));
    EXPECT_TRUE(engine::android_settings_file(
        bytes("\xEF\xBB\xBF" + declaration + "<!-- saved -->\n<WifiConfigStoreData>")));
    EXPECT_FALSE(engine::android_settings_file(bytes(declaration + "<map>\n")));
    EXPECT_FALSE(engine::android_settings_file(bytes("<packages> without a declaration")));
    // Android Binary XML: magic, START_DOCUMENT, START_TAG with a new interned name.
    EXPECT_TRUE(engine::android_settings_file(
        bytes(std::string("ABX\0\x10\x32\xFF\xFF\x00\x08packages", 18))));
    EXPECT_FALSE(
        engine::android_settings_file(bytes(std::string("ABX\0\x10\x32\xFF\xFF\x00\x03map", 13))));
}

TEST(AndroidSettings, HostileXmlIsRefusedInOneLineNamingTheFile) {
    const std::string declaration = "<?xml version='1.0'?>\n";
    // An entity bomb: ten levels of ten references, a billion "lol"s when expanded.
    std::string bomb = declaration + "<!DOCTYPE packages [<!ENTITY l0 \"lol\">";
    for (int i = 1; i < 10; ++i) {
        bomb += "<!ENTITY l" + std::to_string(i) + " \"";
        for (int j = 0; j < 10; ++j) bomb += "&l" + std::to_string(i - 1) + ";";
        bomb += "\">";
    }
    bomb += "]>\n<packages><package name=\"&l9;\" /></packages>";
    EXPECT_EQ(refusal(bomb),
              "s.xml: declares a document type (DOCTYPE), which Android's settings files never "
              "do; not read");
    const std::string external = declaration +
                                 "<!DOCTYPE packages [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
                                 "<packages><package name=\"&x;\" /></packages>";
    EXPECT_TRUE(refusal(external).starts_with("s.xml: declares a document type"))
        << refusal(external);

    const std::string truncated = declaration + "<packages>\n<package name=\"com.whatsapp\" it=";
    EXPECT_FALSE(xmllint_accepts(truncated));
    EXPECT_TRUE(refusal(truncated).starts_with("s.xml: not well-formed XML (line 3): "))
        << refusal(truncated);

    std::string deep = declaration + "<packages>";
    for (int i = 0; i < 100000; ++i) deep += "<a>";
    EXPECT_FALSE(xmllint_accepts(deep));  // libxml2's depth limit, as xmllint meets it too
    EXPECT_TRUE(refusal(deep).starts_with("s.xml: not well-formed XML")) << refusal(deep);

    EXPECT_EQ(refusal(std::string("ABX\0\x10\x32\xFF\xFF\x00\x08packages", 18)),
              "s.xml: Android Binary XML (ABX, Android 12 and later), which dflab does not read "
              "yet");
    EXPECT_EQ(refusal(declaration + "<map />"),
              "s.xml: not a packages.xml or WifiConfigStore.xml (root element 'map')");
    for (const std::string& xml : {bomb, truncated, deep}) {
        EXPECT_EQ(refusal(xml).find('\n'), std::string::npos) << refusal(xml);
    }
}

TEST(AndroidSettings, MissingValuesAreNullNotGuessed) {
    const std::string xml =
        "<?xml version='1.0'?>\n<WifiConfigStoreData><NetworkList><Network><WifiConfiguration>"
        "<string name=\"ConfigKey\">&quot;Cafe&quot;NONE</string>"
        "<string name=\"SSID\">&quot;Cafe&quot;</string><null name=\"PreSharedKey\" />"
        "<boolean name=\"HiddenSSID\" value=\"true\" />"
        "</WifiConfiguration></Network></NetworkList></WifiConfigStoreData>";
    const auto found = engine::read_android_settings(bytes(xml), "w.xml");
    ASSERT_EQ(found.size(), 1u);
    const auto& f = found.front().fields;
    EXPECT_EQ(f["ssid"], "Cafe");
    EXPECT_EQ(f["security"], "NONE");
    EXPECT_TRUE(f["pre_shared_key"].is_null());
    EXPECT_EQ(f["hidden"], true);
    EXPECT_TRUE(f["creator_uid"].is_null());
    EXPECT_TRUE(f["creation_time_text"].is_null());

    const std::string packages =
        "<?xml version='1.0'?>\n<packages><package name=\"x.y\" it=\"not-hex\" /></packages>";
    const auto apps = engine::read_android_settings(bytes(packages), "p.xml");
    ASSERT_EQ(apps.size(), 1u);
    EXPECT_FALSE(apps.front().time);
    EXPECT_TRUE(apps.front().fields["first_install_ms"].is_null());
    EXPECT_TRUE(apps.front().fields["installer"].is_null());
}

}  // namespace
}  // namespace dflab
