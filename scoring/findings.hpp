#pragma once
// A participant's findings file, YAML or JSON (docs/findings-format.md):
//   {pack, participant, variant (default 0), team (optional), answers: {QUESTION_ID:
//   value|[values]}}
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "scoring/answer_key.hpp"

namespace dflab::scoring {

struct Findings {
    std::filesystem::path file;
    std::string pack;
    std::string participant;
    std::string team;  // "" when absent
    int variant = 0;
    // In the file's order. YAML scalars become JSON strings (a plain `~`/`null` becomes null).
    std::vector<std::pair<std::string, nlohmann::json>> answers;
    const nlohmann::json* answer(std::string_view question_id) const;  // nullptr when absent
};

// Reads and checks the shape of a findings file (.json, or YAML otherwise). Throws
// dflab::common::Error naming the file (with line:column for YAML syntax errors).
Findings load_findings(const std::filesystem::path& file);

// Checks findings against a key: same pack, a variant the key was built for, known question ids.
// Throws dflab::common::Error naming the file.
void check_findings(const Findings&, const AnswerKey&);

}  // namespace dflab::scoring
