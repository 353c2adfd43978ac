#pragma once
// Answers in the form the answer key holds for each type (docs/answer-key.md), and the values
// of the truth manifest that an `expect:` names (internal to the solution).
#include <nlohmann/json.hpp>

#include "exercises/pack.hpp"

namespace dflab::exercises::detail {

// The solution's final value as the key's answer for the question's type; throws on a value
// that cannot be one (a list for an integer, a word for a size, ...).
nlohmann::json answer_form(const Question& question, const nlohmann::json& value);

// The truth manifest's value that the expectation names (a list for several artifacts).
nlohmann::json expected_value(const Expectation& expect, const nlohmann::json& truth);

// Whether the derived answer and the truth's agree (hashes: every digest the truth gives).
bool answers_agree(const Question& question, const nlohmann::json& derived,
                   const nlohmann::json& truth);

}  // namespace dflab::exercises::detail
