#pragma once
// Grading one submitted answer against the key of one question and variant. The feedback says how
// the answer was understood (its normalised form), never what the expected answer is.
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/message_value.hpp"
#include "scoring/answer_key.hpp"

namespace dflab::scoring {

enum class Verdict { correct, partial, incorrect, pending_review };
std::string_view to_string(Verdict);  // "correct", "partial", "incorrect", "pending_review"

struct Grade {
    Verdict verdict = Verdict::incorrect;
    double fraction = 0;     // share of the points earned, in [0, 1]
    std::string normalised;  // how the answer was understood ("" when it was not)
    std::string feedback;    // one or two sentences for the participant
    // false: the answer could not be read (a time without a zone, a word that is not a choice, a
    // malformed digest, ...); the feedback says what was not understood and how to write it. Such
    // an answer is not an attempt: the policy skips it and the lab does not store it.
    bool understood = true;
    // `feedback` as a message (keys grade.*), to be shown in the reader's language; feedback is
    // its English rendering.
    common::Message message = {};
};

// `submitted`: a JSON string, number, or (for `set`, or as a one-element list) an array.
// `date_order`: the key's "DMY", "MDY" or "YMD". Never throws for a bad submission (that is an
// incorrect grade with understood = false and feedback); throws dflab::common::Error when the key
// has no answer for `variant`.
Grade grade_answer(const KeyQuestion&, const nlohmann::json& submitted, int variant,
                   std::string_view date_order);

// The other variants (ascending) whose answer `submitted` is correct for, when it is not correct
// for `variant`: a hint of shared answers. Empty for free_text.
std::vector<int> matching_other_variants(const KeyQuestion&, const nlohmann::json& submitted,
                                         int variant, std::string_view date_order);

}  // namespace dflab::scoring
