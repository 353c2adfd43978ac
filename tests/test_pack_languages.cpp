// The intro pack and its bundles in English, Russian and Kazakh: the pack validates with kk, the
// bundles' own labels (questions.LANG.md, walkthrough.LANG.md, findings-template.LANG.yaml) are
// the catalogue's (read by gettext's msgfmt and Python's gettext,
// tests/support/catalogue_oracle.hpp), the findings templates parse with Python's YAML parser and a
// Windows path typed into one survives `dflab score`.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>

#include "tests/oracle.hpp"
#include "tests/support/built_intro.hpp"
#include "tests/support/catalogue_oracle.hpp"
#include "tests/support/fixtures.hpp"

namespace fs = std::filesystem;
using namespace dflab::test;

namespace {

const fs::path kIntro = fs::path(DFLAB_SOURCE_DIR) / "exercises/packs/intro";

// The intro pack built with two variants, shared by the suite (tests/support/built_intro.hpp).
const fs::path& built() {
    return built_intro_pack();
}

// A YAML file as Python's yaml module reads it, through JSON.
nlohmann::json python_yaml(const fs::path& file) {
    auto r = run("python3 -c " +
                 shell_quote("import json, sys, yaml\n"
                             "doc = yaml.safe_load(open(sys.argv[1], encoding='utf-8'))\n"
                             "sys.stdout.write(json.dumps(doc, ensure_ascii=True))\n") +
                 " " + shell_quote(file.string()));
    if (r.exit_code != 0) throw std::runtime_error(file.string() + ": " + r.err);
    return nlohmann::json::parse(r.out);
}

nlohmann::json manifest() {
    return nlohmann::json::parse(read_file((built() / "participant/pack.json").string()));
}

nlohmann::json answer_key() {
    return nlohmann::json::parse(read_file((built() / "instructor/answer-key.json").string()));
}

const nlohmann::json& answer(const nlohmann::json& key, const std::string& id, int variant) {
    for (auto& q : key["questions"])
        if (q["id"] == id) return q["answers"][std::to_string(variant)];
    throw std::runtime_error("no question " + id);
}

std::string bundle_label(const std::string& lang, const std::string& key) {
    return catalogue_text(lang, "bundle." + key);
}

std::string points(const std::string& lang, long long n) {
    return fill(catalogue_text(lang, "bundle.points", n), {{"n", std::to_string(n)}});
}

std::string heading(const std::string& lang, int n, const nlohmann::json& question) {
    return fill(bundle_label(lang, "question"),
                {{"n", std::to_string(n)}, {"title", question["title"][lang].get<std::string>()}});
}

}  // namespace

TEST(PackLanguages, TheIntroPackValidatesInThreeLanguages) {
    auto r = dflab::test::dflab("pack validate " + shell_quote(kIntro.string()));
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_EQ(r.out.find("has no"), std::string::npos) << r.out;
    EXPECT_EQ(python_yaml(kIntro / "pack.yaml")["languages"], (nlohmann::json{"en", "ru", "kk"}));
    // Taking one Kazakh title away is reported, naming the file and the language.
    const std::string dir = temp_dir() + "/intro";
    ASSERT_EQ(run("cp -r " + shell_quote(kIntro.string()) + " " + shell_quote(dir)).exit_code, 0);
    ASSERT_EQ(run("sed -i 's/, kk: Орысша сөз}/}/' " +
                  shell_quote(dir + "/questions/09-confidential.yaml"))
                  .exit_code,
              0);
    r = dflab::test::dflab("pack validate " + shell_quote(dir));
    EXPECT_NE(r.exit_code, 0);
    EXPECT_NE(r.out.find("09-confidential.yaml"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("has no kk text"), std::string::npos) << r.out;
}

TEST(PackLanguages, QuestionFilesCarryTheCataloguesLabels) {
    const nlohmann::json pack = manifest();
    EXPECT_EQ(pack["languages"], (nlohmann::json{"en", "ru", "kk"}));
    const nlohmann::json& questions = pack["questions"];
    ASSERT_EQ(questions[0]["points"], 5);
    for (const std::string lang : {"en", "ru", "kk"}) {
        const std::string md =
            read_file((built() / "participant" / ("questions." + lang + ".md")).string());
        ASSERT_FALSE(md.empty()) << lang;
        EXPECT_NE(md.find("## " + heading(lang, 1, questions[0]) + " (`image-hash`, " +
                          points(lang, 5) + ")"),
                  std::string::npos)
            << lang << "\n"
            << md.substr(0, 800);
        EXPECT_NE(md.find("- " + bundle_label(lang, "answer_type") + ": `hash`"), std::string::npos)
            << lang;
        EXPECT_NE(md.find("- " + bundle_label(lang, "prerequisites") + ": `deleted-entry`"),
                  std::string::npos)
            << lang;
        EXPECT_NE(md.find(fill(catalogue_text(lang, "bundle.minutes", 90), {{"n", "90"}})),
                  std::string::npos)
            << lang;
        // The question texts of the pack's own YAML, in that language.
        const auto summary = python_yaml(kIntro / "questions/11-summary.yaml");
        EXPECT_NE(md.find(summary["text"][lang].get<std::string>()), std::string::npos) << lang;
        if (lang != "en") {
            for (const char* english : {"Answer type", "Answer first", "## Question ", " points)"})
                EXPECT_EQ(md.find(english), std::string::npos) << lang << ": " << english;
        }
    }
}

TEST(PackLanguages, WalkthroughsCarryTheCataloguesLabels) {
    const nlohmann::json pack = manifest();
    for (const std::string lang : {"en", "ru", "kk"}) {
        const std::string md =
            read_file((built() / "instructor" / ("walkthrough." + lang + ".md")).string());
        ASSERT_FALSE(md.empty()) << lang;
        EXPECT_NE(md.find("# " + pack["title"][lang].get<std::string>() + " — " +
                          bundle_label(lang, "walkthrough") + "\n"),
                  std::string::npos)
            << lang;
        EXPECT_NE(md.find("## " + heading(lang, 1, pack["questions"][0])), std::string::npos)
            << lang;
        for (const char* key : {"steps", "hints"})
            EXPECT_NE(md.find("**" + bundle_label(lang, key) + "**\n"), std::string::npos)
                << lang << " " << key;
        EXPECT_NE(md.find("**" + bundle_label(lang, "answer") + "**: "), std::string::npos) << lang;
        EXPECT_NE(md.find("**" + bundle_label(lang, "rubric") + "**: "), std::string::npos) << lang;
        EXPECT_NE(md.find("| " + bundle_label(lang, "variant") + " | " +
                          bundle_label(lang, "answer") + " |"),
                  std::string::npos)
            << lang;
        // Hint costs with their plural forms: 1 (image-hash) and 2 (deleted-entry).
        EXPECT_NE(md.find("- (" + points(lang, 1) + ") "), std::string::npos) << lang;
        EXPECT_NE(md.find("- (" + points(lang, 2) + ") "), std::string::npos) << lang;
        if (lang != "en") {
            for (const char* english : {"Solution steps", "Walkthrough", "**Rubric**", "**Hints",
                                        "**Answer**", "| Variant |"})
                EXPECT_EQ(md.find(english), std::string::npos) << lang << ": " << english;
        }
    }
}

TEST(PackLanguages, FindingsTemplatesParseInEveryLanguage) {
    const nlohmann::json pack = manifest();
    const nlohmann::json key = answer_key();
    const fs::path dir = built() / "participant";
    // findings-template.yaml is the pack's first language.
    EXPECT_EQ(read_file((dir / "findings-template.yaml").string()),
              read_file((dir / "findings-template.en.yaml").string()));
    for (const std::string lang : {"en", "ru", "kk"}) {
        const fs::path file = dir / ("findings-template." + lang + ".yaml");
        const nlohmann::json doc = python_yaml(file);
        EXPECT_EQ(doc["pack"], "intro") << lang;
        EXPECT_EQ(doc["variant"], 0) << lang;
        ASSERT_TRUE(doc["answers"].is_object()) << lang;
        size_t n = 0;
        for (auto& q : key["questions"]) {
            const std::string id = q["id"];
            ASSERT_TRUE(doc["answers"].contains(id)) << lang << " " << id;
            EXPECT_EQ(doc["answers"][id],
                      q["type"] == "set" ? nlohmann::json::array() : nlohmann::json(""))
                << lang << " " << id;
            ++n;
        }
        EXPECT_EQ(doc["answers"].size(), n) << lang;
        const std::string text = read_file(file.string());
        EXPECT_NE(text.find("# " + heading(lang, 1, pack["questions"][0]) + "\n"),
                  std::string::npos)
            << lang << "\n"
            << text;
        EXPECT_NE(text.find("# " + bundle_label(lang, "findings.quoting")), std::string::npos)
            << lang;
        EXPECT_NE(text.find("C:\\Users\\"), std::string::npos) << "a Windows path example";
    }
}

TEST(PackLanguages, NoLabelIsMissingFromAnyCatalogue) {
    // A key missing from a catalogue is written as the key itself ("bundle.steps").
    for (const std::string lang : {"en", "ru", "kk"}) {
        for (const fs::path& file :
             {built() / "participant" / ("questions." + lang + ".md"),
              built() / "participant" / ("findings-template." + lang + ".yaml"),
              built() / "instructor" / ("walkthrough." + lang + ".md")}) {
            const std::string text = read_file(file.string());
            ASSERT_FALSE(text.empty()) << file;
            EXPECT_EQ(text.find("bundle."), std::string::npos) << file;
        }
    }
}

TEST(PackLanguages, AWindowsPathTypedIntoTheTemplateSurvivesScore) {
    const nlohmann::json key = answer_key();
    std::string path = answer(key, "disguised-copy", 0).get<std::string>();
    std::replace(path.begin(), path.end(), '/', '\\');
    const std::string windows = "C:" + path;
    const nlohmann::json& deleted = answer(key, "deleted-entry", 0);
    const std::string inode = deleted.is_string() ? deleted.get<std::string>() : deleted.dump();
    std::string text = read_file((built() / "participant/findings-template.kk.yaml").string());
    auto put = [&text](const std::string& id, const std::string& value) {
        const std::string empty = "  " + id + ": ''\n";
        auto at = text.find(empty);
        ASSERT_NE(at, std::string::npos) << id << " in\n" << text;
        text.replace(at, empty.size(), "  " + id + ": '" + value + "'\n");
    };
    put("disguised-copy", windows);
    put("deleted-entry", inode);
    const fs::path file = fs::path(temp_dir()) / "aigerim.yaml";
    write_file(file.string(), text);
    // Python's YAML parser reads the path with its backslashes, as typed.
    EXPECT_EQ(python_yaml(file)["answers"]["disguised-copy"], windows);
    auto r =
        dflab::test::dflab("score --json --key " + shell_quote((built() / "instructor").string()) +
                           " " + shell_quote(file.string()));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    std::map<std::string, std::string> verdicts;
    const nlohmann::json scored = nlohmann::json::parse(r.out);
    for (auto& q : scored["questions"]) verdicts[q["id"]] = q["verdict"];
    EXPECT_EQ(verdicts["disguised-copy"], "correct") << r.out;
    EXPECT_EQ(verdicts["deleted-entry"], "correct") << r.out;
}
