#pragma once
// The shell link analyzer: every file that starts with a shell link header (size 0x4C and the
// link CLSID, engine/shell_link_file.hpp), whatever its name (Recent\*.lnk, a desktop shortcut,
// a renamed copy), is read with liblnk and gives one `shell_link` artifact in the case's
// `artifacts` table. A link that cannot be read is an `unreadable` artifact of that file, never a
// failure of the scan.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "engine/artifact.hpp"

namespace dflab::engine {

// Larger files with the header are recorded as unreadable, not read: links are a few hundred
// bytes to a few KiB, and this is the head the scan reads anyway (FileTypeDetector::kHeadBytes).
inline constexpr uint64_t kMaxShellLinkBytes = 256 * 1024;

// The artifacts of the link in `bytes`: one `shell_link`, or one `unreadable` (source "(link)")
// when liblnk cannot read it. `name` names the file in the reason.
std::vector<Artifact> read_shell_link_artifacts(std::span<const std::byte> bytes,
                                                const std::string& name);

// "1A2B-3C4D", as Windows' `vol` and `dir` print a volume serial number (shell links, prefetch).
std::string volume_serial_text(uint32_t serial);

}  // namespace dflab::engine
