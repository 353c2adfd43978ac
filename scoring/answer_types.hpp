#pragma once
// One answer type per file (scoring/answer_<type>.cpp) behind one narrow interface: normalise what
// a participant wrote, then compare that normalised form with the key's answer of one variant.
// grade.cpp handles what is common (empty, enormous or binary submissions, feedback wording).
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/message_value.hpp"

namespace dflab::scoring {

struct Normalised {
    bool ok = false;
    std::string value;        // canonical form, shown to the participant ("understood as ...")
    common::Message problem;  // when !ok: why the answer could not be read (keys grade.*)
    // How `value` is shown in the feedback when it holds words ("byte 2048", "... (read in
    // Asia/Almaty)"); empty: `value` as it is. Its English rendering is `value`.
    common::Message shown = {};
};

struct Comparison {
    double fraction = 0;   // 1 correct, 0 incorrect, in between partial
    common::Message note;  // optional remark for the feedback (keys grade.*); must not reveal the
                           // expected answer
};

struct Context {
    const nlohmann::json& options;  // the question's options (an object)
    std::string_view date_order;    // "DMY", "MDY" or "YMD"
};

struct AnswerType {
    std::string_view name;
    // The participant's answer: a string or number (an array only for `set`).
    Normalised (*normalise)(const nlohmann::json& submitted, const Context&);
    Comparison (*compare)(const Normalised& submitted, const nlohmann::json& expected,
                          const Context&);
    // "" when `answer` is a valid key answer for these options, else what is wrong.
    std::string (*check_key)(const nlohmann::json& answer, const nlohmann::json& options);
};

// nullptr for an unknown type name.
const AnswerType* find_answer_type(std::string_view name);

// The registry entries, defined in scoring/answer_<type>.cpp.
extern const AnswerType text_answer, regex_answer, choice_answer, hash_answer, integer_answer,
    size_answer, offset_answer, timestamp_answer, path_answer, inode_answer, set_answer,
    location_answer, free_text_answer;

// Helpers shared by the types (scoring/answer_common.cpp).
std::string trim_and_fold_spaces(std::string_view utf8);  // trims, folds whitespace runs to ' '
std::string fold_case(std::string_view utf8);  // simple case folding: Latin, Greek, Cyrillic
bool valid_utf8(std::string_view s);
// A scalar answer as text: a string as is, a number or boolean in its JSON form; nullopt for
// anything else (objects, arrays, null).
std::optional<std::string> as_text(const nlohmann::json& submitted);
// The option `name` as a bool / string, or `fallback` when absent (wrong JSON type: fallback).
bool option_bool(const nlohmann::json& options, std::string_view name, bool fallback);
std::string option_string(const nlohmann::json& options, std::string_view name,
                          std::string_view fallback);
// A whole number: decimal with optional digit grouping ("4 096", "4,096", "4_096") or 0x hex;
// nullopt when `text` is not one or does not fit in 63 bits.
std::optional<long long> parse_whole_number(std::string_view text);
// A size in bytes: a number (grouped, or with one decimal point or comma) and an optional unit
// (B, bytes, KB, KiB, MB, MiB, ..., Russian units too); nullopt with `problem` set otherwise.
std::optional<long long> parse_size(std::string_view text, common::Message& problem);

}  // namespace dflab::scoring
