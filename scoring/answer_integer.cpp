// integer: a whole number, decimal with optional digit grouping ("4 096", "4,096") or 0x hex.
#include <cmath>

#include "scoring/answer_types.hpp"

namespace dflab::scoring {

using common::Message;

namespace {

Normalised normalise(const nlohmann::json& submitted, const Context&) {
    if (submitted.is_number_integer())
        return {true, std::to_string(submitted.get<long long>()), ""};
    if (submitted.is_number_float()) {
        double d = submitted.get<double>();
        if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9e15)
            return {true, std::to_string(static_cast<long long>(d)), ""};
        return {false, "", Message::of("grade.integer.expected")};
    }
    if (!submitted.is_string()) return {false, "", Message::of("grade.integer.expected")};
    auto value = parse_whole_number(submitted.get<std::string>());
    if (!value) return {false, "", Message::of("grade.integer.expected_example")};
    return {true, std::to_string(*value), ""};
}

Comparison compare(const Normalised& answer, const nlohmann::json& expected, const Context&) {
    return {answer.value == std::to_string(expected.get<long long>()) ? 1.0 : 0.0, ""};
}

std::string check_key(const nlohmann::json& answer, const nlohmann::json&) {
    return answer.is_number_integer() ? "" : "an integer answer must be a JSON integer";
}

}  // namespace

const AnswerType integer_answer{"integer", normalise, compare, check_key};

}  // namespace dflab::scoring
