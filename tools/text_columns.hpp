#pragma once
// Text for people on a terminal: widths in code points (so that Cyrillic lines up), wrapping to the
// terminal's width, aligned columns (dflab lab's tables).
#include <string>
#include <string_view>
#include <vector>

namespace dflab::tools {

// Code points of a UTF-8 text (what a terminal shows as columns, for Latin and Cyrillic).
size_t display_width(std::string_view s);

// The first `count` code points of `s` (a UTF-8 text).
std::string_view first_code_points(std::string_view s, size_t count);

// Columns of the terminal on standard output; 100 when it is not a terminal.
size_t output_width();

// `text` in lines of at most `width` code points: broken at spaces where it can be, at its own
// line breaks always, inside a word only when the word is longer than a line. Nothing is left
// out but the spaces that lines are broken at (tabs count as spaces).
std::vector<std::string> wrap_text(std::string_view text, size_t width);

// Aligned columns on standard output, the header first. With `wrap_last`, the last column is
// never cut: it is wrapped into the room the terminal leaves it, or, when that is under 30
// columns, printed under its row, indented.
void print_columns(const std::vector<std::string>& header,
                   const std::vector<std::vector<std::string>>& rows, bool wrap_last = false);

}  // namespace dflab::tools
