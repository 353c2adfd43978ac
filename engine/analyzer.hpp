#pragma once
// The analyzer interface. An analyzer is one analysis of file content (hashes, file type, YARA,
// keywords, ...): it has a name, declares the columns it adds to the case's `files` table and the
// tables it writes, makes one instance per worker thread, and sees each entry with its content
// exactly once. The scan pipeline (engine/scan.cpp) and the case writer
// (engine/case_database.cpp) know nothing of any particular analyzer; analyzers are listed in one
// place, engine/analyzers/registry.cpp. docs/engine.md shows how to add one.
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/file_system.hpp"
#include "engine/sqlite.hpp"

namespace dflab::engine {

// What one analyzer found about one entry or one region of unallocated space. Each analyzer
// defines its own kind (e.g. HashFindings) and callers read it back with FileScan::find<T>().
class Findings {
  public:
    virtual ~Findings() = default;
    // The values of the analyzer's declared file columns, in declaration order.
    virtual void columns(std::vector<SqlValue>& out) const { (void)out; }
    // How many rows the findings add to the analyzer's own tables (for the summary).
    virtual size_t count() const { return 0; }
};

// A column an analyzer adds to the `files` table.
struct ColumnDecl {
    std::string name;
    std::string type;  // SQLite type: TEXT or INTEGER
    std::string doc;   // one line, shown in docs/case-database.md and `dflab analyze --list`
};

// A number the analyze summary prints, counted in the finished case.
struct SummaryCount {
    std::string key;    // JSON key, e.g. "hashed"
    std::string label;  // text label, e.g. "Hashed"
    std::string sql;    // SELECT count(*) ...
};

// How much of an entry's content an analyzer needs.
enum class ContentNeed {
    None,    // the entry's metadata only
    Head,    // the first FileTypeDetector::kHeadBytes bytes
    Stream,  // every byte once, chunk by chunk, in order (hashes)
    Whole,   // the whole content as one contiguous buffer (YARA, keyword search)
};

// A window of unallocated space handed to analyzers that scan it (YARA, keywords). Offsets are
// in the partition's unallocated stream; `report_end` is where the next window takes over, so a
// match that starts at or after it is left to that window.
struct Region {
    int partition = 0;
    uint64_t start = 0;
    uint64_t report_end = 0;
    bool first = false;  // the first window: condition-only YARA rules are reported here once
    std::function<uint64_t(uint64_t)> image_offset;  // stream offset -> absolute image offset
    std::function<uint64_t(uint64_t)> block_of;      // stream offset -> file system block
};

// What an analyzer instance is given for one entry.
struct EntryContent {
    const Entry& entry;
    // The whole content (ContentNeed::Whole) or its head (Head); empty otherwise.
    std::span<const std::byte> data;
    // The findings of the analyzers before this one in the registry, for the same entry (YARA
    // reads the file type from here); null where an analyzer found nothing.
    std::span<const std::unique_ptr<Findings>> earlier;

    template <class T>
    const T* find() const {
        for (const auto& f : earlier)
            if (auto* p = dynamic_cast<const T*>(f.get())) return p;
        return nullptr;
    }
};

// One per worker thread; not shared.
class AnalyzerInstance {
  public:
    virtual ~AnalyzerInstance() = default;
    // ContentNeed::Stream: every chunk of the content, in order, before finish().
    virtual void update(std::span<const std::byte> chunk) { (void)chunk; }
    // The content could not be read to the end: forget what update() was given.
    virtual void discard() {}
    // The entry's findings, or null. Throws Error for a failure about this entry alone (a YARA
    // timeout): it is recorded as the entry's content error and the scan goes on.
    virtual std::unique_ptr<Findings> finish(const EntryContent& content) = 0;
    // Analyzers that scan unallocated space: the findings in one window of it.
    virtual std::unique_ptr<Findings> scan_region(std::span<const std::byte> data,
                                                  const Region& region) {
        (void)data;
        (void)region;
        return nullptr;
    }
};

// Writes an analyzer's findings into its own tables; one per partition being written.
class FindingsWriter {
  public:
    virtual ~FindingsWriter() = default;
    // file_id: the entry's row in `files`, or none for findings in unallocated space.
    virtual void write(std::optional<int64_t> file_id, const Findings& findings) = 0;
};

// One configured analysis, shared read-only by all worker threads.
class Analyzer {
  public:
    virtual ~Analyzer() = default;
    virtual std::string_view name() const = 0;
    virtual ContentNeed need() const = 0;
    virtual bool scans_unallocated() const { return false; }
    // One per worker thread; `fs` is the worker's own handle on the file system being scanned
    // (analyzers that read metadata, such as byte runs, use it).
    virtual std::unique_ptr<AnalyzerInstance> instance(const FileSystem& fs) const = 0;
    // Null when the analyzer writes no table of its own (only file columns).
    virtual std::unique_ptr<FindingsWriter> writer(Database& db, int64_t image_id,
                                                   int partition) const {
        (void)db;
        (void)image_id;
        (void)partition;
        return nullptr;
    }
};

}  // namespace dflab::engine
