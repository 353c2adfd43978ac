// Exercise packs: the solution steps over the engine, compared with TSK's command-line tools,
// grep, sha256sum, dd and YARA.
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
#include "tests/support/artifact_image.hpp"
#include "tests/support/fixtures.hpp"
#include "tests/support/pack_helpers.hpp"

namespace fs = std::filesystem;
using namespace dflab;
using namespace dflab::test;

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

// artifacts: over the case of an image holding a shell link: the target path and volume label are
// what lnkinfo prints for the link icat extracts, and the rows carry the file they came from.
TEST(SolutionSteps, ArtifactsGiveTheLinkTargetLnkinfoPrints) {
    const ArtifactImage image = build_artifact_image();
    const std::string link =
        extract_with_icat(image.raw, ArtifactImage::kLink, image.dir + "/extracted.lnk");
    ASSERT_FALSE(link.empty()) << "fls does not list " << ArtifactImage::kLink;
    const auto info = lnkinfo_fields(link);
    ASSERT_TRUE(info.count("Local path") && info.count("Volume label")) << "lnkinfo";
    auto env = analysed(image.raw, "");

    auto q = question(
        {{"artifacts", {{"kind", "shell_link"}}}, {"one", nullptr}, {"field", "target_path"}});
    EXPECT_EQ(exercises::solve(q, env).answer, info.at("Local path"));

    auto row = question({{"artifacts", "shell_link"},
                         {"where", {{"volume_label", info.at("Volume label")}}},
                         {"one", nullptr},
                         {"field", "path"}});
    EXPECT_EQ(exercises::solve(row, env).answer, ArtifactImage::kLink);
    auto by_source = question(
        {{"artifacts", {{"kind", "shell_link"}, {"source", "no such source"}}}, {"count", nullptr}},
        "integer");
    EXPECT_EQ(exercises::solve(by_source, env).answer, 0);
    auto kinds = question({{"artifacts", "computer_name"}, {"one", nullptr}, {"field", "name"}});
    EXPECT_EQ(exercises::solve(kinds, env).answer, "DESKTOP-7Q2K1M");  // the recipe's value
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
    // On a regex question the truth's value is graded against the variant's pattern too (the
    // pattern with ${price} filled in), not against the pattern as written.
    rx.expect = exercises::Expectation{};
    rx.expect->variable = "price";
    EXPECT_EQ(exercises::solve(rx, env).answer, "\\$?4200(\\.00)?");
    rx.expect->variable = "buyer";  // "Orion Trade" does not match the pattern
    EXPECT_NE(solve_error(rx, env).find("expect:"), std::string::npos);
}
