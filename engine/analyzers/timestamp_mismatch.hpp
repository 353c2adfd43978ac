#pragma once
// The timestomping analyzer: NTFS keeps a file's times twice, in $STANDARD_INFORMATION (what
// Explorer, `dir` and SetFileTime show and change) and in $FILE_NAME (set by Windows when the name
// is made or moved; no documented API changes it). A tool that back-dates a file changes only
// the first, so the file seems created before its name existed. For every NTFS entry with both
// (Entry::file_name), one `time_mismatch` artifact when that shows; none when the times agree, as
// they do for a file the builder wrote. Metadata only: no content is read.
#include <optional>
#include <string>
#include <vector>

#include "engine/artifact.hpp"

namespace dflab::engine {

// The reasons an entry's times give, in this order (empty: no artifact):
// "si_created_before_fn_created"  $SI created is earlier than $FN created;
// "si_modified_before_fn_created" $SI modified is earlier than $FN created.
std::vector<std::string> timestamp_mismatch_reasons(const Entry& entry);

// The entry's `time_mismatch` artifact, or none when it has no reasons.
std::optional<Artifact> timestamp_mismatch_artifact(const Entry& entry);

}  // namespace dflab::engine
