#pragma once
// Scanning: every entry of a file system flows through the analyzers (engine/analyzer.hpp) while
// the walk goes on. One thread walks the file system and hands entries on in batches; worker
// threads, each with its own image and file system handles (TSK serialises reads per handle),
// read each entry's content once and give it to every analyzer; the caller's thread hands the
// results to the sink in entry order. At most a fixed number of batches is in flight, so memory
// does not depend on the number of files. Unallocated space is then scanned in overlapping
// windows by the analyzers that scan it. Results reach the sink in a fixed order (entry order,
// then unallocated by offset) whatever the thread timing: the same image gives the same output.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "engine/analyzer.hpp"
#include "engine/file_system.hpp"

namespace dflab::engine {

class ChildChannel;

struct ScanOptions {
    // The analyzers, in registry order (make_analyzers in engine/analyzers/registry.hpp).
    const std::vector<std::unique_ptr<Analyzer>>* analyzers = nullptr;
    bool unallocated = false;  // scan unallocated space with the analyzers that scan it
    bool allocated = true;     // scan allocated entries
    bool deleted = true;       // scan deleted entries
    unsigned workers = 0;      // 0: one per core
    uint64_t in_memory_limit = 64ull << 20;  // larger files are spilled to a temporary file
    uint64_t window = 16ull << 20;           // unallocated space window ...
    uint64_t overlap = 1ull << 20;           // ... and how much consecutive windows share
    size_t batch = 256;                      // entries handed between threads at a time
    size_t batches_in_flight = 0;            // 0: four per worker
    std::string start_path = "/";
};

struct FileScan {
    Entry entry;
    bool scanned = false;  // content was read (regular files and streams)
    // One per analyzer, in ScanOptions::analyzers order; null where it found nothing.
    std::vector<std::unique_ptr<Findings>> findings;
    std::string error;  // why the content could not be read (or an analyzer failed on it)
    // An analyzer failed on this entry (a YARA timeout): its findings are incomplete. Unreadable
    // content is a finding about the entry, not an incomplete analysis.
    bool incomplete = false;

    template <class T>
    const T* find() const {
        for (const auto& f : findings)
            if (auto* p = dynamic_cast<const T*>(f.get())) return p;
        return nullptr;
    }
};

// One analyzer's findings in one window of unallocated space.
struct UnallocatedFinding {
    int partition = 0;
    size_t analyzer = 0;  // index in ScanOptions::analyzers
    std::unique_ptr<Findings> findings;

    template <class T>
    const T* find() const {
        return dynamic_cast<const T*>(findings.get());
    }
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
    // Something could not be scanned (a directory that cannot be read, a YARA timeout in an
    // unallocated window); the scan goes on. Unreadable files are reported in FileScan::error.
    virtual void problem(int /*partition*/, const std::string& /*message*/) {}
};

// Scans every entry of one file system (and its unallocated space when asked). `channel`, when
// given, receives progress in bytes (the total grows while the walk finds more).
void scan_partition(const Evidence& evidence, const Partition& partition,
                    const ScanOptions& options, ScanSink& sink, ChildChannel* channel = nullptr);

}  // namespace dflab::engine
