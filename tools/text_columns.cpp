// Text for people on a terminal: widths in code points, wrapping, aligned columns.
#include "tools/text_columns.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <iostream>
#include <sstream>

namespace dflab::tools {

size_t display_width(std::string_view s) {
    size_t n = 0;
    for (unsigned char c : s) n += (c & 0xC0) != 0x80 ? 1 : 0;
    return n;
}

// The first `count` code points of `s` (a UTF-8 text).
std::string_view first_code_points(std::string_view s, size_t count) {
    size_t i = 0;
    for (size_t seen = 0; i < s.size(); ++i) {
        if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80 && seen++ == count) break;
    }
    return s.substr(0, i);
}

// Columns of the terminal on standard output; 100 when it is not a terminal.
size_t output_width() {
    winsize size{};
    if (::isatty(STDOUT_FILENO) == 1 && ::ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0 &&
        size.ws_col > 0) {
        return size.ws_col;
    }
    return 100;
}

// `text` in lines of at most `width` code points: broken at spaces where it can be, at its own
// line breaks always, inside a word only when the word is longer than a line. Nothing is left
// out but the spaces that lines are broken at (tabs count as spaces).
std::vector<std::string> wrap_text(std::string_view text, size_t width) {
    width = std::max<size_t>(width, 1);
    std::vector<std::string> lines;
    std::istringstream paragraphs{std::string(text)};
    for (std::string paragraph; std::getline(paragraphs, paragraph);) {
        std::replace(paragraph.begin(), paragraph.end(), '\t', ' ');
        if (!paragraph.empty() && paragraph.back() == '\r') paragraph.pop_back();
        std::string line;
        std::istringstream words(paragraph);
        for (std::string word; words >> word;) {
            if (!line.empty() && display_width(line) + 1 + display_width(word) <= width) {
                line += ' ' + word;
                continue;
            }
            if (!line.empty()) lines.push_back(std::move(line));
            line.clear();
            std::string_view rest = word;
            while (display_width(rest) > width) {
                std::string_view head = first_code_points(rest, width);
                lines.emplace_back(head);
                rest.remove_prefix(head.size());
            }
            line = rest;
        }
        lines.push_back(std::move(line));
    }
    if (lines.empty()) lines.emplace_back();
    return lines;
}

// Aligned columns for people (code points, not bytes, so Cyrillic names line up). With
// `wrap_last`, the last column is never cut: it is wrapped into the room the terminal leaves it,
// or, when that is under 30 columns, printed under its row, indented.
void print_columns(const std::vector<std::string>& header,
                   const std::vector<std::vector<std::string>>& rows, bool wrap_last) {
    const size_t aligned = wrap_last ? header.size() - 1 : header.size();
    std::vector<size_t> width(header.size());
    for (size_t i = 0; i < aligned; ++i) width[i] = display_width(header[i]);
    for (const auto& r : rows)
        for (size_t i = 0; i < r.size() && i < aligned; ++i)
            width[i] = std::max(width[i], display_width(r[i]));
    auto line = [&](const std::vector<std::string>& r) {
        std::string out;
        for (size_t i = 0; i < r.size(); ++i) {
            out += r[i];
            if (i + 1 < r.size()) out += std::string(width[i] - display_width(r[i]) + 2, ' ');
        }
        out.erase(out.find_last_not_of(' ') + 1);
        std::cout << out << "\n";
    };
    line(header);
    size_t indent = 0;
    for (size_t i = 0; i < aligned; ++i) indent += width[i] + 2;
    const size_t total = output_width();
    const bool beside = total >= indent + 30;
    for (const auto& r : rows) {
        if (!wrap_last || r.size() != header.size()) {
            line(r);
            continue;
        }
        auto text = wrap_text(r.back(), beside ? total - indent : total - 4);
        std::vector<std::string> first(r.begin(), r.end() - 1);
        if (beside) first.push_back(text[0]);
        line(first);
        for (size_t i = beside ? 1 : 0; i < text.size(); ++i) {
            if (text[i].empty())
                std::cout << "\n";
            else
                std::cout << std::string(beside ? indent : 4, ' ') << text[i] << "\n";
        }
    }
}

}  // namespace dflab::tools
