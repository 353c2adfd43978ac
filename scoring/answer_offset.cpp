// offset: bytes from the start of the image, decimal or 0x hex, with an optional byte unit; or in
// sectors ("250 sectors", "sector 250", "LBA 250", "250 секторов"), multiplied by
// options.sector_size (512). A bare number is read per options.bare_number: "bytes", "sectors",
// or "either" (the default, for questions that take both): right when either reading is, and
// the feedback says which reading was taken.
#include <array>

#include "scoring/answer_types.hpp"

namespace dflab::scoring {

using common::Message;

namespace {

constexpr std::array<std::string_view, 9> sector_words{
    "sector", "sectors", "lba", "s", "сектор", "сектора", "секторов", "секторы", "секторе"};

bool is_sector_word(std::string_view word) {
    std::string folded = fold_case(word);
    for (auto w : sector_words)
        if (w == folded) return true;
    return false;
}

long long sector_size(const nlohmann::json& options) {
    auto it = options.find("sector_size");
    return it != options.end() && it->is_number_integer() && it->get<long long>() > 0
               ? it->get<long long>()
               : 512;
}

constexpr std::string_view either_suffix = " (bytes or sectors)";

// Understood as byte `n` from the start.
Normalised at_byte(long long n) {
    return {true, "byte " + std::to_string(n), "",
            Message::of("grade.offset.byte", {{"number", std::to_string(n)}})};
}

// A bare number as options.bare_number reads it: "byte N", "byte N*size" or "N (bytes or
// sectors)".
Normalised bare(long long number, const Context& ctx) {
    std::string reading = option_string(ctx.options, "bare_number", "either");
    if (reading == "bytes") return at_byte(number);
    long long size = sector_size(ctx.options);
    if (number > (1LL << 62) / size) {
        if (reading == "sectors")
            return {false, "", Message::of("grade.offset.sector_out_of_range")};
        return at_byte(number);
    }
    if (reading == "sectors") return at_byte(number * size);
    return {true, std::to_string(number) + std::string(either_suffix), "",
            Message::of("grade.offset.bytes_or_sectors", {{"number", std::to_string(number)}})};
}

Normalised normalise(const nlohmann::json& submitted, const Context& ctx) {
    if (submitted.is_number()) {
        Normalised n = integer_answer.normalise(submitted, ctx);
        if (!n.ok) return n;
        std::optional<long long> number = parse_whole_number(n.value);
        if (!number || *number < 0) return {false, "", Message::of("grade.offset.negative")};
        return bare(*number, ctx);
    }
    if (!submitted.is_string()) return {false, "", Message::of("grade.offset.expected")};
    std::string text = trim_and_fold_spaces(submitted.get<std::string>());
    // Sectors: a sector word before or after the number.
    std::optional<long long> sectors;
    if (size_t space = text.find(' '); space != std::string::npos) {
        if (is_sector_word(text.substr(0, space)))
            sectors = parse_whole_number(text.substr(space + 1));
        else if (size_t last = text.rfind(' '); is_sector_word(text.substr(last + 1)))
            sectors = parse_whole_number(text.substr(0, last));
    }
    if (sectors) {
        long long size = sector_size(ctx.options);
        if (*sectors < 0 || *sectors > (1LL << 62) / size)
            return {false, "", Message::of("grade.offset.sector_out_of_range")};
        return at_byte(*sectors * size);
    }
    if (std::optional<long long> number = parse_whole_number(text); number && *number >= 0) {
        if (fold_case(text.substr(0, 2)) == "0x")  // hex: bytes, as hex editors show offsets
            return at_byte(*number);
        return bare(*number, ctx);
    }
    Message problem;
    std::optional<long long> bytes = parse_size(text, problem);
    if (!bytes || *bytes < 0) return {false, "", Message::of("grade.offset.expected_example")};
    return at_byte(*bytes);
}

Comparison compare(const Normalised& answer, const nlohmann::json& expected, const Context& ctx) {
    const long long key = expected.get<long long>();
    if (!answer.value.ends_with(either_suffix))
        return {std::stoll(answer.value.substr(5)) == key ? 1.0 : 0.0, ""};
    const long long number = std::stoll(answer.value);
    const long long size = sector_size(ctx.options);
    if (number == key) return {1, Message::of("grade.offset.read_as_bytes")};
    if (number * size == key)
        return {1, Message::of(
                       "grade.offset.read_as_sectors",
                       {{"size", std::to_string(size)}, {"byte", std::to_string(number * size)}})};
    return {0, Message::of("grade.offset.neither", {{"size", std::to_string(size)}})};
}

std::string check_key(const nlohmann::json& answer, const nlohmann::json&) {
    return answer.is_number_integer() && answer.get<long long>() >= 0
               ? ""
               : "an offset answer must be a JSON integer (bytes)";
}

}  // namespace

const AnswerType offset_answer{"offset", normalise, compare, check_key};

}  // namespace dflab::scoring
