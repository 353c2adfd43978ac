// Fuzzing harness: an exercise pack's pack.yaml (docs/pack-format.md) as `dflab pack validate`
// reads it: loaded with its question files (none exist beside it, so every reference to one is
// refused) and, when it loads, validated (languages, prerequisites, recipes, rules).
#include <cstddef>
#include <cstdint>

#include "exercises/pack_loader.hpp"
#include "exercises/pack_validator.hpp"
#include "tests/fuzz/fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const auto path = dflab::fuzz::InputFolder::get().write("pack.yaml", {data, size});
    dflab::fuzz::handled([&] {
        const auto pack = dflab::exercises::load_pack(path);
        (void)dflab::exercises::validate_pack(pack);
    });
    return 0;
}
