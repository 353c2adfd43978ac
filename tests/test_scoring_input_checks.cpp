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
