// offset: bytes from the start of the image, decimal or 0x hex, with an optional byte unit; or in
// sectors ("250 sectors", "sector 250", "LBA 250", "250 секторов"), multiplied by
// options.sector_size (512).
#include <array>

#include "scoring/answer_types.hpp"

namespace dflab::scoring {

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

Normalised normalise(const nlohmann::json& submitted, const Context& ctx) {
    if (submitted.is_number()) {
        Normalised n = integer_answer.normalise(submitted, ctx);
        if (n.ok) n.value = "byte " + n.value;
        return n;
    }
    if (!submitted.is_string()) return {false, "", "an offset was expected"};
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
            return {false, "", "the sector number is out of range"};
        return {true, "byte " + std::to_string(*sectors * size), ""};
    }
    std::optional<long long> bytes = parse_whole_number(text);
    std::string problem;
    if (!bytes) bytes = parse_size(text, problem);
    if (!bytes || *bytes < 0)
        return {false, "",
                "an offset was expected: bytes (e.g. 1048576 or 0x100000) or sectors (e.g. 2048 "
                "sectors, sector 2048)"};
    return {true, "byte " + std::to_string(*bytes), ""};
}

Comparison compare(const Normalised& answer, const nlohmann::json& expected, const Context&) {
    return {std::stoll(answer.value.substr(5)) == expected.get<long long>() ? 1.0 : 0.0, ""};
}

std::string check_key(const nlohmann::json& answer, const nlohmann::json&) {
    return answer.is_number_integer() && answer.get<long long>() >= 0
               ? ""
               : "an offset answer must be a JSON integer (bytes)";
}

}  // namespace

const AnswerType offset_answer{"offset", normalise, compare, check_key};

}  // namespace dflab::scoring
