#pragma once
// The hashes analyzer: MD5, SHA-1 and SHA-256 of every entry's content, streamed.
#include "engine/analyzer.hpp"
#include "engine/hashes.hpp"

namespace dflab::engine {

struct HashFindings : Findings {
    Digests digests;
    void columns(std::vector<SqlValue>& out) const override;
};

}  // namespace dflab::engine
