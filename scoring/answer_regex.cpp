// regex: the key is a PCRE2 pattern that a correct answer (trimmed, whitespace folded) matches in
// full; case-insensitive unless options.case_sensitive. Matching is bounded (pcre_pattern.hpp).
#include "common/error.hpp"
#include "scoring/answer_types.hpp"
#include "scoring/pcre_pattern.hpp"

namespace dflab::scoring {

using common::Message;

namespace {

Normalised normalise(const nlohmann::json& submitted, const Context& ctx) {
    return text_answer.normalise(submitted, ctx);
}

Comparison compare(const Normalised& answer, const nlohmann::json& expected, const Context& ctx) {
    Pattern pattern(expected.get<std::string>(), option_bool(ctx.options, "case_sensitive", false));
    switch (pattern.full_match(answer.value)) {
        case Pattern::Result::match:
            return {1, ""};
        case Pattern::Result::no_match:
            return {0, ""};
        case Pattern::Result::too_complex:
            break;
    }
    return {0, Message::of("grade.regex.too_slow")};
}

std::string check_key(const nlohmann::json& answer, const nlohmann::json& options) {
    if (!answer.is_string()) return "a regex answer must be a string (a PCRE2 pattern)";
    try {
        Pattern(answer.get<std::string>(), option_bool(options, "case_sensitive", false));
    } catch (const common::Error& e) {
        return e.what();
    }
    return "";
}

}  // namespace

const AnswerType regex_answer{"regex", normalise, compare, check_key};

}  // namespace dflab::scoring
