#pragma once
// Checking a loaded pack beyond its schema (`dflab pack validate`): every participant text in
// every language the pack promises, recipes that parse, rules that compile.
#include <filesystem>
#include <string>
#include <vector>

#include "exercises/pack.hpp"

namespace dflab::exercises {

// Every problem found, each one line "FILE:LINE:COLUMN: what is wrong; what to do". Empty: valid.
std::vector<std::string> validate_pack(const Pack& pack);

// The packs shipped with dflab (exercises/packs, or DFLAB_PACKS in the environment): their folders.
std::vector<std::filesystem::path> shipped_packs();

}  // namespace dflab::exercises
