#pragma once
// CSV (RFC 4180) for the lab: reading participant lists, writing exports.
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace dflab::scoring {

// Rows of fields; quoted fields may hold commas, quotes ("") and line breaks; CRLF or LF line
// ends; blank lines are skipped. Throws common::Error ("SOURCE:LINE: ...") on an unclosed quote.
// `lines`, when given, receives the line each row starts on (1-based), for messages.
std::vector<std::vector<std::string>> parse_csv(std::string_view text, std::string_view source,
                                                std::vector<int>* lines = nullptr);

// One line (with "\r\n"): fields quoted when they hold a comma, quote or line break. A text field
// that a spreadsheet would run as a formula (starting with = + - @ or a tab) gets a leading '.
std::string csv_line(std::span<const std::string> fields, const std::vector<bool>& is_text = {});

}  // namespace dflab::scoring
