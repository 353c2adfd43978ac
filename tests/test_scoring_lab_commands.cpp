// dflab lab, dflab regrade end to end through the binary, with an answer key written by the test;
// sqlite3 and Python's csv module serve as oracles.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

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

TEST_F(LabCommands, HintPrintsItsTextFromTheStoredKeyForTheInstructorToPassOn) {
    auto with_texts = test::lab_test_key();
    with_texts["questions"][0]["hints"] = {
        {{"cost", 2},
         {"text",
          {{"en", "Compare with the hash the E01 stores."},
           {"ru", "Сравните с хешем, сохранённым в E01."}}}},
        {{"cost", 3}, {"text", {{"en", "ewfverify -d sha256"}}}}};
    const std::string key2 = test::write_json(dir + "/key-with-hints.json", with_texts);
    const std::string db2 = dir + "/hints.sqlite";
    ASSERT_EQ(lab("lab init --key " + shell_quote(key2) + " --db " + shell_quote(db2)).exit_code,
              0);
    ASSERT_EQ(lab("lab participants --db " + shell_quote(db2) + " add p1 --name Ann").exit_code, 0);
    auto r = lab("lab hint --db " + shell_quote(db2) + " p1 hash --lang ru");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out,
              "p1/hash: hint 1 of 2 unlocked (costs 2 points)\n"
              "  Сравните с хешем, сохранённым в E01.\n");
    r = lab("lab hint --db " + shell_quote(db2) + " p1 hash --lang kk");  // no Kazakh: English
    EXPECT_EQ(r.out, "p1/hash: hint 2 of 2 unlocked (costs 3 points)\n  ewfverify -d sha256\n");
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

TEST_F(LabCommands, ExportCsvWithBomOpensInSpreadsheetsWithCyrillicIntact) {
    const std::string value = "Дворецкий, в перчатках: \"улика\"\nвторая строка";
    ASSERT_EQ(submit("p2 essay " + shell_quote(value)).exit_code, 0);
    const std::string csv = dir + "/export-bom.csv";
    auto r =
        lab("lab export --db " + shell_quote(db) + " --format csv --bom -o " + shell_quote(csv));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    std::ifstream in(csv, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    ASSERT_TRUE(bytes.starts_with("\xEF\xBB\xBF")) << bytes.substr(0, 20);
    EXPECT_NE(bytes.find("\r\n"), std::string::npos);  // RFC 4180 line ends
    // Python's csv module reading UTF-8 with a signature, as spreadsheets do.
    auto parsed = test::run("python3 -c " +
                            shell_quote("import csv, json, sys; print(json.dumps(list(csv.reader("
                                        "open(sys.argv[1], newline='', encoding='utf-8-sig')))))") +
                            " " + shell_quote(csv));
    ASSERT_EQ(parsed.exit_code, 0) << parsed.err;
    auto rows = nlohmann::json::parse(parsed.out);
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0][0], "submission");  // the mark is not part of the first field
    EXPECT_EQ(rows[1][3], "Борис");
    EXPECT_EQ(rows[1][6], "essay");
    EXPECT_EQ(rows[1][7], value);
    // The access codes' CSV (names, codes) takes --bom too.
    const std::string codes = dir + "/codes.csv";
    r = lab("lab participants --db " + shell_quote(db) + " codes --bom --csv " +
            shell_quote(codes));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto people =
        test::run("python3 -c " +
                  shell_quote("import csv, json, sys; print(json.dumps(list(csv.DictReader("
                              "open(sys.argv[1], newline='', encoding='utf-8-sig')))))") +
                  " " + shell_quote(codes));
    ASSERT_EQ(people.exit_code, 0) << people.err;
    auto slips = nlohmann::json::parse(people.out);
    ASSERT_EQ(slips.size(), 3u);
    EXPECT_EQ(slips[0]["name"], "Smith, Ann \"A\"");
    EXPECT_EQ(slips[1]["id"], "p2");
    EXPECT_EQ(slips[1]["name"], "Борис");
    // Without --bom no mark (scripts and pipes); --bom with JSON is refused in one line.
    r = lab("lab export --db " + shell_quote(db) + " --format csv");
    EXPECT_TRUE(r.out.starts_with("submission,")) << r.out.substr(0, 20);
    r = lab("lab export --db " + shell_quote(db) + " --format json --bom");
    EXPECT_NE(r.exit_code, 0);
    EXPECT_EQ(r.err, "dflab: --bom is for --format csv only\n");
}

TEST_F(LabCommands, ReviewListShowsWholeAnswersWrapped) {
    std::string answer;
    for (int i = 0; i < 40; ++i) answer += "дворецкий" + std::to_string(i) + " ";
    answer += "\nhttps://example.org/" + std::string(150, 'x') + "/конец";
    ASSERT_EQ(submit("p2 essay " + shell_quote(answer)).exit_code, 0);
    auto r = lab("lab review --db " + shell_quote(db) + " list");  // not a terminal: 100 columns
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto out_lines = test::lines(r.out);
    EXPECT_GT(out_lines.size(), 4u) << r.out;
    for (const auto& line : out_lines) {
        size_t code_points = 0;
        for (unsigned char c : line) code_points += (c & 0xC0) != 0x80 ? 1 : 0;
        EXPECT_LE(code_points, 100u) << line;
    }
    auto without_spaces = [](std::string s) {
        std::erase_if(s, [](char c) { return c == ' ' || c == '\n' || c == '\r'; });
        return s;
    };
    EXPECT_NE(without_spaces(r.out).find(without_spaces(answer)), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find("..."), std::string::npos);
}

TEST_F(LabCommands, ReviewSetSaysWhatItNeeds) {
    ASSERT_EQ(submit("p1 essay 'The butler.'").exit_code, 0);
    std::string id = sql("SELECT id FROM submissions");
    id.erase(id.find_last_not_of('\n') + 1);
    auto set = [&](const std::string& args) {
        return lab("lab review --db " + shell_quote(db) + " set " + args);
    };
    auto help = set("--help");
    EXPECT_NE(help.out.find("points within the question's points"), std::string::npos) << help.out;
    EXPECT_NE(help.out.find("--comment"), std::string::npos);
    auto one_line_error = [](const test::CommandResult& r, const std::string& text) {
        EXPECT_NE(r.exit_code, 0);
        EXPECT_EQ(test::lines(r.err).size(), 1u) << r.err;
        EXPECT_NE(r.err.find(text), std::string::npos) << r.err;
    };
    one_line_error(set("99 --points 1 --comment ok --reviewer T"),
                   "submission 99: no such submission in ");
    one_line_error(set(id + " --points 5 --comment ok --reviewer T"),
                   "points must be between 0 and 4 (question essay)");
    one_line_error(set(id + " --points 1 --comment ' ' --reviewer T"),
                   "the comment is empty; say why these points were given");
    one_line_error(set(id + " --points 1 --comment ok --reviewer ''"),
                   "submission " + id + ": reviewer: must not be empty");
    one_line_error(set(id + " --points 1 --reviewer T"), "--comment is required");
    one_line_error(set(id + " --points many --comment ok --reviewer T"), "--points");
    EXPECT_EQ(sql("SELECT count(*) FROM reviews"), "0\n");
    auto r = set(id + " --points 3.5 --comment 'names the butler' --reviewer T");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "submission " + id + " (p1/essay) reviewed by T: 3.5 of 4 points\n");
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
