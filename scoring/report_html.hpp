#pragma once
// The lab report as one self-contained HTML page: inline CSS, inline SVG charts, no scripts and
// nothing loaded from elsewhere (a Content-Security-Policy forbids it). Every participant-provided
// string is HTML-escaped.
#include <filesystem>
#include <string>
#include <string_view>

#include "scoring/report_data.hpp"

namespace dflab::scoring {

std::string render_report_html(const ReportData& data);

// Writes `content` to `path` through a temporary file in the same folder, renamed when complete.
void write_file_atomically(const std::filesystem::path& path, std::string_view content);

}  // namespace dflab::scoring
