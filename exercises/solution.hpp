#pragma once
// Running a question's solution: its steps over the forensic engine and the case database of a
// built image, the last step's value being the answer; then that answer in the form the answer
// key holds (docs/answer-key.md) and cross-checked against the image's truth manifest.
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine/keyword_search.hpp"
#include "exercises/pack.hpp"

namespace dflab::exercises {

// One built image of the pack, as a solution sees it.
struct BuiltImage {
    std::vector<std::string> segments;  // the image participants get (E01 or raw)
    std::filesystem::path truth;        // NAME.truth.json
    std::filesystem::path case_db;      // the analysed case (dflab analyze)
    std::string fat_zone = "UTC";       // the zone FAT local times are read in (pack image key)
    bool carved = false;                // the case carved unallocated space (pack image carve:)
};

struct SolveEnvironment {
    std::map<std::string, BuiltImage> images;  // by pack image id
    std::string first_image;                   // the image a solution starts on
};

struct TraceLine {
    std::string step;   // as written
    std::string value;  // a short rendering of the value after the step
};

struct Solved {
    nlohmann::json answer;  // in the answer key's form for the question's type
    std::vector<TraceLine> trace;
    // Grading options the image implies where the question leaves them out: for paths, whether
    // names compare with case (ext) or without (FAT, NTFS), and the partition they are on.
    nlohmann::json implied_options = nlohmann::json::object();
};

// A solution that fails (finds nothing, several candidates, disagrees with the truth). what()
// is one line: "FILE:LINE:COLUMN: question ID: step 'find ...': what happened".
class SolutionError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// Runs the solution, converts its value to the answer form and checks the expectation.
Solved solve(const Question& question, const SolveEnvironment& env);

// The search terms the solutions of `questions` use (the analysis must look for them).
std::vector<engine::KeywordTerm> search_terms(const std::vector<Question>& questions);

}  // namespace dflab::exercises
