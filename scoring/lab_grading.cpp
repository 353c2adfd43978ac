#include "scoring/lab_grading.hpp"

#include <algorithm>
#include <sstream>

#include "common/error.hpp"
#include "common/text.hpp"
#include "scoring/answer_types.hpp"
#include "scoring/lab_csv.hpp"
#include "scoring/policy.hpp"

namespace dflab::scoring {

using common::Error;

namespace {

// Short text a person typed (ids, names, teams): UTF-8 without control characters.
void check_label(std::string_view text, std::string_view what, bool required) {
    if (required && text.empty()) throw Error(std::string(what) + ": must not be empty");
    if (text.size() > 256) throw Error(std::string(what) + ": longer than 256 bytes");
    if (!valid_utf8(text)) throw Error(std::string(what) + ": not UTF-8 text");
    for (unsigned char c : text) {
        if (c < 0x20 || c == 0x7f) throw Error(std::string(what) + ": holds control characters");
    }
}

void check_text_answer(const std::string& s, std::string_view what) {
    if (s.size() > kMaxAnswerBytes)
        throw Error(std::string(what) + ": the answer is larger than 64 KiB");
    if (!valid_utf8(s)) throw Error(std::string(what) + ": the answer is binary, not UTF-8 text");
    for (unsigned char c : s) {
        if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f) {
            throw Error(std::string(what) + ": the answer is binary (control characters)");
        }
    }
}

// No answer: null, only spaces, or a list of those.
bool blank(const nlohmann::json& value) {
    if (value.is_null()) return true;
    if (value.is_string()) return trim_and_fold_spaces(value.get_ref<const std::string&>()).empty();
    if (value.is_array()) return std::all_of(value.begin(), value.end(), blank);
    return false;
}

// A row's feedback as a message: the stored message, else (rows from before) its English text.
common::Message stored_message(const SubmissionRow& r) {
    common::Message m = common::message_from_json_text(r.feedback_message);
    return m.empty() ? common::Message(r.feedback) : m;
}

std::vector<Grade> grades_of(const std::vector<SubmissionRow>& rows) {
    std::vector<Grade> grades;
    grades.reserve(rows.size());
    for (const auto& r : rows) {
        grades.push_back({verdict_from_string(r.verdict), r.fraction, r.normalised, r.feedback,
                          true, stored_message(r)});
    }
    return grades;
}

}  // namespace

void check_submitted_value(const nlohmann::json& value, std::string_view what) {
    auto scalar = [&](const nlohmann::json& v) {
        if (v.is_string()) {
            check_text_answer(v.get_ref<const std::string&>(), what);
        } else if (!v.is_number()) {
            throw Error(std::string(what) + ": not an answer (give text, a number or a list)");
        }
    };
    if (value.is_array()) {
        for (const auto& item : value) scalar(item);
    } else {
        scalar(value);
    }
    if (value.dump().size() > kMaxAnswerBytes) {
        throw Error(std::string(what) + ": the answer is larger than 64 KiB");
    }
}

KeyDocument read_key_document(const std::filesystem::path& dir_or_file) {
    KeyDocument doc;
    doc.json = read_answer_key_json(dir_or_file, doc.file);
    doc.key = parse_answer_key(doc.json, doc.file);
    return doc;
}

Verdict verdict_from_string(std::string_view text) {
    for (Verdict v :
         {Verdict::correct, Verdict::partial, Verdict::incorrect, Verdict::pending_review}) {
        if (to_string(v) == text) return v;
    }
    throw Error("unknown verdict '" + std::string(text) + "' in the lab record");
}

Lab::Lab(LabRecord& record, Clock clock)
    : record_(record),
      clock_(std::move(clock)),
      key_(parse_answer_key(nlohmann::json::parse(record.info().answer_key),
                            record.path().string() + " (stored answer key)")) {}

ParticipantRow Lab::find_participant(std::string_view id) {
    auto p = record_.participant(id);
    if (!p) throw Error(std::string(id) + ": no such participant in " + record_.path().string());
    return *p;
}

const KeyQuestion& Lab::find_question(std::string_view id) const {
    const KeyQuestion* q = key_.find(id);
    if (!q) throw Error(std::string(id) + ": no such question in pack " + key_.pack);
    return *q;
}

ParticipantRow Lab::insert_participant(std::string_view id, std::string_view name,
                                       std::string_view team, std::optional<int> variant,
                                       const std::string& time) {
    check_label(id, "participant id", true);
    check_label(name, std::string(id) + ": name", true);
    check_label(team, std::string(id) + ": team", false);
    if (record_.participant(id)) {
        throw Error(std::string(id) + ": participant exists in " + record_.path().string());
    }
    if (key_.variants.empty()) throw Error("the answer key lists no variants");
    int chosen = 0;
    if (variant) {
        if (std::find(key_.variants.begin(), key_.variants.end(), *variant) ==
            key_.variants.end()) {
            throw Error(std::string(id) + ": variant " + std::to_string(*variant) +
                        " was not built for pack " + key_.pack);
        }
        chosen = *variant;
    } else {
        auto n = static_cast<size_t>(record_.count_participants());
        chosen = key_.variants[n % key_.variants.size()];
    }
    ParticipantRow row{std::string(id), std::string(name), std::string(team), chosen, time};
    record_.add_participant(row);
    record_.append_audit(time, "participant_add", row.id,
                         {{"name", row.name}, {"team", row.team}, {"variant", row.variant}});
    return row;
}

ParticipantRow Lab::add_participant(std::string_view id, std::string_view name,
                                    std::string_view team, std::optional<int> variant) {
    common::Transaction transaction(record_.database());
    ParticipantRow row = insert_participant(id, name, team, variant, utc_iso(clock_()));
    transaction.commit();
    return row;
}

std::vector<ParticipantRow> Lab::import_participants(std::string_view csv,
                                                     std::string_view source) {
    if (csv.starts_with("\xEF\xBB\xBF")) csv.remove_prefix(3);  // spreadsheets write a BOM
    std::vector<int> lines;
    auto rows = parse_csv(csv, source, &lines);
    if (rows.empty()) throw Error(std::string(source) + ": empty; expected a header id,name");
    // Every column is one the import reads, once: a misspelt or repeated column would otherwise
    // be read as empty or the wrong one of two, silently.
    static const std::vector<std::string> known{"id", "name", "team", "variant"};
    const auto at = [&](size_t row, size_t column) {
        return std::string(source) + ":" + std::to_string(lines[row]) + ": column " +
               std::to_string(column + 1);
    };
    std::map<std::string, size_t> column;
    for (size_t i = 0; i < rows[0].size(); ++i) {
        const std::string& name = rows[0][i];
        if (std::find(known.begin(), known.end(), name) == known.end())
            throw Error(at(0, i) + ": unknown column " + common::quote(name) +
                        "; the columns are id, name, team and variant");
        if (auto [it, added] = column.emplace(name, i); !added)
            throw Error(at(0, i) + ": the column " + common::quote(name) +
                        " is given twice (also column " + std::to_string(it->second + 1) + ")");
    }
    if (!column.count("id") || !column.count("name")) {
        throw Error(std::string(source) + ":" + std::to_string(lines[0]) +
                    ": the header must name the columns id and name");
    }
    common::Transaction transaction(record_.database());
    const std::string time = utc_iso(clock_());
    std::vector<ParticipantRow> added;
    for (size_t r = 1; r < rows.size(); ++r) {
        const auto& fields = rows[r];
        if (fields.size() > rows[0].size())
            throw Error(at(r, rows[0].size()) + ": " + std::to_string(fields.size()) +
                        " fields, but the header names " + std::to_string(rows[0].size()) +
                        " columns; quote a field that holds a comma");
        auto get = [&](const std::string& name) -> std::string {
            auto it = column.find(name);
            return it != column.end() && it->second < fields.size() ? fields[it->second] : "";
        };
        const std::string where = std::string(source) + ":" + std::to_string(lines[r]);
        try {
            std::optional<int> variant;
            if (std::string v = get("variant"); !v.empty()) {
                size_t used = 0;
                variant = std::stoi(v, &used);
                if (used != v.size()) throw std::invalid_argument(v);
            }
            added.push_back(insert_participant(get("id"), get("name"), get("team"), variant, time));
        } catch (const std::logic_error&) {
            throw Error(where + ": column " + std::to_string(column.at("variant") + 1) +
                        ": variant is not a number");
        } catch (const Error& e) {
            throw Error(where + ": " + e.what());
        }
    }
    transaction.commit();
    return added;
}

bool Lab::prerequisite_met(const ParticipantRow& participant, const KeyQuestion& question) {
    for (const auto& r : record_.submissions_of(participant.id, question.id)) {
        if (r.verdict == to_string(Verdict::correct)) return true;
    }
    auto review = record_.latest_review(participant.id, question.id);
    return review && question.points > 0 && review->points >= question.points;
}

SubmitOutcome Lab::submit_one(const ParticipantRow& participant, const KeyQuestion& question,
                              const nlohmann::json& value, const std::string& time) {
    SubmitOutcome out;
    out.question = question.id;
    out.max_points = question.points;
    out.max_attempts = question.max_attempts;
    std::vector<SubmissionRow> earlier = record_.submissions_of(participant.id, question.id);
    std::vector<Grade> grades = grades_of(earlier);
    out.attempts = static_cast<int>(earlier.size());
    if (std::any_of(grades.begin(), grades.end(),
                    [](const Grade& g) { return g.verdict == Verdict::correct; })) {
        out.refused_message = common::Message::of("policy.already_solved");
        out.refused = common::render("en", out.refused_message);
        return out;
    }
    if (question.max_attempts > 0 && out.attempts >= question.max_attempts) {
        out.refused_message = common::Message::of("policy.no_attempts_left",
                                                  {{"used", std::to_string(out.attempts)},
                                                   {"max", std::to_string(question.max_attempts)}});
        out.refused = common::render("en", out.refused_message);
        return out;
    }
    for (const auto& id : question.prerequisites) {
        const KeyQuestion* before = key_.find(id);
        if (before && !prerequisite_met(participant, *before)) {
            out.refused_message =
                common::Message::of("policy.prerequisite_first", {{"question", id}});
            out.refused = common::render("en", out.refused_message);
            return out;
        }
    }
    Grade grade = grade_answer(question, value, participant.variant, key_.date_order);
    if (!grade.understood) {  // no attempt: nothing stored; the feedback says how to write it
        out.understood = false;
        out.feedback = grade.feedback;
        out.feedback_message = grade.message;
        out.refused_message = common::Message::of(
            "policy.then",
            {{"first", grade.message}, {"then", common::Message::of("policy.no_attempt_used")}});
        out.refused = common::render("en", out.refused_message);
        return out;
    }
    grades.push_back(grade);
    const int hints = record_.hints_unlocked(participant.id, question.id);
    QuestionResult result = apply_policy(question, grades, hints, true);

    SubmissionRow row{0,
                      participant.id,
                      question.id,
                      participant.variant,
                      value.dump(),
                      grade.normalised,
                      std::string(to_string(grade.verdict)),
                      grade.fraction,
                      result.points,
                      grade.feedback,
                      common::to_json(grade.message).dump(),
                      hints,
                      time};
    out.submission = record_.add_submission(row);
    out.verdict = grade.verdict;
    out.points = result.points;
    out.normalised = grade.normalised;
    out.feedback = grade.feedback;
    out.feedback_message = grade.message;
    out.attempts += 1;
    if (grade.verdict != Verdict::correct) {
        out.other_variants =
            matching_other_variants(question, value, participant.variant, key_.date_order);
        if (!out.other_variants.empty()) {
            record_.add_sharing_flag({out.submission, out.other_variants, time});
        }
    }
    record_.append_audit(time, "submission", participant.id + "/" + question.id,
                         {{"submission", out.submission},
                          {"verdict", to_string(grade.verdict)},
                          {"points", result.points}});
    return out;
}

SubmitOutcome Lab::submit(std::string_view participant, std::string_view question,
                          const nlohmann::json& value) {
    std::pair<std::string, nlohmann::json> answer{std::string(question), value};
    auto outcomes = submit_all(participant, std::span(&answer, 1));
    if (outcomes.empty()) {
        throw Error(std::string(participant) + "/" + std::string(question) + ": no answer given");
    }
    return outcomes.front();
}

std::vector<SubmitOutcome> Lab::submit_all(
    std::string_view participant, std::span<const std::pair<std::string, nlohmann::json>> answers) {
    common::Transaction transaction(record_.database());
    ParticipantRow who = find_participant(participant);
    // Check everything before grading anything: an error stores nothing.
    for (const auto& [question, value] : answers) {
        find_question(question);
        if (!blank(value)) check_submitted_value(value, who.id + "/" + question);
    }
    const std::string time = utc_iso(clock_());
    std::vector<SubmitOutcome> outcomes;
    for (const auto& [question, value] : answers) {
        if (blank(value)) continue;
        outcomes.push_back(submit_one(who, find_question(question), value, time));
    }
    transaction.commit();  // acknowledged only now
    return outcomes;
}

HintOutcome Lab::unlock_hint(std::string_view participant, std::string_view question) {
    common::Transaction transaction(record_.database());
    ParticipantRow who = find_participant(participant);
    const KeyQuestion& q = find_question(question);
    const std::string what = who.id + "/" + q.id;
    const int unlocked = record_.hints_unlocked(who.id, q.id);
    const int count = static_cast<int>(q.hint_costs.size());
    if (count == 0) throw Refusal(what, common::Message::of("policy.hint_none"));
    if (unlocked >= count) {
        throw Refusal(what, common::Message::of("policy.hint_no_more",
                                                {{"unlocked", std::to_string(unlocked)},
                                                 {"count", std::to_string(count)}}));
    }
    if (prerequisite_met(who, q)) throw Refusal(what, common::Message::of("policy.already_solved"));
    HintOutcome out{unlocked + 1, count, q.hint_costs[static_cast<size_t>(unlocked)]};
    const std::string time = utc_iso(clock_());
    record_.add_hint({who.id, q.id, out.number, out.cost, time});
    record_.append_audit(time, "hint", what, {{"number", out.number}, {"cost", out.cost}});
    transaction.commit();
    return out;
}

ReviewRow Lab::review(int64_t submission, double points, std::string_view comment,
                      std::string_view reviewer) {
    common::Transaction transaction(record_.database());
    const std::string what = "submission " + std::to_string(submission);
    auto row = record_.submission(submission);
    if (!row) throw Error(what + ": no such submission in " + record_.path().string());
    const KeyQuestion& q = find_question(row->question);
    if (!(points >= 0 && points <= q.points)) {
        std::ostringstream most;  // 4, not 4.0: as the question's points are written
        most << q.points;
        throw Error(what + ": points must be between 0 and " + most.str() + " (question " + q.id +
                    ")");
    }
    check_label(reviewer, what + ": reviewer", true);
    if (comment.size() > kMaxAnswerBytes || !valid_utf8(comment)) {
        throw Error(what + ": the comment must be UTF-8 text of at most 64 KiB");
    }
    ReviewRow review{0,      submission,           std::string(reviewer),
                     points, std::string(comment), utc_iso(clock_())};
    review.id = record_.add_review(review);
    record_.append_audit(review.time, "review", row->participant + "/" + row->question,
                         {{"submission", submission},
                          {"review", review.id},
                          {"reviewer", review.reviewer},
                          {"points", points},
                          {"comment", review.comment}});
    transaction.commit();
    return review;
}

}  // namespace dflab::scoring
