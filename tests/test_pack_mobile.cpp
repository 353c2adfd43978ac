// `dflab pack build` on the shipped mobile pack: identical bundles on every build, the recipe the
// same as the example's, and every key answer as independent tools read it from each variant's
// phone image: the databases extracted with fls and icat and queried with sqlite3 (times
// converted by sqlite3's strftime), the photo's time from exiftool, the settings files read with
// xmllint.
#include <gtest/gtest.h>

#include <ctime>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/oracle.hpp"
#include "tests/support/artifact_image.hpp"
#include "tests/support/built_intro.hpp"
#include "tests/support/fixtures.hpp"
#include "tests/support/shipped_pack.hpp"

namespace fs = std::filesystem;
using namespace dflab::test;

namespace {

const fs::path kPack = fs::path(DFLAB_SOURCE_DIR) / "exercises/packs/mobile";

const fs::path& built() {
    static const fs::path out = built_shipped_pack("mobile");
    return out;
}

std::string answer(const std::string& id, int variant) {
    const nlohmann::json& a = key_answer(built(), id, variant);
    return a.is_string() ? a.get<std::string>() : a.dump();
}

// sqlite3's single value for `sql` on the database at `path` of the variant's phone.
class Phone {
  public:
    explicit Phone(int variant)
        : raw_(participant_image(built(), variant, "android-userdata.raw")) {}

    std::string value(const std::string& path, const std::string& sql) {
        const std::string db = extract(path);
        auto r =
            run("sqlite3 -batch -noheader -readonly " + shell_quote(db) + " " + shell_quote(sql));
        EXPECT_EQ(r.exit_code, 0) << r.err;
        const auto rows = lines(r.out);
        EXPECT_FALSE(rows.empty()) << sql;
        return rows.empty() ? "" : rows.front();
    }

    std::string extract(const std::string& path) {
        const std::string out = dir_ + "/" + std::to_string(next_++);
        EXPECT_EQ(extract_with_icat(raw_, path, out), out) << "fls/icat: " << path;
        return out;
    }

  private:
    std::string raw_;
    std::string dir_ = temp_dir();
    int next_ = 0;
};

constexpr const char* kSms = "/data/com.android.providers.telephony/databases/mmssms.db";
constexpr const char* kCalls = "/data/com.android.providers.contacts/databases/calllog.db";
constexpr const char* kContacts = "/data/com.android.providers.contacts/databases/contacts2.db";
constexpr const char* kWhatsapp = "/data/com.whatsapp/databases/msgstore.db";
constexpr const char* kHistory = "/data/com.android.chrome/app_chrome/Default/History";
const std::string kIso = "strftime('%Y-%m-%dT%H:%M:%SZ', ";

// xmllint's answer to `expression` on the XML file at `path`.
std::string xpath(const std::string& path, const std::string& expression) {
    auto r = run("xmllint --xpath " + shell_quote(expression) + " " + shell_quote(path));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
}

// The value of one attribute as xmllint prints it: ` name="value"`.
std::string attribute_value(const std::string& printed) {
    const size_t open = printed.find('"');
    const size_t close = printed.rfind('"');
    if (open == std::string::npos || close <= open) return printed;
    return printed.substr(open + 1, close - open - 1);
}

TEST(PackMobile, ThePackBuildsTheExampleRecipe) {
    EXPECT_EQ(
        read_file((kPack / "images/phone.yaml").string()),
        read_file((fs::path(DFLAB_SOURCE_DIR) / "images/examples/android-userdata.yaml").string()))
        << "images/phone.yaml is a copy of images/examples/android-userdata.yaml";
}

TEST(PackMobile, TwoBuildsGiveIdenticalBundles) {
    EXPECT_EQ(rebuild_differences(kPack, built()), "");
}

TEST(PackMobile, AnswersAgreeWithSqlite3AndExiftool) {
    for (int v : {0, 1}) {
        SCOPED_TRACE("variant " + std::to_string(v));
        Phone p(v);
        // Telephony MESSAGE_TYPE_INBOX 1, _SENT 2; CallLog OUTGOING_TYPE 2.
        EXPECT_EQ(
            answer("instructor-number", v),
            p.value(kSms, "SELECT address FROM sms WHERE type = 1 AND body LIKE 'Call the list%'"));
        EXPECT_EQ(answer("instruction-time", v),
                  p.value(kSms, "SELECT " + kIso +
                                    "date/1000, 'unixepoch') FROM sms WHERE type = 1 AND body "
                                    "LIKE 'Call the list%'"));
        const std::string victim =
            p.value(kSms, "SELECT address FROM sms WHERE type = 2 AND body LIKE 'Ваша карта%'");
        EXPECT_EQ(answer("victim-number", v), victim);
        EXPECT_EQ(answer("victim-code", v),
                  p.value(kSms, "SELECT " + kIso +
                                    "date/1000, 'unixepoch') FROM sms WHERE type = 1 AND address "
                                    "= '" +
                                    victim + "'"));
        EXPECT_EQ(answer("call-duration", v),
                  p.value(kCalls, "SELECT duration FROM calls WHERE type = 2 AND number = '" +
                                      victim + "'"));
        EXPECT_EQ(
            answer("group-chat", v),
            p.value(kWhatsapp, "SELECT subject FROM chat_list WHERE key_remote_jid LIKE '%@g.us'"));
        EXPECT_EQ(answer("payment-instruction", v),
                  p.value(kWhatsapp, "SELECT " + kIso +
                                         "timestamp/1000, 'unixepoch') FROM messages WHERE "
                                         "key_from_me = 0 AND data LIKE '%Kaspi card%'"));
        EXPECT_EQ(answer("deleted-contact", v),
                  p.value(kContacts, "SELECT display_name FROM raw_contacts WHERE deleted = 1"));
        EXPECT_EQ(answer("transfer-page", v),
                  p.value(kHistory, "SELECT " + kIso +
                                        "v.visit_time/1000000 - 11644473600, 'unixepoch') FROM "
                                        "visits v JOIN urls u ON u.id = v.url WHERE u.url LIKE "
                                        "'https://kaspi.kz/%'"));

        // The photo: exiftool's DateTimeOriginal at its OffsetTimeOriginal, turned into UTC here.
        const std::string photo = p.extract("/media/0/DCIM/Camera/20250414_140309.jpg");
        auto exif =
            run("exiftool -json -DateTimeOriginal -OffsetTimeOriginal " + shell_quote(photo));
        ASSERT_EQ(exif.exit_code, 0) << exif.err;
        const auto tags = nlohmann::json::parse(exif.out).at(0);
        std::tm tm{};
        ASSERT_NE(
            strptime(tags["DateTimeOriginal"].get<std::string>().c_str(), "%Y:%m:%d %H:%M:%S", &tm),
            nullptr);
        const std::string offset = tags["OffsetTimeOriginal"];  // "+05:00"
        const int64_t shift = (offset[0] == '-' ? -1 : 1) * (std::stoi(offset.substr(1, 2)) * 3600 +
                                                             std::stoi(offset.substr(4, 2)) * 60);
        EXPECT_EQ(answer("photo-time", v), iso_utc(timegm(&tm) - shift));

        // packages.xml: the package whose first install time (hex ms since 1970) falls on
        // 12 April in Almaty (UTC+05:00), its date as date(1) gives it.
        const std::string packages = p.extract("/system/packages.xml");
        const auto names = lines(xpath(packages, "//package/@name"));
        const auto installs = lines(xpath(packages, "//package/@it"));
        ASSERT_EQ(names.size(), installs.size());
        ASSERT_FALSE(names.empty());
        std::vector<std::string> on_the_12th;
        for (size_t i = 0; i < names.size(); ++i) {
            const std::string it = attribute_value(installs[i]);
            const int64_t seconds = std::stoll(it, nullptr, 16) / 1000;
            const auto day = run("TZ=Asia/Almaty date -d @" + std::to_string(seconds) + " +%F");
            ASSERT_EQ(day.exit_code, 0) << day.err;
            if (lines(day.out).at(0) == "2025-04-12")
                on_the_12th.push_back(attribute_value(names[i]));
        }
        ASSERT_EQ(on_the_12th.size(), 1u);
        EXPECT_EQ(answer("installed-app", v), on_the_12th.front());

        // WifiConfigStore.xml: the SSID (stored in quotes) of the network created on 04-13.
        const std::string wifi = p.extract("/misc/wifi/WifiConfigStore.xml");
        const auto ssid =
            lines(xpath(wifi,
                        "string(//WifiConfiguration[string[@name='CreationTime'][starts-with(., "
                        "'time=04-13 ')]]/string[@name='SSID'])"));
        ASSERT_EQ(ssid.size(), 1u);
        ASSERT_GE(ssid.front().size(), 2u);
        EXPECT_EQ(answer("office-wifi", v), ssid.front().substr(1, ssid.front().size() - 2));

        // The deleted message: no row of msgstore.db holds the card, its bytes still do, and
        // the key takes the card number as a participant writes it.
        const std::string card = "5169 4971 0388 2406";
        EXPECT_EQ(
            p.value(kWhatsapp, "SELECT count(*) FROM messages WHERE data LIKE '%" + card + "%'"),
            "0");
        const std::string store = p.extract(kWhatsapp);
        const auto grep = run("grep -c -aF " + shell_quote(card) + " " + shell_quote(store));
        EXPECT_EQ(lines(grep.out).at(0), "1") << grep.err;
        for (const std::string& written :
             {card, std::string("5169497103882406"), std::string("the card 5169 4971 0388 2406")})
            EXPECT_TRUE(key_matches(built(), "deleted-message", v, written)) << written;
        EXPECT_FALSE(key_matches(built(), "deleted-message", v, "4400 4301 2277 9180"));
    }
}

TEST(PackMobile, VariantsDifferInTheVictimOnly) {
    EXPECT_NE(answer("victim-number", 0), answer("victim-number", 1));
    for (const char* id : {"instructor-number", "instruction-time", "victim-code", "call-duration",
                           "group-chat", "payment-instruction", "photo-time", "deleted-contact",
                           "transfer-page", "installed-app", "office-wifi", "deleted-message"})
        EXPECT_EQ(answer(id, 0), answer(id, 1)) << id;
}

}  // namespace
