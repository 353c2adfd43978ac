// Exercise packs: the loader's checks (every error at its file, line and column) and the
// solution steps over the engine, compared with TSK's command-line tools.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

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
