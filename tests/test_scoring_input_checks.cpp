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
#include "common/input_file.hpp"
#include "common/prerequisites.hpp"
#include "common/source_error.hpp"
#include "scoring/answer_key.hpp"
#include "scoring/findings.hpp"
#include "scoring/lab_csv.hpp"
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

// --- participant CSV -------------------------------------------------------------------------

class ParticipantCsv : public ::testing::Test {
  protected:
    void SetUp() override {
        dir = test::temp_dir();
        db = dir + "/lab.sqlite";
        scoring::LabRecord::create(db, "intro", "1.0.0", test::lab_test_key().dump(),
                                   "2026-11-28T08:00:00Z");
        record = std::make_unique<scoring::LabRecord>(db);
        lab = std::make_unique<scoring::Lab>(*record, scoring::system_clock());
    }
    void TearDown() override {
        lab.reset();
        record.reset();
        fs::remove_all(dir);
    }
    std::string import_error(const std::string& csv) {
        return error_of([&] { lab->import_participants(csv, "p.csv"); });
    }
    std::string dir, db;
    std::unique_ptr<scoring::LabRecord> record;
    std::unique_ptr<scoring::Lab> lab;
};

TEST_F(ParticipantCsv, ColumnsTheImportWouldNotReadAreRefusedAtTheirLineAndColumn) {
    // A misspelt column (its values were silently dropped).
    EXPECT_EQ(import_error("id,name,teem\np1,Ann,red\n"),
              "p.csv:1: column 3: unknown column 'teem'; the columns are id, name, team and "
              "variant");
    // A column given twice (only one of the two was read).
    EXPECT_EQ(import_error("id,name,team,name\np1,Ann,red,Anna\n"),
              "p.csv:1: column 4: the column 'name' is given twice (also column 2)");
    // A row with more fields than the header: an unquoted comma in a name, on line 4 after a
    // row with a quoted comma and a blank line.
    EXPECT_EQ(import_error("id,name\np1,\"Smith, Ann\"\n\np2,Smith, Bob\n"),
              "p.csv:4: column 3: 3 fields, but the header names 2 columns; quote a field that "
              "holds a comma");
    // Nothing of a refused file is stored.
    EXPECT_TRUE(record->participants().empty());
    // Known columns in any order import; so do rows that leave trailing fields out.
    auto added = lab->import_participants("variant,team,name,id\r\n1,red,Ann,p1\r\n", "a.csv");
    ASSERT_EQ(added.size(), 1u);
    EXPECT_EQ(added[0].id, "p1");
    EXPECT_EQ(added[0].variant, 1);
    added = lab->import_participants("id,name,team,variant\np2,Bob\n", "b.csv");
    ASSERT_EQ(added.size(), 1u);
    EXPECT_EQ(added[0].name, "Bob");
    EXPECT_EQ(added[0].team, "");
}

TEST(ParticipantCsvLines, EachRowKnowsTheLineItStartsOn) {
    // A quoted line break continues the row; a blank line is no row; CRLF or LF.
    std::vector<int> lines;
    auto rows = scoring::parse_csv("id,name\r\np1,\"Ann\nSmith\"\r\n\r\np2,Bob\n", "x.csv", &lines);
    ASSERT_EQ(rows.size(), 3u);
    EXPECT_EQ(rows[1][1], "Ann\nSmith");
    EXPECT_EQ(lines, (std::vector<int>{1, 2, 5}));
}

TEST_F(ParticipantCsv, TheCommandReadsOnlyARegularFile) {
    auto import = [&](const std::string& file) {
        return run_dflab("lab participants --db " + shell_quote(db) + " import " +
                         shell_quote(file));
    };
    // A link to /dev/zero was read without end.
    const std::string zero = dir + "/zero.csv";
    fs::create_symlink("/dev/zero", zero);
    auto r = import(zero);
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_EQ(r.err, "dflab: " + zero +
                         ": not a regular file (a folder, device or pipe); not a participant "
                         "list (CSV)\n");
    // A FIFO with no writer is refused at once, not waited on.
    const std::string fifo = dir + "/fifo.csv";
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    r = import(fifo);
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_NE(r.err.find(fifo + ": not a regular file"), std::string::npos) << r.err;
    r = import(dir + "/none.csv");
    EXPECT_EQ(r.err, "dflab: " + dir + "/none.csv: no such file\n");
    // An unknown column through the command: one line naming the file, line and column.
    r = import(write(dir + "/people.csv", "id,name,e-mail\np1,Ann,ann@example.org\n"));
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_EQ(r.err, "dflab: " + dir +
                         "/people.csv:1: column 3: unknown column 'e-mail'; the columns are id, "
                         "name, team and variant\n");
}

TEST(InputFile, ALimitAndWhatTheFileShouldBeAreNamed) {
    const std::string dir = test::temp_dir();
    const std::string file = write(dir + "/big.txt", std::string(2048, 'x'));
    EXPECT_EQ(common::read_input_file(file, 2048, "list").size(), 2048u);
    EXPECT_EQ(error_of([&] { common::read_input_file(file, 1024, "list"); }),
              file + ": larger than 1 KiB; not a list");
    EXPECT_EQ(error_of([&] { common::read_input_file(dir, 1024, "list"); }),
              dir + ": not a regular file (a folder, device or pipe); not a list");
    EXPECT_EQ(common::size_text(16u << 20), "16 MiB");
    EXPECT_EQ(common::size_text(1000), "1000 bytes");
    fs::remove_all(dir);
}

// --- numbers beyond a double -----------------------------------------------------------------

TEST(NumberOverflow, AFindingsFileNamesItselfAndTheQuestion) {
    const std::string dir = test::temp_dir();
    const std::string file = write(
        dir + "/p1.json", R"({"pack": "intro", "participant": "p1", "answers": {"count": 1e309}})");
    const std::string expected =
        file +
        ": question 'count': the number 1e309 is too large to read (over 1.8e308); write it as a "
        "string (\"1e309\") if it is meant as text";
    EXPECT_EQ(error_of([&] { scoring::load_findings(file); }), expected);
    // Outside the answers: the key.
    const std::string other =
        write(dir + "/p2.json", R"({"pack": "intro", "participant": "p2", "variant": -1e400,
                                   "answers": {}})");
    EXPECT_EQ(error_of([&] { scoring::load_findings(other); }),
              other +
                  ": key 'variant': the number -1e400 is too large to read (over 1.8e308); write "
                  "it as a string (\"-1e400\") if it is meant as text");
    // dflab score: one line, naming the file (it said only "number overflow parsing '1e309'").
    const std::string key = test::write_json(dir + "/answer-key.json", test::lab_test_key());
    auto r = run_dflab("score --key " + shell_quote(key) + " " + shell_quote(file));
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_EQ(r.err, "dflab: " + expected + "\n");
    // An answer key with such a number.
    const std::string bad_key = write(dir + "/bad-key.json", R"({"format": 1e309})");
    EXPECT_EQ(error_of([&] { scoring::load_answer_key(bad_key); }),
              bad_key + ": a number is too large to read (over 1.8e308)");
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
