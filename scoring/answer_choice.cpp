// choice: the id of one of the question's choices; trimmed, case-insensitive.
#include "scoring/answer_types.hpp"

namespace dflab::scoring {

using common::Message;

namespace {

Normalised normalise(const nlohmann::json& submitted, const Context& ctx) {
    Normalised n = text_answer.normalise(submitted, ctx);
    if (!n.ok) return {false, "", Message::of("grade.choice.expected")};
    return n;
}

Comparison compare(const Normalised& answer, const nlohmann::json& expected, const Context&) {
    return {fold_case(answer.value) == fold_case(expected.get<std::string>()) ? 1.0 : 0.0, ""};
}

std::string check_key(const nlohmann::json& answer, const nlohmann::json&) {
    return answer.is_string() ? "" : "a choice answer must be a choice id (a string)";
}

}  // namespace

const AnswerType choice_answer{"choice", normalise, compare, check_key};

}  // namespace dflab::scoring
