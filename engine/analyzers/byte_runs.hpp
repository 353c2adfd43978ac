#pragma once
// The byte-runs analyzer: where each entry's content lies in the image (engine/byte_runs.hpp),
// for provenance and for the DFXML export (fiwalk's <byte_runs>).
#include "engine/analyzer.hpp"
#include "engine/byte_runs.hpp"

namespace dflab::engine {

struct ByteRunFindings : Findings {
    std::vector<ByteRun> runs;
    size_t count() const override { return runs.size(); }
};

}  // namespace dflab::engine
