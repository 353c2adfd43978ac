// path: absolute, '/' separated. Accepted: '\' as separator, a drive letter ("C:\Users\..."), the
// leading separator left out, repeated or trailing separators, "." components, and a partition
// index in front ("2:/Documents/..."), matched against options.partition. Case-insensitive unless
// options.case_sensitive.
#include <cctype>
#include <vector>

#include "scoring/answer_types.hpp"

namespace dflab::scoring {

using common::Message;

namespace {

// "/a/b" from any accepted spelling, without a partition prefix.
std::string canonical(std::string_view text) {
    if (text.size() >= 2 && std::isalpha(static_cast<unsigned char>(text[0])) && text[1] == ':')
        text.remove_prefix(2);  // drive letter
    std::vector<std::string_view> parts;
    size_t start = 0;
    for (size_t i = 0; i <= text.size(); ++i) {
        if (i < text.size() && text[i] != '/' && text[i] != '\\') continue;
        std::string_view part = text.substr(start, i - start);
        start = i + 1;
        if (part.empty() || part == ".") continue;
        if (part == "..") {
            if (!parts.empty()) parts.pop_back();
            continue;
        }
        parts.push_back(part);
    }
    std::string out;
    for (auto part : parts) out.append("/").append(part);
    return out.empty() ? "/" : out;
}

// Splits "N:rest" into N and rest; -1 when there is no partition prefix.
long split_partition(std::string_view& text) {
    size_t i = 0;
    while (i < text.size() && i < 4 && text[i] >= '0' && text[i] <= '9') ++i;
    if (i == 0 || i >= text.size() || text[i] != ':') return -1;
    long partition = std::stol(std::string(text.substr(0, i)));
    text.remove_prefix(i + 1);
    return partition;
}

Normalised normalise(const nlohmann::json& submitted, const Context&) {
    if (!submitted.is_string()) return {false, "", Message::of("grade.path.expected")};
    std::string text = trim_and_fold_spaces(submitted.get<std::string>());
    if (text.size() >= 2 && (text.front() == '"' || text.front() == '\'') &&
        text.back() == text.front())
        text = text.substr(1, text.size() - 2);
    if (text.empty()) return {false, "", Message::of("grade.path.empty")};
    std::string_view view = text;
    long partition = split_partition(view);
    std::string path = canonical(view);
    return {true, (partition >= 0 ? std::to_string(partition) + ":" : "") + path, ""};
}

Comparison compare(const Normalised& answer, const nlohmann::json& expected, const Context& ctx) {
    std::string_view value = answer.value;
    long partition = split_partition(value);
    if (partition >= 0) {
        auto it = ctx.options.find("partition");
        if (it != ctx.options.end() && it->is_number_integer() && it->get<long>() != partition)
            return {0, Message::of("grade.path.other_partition")};
    }
    std::string key = canonical(expected.get<std::string>());
    if (option_bool(ctx.options, "case_sensitive", false)) return {value == key ? 1.0 : 0.0, ""};
    return {fold_case(value) == fold_case(key) ? 1.0 : 0.0, ""};
}

std::string check_key(const nlohmann::json& answer, const nlohmann::json&) {
    if (!answer.is_string() || answer.get<std::string>().empty() ||
        answer.get<std::string>()[0] != '/')
        return "a path answer must be an absolute path string starting with '/'";
    return "";
}

}  // namespace

const AnswerType path_answer{"path", normalise, compare, check_key};

}  // namespace dflab::scoring
