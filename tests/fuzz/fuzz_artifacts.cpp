// Fuzzing harness: the artifact decoders (docs/artifacts.md), which read what a suspect's disk
// holds: registry hives (libregf), shell links (liblnk), event logs (libevtx). The first byte
// chooses the decoder; the rest is the file's content. A decoder turns damage into an `unreadable`
// artifact or an Error, never anything else.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "engine/analyzers/shell_links.hpp"
#include "engine/event_log_file.hpp"
#include "engine/registry_artifacts.hpp"
#include "tests/fuzz/fuzz_input.hpp"

namespace {

using Bytes = std::span<const std::byte>;
using Decoder = void (*)(Bytes);

const Decoder kDecoders[] = {
    [](Bytes b) {
        (void)dflab::engine::read_registry_artifacts({b.begin(), b.end()}, "NTUSER.DAT");
    },
    [](Bytes b) { (void)dflab::engine::read_shell_link_artifacts(b, "a.lnk"); },
    [](Bytes b) { (void)dflab::engine::read_event_log(b, "Security.evtx"); },
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    const Decoder decode = kDecoders[data[0] % std::size(kDecoders)];
    const Bytes content(reinterpret_cast<const std::byte*>(data + 1), size - 1);
    dflab::fuzz::handled([&] { decode(content); });
    return 0;
}
