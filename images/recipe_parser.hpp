#pragma once
// The recipe parser: YAML (docs/recipe-format.md) -> Recipe, every value checked and every ${name}
// replaced by the value the seed and variant give it. Errors name the file, line and column.
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>

#include "images/recipe.hpp"

namespace dflab::images {

struct ParseOptions {
    unsigned variant = 0;  // which participant's image: changes every `variables:` value
};

// A bad recipe. what() is one line: "FILE:LINE:COLUMN: what is wrong; what to do" (or "FILE: ..."
// when the problem has no position, such as an unreadable file). The error of every strict YAML
// source (common/source_error.hpp): packs and questions throw it too.
using RecipeError = common::SourceError;

// The limits on what a recipe reads (docs/recipe-format.md "Limits"); its YAML is parsed within
// common::yaml::Limits (64 levels deep, 100000 values with aliases expanded).
inline constexpr std::uintmax_t kLargestRecipe = std::uintmax_t{4} << 20;  // the recipe file
inline constexpr std::uintmax_t kLargestAsset = std::uintmax_t{1} << 30;   // each asset: file

// Reads and checks the recipe at `path`: a regular file of at most kLargestRecipe bytes (a link
// to /dev/zero or a pipe is refused without being read). Throws RecipeError.
Recipe parse_recipe(const std::string& path, const ParseOptions& options = {});

// Helpers, exposed for the builder and the tests.

// "64MiB", "1.5 GiB", "10MB", "512" -> bytes; nullopt if malformed, not whole, or too large.
std::optional<uint64_t> parse_size(const std::string& text);

// ISO 8601 "2024-03-01T10:00:00" with optional "Z" or "+05:00"; without an offset the time is
// read in `zone` (IANA name). UTC seconds; nullopt if malformed or not a valid local time.
std::optional<int64_t> parse_time(const std::string& text, const std::string& zone);

// The deterministic generator behind variables (splitmix64, Steele, Lea and Flood 2014).
class SplitMix64 {
  public:
    explicit SplitMix64(uint64_t seed) : state_(seed) {}
    uint64_t next();
    uint64_t below(uint64_t bound);  // uniform in [0, bound), bound > 0; rejection sampling

  private:
    uint64_t state_;
};

}  // namespace dflab::images
