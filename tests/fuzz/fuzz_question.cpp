// Fuzzing harness: one question file of a pack (docs/pack-format.md): texts in three languages,
// the answer type and its options, the scripted solution's steps.
#include <cstddef>
#include <cstdint>

#include "exercises/question_loader.hpp"
#include "tests/fuzz/fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const auto path = dflab::fuzz::InputFolder::get().write("question.yaml", {data, size});
    dflab::fuzz::handled(
        [&] { (void)dflab::exercises::detail::load_question(path, "questions/q.yaml"); });
    return 0;
}
