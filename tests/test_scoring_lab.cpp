// The lab record and lab session (scoring/lab_record.hpp, scoring/lab_grading.hpp): storage
// guarantees (WAL, durable commits, append-only audit), grading policy at submission time
// (attempts, prerequisites, hints, reviews), standings and regrading against a corrected key.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "common/sqlite.hpp"
#include "engine/error.hpp"
#include "scoring/lab_csv.hpp"
#include "scoring/lab_export.hpp"
#include "scoring/lab_grading.hpp"
#include "tests/lab_test_key.hpp"
#include "tests/support/fixtures.hpp"

namespace dflab {
namespace {

namespace fs = std::filesystem;
using namespace scoring;
using test::error_of;

// Starts at 2026-11-28T09:00:00Z and moves one minute per reading.
Clock stepping_clock() {
    auto t = std::make_shared<std::chrono::system_clock::time_point>(
        parse_utc_iso("2026-11-28T09:00:00Z"));
    return [t] {
        auto now = *t;
        *t += std::chrono::minutes(1);
        return now;
    };
}

class LabTest : public ::testing::Test {
  protected:
    void SetUp() override {
        dir = test::temp_dir();
        db = dir + "/lab.sqlite";
        LabRecord::create(db, "intro", "1.0.0", test::lab_test_key().dump(),
                          "2026-11-28T08:00:00Z");
        record = std::make_unique<LabRecord>(db);
        lab = std::make_unique<Lab>(*record, stepping_clock());
        lab->add_participant("p1", "Ann", "red", 0);
        lab->add_participant("p2", "Boris", "red", 1);
    }
    void TearDown() override {
        lab.reset();
        record.reset();
        fs::remove_all(dir);
    }
    std::string sql(const std::string& query) {
        return test::run("sqlite3 " + test::shell_quote(db) + " " + test::shell_quote(query)).out;
    }
    std::string dir, db;
    std::unique_ptr<LabRecord> record;
    std::unique_ptr<Lab> lab;
};

TEST_F(LabTest, RecordIsWalWithFullSyncAndBusyTimeout) {
    EXPECT_EQ(sql("PRAGMA journal_mode"), "wal\n");  // persistent, seen by any connection
    auto pragma = [&](const char* name) {
        common::Statement s = record->database().prepare(std::string("PRAGMA ") + name);
        EXPECT_TRUE(s.step());
        return s.column_int(0);
    };
    EXPECT_EQ(pragma("synchronous"), 2);  // FULL
    EXPECT_EQ(pragma("busy_timeout"), 10000);
    EXPECT_EQ(pragma("foreign_keys"), 1);
    EXPECT_EQ(sql("PRAGMA application_id; PRAGMA user_version"), "1684434018\n3\n");
}

TEST_F(LabTest, AuditRowsCannotBeChangedOrDeleted) {
    lab->submit("p1", "hash", test::kHash0);
    EXPECT_EQ(sql("SELECT action FROM audit ORDER BY id"),
              "lab_init\nparticipant_add\nparticipant_add\nsubmission\n");
    auto update =
        test::run("sqlite3 " + test::shell_quote(db) + " \"UPDATE audit SET action='x'\"");
    EXPECT_NE(update.exit_code, 0);
    EXPECT_NE(update.err.find("the audit trail is append-only"), std::string::npos) << update.err;
    auto remove = test::run("sqlite3 " + test::shell_quote(db) + " \"DELETE FROM audit\"");
    EXPECT_NE(remove.exit_code, 0);
    EXPECT_NE(error_of([&] { record->database().exec("DELETE FROM audit WHERE id = 1"); }), "");
    EXPECT_EQ(sql("SELECT count(*) FROM audit"), "4\n");
}

TEST_F(LabTest, SubmissionIsGradedAndStoredWithItsTime) {
    SubmitOutcome o = lab->submit("p1", "when", "2023-10-02T14:03:11Z");
    EXPECT_EQ(o.refused, "");
    EXPECT_EQ(o.verdict, Verdict::correct) << o.feedback;
    EXPECT_EQ(o.points, 5);
    auto row = record->submission(o.submission);
    ASSERT_TRUE(row);
    EXPECT_EQ(row->value, "\"2023-10-02T14:03:11Z\"");
    EXPECT_EQ(row->verdict, "correct");
    EXPECT_EQ(row->variant, 0);
    EXPECT_EQ(row->time, "2026-11-28T09:02:00Z");  // third reading of the clock
}

TEST_F(LabTest, AttemptLimitRefusesFurtherAnswersWithoutStoringThem) {
    EXPECT_EQ(lab->submit("p1", "hash", std::string(64, 'd')).verdict, Verdict::incorrect);
    EXPECT_EQ(lab->submit("p1", "hash", std::string(64, 'c')).verdict, Verdict::incorrect);
    SubmitOutcome third = lab->submit("p1", "hash", test::kHash0);
    EXPECT_EQ(third.refused, "no attempts left (2 of 2 used)");
    EXPECT_EQ(record->submissions_of("p1", "hash").size(), 2u);
    EXPECT_EQ(lab->standings()[1].points, 0);
}

TEST_F(LabTest, WrongAttemptsAndHintsCostPoints) {
    EXPECT_EQ(lab->unlock_hint("p1", "hash").cost, 2);
    lab->submit("p1", "hash", std::string(64, 'c'));
    SubmitOutcome o = lab->submit("p1", "hash", test::kHash0);
    EXPECT_EQ(o.verdict, Verdict::correct);
    EXPECT_EQ(o.points, 10 - 1 - 2);  // one wrong attempt, one hint
    EXPECT_EQ(lab->submit("p1", "hash", test::kHash0).refused, "already answered correctly");
    EXPECT_NE(error_of([&] { lab->unlock_hint("p1", "hash"); }).find("already answered"),
              std::string::npos);
}

TEST_F(LabTest, HintsRunOut) {
    lab->unlock_hint("p2", "hash");
    EXPECT_EQ(lab->unlock_hint("p2", "hash").number, 2);
    EXPECT_EQ(error_of([&] { lab->unlock_hint("p2", "hash"); }),
              "p2/hash: no more hints (2 of 2 unlocked)");
    EXPECT_EQ(error_of([&] { lab->unlock_hint("p2", "when"); }),
              "p2/when: the question has no hints");
}

TEST_F(LabTest, PrerequisiteMustBeCorrectFirst) {
    EXPECT_EQ(lab->submit("p2", "count", "4").refused, "answer hash correctly first");
    lab->submit("p2", "hash", test::kHash1);
    EXPECT_EQ(lab->submit("p2", "count", "4").verdict, Verdict::correct);  // variant 1's answer
}

TEST_F(LabTest, AnotherVariantsAnswerIsFlagged) {
    SubmitOutcome o = lab->submit("p1", "hash", test::kHash1);  // p1 works on variant 0
    EXPECT_EQ(o.verdict, Verdict::incorrect);
    EXPECT_EQ(o.other_variants, std::vector<int>{1});
    ASSERT_EQ(record->sharing_flags().size(), 1u);
    EXPECT_EQ(record->sharing_flags()[0].submission, o.submission);
    auto standings = lab->standings();
    EXPECT_EQ(standings[0].participant.id, "p1");  // 0 points each; p1 submitted
    EXPECT_EQ(standings[0].flags, 1);
}

TEST_F(LabTest, BadInputIsRefusedAndNothingIsStored) {
    EXPECT_EQ(error_of([&] { lab->submit("p9", "hash", "x"); }),
              "p9: no such participant in " + db);
    EXPECT_EQ(error_of([&] { lab->submit("p1", "nope", "x"); }),
              "nope: no such question in pack intro");
    EXPECT_EQ(error_of([&] { lab->submit("p1", "essay", std::string(64 * 1024 + 1, 'x')); }),
              "p1/essay: the answer is larger than 64 KiB");
    EXPECT_EQ(error_of([&] { lab->submit("p1", "essay", std::string("a\0b", 3)); }),
              "p1/essay: the answer is binary (control characters)");
    EXPECT_EQ(error_of([&] { lab->submit("p1", "essay", "\xff\xfe"); }),
              "p1/essay: the answer is binary, not UTF-8 text");
    EXPECT_EQ(error_of([&] { lab->submit("p1", "essay", "  "); }), "p1/essay: no answer given");
    // One bad answer among good ones: none of them is stored.
    std::vector<std::pair<std::string, nlohmann::json>> answers = {
        {"when", "2023-10-02T14:03:11Z"}, {"essay", std::string(70000, 'y')}};
    EXPECT_NE(error_of([&] { lab->submit_all("p1", answers); }), "");
    EXPECT_EQ(record->submissions().size(), 0u);
    EXPECT_EQ(sql("SELECT count(*) FROM audit WHERE action = 'submission'"), "0\n");
    EXPECT_EQ(error_of([&] { lab->add_participant("p1", "Again", "", 0); }),
              "p1: participant exists in " + db);
    EXPECT_EQ(error_of([&] { lab->add_participant("p3", "X", "", 7); }),
              "p3: variant 7 was not built for pack intro");
}

TEST_F(LabTest, ReviewSetsThePointsOfFreeText) {
    SubmitOutcome o = lab->submit("p2", "essay", "The butler did it");
    EXPECT_EQ(o.verdict, Verdict::pending_review);
    EXPECT_EQ(lab->standings()[0].points, 0);
    EXPECT_NE(error_of([&] { lab->review(o.submission, 5, "too many", "T"); }), "");
    lab->review(o.submission, 3, "Names the butler, no evidence", "Teacher");
    auto standings = lab->standings();
    EXPECT_EQ(standings[0].participant.id, "p2");
    EXPECT_EQ(standings[0].points, 3);
    EXPECT_TRUE(standings[0].questions[4].reviewed);
    EXPECT_EQ(standings[0].questions[4].verdict, Verdict::partial);
}

TEST_F(LabTest, StandingsRankByPointsThenEarlierLastSubmission) {
    lab->add_participant("p3", "Cem", "blue", 0);
    lab->submit("p1", "when", "2023-10-02T14:03:11Z");
    lab->submit("p3", "when", "2023-10-02T14:03:11Z");
    lab->submit("p2", "files", nlohmann::json{"/c.txt"});
    auto s = lab->standings();
    ASSERT_EQ(s.size(), 3u);
    EXPECT_EQ(s[0].participant.id, "p2");  // 6 points
    EXPECT_EQ(s[1].participant.id, "p1");  // 5, earlier than p3
    EXPECT_EQ(s[2].participant.id, "p3");
    auto teams = team_standings(s, TeamRule::sum);
    EXPECT_EQ(teams[0].team, "red");
    EXPECT_EQ(teams[0].points, 11);
}

// An answer that cannot be read uses no attempt and is not stored; the feedback says how to write
// it. The hash question allows 2 attempts.
TEST_F(LabTest, AnswerNotUnderstoodIsNotStoredAndUsesNoAttempt) {
    for (int i = 0; i < 3; ++i) {
        SubmitOutcome o = lab->submit("p1", "hash", "0123");
        EXPECT_FALSE(o.understood);
        EXPECT_EQ(o.submission, 0);
        EXPECT_NE(o.refused, "");
        EXPECT_NE(o.feedback.find("Not understood: a digest of 4 hex digits"), std::string::npos)
            << o.feedback;
        EXPECT_NE(o.feedback.find("SHA-256 (64)"), std::string::npos) << o.feedback;
        EXPECT_EQ(o.attempts, 0);
    }
    EXPECT_EQ(sql("SELECT count(*) FROM submissions"), "0\n");
    EXPECT_EQ(sql("SELECT count(*) FROM audit WHERE action = 'submission'"), "0\n");
    SubmitOutcome wrong = lab->submit("p1", "hash", std::string(64, 'c'));
    EXPECT_TRUE(wrong.understood);
    EXPECT_EQ(wrong.attempts, 1);
    SubmitOutcome right = lab->submit("p1", "hash", test::kHash0);
    EXPECT_EQ(right.verdict, Verdict::correct);
    EXPECT_EQ(right.attempts, 2);
    EXPECT_EQ(right.points, 9);  // one wrong attempt's penalty, none for the unreadable ones
    // In a batch, the unreadable answer is left out and the others are stored.
    std::vector<std::pair<std::string, nlohmann::json>> answers{
        {"when", "2023-10-02 14:03"}, {"files", nlohmann::json{"/a.txt"}}};
    auto outcomes = lab->submit_all("p2", answers);
    ASSERT_EQ(outcomes.size(), 2u);
    EXPECT_FALSE(outcomes[0].understood);
    EXPECT_NE(outcomes[0].feedback.find("a time zone is needed"), std::string::npos);
    EXPECT_TRUE(outcomes[1].understood);
    EXPECT_EQ(sql("SELECT question FROM submissions WHERE participant = 'p2'"), "files\n");
}

TEST_F(LabTest, SubmitCommandSaysWhatWasNotUnderstood) {
    auto r = test::run("DFLAB_TIME=2026-11-28T09:00:00Z " + test::shell_quote(DFLAB_BINARY) +
                       " lab submit --db " + test::shell_quote(db) + " p1 when '10:07 Almaty'");
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_EQ(r.out.substr(0, r.out.find('\n')), "when: not understood, no attempt used") << r.out;
    EXPECT_NE(r.out.find("a date is needed with the time"), std::string::npos) << r.out;
    r = test::run("DFLAB_TIME=2026-11-28T09:00:00Z " + test::shell_quote(DFLAB_BINARY) +
                  " lab submit --json --db " + test::shell_quote(db) + " p1 when 'tomorrow'");
    auto list = nlohmann::json::parse(r.out);
    ASSERT_EQ(list.size(), 1u);
    EXPECT_EQ(list[0]["stored"], false);
    EXPECT_EQ(list[0]["understood"], false);
    EXPECT_EQ(sql("SELECT count(*) FROM submissions"), "0\n");
}

// p1 (red) 15, p2 (red) 5, p3 (blue) 16: the sum favours red, the mean and the best blue.
TEST_F(LabTest, TeamsRankByTheChosenRule) {
    lab->add_participant("p3", "Cem", "blue", 0);
    lab->submit("p1", "hash", test::kHash0);
    lab->submit("p1", "when", "2023-10-02T14:03:11Z");
    lab->submit("p2", "when", "2023-10-03T09:00:00Z");
    lab->submit("p3", "hash", test::kHash0);
    lab->submit("p3", "files", nlohmann::json{"/a.txt", "/b.txt"});
    auto s = lab->standings();
    auto mean = team_standings(s);  // the default
    ASSERT_EQ(mean.size(), 2u);
    EXPECT_EQ(mean[0].team, "blue");
    EXPECT_EQ(mean[0].points, 16);
    EXPECT_EQ(mean[1].points, 10);
    EXPECT_EQ(mean[1].sum, 20);
    auto best = team_standings(s, TeamRule::best);
    EXPECT_EQ(best[0].team, "blue");
    EXPECT_EQ(best[1].points, 15);
    auto sum = team_standings(s, TeamRule::sum);
    EXPECT_EQ(sum[0].team, "red");
    EXPECT_EQ(sum[0].points, 20);
    auto board = [&](const std::string& rule) {
        auto r = test::run("DFLAB_TIME=2026-11-28T09:00:00Z " + test::shell_quote(DFLAB_BINARY) +
                           " lab scoreboard --teams --json --db " + test::shell_quote(db) + rule);
        EXPECT_EQ(r.exit_code, 0) << r.err;
        return nlohmann::json::parse(r.out);
    };
    auto j = board("");
    EXPECT_EQ(j[0]["team"], "blue");
    EXPECT_EQ(j[0]["rule"], "mean");
    EXPECT_EQ(j[1]["points"], 10);
    j = board(" --team-rule sum");
    EXPECT_EQ(j[0]["team"], "red");
    EXPECT_EQ(j[0]["points"], 20);
    j = board(" --team-rule best");
    EXPECT_EQ(j[1]["points"], 15);
    EXPECT_EQ(error_of([] { team_rule_from_string("max"); }),
              "team rule 'max': must be mean, best or sum");
}

// A review of 3 of 4 points is a partial solve: 0.75 in every solved count.
TEST_F(LabTest, ReviewedPointsCountAsSolves) {
    lab->submit("p1", "hash", test::kHash0);
    SubmitOutcome essay = lab->submit("p1", "essay", "The butler did it.");
    lab->review(essay.submission, 3, "almost", "inst");
    lab->submit("p2", "essay", "The cook.");
    auto s = lab->standings();
    ASSERT_EQ(s[0].participant.id, "p1");
    EXPECT_DOUBLE_EQ(solved_share(s[0]), 1.75);
    EXPECT_DOUBLE_EQ(solved_share(s[1]), 0) << "pending review solves nothing";
    auto exported = export_json(*lab);
    EXPECT_EQ(exported["totals"][0]["solved"], 1.75);
    EXPECT_EQ(exported["totals"][0]["questions"]["essay"]["solved"], 0.75);
    Table totals = totals_table(lab->key(), s);
    EXPECT_EQ(totals.rows[0][7], "1.75");
    auto r = test::run("DFLAB_TIME=2026-11-28T09:00:00Z " + test::shell_quote(DFLAB_BINARY) +
                       " lab scoreboard --json --db " + test::shell_quote(db));
    EXPECT_EQ(nlohmann::json::parse(r.out)[0]["solved"], 1.75) << r.out << r.err;
}

TEST_F(LabTest, RegradeChangesVerdictsWhenTheKeyChanges) {
    lab->submit("p1", "hash", test::kHash0);
    lab->submit("p1", "count", "4");  // wrong under the first key
    ASSERT_EQ(lab->standings()[0].points, 10);
    RegradeSummary s = regrade(*record, test::lab_test_key(4), "fixed.json", stepping_clock());
    EXPECT_EQ(s.submissions, 2);
    EXPECT_TRUE(s.key_changed);
    ASSERT_EQ(s.verdict_changes.size(), 1u);
    EXPECT_EQ(s.verdict_changes[0].question, "count");
    EXPECT_EQ(s.verdict_changes[0].old_verdict, "incorrect");
    EXPECT_EQ(s.verdict_changes[0].new_verdict, "correct");
    EXPECT_EQ(s.totals["p1"], std::make_pair(10.0, 15.0));
    EXPECT_EQ(record->submissions_of("p1", "count")[0].verdict, "correct");
    EXPECT_EQ(Lab(*record, stepping_clock()).key().find("count")->answers.at(0), 4);
    EXPECT_EQ(sql("SELECT action, subject FROM audit WHERE action IN ('verdict_changed', "
                  "'key_replaced') ORDER BY id"),
              "verdict_changed|p1/count\nkey_replaced|intro\n");
    // The same key again changes nothing.
    RegradeSummary again = regrade(*record, test::lab_test_key(4), "fixed.json", stepping_clock());
    EXPECT_FALSE(again.key_changed);
    EXPECT_TRUE(again.verdict_changes.empty());
}

TEST_F(LabTest, RegradeRefusesAnotherPacksKeyAndStoresNothing) {
    lab->submit("p1", "count", "3");
    auto other = test::lab_test_key(4);
    other["pack"] = "other";
    EXPECT_EQ(
        error_of([&] { regrade(*record, other, "other.json", stepping_clock()); }),
        "other.json: the key is for pack 'other', the lab record " + db + " for pack 'intro'");
    auto fewer = test::lab_test_key();
    fewer["questions"].erase(0);
    fewer["questions"][0]["prerequisites"] = nlohmann::json::array();
    lab->submit("p1", "hash", test::kHash0);
    EXPECT_EQ(error_of([&] { regrade(*record, fewer, "fewer.json", stepping_clock()); }),
              "fewer.json: question hash has submissions in the lab record but is not in the key");
    EXPECT_EQ(sql("SELECT count(*) FROM audit WHERE action = 'key_replaced'"), "0\n");
}

TEST_F(LabTest, ImportIsAllOrNothing) {
    auto added =
        lab->import_participants("\xEF\xBB\xBFid,name,team\np3,Cem,blue\np4,Dana,\n", "a.csv");
    ASSERT_EQ(added.size(), 2u);
    EXPECT_EQ(added[0].team, "blue");
    EXPECT_EQ(added[1].team, "");
    EXPECT_EQ(error_of([&] { lab->import_participants("id,name\np5,Eve\np1,Again\n", "b.csv"); }),
              "b.csv:3: p1: participant exists in " + db);
    EXPECT_FALSE(record->participant("p5"));
    EXPECT_EQ(error_of([&] { lab->import_participants("id,team\np6,x\n", "c.csv"); }),
              "c.csv:1: the header must name the columns id and name");
}

TEST(LabRecordFile, NotALabRecordIsRecognisedWithoutChangingIt) {
    const std::string dir = test::temp_dir();
    const std::string text = dir + "/notes.txt", other = dir + "/other.sqlite";
    std::ofstream(text) << "just some text, long enough to be no database header at all......";
    ASSERT_EQ(test::run("sqlite3 " + test::shell_quote(other) + " 'CREATE TABLE t (x)'").exit_code,
              0);
    EXPECT_EQ(error_of([&] { LabRecord r(text); }),
              text + ": not a dflab lab record (not an SQLite database)");
    EXPECT_EQ(error_of([&] { LabRecord r(other); }), other + ": not a dflab lab record");
    EXPECT_EQ(error_of([&] { LabRecord r(dir + "/missing.sqlite"); }),
              dir + "/missing.sqlite: no such file");
    EXPECT_EQ(test::run("sqlite3 " + test::shell_quote(other) + " 'PRAGMA journal_mode'").out,
              "delete\n");
    EXPECT_EQ(error_of([&] { LabRecord::create(other, "p", "1", "{}", "2026-11-28T09:00:00Z"); }),
              other + ": exists; a lab record is never overwritten");
    fs::remove_all(dir);
}

TEST(LabCsv, FieldsRoundTrip) {
    std::vector<std::string> fields = {"plain",       "with, comma", "quote \" inside",
                                       "line\nbreak", "=1+1",        "Борис"};
    std::string line = csv_line(fields, {false, false, false, false, true, false});
    auto rows = parse_csv(line, "x.csv");
    ASSERT_EQ(rows.size(), 1u);
    std::vector<std::string> expected = fields;
    expected[4] = "'=1+1";  // a formula is not run by a spreadsheet
    EXPECT_EQ(rows[0], expected);
    EXPECT_EQ(error_of([] { parse_csv("a,\"b\n", "x.csv"); }),
              "x.csv:1: a quoted field is not closed");
}

}  // namespace
}  // namespace dflab
