// Checks on what instructors and participants hand to dflab (issue 15): prerequisite cycles named
// whole, by the one check that pack validate and lab init share; participant CSV columns that the
// import would not read; numbers beyond a double; messages kept on one line whatever bytes the
// input holds; text files that are links to devices or FIFOs.
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "common/prerequisites.hpp"
#include "common/source_error.hpp"
#include "scoring/answer_key.hpp"
#include "scoring/findings.hpp"
#include "scoring/lab_grading.hpp"
#include "scoring/lab_record.hpp"
#include "tests/lab_test_key.hpp"
#include "tests/support/fixtures.hpp"

namespace dflab {
namespace {

namespace fs = std::filesystem;
using test::error_of;
using test::shell_quote;
using Cycles = std::vector<std::vector<std::string>>;

std::string write(const std::string& path, const std::string& text) {
    std::ofstream(path, std::ios::binary) << text;
    return path;
}

size_t line_count(const std::string& text) {
    return static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
}

// Runs dflab with the clock pinned, stopped after 20 s (a read that never ends fails, not hangs).
test::CommandResult run_dflab(const std::string& args) {
    return test::run("DFLAB_TIME=2026-11-28T09:00:00Z timeout 20 " + shell_quote(DFLAB_BINARY) +
                     " " + args);
}

// --- prerequisite cycles ---------------------------------------------------------------------

TEST(PrerequisiteCycles, EachCycleOnceInTheOrderTheQuestionsNeedEachOther) {
    using common::prerequisite_cycles;
    // No cycle: a chain, a diamond, an unknown id (the loaders report those themselves).
    EXPECT_EQ(prerequisite_cycles(std::vector<common::Prerequisites>{
                  {"a", {}}, {"b", {"a"}}, {"c", {"a", "b"}}, {"d", {"b", "c", "nowhere"}}}),
              Cycles{});
    // c needs a, a needs b, b needs c: the cycle starts at the first of them in the list (a).
    EXPECT_EQ(prerequisite_cycles(std::vector<common::Prerequisites>{
                  {"x", {"c"}}, {"a", {"b"}}, {"b", {"c"}}, {"c", {"a"}}}),
              (Cycles{{"a", "b", "c"}}));
    // Two separate cycles, and a question that needs itself.
    EXPECT_EQ(prerequisite_cycles(std::vector<common::Prerequisites>{
                  {"p", {"q"}}, {"q", {"p"}}, {"r", {"r"}}, {"s", {"p", "r"}}}),
              (Cycles{{"p", "q"}, {"r"}}));
    // A chain of 200,000 questions whose last needs the first: found without deep recursion.
    std::vector<common::Prerequisites> chain;
    const size_t n = 200000;
    for (size_t i = 0; i < n; ++i)
        chain.push_back({"q" + std::to_string(i), {"q" + std::to_string((i + 1) % n)}});
    auto cycles = prerequisite_cycles(chain);
    ASSERT_EQ(cycles.size(), 1u);
    EXPECT_EQ(cycles[0].size(), n);
    EXPECT_EQ(cycles[0].front(), "q0");
    EXPECT_EQ(cycles[0].back(), "q199999");
    EXPECT_EQ(common::prerequisite_cycle_problem({"a", "b"}),
              "the prerequisites go round in a circle (a -> b -> a), so no participant could ever "
              "open these questions; remove one of the prerequisites");
}

TEST(PrerequisiteCycles, AnAnswerKeyNamesTheWholeCycleAsPackValidateDoes) {
    auto key = test::lab_test_key();  // count needs hash; now hash needs count too
    key["questions"][0]["prerequisites"] = {"count"};
    const std::string expected =
        "k.json: question hash: the prerequisites go round in a circle (hash -> count -> hash), "
        "so no participant could ever open these questions; remove one of the prerequisites";
    EXPECT_EQ(error_of([&] { scoring::parse_answer_key(key, "k.json"); }), expected);
    // dflab lab init refuses it in one line and makes no lab record.
    const std::string dir = test::temp_dir();
    const std::string file = test::write_json(dir + "/answer-key.json", key);
    auto r = run_dflab("lab init --key " + shell_quote(file) + " --db " +
                       shell_quote(dir + "/l.sqlite"));
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_EQ(r.err, "dflab: " + file + expected.substr(6) + "\n");
    EXPECT_FALSE(fs::exists(dir + "/l.sqlite"));
    fs::remove_all(dir);
}

// --- one line, whatever bytes the input holds ------------------------------------------------

TEST(OneLineMessages, ControlCharactersAreEscapedInEveryError) {
    const std::string raw("pack 'x\0\nevil'\tend\x1b[31m\r\n", 25);
    EXPECT_EQ(common::one_line(raw), "pack 'x\\0\\nevil'\\tend\\x1b[31m");
    EXPECT_EQ(common::one_line(common::one_line(raw)), common::one_line(raw));
    EXPECT_EQ(common::one_line("Борис C:\\dir"), "Борис C:\\dir");  // text and backslashes kept
    EXPECT_EQ(common::Error(raw).what(), common::one_line(raw));
    EXPECT_EQ(std::string(common::SourceError(common::SourceMark{"r.yaml", 3, 5}, raw).what()),
              "r.yaml:3:5: " + common::one_line(raw));
}

TEST(OneLineMessages, ANulByteInAFindingsValueNeitherCutsNorSplitsTheMessage) {
    const std::string dir = test::temp_dir();
    // The pack's name holds a NUL byte and a line break (JSON escapes: the file is plain text).
    const std::string file =
        write(dir + "/p1.json", R"({"pack": "x\u0000\nevil", "participant": "p1", "answers": {}})");
    const std::string expected =
        file + ": findings for pack 'x\\0\\nevil', but the answer key is for 'intro'";
    scoring::Findings f = scoring::load_findings(file);
    scoring::AnswerKey key = scoring::parse_answer_key(test::lab_test_key(), "key.json");
    EXPECT_EQ(error_of([&] { scoring::check_findings(f, key); }), expected);
    const std::string key_file = test::write_json(dir + "/answer-key.json", test::lab_test_key());
    auto r = run_dflab("score --key " + shell_quote(key_file) + " " + shell_quote(file));
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_EQ(line_count(r.err), 1u) << r.err;
    EXPECT_EQ(r.err, "dflab: " + expected + "\n");
    fs::remove_all(dir);
}

}  // namespace
}  // namespace dflab
