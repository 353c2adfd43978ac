#pragma once
// The Recycle Bin analyzer: every file named `$I...` in a folder of `$Recycle.Bin` (names
// compared without case, as NTFS does), allocated or deleted, whose version field is 1 or 2 (or
// that is shorter than it), is read as a $I record (engine/recycle_bin_file.hpp) and gives one
// `recycled_file` artifact: what was deleted, from where, when, by whom (the SID folder), and the
// `$R` file holding its content. A damaged record is an `unreadable` artifact of that file.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "engine/artifact.hpp"

namespace dflab::engine {

// $I files are 544 bytes (version 1) or 28 + twice the path (version 2, at most 65562); larger
// files with the name are recorded as unreadable, not read.
inline constexpr uint64_t kMaxRecycleInfoBytes = 28 + 2 * 32767;

// Whether `path` ("/$Recycle.Bin/S-1-5-21-...-1001/$IAB12CD.docx") is where a $I file lies.
bool is_recycle_info_path(const std::string& path);

// The artifacts of the $I file `bytes` found at `path`: one `recycled_file` (without
// `recycled_exists`, which needs the file system), or one `unreadable` (source "(recycle bin)").
std::vector<Artifact> read_recycle_bin_artifacts(std::span<const std::byte> bytes,
                                                 const std::string& path);

}  // namespace dflab::engine
