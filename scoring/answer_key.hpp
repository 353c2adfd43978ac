#pragma once
// The answer key (`OUT/instructor/answer-key.json`, docs/answer-key.md): what `dflab score`,
// `dflab lab` and `dflab report` grade against. Loading is strict: an unknown type, a missing id or
// a value of the wrong JSON type is an error naming the file and the question.
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace dflab::scoring {

struct KeyQuestion {
    std::string id;
    std::string type;  // text regex choice hash integer size offset timestamp path inode set
                       // location free_text
    double points = 0;
    nlohmann::json options;                  // always an object (empty when absent)
    std::map<int, nlohmann::json> answers;   // variant -> answer
    int max_attempts = 0;                    // 0: unlimited
    double wrong_attempt_penalty = 0;        // points per wrong attempt before the right one
    std::vector<double> hint_costs;          // one per hint, in order
    std::vector<std::string> prerequisites;  // question ids
    std::vector<std::string> choices;        // choice ids (type choice)
    nlohmann::json rubric;                   // free_text: {"en": "...", "ru": "..."}
};

struct AnswerKey {
    std::string pack, pack_version, date_order = "DMY";
    std::vector<int> variants;
    std::vector<KeyQuestion> questions;
    const KeyQuestion* find(std::string_view id) const;  // nullptr when absent
};

// `dir_or_file`: the answer-key.json file, the OUT/instructor directory holding it, or OUT.
// Throws dflab::common::Error ("FILE: question ID: what is wrong").
AnswerKey load_answer_key(const std::filesystem::path& dir_or_file);

// The largest answer-key.json read (a regular file only: common/input_file.hpp).
inline constexpr std::uintmax_t kLargestAnswerKey = 256u << 20;

// The JSON of the answer-key.json that `dir_or_file` names, as for load_answer_key, not yet
// checked; `file` receives the path read. Throws dflab::common::Error naming the file.
nlohmann::json read_answer_key_json(const std::filesystem::path& dir_or_file, std::string& file);

// The same checks on an already parsed key; `source` names it in errors.
AnswerKey parse_answer_key(const nlohmann::json& document, std::string_view source);

}  // namespace dflab::scoring
