#pragma once
// The lab report as one self-contained HTML page: inline CSS, inline SVG charts, no scripts and
// nothing loaded from elsewhere (a Content-Security-Policy forbids it). Every participant-provided
// string is HTML-escaped.
#include <filesystem>
#include <map>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include "scoring/report_data.hpp"

namespace dflab::scoring {

// How the report is shown: its language (en, ru, kk: `<html lang>` and every label, from the
// message catalogues, keys report.*), the time zone its times are shown in besides UTC ("" for
// UTC only; an IANA name such as Asia/Almaty) and the questions' titles in that language by id
// (a question without one is shown by its id).
struct ReportView {
    std::string language = "en";
    std::string zone;
    std::map<std::string, std::string> titles;
};

std::string render_report_html(const ReportData& data, const ReportView& view = {});

// `zone` when it is an IANA time zone name; else throws common::Error starting with `what`.
std::string checked_zone(std::string_view what, const std::string& zone);

// The questions' titles in `language` from a participant bundle's pack.json (`bundle` is the
// bundle's folder or its pack.json); a title missing in `language` falls back to English, then
// to any. Throws common::Error naming the file when it is not a pack.json.
std::map<std::string, std::string> bundle_titles(const std::filesystem::path& bundle,
                                                 const std::string& language);
// The same from a pack.json already read (no titles when it has no questions).
std::map<std::string, std::string> pack_titles(const nlohmann::json& pack,
                                               const std::string& language);

// Writes `content` to `path` through a temporary file in the same folder, renamed when complete.
void write_file_atomically(const std::filesystem::path& path, std::string_view content);

}  // namespace dflab::scoring
