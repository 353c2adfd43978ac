#pragma once
// Browser history databases, written with the browsers' own schemas so that any SQLite reader (the
// sqlite3 CLI, hindsight, plaso) reads them as it reads a real profile's:
//   Chrome's `History` (Chromium, Edge and Android Chrome write the same): meta (version), urls,
//   visits, downloads and downloads_url_chains; times are WebKit microseconds since 1601-01-01
//   UTC; a visit's transition is its core type with the chain start/end qualifiers.
//   Firefox's `places.sqlite`: moz_origins, moz_places, moz_historyvisits, and each download as a
//   visit of type 7 (download) with two moz_annos ('downloads/destinationFileURI', a file: URI,
//   and 'downloads/metaData', JSON with state, endTime and fileSize); times are PRTime
//   microseconds since 1970.
// The databases are written as images/generate_sqlite.cpp writes one: the same spec and seed give
// the same bytes.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/browser_history_file.hpp"

namespace dflab::images {

struct GenerationContext;

struct BrowserVisit {
    std::string url, title;
    int64_t time = 0;                 // UTC seconds
    std::string transition = "link";  // one of engine::kChromeTransitions
};

struct BrowserDownload {
    std::string url, referrer;   // referrer: the page the download started from ("" none)
    std::string target_path;     // where it was saved, as the system writes paths (C:\Users\...)
    int64_t start = 0, end = 0;  // UTC seconds
    uint64_t size = 0;           // bytes received (the whole file: the download is complete)
    std::string mime_type;       // Chrome only; Firefox does not record it
};

struct BrowserHistorySpec {
    std::vector<BrowserVisit> visits;        // in the order they happened
    std::vector<BrowserDownload> downloads;  // in the order they started
};

// Throws dflab::engine::Error naming the visit or download (its position) whose transition is
// unknown, whose text holds a NUL, or whose time is before 1601 or after 9999.
std::vector<std::byte> build_chrome_history(const BrowserHistorySpec& spec,
                                            const GenerationContext& context);
std::vector<std::byte> build_firefox_places(const BrowserHistorySpec& spec,
                                            const GenerationContext& context);

}  // namespace dflab::images
