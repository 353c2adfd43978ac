#pragma once
// Integrity: recompute the media hashes of an image and compare them with those it stores (E01)
// or with those the examiner expects.
#include <functional>
#include <optional>
#include <string>

#include "engine/evidence.hpp"
#include "engine/hashes.hpp"

namespace dflab::engine {

struct Verification {
    Digests computed;                                    // md5, sha1, sha256 of the media
    std::optional<std::string> stored_md5, stored_sha1;  // from the container
    std::optional<std::string> expected;                 // a hash the examiner gave (any algorithm)
    uint32_t checksum_errors = 0;       // E01: chunks whose own checksum failed (container damaged)
    std::optional<std::string> damage;  // E01: a damaged or missing segment, named (ewf_damage.hpp)
    bool checked = false;               // at least one stored or expected hash was compared
    bool matches = false;  // every compared hash matched, no chunk checksum failed, no damage
};

// Reads all media once; `progress(done, total)` is called as it goes.
Verification verify_image(const Evidence& evidence, const std::optional<std::string>& expected_hash,
                          const std::function<void(uint64_t, uint64_t)>& progress = {});

}  // namespace dflab::engine
