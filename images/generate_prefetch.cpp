// Windows prefetch file (images/prefetch.hpp). The parser has checked every field at its line;
// what is left is what was not given: one run at the action's time, the run count from the run
// times, and the volume's creation time (the action's).
#include "images/content_generator.hpp"
#include "images/prefetch.hpp"

namespace dflab::images::detail {

std::vector<std::byte> generate_prefetch(const GeneratedContent& g, const GenerationContext& c) {
    const PrefetchContent& pf = g.prefetch;
    PrefetchSpec spec = pf.spec;
    if (!pf.has_last_run) spec.last_run = {c.time};
    if (!pf.has_run_count) spec.run_count = static_cast<uint32_t>(spec.last_run.size());
    if (!pf.has_volume_created) spec.volume_created = c.time;
    return build_prefetch(spec);  // its errors name the field ("prefetch: ...")
}

}  // namespace dflab::images::detail
