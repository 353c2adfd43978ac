// size: bytes, with an optional unit: B/bytes, KB/MB/GB/TB (powers of 1000), KiB/MiB/GiB/TiB
// (powers of 1024), also in Russian (Б, байт, КБ, МБ, ГБ, КиБ, МиБ, ГиБ). "1.5 MiB", "1,5 МиБ",
// "4 096 bytes". The result must be a whole number of bytes.
#include <array>
#include <cmath>

#include "scoring/answer_types.hpp"

namespace dflab::scoring {

using common::Message;

namespace {

struct Unit {
    std::string_view name;  // compared after case folding
    double bytes;
};
constexpr double k = 1000, ki = 1024;
const std::array<Unit, 24> units{{
    {"", 1},     {"b", 1},        {"byte", 1},         {"bytes", 1},
    {"kb", k},   {"mb", k* k},    {"gb", k* k* k},     {"tb", k* k* k* k},
    {"kib", ki}, {"mib", ki* ki}, {"gib", ki* ki* ki}, {"tib", ki* ki* ki* ki},
    {"б", 1},    {"байт", 1},     {"байта", 1},        {"байтов", 1},
    {"кб", k},   {"мб", k* k},    {"гб", k* k* k},     {"тб", k* k* k* k},
    {"киб", ki}, {"миб", ki* ki}, {"гиб", ki* ki* ki}, {"тиб", ki* ki* ki* ki},
}};

bool digit(char c) {
    return c >= '0' && c <= '9';
}

}  // namespace

// Also used by offset: a number (whole, grouped, or with one decimal point or comma) followed by
// a unit of `units`; nullopt with `problem` set when it is not such a size.
std::optional<long long> parse_size(std::string_view input, Message& problem) {
    std::string text = trim_and_fold_spaces(input);
    // The number: digits with grouping spaces/commas/underscores, one '.' or ',' decimal mark.
    size_t end = 0;
    while (end < text.size() &&
           (digit(text[end]) || text[end] == '.' || text[end] == ',' || text[end] == '_' ||
            text[end] == '\'' ||
            (text[end] == ' ' && end + 1 < text.size() && digit(text[end + 1]))))
        ++end;
    std::string number = text.substr(0, end);
    std::string unit = fold_case(trim_and_fold_spaces(text.substr(end)));
    const Unit* found = nullptr;
    for (const auto& u : units)
        if (u.name == unit) found = &u;
    if (number.empty() || !found) {
        problem = Message::of("grade.size.expected_example");
        return std::nullopt;
    }
    if (auto whole = parse_whole_number(number)) {
        double bytes = static_cast<double>(*whole) * found->bytes;
        if (bytes < 9e18) return static_cast<long long>(bytes);
    }
    // A fraction: "1.5" or "1,5" (one mark, no grouping).
    size_t mark = number.find_first_of(".,");
    if (mark == std::string::npos || number.find_first_of(".,", mark + 1) != std::string::npos ||
        number.find_first_of(" _'") != std::string::npos || mark == 0 || number.size() > 24 ||
        mark + 1 == number.size()) {
        problem = Message::of("grade.size.bad_number", {{"number", number}});
        return std::nullopt;
    }
    number[mark] = '.';
    double bytes = std::stod(number) * found->bytes;
    if (!(bytes < 9e18)) {
        problem = Message::of("grade.size.too_large");
        return std::nullopt;
    }
    return std::llround(bytes);
}

namespace {

Normalised normalise(const nlohmann::json& submitted, const Context& ctx) {
    if (submitted.is_number()) {
        Normalised n = integer_answer.normalise(submitted, ctx);
        if (n.ok) {
            n.shown = Message::of("grade.size.bytes", {{"number", n.value}});
            n.value += " bytes";
        }
        return n;
    }
    if (!submitted.is_string()) return {false, "", Message::of("grade.size.expected")};
    Message problem;
    auto bytes = parse_size(submitted.get<std::string>(), problem);
    if (!bytes) return {false, "", problem};
    if (*bytes < 0) return {false, "", Message::of("grade.size.negative")};
    return {true, std::to_string(*bytes) + " bytes", "",
            Message::of("grade.size.bytes", {{"number", std::to_string(*bytes)}})};
}

Comparison compare(const Normalised& answer, const nlohmann::json& expected, const Context&) {
    return {std::stoll(answer.value) == expected.get<long long>() ? 1.0 : 0.0, ""};
}

std::string check_key(const nlohmann::json& answer, const nlohmann::json&) {
    return answer.is_number_integer() && answer.get<long long>() >= 0
               ? ""
               : "a size answer must be a JSON integer (bytes)";
}

}  // namespace

const AnswerType size_answer{"size", normalise, compare, check_key};

}  // namespace dflab::scoring
