// dflab lab, dflab regrade end to end through the binary, with an answer key written by the test;
// sqlite3 and Python's csv module serve as oracles.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "tests/lab_test_key.hpp"
#include "tests/support/fixtures.hpp"

namespace dflab {
namespace {

namespace fs = std::filesystem;
using test::shell_quote;

class LabCommands : public ::testing::Test {
  protected:
    void SetUp() override {
        dir = test::temp_dir();
        db = dir + "/lab.sqlite";
        key = test::write_json(dir + "/answer-key.json", test::lab_test_key());
        ASSERT_EQ(lab("lab init --key " + shell_quote(key) + " --db " + shell_quote(db)).exit_code,
                  0);
        std::ofstream(dir + "/people.csv")
            << "id,name,team,variant\r\np1,\"Smith, Ann \"\"A\"\"\",red,0\r\np2,Борис,red,1\r\n"
               "p3,Cem,blue,\r\n";
        auto r = lab("lab participants --db " + shell_quote(db) + " import " +
                     shell_quote(dir + "/people.csv"));
        ASSERT_EQ(r.exit_code, 0) << r.err;
    }
    void TearDown() override { fs::remove_all(dir); }

    test::CommandResult lab(const std::string& args) {
        return test::run("DFLAB_TIME=2026-11-28T09:00:00Z " + shell_quote(DFLAB_BINARY) + " " +
                         args);
    }
    test::CommandResult submit(const std::string& args) {
        return lab("lab submit --db " + shell_quote(db) + " " + args);
    }
    std::string sql(const std::string& query) {
        return test::run("sqlite3 " + shell_quote(db) + " " + shell_quote(query)).out;
    }
    std::string dir, db, key;
};

TEST_F(LabCommands, InitAndParticipants) {
    EXPECT_EQ(sql("SELECT pack, pack_version, schema_version FROM lab"), "intro|1.0.0|3\n");
    EXPECT_EQ(sql("SELECT json_extract(answer_key, '$.questions[0].id') FROM lab"), "hash\n");
    auto r = lab("lab participants list --json --db " + shell_quote(db));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto list = nlohmann::json::parse(r.out);
    ASSERT_EQ(list.size(), 3u);
    EXPECT_EQ(list[0]["name"], "Smith, Ann \"A\"");
    EXPECT_EQ(list[1]["name"], "Борис");
    EXPECT_EQ(list[1]["variant"], 1);
    EXPECT_EQ(list[2]["variant"], 0);  // handed out in turn: third participant, variants 0 and 1
    r = lab("lab participants --db " + shell_quote(db) + " add p4 --name Dana --variant 1");
    EXPECT_EQ(r.out, "added p4 (Dana), variant 1\n");
    r = lab("lab init --key " + shell_quote(key) + " --db " + shell_quote(db));
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(r.err, "dflab: " + db + ": exists; a lab record is never overwritten\n");
}

TEST_F(LabCommands, SubmitPrintsVerdictAndFeedbackNeverTheKey) {
    auto r = submit("p1 hash " + std::string(64, 'c'));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(test::lines(r.out)[0], "hash: incorrect, 0 of 10 points (attempt 1 of 2)");
    EXPECT_EQ(r.out.find(test::kHash0), std::string::npos);
    r = submit("p1 hash " + test::kHash0);
    EXPECT_EQ(test::lines(r.out)[0], "hash: correct, 9 of 10 points (attempt 2 of 2)");
    r = submit("p1 hash " + test::kHash0);
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(r.err, "dflab: p1/hash: not accepted: already answered correctly\n");
    r = submit("p2 files /c.txt");  // one value of a set question is a list of one
    EXPECT_EQ(test::lines(r.out)[0], "files: correct, 6 of 6 points (attempt 1)");
    r = submit("--json p3 files /a.txt /x.txt");
    auto outcome = nlohmann::json::parse(r.out)[0];
    EXPECT_EQ(outcome["verdict"], "partial");
    EXPECT_EQ(sql("SELECT participant, question, verdict FROM submissions ORDER BY id"),
              "p1|hash|incorrect\np1|hash|correct\np2|files|correct\np3|files|partial\n");
}

TEST_F(LabCommands, AttemptLimitAndHints) {
    EXPECT_EQ(lab("lab hint --db " + shell_quote(db) + " p1 hash").out,
              "p1/hash: hint 1 of 2 unlocked (costs 2 points)\n");
    // Wrong digests (an unreadable one such as 1234 would use no attempt, docs/grading.md).
    EXPECT_EQ(submit("p1 hash " + std::string(64, 'c')).exit_code, 0);
    EXPECT_EQ(submit("p1 hash " + std::string(64, 'd')).exit_code, 0);
    auto r = submit("p1 hash " + test::kHash0);
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(r.err, "dflab: p1/hash: not accepted: no attempts left (2 of 2 used)\n");
    EXPECT_EQ(sql("SELECT count(*) FROM submissions"), "2\n");
}

TEST_F(LabCommands, FindingsFileIsSubmittedInOneGo) {
    const std::string findings =
        test::write_json(dir + "/p2.json", {{"pack", "intro"},
                                            {"participant", "p2"},
                                            {"variant", 1},
                                            {"answers",
                                             {{"hash", test::kHash1},
                                              {"when", "2023-10-03T09:00:00Z"},
                                              {"files", {"/c.txt"}},
                                              {"essay", "The butler, because of the gloves."}}}});
    auto r = submit("--findings " + shell_quote(findings));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(sql("SELECT count(*), sum(points) FROM submissions WHERE participant = 'p2'"),
              "4|21.0\n");
    // Review the essay, then the scoreboard shows the points.
    auto pending = lab("lab review --db " + shell_quote(db) + " list --json");
    auto items = nlohmann::json::parse(pending.out);
    ASSERT_EQ(items.size(), 1u);
    EXPECT_EQ(items[0]["review"], nullptr);
    const std::string id = items[0]["submission"].dump();
    r = lab("lab review --db " + shell_quote(db) + " set " + id +
            " --points 4 --comment 'gloves: good' --reviewer T");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto board = nlohmann::json::parse(lab("lab scoreboard --json --db " + shell_quote(db)).out);
    EXPECT_EQ(board[0]["participant"], "p2");
    EXPECT_EQ(board[0]["points"], 25);
    EXPECT_EQ(board[0]["questions"]["essay"]["reviewed"], true);
    auto teams =
        nlohmann::json::parse(lab("lab scoreboard --teams --json --db " + shell_quote(db)).out);
    EXPECT_EQ(teams[0]["team"], "red");
    EXPECT_EQ(teams[0]["members"], 2);
}

TEST_F(LabCommands, ExportCsvParsesBack) {
    submit("p1 when '2023-10-02T14:03:11Z'");
    submit("p1 essay " + shell_quote("=HYPERLINK(\"x\"), \"quoted\"\nsecond line"));
    const std::string csv = dir + "/export.csv";
    auto r = lab("lab export --db " + shell_quote(db) + " --format csv -o " + shell_quote(csv));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto parsed = test::run("python3 -c " +
                            shell_quote("import csv, json, sys; print(json.dumps(list(csv.reader("
                                        "open(sys.argv[1], newline='')))))") +
                            " " + shell_quote(csv));
    ASSERT_EQ(parsed.exit_code, 0) << parsed.err;
    auto rows = nlohmann::json::parse(parsed.out);
    ASSERT_EQ(rows.size(), 3u);
    EXPECT_EQ(rows[0][0], "submission");
    EXPECT_EQ(rows[1][3], "Smith, Ann \"A\"");
    EXPECT_EQ(rows[1][6], "when");
    EXPECT_EQ(rows[1][9], "correct");
    EXPECT_EQ(rows[1][11], "5");
    EXPECT_EQ(rows[2][7], "'=HYPERLINK(\"x\"), \"quoted\"\nsecond line");
    auto totals = nlohmann::json::parse(
        test::run("DFLAB_TIME=2026-11-28T09:00:00Z " + shell_quote(DFLAB_BINARY) +
                  " lab export --db " + shell_quote(db) +
                  " --format csv --table totals | python3 -c " +
                  shell_quote(
                      "import csv, json, sys; print(json.dumps(list(csv.DictReader(sys.stdin))))"))
            .out);
    ASSERT_EQ(totals.size(), 3u);
    EXPECT_EQ(totals[0]["participant"], "p1");
    EXPECT_EQ(totals[0]["points"], "5");
    EXPECT_EQ(totals[0]["q:when"], "5");
    auto json =
        nlohmann::json::parse(lab("lab export --db " + shell_quote(db) + " --format json").out);
    EXPECT_EQ(json["submissions"].size(), 2u);
    EXPECT_EQ(json["totals"][0]["points"], 5);
}

TEST_F(LabCommands, RegradeAgainstACorrectedKey) {
    submit("p1 hash " + test::kHash0);
    submit("p1 count 4");
    const std::string fixed = dir + "/fixed";
    fs::create_directories(fixed + "/instructor");
    test::write_json(fixed + "/instructor/answer-key.json", test::lab_test_key(4));
    auto r =
        lab("regrade --db " + shell_quote(db) + " --key " + shell_quote(fixed + "/instructor"));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("verdicts changed: 1\n"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("p1/count  incorrect -> correct  (0 -> 5 points)"), std::string::npos);
    EXPECT_NE(r.out.find("  p1  10 -> 15\n"), std::string::npos) << r.out;
    EXPECT_EQ(sql("SELECT verdict FROM submissions WHERE question = 'count'"), "correct\n");
    EXPECT_EQ(sql("SELECT json_extract(answer_key, '$.questions[1].answers.\"0\"') FROM lab"),
              "4\n");
}

TEST_F(LabCommands, BadInputIsOneLineAndStoresNothing) {
    auto one_line_error = [](const test::CommandResult& r, const std::string& text) {
        EXPECT_NE(r.exit_code, 0);
        EXPECT_EQ(test::lines(r.err).size(), 1u) << r.err;
        EXPECT_NE(r.err.find(text), std::string::npos) << r.err;
    };
    one_line_error(submit("p9 hash x"), "dflab: p9: no such participant in ");
    one_line_error(submit("p1 nope x"), "dflab: nope: no such question in pack intro");
    one_line_error(submit("p1 essay " + std::string(70000, 'x')),
                   "p1/essay: the answer is larger than 64 KiB");
    const std::string binary =
        test::write_json(dir + "/bin.json", {{"pack", "intro"},
                                             {"participant", "p1"},
                                             {"answers",
                                              {{"when", "2023-10-02T14:03:11Z"},
                                               {"essay",
                                                "a\x01"
                                                "b"}}}});
    one_line_error(submit("--findings " + shell_quote(binary)), "p1/essay: the answer is binary");
    EXPECT_EQ(sql("SELECT count(*) FROM submissions"), "0\n");

    std::ofstream(dir + "/not-a-lab.sqlite") << "hello";
    one_line_error(lab("lab scoreboard --db " + shell_quote(dir + "/not-a-lab.sqlite")),
                   "not-a-lab.sqlite: not a dflab lab record");
    auto other = test::lab_test_key();
    other["pack"] = "other";
    const std::string other_key = test::write_json(dir + "/other.json", other);
    one_line_error(lab("regrade --db " + shell_quote(db) + " --key " + shell_quote(other_key)),
                   "other.json: the key is for pack 'other', the lab record");
    one_line_error(lab("report --db " + shell_quote(db) + " --key " + shell_quote(other_key) +
                       " -o " + shell_quote(dir + "/r.html")),
                   "the key is for pack 'other'");
    EXPECT_FALSE(fs::exists(dir + "/r.html"));
    EXPECT_EQ(sql("SELECT count(*) FROM audit WHERE action = 'key_replaced'"), "0\n");
}

TEST_F(LabCommands, SeveralShellsSubmitAtOnce) {
    // Twenty processes at once: busy_timeout makes writers wait; every submission is stored.
    std::string script;
    for (int i = 0; i < 10; ++i) {
        for (const char* p : {"p1", "p2"}) {
            script += "DFLAB_TIME=2026-11-28T09:00:00Z " + shell_quote(DFLAB_BINARY) +
                      " lab submit --db " + shell_quote(db) + " " + p + " essay 'answer " +
                      std::to_string(i) + "' >/dev/null || echo failed & ";
        }
    }
    auto r = test::run("bash -c " + shell_quote(script + "wait"));
    EXPECT_EQ(r.out, "");
    EXPECT_EQ(r.err, "");
    EXPECT_EQ(sql("SELECT count(*) FROM submissions"), "20\n");
    EXPECT_EQ(sql("PRAGMA integrity_check"), "ok\n");
}

}  // namespace
}  // namespace dflab
