// Exercise packs: the loader's checks (every error at its file, line and column) and the
// solution steps over the engine, compared with TSK's command-line tools.
#include <gtest/gtest.h>

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

namespace fs = std::filesystem;
using namespace dflab;
using namespace dflab::test;

namespace {

const fs::path kIntro = fs::path(DFLAB_SOURCE_DIR) / "exercises/packs/intro";

// A copy of the intro pack in a fresh folder, to break on purpose.
fs::path intro_copy() {
    fs::path dir = fs::path(temp_dir()) / "pack";
    fs::copy(kIntro, dir, fs::copy_options::recursive);
    return dir;
}

void replace_in(const fs::path& file, const std::string& from, const std::string& to) {
    std::string text = read_file(file.string());
    auto at = text.find(from);
    ASSERT_NE(at, std::string::npos) << from << " not in " << file;
    text.replace(at, from.size(), to);
    write_file(file.string(), text);
}

std::string load_error(const fs::path& dir) {
    try {
        exercises::load_pack(dir);
    } catch (const images::RecipeError& e) {
        return e.what();
    }
    return "";
}

exercises::Question question(std::vector<std::pair<std::string, nlohmann::json>> steps,
                             std::string type = "text") {
    exercises::Question q;
    q.id = "q";
    q.type = std::move(type);
    q.mark = {"q.yaml", 1, 1};
    for (auto& [verb, arg] : steps) q.solution.push_back({verb, arg, {"q.yaml", 2, 3}});
    return q;
}

exercises::SolveEnvironment environment(const std::string& image) {
    exercises::SolveEnvironment env;
    env.images["disk"].segments = {image};
    env.first_image = "disk";
    return env;
}

// The allocated regular files of a file system, as fls lists them (TSK's virtual $ files left out).
std::vector<FlsEntry> allocated_files(const std::string& image, uint64_t start = 0) {
    std::vector<FlsEntry> out;
    for (auto& f : fls(image, start))
        if (f.allocated && f.type == "r/r" && f.path.find('$') == std::string::npos)
            out.push_back(f);
    return out;
}

std::string solve_error(const exercises::Question& q, const exercises::SolveEnvironment& env) {
    try {
        exercises::solve(q, env);
    } catch (const exercises::SolutionError& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST(PackLoader, TheIntroPackLoadsAndValidatesInEnglishAndRussian) {
    exercises::Pack pack = exercises::load_pack(kIntro);
    EXPECT_EQ(pack.id, "intro");
    EXPECT_GE(pack.questions.size(), 8u);
    EXPECT_LE(pack.questions.size(), 12u);
    EXPECT_EQ(pack.languages, (std::vector<std::string>{"en", "ru"}));
    EXPECT_TRUE(exercises::validate_pack(pack).empty());
    for (auto& q : pack.questions) {
        EXPECT_TRUE(q.title.by_language.count("ru")) << q.id;
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
    replace_in(dir / "questions/02-case-number.yaml", "title: {en: Case number, ru: Номер дела}",
               "title: {en: Case number}");
    replace_in(dir / "pack.yaml", "languages: [en, ru]", "languages: [en, ru, kk]");
    auto problems = exercises::validate_pack(exercises::load_pack(dir));
    bool case_title = false;
    size_t kk = 0;
    for (auto& p : problems) {
        if (p.find("02-case-number.yaml:2:") != std::string::npos &&
            p.find("has no ru text") != std::string::npos)
            case_title = true;
        if (p.find("has no kk text") != std::string::npos) ++kk;
    }
    EXPECT_TRUE(case_title);
    // Every question's title and text lacks Kazakh, and so does the description.
    EXPECT_GE(kk, 2 * exercises::load_pack(dir).questions.size());
}

TEST(SolutionSteps, FindAndHashAgreeWithIcat) {
    std::string image = fixture("mbr.img");
    // The FAT16 partition in slot 2 of mbr.img; every allocated file there.
    uint64_t start = mmls_start(image, 2);
    for (auto& f : allocated_files(image, start)) {
        auto q =
            question({{"partition", 2}, {"find", {{"path", f.path}}}, {"hash", "sha256"}}, "hash");
        auto solved = exercises::solve(q, environment(image));
        std::string icat = sha256_of_output("icat -o " + std::to_string(start) + " " +
                                            shell_quote(image) + " " + f.inode);
        EXPECT_EQ(solved.answer["sha256"], icat) << f.path;
        EXPECT_EQ(solved.trace.size(), 3u);
    }
}

TEST(SolutionSteps, DeletedEntriesAreThoseFlsMarks) {
    std::string image = fixture("fat16.img");
    std::vector<std::string> oracle;
    for (auto& f : fls(image))
        if (!f.allocated && f.type.back() == 'r') oracle.push_back(f.inode);
    std::sort(oracle.begin(), oracle.end());
    ASSERT_FALSE(oracle.empty());
    auto q = question({{"find", {{"deleted", true}, {"type", "file"}, {"all", true}}},
                       {"field", "inode"},
                       {"unique", nullptr}},
                      "set");
    q.options = {{"element_type", "inode"}};
    auto solved = exercises::solve(q, environment(image));
    EXPECT_EQ(solved.answer, nlohmann::json(oracle));
}

TEST(SolutionSteps, PartitionsImageHashAndReadAgreeWithMmlsSha256sumAndDd) {
    std::string image = fixture("mbr.img");
    auto q = question({{"partitions", nullptr}, {"field", "start"}, {"sort", nullptr}}, "set");
    q.options = {{"element_type", "integer"}};
    std::vector<uint64_t> starts;
    for (auto& s : mmls(image))
        if (s.kind != "Meta" && s.description.find("Unallocated") == std::string::npos &&
            s.description.find("Extended") == std::string::npos &&
            s.description.find("Table") == std::string::npos)
            starts.push_back(s.start);
    EXPECT_EQ(exercises::solve(q, environment(image)).answer, nlohmann::json(starts));

    auto h = question({{"image_hash", "sha256"}}, "hash");
    EXPECT_EQ(exercises::solve(h, environment(image)).answer["sha256"], sha256_of_file(image));

    auto r = question({{"read", {{"offset", 510}, {"length", 2}, {"as", "hex"}}}});
    auto dd = run("dd if=" + shell_quote(image) +
                  " bs=1 skip=510 count=2 status=none | od -An -tx1 | tr -d ' \\n'");
    EXPECT_EQ(exercises::solve(r, environment(image)).answer, dd.out.substr(0, 4));
}

TEST(SolutionSteps, ASolutionThatFindsTooMuchOrNothingSaysWhereAndWhat) {
    std::string image = fixture("mbr.img");
    std::string e = solve_error(question({{"find", {{"type", "file"}}}}), environment(image));
    EXPECT_NE(e.find("q.yaml:2:3: question q: step 'find"), std::string::npos) << e;
    EXPECT_NE(e.find("choose one first with partition"), std::string::npos) << e;
    e = solve_error(question({{"partition", 2}, {"find", {{"type", "file"}}}}), environment(image));
    EXPECT_NE(e.find("candidates where one is expected"), std::string::npos) << e;
    e = solve_error(question({{"partition", 2}, {"find", {{"path", "/no/such/file"}}}}),
                    environment(image));
    EXPECT_NE(e.find("found nothing"), std::string::npos) << e;
    e = solve_error(question({{"partitions", nullptr}}, "integer"), environment(image));
    EXPECT_NE(e.find("is not a integer answer"), std::string::npos) << e;
}

TEST(SolutionSteps, SqlOverTheCaseIsReadOnlyAndAgreesWithFls) {
    std::string image = fixture("fat16.img");
    std::string dir = temp_dir();
    std::string db = dir + "/case.sqlite";
    ASSERT_EQ(test::dflab("analyze " + shell_quote(image) + " -o " + shell_quote(db)).exit_code, 0);
    auto env = environment(image);
    env.images["disk"].case_db = db;
    auto count = question({{"sql", "SELECT COUNT(*) FROM files WHERE allocated = 0"}}, "integer");
    size_t deleted = 0;
    for (auto& f : fls(image))
        if (!f.allocated) ++deleted;
    EXPECT_EQ(exercises::solve(count, env).answer, deleted);
    std::string e = solve_error(question({{"sql", "DELETE FROM files"}}), env);
    EXPECT_NE(e.find("must only read"), std::string::npos) << e;
    EXPECT_EQ(test::dflab("query " + shell_quote(db) + " \"SELECT COUNT(*) FROM files\"").exit_code,
              0);
}

namespace {

// An analysed fixture: the case database that `dflab analyze` makes of it with `rules`.
exercises::SolveEnvironment analysed(const std::string& image, const std::string& args) {
    std::string db = temp_dir() + "/case.sqlite";
    auto r = test::dflab("analyze " + shell_quote(image) + " " + args + " -o " + shell_quote(db));
    if (r.exit_code != 0) throw std::runtime_error("analyze failed: " + r.err);
    auto env = environment(image);
    env.images["disk"].case_db = db;
    return env;
}

}  // namespace

TEST(SolutionSteps, YaraMatchesAreTheFilesYaraItselfMatches) {
    std::string image = fixture("fat16.img");
    std::string rules = std::string(DFLAB_SOURCE_DIR) + "/scripts/demo/rules.yar";
    auto env = analysed(image, "-r " + shell_quote(rules));
    // Oracle: each allocated file extracted with icat and given to the yara command.
    std::vector<std::string> oracle;
    std::string dir = temp_dir();
    for (auto& f : allocated_files(image)) {
        std::string copy = dir + "/content";
        run("icat " + shell_quote(image) + " " + f.inode + " > " + shell_quote(copy));
        auto y = run("yara -d extension=x -d filename=x -d filepath=x -d filetype=x " +
                     shell_quote(rules) + " " + shell_quote(copy));
        if (y.out.find("credentials ") != std::string::npos) oracle.push_back(f.path);
    }
    std::sort(oracle.begin(), oracle.end());
    ASSERT_FALSE(oracle.empty());
    auto q = question({{"yara", "credentials"},
                       {"where", {{"allocated", true}}},
                       {"field", "path"},
                       {"unique", nullptr}},
                      "set");
    q.options = {{"element_type", "path"}};
    EXPECT_EQ(exercises::solve(q, env).answer, nlohmann::json(oracle));
}

TEST(SolutionSteps, CyrillicSearchFindsTheFilesGrepFinds) {
    std::string image = fixture("fat16.img");
    auto env = analysed(image, "-k " + shell_quote("СЕКРЕТНЫЙ КЛЮЧ"));
    std::vector<std::string> oracle;
    for (auto& f : allocated_files(image)) {
        // UTF-8 or UTF-16LE, any case: grep over the content and over its UTF-16 decoding.
        std::string cmd = "icat " + shell_quote(image) + " " + f.inode;
        auto utf8 = run(cmd + " | grep -aic 'секретный ключ'");
        auto utf16 = run(cmd + " | iconv -f UTF-16LE -t UTF-8 -c | grep -aic 'секретный ключ'");
        if (std::atoi(utf8.out.c_str()) > 0 || std::atoi(utf16.out.c_str()) > 0)
            oracle.push_back(f.path);
    }
    std::sort(oracle.begin(), oracle.end());
    ASSERT_FALSE(oracle.empty());
    auto q = question({{"search", "СЕКРЕТНЫЙ КЛЮЧ"},
                       {"where", {{"allocated", true}}},
                       {"field", "path"},
                       {"unique", nullptr}},
                      "set");
    q.options = {{"element_type", "path"}};
    EXPECT_EQ(exercises::solve(q, env).answer, nlohmann::json(oracle));
}

TEST(SolutionSteps, ATimelineWindowHoldsTheEventsOfFlsBodyFile) {
    std::string image = fixture("ext4.img");
    auto env = analysed(image, "");
    // fls -m: MD5|name|inode|mode|uid|gid|size|atime|mtime|ctime|crtime, seconds since the epoch.
    auto body = run("fls -r -m / " + shell_quote(image));
    const int64_t from = 1600000000, to = 1700000000;  // 2020-09-13 .. 2023-11-14
    size_t oracle = 0;
    for (auto& line : lines(body.out)) {
        std::vector<std::string> f;
        std::stringstream ss(line);
        for (std::string part; std::getline(ss, part, '|');) f.push_back(part);
        if (f.size() < 11 || f[1].find("($FILE_NAME)") != std::string::npos) continue;
        for (int i : {7, 8, 9, 10}) {
            int64_t t = std::stoll(f[static_cast<size_t>(i)]);
            if (t != 0 && t >= from && t <= to) ++oracle;
        }
    }
    ASSERT_GT(oracle, 0u);
    auto q =
        question({{"timeline", {{"from", "2020-09-13T12:26:40Z"}, {"to", "2023-11-14T22:13:20Z"}}},
                  {"count", nullptr}},
                 "integer");
    EXPECT_EQ(exercises::solve(q, env).answer, oracle);
}

TEST(SolutionSteps, FindByContentAndByHashAgreeWithGrepAndSha256sum) {
    std::string image = fixture("fat16.img");
    std::vector<std::string> oracle;
    std::string some_hash, its_path;
    for (auto& f : allocated_files(image)) {
        std::string cmd = "icat " + shell_quote(image) + " " + f.inode;
        if (std::atoi(run(cmd + " | grep -ac password").out.c_str()) > 0) oracle.push_back(f.path);
        if (some_hash.empty()) some_hash = sha256_of_output(cmd), its_path = f.path;
    }
    std::sort(oracle.begin(), oracle.end());
    ASSERT_FALSE(oracle.empty());
    auto q = question({{"find", {{"contains", "password"}, {"deleted", false}, {"all", true}}},
                       {"field", "path"}},
                      "set");
    q.options = {{"element_type", "path"}};
    EXPECT_EQ(exercises::solve(q, environment(image)).answer, nlohmann::json(oracle));
    auto h = question(
        {{"find", {{"sha256", some_hash}, {"deleted", false}, {"all", true}}}, {"field", "path"}},
        "set");
    h.options = {{"element_type", "path"}};
    auto found = exercises::solve(h, environment(image)).answer;
    EXPECT_NE(std::find(found.begin(), found.end(), its_path), found.end()) << found;
}

// ---- The trainer's loop: what validate finds without building, and the steps it added. ----

namespace {

std::vector<std::string> validate_copy(const fs::path& dir) {
    return exercises::validate_pack(exercises::load_pack(dir));
}

bool any_has(const std::vector<std::string>& problems, const std::string& a,
             const std::string& b = "") {
    for (auto& p : problems)
        if (p.find(a) != std::string::npos && p.find(b) != std::string::npos) return true;
    return false;
}

std::string joined(const std::vector<std::string>& problems) {
    std::string out;
    for (auto& p : problems) out += p + "\n";
    return out;
}

}  // namespace

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
    // dflab pack validate fails on it.
    auto r = test::dflab("pack validate " + shell_quote(dir.string()));
    EXPECT_EQ(r.exit_code, 1) << r.out;
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

TEST(SolutionSteps, WhereComparesNegatesAndExcludesMetadataFiles) {
    std::string image = fixture("ntfs.img");
    // Oracle: fls -r -p lists the allocated regular files; those under /$ are NTFS's own.
    std::vector<std::string> user_files, all_files;
    for (auto& f : fls(image))
        if (f.allocated && f.type == "r/r") {
            all_files.push_back(f.path);
            if (f.path.rfind("/$", 0) != 0) user_files.push_back(f.path);
        }
    std::sort(user_files.begin(), user_files.end());
    user_files.erase(std::unique(user_files.begin(), user_files.end()), user_files.end());
    ASSERT_FALSE(user_files.empty());
    ASSERT_GT(all_files.size(), user_files.size());
    auto q = question({{"find", {{"type", "file"}, {"deleted", false}, {"all", true}}},
                       {"where", {{"path", {{"not prefix", "/$"}, {"!=", "/$MFT"}}}}},
                       {"field", "path"},
                       {"unique", nullptr}},
                      "set");
    q.options = {{"element_type", "path"}};
    EXPECT_EQ(exercises::solve(q, environment(image)).answer, nlohmann::json(user_files));
    // Sizes as numbers, `in` and `not in`.
    auto big = question({{"find", {{"type", "file"}, {"deleted", false}, {"all", true}}},
                         {"where", {{"path", {{"in", user_files}}}, {"size", {{">", 1000}}}}},
                         {"field", "path"},
                         {"unique", nullptr}},
                        "set");
    big.options = {{"element_type", "path"}};
    std::vector<std::string> oracle;
    for (auto& f : fls(image))
        if (f.allocated && f.type == "r/r" && f.path.rfind("/$", 0) != 0 &&
            f.path.find(':') == std::string::npos) {
            auto size = run("icat " + shell_quote(image) + " " + f.inode + " | wc -c");
            if (std::stoll(size.out) > 1000) oracle.push_back(f.path);
        }
    std::sort(oracle.begin(), oracle.end());
    oracle.erase(std::unique(oracle.begin(), oracle.end()), oracle.end());
    ASSERT_FALSE(oracle.empty());
    auto got = exercises::solve(big, environment(image)).answer;
    for (auto& p : oracle) EXPECT_NE(std::find(got.begin(), got.end(), p), got.end()) << p;
    for (auto& p : got) {
        // streams of big files count too: their own size decides
        EXPECT_TRUE(std::find(oracle.begin(), oracle.end(), p) != oracle.end() ||
                    p.get<std::string>().find(':') != std::string::npos)
            << p;
    }
}

TEST(SolutionSteps, ManyCandidatesAreAllListedWithWhatTellsThemApart) {
    std::string image = fixture("fat16.img");
    std::vector<std::string> oracle;  // every allocated file, as fls names them
    for (auto& f : allocated_files(image)) oracle.push_back(f.path);
    ASSERT_GT(oracle.size(), 5u);
    std::string e =
        solve_error(question({{"find", {{"type", "file"}, {"deleted", false}, {"all", true}}},
                              {"one", nullptr}}),
                    environment(image));
    EXPECT_NE(e.find("found " + std::to_string(oracle.size()) + " where one is expected"),
              std::string::npos)
        << e;
    for (auto& p : oracle) EXPECT_NE(e.find(p), std::string::npos) << p << " missing in " << e;
    EXPECT_EQ(e.find("\n"), std::string::npos);
    EXPECT_EQ(e.find("..."), std::string::npos) << e;  // nothing cut off
    // The fields that differ (the address) are there; the fields every candidate shares are not.
    EXPECT_NE(e.find("inode "), std::string::npos) << e;
    EXPECT_EQ(e.find("allocated "), std::string::npos) << e;
    // find's own message too.
    e = solve_error(question({{"find", {{"type", "file"}, {"deleted", false}}}}),
                    environment(image));
    for (auto& p : oracle) EXPECT_NE(e.find(p), std::string::npos) << p << " missing in " << e;
}

TEST(SolutionSteps, AMapTurnsAValueIntoAChoice) {
    std::string image = fixture("mbr.img");
    // mmls describes slot 2 as the FAT16 partition.
    auto q = question({{"partition", 2},
                       {"filesystem", nullptr},
                       {"field", "type"},
                       {"map", {{"ext4", "b"}, {"FAT16", "a"}, {"ntfs", "c"}}}},
                      "choice");
    q.choices = {"a", "b", "c"};
    bool fat16 = false;
    for (auto& s : mmls(image))
        if (s.slot == 2 && s.description.find("FAT16") != std::string::npos) fat16 = true;
    ASSERT_TRUE(fat16);
    EXPECT_EQ(exercises::solve(q, environment(image)).answer, "a");
    auto bad = question(
        {{"partition", 2}, {"filesystem", nullptr}, {"field", "type"}, {"map", {{"ext4", "b"}}}},
        "choice");
    bad.choices = {"a", "b"};
    EXPECT_NE(solve_error(bad, environment(image)).find("is not in the map"), std::string::npos);
}

TEST(SolutionSteps, VariablesGiveTextAndRegexAnswersPerVariant) {
    std::string image = fixture("mbr.img");
    std::string dir = temp_dir();
    nlohmann::json truth = {{"variables", {{"buyer", "Orion Trade"}, {"price", "4200"}}}};
    write_file(dir + "/truth.json", truth.dump());
    auto env = environment(image);
    env.images["disk"].truth = dir + "/truth.json";
    auto text = question({{"variable", "buyer"}});
    EXPECT_EQ(exercises::solve(text, env).answer, "Orion Trade");
    // The pattern takes the variant's values, escaped; the derived value must match it.
    auto rx = question({{"variable", "price"}}, "regex");
    rx.options = {{"pattern", "\\$?${price}(\\.00)?"}};
    EXPECT_EQ(exercises::solve(rx, env).answer, "\\$?4200(\\.00)?");
    // An independent oracle: grep -E agrees that what participants write matches the key.
    auto grep = run("printf '%s\\n' '$4200.00' | grep -cxE '\\$?4200(\\.00)?'");
    EXPECT_EQ(grep.out, "1\n");
    auto missing = question({{"variable", "seller"}});
    EXPECT_NE(solve_error(missing, env).find("no variable seller"), std::string::npos);
    // expect: {variable: NAME} cross-checks against the manifest.
    text.expect = exercises::Expectation{};
    text.expect->variable = "price";
    EXPECT_NE(solve_error(text, env).find("truth manifest"), std::string::npos);
}

namespace {

// istat's time blocks: "$STANDARD_INFORMATION" and "$FILE_NAME" -> "Created" etc. -> the
// "YYYY-MM-DDTHH:MM:SSZ" istat prints in UTC.
std::map<std::string, std::map<std::string, std::string>> istat_times(const std::string& image,
                                                                      uint64_t start,
                                                                      const std::string& entry) {
    auto r =
        run("TZ=UTC istat -o " + std::to_string(start) + " " + shell_quote(image) + " " + entry);
    std::map<std::string, std::map<std::string, std::string>> out;
    std::string block;
    std::regex time_line(
        "^(Created|File Modified|MFT Modified|Accessed):\\s+(\\d{4}-\\d\\d-\\d\\d) "
        "(\\d\\d:\\d\\d:\\d\\d)");
    for (auto& line : lines(r.out)) {
        if (line.rfind("$STANDARD_INFORMATION Attribute Values", 0) == 0) block = "si";
        if (line.rfind("$FILE_NAME Attribute Values", 0) == 0) block = "fn";
        if (line.rfind("Attributes:", 0) == 0) block.clear();
        std::smatch m;
        if (!block.empty() && std::regex_search(line, m, time_line))
            out[block][m[1]] = m[2].str() + "T" + m[3].str() + "Z";
    }
    return out;
}

const char* kStompRecipe = R"(name: stomp
seed: 7
timezone: UTC
start: 2024-02-12T10:00:00
disk:
  size: 32MiB
  table: mbr
  partitions:
    - id: win
      filesystem: ntfs
actions:
  - mkdir: /Tools
  - at: 2024-02-12T10:15:00
    write: /Tools/setup.jpg
    id: stomped
    generate: {type: jpeg}
  - stream: /Tools/setup.jpg
    name: Zone.Identifier
    text: "[ZoneTransfer]\r\nZoneId=3\r\n"
  - at: 2024-02-12T11:00:00
    write: /Tools/readme.txt
    id: plain
    text: "nothing here\n"
  - at: 2024-02-12T12:00:00
    touch: /Tools/setup.jpg
    crtime: 2019-03-01T08:00:00
    mtime: 2019-03-01T08:00:00
)";

}  // namespace

TEST(NtfsFileNameTimes, TimestompingIsDerivedAndAgreesWithIstatAndTheTruth) {
    std::string dir = temp_dir();
    write_file(dir + "/stomp.yaml", kStompRecipe);
    auto built = test::dflab("image build " + shell_quote(dir + "/stomp.yaml") + " -o " +
                             shell_quote(dir + "/out") + " --format raw");
    ASSERT_EQ(built.exit_code, 0) << built.err;
    std::string image = dir + "/out/stomp.raw";
    uint64_t start = 0;
    for (auto& s : mmls(image))
        if (s.description.find("NTFS") != std::string::npos) start = s.start;
    ASSERT_GT(start, 0u);
    std::string offset = "-o " + std::to_string(start) + " ";
    // Oracle: istat's two blocks, file by file; timestomped: $SI created before $FN created.
    std::vector<std::string> stomped;
    std::string setup_entry;
    for (auto& f : fls(image, start)) {
        if (!f.allocated || f.type != "r/r" || f.path.rfind("/$", 0) == 0) continue;
        std::string entry = f.inode.substr(0, f.inode.find('-'));
        auto t = istat_times(image, start, entry);
        ASSERT_TRUE(t.count("si") && t.count("fn")) << f.path;
        if (t["si"]["Created"] < t["fn"]["Created"]) stomped.push_back(f.path);
        if (f.path == "/Tools/setup.jpg") setup_entry = entry;
    }
    std::sort(stomped.begin(), stomped.end());
    ASSERT_FALSE(stomped.empty());
    ASSERT_FALSE(setup_entry.empty());
    auto istat = istat_times(image, start, setup_entry);

    auto env = analysed(image, "-k ZoneTransfer");
    auto q = question({{"partition", 2},
                       {"find", {{"type", "file"}, {"deleted", false}, {"all", true}}},
                       {"where", {{"crtime", {{"<", {{"field", "fn_crtime"}}}}}}},
                       {"field", "path"},
                       {"unique", nullptr}},
                      "set");
    q.options = {{"element_type", "path"}};
    EXPECT_EQ(exercises::solve(q, env).answer, nlohmann::json(stomped));
    // The entry's four $FILE_NAME times are istat's.
    auto one = question(
        {{"partition", 2}, {"find", {{"path", "/Tools/setup.jpg"}}}, {"field", "fn_crtime"}},
        "timestamp");
    EXPECT_EQ(exercises::solve(one, env).answer, istat["fn"]["Created"]);
    for (auto [field, label] : {std::pair{"fn_mtime", "File Modified"},
                                {"fn_ctime", "MFT Modified"},
                                {"fn_atime", "Accessed"},
                                {"crtime", "Created"}}) {
        auto f =
            question({{"partition", 2}, {"find", {{"path", "/Tools/setup.jpg"}}}, {"field", field}},
                     "timestamp");
        std::string block = std::string(field).rfind("fn_", 0) == 0 ? "fn" : "si";
        EXPECT_EQ(exercises::solve(f, env).answer, istat[block][label]) << field;
    }
    // The truth manifest has both blocks too, and expect: can compare with them.
    auto truth = nlohmann::json::parse(read_file(dir + "/out/stomp.truth.json"));
    for (auto& a : truth["artifacts"])
        if (a["id"] == "stomped") {
            EXPECT_EQ(a["fn_crtime"], istat["fn"]["Created"]);
            EXPECT_EQ(a["fn_mtime"], istat["fn"]["File Modified"]);
            EXPECT_EQ(a["crtime"], istat["si"]["Created"]);
        }
    env.images["disk"].truth = dir + "/out/stomp.truth.json";
    one.expect = exercises::Expectation{};
    one.expect->artifacts = {"stomped"};
    one.expect->field = "fn_crtime";
    EXPECT_NO_THROW(exercises::solve(one, env));
    one.expect->field = "crtime";  // the stomped time is not the $FILE_NAME one
    EXPECT_NE(solve_error(one, env).find("truth manifest"), std::string::npos);
    // The timeline step has the $FILE_NAME birth at 10:15, where $SI says 2019.
    auto tl = question(
        {{"timeline",
          {{"from", "2024-02-12T10:14:00Z"}, {"to", "2024-02-12T10:16:00Z"}, {"event", "b"}}},
         {"where", {{"path", "/Tools/setup.jpg"}}},
         {"field", "file_name"}},
        "set");
    tl.options = {{"element_type", "text"}};
    EXPECT_EQ(exercises::solve(tl, env).answer, nlohmann::json({"true"}));
    EXPECT_EQ(istat["fn"]["Created"], "2024-02-12T10:15:00Z");
    // Keyword hits: the resident Zone.Identifier is inside $MFT too; metadata_files: false
    // leaves NTFS's own files out. Oracle: icat of each file, grep.
    std::vector<std::string> with_text;
    for (auto& f : fls(image, start))
        if (f.allocated && f.type == "r/r" && f.path.rfind("/$", 0) != 0) {
            auto g = run("icat " + offset + shell_quote(image) + " " + f.inode +
                         " | grep -ac ZoneTransfer");
            if (std::atoi(g.out.c_str()) > 0) with_text.push_back(f.path);
        }
    ASSERT_FALSE(with_text.empty());
    auto s = question({{"search", {{"term", "ZoneTransfer"}, {"metadata_files", false}}},
                       {"where", {{"path", {{"!=", nullptr}}}}},
                       {"field", "path"},
                       {"unique", nullptr}},
                      "set");
    s.options = {{"element_type", "path"}};
    EXPECT_EQ(exercises::solve(s, env).answer, nlohmann::json(with_text));
    // A Zone.Identifier is no extension mismatch of its JPEG host (sqlite3 reads the case).
    std::string db = env.images["disk"].case_db.string();
    auto flagged =
        run("sqlite3 " + shell_quote(db) +
            " \"SELECT path FROM files WHERE extension_mismatch = 1 AND path LIKE '/Tools/%'\"");
    EXPECT_EQ(flagged.exit_code, 0) << flagged.err;
    EXPECT_EQ(flagged.out, "") << flagged.out;
    auto mime = run("sqlite3 " + shell_quote(db) +
                    " \"SELECT mime FROM files WHERE path = '/Tools/setup.jpg:Zone.Identifier'\"");
    EXPECT_EQ(mime.out, "text/plain\n");
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

namespace {

const char* kAlmatyRecipe = R"(name: almaty
timezone: Asia/Almaty
disk:
  size: 8MiB
  table: none
  partitions:
    - id: stick
      filesystem: fat16
actions:
  - at: 2024-11-13T18:10:02
    write: /sale.txt
    id: sale
    text: sold
)";

}  // namespace

TEST(FatZone, SolutionsReadFatInThePackImagesZone) {
    std::string dir = temp_dir();
    write_file(dir + "/almaty.yaml", kAlmatyRecipe);
    auto built = test::dflab("image build " + shell_quote(dir + "/almaty.yaml") + " -o " +
                             shell_quote(dir + "/out") + " --format raw");
    ASSERT_EQ(built.exit_code, 0) << built.err;
    auto env = environment(dir + "/out/almaty.raw");
    env.images["disk"].truth = dir + "/out/almaty.truth.json";
    auto q = question({{"find", {{"path", "/sale.txt"}}}, {"field", "mtime"}}, "timestamp");
    q.expect = exercises::Expectation{};
    q.expect->artifacts = {"sale"};
    q.expect->field = "mtime";
    // Oracle: fls -z Asia/Almaty reads the instant, as seconds; GNU date writes it in UTC.
    auto fls = run("fls -z Asia/Almaty -m / " + shell_quote(dir + "/out/almaty.raw") +
                   " | grep sale.txt | cut -d'|' -f9");
    auto iso = run("date -u -d @" + fls.out.substr(0, fls.out.find('\n')) + " +%Y-%m-%dT%H:%M:%SZ");
    EXPECT_EQ(iso.out, "2024-11-13T13:10:02Z\n");
    env.images["disk"].fat_zone = "Asia/Almaty";
    auto solved = exercises::solve(q, env);
    EXPECT_NE(solved.answer.dump().find("2024-11-13T13:10:02"), std::string::npos) << solved.answer;
    // Read in UTC (the wrong zone) the answer is five hours late, and the truth says so.
    env.images["disk"].fat_zone = "UTC";
    EXPECT_NE(solve_error(q, env).find("truth"), std::string::npos);
}

TEST(FatZone, ThePackImageKeyIsAnIanaZone) {
    fs::path dir = intro_copy();
    EXPECT_EQ(exercises::load_pack(dir).images.front().fat_zone, "Asia/Almaty");
    replace_in(dir / "pack.yaml", "fat_zone: Asia/Almaty", "fat_zone: Asia/Nowhere");
    std::string e = load_error(dir);
    EXPECT_NE(e.find("pack.yaml:"), std::string::npos) << e;
    EXPECT_NE(e.find("unknown time zone 'Asia/Nowhere'"), std::string::npos) << e;
}
