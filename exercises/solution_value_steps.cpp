// Solution steps over the value so far: a field, a filter, one item, a count, unique and sorted.
#include <algorithm>

#include "exercises/solution_state.hpp"

namespace dflab::exercises::detail {

namespace {

const nlohmann::json& need_list(const SolutionState& s, const std::string& verb) {
    if (!s.value.is_array())
        throw StepError(verb + " needs a list, but the value is " + short_text(s.value));
    return s.value;
}

nlohmann::json field_of(const nlohmann::json& item, const std::string& name) {
    if (!item.is_object()) throw StepError("field " + name + ": the value has no fields");
    if (!item.contains(name)) {
        std::string keys;
        for (auto& [k, _] : item.items()) keys += (keys.empty() ? "" : ", ") + k;
        throw StepError("no field " + name + "; fields: " + keys);
    }
    return item[name];
}

// YAML gives `where: {deleted: true}`; a text "true" in a case row compares as well.
bool same(const nlohmann::json& have, const nlohmann::json& want) {
    if (have == want) return true;
    auto text = [](const nlohmann::json& j) {
        return j.is_string() ? j.get<std::string>() : j.dump();
    };
    return text(have) == text(want);
}

}  // namespace

void step_field(SolutionState& s, const Step& step) {
    std::string name = step.argument.get<std::string>();
    if (s.value.is_array()) {
        nlohmann::json out = nlohmann::json::array();
        for (auto& item : s.value) out.push_back(field_of(item, name));
        s.value = out;
    } else {
        s.value = field_of(s.value, name);
    }
}

void step_where(SolutionState& s, const Step& step) {
    nlohmann::json out = nlohmann::json::array();
    for (auto& item : need_list(s, "where")) {
        bool keep = item.is_object();
        for (auto& [k, want] : step.argument.items())
            keep = keep && item.contains(k) && same(item[k], want);
        if (keep) out.push_back(item);
    }
    s.value = out;
}

void step_one(SolutionState& s, const Step&) {
    const nlohmann::json& list = need_list(s, "one");
    if (list.empty()) throw StepError("found nothing where one is expected");
    if (list.size() > 1)
        throw StepError("found " + std::to_string(list.size()) +
                        " where one is expected: " + short_text(list));
    s.value = nlohmann::json(list.front());
}

void step_count(SolutionState& s, const Step&) {
    s.value = need_list(s, "count").size();
}

void step_unique(SolutionState& s, const Step&) {
    nlohmann::json list = need_list(s, "unique");
    std::vector<nlohmann::json> items(list.begin(), list.end());
    std::sort(items.begin(), items.end());
    items.erase(std::unique(items.begin(), items.end()), items.end());
    s.value = items;
}

void step_sort(SolutionState& s, const Step&) {
    nlohmann::json list = need_list(s, "sort");
    std::vector<nlohmann::json> items(list.begin(), list.end());
    std::sort(items.begin(), items.end());
    s.value = items;
}

std::string short_text(const nlohmann::json& value) {
    std::string text = value.is_string()
                           ? value.get<std::string>()
                           : value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    for (auto& c : text)
        if (c == '\n' || c == '\r' || c == '\t') c = ' ';
    if (text.size() > 100) {
        size_t cut = 100;
        while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
        text = text.substr(0, cut) + "...";
    }
    return text;
}

}  // namespace dflab::exercises::detail
