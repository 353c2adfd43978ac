// Solution steps over the value so far: a field, a filter, one item, a count, unique and sorted.
#include <algorithm>
#include <charconv>
#include <optional>

#include "common/time_format.hpp"

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

std::string text_of(const nlohmann::json& j) {
    return j.is_string() ? j.get<std::string>() : j.dump();
}

std::string lower_ascii(std::string t) {
    for (auto& c : t)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return t;
}

std::optional<double> number_of(const nlohmann::json& j) {
    if (j.is_number()) return j.get<double>();
    if (!j.is_string()) return std::nullopt;
    const std::string t = j.get<std::string>();
    double v = 0;
    auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
    if (ec != std::errc() || end != t.data() + t.size() || t.empty()) return std::nullopt;
    return v;
}

std::optional<int64_t> time_of(const nlohmann::json& j) {
    if (!j.is_string()) return std::nullopt;
    const std::string t = j.get<std::string>();
    if (t.size() < 10 || t[4] != '-' || t[7] != '-') return std::nullopt;
    try {
        return common::parse_time(t);
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

// -1, 0, 1 as `have` is below, equal to or above `want`: numbers as numbers, times as times
// (any zone), other text as text. Nothing when either is null or they cannot be ordered.
std::optional<int> order(const nlohmann::json& have, const nlohmann::json& want) {
    if (have.is_null() || want.is_null()) return std::nullopt;
    auto sign = [](auto a, auto b) { return a < b ? -1 : (b < a ? 1 : 0); };
    if (auto a = number_of(have), b = number_of(want); a && b) return sign(*a, *b);
    if (auto a = time_of(have), b = time_of(want); a && b) return sign(*a, *b);
    if (have.is_string() && want.is_string())
        return sign(have.get<std::string>(), want.get<std::string>());
    return std::nullopt;
}

// Whether `have` (the item's field) stands in relation `op` to `operand`: a value, a list for
// in / not in, or {field: NAME} for another field of the same item.
bool holds(const nlohmann::json& item, const nlohmann::json& have, const std::string& op,
           const nlohmann::json& operand) {
    nlohmann::json want = operand;
    if (operand.is_object()) {
        std::string other = operand.value("field", "");
        if (!item.contains(other)) throw StepError("where: the items have no field " + other);
        want = item[other];
    }
    if (op == "=") return same(have, want) || (order(have, want) == 0);
    if (op == "!=") return !(same(have, want) || order(have, want) == 0);
    if (op == "in" || op == "not in") {
        if (!want.is_array()) throw StepError("where: '" + op + "' needs a list");
        bool in = std::any_of(want.begin(), want.end(),
                              [&](const nlohmann::json& w) { return same(have, w); });
        return op == "in" ? in : !in;
    }
    if (op == "prefix" || op == "not prefix") {
        bool starts = !have.is_null() && text_of(have).starts_with(text_of(want));
        return op == "prefix" ? starts : !starts;
    }
    auto o = order(have, want);
    if (!o) return false;
    if (op == "<") return *o < 0;
    if (op == "<=") return *o <= 0;
    if (op == ">") return *o > 0;
    if (op == ">=") return *o >= 0;
    throw StepError("where: unknown operator '" + op + "'");
}

}  // namespace

bool is_metadata_file(const nlohmann::json& row) {
    if (!row.is_object() || !row.contains("path") || !row["path"].is_string()) return false;
    const std::string path = row["path"].get<std::string>();
    return path.size() > 1 && path[0] == '/' && path[1] == '$';
}

std::string candidates_text(const nlohmann::json& list) {
    // The fields that tell the items apart (in the first item's order), paths first.
    std::vector<std::string> differing;
    if (!list.empty() && list.front().is_object()) {
        for (auto& [k, v] : list.front().items()) {
            if (k == "path" || k == "name") continue;
            bool differs = false;
            for (auto& item : list)
                if (!item.is_object() || !item.contains(k) || item[k] != v) differs = true;
            if (differs) differing.push_back(k);
        }
    }
    std::string out;
    for (size_t i = 0; i < list.size(); ++i) {
        const nlohmann::json& item = list[i];
        std::string one;
        if (!item.is_object()) {
            one = short_text(item);
        } else {
            if (item.contains("path") && !item["path"].is_null())
                one = text_of(item["path"]);
            else if (item.contains("name") && !item["name"].is_null())
                one = text_of(item["name"]);
            else if (item.contains("path"))
                one = "(no path)";
            std::string fields;
            for (auto& k : differing)
                if (item.contains(k))
                    fields += (fields.empty() ? "" : ", ") + k + " " + short_text(item[k]);
            if (!fields.empty()) one += (one.empty() ? "" : " ") + std::string("(") + fields + ")";
            if (one.empty()) one = short_text(item);
        }
        out += (i ? "; " : "") + std::to_string(i + 1) + ". " + one;
    }
    return out;
}

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
    if (!step.argument.is_object())
        throw StepError("where takes a map: {FIELD: VALUE} or {FIELD: {OP: VALUE}}");
    nlohmann::json out = nlohmann::json::array();
    for (auto& item : need_list(s, "where")) {
        bool keep = item.is_object();
        for (auto& [k, want] : step.argument.items()) {
            if (!keep) break;
            if (!item.contains(k)) {
                keep = false;
            } else if (want.is_object()) {
                for (auto& [op, operand] : want.items())
                    keep = keep && holds(item, item[k], op, operand);
            } else {
                keep = same(item[k], want);
            }
        }
        if (keep) out.push_back(item);
    }
    s.value = out;
}

void step_map(SolutionState& s, const Step& step) {
    auto one = [&](const nlohmann::json& v) -> nlohmann::json {
        if (v.is_object() || v.is_array())
            throw StepError("map needs a single value (or a list of them), not " + short_text(v));
        const std::string key = text_of(v);
        if (step.argument.contains(key)) return step.argument[key];
        for (auto& [k, result] : step.argument.items())  // then without regard to case
            if (lower_ascii(k) == lower_ascii(key)) return result;
        std::string keys;
        for (auto& [k, _] : step.argument.items()) keys += (keys.empty() ? "" : ", ") + k;
        throw StepError("the value " + short_text(v) + " is not in the map; it maps " + keys);
    };
    if (s.value.is_array()) {
        nlohmann::json out = nlohmann::json::array();
        for (auto& item : s.value) out.push_back(one(item));
        s.value = out;
    } else {
        s.value = one(s.value);
    }
}

void step_variable(SolutionState& s, const Step& step) {
    std::string name = step.argument.get<std::string>();
    const nlohmann::json& vars = s.truth().value("variables", nlohmann::json::object());
    if (!vars.contains(name)) {
        std::string names;
        for (auto& [k, _] : vars.items()) names += (names.empty() ? "" : ", ") + k;
        throw StepError("the recipe of image " + s.image_id + " has no variable " + name +
                        (names.empty() ? "" : "; its variables: " + names));
    }
    s.value = vars[name];
}

void step_one(SolutionState& s, const Step&) {
    const nlohmann::json& list = need_list(s, "one");
    if (list.empty()) throw StepError("found nothing where one is expected");
    if (list.size() > 1)
        throw StepError("found " + std::to_string(list.size()) +
                        " where one is expected: " + candidates_text(list));
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
