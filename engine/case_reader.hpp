#pragma once
// Reading a finished case database (docs/case-database.md) for the exports: the image, its
// partitions, and each file with its byte runs. Read-only; an incomplete case is refused.
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine/byte_runs.hpp"
#include "engine/sqlite.hpp"

namespace dflab::engine {

struct CaseImage {
    std::string path, format;
    std::vector<std::string> segments;
    int64_t size = 0, sector_size = 512;
    std::optional<std::string> case_number, evidence_number, examiner, description, notes,
        acquisition_date, stored_md5, stored_sha1;
};

struct CasePartition {
    int index = 0;
    int64_t start = 0, length = 0, sector_size = 512;  // start and length in sectors
    std::string description, kind;
    std::optional<std::string> filesystem, fat_zone;
    std::optional<int64_t> block_size;
    bool analysed = false;
    int64_t byte_offset() const { return start * sector_size; }
};

struct CaseFile {
    int64_t id = 0;
    int partition = 0;
    std::string path, name, inode, type;
    int64_t meta_addr = 0, size = 0;
    bool allocated = true, reallocated = false;
    std::optional<std::string> mtime, atime, ctime, crtime;  // ISO 8601 UTC
    std::optional<int64_t> mode, uid, gid;
    std::optional<std::string> md5, sha1, sha256, mime, extension, content_error;
    std::vector<ByteRun> runs;  // empty when the case has none for the file
};

// One row of the artifacts table (docs/case-database.md); `fields` is its JSON text.
struct CaseArtifact {
    int partition = 0;
    std::string path, inode, kind, source, fields;
    std::optional<std::string> path_hex, time, time_kind;  // time: ISO 8601 UTC
    bool allocated = true;                                 // the source file's (files.allocated)
};

class CaseReader {
  public:
    // Opens `path` read-only. Throws Error naming it when it is missing, not SQLite, not a case,
    // or incomplete (case_info complete = 0).
    explicit CaseReader(const std::string& path);

    const std::string& path() const { return path_; }
    const std::map<std::string, std::string>& info() const { return info_; }
    const CaseImage& image() const { return image_; }
    const std::vector<CasePartition>& partitions() const { return partitions_; }
    // Whether the case has the byte_runs table (cases written before it have none).
    bool has_byte_runs() const { return has_byte_runs_; }
    // The errors table: (partition or NULL, message).
    std::vector<std::pair<std::optional<int>, std::string>> errors();

    // Calls `visit` for each file of partition `index`, in case order (files.id), with its runs.
    void for_each_file(int index, const std::function<void(const CaseFile&)>& visit);

    // Calls `visit` for each artifact, in case order (artifacts.id). Throws Error naming the case
    // when it has no artifacts table (written before artifacts were read).
    void for_each_artifact(const std::function<void(const CaseArtifact&)>& visit);

  private:
    std::string path_;
    Database db_;
    std::map<std::string, std::string> info_;
    CaseImage image_;
    std::vector<CasePartition> partitions_;
    bool has_byte_runs_ = false;
};

// Writes a document atomically: `write` fills a temporary file beside `output` (hidden, random
// suffix), which is flushed and renamed to `output` only when `write` returns; on any error it
// is removed and `output` is left as it was. Throws Error naming `output`.
void write_atomically(const std::string& output, const std::function<void(std::ostream&)>& write);

}  // namespace dflab::engine
