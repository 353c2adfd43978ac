// Points from attempts: see policy.hpp.
#include "scoring/policy.hpp"

#include <algorithm>
#include <cstdio>
#include <vector>

namespace dflab::scoring {

namespace {

std::string points_text(double p) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%g", p);
    return buffer;
}

}  // namespace

QuestionResult apply_policy(const KeyQuestion& q, std::span<const Grade> attempts_in_order,
                            int hints_unlocked, bool prerequisites_met) {
    QuestionResult r;
    r.id = q.id;
    r.max_points = q.points;
    // Answers that were not understood are no attempts: they neither count nor use the limit.
    std::vector<Grade> understood;
    for (const Grade& g : attempts_in_order)
        if (g.understood) understood.push_back(g);
    size_t counted = understood.size();
    if (q.max_attempts > 0) counted = std::min(counted, static_cast<size_t>(q.max_attempts));
    std::span<const Grade> attempts = std::span<const Grade>(understood).first(counted);
    r.attempts = static_cast<int>(counted);
    if (!prerequisites_met) {
        std::string list;
        for (const auto& p : q.prerequisites) list += (list.empty() ? "" : ", ") + p;
        r.feedback = "Not graded: answer " + list + " correctly first.";
        return r;
    }
    if (attempts.empty()) {
        r.understood = attempts_in_order.empty();
        r.feedback = attempts_in_order.empty()
                         ? "No answer."
                         : attempts_in_order.back().feedback + " (Not counted as an attempt.)";
        return r;
    }
    // The first correct attempt, else the best (earliest of the highest fraction); a
    // pending_review attempt counts when nothing is correct or partly correct.
    size_t chosen = 0;
    for (size_t i = 0; i < attempts.size(); ++i) {
        const Grade& g = attempts[i];
        const Grade& best = attempts[chosen];
        bool better = g.fraction > best.fraction ||
                      (best.verdict == Verdict::incorrect && g.verdict == Verdict::pending_review);
        if (better) chosen = i;
        if (attempts[chosen].verdict == Verdict::correct) break;
    }
    const Grade& g = attempts[chosen];
    r.verdict = g.verdict;
    r.feedback = g.feedback;
    std::string limit_note;
    if (understood.size() > counted)
        limit_note = " Only the first " + std::to_string(counted) + " attempt" +
                     (counted == 1 ? " counts." : "s count.");
    if (g.verdict == Verdict::pending_review || g.verdict == Verdict::incorrect) {
        r.feedback += limit_note;
        return r;
    }
    double penalty = q.wrong_attempt_penalty * static_cast<double>(chosen);
    double hints = 0;
    size_t unlocked = static_cast<size_t>(std::max(hints_unlocked, 0));
    for (size_t i = 0; i < std::min(unlocked, q.hint_costs.size()); ++i) hints += q.hint_costs[i];
    r.points = std::max(0.0, g.fraction * q.points - penalty - hints);
    if (penalty > 0)
        r.feedback += " -" + points_text(penalty) + " for " + std::to_string(chosen) +
                      " earlier wrong attempt" + (chosen == 1 ? "." : "s.");
    if (hints > 0) r.feedback += " -" + points_text(hints) + " for hints.";
    r.feedback += limit_note;
    return r;
}

}  // namespace dflab::scoring
