#pragma once
// The registry analyzer: every file that starts with the "regf" signature, whatever its name, is
// read as a Windows registry hive and its artifacts (engine/registry_artifacts.hpp) go into the
// case's `artifacts` table. A hive that cannot be read is an `unreadable` artifact of that file,
// never a failure of the scan.
#include <cstdint>

#include "engine/artifact.hpp"

namespace dflab::engine {

// Larger files with the signature are recorded as unreadable, not read (the largest hives,
// SOFTWARE of a long-used system, are a few hundred MiB).
inline constexpr uint64_t kMaxHiveBytes = 512ull << 20;

}  // namespace dflab::engine
