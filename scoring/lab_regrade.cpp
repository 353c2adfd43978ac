// Regrading: every stored submission graded again against a corrected key, in one transaction.
#include <algorithm>
#include <cmath>
#include <set>
#include <unordered_map>

#include "common/error.hpp"
#include "common/message_value.hpp"
#include "scoring/lab_grading.hpp"
#include "scoring/policy.hpp"

namespace dflab::scoring {

using common::Error;

namespace {

std::map<std::string, double> totals(Lab& lab) {
    std::map<std::string, double> out;
    for (const auto& s : lab.standings()) out[s.participant.id] = s.points;
    return out;
}

bool differs(double a, double b) {
    return std::fabs(a - b) > 1e-9;
}

}  // namespace

RegradeSummary regrade(LabRecord& record, const nlohmann::json& key_json,
                       std::string_view key_source, Clock clock) {
    const std::string source(key_source);
    AnswerKey key = parse_answer_key(key_json, source);
    common::Transaction transaction(record.database());
    const LabInfo info = record.info();
    if (key.pack != info.pack) {
        throw Error(source + ": the key is for pack '" + key.pack + "', the lab record " +
                    record.path().string() + " for pack '" + info.pack + "'");
    }
    for (const auto& p : record.participants()) {
        if (std::find(key.variants.begin(), key.variants.end(), p.variant) == key.variants.end()) {
            throw Error(source + ": no answers for variant " + std::to_string(p.variant) +
                        " (participant " + p.id + ")");
        }
    }
    const std::string time = utc_iso(clock());
    const std::string key_text = key_json.dump();
    RegradeSummary summary;
    summary.key_changed = nlohmann::json::parse(info.answer_key) != key_json;
    std::map<std::string, double> before;
    {
        Lab old_lab(record, clock);
        before = totals(old_lab);
    }
    const std::vector<SubmissionRow> rows = record.submissions();
    // Reviews that gave a question full points count as correct for prerequisites.
    std::set<std::pair<std::string, std::string>> full_review;
    {
        std::map<int64_t, const SubmissionRow*> by_id;
        for (const auto& r : rows) by_id[r.id] = &r;
        for (const auto& review : record.reviews()) {
            auto s = by_id.find(review.submission);
            if (s == by_id.end()) continue;
            const KeyQuestion* q = key.find(s->second->question);
            if (q && q->points > 0 && review.points >= q->points) {
                full_review.insert({s->second->participant, s->second->question});
            }
        }
    }
    record.clear_sharing_flags();
    std::map<std::pair<std::string, std::string>, std::vector<Grade>> grades;
    struct Graded {
        Grade grade;
        std::vector<int> other_variants;
    };
    std::unordered_map<std::string, Graded> graded;
    std::set<std::pair<std::string, std::string>> correct;
    for (const auto& row : rows) {
        const KeyQuestion* q = key.find(row.question);
        if (!q) {
            throw Error(source + ": question " + row.question +
                        " has submissions in the lab record but is not in the key");
        }
        // Grading is a function of (question, variant, value): the same answer (the right one,
        // most often) is graded once.
        auto [memo, first] = graded.try_emplace(row.question + '\x1f' +
                                                std::to_string(row.variant) + '\x1f' + row.value);
        if (first) {
            const nlohmann::json value = nlohmann::json::parse(row.value);
            memo->second.grade = grade_answer(*q, value, row.variant, key.date_order);
            if (memo->second.grade.verdict != Verdict::correct) {
                memo->second.other_variants =
                    matching_other_variants(*q, value, row.variant, key.date_order);
            }
        }
        const Grade& grade = memo->second.grade;
        auto& list = grades[{row.participant, row.question}];
        list.push_back(grade);
        bool met = true;
        for (const auto& id : q->prerequisites) {
            if (!correct.count({row.participant, id}) &&
                !full_review.count({row.participant, id})) {
                met = false;
            }
        }
        QuestionResult result = apply_policy(*q, list, row.hints_used, met);
        if (grade.verdict == Verdict::correct) correct.insert({row.participant, row.question});

        SubmissionRow updated = row;
        updated.verdict = std::string(to_string(grade.verdict));
        updated.fraction = grade.fraction;
        updated.normalised = grade.normalised;
        updated.feedback = grade.feedback;
        updated.feedback_message = common::to_json(grade.message).dump();
        updated.points = result.points;
        const bool verdict_changed = updated.verdict != row.verdict;
        const bool points_changed = differs(updated.points, row.points);
        if (verdict_changed || points_changed || differs(updated.fraction, row.fraction) ||
            updated.normalised != row.normalised || updated.feedback != row.feedback ||
            updated.feedback_message != row.feedback_message) {
            record.update_grade(updated);
        }
        if (points_changed) ++summary.points_changed;
        if (verdict_changed) {
            summary.verdict_changes.push_back({row.id, row.participant, row.question, row.verdict,
                                               updated.verdict, row.points, updated.points});
            record.append_audit(time, "verdict_changed", row.participant + "/" + row.question,
                                {{"submission", row.id},
                                 {"from", row.verdict},
                                 {"to", updated.verdict},
                                 {"points_from", row.points},
                                 {"points_to", updated.points}});
        }
        if (!memo->second.other_variants.empty()) {
            record.add_sharing_flag({row.id, memo->second.other_variants, row.time});
        }
        ++summary.submissions;
    }
    record.replace_key(key.pack_version, key_text, time);
    record.append_audit(time, "key_replaced", info.pack,
                        {{"from_version", info.pack_version},
                         {"to_version", key.pack_version},
                         {"key_changed", summary.key_changed},
                         {"submissions", summary.submissions},
                         {"verdicts_changed", summary.verdict_changes.size()}});
    Lab new_lab(record, clock);
    for (const auto& [id, points] : totals(new_lab)) {
        double old_points = before.count(id) ? before[id] : 0;
        if (differs(old_points, points)) summary.totals[id] = {old_points, points};
    }
    transaction.commit();
    return summary;
}

}  // namespace dflab::scoring
