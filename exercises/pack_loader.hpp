#pragma once
// Loading an exercise pack: pack.yaml and its question files (docs/pack-format.md), every key and
// reference checked. Errors are one line, "FILE:LINE:COLUMN: what is wrong; what to do".
#include <filesystem>

#include "exercises/pack.hpp"

namespace dflab::exercises {

// `where` is the pack folder or its pack.yaml. Throws common::SourceError.
Pack load_pack(const std::filesystem::path& where);

// The verbs a solution step may use, with a line of help each (for messages and docs).
const std::vector<std::pair<std::string, std::string>>& solution_verbs();

}  // namespace dflab::exercises
