// inode: a TSK metadata address: "12", or "64-128-3" (entry-type-id, NTFS). The entry alone
// ("64") is right when the key names the entry's default data attribute (type 128); "64-2"
// (entry-sequence) is read when options.sequence is set and must match it.
#include <vector>

#include "scoring/answer_types.hpp"

namespace dflab::scoring {

namespace {

// Numbers separated by '-'; empty when `text` is not such an address.
std::vector<long long> parts_of(std::string_view text) {
    std::vector<long long> parts;
    size_t start = 0;
    for (size_t i = 0; i <= text.size(); ++i) {
        if (i < text.size() && text[i] != '-') continue;
        std::string_view part = text.substr(start, i - start);
        start = i + 1;
        if (part.empty() || part.size() > 18 ||
            part.find_first_not_of("0123456789") != std::string_view::npos)
            return {};
        parts.push_back(std::stoll(std::string(part)));
    }
    return parts;
}

Normalised normalise(const nlohmann::json& submitted, const Context& ctx) {
    if (submitted.is_number_integer() && submitted.get<long long>() >= 0)
        return {true, std::to_string(submitted.get<long long>()), ""};
    if (!submitted.is_string()) return {false, "", "an inode address was expected"};
    std::string text = trim_and_fold_spaces(submitted.get<std::string>());
    for (std::string_view prefix : {"inode ", "inode", "#"})
        if (fold_case(text.substr(0, prefix.size())) == prefix) text.erase(0, prefix.size());
    text = trim_and_fold_spaces(text);
    std::vector<long long> parts = parts_of(text);
    if (parts.empty() || parts.size() > 3)
        return {false, "", "an inode address was expected, e.g. 12 or 64-128-3"};
    if (parts.size() == 2 && !ctx.options.contains("sequence"))
        return {false, "",
                "'" + text +
                    "' is not understood as an inode address: write the entry (64) or "
                    "entry-type-id (64-128-3)"};
    std::string value = std::to_string(parts[0]);
    for (size_t i = 1; i < parts.size(); ++i) value += "-" + std::to_string(parts[i]);
    return {true, value, ""};
}

Comparison compare(const Normalised& answer, const nlohmann::json& expected, const Context& ctx) {
    std::vector<long long> given = parts_of(answer.value);
    std::vector<long long> key = parts_of(expected.get<std::string>());
    if (given.empty() || key.empty() || given[0] != key[0]) return {0, ""};
    switch (given.size()) {
        case 1:  // the entry: right for a file system without attributes, or the default $DATA
            return {key.size() == 1 || (key.size() == 3 && key[1] == 128) ? 1.0 : 0.0, ""};
        case 2: {  // entry-sequence
            auto it = ctx.options.find("sequence");
            bool right = it != ctx.options.end() && it->is_number_integer() &&
                         it->get<long long>() == given[1];
            return {right ? 1.0 : 0.0, ""};
        }
        default:
            return {given == key ? 1.0 : 0.0, ""};
    }
}

std::string check_key(const nlohmann::json& answer, const nlohmann::json&) {
    if (!answer.is_string()) return "an inode answer must be a string (a TSK address)";
    auto parts = parts_of(answer.get<std::string>());
    return parts.size() == 1 || parts.size() == 3 ? ""
                                                  : "an inode answer must be '12' or '64-128-3'";
}

}  // namespace

const AnswerType inode_answer{"inode", normalise, compare, check_key};

}  // namespace dflab::scoring
