// Fuzzing harness: an image recipe (docs/recipe-format.md) as `dflab image build` reads it: the
// strict YAML reader, every key and value check, the variables and the story, for two variants.
#include <cstddef>
#include <cstdint>

#include "images/recipe_parser.hpp"
#include "tests/fuzz/fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const auto path = dflab::fuzz::InputFolder::get().write("recipe.yaml", {data, size});
    for (unsigned variant : {0u, 1u})
        dflab::fuzz::handled(
            [&] { (void)dflab::images::parse_recipe(path.string(), {.variant = variant}); });
    return 0;
}
