// Standings: every participant's points per question, computed from what the lab record holds
// (stored grades, hints unlocked now, instructor reviews), with the key's policy. The whole room,
// the room as it stood at a time (a frozen scoreboard) and one participant share the computation.
#include <algorithm>
#include <functional>
#include <set>

#include "scoring/lab_grading.hpp"
#include "scoring/policy.hpp"

namespace dflab::scoring {

namespace {

using Pair = std::pair<std::string, std::string>;  // participant, question

struct Stored {
    std::map<Pair, std::vector<const SubmissionRow*>> submissions;
    std::map<Pair, int> hints;
    std::map<Pair, const ReviewRow*> latest_review;
    std::map<std::string, int> flags;  // participant -> flagged submissions
};

QuestionStanding question_standing(const KeyQuestion& q,
                                   const std::vector<const SubmissionRow*>& rows, int hints,
                                   const ReviewRow* review, bool prerequisites_met) {
    QuestionStanding s;
    s.question = q.id;
    s.max_points = q.points;
    s.hints = hints;
    s.answered = !rows.empty();
    s.attempts = static_cast<int>(rows.size());
    if (!rows.empty()) {
        std::vector<Grade> grades;
        grades.reserve(rows.size());
        for (const auto* r : rows) {
            grades.push_back(
                {verdict_from_string(r->verdict), r->fraction, r->normalised, r->feedback});
        }
        QuestionResult result = apply_policy(q, grades, hints, prerequisites_met);
        s.verdict = result.verdict;
        s.points = result.points;
    }
    if (review) {
        s.reviewed = true;
        s.points = review->points;
        s.verdict = review->points >= q.points && q.points > 0 ? Verdict::correct
                    : review->points > 0                       ? Verdict::partial
                                                               : Verdict::incorrect;
    }
    return s;
}

Standing participant_standing(const AnswerKey& key, const ParticipantRow& p, const Stored& stored) {
    Standing out;
    out.participant = p;
    std::map<std::string, QuestionStanding> done;
    std::set<std::string> visiting;
    std::function<const QuestionStanding*(const KeyQuestion&)> standing_of =
        [&](const KeyQuestion& q) -> const QuestionStanding* {
        if (auto it = done.find(q.id); it != done.end()) return &it->second;
        if (!visiting.insert(q.id).second) return nullptr;  // a cycle: not met
        bool met = true;
        for (const auto& id : q.prerequisites) {
            const KeyQuestion* before = key.find(id);
            const QuestionStanding* s = before ? standing_of(*before) : nullptr;
            if (before && (!s || s->verdict != Verdict::correct)) met = false;
        }
        const Pair pq{p.id, q.id};
        static const std::vector<const SubmissionRow*> none;
        auto rows = stored.submissions.find(pq);
        auto hints = stored.hints.find(pq);
        auto review = stored.latest_review.find(pq);
        visiting.erase(q.id);
        return &done.emplace(
                        q.id,
                        question_standing(
                            q, rows != stored.submissions.end() ? rows->second : none,
                            hints != stored.hints.end() ? hints->second : 0,
                            review != stored.latest_review.end() ? review->second : nullptr, met))
                    .first->second;
    };
    for (const auto& q : key.questions) {
        const QuestionStanding* s = standing_of(q);
        QuestionStanding copy = s ? *s : QuestionStanding{q.id};
        out.points += copy.points;
        out.max_points += copy.max_points;
        out.solved += copy.verdict == Verdict::correct ? 1 : 0;
        out.submissions += copy.attempts;
        out.questions.push_back(std::move(copy));
        auto rows = stored.submissions.find({p.id, q.id});
        if (rows != stored.submissions.end() && rows->second.back()->time > out.last_time) {
            out.last_time = rows->second.back()->time;
        }
    }
    if (auto f = stored.flags.find(p.id); f != stored.flags.end()) out.flags = f->second;
    return out;
}

// What the standings are computed from: every row, or one participant's.
struct Rows {
    std::vector<SubmissionRow> submissions;
    std::vector<HintRow> hints;
    std::vector<ReviewRow> reviews;
    std::vector<SharingFlagRow> flags;
};

// `rows` by participant and question; with `until`, only the submissions, hints and reviews made by
// then (ISO UTC times compare as text), and the flags of those submissions.
Stored index_rows(const Rows& rows, std::string_view until) {
    auto counts = [until](const std::string& time) { return until.empty() || time <= until; };
    Stored stored;
    std::map<int64_t, const SubmissionRow*> by_id;
    for (const auto& s : rows.submissions) {
        if (!counts(s.time)) continue;
        stored.submissions[{s.participant, s.question}].push_back(&s);
        by_id[s.id] = &s;
    }
    for (const auto& h : rows.hints) {
        if (counts(h.time)) stored.hints[{h.participant, h.question}] += 1;
    }
    for (const auto& r : rows.reviews) {  // by id: the last one wins
        if (!counts(r.time)) continue;
        if (auto s = by_id.find(r.submission); s != by_id.end()) {
            stored.latest_review[{s->second->participant, s->second->question}] = &r;
        }
    }
    for (const auto& f : rows.flags) {
        if (auto s = by_id.find(f.submission); s != by_id.end()) {
            stored.flags[s->second->participant] += 1;
        }
    }
    return stored;
}

}  // namespace

std::vector<Standing> Lab::standings(std::string_view until) {
    const auto participants = record_.participants();
    const Rows rows{record_.submissions(), record_.hints(), record_.reviews(),
                    record_.sharing_flags()};
    const Stored stored = index_rows(rows, until);
    std::vector<Standing> out;
    out.reserve(participants.size());
    for (const auto& p : participants) out.push_back(participant_standing(key_, p, stored));
    std::stable_sort(out.begin(), out.end(), [](const Standing& a, const Standing& b) {
        if (a.points != b.points) return a.points > b.points;
        if (a.last_time.empty() != b.last_time.empty()) return b.last_time.empty();
        return a.last_time < b.last_time;
    });
    return out;
}

Standing Lab::standing_of(std::string_view participant) {
    const ParticipantRow p = find_participant(participant);
    const Rows rows{record_.submissions_by(p.id), record_.hints_of(p.id), record_.reviews_of(p.id),
                    record_.sharing_flags_of(p.id)};
    return participant_standing(key_, p, index_rows(rows, {}));
}

}  // namespace dflab::scoring
