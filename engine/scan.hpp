#pragma once
// Scanning: one read of each file's content feeds the hashes, the file type, YARA and keyword
// search; unallocated space is scanned in overlapping windows. Work is spread over worker
// threads, each with its own image and file system handles (TSK serialises reads per handle).
// Results reach the sink in a fixed order (entry order, then unallocated by offset) whatever the
// thread timing, so the same image always gives the same output.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "engine/file_system.hpp"
#include "engine/hashes.hpp"
#include "engine/keyword_search.hpp"
#include "engine/yara_rules.hpp"

namespace dflab::engine {

class ChildChannel;

struct ScanOptions {
    unsigned hashes = kAllHashes;  // HashSet bits; 0 for none
    bool file_type = true;
    const YaraRules* rules = nullptr;
    const KeywordSearcher* keywords = nullptr;
    bool unallocated = false;  // scan unallocated space with the rules and keywords as well
    bool allocated = true;     // scan allocated entries
    bool deleted = true;       // scan deleted entries
    unsigned workers = 0;      // 0: one per core
    uint64_t in_memory_limit = 64ull << 20;  // larger files are spilled to a temporary file
    uint64_t window = 16ull << 20;           // unallocated space window ...
    uint64_t overlap = 1ull << 20;           // ... and how much consecutive windows share
    std::string start_path = "/";
};

struct FileScan {
    Entry entry;
    bool scanned = false;  // content was read (regular files and streams)
    Digests digests;
    std::string mime;
    bool extension_mismatch = false;
    std::vector<YaraMatch> yara;
    std::vector<KeywordHit> hits;
    std::string error;  // why the content could not be read, if it could not
};

// A YARA match or keyword hit in unallocated space; offsets in it are absolute image offsets.
struct UnallocatedFinding {
    int partition = 0;
    uint64_t image_offset = 0;  // of the first matched byte
    uint64_t block = 0;         // file system block holding it
    std::optional<YaraMatch> yara;
    std::optional<KeywordHit> hit;
};

struct UnallocatedSummary {
    int partition = 0;
    uint64_t blocks = 0;
    uint32_t block_size = 0;
};

class ScanSink {
  public:
    virtual ~ScanSink() = default;
    virtual void file(FileScan&& scan) = 0;
    virtual void unallocated(const UnallocatedSummary&) {}
    virtual void unallocated_finding(UnallocatedFinding&&) {}
    // Something could not be scanned (e.g. a YARA timeout in an unallocated window); the scan
    // goes on. Unreadable files are reported in FileScan::error instead.
    virtual void problem(int /*partition*/, const std::string& /*message*/) {}
};

// Scans every entry of one file system (and its unallocated space when asked). `channel`, when
// given, receives progress in bytes.
void scan_partition(const Evidence& evidence, const Partition& partition,
                    const ScanOptions& options, ScanSink& sink, ChildChannel* channel = nullptr);

}  // namespace dflab::engine
