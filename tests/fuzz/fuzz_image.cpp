// Fuzzing harness: an image as an investigator opens it (docs/reliability.md). The input is
// written as a file and opened as evidence (raw, or E01 when it begins with the EVF signature),
// its volume system read, every file system on it opened and walked, and the head of each file's
// content read, as `dflab ls -r` and `dflab cat` do. TSK and libewf do the parsing; the harness
// checks that dflab's use of them turns every damage into an Error.
#include <array>
#include <cstddef>
#include <cstdint>

#include "engine/content.hpp"
#include "engine/evidence.hpp"
#include "engine/file_system.hpp"
#include "engine/volumes.hpp"
#include "tests/fuzz/fuzz_input.hpp"

namespace {

// A hostile directory tree can be wide; visiting this many entries covers the parsing paths.
constexpr size_t kMostEntries = 2000;
constexpr size_t kMostContentReads = 200;

void walk_partition(const dflab::engine::Evidence& evidence,
                    const dflab::engine::Partition& partition) {
    const dflab::engine::FileSystem fs(evidence, partition);
    (void)fs.info();
    size_t entries = 0, reads = 0;
    std::array<std::byte, 4096> head{};
    fs.walk(
        {},
        [&](dflab::engine::Entry&& e) {
            if (++entries > kMostEntries) throw dflab::common::Error("fuzz: enough entries");
            if (e.type != "file" || !e.has_metadata || reads >= kMostContentReads) return;
            ++reads;
            dflab::fuzz::handled([&] { (void)fs.content(e.address).read(0, head); });
        },
        [](const dflab::engine::WalkError&) {});
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const auto path = dflab::fuzz::InputFolder::get().write("image.raw", {data, size});
    dflab::fuzz::handled([&] {
        const auto evidence = dflab::engine::Evidence::open({path.string()});
        (void)evidence.describe();
        for (const auto& partition : dflab::engine::file_system_partitions(evidence))
            dflab::fuzz::handled([&] { walk_partition(evidence, partition); });
    });
    return 0;
}
