// Fuzzing harness: a participant's findings file (docs/findings-format.md) as `dflab score` and
// `dflab lab submit --findings` read it. The first byte chooses the format: even for JSON, odd for
// YAML; the rest is the file.
#include <cstddef>
#include <cstdint>

#include "scoring/findings.hpp"
#include "tests/fuzz/fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    const char* name = data[0] % 2 == 0 ? "findings.json" : "findings.yaml";
    const auto path = dflab::fuzz::InputFolder::get().write(name, {data + 1, size - 1});
    dflab::fuzz::handled([&] { (void)dflab::scoring::load_findings(path); });
    return 0;
}
