#pragma once
// Artifacts in the timeline (`dflab timeline --artifacts`): every artifact with a time (of any
// kind: the code reads only kind, time, time_kind, source and fields) as one row beside the file
// system's events, and the l2tcsv layout that plaso and log2timeline users know, for both.
//
// Ordering: time, then path (the file system row's label, the artifact's source entry), then
// kind (file system rows first), then the artifact's source and time_kind. Deterministic for the
// same image.
#include <cstdint>
#include <ostream>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/artifact.hpp"
#include "engine/case_reader.hpp"
#include "engine/timeline.hpp"

namespace dflab::engine {

// One time of one artifact, with the entry it was read from.
struct ArtifactEvent {
    int64_t time = 0;
    int partition = 0;
    std::string path;  // the source entry's path (its bytes)
    std::string inode;
    bool allocated = true;
    std::string kind, time_kind, source;
    nlohmann::json fields = nlohmann::json::object();
};

// The artifacts of `found` that have a time in `range`, added to `out`.
void add_artifact_events(const ArtifactFindings& found, const TimeRange& range,
                         std::vector<ArtifactEvent>& out);

// The artifacts of the case with a time in `range`, on the partitions `partitions` (all when
// empty). Throws Error naming the case when it has no artifacts table or a row cannot be read.
std::vector<ArtifactEvent> case_artifact_events(CaseReader& reader, const TimeRange& range,
                                                const std::vector<int>& partitions = {});

// A row of the merged timeline: a file system event or an artifact event.
struct TimelineRow {
    const TimelineEvent* file = nullptr;
    const ArtifactEvent* artifact = nullptr;
    int64_t time() const { return file ? file->time : artifact->time; }
};

// Sorts `artifacts` and merges them with `events` (as make_events sorts them) into one list in
// the order above. The rows point into both.
std::vector<TimelineRow> merge_timeline(std::span<const TimelineEvent> events,
                                        std::vector<ArtifactEvent>& artifacts);

// "kind: main fields" in one line of at most about 100 characters: the fields that name what the
// artifact is about (name, path, target, serial, ...) first, then the others, scalars only.
std::string artifact_short_text(const ArtifactEvent& a);

// The 17 columns of plaso's l2tcsv output module.
std::string l2tcsv_header();

// One l2tcsv row (no newline): date MM/DD/YYYY and time HH:MM:SS in `zone`, its name as timezone.
std::string l2tcsv_row(const TimelineRow& row, const std::string& zone = "UTC");

// The timeline with artifacts: csv (the file system columns plus source and description; an
// artifact's macb column holds its time_kind and type its kind), json (JSON Lines; artifacts add
// source, description and fields) or l2tcsv. Header lines first for csv and l2tcsv.
void write_timeline_rows(std::ostream& out, std::span<const TimelineRow> rows,
                         TimelineFormat format, const std::string& zone = "UTC");

}  // namespace dflab::engine
