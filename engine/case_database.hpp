#pragma once
// The case database: one SQLite file holding what `analyze` found (schema: case_schema.hpp).
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "engine/analyzer.hpp"
#include "engine/evidence.hpp"
#include "engine/scan.hpp"
#include "engine/sqlite.hpp"
#include "engine/volumes.hpp"

namespace dflab::engine {

// Creates the schema in a new, empty database file.
void create_case(const std::string& path);

// Records an image and its volume layout; returns the image id. Partitions holding FAT record
// their fat_zone (partitions.fat_zone); the others NULL.
int64_t record_image(Database& db, const std::string& path, const EvidenceInfo& info,
                     const VolumeLayout& layout);

// The case setting: the zone FAT local times are read in unless a partition has its own
// (case_info key fat_zone).
void record_fat_zone(Database& db, const std::string& zone);

void record_error(Database& db, std::optional<int64_t> image_id, std::optional<int> partition,
                  const std::string& message);

// Creates the indexes and marks the case complete.
void finish_case(Database& db);

// Writes one partition's scan results: each entry's row in `files` with the columns the
// analyzers declare, and each analyzer's findings through its own writer. Rows are committed in
// batches while the scan goes on; the partition is marked analysed only by commit().
class CaseWriter : public ScanSink {
  public:
    CaseWriter(const std::string& path, int64_t image_id, int partition,
               const std::vector<std::unique_ptr<Analyzer>>& analyzers);
    ~CaseWriter() override;
    void file(FileScan&& scan) override;
    void unallocated(const UnallocatedSummary& summary) override;
    void unallocated_finding(UnallocatedFinding&& finding) override;
    void problem(int partition, const std::string& message) override;
    void commit();

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace dflab::engine
