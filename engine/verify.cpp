#include "engine/verify.hpp"

#include <algorithm>
#include <vector>

#include "engine/error.hpp"
#include "engine/ewf_damage.hpp"

namespace dflab::engine {

namespace {

std::string normalise_hex(std::string s) {
    std::string out;
    for (char c : s) {
        if (std::isxdigit(static_cast<unsigned char>(c)))
            out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return out;
}

}  // namespace

Verification verify_image(const Evidence& evidence, const std::optional<std::string>& expected_hash,
                          const std::function<void(uint64_t, uint64_t)>& progress) {
    Verification v;
    if (expected_hash) {
        const size_t n = normalise_hex(*expected_hash).size();
        if (n != 32 && n != 40 && n != 64) {
            throw Error("expected hash '" + *expected_hash +
                        "': not an MD5, SHA-1 or SHA-256 in hex");
        }
    }
    if (evidence.format() == "E01") {
        auto meta = read_acquisition_metadata(evidence.paths());
        v.stored_md5 = meta.stored_md5;
        v.stored_sha1 = meta.stored_sha1;
    }
    Hasher hasher;
    const uint64_t total = evidence.size();
    if (evidence.format() == "E01") {
        // Read with libewf itself: a chunk whose checksum fails is delivered zeroed through TSK,
        // which can hide damage (e.g. in a chunk that was all zeros); libewf counts them.
        uint64_t off = 0;
        EwfMediaRead read;
        try {
            read = read_ewf_media(evidence.paths(), [&](std::span<const std::byte> data) {
                hasher.update(data);
                off += data.size();
                if (progress) progress(off, total);
            });
        } catch (const Error& e) {
            if (auto damage = find_ewf_damage(ewf_segment_files(evidence.paths())))
                throw Error(std::string(e.what()) + ": " + *damage);
            throw;
        }
        v.checksum_errors = read.checksum_errors;
        // libewf reads a set with a missing or cut segment as far as it can (the rest as
        // checksum errors, the hash section perhaps lost, or all of it when only the closing
        // section is cut, which ewfverify still calls a failure): name the segment.
        v.damage = find_ewf_damage(ewf_segment_files(evidence.paths()));
        if (!v.damage && read.segments_corrupted)
            v.damage = "libewf finds its segment files corrupted";
    } else {
        std::vector<std::byte> buffer(4 << 20);
        for (uint64_t off = 0; off < total;) {
            size_t got = evidence.read(off, buffer);
            if (got == 0) break;
            hasher.update(std::span(buffer.data(), got));
            off += got;
            if (progress) progress(off, total);
        }
    }
    v.computed = hasher.finish();
    bool all = true;
    auto compare = [&](const std::optional<std::string>& want, const std::string& have) {
        if (!want) return;
        v.checked = true;
        all = all && normalise_hex(*want) == have;
    };
    compare(v.stored_md5, v.computed.md5);
    compare(v.stored_sha1, v.computed.sha1);
    if (expected_hash) {
        v.expected = normalise_hex(*expected_hash);
        v.checked = true;
        const std::string& e = *v.expected;
        all = all && (e == v.computed.md5 || e == v.computed.sha1 || e == v.computed.sha256);
    }
    v.matches = v.checked && all && v.checksum_errors == 0 && !v.damage;
    return v;
}

}  // namespace dflab::engine
