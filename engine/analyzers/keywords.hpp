#pragma once
// The keyword analyzer: literal and regular-expression terms in each entry's content (UTF-8 and
// UTF-16LE, case-folded) and in unallocated space.
#include "engine/analyzer.hpp"
#include "engine/keyword_search.hpp"

namespace dflab::engine {

struct KeywordFindings : Findings {
    std::vector<KeywordHit> hits;
    // Unallocated space only: the file system block of each hit (one per hit); hit offsets are
    // then image offsets.
    std::vector<uint64_t> blocks;
    size_t count() const override { return hits.size(); }
};

}  // namespace dflab::engine
