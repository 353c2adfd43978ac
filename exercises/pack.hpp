#pragma once
// An exercise pack (docs/pack-format.md): a scenario, its evidence images (recipes), YARA rules and
// questions, each question with the solution that derives its answer from the built image.
#include <nlohmann/json.hpp>

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/source_error.hpp"

namespace dflab::exercises {

using common::SourceMark;

// A text a participant reads, per language code ("en", "ru", "kk").
struct LocalText {
    std::map<std::string, std::string> by_language;
    SourceMark mark;
    bool empty() const { return by_language.empty(); }
    // The text in `language`, else English, else any.
    const std::string& in(const std::string& language) const;
};

// One step of a solution: a verb and its argument (a single value or a map), as written.
struct Step {
    std::string verb;
    nlohmann::json argument;
    SourceMark mark;
    std::string text() const;  // "find {path: /a.txt}" for traces and messages
};

// A cross-check of the derived answer against the image's truth manifest.
struct Expectation {
    std::string image;                   // pack image id; empty: the question's image
    std::vector<std::string> artifacts;  // artifact ids (several for a set)
    std::optional<int> partition;        // a partition's field (index as dflab partitions)
    std::string field;                   // sha256, path, inode, size, mtime, start, offset, ...
    std::string variable;                // or: a recipe variable's value in this variant
    SourceMark mark;
};

struct Hint {
    double cost = 0;
    LocalText text;
};

struct Question {
    std::string id;
    std::string file;  // the question file, for messages
    SourceMark mark;
    LocalText title, text, walkthrough, rubric;
    double points = 0;
    std::string type;        // an answer type of docs/answer-key.md
    nlohmann::json options;  // grading options of the type
    std::vector<std::string> choices;
    std::map<std::string, LocalText> choice_texts;
    std::vector<Hint> hints;
    std::vector<std::string> prerequisites;
    int max_attempts = 0;
    double wrong_attempt_penalty = 0;
    std::vector<Step> solution;
    std::optional<Expectation> expect;
};

struct PackImage {
    std::string id;
    std::filesystem::path recipe;      // absolute
    std::vector<std::string> formats;  // what participants get: raw, e01, split
    std::string fat_zone = "UTC";      // the zone solutions read FAT local times in (fat_zone:)
    bool carve = false;                // the pack's case also carves unallocated space (carve:)
    bool carve_every_offset = false;   // carve: every-offset (headers at every byte offset)
    SourceMark mark;
};

struct Pack {
    std::filesystem::path folder;  // absolute
    std::string file;              // pack.yaml as named in messages
    std::string id, version;
    LocalText title, description;
    std::vector<std::string> authors;
    std::string module;      // curriculum module
    std::string difficulty;  // beginner, intermediate, advanced
    int estimated_minutes = 0;
    std::vector<std::string> languages;  // required languages of every participant text
    std::string date_order = "DMY";
    std::vector<PackImage> images;
    std::vector<std::filesystem::path> rules;  // absolute
    std::vector<Question> questions;

    const PackImage* image(const std::string& id) const;
    const Question* question(const std::string& id) const;
};

// The answer types a question may have (docs/answer-key.md).
const std::vector<std::string>& answer_types();

}  // namespace dflab::exercises
