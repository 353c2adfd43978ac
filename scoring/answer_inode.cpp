// inode: a TSK metadata address: "12", or "64-128-3" (entry-type-id, NTFS). An answer is right
// when it names the key's content: the same address, or the entry alone ("64", what `icat IMAGE
// 64` reads) when the key says that the entry's default attribute is the key's address (key
// answer {"address": "64-128-3", "default_attribute": true}); a key that does not say so (a bare
// "64-128-3") takes the full address only. "64-2" (entry-sequence) is read when
// options.sequence is set and must match it.
#include <vector>

#include "scoring/answer_types.hpp"

namespace dflab::scoring {

using common::Message;

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
    if (!submitted.is_string()) return {false, "", Message::of("grade.inode.expected")};
    std::string text = trim_and_fold_spaces(submitted.get<std::string>());
    for (std::string_view prefix : {"inode ", "inode", "#"})
        if (fold_case(text.substr(0, prefix.size())) == prefix) text.erase(0, prefix.size());
    text = trim_and_fold_spaces(text);
    std::vector<long long> parts = parts_of(text);
    if (parts.empty() || parts.size() > 3)
        return {false, "", Message::of("grade.inode.expected_example")};
    if (parts.size() == 2 && !ctx.options.contains("sequence"))
        return {false, "", Message::of("grade.inode.two_parts", {{"value", text}})};
    std::string value = std::to_string(parts[0]);
    for (size_t i = 1; i < parts.size(); ++i) value += "-" + std::to_string(parts[i]);
    return {true, value, ""};
}

// The key's address and whether the entry alone names the same content.
struct KeyAddress {
    std::vector<long long> parts;
    bool entry_alone = false;
};

KeyAddress key_address(const nlohmann::json& expected) {
    if (expected.is_string()) {
        auto parts = parts_of(expected.get<std::string>());
        return {parts, parts.size() == 1};
    }
    auto parts = parts_of(expected.at("address").get<std::string>());
    return {parts, parts.size() == 1 || expected.at("default_attribute").get<bool>()};
}

Comparison compare(const Normalised& answer, const nlohmann::json& expected, const Context& ctx) {
    std::vector<long long> given = parts_of(answer.value);
    KeyAddress key = key_address(expected);
    if (given.empty() || key.parts.empty() || given[0] != key.parts[0]) return {0, ""};
    switch (given.size()) {
        case 1:  // the entry: its default attribute (TSK: the unnamed $DATA of a file)
            return {key.entry_alone ? 1.0 : 0.0, ""};
        case 2: {  // entry-sequence
            auto it = ctx.options.find("sequence");
            bool right = it != ctx.options.end() && it->is_number_integer() &&
                         it->get<long long>() == given[1] && key.entry_alone;
            return {right ? 1.0 : 0.0, ""};
        }
        default:
            return {given == key.parts ? 1.0 : 0.0, ""};
    }
}

std::string check_key(const nlohmann::json& answer, const nlohmann::json&) {
    const nlohmann::json* address = &answer;
    if (answer.is_object()) {
        auto it = answer.find("address");
        auto alone = answer.find("default_attribute");
        if (it == answer.end() || alone == answer.end() || !alone->is_boolean() ||
            answer.size() != 2)
            return "an inode answer object must be {\"address\": \"64-128-3\", "
                   "\"default_attribute\": true|false}";
        address = &*it;
    }
    if (!address->is_string())
        return "an inode answer must be a TSK address string or {\"address\", "
               "\"default_attribute\"}";
    auto parts = parts_of(address->get<std::string>());
    return parts.size() == 1 || parts.size() == 3 ? ""
                                                  : "an inode address must be '12' or '64-128-3'";
}

}  // namespace

const AnswerType inode_answer{"inode", normalise, compare, check_key};

}  // namespace dflab::scoring
