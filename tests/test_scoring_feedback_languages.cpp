// Grading feedback and the policy's refusals in English, Russian and Kazakh: messages
// (common/message_value.hpp) made by scoring/grade.cpp, scoring/policy.cpp and
// scoring/lab_grading.cpp, stored in the lab record (schema 3) and rendered in the reader's
// language. Oracles: the catalogues as GNU msgfmt and Python's gettext read them
// (tests/support/catalogue_oracle.hpp), the English texts dflab gave before it had messages, the
// scoring sources scanned for keys, and the sqlite3 CLI, which makes a record of schema version 2.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "common/message_value.hpp"
#include "scoring/grade.hpp"
#include "scoring/lab_grading.hpp"
#include "scoring/policy.hpp"
#include "tests/lab_test_key.hpp"
#include "tests/support/catalogue_oracle.hpp"
#include "tests/support/fixtures.hpp"

namespace dflab {
namespace {

namespace fs = std::filesystem;
using namespace scoring;
using common::Message;
using common::render;
using nlohmann::json;
using test::catalogue_text;
using test::fill;
using test::shell_quote;

const std::vector<std::string> kLanguages = {"en", "ru", "kk"};

std::string read(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

std::string sql(const std::string& db, const std::string& query) {
    return test::run("sqlite3 " + shell_quote(db) + " " + shell_quote(query)).out;
}

KeyQuestion question(std::string type, json answer, json options = json::object()) {
    KeyQuestion q;
    q.id = "q1";
    q.type = std::move(type);
    q.points = 10;
    q.options = std::move(options);
    q.answers[0] = std::move(answer);
    return q;
}

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

TEST(FeedbackLanguages, TimeWithoutZoneIsNotUnderstoodInEachLanguage) {
    Grade g = grade_answer(question("timestamp", "2023-10-02T14:03:11Z"), "2023-10-02 14:03:11", 0,
                           "DMY");
    ASSERT_FALSE(g.understood);
    // English word for word as dflab said it before it had messages.
    EXPECT_EQ(g.feedback,
              "Not understood: a time zone is needed (e.g. Z, UTC, UTC+5, +03:00 or Asia/Almaty).");
    for (const auto& lang : kLanguages) {
        const std::string expected =
            fill(catalogue_text(lang, "grade.not_understood"),
                 {{"problem", catalogue_text(lang, "grade.time.zone_needed")}});
        EXPECT_EQ(render(lang, g.message), expected) << lang;
    }
    EXPECT_EQ(render("en", g.message), g.feedback);
    EXPECT_NE(render("ru", g.message), g.feedback);
    EXPECT_NE(render("kk", g.message), render("ru", g.message));
}

// The zone a time was read in is a message inside the feedback message.
TEST(FeedbackLanguages, TimeReadInTheQuestionsZoneSaysSoInEachLanguage) {
    Grade g =
        grade_answer(question("timestamp", "2023-10-02T14:03:11Z", {{"timezone", "Asia/Almaty"}}),
                     "2023-10-02 20:03:11", 0, "DMY");  // UTC+6 in 2023
    ASSERT_EQ(g.verdict, Verdict::correct) << g.feedback;
    EXPECT_EQ(g.feedback, "Correct: understood as 2023-10-02T14:03:11Z (read in Asia/Almaty).");
    EXPECT_EQ(g.normalised, "2023-10-02T14:03:11Z (read in Asia/Almaty)");
    for (const auto& lang : kLanguages) {
        const std::string note =
            fill(catalogue_text(lang, "grade.time.read_in"), {{"zone", "Asia/Almaty"}});
        const std::string value = fill(catalogue_text(lang, "grade.time.with_note"),
                                       {{"time", "2023-10-02T14:03:11Z"}, {"note", note}});
        EXPECT_EQ(render(lang, g.message),
                  fill(catalogue_text(lang, "grade.correct"), {{"value", value}}))
            << lang;
    }
}

TEST(FeedbackLanguages, WrongHashAndMalformedHashInEachLanguage) {
    KeyQuestion q = question("hash", {{"sha256", std::string(64, 'a')}}, {{"algorithm", "sha256"}});
    Grade wrong = grade_answer(q, std::string(64, 'c'), 0, "DMY");
    ASSERT_TRUE(wrong.understood);
    ASSERT_EQ(wrong.verdict, Verdict::incorrect);
    EXPECT_EQ(wrong.feedback, "Incorrect: understood as SHA-256 " + std::string(64, 'c') + ".");
    for (const auto& lang : kLanguages)
        EXPECT_EQ(render(lang, wrong.message),
                  fill(catalogue_text(lang, "grade.incorrect"), {{"value", wrong.normalised}}))
            << lang;
    Grade short_digest = grade_answer(q, "abc123", 0, "DMY");
    ASSERT_FALSE(short_digest.understood);
    EXPECT_EQ(short_digest.feedback,
              "Not understood: a digest of 6 hex digits is none of MD5 (32), SHA-1 (40) or "
              "SHA-256 (64).");
    for (const auto& lang : kLanguages)
        EXPECT_EQ(render(lang, short_digest.message),
                  fill(catalogue_text(lang, "grade.not_understood"),
                       {{"problem",
                         fill(catalogue_text(lang, "grade.hash.bad_length"), {{"count", "6"}})}}))
            << lang;
}

// A partly right set: the note's plural form follows the number of right items (Russian has
// three forms: 1, 2-4, 5 and more).
TEST(FeedbackLanguages, PartialSetNoteTakesThePluralFormOfEachLanguage) {
    KeyQuestion q = question("set", {"/a.txt", "/b.txt", "/c.txt"}, {{"element_type", "path"}});
    struct Case {
        json given;
        long long right, count;
        std::string english;
    };
    const std::vector<Case> cases = {
        {{"/a.txt", "/x.txt"}, 1, 2, "1 of the 2 items given is right"},
        {{"/a.txt", "/b.txt", "/x.txt"}, 2, 3, "2 of the 3 items given are right"}};
    for (const Case& c : cases) {
        Grade g = grade_answer(q, c.given, 0, "DMY");
        ASSERT_EQ(g.verdict, Verdict::partial) << g.feedback;
        EXPECT_EQ(g.feedback,
                  "Partly correct: understood as " + g.normalised + "; " + c.english + ".");
        for (const auto& lang : kLanguages) {
            const std::string note =
                fill(catalogue_text(lang, "grade.set.right_of_given", c.right),
                     {{"right", std::to_string(c.right)}, {"given", std::to_string(c.count)}});
            EXPECT_EQ(render(lang, g.message), fill(catalogue_text(lang, "grade.partial_note"),
                                                    {{"value", g.normalised}, {"note", note}}))
                << lang;
        }
    }
    // Russian: the form for 1 differs from the one for 2.
    EXPECT_NE(catalogue_text("ru", "grade.set.right_of_given", 1),
              catalogue_text("ru", "grade.set.right_of_given", 2));
}

TEST(FeedbackLanguages, PolicyPenaltyAndLimitInEachLanguage) {
    KeyQuestion q = question("integer", 7);
    q.wrong_attempt_penalty = 2;
    q.max_attempts = 3;
    std::vector<Grade> attempts;
    for (const char* value : {"1", "2", "7", "7"})
        attempts.push_back(grade_answer(q, value, 0, "DMY"));
    QuestionResult r = apply_policy(q, attempts, 0, true);
    ASSERT_EQ(r.verdict, Verdict::correct);
    EXPECT_EQ(r.feedback, attempts[2].feedback +
                              " -4 for 2 earlier wrong attempts. Only the first 3 attempts count.");
    for (const auto& lang : kLanguages) {
        const std::string then = catalogue_text(lang, "policy.then");
        const std::string penalty =
            fill(catalogue_text(lang, "policy.penalty", 2), {{"points", "4"}, {"count", "2"}});
        const std::string limit =
            fill(catalogue_text(lang, "policy.only_first", 3), {{"count", "3"}});
        const std::string expected = fill(
            then, {{"first",
                    fill(then, {{"first", render(lang, attempts[2].message)}, {"then", penalty}})},
                   {"then", limit}});
        EXPECT_EQ(render(lang, r.message), expected) << lang;
    }
    // Prerequisites not met: a refusal that names them.
    q.prerequisites = {"disk-hash", "owner"};
    QuestionResult locked = apply_policy(q, attempts, 0, false);
    EXPECT_EQ(locked.feedback, "Not graded: answer disk-hash, owner correctly first.");
    for (const auto& lang : kLanguages)
        EXPECT_EQ(render(lang, locked.message), fill(catalogue_text(lang, "policy.prerequisites"),
                                                     {{"questions", "disk-hash, owner"}}))
            << lang;
}

class FeedbackLab : public ::testing::Test {
  protected:
    void SetUp() override {
        dir = test::temp_dir();
        db = dir + "/lab.sqlite";
        LabRecord::create(db, "intro", "1.0.0", test::lab_test_key().dump(),
                          "2026-11-28T08:00:00Z");
    }
    void TearDown() override { fs::remove_all(dir); }
    std::string dir, db;
};

// The lab's refusals (no attempts left, a prerequisite, already solved, not understood) are
// messages too; the English text is the one dflab gave before.
TEST_F(FeedbackLab, RefusedAttemptsInEachLanguage) {
    LabRecord record(db);
    Lab lab(record, stepping_clock());
    lab.add_participant("p1", "Ann", "", 0);
    const std::string wrong(64, 'c');
    lab.submit("p1", "hash", wrong);
    lab.submit("p1", "hash", wrong);
    SubmitOutcome third = lab.submit("p1", "hash", wrong);  // the hash question allows 2
    EXPECT_EQ(third.refused, "no attempts left (2 of 2 used)");
    for (const auto& lang : kLanguages)
        EXPECT_EQ(
            render(lang, third.refused_message),
            fill(catalogue_text(lang, "policy.no_attempts_left"), {{"used", "2"}, {"max", "2"}}))
            << lang;
    SubmitOutcome before = lab.submit("p1", "count", "3");  // needs hash, unsolved
    EXPECT_EQ(before.refused, "answer hash correctly first");
    for (const auto& lang : kLanguages)
        EXPECT_EQ(render(lang, before.refused_message),
                  fill(catalogue_text(lang, "policy.prerequisite_first"), {{"question", "hash"}}))
            << lang;
    SubmitOutcome unread = lab.submit("p1", "when", "2023-10-02 14:03");
    EXPECT_FALSE(unread.understood);
    for (const auto& lang : kLanguages)
        EXPECT_EQ(
            render(lang, unread.refused_message),
            fill(catalogue_text(lang, "policy.then"),
                 {{"first", fill(catalogue_text(lang, "grade.not_understood"),
                                 {{"problem", catalogue_text(lang, "grade.time.zone_needed")}})},
                  {"then", catalogue_text(lang, "policy.no_attempt_used")}}))
            << lang;
    EXPECT_EQ(unread.refused, render("en", unread.refused_message));
    ASSERT_EQ(lab.submit("p1", "when", "2023-10-02T14:03:11Z").verdict, Verdict::correct);
    SubmitOutcome solved = lab.submit("p1", "when", "2023-10-02T14:03:11Z");
    EXPECT_EQ(solved.refused, "already answered correctly");
    EXPECT_EQ(render("kk", solved.refused_message), catalogue_text("kk", "policy.already_solved"));
}

// A hint that cannot be unlocked is a refusal thrown with its message; what() stays English.
TEST_F(FeedbackLab, HintRefusalsInEachLanguage) {
    LabRecord record(db);
    Lab lab(record, stepping_clock());
    lab.add_participant("p1", "Ann", "", 0);
    lab.unlock_hint("p1", "hash");
    lab.unlock_hint("p1", "hash");  // both of its hints
    try {
        lab.unlock_hint("p1", "hash");
        ADD_FAILURE() << "a third hint was unlocked";
    } catch (const Refusal& e) {
        EXPECT_STREQ(e.what(), "p1/hash: no more hints (2 of 2 unlocked)");
        for (const auto& lang : kLanguages)
            EXPECT_EQ(render(lang, e.message), fill(catalogue_text(lang, "policy.hint_no_more"),
                                                    {{"unlocked", "2"}, {"count", "2"}}))
                << lang;
    }
}

// What the record stores: the English text as before, and the message as JSON that renders in
// each language once read back.
TEST_F(FeedbackLab, StoredFeedbackMessageRendersInEachLanguage) {
    {
        LabRecord record(db);
        Lab lab(record, stepping_clock());
        lab.add_participant("p1", "Ann", "", 0);
        lab.submit("p1", "hash", std::string(64, 'c'));
    }
    const std::string english = sql(db, "SELECT feedback FROM submissions");
    EXPECT_EQ(english, "Incorrect: understood as SHA-256 " + std::string(64, 'c') + ".\n");
    json stored = json::parse(sql(db, "SELECT feedback_message FROM submissions"));
    EXPECT_EQ(stored["key"], "grade.incorrect");
    LabRecord record(db);
    auto rows = record.submissions_of("p1", "hash");
    ASSERT_EQ(rows.size(), 1u);
    Message m = common::message_from_json_text(rows[0].feedback_message);
    for (const auto& lang : kLanguages)
        EXPECT_EQ(render(lang, m), fill(catalogue_text(lang, "grade.incorrect"),
                                        {{"value", "SHA-256 " + std::string(64, 'c')}}))
            << lang;
}

// A record of schema version 2 (no feedback_message column), made from a new one with the sqlite3
// CLI as dflab 2 left it: it opens (upgraded to 3), its rows keep their English feedback and have
// no message, and grading goes on.
TEST_F(FeedbackLab, OldRecordWithoutTheColumnOpensWithItsEnglishFeedback) {
    {
        LabRecord record(db);
        Lab lab(record, stepping_clock());
        lab.add_participant("p1", "Ann", "", 0);
    }
    ASSERT_EQ(sql(db,
                  "ALTER TABLE submissions DROP COLUMN feedback_message; "
                  "PRAGMA user_version = 2; UPDATE lab SET schema_version = 2; "
                  "INSERT INTO submissions (participant, question, variant, value, normalised, "
                  "verdict, fraction, points, feedback, hints_used, time) VALUES ('p1', 'hash', 0, "
                  "'\"cc\"', 'SHA-256 cc', 'incorrect', 0, 0, 'Incorrect: stored in English.', 0, "
                  "'2026-11-28T09:30:00Z'); PRAGMA user_version"),
              "2\n");
    ASSERT_EQ(sql(db,
                  "SELECT count(*) FROM pragma_table_info('submissions') "
                  "WHERE name = 'feedback_message'"),
              "0\n");
    LabRecord record(db);
    EXPECT_EQ(record.info().schema_version, 3);
    EXPECT_EQ(sql(db, "PRAGMA user_version"), "3\n");
    auto rows = record.submissions_of("p1", "hash");
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].feedback, "Incorrect: stored in English.");
    EXPECT_EQ(rows[0].feedback_message, "");
    EXPECT_TRUE(common::message_from_json_text(rows[0].feedback_message).empty());
    // The old row counts as an attempt (the hash question allows 2); a new one stores a message.
    Lab lab(record, stepping_clock());
    SubmitOutcome next = lab.submit("p1", "hash", std::string(64, 'd'));
    EXPECT_TRUE(next.refused.empty()) << next.refused;
    EXPECT_EQ(next.attempts, 2);
    EXPECT_EQ(sql(db,
                  "SELECT CASE feedback_message WHEN '' THEN '(none)' ELSE "
                  "json_extract(feedback_message, '$.key') END FROM submissions ORDER BY id"),
              "(none)\ngrade.incorrect\n");
}

TEST(FeedbackLanguages, MessagesRoundTripThroughJsonAndBadJsonIsEmpty) {
    Message m = Message::of("grade.partial_note",
                            {{"value", "x"},
                             {"note", Message::plural("grade.set.right_of_given", 2,
                                                      {{"right", "2"}, {"given", "3"}})}});
    Message back = common::message_from_json(json::parse(common::to_json(m).dump()));
    for (const auto& lang : kLanguages) EXPECT_EQ(render(lang, back), render(lang, m)) << lang;
    EXPECT_EQ(render("en", m),
              "Partly correct: understood as x; 2 of the 3 items given are right.");
    for (const char* bad : {"", "{", "[1, 2]", "42", "{\"key\": 7}", "{\"args\": {}}"})
        EXPECT_EQ(render("ru", common::message_from_json_text(bad)), "") << bad;
    // A key with arguments of the wrong JSON type: the arguments are left out, no exception.
    EXPECT_NO_THROW(common::message_from_json(json{{"key", "grade.correct"}, {"args", 5}}));
    EXPECT_EQ(render("de", Message::of("policy.no_answer")),
              catalogue_text("en", "policy.no_answer"));
}

// Every grade.* and policy.* key that scoring's sources use is in the English catalogue (the
// catalogues test checks that Russian and Kazakh have every English key).
TEST(FeedbackLanguages, EveryKeyUsedInScoringIsInTheEnglishCatalogue) {
    std::set<std::string> catalogue;
    {
        std::regex id(R"re(^msgid "(.+)"$)re");
        std::istringstream in(read(std::string(DFLAB_SOURCE_DIR) + "/common/messages/en.po"));
        std::string line;
        std::smatch m;
        while (std::getline(in, line))
            if (std::regex_match(line, m, id)) catalogue.insert(m[1]);
    }
    std::set<std::string> used;
    const std::regex key(R"re("((?:grade|policy)\.[A-Za-z0-9_.]+)")re");
    for (const auto& entry : fs::directory_iterator(std::string(DFLAB_SOURCE_DIR) + "/scoring")) {
        if (entry.path().extension() != ".cpp") continue;
        const std::string text = read(entry.path());
        for (std::sregex_iterator it(text.begin(), text.end(), key), end; it != end; ++it)
            used.insert((*it)[1]);
    }
    EXPECT_GE(used.size(), 40u);  // the scan found the keys
    for (const auto& k : used) EXPECT_TRUE(catalogue.count(k)) << k << " is not in en.po";
    for (const char* k : {"grade.not_understood", "grade.correct", "policy.no_attempts_left"})
        EXPECT_TRUE(used.count(k)) << k;
}

// `dflab lab submit --language`: the instructor's shell prints the feedback and the refusal in the
// language asked for; what is stored is the same English text.
TEST_F(FeedbackLab, LabSubmitPrintsFeedbackInTheLanguageAsked) {
    const std::string key = dir + "/key.json";
    std::ofstream(key) << test::lab_test_key().dump();
    const std::string db_option = " --db " + test::shell_quote(dir + "/cli.sqlite");
    ASSERT_EQ(test::dflab("lab init --key " + test::shell_quote(key) + db_option).exit_code, 0);
    ASSERT_EQ(test::dflab("lab participants add p1 --name Ann --variant 0" + db_option).exit_code,
              0);
    auto r = test::dflab("lab submit p1 hash " + std::string(64, 'c') + " --language ru --json" +
                         db_option);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto out = nlohmann::json::parse(r.out).at(0);
    EXPECT_EQ(out["feedback"], fill(catalogue_text("ru", "grade.incorrect"),
                                    {{"value", out["normalised"].get<std::string>()}}));
    r = test::dflab("lab submit p1 count 3 --lang kk" + db_option);  // needs hash, unsolved
    EXPECT_NE(r.exit_code, 0);
    EXPECT_NE(
        r.err.find(fill(catalogue_text("kk", "policy.prerequisite_first"), {{"question", "hash"}})),
        std::string::npos)
        << r.err;
    auto stored = test::run("sqlite3 " + test::shell_quote(dir + "/cli.sqlite") +
                            " 'SELECT feedback FROM submissions'");
    EXPECT_EQ(stored.out,
              "Incorrect: understood as " + out["normalised"].get<std::string>() + ".\n");
}

}  // namespace
}  // namespace dflab
