#pragma once
// What a running solution holds between steps (internal to the solution_*.cpp files).
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "common/sqlite.hpp"
#include "engine/evidence.hpp"
#include "engine/file_system.hpp"
#include "engine/volumes.hpp"
#include "exercises/solution.hpp"

namespace dflab::exercises::detail {

struct SolutionState {
    const Question& question;
    const SolveEnvironment& env;
    std::string image_id;
    std::optional<engine::Evidence> evidence;
    std::optional<engine::Partition> partition;
    std::optional<engine::FileSystem> fs;  // of `partition`, on `evidence`
    std::unique_ptr<common::Database> case_db;
    nlohmann::json value;           // the value so far
    nlohmann::json truth_manifest;  // of image_id, read on first use

    // The truth manifest of the image (its recipe variables, for `variable:` and patterns).
    const nlohmann::json& truth();

    const BuiltImage& image() const;
    engine::Evidence& open_evidence();
    // The selected partition, or the only one with a file system.
    const engine::Partition& need_partition();
    const engine::FileSystem& need_fs();
    common::Database& need_case();
};

// A step failed: the message says what happened (the caller adds where).
class StepError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

using StepFunction = void (*)(SolutionState&, const Step&);

// Steps over the engine (solution_engine_steps.cpp).
void step_image(SolutionState&, const Step&);
void step_image_hash(SolutionState&, const Step&);
void step_partitions(SolutionState&, const Step&);
void step_partition(SolutionState&, const Step&);
void step_filesystem(SolutionState&, const Step&);
void step_find(SolutionState&, const Step&);
void step_hash(SolutionState&, const Step&);
void step_read(SolutionState&, const Step&);
// Steps over the case database (solution_case_steps.cpp).
void step_yara(SolutionState&, const Step&);
void step_search(SolutionState&, const Step&);
void step_timeline(SolutionState&, const Step&);
void step_artifacts(SolutionState&, const Step&);
void step_sql(SolutionState&, const Step&);
void step_carved(SolutionState&, const Step&);
// Steps over the value (solution_value_steps.cpp).
void step_field(SolutionState&, const Step&);
void step_where(SolutionState&, const Step&);
void step_one(SolutionState&, const Step&);
void step_count(SolutionState&, const Step&);
void step_unique(SolutionState&, const Step&);
void step_sort(SolutionState&, const Step&);
void step_map(SolutionState&, const Step&);
void step_variable(SolutionState&, const Step&);

// An entry of the file system as a solution value.
nlohmann::json entry_value(const engine::Entry& e);
// A value in one line for traces and messages, cut at about 100 characters.
std::string short_text(const nlohmann::json& value);
// Every item of a list in one line, for "found N where one is expected": each item's path (or
// name) first, then the fields whose values differ between the items.
std::string candidates_text(const nlohmann::json& list);
// Whether a file row is a file-system metadata file: a path whose first component starts with
// '$' (NTFS $MFT, $LogFile, $Extend/..., TSK's virtual $MBR, $FAT1, $OrphanFiles).
bool is_metadata_file(const nlohmann::json& row);

}  // namespace dflab::exercises::detail
