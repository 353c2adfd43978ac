#pragma once
// The browser history analyzer: every file that starts with the SQLite header and holds a
// browser's history tables, whatever its name (Chrome's, Edge's or Android Chrome's `History`,
// Firefox's `places.sqlite`, a renamed copy), gives a `web_visit` artifact per visit and a
// `web_download` per download in the case's `artifacts` table (engine/browser_history_file.hpp).
// Other SQLite databases give nothing; a damaged history is one `unreadable` artifact of that
// file, never a failure of the scan.
#include <span>
#include <string>
#include <vector>

#include "engine/artifact.hpp"

namespace dflab::engine {

// The artifacts of the database in `bytes` (changed: see read_browser_history), read from the
// file at `path` (which names the browser: Edge, Brave, ... else Chrome for Chrome's tables);
// empty for a SQLite database that is not a browser's. Throws Error for a damaged one.
std::vector<Artifact> read_browser_history_artifacts(std::span<std::byte> bytes,
                                                     const std::string& path);

}  // namespace dflab::engine
