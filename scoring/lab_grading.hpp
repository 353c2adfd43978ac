#pragma once
// A lab session: the lab record, its answer key and a clock. Submissions are graded
// (scoring/grade.hpp), the policy applied (scoring/policy.hpp) and the result stored in one
// transaction; standings are computed from what is stored. No printing here.
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/error.hpp"
#include "common/message_value.hpp"
#include "scoring/answer_key.hpp"
#include "scoring/grade.hpp"
#include "scoring/lab_record.hpp"

namespace dflab::scoring {

inline constexpr size_t kMaxAnswerBytes = 64 * 1024;

// Throws common::Error ("WHAT: ...") unless `value` may be stored as an answer: a string (valid
// UTF-8, no control characters but tab and line breaks), a number, or a list of those, at most
// 64 KiB as JSON.
void check_submitted_value(const nlohmann::json& value, std::string_view what);

// The answer key as a document (its JSON is stored in the lab record) and as parsed.
struct KeyDocument {
    std::string file;  // the answer-key.json read
    nlohmann::json json;
    AnswerKey key;
};
// `dir_or_file` as for load_answer_key: the file, OUT/instructor or OUT.
KeyDocument read_key_document(const std::filesystem::path& dir_or_file);

Verdict verdict_from_string(std::string_view text);  // throws common::Error when unknown

// A refusal by the lab's rules that is thrown (a hint that cannot be unlocked): what() is
// "SUBJECT: " and the English text, `message` the refusal alone, for the reader's language.
class Refusal : public common::Error {
  public:
    Refusal(const std::string& subject, common::Message refusal)
        : common::Error(subject + ": " + common::render("en", refusal)),
          message(std::move(refusal)) {}
    common::Message message;
};

struct SubmitOutcome {
    std::string question;
    std::string refused;     // not stored, and why (no attempts left, ...); "" when stored
    bool understood = true;  // false: not read (refused holds why); no attempt used, not stored
    int64_t submission = 0;  // its id when stored
    Verdict verdict = Verdict::incorrect;
    double points = 0, max_points = 0;
    std::string normalised, feedback;
    // `refused` and `feedback` as messages (keys grade.*, policy.*), for the reader's language.
    common::Message refused_message, feedback_message;
    int attempts = 0, max_attempts = 0;  // attempts used, including this one; 0: unlimited
    std::vector<int> other_variants;     // the answer of these variants: flagged (never shown)
};

struct HintOutcome {
    int number = 0, count = 0;  // hint `number` of `count` unlocked
    double cost = 0;
};

struct QuestionStanding {
    std::string question;
    Verdict verdict = Verdict::incorrect;
    bool answered = false;  // at least one submission
    bool reviewed = false;  // an instructor set the points
    double points = 0, max_points = 0;
    int attempts = 0, hints = 0;
};

struct Standing {
    ParticipantRow participant;
    double points = 0, max_points = 0;
    int solved = 0, submissions = 0, flags = 0;
    std::string last_time;                    // of the last submission ("" without)
    std::vector<QuestionStanding> questions;  // in the key's order
};

class Lab {
  public:
    // Reads the answer key stored in the record.
    Lab(LabRecord& record, Clock clock);

    const AnswerKey& key() const { return key_; }
    LabRecord& record() { return record_; }

    // Without `variant` the key's variants are handed out in turn.
    ParticipantRow add_participant(std::string_view id, std::string_view name,
                                   std::string_view team, std::optional<int> variant);
    // Adds participants from CSV text (header with id and name, optionally team and variant), all
    // or none; `source` names the file in errors.
    std::vector<ParticipantRow> import_participants(std::string_view csv, std::string_view source);

    SubmitOutcome submit(std::string_view participant, std::string_view question,
                         const nlohmann::json& value);
    // Several answers of one participant in one transaction: all stored (or refused) or, on an
    // error, none. Blank values (null, spaces, empty lists) are skipped: no answer, no attempt.
    std::vector<SubmitOutcome> submit_all(
        std::string_view participant,
        std::span<const std::pair<std::string, nlohmann::json>> answers);

    HintOutcome unlock_hint(std::string_view participant, std::string_view question);
    ReviewRow review(int64_t submission, double points, std::string_view comment,
                     std::string_view reviewer);

    // Every participant, ranked: points (highest first), then the earlier last submission. With
    // `until` (a utc_iso time) only the submissions, hints and reviews made by then count: the
    // standings of a frozen scoreboard.
    std::vector<Standing> standings(std::string_view until = {});
    // One participant's standing, as their entry of standings(), from their own rows only
    // (indexed queries: cheap enough for every page view). Throws common::Error when unknown.
    Standing standing_of(std::string_view participant);

  private:
    ParticipantRow find_participant(std::string_view id);
    const KeyQuestion& find_question(std::string_view id) const;
    ParticipantRow insert_participant(std::string_view id, std::string_view name,
                                      std::string_view team, std::optional<int> variant,
                                      const std::string& time);
    SubmitOutcome submit_one(const ParticipantRow& participant, const KeyQuestion& question,
                             const nlohmann::json& value, const std::string& time);
    bool prerequisite_met(const ParticipantRow& participant, const KeyQuestion& question);

    LabRecord& record_;
    Clock clock_;
    AnswerKey key_;
};

struct VerdictChange {
    int64_t submission = 0;
    std::string participant, question;
    std::string old_verdict, new_verdict;
    double old_points = 0, new_points = 0;
};

struct RegradeSummary {
    int64_t submissions = 0;     // regraded
    int64_t points_changed = 0;  // submissions whose points changed
    std::vector<VerdictChange> verdict_changes;
    std::map<std::string, std::pair<double, double>> totals;  // participant -> (before, after)
    bool key_changed = false;
};

// Grades every submission again against `key` (which must be for the lab's pack and hold every
// question and variant in use), stores the new verdicts, points and key, and appends an audit row
// per changed verdict; one transaction.
RegradeSummary regrade(LabRecord& record, const nlohmann::json& key, std::string_view key_source,
                       Clock clock);

}  // namespace dflab::scoring
