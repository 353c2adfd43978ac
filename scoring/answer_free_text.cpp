// free_text: kept as written (trimmed), graded by an instructor against the rubric.
#include "scoring/answer_types.hpp"

namespace dflab::scoring {

namespace {

Normalised normalise(const nlohmann::json& submitted, const Context& ctx) {
    return text_answer.normalise(submitted, ctx);
}

Comparison compare(const Normalised&, const nlohmann::json&, const Context&) {
    return {0, ""};
}

std::string check_key(const nlohmann::json& answer, const nlohmann::json&) {
    return answer.is_null() ? "" : "a free_text answer must be null (an instructor grades it)";
}

}  // namespace

const AnswerType free_text_answer{"free_text", normalise, compare, check_key};

}  // namespace dflab::scoring
