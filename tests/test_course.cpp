// `dflab course`: the shipped course validates and names every shipped pack; a course build
// gathers each pack's bundles unchanged (diff -r against `dflab pack build` of the same pack),
// its SHA256SUMS pass `sha256sum -c`, its indexes carry the catalogues' words (read by gettext)
// in every language and no answer; two builds are identical; bad course files get one-line
// errors naming the file and line, and leave no output.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "tests/oracle.hpp"
#include "tests/support/built_intro.hpp"
#include "tests/support/catalogue_oracle.hpp"
#include "tests/support/fixtures.hpp"

namespace fs = std::filesystem;
using namespace dflab::test;

namespace {

const fs::path kPacks = fs::path(DFLAB_SOURCE_DIR) / "exercises/packs";

// A course of two shipped packs (copied beside it), built with two variants, once per process.
struct SmallCourse {
    fs::path dir, out;
};

const std::string kCourseHead = R"(id: test-course
title: {en: A test course, ru: Тестовый курс, kk: Сынақ курсы}
description: {en: Two packs., ru: Два упражнения., kk: Екі жаттығу.}
languages: [en, ru, kk]
packs:
)";

const std::string kIntroEntry = R"(  - pack: packs/intro
    module: {en: Integrity, ru: Целостность, kk: Тұтастық}
    day: 1
    time: 09:00-10:30
)";

const std::string kVolumesEntry = R"(  - pack: packs/volumes
    module: {en: Volumes, ru: Тома, kk: Томдар}
    day: 1
    time: 10:45-12:45
    after: [intro]
)";

fs::path course_folder() {
    static const fs::path dir = [] {
        fs::path d = fs::path(temp_dir()) / "course";
        fs::create_directories(d / "packs");
        for (const char* name : {"intro", "volumes"})
            fs::copy(kPacks / name, d / "packs" / name, fs::copy_options::recursive);
        write_file((d / "course.yaml").string(), kCourseHead + kIntroEntry + kVolumesEntry);
        return d;
    }();
    return dir;
}

const fs::path& built() {
    static const fs::path out = [] {
        fs::path o = course_folder().parent_path() / "out";
        auto r = dflab::test::dflab("course build " +
                                    shell_quote((course_folder() / "course.yaml").string()) +
                                    " -o " + shell_quote(o.string()) + " --variants 2");
        if (r.exit_code != 0) throw std::runtime_error("course build failed: " + r.err);
        return o;
    }();
    return out;
}

// A course file made of `text`, built; the result of the command.
CommandResult build_course_text(const std::string& text, const std::string& out_name) {
    const fs::path file = course_folder() / (out_name + ".yaml");
    write_file(file.string(), text);
    return dflab::test::dflab("course build " + shell_quote(file.string()) + " -o " +
                              shell_quote((course_folder().parent_path() / out_name).string()));
}

}  // namespace

TEST(Course, TheShippedCourseValidatesAndNamesEveryShippedPack) {
    auto r = dflab::test::dflab("course validate");
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("valid: course cica-digital-forensics"), std::string::npos) << r.out;
    const std::string course = read_file((kPacks.parent_path() / "course.yaml").string());
    for (auto& e : fs::directory_iterator(kPacks)) {
        if (!fs::exists(e.path() / "pack.yaml")) continue;
        EXPECT_NE(course.find("pack: packs/" + e.path().filename().string() + "\n"),
                  std::string::npos)
            << e.path().filename() << " is shipped but not in exercises/course.yaml";
    }
}

TEST(Course, EachPacksBundlesAreThoseOfPackBuild) {
    // The same pack built alone, by the same binary (tests/support/built_intro.hpp).
    const fs::path alone = built_shipped_pack("intro");
    auto p = run("diff -r " + shell_quote((alone / "participant").string()) + " " +
                 shell_quote((built() / "participant/intro").string()));
    EXPECT_EQ(p.exit_code, 0) << p.out;
    auto i = run("diff -r " + shell_quote((alone / "instructor").string()) + " " +
                 shell_quote((built() / "instructor/intro").string()));
    EXPECT_EQ(i.exit_code, 0) << i.out;
    EXPECT_TRUE(fs::exists(built() / "participant/volumes/SHA256SUMS"));
    EXPECT_FALSE(fs::exists(built() / "participant/intro/answer-key.json"));
}

TEST(Course, ChecksumsPassSha256sum) {
    for (const char* part : {"participant", "instructor"}) {
        auto r = run("cd " + shell_quote((built() / part).string()) + " && sha256sum -c --quiet " +
                     "SHA256SUMS && grep -c ' index\\.' SHA256SUMS");
        EXPECT_EQ(r.exit_code, 0) << part << ": " << r.out << r.err;
        EXPECT_EQ(r.out, "3\n") << part << ": an index per language";
    }
}

TEST(Course, IndexesCarryTheCataloguesWordsInEveryLanguage) {
    // The pack's titles as Python's YAML parser reads them from its pack.yaml.
    auto titles = run("python3 -c " +
                      shell_quote("import json, sys, yaml\n"
                                  "doc = yaml.safe_load(open(sys.argv[1], encoding='utf-8'))\n"
                                  "sys.stdout.write(json.dumps(doc['title']))\n") +
                      " " + shell_quote((kPacks / "intro/pack.yaml").string()));
    ASSERT_EQ(titles.exit_code, 0) << titles.err;
    const nlohmann::json intro = {{"title", nlohmann::json::parse(titles.out)}};
    for (const char* lang : {"en", "ru", "kk"}) {
        SCOPED_TRACE(lang);
        const std::string participant =
            read_file((built() / "participant" / (std::string("index.") + lang + ".md")).string());
        const std::string trainer =
            read_file((built() / "instructor" / (std::string("index.") + lang + ".md")).string());
        for (const std::string& text : {participant, trainer}) {
            EXPECT_NE(text.find("## " + fill(catalogue_text(lang, "course.day"), {{"n", "1"}})),
                      std::string::npos)
                << text;
            for (const char* key : {"course.time", "course.module", "course.questions"})
                EXPECT_NE(text.find("| " + catalogue_text(lang, key) + " |"), std::string::npos)
                    << key;
            EXPECT_NE(text.find(catalogue_text(lang, "course.level.beginner")), std::string::npos);
            // The pack's own title in this language.
            EXPECT_NE(text.find(intro["title"][lang].get<std::string>()), std::string::npos);
        }
        EXPECT_NE(trainer.find(fill(catalogue_text(lang, "course.variants", 2), {{"n", "2"}})),
                  std::string::npos)
            << trainer;
        EXPECT_NE(trainer.find("intro/walkthrough." + std::string(lang) + ".md"),
                  std::string::npos);
        EXPECT_EQ(participant.find("answer-key"), std::string::npos);
        EXPECT_NE(participant.find("intro/questions." + std::string(lang) + ".md"),
                  std::string::npos);
    }
}

TEST(Course, NoAnswerIsInTheParticipantIndex) {
    const nlohmann::json key =
        nlohmann::json::parse(read_file((built() / "instructor/intro/answer-key.json").string()));
    std::string index;
    for (const char* lang : {"en", "ru", "kk"})
        index +=
            read_file((built() / "participant" / (std::string("index.") + lang + ".md")).string());
    for (auto& q : key["questions"]) {
        for (auto& [variant, a] : q["answers"].items()) {
            if (a.is_string() && a.get<std::string>().size() >= 6) {
                EXPECT_EQ(index.find(a.get<std::string>()), std::string::npos) << q["id"];
            }
        }
    }
}

TEST(Course, TwoBuildsAreIdentical) {
    const fs::path again = course_folder().parent_path() / "again";
    auto r = dflab::test::dflab("course build " +
                                shell_quote((course_folder() / "course.yaml").string()) + " -o " +
                                shell_quote(again.string()) + " --variants 2 --jobs 1");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto diff = run("diff -r " + shell_quote(built().string()) + " " + shell_quote(again.string()));
    EXPECT_EQ(diff.exit_code, 0) << diff.out;
}

TEST(Course, ShowPrintsTheProgrammeInTheLanguageAsked) {
    auto r = dflab::test::dflab(
        "course show " + shell_quote((course_folder() / "course.yaml").string()) + " --lang kk");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("# Сынақ курсы - " + catalogue_text("kk", "course.participant_index")),
              std::string::npos)
        << r.out;
    auto bad = dflab::test::dflab(
        "course show " + shell_quote((course_folder() / "course.yaml").string()) + " --lang de");
    EXPECT_NE(bad.exit_code, 0);
    EXPECT_NE(bad.err.find("the course has no de texts"), std::string::npos) << bad.err;
}

TEST(Course, BadCourseFilesGetOneLineErrorsAndNoOutput) {
    struct Case {
        std::string name, text, message;
    };
    const std::string volumes_first = kVolumesEntry + kIntroEntry;
    std::string overlap = kVolumesEntry;
    overlap.replace(overlap.find("10:45"), 5, "10:00");
    std::string no_time = kVolumesEntry;
    no_time.replace(no_time.find("    time: 10:45-12:45\n"), 22, "");
    std::string typo = kVolumesEntry;
    typo.replace(typo.find("after:"), 6, "afer:");
    const std::vector<Case> cases = {
        {"later", kCourseHead + volumes_first,
         "pack 'volumes' comes after 'intro', which the course lists later; list 'intro' first"},
        {"overlap", kCourseHead + kIntroEntry + overlap,
         "pack 'volumes' starts at 10:00, before pack 'intro' ends (10:30) on day 1"},
        {"notime", kCourseHead + kIntroEntry + no_time, "has no 'time'"},
        {"typo", kCourseHead + kIntroEntry + typo, "afer"},
        {"twice", kCourseHead + kIntroEntry + kIntroEntry, "pack 'intro' is listed twice"},
        {"outside", kCourseHead + "  - pack: ../../etc\n    module: x\n    day: 1\n", "etc"},
        {"nolang", R"(id: c
title: {en: T, ru: Т}
description: {en: D, ru: Д, kk: Д}
languages: [en, ru, kk]
packs:
)" + kIntroEntry,
         "the course's title has no kk text"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        auto r = build_course_text(c.text, c.name);
        EXPECT_NE(r.exit_code, 0);
        EXPECT_EQ(lines(r.err).size(), 1u) << r.err;
        EXPECT_NE(r.err.find(c.name + ".yaml:"), std::string::npos) << r.err;
        EXPECT_NE(r.err.find(c.message), std::string::npos) << r.err;
        EXPECT_FALSE(fs::exists(course_folder().parent_path() / c.name));
    }
}
