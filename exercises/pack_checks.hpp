#pragma once
// The checks of `dflab pack validate` that read the recipes but build nothing (internal to the
// validator): what `expect:` names exists in the recipe, the story never goes back in time in any
// variant, each step gets the kind of value it needs (a list for `one`), prerequisites have no
// cycle, and the recipe variables that steps and patterns name exist.
#include <string>
#include <vector>

#include "exercises/pack.hpp"

namespace dflab::exercises::detail {

// The variants whose recipes are checked: every variant `pack build --variants` can make.
constexpr unsigned kCheckedVariants = 500;

// Adds one line "FILE:LINE:COLUMN: what is wrong; what to do" per problem.
void check_recipes_and_steps(const Pack& pack, std::vector<std::string>& problems);
void check_prerequisite_cycles(const Pack& pack, std::vector<std::string>& problems);

}  // namespace dflab::exercises::detail
