// Exercise packs: the loader's checks (every error at its file, line and column), what
// pack validate finds without building, the intro pack's texts, and pack list/solve.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>

#include "exercises/pack_loader.hpp"
#include "exercises/pack_validator.hpp"
#include "exercises/solution.hpp"
#include "images/recipe_parser.hpp"
#include "tests/oracle.hpp"
#include "tests/support/fixtures.hpp"
#include "tests/support/pack_helpers.hpp"

namespace fs = std::filesystem;
using namespace dflab;
using namespace dflab::test;

TEST(PackLoader, TheIntroPackLoadsAndValidatesInEnglishRussianAndKazakh) {
    exercises::Pack pack = exercises::load_pack(kIntro);
    EXPECT_EQ(pack.id, "intro");
    EXPECT_GE(pack.questions.size(), 8u);
    EXPECT_LE(pack.questions.size(), 12u);
    EXPECT_EQ(pack.languages, (std::vector<std::string>{"en", "ru", "kk"}));
    EXPECT_TRUE(exercises::validate_pack(pack).empty());
    for (auto& q : pack.questions) {
        EXPECT_TRUE(q.title.by_language.count("ru")) << q.id;
        EXPECT_TRUE(q.title.by_language.count("kk")) << q.id;
        EXPECT_TRUE(q.text.by_language.count("kk")) << q.id;
        EXPECT_TRUE(q.type == "free_text" || !q.solution.empty()) << q.id;
    }
}

TEST(PackLoader, AnUnknownKeyIsReportedAtItsLineWithASuggestion) {
    fs::path dir = intro_copy();
    replace_in(dir / "pack.yaml", "difficulty: beginner", "dificulty: beginner");
    std::string e = load_error(dir);
    EXPECT_NE(e.find("pack.yaml:"), std::string::npos) << e;
    EXPECT_NE(e.find("unknown key 'dificulty'"), std::string::npos) << e;
    EXPECT_NE(e.find("did you mean 'difficulty'"), std::string::npos) << e;
    // The line is the one that holds the key.
    std::string text = read_file((dir / "pack.yaml").string());
    size_t line = 1 + std::count(text.begin(), text.begin() + text.find("dificulty"), '\n');
    EXPECT_NE(e.find("pack.yaml:" + std::to_string(line) + ":1:"), std::string::npos) << e;
}

TEST(PackLoader, BrokenYamlInAQuestionNamesThatFile) {
    fs::path dir = intro_copy();
    replace_in(dir / "questions/04-block-size.yaml", "points: 5", "points: [5");
    std::string e = load_error(dir);
    EXPECT_NE(e.find("04-block-size.yaml:"), std::string::npos) << e;
    EXPECT_NE(e.find("the YAML is broken"), std::string::npos) << e;
}

TEST(PackLoader, AMissingRecipeAndAPathOutsideThePackAreRefused) {
    fs::path dir = intro_copy();
    replace_in(dir / "pack.yaml", "recipe: images/usb.yaml", "recipe: images/nothere.yaml");
    EXPECT_NE(load_error(dir).find("does not exist"), std::string::npos);
    replace_in(dir / "pack.yaml", "recipe: images/nothere.yaml", "recipe: ../../etc/passwd");
    EXPECT_NE(load_error(dir).find("escapes the pack folder"), std::string::npos);
}

// The artifacts step takes a kind of docs/artifacts.md, alone or with a source.
TEST(PackLoader, ArtifactsStepNeedsAKnownKind) {
    fs::path dir = intro_copy();
    fs::path q = dir / "questions/04-block-size.yaml";
    replace_in(q, "  - filesystem\n", "  - artifacts: {kind: usb_devise}\n");
    std::string e = load_error(dir);
    EXPECT_NE(e.find("04-block-size.yaml:"), std::string::npos) << e;
    EXPECT_NE(e.find("unknown artifact kind 'usb_devise'"), std::string::npos) << e;
    EXPECT_NE(e.find("usb_device"), std::string::npos) << "the kinds are listed: " << e;
    replace_in(q, "  - artifacts: {kind: usb_devise}\n", "  - artifacts: {source: x}\n");
    EXPECT_NE(load_error(dir).find("artifacts needs kind"), std::string::npos) << load_error(dir);
    replace_in(q, "  - artifacts: {source: x}\n", "  - artifacts: {kind: usb_device, sorce: x}\n");
    EXPECT_NE(load_error(dir).find("sorce"), std::string::npos) << load_error(dir);
    replace_in(q, "  - artifacts: {kind: usb_device, sorce: x}\n",
               "  - artifacts: {kind: usb_device, source: 'ControlSet001\\Enum'}\n");
    EXPECT_EQ(load_error(dir), "");
    replace_in(q, "  - artifacts: {kind: usb_device, source: 'ControlSet001\\Enum'}\n",
               "  - artifacts: shell_link\n");
    EXPECT_EQ(load_error(dir), "");
}

TEST(PackLoader, StepsQuestionsAndReferencesAreChecked) {
    fs::path dir = intro_copy();
    fs::path q = dir / "questions/04-block-size.yaml";
    replace_in(q, "  - filesystem\n", "  - filesytem\n");
    std::string e = load_error(dir);
    EXPECT_NE(e.find("04-block-size.yaml:"), std::string::npos) << e;
    EXPECT_NE(e.find("unknown solution step 'filesytem'"), std::string::npos) << e;
    replace_in(q, "  - filesytem\n", "  - filesystem\n");
    replace_in(dir / "questions/08-disguised-copy.yaml", "prerequisites: [deleted-entry]",
               "prerequisites: [no-such-question]");
    e = load_error(dir);
    EXPECT_NE(e.find("prerequisite 'no-such-question'"), std::string::npos) << e;
    replace_in(dir / "questions/08-disguised-copy.yaml", "prerequisites: [no-such-question]",
               "prerequisites: [deleted-entry]");
    replace_in(q, "solution:", "solutions:");
    e = load_error(dir);
    EXPECT_NE(e.find("unknown key 'solutions'"), std::string::npos) << e;
}

TEST(PackValidator, ListsEveryMissingTranslationWithItsPlace) {
    fs::path dir = intro_copy();
    replace_in(dir / "questions/02-case-number.yaml",
               "title: {en: Case number, ru: Номер дела, kk: Іс нөмірі}",
               "title: {en: Case number}");
    replace_in(dir / "pack.yaml", "languages: [en, ru, kk]", "languages: [en, ru, kk, de]");
    auto problems = exercises::validate_pack(exercises::load_pack(dir));
    bool case_title = false;
    size_t de = 0;
    for (auto& p : problems) {
        if (p.find("02-case-number.yaml:2:") != std::string::npos &&
            p.find("has no ru text") != std::string::npos)
            case_title = true;
        if (p.find("has no de text") != std::string::npos) ++de;
    }
    EXPECT_TRUE(case_title);
    // Every question's title and text lacks German, and so does the description.
    EXPECT_GE(de, 2 * exercises::load_pack(dir).questions.size());
}

// ---- The trainer's loop: what validate finds without building, and the steps it added. ----

TEST(PackValidator, AnExpectThatNamesNoArtifactOfTheRecipeIsFound) {
    fs::path dir = intro_copy();
    replace_in(dir / "questions/05-report-hash.yaml", "artifact: report", "artifact: reprot");
    auto problems = validate_copy(dir);
    EXPECT_TRUE(any_has(problems, "05-report-hash.yaml:", "no artifact 'reprot'"))
        << joined(problems);
    // The recipe's own ids are named, so the trainer sees what to write.
    EXPECT_TRUE(any_has(problems, "no artifact 'reprot'", "report")) << joined(problems);
    // A field no artifact of the truth manifest has.
    replace_in(dir / "questions/05-report-hash.yaml", "artifact: reprot, field: sha256",
               "artifact: report, field: sha265");
    problems = validate_copy(dir);
    EXPECT_TRUE(any_has(problems, "05-report-hash.yaml:", "no field 'sha265'")) << joined(problems);
}

TEST(PackValidator, AStoryThatGoesBackInTimeIsFoundInTheVariantThatDoesIt) {
    fs::path dir = intro_copy();
    EXPECT_FALSE(any_has(validate_copy(dir), "back in time"));
    // The report is written at 11:15, the memo after it at 09:30 of the same day.
    replace_in(dir / "images/usb.yaml",
               "  - at: 2024-11-12T09:30:00\n    write: /Документы/служебная",
               "  - at: 2024-11-12T12:30:00\n    write: /Документы/служебная");
    auto problems = validate_copy(dir);
    EXPECT_TRUE(any_has(problems, "usb.yaml:", "goes back in time")) << joined(problems);
    // Only some variants: the time variable's range reaches back before the action above it.
    dir = intro_copy();
    std::string text = read_file((dir / "images/usb.yaml").string());
    std::smatch m;
    ASSERT_TRUE(std::regex_search(text, m, std::regex("sent: \\{time: \\[([^,]+),")));
    replace_in(dir / "images/usb.yaml", m[1].str(), "2024-11-13T17:00:00");
    problems = validate_copy(dir);
    EXPECT_TRUE(any_has(problems, "usb.yaml:", "goes back in time in variant")) << joined(problems);
}

TEST(PackValidator, AOneOverAValueThatIsAlwaysSingleIsFound) {
    fs::path dir = intro_copy();
    replace_in(dir / "questions/07-transfer-time.yaml", "  - find: {path: /log/transfer.log}\n",
               "  - find: {path: /log/transfer.log}\n  - one\n");
    auto problems = validate_copy(dir);
    EXPECT_TRUE(any_has(problems, "07-transfer-time.yaml:", "'one' needs a list"))
        << joined(problems);
    EXPECT_TRUE(any_has(problems, "'one' needs a list", "all: true")) << joined(problems);
    // `partitions` of a disk with two file systems can never give one.
    replace_in(dir / "questions/03-partition-offset.yaml", "  - where: {filesystem: fat32}\n", "");
    problems = validate_copy(dir);
    EXPECT_TRUE(any_has(problems, "03-partition-offset.yaml:", "can never be unique"))
        << joined(problems);
}

TEST(PackValidator, APrerequisiteCycleIsFound) {
    fs::path dir = intro_copy();
    EXPECT_FALSE(any_has(validate_copy(dir), "circle"));
    // disguised-copy needs deleted-entry; now deleted-entry needs confidential, which needs
    // disguised-copy.
    replace_in(dir / "questions/06-deleted-entry.yaml", "type: inode\n",
               "type: inode\nprerequisites: [confidential]\n");
    replace_in(dir / "questions/09-confidential.yaml", "type: path\n",
               "type: path\nprerequisites: [disguised-copy]\n");
    auto problems = validate_copy(dir);
    ASSERT_TRUE(any_has(problems, "circle")) << joined(problems);
    EXPECT_TRUE(any_has(problems, "circle", "deleted-entry"));
    EXPECT_TRUE(any_has(problems, "circle", "confidential"));
    EXPECT_TRUE(any_has(problems, "circle", "disguised-copy"));
    // One problem, at the file of the first question of the cycle in the pack's order, with the
    // whole cycle in the order the questions need each other (the words of dflab lab init).
    const std::string chain = "(deleted-entry -> confidential -> disguised-copy -> deleted-entry)";
    ASSERT_EQ(problems.size(), 1u) << joined(problems);
    EXPECT_TRUE(any_has(problems, "06-deleted-entry.yaml:",
                        "question deleted-entry: the "
                        "prerequisites go round in a circle " +
                            chain))
        << joined(problems);
    // dflab pack validate fails on it.
    auto r = test::dflab("pack validate " + shell_quote(dir.string()));
    EXPECT_EQ(r.exit_code, 1) << r.out;
    // dflab pack build refuses it before building anything, in one line.
    fs::path out = dir.parent_path() / "out";
    r = test::dflab("pack build " + shell_quote(dir.string()) + " -o " + shell_quote(out.string()));
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_NE(r.err.find("06-deleted-entry.yaml:"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(chain), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(out / "instructor" / "answer-key.json"));
}

TEST(PackValidator, VariablesAndChoiceMapsMustExist) {
    fs::path dir = intro_copy();
    replace_in(dir / "questions/02-case-number.yaml", "  - field: case_number\n",
               "  - variable: buyr\n");
    auto problems = validate_copy(dir);
    EXPECT_TRUE(any_has(problems, "02-case-number.yaml:", "no variable 'buyr'"))
        << joined(problems);
    EXPECT_TRUE(any_has(problems, "no variable 'buyr'", "buyer")) << joined(problems);
}

TEST(PackLoader, WhereOperatorsAreChecked) {
    fs::path dir = intro_copy();
    replace_in(dir / "questions/08-disguised-copy.yaml", "where: {allocated: true}",
               "where: {path: {\"=!\": /$MFT}}");
    std::string e = load_error(dir);
    EXPECT_NE(e.find("08-disguised-copy.yaml:"), std::string::npos) << e;
    EXPECT_NE(e.find("'=!'"), std::string::npos) << e;
}

TEST(PackIntro, PartitionsAreNamedByTheIndexDflabAndMmlsPrint) {
    // mmls numbers the slots of the intro disk: the ext4 file system is in slot 3, and `-p 2`
    // (dflab --partition 2) is the FAT32 one. A participant reading "the second partition"
    // would open the FAT32 file system, so no text may count partitions in words.
    std::regex ordinal(
        "(first|second|third|fourth)\\s+partition|"
        "(перв|втор|трет|четв[её]рт)[а-я]*\\s+раздел",
        std::regex::icase);
    exercises::Pack pack = exercises::load_pack(kIntro);
    for (auto& q : pack.questions)
        for (auto* text : {&q.title, &q.text, &q.walkthrough})
            for (auto& [lang, t] : text->by_language)
                EXPECT_FALSE(std::regex_search(t, ordinal)) << q.id << " (" << lang << "): " << t;
    // The block-size question selects partition 3 and says so in both languages.
    const exercises::Question* q = pack.question("block-size");
    ASSERT_TRUE(q);
    EXPECT_TRUE(std::regex_search(q->text.in("en"), std::regex("partition 3", std::regex::icase)))
        << q->text.in("en");
    const std::string& ru = q->text.in("ru");
    EXPECT_TRUE(ru.find("раздел 3") != std::string::npos ||
                ru.find("разделе 3") != std::string::npos)
        << ru;
}

TEST(FatZone, ThePackImageKeyIsAnIanaZone) {
    fs::path dir = intro_copy();
    EXPECT_EQ(exercises::load_pack(dir).images.front().fat_zone, "Asia/Almaty");
    replace_in(dir / "pack.yaml", "fat_zone: Asia/Almaty", "fat_zone: Asia/Nowhere");
    std::string e = load_error(dir);
    EXPECT_NE(e.find("pack.yaml:"), std::string::npos) << e;
    EXPECT_NE(e.find("unknown time zone 'Asia/Nowhere'"), std::string::npos) << e;
}

TEST(PackLoader, CarveIsTrueFalseOrEveryOffset) {
    fs::path dir = intro_copy();
    const auto image = exercises::load_pack(dir).images.front();
    EXPECT_FALSE(image.carve);
    replace_in(dir / "pack.yaml", "fat_zone: Asia/Almaty",
               "fat_zone: Asia/Almaty\n    carve: every-offset");
    const auto every = exercises::load_pack(dir).images.front();
    EXPECT_TRUE(every.carve);
    EXPECT_TRUE(every.carve_every_offset);
    replace_in(dir / "pack.yaml", "carve: every-offset", "carve: sometimes");
    std::string e = load_error(dir);
    EXPECT_NE(e.find("pack.yaml:"), std::string::npos) << e;
    EXPECT_NE(e.find("'carve' must be true, false or every-offset, not 'sometimes'"),
              std::string::npos)
        << e;
}

TEST(PackCommands, ListShowsNoFolderOfTheBuildMachine) {
    auto r = test::dflab("pack list --json");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto packs = nlohmann::json::parse(r.out);
    ASSERT_FALSE(packs.empty());
    for (auto& p : packs) {
        std::string path = p["path"].get<std::string>();
        EXPECT_FALSE(fs::path(path).is_absolute()) << path;
        // It names the pack's folder inside the packs folder, where the pack.yaml is.
        EXPECT_TRUE(fs::exists(kIntro.parent_path() / path / "pack.yaml")) << path;
    }
    auto text = test::dflab("pack list");
    EXPECT_EQ(text.out.find(DFLAB_SOURCE_DIR), std::string::npos) << text.out;
    EXPECT_EQ(r.out.find(DFLAB_SOURCE_DIR), std::string::npos) << r.out;
}

TEST(PackCommands, SolveReportsEveryFailingQuestion) {
    fs::path dir = intro_copy();
    // A raw image is quicker to build; it has no E01 case metadata, so case-number fails too.
    replace_in(dir / "pack.yaml", "formats: [e01]", "formats: [raw]");
    replace_in(dir / "questions/05-report-hash.yaml", "/Документы/report.txt}",
               "/Документы/nothere.txt}");
    replace_in(dir / "questions/07-transfer-time.yaml", "/log/transfer.log}", "/log/nothere.log}");
    auto r = test::dflab("pack solve " + shell_quote(dir.string()));
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("05-report-hash.yaml:"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("question report-hash"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("07-transfer-time.yaml:"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("question transfer-time"), std::string::npos) << r.err;
    size_t questions = exercises::load_pack(dir).questions.size();
    EXPECT_NE(r.err.find("question case-number"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("3 of " + std::to_string(questions) + " question(s) failed"),
              std::string::npos)
        << r.err;
}

// Question options are read as YAML 1.2 reads them: a plain decimal is a number (so the key's
// `wrong_item_penalty: 0.25` is one), a version-like or overflowing word stays text, quoted text
// stays text.
TEST(PackLoader, PlainDecimalsInOptionsAreNumbers) {
    fs::path dir = intro_copy();
    replace_in(dir / "questions/04-block-size.yaml", "points: 5\n",
               "points: 5\noptions: {ratio: 0.25, exp: -1.5e3, version: 1.0.0, huge: 1e309, "
               "quoted: '0.5', whole: 3}\n");
    const exercises::Pack pack = exercises::load_pack(dir);
    const auto q = std::find_if(pack.questions.begin(), pack.questions.end(),
                                [](const auto& x) { return x.id == "block-size"; });
    ASSERT_NE(q, pack.questions.end());
    EXPECT_TRUE(q->options["ratio"].is_number_float()) << q->options.dump();
    EXPECT_DOUBLE_EQ(q->options["ratio"].get<double>(), 0.25);
    EXPECT_DOUBLE_EQ(q->options["exp"].get<double>(), -1500.0);
    EXPECT_EQ(q->options["version"], "1.0.0");
    EXPECT_EQ(q->options["huge"], "1e309");
    EXPECT_EQ(q->options["quoted"], "0.5");
    EXPECT_EQ(q->options["whole"], 3);
}
