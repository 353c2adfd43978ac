// Loading answer-key.json strictly (docs/answer-key.md).
#include "scoring/answer_key.hpp"

#include <algorithm>

#include "common/error.hpp"
#include "common/input_file.hpp"
#include "common/prerequisites.hpp"
#include "scoring/answer_types.hpp"

namespace dflab::scoring {

namespace {

using nlohmann::json;

class Reader {
  public:
    explicit Reader(std::string_view source) : source_(source) {}

    [[noreturn]] void fail(std::string_view question, const std::string& what) const {
        std::string where = std::string(source_) + ": ";
        if (!question.empty()) where += "question " + std::string(question) + ": ";
        throw common::Error(where + what);
    }

    // The member `key` of `object`; `required` members that are absent fail.
    const json* member(const json& object, std::string_view question, const char* key,
                       json::value_t type, bool required = false) const {
        auto it = object.find(key);
        if (it == object.end() || (it->is_null() && type != json::value_t::null)) {
            if (required) fail(question, std::string("'") + key + "' is missing");
            return nullptr;
        }
        bool ok = it->type() == type || (type == json::value_t::number_float && it->is_number()) ||
                  (type == json::value_t::number_integer && it->is_number_unsigned());
        if (!ok)
            fail(question, std::string("'") + key + "' must be " + type_name(type) + ", not " +
                               it->type_name());
        return &*it;
    }

  private:
    static std::string type_name(json::value_t type) {
        switch (type) {
            case json::value_t::string:
                return "a string";
            case json::value_t::number_integer:
                return "an integer";
            case json::value_t::number_float:
                return "a number";
            case json::value_t::array:
                return "an array";
            case json::value_t::object:
                return "an object";
            case json::value_t::boolean:
                return "true or false";
            default:
                return "null";
        }
    }
    std::string_view source_;
};

// The JSON type of each option a type reads (options of other names are left for later versions).
std::string check_options(const json& options, std::string_view type) {
    struct Option {
        const char* name;
        bool (*fits)(const json&);
        const char* what;
    };
    static const Option known[] = {
        {"case_sensitive", [](const json& v) { return v.is_boolean(); }, "true or false"},
        {"algorithm", [](const json& v) { return v.is_string(); }, "a string"},
        {"sector_size",
         [](const json& v) { return v.is_number_integer() && v.get<long long>() > 0; },
         "a positive integer"},
        {"tolerance_seconds", [](const json& v) { return v.is_number() && v.get<double>() >= 0; },
         "a number of seconds, not negative"},
        {"timezone", [](const json& v) { return v.is_string(); }, "an IANA time zone name"},
        {"zone_names", [](const json& v) { return v.is_object(); },
         "an object of IANA zone -> list of names"},
        {"bare_number",
         [](const json& v) {
             return v.is_string() && (v == "bytes" || v == "sectors" || v == "either");
         },
         "bytes, sectors or either"},
        {"partition", [](const json& v) { return v.is_number_integer(); }, "an integer"},
        {"sequence", [](const json& v) { return v.is_number_integer(); }, "an integer"},
        {"element_type", [](const json& v) { return v.is_string(); }, "a type name"},
        {"element_options", [](const json& v) { return v.is_object(); }, "an object"},
        {"wrong_item_penalty", [](const json& v) { return v.is_number() && v.get<double>() >= 0; },
         "a number, not negative"},
        {"tolerance_metres", [](const json& v) { return v.is_number() && v.get<double>() > 0; },
         "a positive number of metres"},
    };
    for (const auto& option : known) {
        auto it = options.find(option.name);
        if (it != options.end() && !option.fits(*it))
            return std::string("options.") + option.name + " must be " + option.what;
    }
    if (type == "set" && options.contains("element_options") && options.contains("element_type"))
        if (std::string problem = check_options(options["element_options"],
                                                options["element_type"].get<std::string>());
            !problem.empty())
            return "element_options: " + problem;
    return "";
}

KeyQuestion read_question(const Reader& r, const json& q, size_t index) {
    if (!q.is_object()) r.fail("", "questions[" + std::to_string(index) + "] must be an object");
    KeyQuestion k;
    const json* id = r.member(q, "", "id", json::value_t::string);
    if (!id || id->get<std::string>().empty())
        r.fail("", "questions[" + std::to_string(index) + "] has no 'id'");
    k.id = id->get<std::string>();
    const std::string& qid = k.id;
    k.type = r.member(q, qid, "type", json::value_t::string, true)->get<std::string>();
    const AnswerType* type = find_answer_type(k.type);
    if (!type)
        r.fail(qid, "unknown type '" + k.type +
                        "' (text, regex, choice, hash, integer, size, offset, timestamp, path, "
                        "inode, set, location, free_text)");
    k.points = r.member(q, qid, "points", json::value_t::number_float, true)->get<double>();
    if (k.points < 0) r.fail(qid, "'points' must not be negative");
    k.options = json::object();
    if (auto* o = r.member(q, qid, "options", json::value_t::object)) k.options = *o;
    if (std::string problem = check_options(k.options, k.type); !problem.empty())
        r.fail(qid, problem);
    if (auto* answers = r.member(q, qid, "answers", json::value_t::object)) {
        for (const auto& [variant, answer] : answers->items()) {
            if (variant.empty() || variant.size() > 6 ||
                variant.find_first_not_of("0123456789") != std::string::npos)
                r.fail(qid, "'answers' key '" + variant + "' is not a variant number");
            k.answers[std::stoi(variant)] = answer;
        }
    }
    if (auto it = q.find("answer"); it != q.end() && !k.answers.contains(0)) k.answers[0] = *it;
    if (k.answers.empty()) r.fail(qid, "'answers' is missing");
    for (const auto& [variant, answer] : k.answers)
        if (std::string problem = type->check_key(answer, k.options); !problem.empty())
            r.fail(qid, "variant " + std::to_string(variant) + ": " + problem);
    if (auto* m = r.member(q, qid, "max_attempts", json::value_t::number_integer)) {
        k.max_attempts = m->get<int>();
        if (k.max_attempts < 0) r.fail(qid, "'max_attempts' must not be negative");
    }
    if (auto* p = r.member(q, qid, "wrong_attempt_penalty", json::value_t::number_float)) {
        k.wrong_attempt_penalty = p->get<double>();
        if (k.wrong_attempt_penalty < 0)
            r.fail(qid, "'wrong_attempt_penalty' must not be negative");
    }
    if (auto* hints = r.member(q, qid, "hints", json::value_t::array)) {
        for (const auto& hint : *hints) {
            if (!hint.is_object()) r.fail(qid, "each of 'hints' must be an object");
            auto* cost = r.member(hint, qid, "cost", json::value_t::number_float);
            k.hint_costs.push_back(cost ? cost->get<double>() : 0.0);
            if (k.hint_costs.back() < 0) r.fail(qid, "a hint's 'cost' must not be negative");
        }
    }
    for (auto [key, list] :
         {std::pair{"prerequisites", &k.prerequisites}, std::pair{"choices", &k.choices}}) {
        if (auto* a = r.member(q, qid, key, json::value_t::array)) {
            for (const auto& item : *a) {
                if (!item.is_string()) r.fail(qid, std::string("'") + key + "' must hold strings");
                list->push_back(item.get<std::string>());
            }
        }
    }
    if (auto it = q.find("rubric"); it != q.end()) k.rubric = *it;
    if (k.type == "choice" && !k.choices.empty()) {
        for (const auto& [variant, answer] : k.answers)
            if (std::find(k.choices.begin(), k.choices.end(), answer.get<std::string>()) ==
                k.choices.end())
                r.fail(qid, "variant " + std::to_string(variant) + ": the answer '" +
                                answer.get<std::string>() + "' is not one of 'choices'");
    }
    return k;
}

// Prerequisites name known questions and do not go round in a circle (the check of pack validate).
void check_prerequisites(const Reader& r, const AnswerKey& key) {
    std::vector<common::Prerequisites> graph;
    for (const auto& q : key.questions) {
        for (const auto& p : q.prerequisites)
            if (!key.find(p)) r.fail(q.id, "prerequisite '" + p + "' is not a question of the key");
        graph.push_back({q.id, q.prerequisites});
    }
    auto cycles = common::prerequisite_cycles(graph);
    if (!cycles.empty())
        r.fail(cycles.front().front(), common::prerequisite_cycle_problem(cycles.front()));
}

}  // namespace

const KeyQuestion* AnswerKey::find(std::string_view id) const {
    for (const auto& q : questions)
        if (q.id == id) return &q;
    return nullptr;
}

AnswerKey parse_answer_key(const json& document, std::string_view source) {
    Reader r(source);
    if (!document.is_object()) r.fail("", "an answer key must be a JSON object");
    auto* format = r.member(document, "", "format", json::value_t::string, true);
    if (format->get<std::string>() != "dflab-answer-key")
        r.fail("", "not a dflab answer key (format '" + format->get<std::string>() + "')");
    int version =
        r.member(document, "", "format_version", json::value_t::number_integer, true)->get<int>();
    if (version != 1)
        r.fail("", "answer key format version " + std::to_string(version) +
                       " is not supported (this dflab reads version 1)");
    AnswerKey key;
    key.pack = r.member(document, "", "pack", json::value_t::string, true)->get<std::string>();
    if (auto* v = r.member(document, "", "pack_version", json::value_t::string))
        key.pack_version = v->get<std::string>();
    if (auto* d = r.member(document, "", "date_order", json::value_t::string)) {
        key.date_order = d->get<std::string>();
        if (key.date_order != "DMY" && key.date_order != "MDY" && key.date_order != "YMD")
            r.fail("", "'date_order' must be DMY, MDY or YMD, not '" + key.date_order + "'");
    }
    if (auto* variants = r.member(document, "", "variants", json::value_t::array)) {
        for (const auto& v : *variants) {
            if (!v.is_number_integer() || v.get<long>() < 0)
                r.fail("", "'variants' must hold variant numbers");
            key.variants.push_back(v.get<int>());
        }
    }
    if (key.variants.empty()) key.variants = {0};
    const json* questions = r.member(document, "", "questions", json::value_t::array, true);
    for (size_t i = 0; i < questions->size(); ++i) {
        KeyQuestion q = read_question(r, (*questions)[i], i);
        if (key.find(q.id)) r.fail(q.id, "the id is used by two questions");
        for (int variant : key.variants)
            if (!q.answers.contains(variant))
                r.fail(q.id, "no answer for variant " + std::to_string(variant));
        key.questions.push_back(std::move(q));
    }
    check_prerequisites(r, key);
    return key;
}

nlohmann::json read_answer_key_json(const std::filesystem::path& dir_or_file, std::string& file) {
    std::filesystem::path path = dir_or_file;
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) {
        path = dir_or_file / "answer-key.json";
        if (!std::filesystem::exists(path, ec) &&
            std::filesystem::exists(dir_or_file / "instructor" / "answer-key.json", ec))
            path = dir_or_file / "instructor" / "answer-key.json";
    }
    file = path.string();
    const std::string text = common::read_input_file(path, kLargestAnswerKey, "dflab answer key");
    try {
        return json::parse(text);
    } catch (const json::parse_error& e) {
        throw common::Error(file + ": not valid JSON at byte " + std::to_string(e.byte));
    } catch (const json::out_of_range&) {  // a number beyond a double, such as 1e309
        throw common::Error(file + ": a number is too large to read (over 1.8e308)");
    }
}

AnswerKey load_answer_key(const std::filesystem::path& dir_or_file) {
    std::string file;
    json document = read_answer_key_json(dir_or_file, file);
    return parse_answer_key(document, file);
}

}  // namespace dflab::scoring
