// hash: a hex digest in any case, with spaces, colons or a 0x prefix; its length tells the
// algorithm (32 MD5, 40 SHA-1, 64 SHA-256). options.algorithm: md5, sha1, sha256 or any; absent,
// a digest of any algorithm present in the key is accepted.
#include <array>
#include <cctype>

#include "scoring/answer_types.hpp"

namespace dflab::scoring {

using common::Message;

namespace {

struct Algorithm {
    std::string_view name, label;
    size_t hex_digits;
};
constexpr std::array<Algorithm, 3> algorithms{
    {{"md5", "MD5", 32}, {"sha1", "SHA-1", 40}, {"sha256", "SHA-256", 64}}};

const Algorithm* by_length(size_t n) {
    for (const auto& a : algorithms)
        if (a.hex_digits == n) return &a;
    return nullptr;
}

const Algorithm* by_name(std::string_view name) {
    for (const auto& a : algorithms)
        if (a.name == name) return &a;
    return nullptr;
}

Normalised normalise(const nlohmann::json& submitted, const Context&) {
    if (!submitted.is_string()) return {false, "", Message::of("grade.hash.expected")};
    std::string text = trim_and_fold_spaces(submitted.get<std::string>());
    // An algorithm named in front ("SHA256: ab12...", "sha-256 ab12...") is ignored: the length
    // says which it is.
    for (const auto& a : algorithms) {
        for (std::string_view prefix : {a.name, a.label}) {
            if (text.size() > prefix.size() &&
                fold_case(text.substr(0, prefix.size())) == fold_case(prefix) &&
                !std::isxdigit(static_cast<unsigned char>(text[prefix.size()]))) {
                text.erase(0, prefix.size());
            }
        }
    }
    std::string hex;
    bool prefix_ok = true;
    for (size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (std::isxdigit(static_cast<unsigned char>(c))) {
            hex.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
        } else if (c == ' ' || c == ':' || c == '-' || c == '=') {
            continue;
        } else if ((c == 'x' || c == 'X') && hex == "0" && prefix_ok) {
            hex.clear();
            prefix_ok = false;
        } else {
            return {false, "",
                    Message::of("grade.hash.bad_character", {{"character", std::string(1, c)}})};
        }
    }
    const Algorithm* algorithm = by_length(hex.size());
    if (!algorithm)
        return {false, "",
                Message::of("grade.hash.bad_length", {{"count", std::to_string(hex.size())}})};
    return {true, std::string(algorithm->label) + " " + hex, ""};
}

Comparison compare(const Normalised& answer, const nlohmann::json& expected, const Context& ctx) {
    std::string_view value = answer.value;
    size_t space = value.find(' ');
    std::string_view label = value.substr(0, space), hex = value.substr(space + 1);
    const Algorithm* given = by_length(hex.size());
    std::string wanted = option_string(ctx.options, "algorithm", "any");
    if (wanted != "any" && given->name != wanted) {
        const Algorithm* w = by_name(wanted);
        return {0, Message::of("grade.hash.other_algorithm",
                               {{"wanted", std::string(w ? w->label : wanted)},
                                {"given", std::string(label)}})};
    }
    auto it = expected.find(given->name);
    if (it == expected.end() || !it->is_string())
        return {0, Message::of("grade.hash.not_accepted", {{"algorithm", std::string(label)}})};
    return {fold_case(it->get<std::string>()) == hex ? 1.0 : 0.0, ""};
}

std::string check_key(const nlohmann::json& answer, const nlohmann::json& options) {
    if (!answer.is_object() || answer.empty())
        return "a hash answer must be an object of hex digests (md5, sha1, sha256)";
    for (const auto& [name, digest] : answer.items()) {
        const Algorithm* a = by_name(name);
        if (!a) return "unknown hash algorithm '" + name + "' (md5, sha1 or sha256)";
        if (!digest.is_string() || digest.get<std::string>().size() != a->hex_digits)
            return "the " + std::string(a->label) + " digest must be a string of " +
                   std::to_string(a->hex_digits) + " hex digits";
    }
    std::string wanted = option_string(options, "algorithm", "any");
    if (wanted != "any" && !by_name(wanted))
        return "options.algorithm must be md5, sha1, sha256 or any, not '" + wanted + "'";
    if (wanted != "any" && !answer.contains(wanted))
        return "options.algorithm is " + wanted + " but the answer has no " + wanted + " digest";
    return "";
}

}  // namespace

const AnswerType hash_answer{"hash", normalise, compare, check_key};

}  // namespace dflab::scoring
