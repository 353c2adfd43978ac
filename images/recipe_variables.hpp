#pragma once
// Recipe variables (internal): each `variables:` entry draws one value from its range or list,
// chosen by the seed and the variant so that participants get different but reproducible images,
// and ${name} in any later value is replaced by it.
#include <cstdint>
#include <map>
#include <string>

#include "images/recipe_reader.hpp"

namespace dflab::images::recipe_detail {

// The values of the `variables:` section for this seed and variant.
std::map<std::string, std::string> parse_variables(const Context& ctx, const Field& section,
                                                   uint64_t seed, unsigned variant);

// `raw` (the text of field `f`) with each ${name} replaced, when ctx.substitute is on. "$${"
// stands for a literal "${". An unknown name fails at its own position in the recipe.
std::string substitute(const Context& ctx, const Field& f, const std::string& raw);

}  // namespace dflab::images::recipe_detail
