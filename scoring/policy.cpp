// Points from attempts: see policy.hpp.
#include "scoring/policy.hpp"

#include <algorithm>
#include <cstdio>
#include <vector>

namespace dflab::scoring {

using common::Message;

namespace {

// A grade's feedback as a message; a grade read back from an old record has only the English text.
Message message_of(const Grade& g) {
    return g.message.empty() ? Message(g.feedback) : g.message;
}

// Two sentences, the second after the first.
Message then(Message first, Message second) {
    return Message::of("policy.then", {{"first", std::move(first)}, {"then", std::move(second)}});
}

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
        r.message = Message::of("policy.prerequisites", {{"questions", list}});
        r.feedback = common::render("en", r.message);
        return r;
    }
    if (attempts.empty()) {
        r.understood = attempts_in_order.empty();
        r.message = attempts_in_order.empty()
                        ? Message::of("policy.no_answer")
                        : Message::of("policy.not_counted",
                                      {{"feedback", message_of(attempts_in_order.back())}});
        r.feedback = common::render("en", r.message);
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
    r.message = message_of(g);
    Message limit_note;
    if (understood.size() > counted)
        limit_note = Message::plural("policy.only_first", static_cast<long long>(counted),
                                     {{"count", std::to_string(counted)}});
    auto finish = [&] {
        if (!limit_note.empty()) r.message = then(r.message, limit_note);
        r.feedback = common::render("en", r.message);
        return r;
    };
    if (g.verdict == Verdict::pending_review || g.verdict == Verdict::incorrect) return finish();
    double penalty = q.wrong_attempt_penalty * static_cast<double>(chosen);
    double hints = 0;
    size_t unlocked = static_cast<size_t>(std::max(hints_unlocked, 0));
    for (size_t i = 0; i < std::min(unlocked, q.hint_costs.size()); ++i) hints += q.hint_costs[i];
    r.points = std::max(0.0, g.fraction * q.points - penalty - hints);
    if (penalty > 0)
        r.message = then(
            r.message,
            Message::plural("policy.penalty", static_cast<long long>(chosen),
                            {{"points", points_text(penalty)}, {"count", std::to_string(chosen)}}));
    if (hints > 0)
        r.message =
            then(r.message, Message::of("policy.hint_cost", {{"points", points_text(hints)}}));
    return finish();
}

}  // namespace dflab::scoring
