#pragma once
// The prefetch analyzer: every file with a prefetch signature ("SCCA" at offset 4, or "MAM\x04" at
// 0 for the compressed files of Windows 10 and later; engine/prefetch_file.hpp), whatever its
// name (C:\Windows\Prefetch\SETUP.EXE-1A2B3C4D.pf, a renamed copy), is read with libscca and gives
// one `prefetch` artifact in the case's `artifacts` table: evidence that a program ran, how often
// and when. A file that cannot be read is an `unreadable` artifact of that file, never a failure
// of the scan.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "engine/artifact.hpp"

namespace dflab::engine {

// Larger files with the signature are recorded as unreadable, not read: prefetch files are a few
// KiB to a few hundred (libscca itself refuses files past 4 GiB).
inline constexpr uint64_t kMaxPrefetchBytes = 16ull << 20;

// The artifacts of the prefetch file in `bytes`: one `prefetch`, or one `unreadable` (source
// "(prefetch)") when libscca cannot read it. `name` names the file in the reason.
std::vector<Artifact> read_prefetch_artifacts(std::span<const std::byte> bytes,
                                              const std::string& name);

}  // namespace dflab::engine
