#include "exercises/answer_form.hpp"

#include <algorithm>
#include <regex>
#include <stdexcept>

#include "common/time_format.hpp"

namespace dflab::exercises::detail {

namespace {

using nlohmann::json;

std::string lower_ascii(std::string s) {
    for (auto& c : s)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return s;
}

std::string as_text(const json& v) {
    if (v.is_string()) return v.get<std::string>();
    if (v.is_number() || v.is_boolean()) return v.dump();
    throw std::runtime_error("expected a single value, got " + std::string(v.type_name()));
}

bool is_hex(const std::string& s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
        return std::isxdigit(static_cast<unsigned char>(c));
    });
}

json hash_form(const json& options, const json& v) {
    std::string algorithm = options.value("algorithm", "any");
    json out = json::object();
    if (v.is_object()) {
        for (const char* a : {"md5", "sha1", "sha256"})
            if (v.contains(a) && v[a].is_string()) out[a] = lower_ascii(v[a].get<std::string>());
    } else {
        std::string hex = lower_ascii(as_text(v));
        std::string guessed = hex.size() == 32   ? "md5"
                              : hex.size() == 40 ? "sha1"
                              : hex.size() == 64 ? "sha256"
                                                 : "";
        if (!is_hex(hex) || guessed.empty())
            throw std::runtime_error("not an MD5, SHA-1 or SHA-256 digest in hex");
        if (algorithm != "any" && guessed != algorithm)
            throw std::runtime_error("a " + guessed + " digest where the question asks for " +
                                     algorithm);
        out[guessed] = hex;
    }
    if (out.empty()) throw std::runtime_error("no md5, sha1 or sha256 digest");
    if (algorithm != "any" && !out.contains(algorithm))
        throw std::runtime_error("no " + algorithm + " digest (the question's algorithm)");
    return out;
}

json integer_form(const json& v) {
    if (v.is_number_integer()) return v.get<int64_t>();
    if (v.is_string()) {
        const std::string s = v.get<std::string>();
        size_t used = 0;
        int64_t n = 0;
        try {
            n = std::stoll(s, &used, 0);
        } catch (const std::exception&) {
            used = 0;
        }
        if (used == s.size() && !s.empty()) return n;
    }
    throw std::runtime_error("not a whole number");
}

json single_form(const std::string& type, const json& options, const json& v) {
    if (type == "hash") return hash_form(options, v);
    if (type == "integer" || type == "size" || type == "offset") return integer_form(v);
    if (type == "timestamp") {
        if (v.is_number_integer()) return common::iso_utc(v.get<int64_t>());
        return common::iso_utc(common::parse_time(as_text(v)));
    }
    if (type == "path") {
        std::string p = as_text(v);
        if (p.empty() || p.front() != '/') throw std::runtime_error("not an absolute path");
        return p;
    }
    if (type == "inode") return as_text(v);
    return as_text(v);  // text, choice, regex
}

}  // namespace

json answer_form(const Question& q, const json& value) {
    if (q.type == "free_text") return nullptr;
    const json options = q.options.is_object() ? q.options : json::object();
    if (q.type == "set") {
        std::string element = options.value("element_type", "text");
        json element_options = options.value("element_options", json::object());
        json list = value.is_array() ? value : json::array({value});
        std::vector<json> items;
        for (auto& item : list) items.push_back(single_form(element, element_options, item));
        std::sort(items.begin(), items.end());
        items.erase(std::unique(items.begin(), items.end()), items.end());
        return items;
    }
    if (value.is_array() && value.size() == 1) return answer_form(q, value.front());
    if (q.type == "regex") {
        std::string pattern = options.value("pattern", "");
        if (pattern.empty()) throw std::runtime_error("a regex question needs options: {pattern}");
        std::string derived = as_text(value);
        auto flags = std::regex::ECMAScript;
        if (!options.value("case_sensitive", false)) flags |= std::regex::icase;
        if (!std::regex_match(derived, std::regex(pattern, flags)))
            throw std::runtime_error("the derived value does not match the pattern " + pattern);
        return pattern;
    }
    json out = single_form(q.type, options, value);
    if (q.type == "choice" &&
        std::find(q.choices.begin(), q.choices.end(), out.get<std::string>()) == q.choices.end())
        throw std::runtime_error("not one of the choices");
    return out;
}

json expected_value(const Expectation& x, const json& truth) {
    if (!x.variable.empty()) {
        const json& vars = truth.value("variables", json::object());
        if (!vars.contains(x.variable))
            throw std::runtime_error("the recipe has no variable " + x.variable);
        return vars[x.variable];
    }
    if (!x.artifacts.empty()) {
        json values = json::array();
        for (auto& id : x.artifacts) {
            const json* found = nullptr;
            for (auto& a : truth.at("artifacts"))
                if (a.value("id", "") == id) found = &a;
            if (!found) throw std::runtime_error("the truth manifest has no artifact " + id);
            std::string field = x.field == "offset" ? "image_offset" : x.field;
            if (!found->contains(field))
                throw std::runtime_error("artifact " + id + " has no field " + x.field);
            values.push_back(field == "sha256" ? json{{"sha256", (*found)[field]}}
                                               : (*found)[field]);
        }
        return x.artifacts.size() == 1 ? values.front() : values;
    }
    if (x.partition) {
        for (auto& p : truth.at("partitions"))
            if (p.value("index", -1) == *x.partition) {
                if (!p.contains(x.field))
                    throw std::runtime_error("partition " + std::to_string(*x.partition) +
                                             " has no field " + x.field + " in the truth");
                return p[x.field];
            }
        throw std::runtime_error("the truth has no partition " + std::to_string(*x.partition));
    }
    if (x.field == "partitions") return truth.at("partitions").size();
    const json& image = truth.at("image");
    if (!image.contains(x.field))
        throw std::runtime_error("the truth's image has no field " + x.field +
                                 " (it has sha256 and size)");
    return x.field == "sha256" ? json{{"sha256", image[x.field]}} : image[x.field];
}

bool answers_agree(const Question& q, const json& derived, const json& truth) {
    if (q.type == "hash") {
        for (auto& [algorithm, digest] : truth.items())
            if (derived.contains(algorithm) && derived[algorithm] != digest) return false;
        for (auto& [algorithm, digest] : truth.items())
            if (derived.contains(algorithm)) return true;
        return false;  // nothing in common to compare
    }
    return derived == truth;
}

}  // namespace dflab::exercises::detail
