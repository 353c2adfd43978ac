#pragma once
// Writing a raw image into an EWF (E01) segment file set with libewf's write API, byte for byte
// the same for the same media and metadata: the acquisition and system dates are the given time
// (never the clock), the set identifier is derived from the media's identity, no host name,
// operating system or tool version is stored, and the compression is deterministic deflate (zlib).
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace dflab::images {

struct EwfMetadata {
    std::string case_number, evidence_number, examiner_name, description, notes;
    int64_t acquisition_time = 0;  // UTC seconds: stored as acquiry_date and system_date
    // Identifies the media (the builder gives the raw image's SHA-256): the segment file set
    // identifier (a GUID) is derived from it, so that it is the same on every build.
    std::string media_identity;
};

enum class EwfCompression { None, Fast, Best };

struct EwfOptions {
    uint32_t bytes_per_sector = 512;
    uint64_t segment_size = 1500ull << 20;  // at most this many bytes per segment file
    EwfCompression compression = EwfCompression::Fast;
};

struct EwfWritten {
    std::vector<std::filesystem::path> segments;  // BASE.E01, BASE.E02, ... in order
    std::string md5, sha1;                        // of the media, as stored in the image
};

// The smallest segment size libewf accepts.
constexpr uint64_t kMinimumEwfSegmentSize = 1ull << 20;

// Reads the raw image `raw` once, hashing it (MD5 and SHA-1, both stored in the E01) while
// writing it into BASE.E01, BASE.E02, ... (`base` without an extension). `progress` is told the
// bytes written so far and the total. Throws dflab::engine::Error (one line naming the image).
EwfWritten write_ewf(const std::filesystem::path& raw, const std::filesystem::path& base,
                     const EwfMetadata& metadata, const EwfOptions& options,
                     const std::function<void(uint64_t done, uint64_t total)>& progress = {});

}  // namespace dflab::images
