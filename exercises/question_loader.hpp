#pragma once
// Loading one question file of a pack (internal to pack_loader).
#include <filesystem>
#include <string>

#include "exercises/pack.hpp"

namespace dflab::exercises::detail {

// Reads the question at `path` (named `display` in messages). Throws common::SourceError.
Question load_question(const std::filesystem::path& path, const std::string& display);

}  // namespace dflab::exercises::detail
