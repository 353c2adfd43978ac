#pragma once
// The YARA analyzer: compiled rules over each entry's whole content (with the external variables
// public rule sets expect) and over unallocated space in overlapping windows.
#include <optional>

#include "engine/analyzer.hpp"
#include "engine/yara_rules.hpp"

namespace dflab::engine {

struct YaraFindings : Findings {
    struct Place {
        uint64_t image_offset = 0;  // of the first matched byte
        uint64_t block = 0;         // file system block holding it
    };
    std::vector<YaraMatch> matches;
    // Unallocated space only: where each match lies (one per match); string offsets in the
    // matches are then image offsets too.
    std::vector<Place> places;
    size_t count() const override { return matches.size(); }
};

}  // namespace dflab::engine
