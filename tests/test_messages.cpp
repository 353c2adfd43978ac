// The message catalogues (common/messages/*.po): every message exists in English, Russian and
// Kazakh, plural forms follow each language's rules, and every key that the portal's pages and
// scripts use is in the catalogue. The oracle for the .po files is GNU gettext itself (msgfmt,
// msgattrib), not dflab's reader.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "common/messages.hpp"
#include "support/fixtures.hpp"

namespace {

using namespace dflab;
const std::string kCatalogues = std::string(DFLAB_SOURCE_DIR) + "/common/messages/";

std::string read(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

std::set<std::string> msgids(const std::string& po) {
    std::set<std::string> ids;
    std::regex id(R"re(^msgid "(.+)"$)re");
    std::istringstream in(po);
    std::string line;
    std::smatch m;
    while (std::getline(in, line))
        if (std::regex_match(line, m, id)) ids.insert(m[1]);
    return ids;
}

TEST(Messages, EveryLanguageHasEveryMessageTranslated) {
    const auto en = msgids(read(kCatalogues + "en.po"));
    ASSERT_GT(en.size(), 50u);
    for (const std::string lang : {"ru", "kk"}) {
        const auto other = msgids(read(kCatalogues + lang + ".po"));
        for (const auto& id : en) EXPECT_TRUE(other.count(id)) << lang << ".po lacks " << id;
        for (const auto& id : other)
            EXPECT_TRUE(en.count(id)) << lang << ".po has " << id << ", en.po does not";
        // gettext's own view: no untranslated and no fuzzy entries.
        auto untranslated = test::run("msgattrib --untranslated --no-obsolete " +
                                      test::shell_quote(kCatalogues + lang + ".po"));
        EXPECT_EQ(untranslated.exit_code, 0) << untranslated.err;
        EXPECT_EQ(untranslated.out.find("msgid \"p"), std::string::npos) << untranslated.out;
        auto fuzzy =
            test::run("msgattrib --only-fuzzy " + test::shell_quote(kCatalogues + lang + ".po"));
        EXPECT_EQ(fuzzy.out.find("msgid \"p"), std::string::npos) << fuzzy.out;
    }
}

TEST(Messages, CataloguesPassMsgfmtCheck) {
    for (const std::string lang : {"en", "ru", "kk"}) {
        auto r = test::run("msgfmt --check -o /dev/null " +
                           test::shell_quote(kCatalogues + lang + ".po"));
        EXPECT_EQ(r.exit_code, 0) << lang << ": " << r.err;
    }
}

TEST(Messages, TranslateReadsEachLanguage) {
    EXPECT_EQ(common::translate("en", "portal.logout"), "Log out");
    EXPECT_EQ(common::translate("ru", "portal.logout"), "Выйти");
    EXPECT_EQ(common::translate("kk", "portal.logout"), "Шығу");
    EXPECT_EQ(common::translate("ru-RU", "portal.logout"), "Выйти");
    EXPECT_EQ(common::translate("de", "portal.logout"), "Log out");  // unknown: English
    EXPECT_EQ(common::supported_language("kk_KZ.UTF-8"), "kk");
}

TEST(Messages, PluralFormsFollowTheLanguage) {
    // Russian: 1 секунду, 2..4 секунды, 5..20 секунд, 21 секунду, 22 секунды, 25 секунд.
    auto ru = [](long long n) {
        return common::translate_plural("ru", "portal.error.rate_limited", n);
    };
    EXPECT_NE(ru(1).find("секунду"), std::string::npos) << ru(1);
    EXPECT_NE(ru(3).find("секунды"), std::string::npos) << ru(3);
    EXPECT_NE(ru(5).find("секунд."), std::string::npos) << ru(5);
    EXPECT_NE(ru(11).find("секунд."), std::string::npos) << ru(11);
    EXPECT_NE(ru(21).find("секунду"), std::string::npos) << ru(21);
    EXPECT_NE(ru(24).find("секунды"), std::string::npos) << ru(24);
    auto en = [](long long n) {
        return common::translate_plural("en", "portal.error.rate_limited", n);
    };
    EXPECT_NE(common::format(en(1), {{"seconds", "1"}}).find("1 second."), std::string::npos)
        << en(1);
    EXPECT_NE(common::format(en(2), {{"seconds", "2"}}).find("2 seconds."), std::string::npos);
    // Kazakh has two forms in the catalogue's Plural-Forms header; both must be present.
    auto kk = read(kCatalogues + "kk.po");
    EXPECT_NE(kk.find("nplurals=2"), std::string::npos);
}

TEST(Messages, EveryKeyThePortalUsesIsInTheCatalogue) {
    const auto keys = common::message_keys();
    const std::set<std::string> known(keys.begin(), keys.end());
    ASSERT_FALSE(known.empty());
    // Keys named in the scripts (t('portal.x.y')), in C++ ("portal.x.y") and in the templates
    // ({{t.x_y}}: a key portal.x.y with its dots as underscores).
    std::set<std::string> template_names;
    for (const auto& k : known) {
        if (!k.starts_with("portal.")) continue;
        std::string n = k.substr(7);
        for (char& c : n)
            if (c == '.') c = '_';
        template_names.insert(n);
    }
    const std::regex script_key(R"(t\('(portal\.[a-z_.]+[a-z_])')");
    const std::regex code_key(R"re("(portal\.[a-z_]+\.[a-z_.]*[a-z_])")re");
    const std::regex template_key(R"(\{\{t\.([a-z_]+)\}\})");
    int seen = 0;
    const std::filesystem::path portal = std::string(DFLAB_SOURCE_DIR) + "/portal";
    for (const auto& e : std::filesystem::recursive_directory_iterator(portal)) {
        if (!e.is_regular_file()) continue;
        const std::string text = read(e.path());
        const std::string ext = e.path().extension().string();
        const std::regex& re = ext == ".js"         ? script_key
                               : ext == ".mustache" ? template_key
                                                    : code_key;
        if (ext != ".js" && ext != ".mustache" && ext != ".cpp") continue;
        for (std::sregex_iterator it(text.begin(), text.end(), re), end; it != end; ++it) {
            ++seen;
            const std::string key = (*it)[1];
            if (ext == ".mustache")
                EXPECT_TRUE(template_names.count(key)) << e.path() << " uses {{t." << key << "}}";
            else
                EXPECT_TRUE(known.count(key)) << e.path() << " uses " << key;
        }
    }
    EXPECT_GT(seen, 50);
    // Keys built at run time from states and verdicts.
    for (std::string s :
         {"unanswered", "correct", "partial", "incorrect", "pending_review", "reviewed", "locked"})
        EXPECT_TRUE(known.count("portal.state." + s)) << s;
    for (std::string v : {"correct", "partial", "incorrect", "pending_review"})
        EXPECT_TRUE(known.count("portal.verdict." + v)) << v;
}

}  // namespace
