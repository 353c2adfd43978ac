// Findings files, YAML or JSON: see findings.hpp and docs/findings-format.md.
#include "scoring/findings.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "common/input_file.hpp"
#include "common/text.hpp"

namespace dflab::scoring {

namespace {

using json = nlohmann::ordered_json;

constexpr std::uintmax_t largest_file = 16 * 1024 * 1024;
constexpr int deepest = 64;             // nesting levels; answers are at level 2 or 3
constexpr size_t most_values = 100000;  // values after YAML aliases are expanded

[[noreturn]] void fail(const std::filesystem::path& file, const std::string& what) {
    throw common::Error(file.string() + ": " + what);
}

std::string where(const std::filesystem::path& file, const YAML::Mark& mark) {
    return file.string() + ":" + std::to_string(mark.line + 1) + ":" +
           std::to_string(mark.column + 1);
}

// YAML to JSON: scalars become strings (the answer types read them), a plain ~/null/empty
// scalar becomes null.
json to_json(const YAML::Node& node, int depth, size_t& values, const std::filesystem::path& file) {
    if (depth > deepest)
        throw common::Error(where(file, node.Mark()) + ": nested more than " +
                            std::to_string(deepest) + " levels deep; not a findings file");
    if (++values > most_values)
        throw common::Error(where(file, node.Mark()) + ": more than " +
                            std::to_string(most_values) +
                            " values (aliases expanded); not a findings file");
    switch (node.Type()) {
        case YAML::NodeType::Null:
        case YAML::NodeType::Undefined:
            return nullptr;
        case YAML::NodeType::Scalar:
            if (node.Tag() == "?" && (node.Scalar() == "~" || node.Scalar() == "null"))
                return nullptr;
            return node.Scalar();
        case YAML::NodeType::Sequence: {
            json array = json::array();
            for (const auto& item : node) array.push_back(to_json(item, depth + 1, values, file));
            return array;
        }
        case YAML::NodeType::Map: {
            json object = json::object();
            for (const auto& item : node) {
                if (!item.first.IsScalar())
                    throw common::Error(where(file, item.first.Mark()) +
                                        ": keys must be plain names");
                if (object.contains(item.first.Scalar()))
                    throw common::Error(where(file, item.first.Mark()) + ": '" +
                                        item.first.Scalar() +
                                        "' appears twice; which one is meant?");
                object[item.first.Scalar()] = to_json(item.second, depth + 1, values, file);
            }
            return object;
        }
    }
    return nullptr;
}

json read_document(const std::filesystem::path& file) {
    const std::string text = common::read_input_file(file, largest_file, "findings file");
    size_t first = text.find_first_not_of(" \t\r\n");
    bool json_file =
        file.extension() == ".json" || (file.extension() != ".yaml" && file.extension() != ".yml" &&
                                        first != std::string::npos && text[first] == '{');
    if (json_file) {
        // Limits and duplicate keys are checked while parsing, before a deep or ambiguous value
        // is built: the parser calls back at every key and at the start and end of every object.
        std::vector<std::set<std::string>> keys;  // the keys seen, per open object
        std::vector<std::string> path;            // the key being read, per open object
        auto check = [&](int depth, json::parse_event_t event, json& parsed) {
            if (depth > deepest)
                fail(file, "nested more than " + std::to_string(deepest) +
                               " levels deep; not a findings file");
            if (event == json::parse_event_t::object_start) {
                keys.emplace_back();
                path.emplace_back();
            }
            if (event == json::parse_event_t::object_end && !keys.empty()) {
                keys.pop_back();
                path.pop_back();
            }
            if (event == json::parse_event_t::key && !keys.empty()) {
                path.back() = parsed.get<std::string>();
                if (!keys.back().insert(path.back()).second)
                    fail(file, "'" + path.back() + "' appears twice; which one is meant?");
            }
            return true;
        };
        try {
            return json::parse(text, check);
        } catch (const json::out_of_range& e) {
            // A number beyond a double (1e309): the parser names the number, not where it is.
            std::string message = e.what(), number;
            if (auto open = message.find('\''), close = message.rfind('\'');
                open != std::string::npos && close > open)
                number = message.substr(open + 1, close - open - 1);
            std::string at;  // the question, or the key, whose value it is
            if (path.size() >= 2 && path[0] == "answers")
                at = "question " + common::quote(path[1]) + ": ";
            else if (!path.empty())
                at = "key " + common::quote(path.back()) + ": ";
            if (number.empty()) fail(file, at + "a number is too large to read (over 1.8e308)");
            fail(file, at + "the number " + number +
                           " is too large to read (over 1.8e308); write it as a string (\"" +
                           number + "\") if it is meant as text");
        } catch (const json::parse_error& e) {
            // Line and column of the byte where parsing stopped.
            size_t line = 1, column = 1;
            for (size_t i = 0; i + 1 < e.byte && i < text.size(); ++i) {
                column = text[i] == '\n' ? 1 : column + 1;
                line += text[i] == '\n';
            }
            fail(file, "line " + std::to_string(line) + ", column " + std::to_string(column) +
                           ": not valid JSON");
        }
    }
    try {
        size_t values = 0;
        return to_json(YAML::Load(text), 0, values, file);
    } catch (const YAML::Exception& e) {
        throw common::Error(where(file, e.mark) + ": " + e.msg);
    }
}

std::string string_member(const std::filesystem::path& file, const json& doc, const char* key,
                          bool required) {
    auto it = doc.find(key);
    if (it == doc.end() || it->is_null()) {
        if (required) fail(file, std::string("'") + key + "' is missing");
        return "";
    }
    if (!it->is_string() && !it->is_number())
        fail(file, std::string("'") + key + "' must be a string");
    std::string value = it->is_string() ? it->get<std::string>() : it->dump();
    if (required && value.empty()) fail(file, std::string("'") + key + "' is empty");
    return value;
}

}  // namespace

const nlohmann::json* Findings::answer(std::string_view question_id) const {
    for (const auto& [id, value] : answers)
        if (id == question_id) return &value;
    return nullptr;
}

Findings load_findings(const std::filesystem::path& file) {
    json doc = read_document(file);
    if (!doc.is_object())
        fail(file, "a findings file is a mapping with pack, participant and answers");
    Findings f;
    f.file = file;
    f.pack = string_member(file, doc, "pack", true);
    f.participant = string_member(file, doc, "participant", true);
    f.team = string_member(file, doc, "team", false);
    std::string variant = string_member(file, doc, "variant", false);
    if (!variant.empty()) {
        if (variant.size() > 6 || variant.find_first_not_of("0123456789") != std::string::npos)
            fail(file, "'variant' must be a variant number, not '" + variant + "'");
        f.variant = std::stoi(variant);
    }
    auto answers = doc.find("answers");
    if (answers == doc.end() || answers->is_null()) fail(file, "'answers' is missing");
    if (!answers->is_object()) fail(file, "'answers' must be a mapping of question ids to answers");
    for (const auto& [id, value] : answers->items()) {
        if (value.is_object())
            fail(file, "the answer to " + id + " must be a value or a list of values");
        f.answers.emplace_back(id, nlohmann::json(value));
    }
    for (const auto& [key, value] : doc.items()) {
        static const std::set<std::string> known{"pack", "participant", "team", "variant",
                                                 "answers"};
        if (!known.contains(key)) fail(file, "unknown key '" + key + "'");
    }
    return f;
}

void check_findings(const Findings& f, const AnswerKey& key) {
    if (f.pack != key.pack)
        fail(f.file,
             "findings for pack '" + f.pack + "', but the answer key is for '" + key.pack + "'");
    if (std::find(key.variants.begin(), key.variants.end(), f.variant) == key.variants.end())
        fail(f.file, "variant " + std::to_string(f.variant) + " was not built for this key");
    for (const auto& [id, value] : f.answers)
        if (!key.find(id)) fail(f.file, "question " + id + ": no such question in the pack");
}

}  // namespace dflab::scoring
