#pragma once
// Points of a question from its attempts, in order: the attempt limit, the penalty per wrong
// attempt before the right one, hint costs and prerequisites. Points never go below 0.
#include <span>
#include <string>

#include "scoring/answer_key.hpp"
#include "scoring/grade.hpp"

namespace dflab::scoring {

struct QuestionResult {
    std::string id;
    Verdict verdict = Verdict::incorrect;
    double points = 0;
    double max_points = 0;
    std::string feedback;     // English rendering of `message`
    common::Message message;  // keys grade.* and policy.*
    int attempts = 0;        // attempts counted (at most max_attempts when that is set; answers not
                             // understood are not attempts)
    bool understood = true;  // false: no attempt, only answers that were not understood
};

// Answers not understood (Grade::understood false) are skipped: they are no attempts. Counts the
// attempts up to max_attempts (later ones are ignored); the result is the first correct
// attempt or else the best one (highest fraction, earliest): its fraction of the points, minus
// wrong_attempt_penalty for each attempt before it, minus the cost of the first `hints_unlocked`
// hints, never below 0. Without prerequisites met, or without attempts, the question earns 0.
// pending_review (free_text) earns 0 until an instructor grades it.
QuestionResult apply_policy(const KeyQuestion&, std::span<const Grade> attempts_in_order,
                            int hints_unlocked, bool prerequisites_met);

}  // namespace dflab::scoring
