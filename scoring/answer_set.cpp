// set: several answers of options.element_type (with options.element_options), as a JSON list or
// one string separated by newlines, semicolons or commas. Partial credit: the F-measure of
// precision (right items / items given) and recall (right items / items expected), minus
// options.wrong_item_penalty for each wrong item, within [0, 1].
#include <algorithm>

#include "scoring/answer_types.hpp"

namespace dflab::scoring {

using common::Message;

namespace {

constexpr size_t most_items = 1000;

const nlohmann::json& element_options(const nlohmann::json& options) {
    static const nlohmann::json none = nlohmann::json::object();
    auto it = options.find("element_options");
    return it != options.end() && it->is_object() ? *it : none;
}

const AnswerType* element_type(const nlohmann::json& options) {
    const AnswerType* type = find_answer_type(option_string(options, "element_type", ""));
    return type == &set_answer || type == &free_text_answer ? nullptr : type;
}

std::vector<nlohmann::json> items_of(const nlohmann::json& submitted) {
    if (submitted.is_array()) return {submitted.begin(), submitted.end()};
    std::string text = submitted.get<std::string>();
    char separator = text.find('\n') != std::string::npos  ? '\n'
                     : text.find(';') != std::string::npos ? ';'
                                                           : ',';
    std::vector<nlohmann::json> items;
    size_t start = 0;
    for (size_t i = 0; i <= text.size(); ++i) {
        if (i < text.size() && text[i] != separator) continue;
        std::string item = trim_and_fold_spaces(text.substr(start, i - start));
        start = i + 1;
        if (!item.empty()) items.emplace_back(item);
    }
    return items;
}

Normalised normalise(const nlohmann::json& submitted, const Context& ctx) {
    const AnswerType* type = element_type(ctx.options);
    if (!type) return {false, "", Message::of("grade.set.no_element_type")};
    if (!submitted.is_array() && !submitted.is_string())
        return {false, "", Message::of("grade.set.list_expected")};
    std::vector<nlohmann::json> items = items_of(submitted);
    if (items.empty()) return {false, "", Message::of("grade.set.empty")};
    if (items.size() > most_items)
        return {false, "",
                Message::of("grade.set.too_many", {{"count", std::to_string(most_items)}})};
    Context element{element_options(ctx.options), ctx.date_order};
    nlohmann::json values = nlohmann::json::array();
    for (const auto& item : items) {
        Normalised n = type->normalise(item, element);
        nlohmann::json value = n.ok ? nlohmann::json(n.value) : nlohmann::json(nullptr);
        if (!n.ok || std::find(values.begin(), values.end(), value) == values.end())
            values.push_back(value);  // repeated items count once; unreadable ones as wrong
    }
    return {true, values.dump(), ""};
}

Comparison compare(const Normalised& answer, const nlohmann::json& expected, const Context& ctx) {
    const AnswerType* type = element_type(ctx.options);
    Context element{element_options(ctx.options), ctx.date_order};
    nlohmann::json given = nlohmann::json::parse(answer.value);
    std::vector<bool> used(expected.size(), false);
    size_t right = 0, unreadable = 0;
    for (const auto& item : given) {
        if (item.is_null()) {
            ++unreadable;
            continue;
        }
        Normalised n{true, item.get<std::string>(), ""};
        for (size_t k = 0; k < expected.size(); ++k) {
            if (!used[k] && type->compare(n, expected[k], element).fraction >= 1) {
                used[k] = true;
                ++right;
                break;
            }
        }
    }
    size_t wrong = given.size() - right;
    double fraction = 0;
    if (right > 0 && !expected.empty()) {
        double precision = static_cast<double>(right) / static_cast<double>(given.size());
        double recall = static_cast<double>(right) / static_cast<double>(expected.size());
        fraction = 2 * precision * recall / (precision + recall);
    }
    double penalty = 0;
    if (auto it = ctx.options.find("wrong_item_penalty");
        it != ctx.options.end() && it->is_number())
        penalty = it->get<double>();
    fraction = std::clamp(fraction - penalty * static_cast<double>(wrong), 0.0, 1.0);
    Message note = Message::plural(
        "grade.set.right_of_given", static_cast<long long>(right),
        {{"right", std::to_string(right)}, {"given", std::to_string(given.size())}});
    if (right == expected.size() && wrong == 0) note = Message();
    if (unreadable > 0)
        note = Message::of("grade.set.with_unreadable",
                           {{"note", note}, {"count", std::to_string(unreadable)}});
    return {fraction, note};
}

std::string check_key(const nlohmann::json& answer, const nlohmann::json& options) {
    const AnswerType* type = element_type(options);
    if (!type)
        return "a set needs options.element_type, one of the other types (not set or free_text)";
    if (!answer.is_array()) return "a set answer must be a JSON array";
    const nlohmann::json& element = element_options(options);
    for (const auto& item : answer)
        if (std::string problem = type->check_key(item, element); !problem.empty())
            return "set element: " + problem;
    return "";
}

}  // namespace

const AnswerType set_answer{"set", normalise, compare, check_key};

}  // namespace dflab::scoring
