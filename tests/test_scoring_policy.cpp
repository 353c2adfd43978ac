// Grading policy arithmetic, and strict loading of answer-key.json.
#include <gtest/gtest.h>

#include <fstream>

#include "scoring/answer_key.hpp"
#include "scoring/policy.hpp"
#include "support/fixtures.hpp"

namespace dflab::scoring {
namespace {

using nlohmann::json;

Grade right() {
    return {Verdict::correct, 1, "x", "Correct."};
}
Grade wrong() {
    return {Verdict::incorrect, 0, "y", "Incorrect."};
}
Grade half() {
    return {Verdict::partial, 0.5, "z", "Partly correct."};
}

KeyQuestion question() {
    KeyQuestion q;
    q.id = "q1";
    q.type = "integer";
    q.points = 10;
    q.answers[0] = 1;
    return q;
}

TEST(ScoringPolicy, PenaltyPerWrongAttemptAndHintCosts) {
    KeyQuestion q = question();
    q.wrong_attempt_penalty = 2;
    q.hint_costs = {1, 3};
    std::vector<Grade> attempts{wrong(), wrong(), right()};
    // 10 points - 2 wrong attempts * 2 - first hint 1 = 5.
    QuestionResult r = apply_policy(q, attempts, 1, true);
    EXPECT_EQ(r.verdict, Verdict::correct);
    EXPECT_DOUBLE_EQ(r.points, 5);
    EXPECT_DOUBLE_EQ(r.max_points, 10);
    EXPECT_EQ(r.attempts, 3);
    // Both hints: 10 - 4 - (1 + 3) = 2; more hints unlocked than exist cost the same.
    EXPECT_DOUBLE_EQ(apply_policy(q, attempts, 2, true).points, 2);
    EXPECT_DOUBLE_EQ(apply_policy(q, attempts, 7, true).points, 2);
    // Attempts after the right one change nothing.
    std::vector<Grade> after{right(), wrong()};
    EXPECT_DOUBLE_EQ(apply_policy(q, after, 0, true).points, 10);
}

TEST(ScoringPolicy, NeverBelowZero) {
    KeyQuestion q = question();
    q.wrong_attempt_penalty = 5;
    std::vector<Grade> attempts{wrong(), wrong(), wrong(), right()};  // 10 - 15 -> 0
    QuestionResult r = apply_policy(q, attempts, 0, true);
    EXPECT_EQ(r.verdict, Verdict::correct);
    EXPECT_DOUBLE_EQ(r.points, 0);
    q.wrong_attempt_penalty = 0;
    q.hint_costs = {25};
    EXPECT_DOUBLE_EQ(apply_policy(q, std::vector<Grade>{right()}, 1, true).points, 0);
}

TEST(ScoringPolicy, AttemptLimit) {
    KeyQuestion q = question();
    q.max_attempts = 2;
    std::vector<Grade> attempts{wrong(), wrong(), right()};
    QuestionResult r = apply_policy(q, attempts, 0, true);
    EXPECT_EQ(r.verdict, Verdict::incorrect);
    EXPECT_DOUBLE_EQ(r.points, 0);
    EXPECT_EQ(r.attempts, 2);
    std::vector<Grade> in_time{wrong(), right(), wrong()};
    EXPECT_EQ(apply_policy(q, in_time, 0, true).verdict, Verdict::correct);
}

TEST(ScoringPolicy, PartialCreditAndPenalty) {
    KeyQuestion q = question();
    q.wrong_attempt_penalty = 1;
    // Best attempt is the second (0.5): 0.5 * 10 - 1 earlier attempt * 1 = 4.
    std::vector<Grade> attempts{wrong(), half(), wrong()};
    QuestionResult r = apply_policy(q, attempts, 0, true);
    EXPECT_EQ(r.verdict, Verdict::partial);
    EXPECT_DOUBLE_EQ(r.points, 4);
}

TEST(ScoringPolicy, PrerequisitesNoAttemptsAndPendingReview) {
    KeyQuestion q = question();
    q.prerequisites = {"q0"};
    QuestionResult blocked = apply_policy(q, std::vector<Grade>{right()}, 0, false);
    EXPECT_DOUBLE_EQ(blocked.points, 0);
    EXPECT_NE(blocked.verdict, Verdict::correct);
    EXPECT_NE(blocked.feedback.find("q0"), std::string::npos) << blocked.feedback;
    QuestionResult none = apply_policy(q, {}, 0, true);
    EXPECT_EQ(none.verdict, Verdict::incorrect);
    EXPECT_EQ(none.attempts, 0);
    Grade review{Verdict::pending_review, 0, "text", "Recorded."};
    QuestionResult pending = apply_policy(q, std::vector<Grade>{review}, 0, true);
    EXPECT_EQ(pending.verdict, Verdict::pending_review);
    EXPECT_DOUBLE_EQ(pending.points, 0);
}

json valid_key() {
    return json::parse(R"({
      "format": "dflab-answer-key", "format_version": 1, "pack": "intro", "pack_version": "1.0.0",
      "date_order": "MDY", "variants": [0, 1],
      "questions": [
        {"id": "image-sha256", "type": "hash", "points": 10,
         "answers": {"0": {"sha256": "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
                     "1": {"sha256": "3608bca1e44ea6c4d268eb6db02260269892c0b42b86bbf1e77a6fa16c3c9282"}},
         "options": {"algorithm": "sha256"}, "hints": [{"cost": 2}], "future_key": 1},
        {"id": "deleted-file", "type": "path", "points": 5, "answer": "/a.txt",
         "answers": {"0": "/a.txt", "1": "/b.txt"}, "prerequisites": ["image-sha256"],
         "max_attempts": 3, "wrong_attempt_penalty": 1}
      ]})");
}

std::string write_key(const json& key) {
    std::string dir = test::temp_dir();
    std::ofstream(dir + "/answer-key.json") << key.dump();
    return dir;
}

std::string load_error(const json& key) {
    std::string dir = write_key(key);
    return test::error_of([&] { load_answer_key(dir); });
}

TEST(ScoringAnswerKey, LoadsFromDirectoryOrFile) {
    std::string dir = write_key(valid_key());
    AnswerKey key = load_answer_key(dir);
    EXPECT_EQ(key.pack, "intro");
    EXPECT_EQ(key.date_order, "MDY");
    EXPECT_EQ(key.variants, (std::vector<int>{0, 1}));
    ASSERT_EQ(key.questions.size(), 2u);
    const KeyQuestion* q = key.find("image-sha256");
    ASSERT_NE(q, nullptr);
    EXPECT_EQ(q->hint_costs, std::vector<double>{2});
    EXPECT_EQ(q->answers.size(), 2u);
    EXPECT_EQ(key.find("deleted-file")->max_attempts, 3);
    EXPECT_EQ(key.find("nope"), nullptr);
    EXPECT_EQ(load_answer_key(dir + "/answer-key.json").questions.size(), 2u);
}

TEST(ScoringAnswerKey, StrictErrorsNameFileAndQuestion) {
    json unknown_type = valid_key();
    unknown_type["questions"][1]["type"] = "colour";
    std::string e = load_error(unknown_type);
    EXPECT_NE(e.find("answer-key.json"), std::string::npos) << e;
    EXPECT_NE(e.find("deleted-file"), std::string::npos) << e;
    EXPECT_NE(e.find("colour"), std::string::npos) << e;
    EXPECT_EQ(e.find('\n'), std::string::npos) << "one line";

    json no_id = valid_key();
    no_id["questions"][0].erase("id");
    EXPECT_NE(load_error(no_id).find("questions[0]"), std::string::npos) << load_error(no_id);

    json points_text = valid_key();
    points_text["questions"][0]["points"] = "ten";
    e = load_error(points_text);
    EXPECT_NE(e.find("image-sha256"), std::string::npos) << e;
    EXPECT_NE(e.find("points"), std::string::npos) << e;

    json bad_answer = valid_key();
    bad_answer["questions"][1]["answers"]["1"] = 42;
    EXPECT_NE(load_error(bad_answer).find("deleted-file"), std::string::npos);

    json missing_variant = valid_key();
    missing_variant["questions"][1]["answers"].erase("1");
    EXPECT_NE(load_error(missing_variant).find("variant 1"), std::string::npos);

    json loop = valid_key();
    loop["questions"][0]["prerequisites"] = {"deleted-file"};
    EXPECT_NE(load_error(loop).find("prerequisites"), std::string::npos) << load_error(loop);

    json bad_regex = valid_key();
    bad_regex["questions"][1]["type"] = "regex";
    bad_regex["questions"][1]["answers"] = {{"0", "(unclosed"}, {"1", "ok"}};
    EXPECT_NE(load_error(bad_regex).find("deleted-file"), std::string::npos);

    json bad_option = valid_key();
    bad_option["questions"][1]["options"] = {{"case_sensitive", "yes"}};
    e = load_error(bad_option);
    EXPECT_NE(e.find("case_sensitive"), std::string::npos) << e;
    EXPECT_NE(e.find("deleted-file"), std::string::npos) << e;

    json wrong_format = valid_key();
    wrong_format["format_version"] = 2;
    EXPECT_NE(load_error(wrong_format).find("version 2"), std::string::npos);

    EXPECT_NE(test::error_of([] { load_answer_key("/nonexistent/instructor"); }), "");
    std::string dir = test::temp_dir();
    std::ofstream(dir + "/answer-key.json") << "{ not json";
    EXPECT_NE(test::error_of([&] { load_answer_key(dir); }).find("not valid JSON"),
              std::string::npos);
}

Grade unreadable() {
    return {Verdict::incorrect, 0, "", "Not understood: a time zone is needed.", false};
}

// Answers that were not understood use no attempt: neither the limit nor the penalty sees them.
TEST(ScoringPolicy, AnswersNotUnderstoodAreNoAttempts) {
    KeyQuestion q = question();
    q.max_attempts = 1;
    q.wrong_attempt_penalty = 3;
    std::vector<Grade> attempts{unreadable(), unreadable(), right()};
    QuestionResult r = apply_policy(q, attempts, 0, true);
    EXPECT_EQ(r.verdict, Verdict::correct);
    EXPECT_EQ(r.points, 10) << r.feedback;  // no penalty, the limit of 1 not used up
    EXPECT_EQ(r.attempts, 1);
    EXPECT_TRUE(r.understood);

    std::vector<Grade> only_unreadable{unreadable()};
    r = apply_policy(q, only_unreadable, 0, true);
    EXPECT_EQ(r.points, 0);
    EXPECT_EQ(r.attempts, 0);
    EXPECT_FALSE(r.understood);
    EXPECT_NE(r.feedback.find("a time zone is needed"), std::string::npos) << r.feedback;
    EXPECT_NE(r.feedback.find("Not counted as an attempt"), std::string::npos) << r.feedback;

    std::vector<Grade> wrong_then_unreadable{wrong(), unreadable(), right()};
    r = apply_policy(q, wrong_then_unreadable, 0, true);
    EXPECT_EQ(r.verdict, Verdict::incorrect) << "the one attempt allowed was the wrong one";
    EXPECT_EQ(r.attempts, 1);
}

}  // namespace
}  // namespace dflab::scoring
