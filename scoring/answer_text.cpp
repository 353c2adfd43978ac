// text: trimmed, whitespace runs folded to one space; case-insensitive unless
// options.case_sensitive (Latin, Greek and Cyrillic, Kazakh letters included).
#include "scoring/answer_types.hpp"

namespace dflab::scoring {

using common::Message;

namespace {

Normalised normalise(const nlohmann::json& submitted, const Context&) {
    auto text = as_text(submitted);
    if (!text) return {false, "", Message::of("grade.text.expected")};
    std::string value = trim_and_fold_spaces(*text);
    if (value.empty()) return {false, "", Message::of("grade.text.empty")};
    return {true, value, ""};
}

Comparison compare(const Normalised& answer, const nlohmann::json& expected, const Context& ctx) {
    std::string key = trim_and_fold_spaces(expected.get<std::string>());
    if (option_bool(ctx.options, "case_sensitive", false))
        return {answer.value == key ? 1.0 : 0.0, ""};
    if (answer.value == key) return {1, ""};
    if (fold_case(answer.value) == fold_case(key)) return {1, ""};
    return {0, ""};
}

std::string check_key(const nlohmann::json& answer, const nlohmann::json&) {
    return answer.is_string() ? "" : "a text answer must be a string";
}

}  // namespace

const AnswerType text_answer{"text", normalise, compare, check_key};

}  // namespace dflab::scoring
