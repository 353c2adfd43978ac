#pragma once
// Reading browser history databases from memory: Chrome's `History` (Chromium, Edge, Brave and
// Android Chrome write the same tables: urls, visits, downloads, downloads_url_chains) and
// Firefox's `places.sqlite` (moz_places, moz_historyvisits, downloads as moz_annos). The bytes are
// opened with sqlite3_deserialize, read-only: no temporary file, no journal, nothing written.
// A database is recognised by its tables, so the file's name does not matter.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/untrusted_sqlite.hpp"  // has_sqlite_header

namespace dflab::engine {

// The largest database read (a busy profile's History is tens of MiB).
inline constexpr uint64_t kMaxBrowserHistoryBytes = 256ull * 1024 * 1024;

// Chrome's core transition names (ui::PageTransition, the low byte of visits.transition), by
// their numbers 0..10. Firefox's visit types are named link, typed, bookmark, embed,
// redirect_permanent, redirect_temporary, download, framed_link and reload (1..9).
inline constexpr std::string_view kChromeTransitions[] = {
    "link",
    "typed",
    "auto_bookmark",
    "auto_subframe",
    "manual_subframe",
    "generated",
    "auto_toplevel",
    "form_submit",
    "reload",
    "keyword",
    "keyword_generated",
};

enum class BrowserFamily { Chromium, Firefox };

struct WebVisit {
    std::string url;
    std::optional<std::string> title;
    int64_t visit_count = 0;              // the URL's, as the browser counts them
    std::optional<int64_t> time;          // UTC seconds; none when the stored time is 0 or absurd
    std::string transition;               // Chrome's core type name (link, typed, ...) or Firefox's
    std::optional<std::string> from_url;  // the page the visit came from, when recorded
};

struct WebDownload {
    std::string url;
    std::optional<std::string> referrer;
    std::string target_path;
    std::optional<int64_t> received_bytes, total_bytes;
    std::string
        state;  // complete, in_progress, cancelled, interrupted, failed, paused, or the number
    std::optional<std::string> mime_type;
    std::optional<int64_t> start, end;  // UTC seconds
};

struct BrowserHistory {
    BrowserFamily family = BrowserFamily::Chromium;
    std::vector<WebVisit> visits;                  // by visit time
    std::vector<WebDownload> downloads;            // by start time
    std::optional<std::string> downloads_problem;  // why the downloads could not be read
};

// The history in `bytes` (a whole SQLite file; a WAL-mode header is read as a rollback one, the
// bytes are changed for that), or nullopt for a SQLite database that is not a browser's. Throws
// Error naming `name` when the file is damaged (truncated, not a database, failing SQLite's quick
// check) or holds only half of a browser's tables (urls without visits, ...).
std::optional<BrowserHistory> read_browser_history(std::span<std::byte> bytes,
                                                   const std::string& name);

}  // namespace dflab::engine
