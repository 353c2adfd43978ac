#include "scoring/lab_csv.hpp"

#include "common/error.hpp"

namespace dflab::scoring {

std::vector<std::vector<std::string>> parse_csv(std::string_view text, std::string_view source,
                                                std::vector<int>* lines) {
    std::vector<std::vector<std::string>> rows;
    std::vector<std::string> row;
    std::string field;
    bool quoted = false, field_started = false;
    int line = 1, quote_line = 0, row_line = 1;
    if (lines) lines->clear();
    auto end_row = [&] {
        if (field_started || !row.empty()) {
            row.push_back(std::move(field));
            rows.push_back(std::move(row));
            if (lines) lines->push_back(row_line);
        }
        row.clear();
        field.clear();
        field_started = false;
    };
    for (size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (quoted) {
            if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
                field += '"';
                ++i;
            } else if (c == '"') {
                quoted = false;
            } else {
                if (c == '\n') ++line;
                field += c;
            }
            continue;
        }
        if (c == '"' && field.empty()) {
            quoted = field_started = true;
            quote_line = line;
        } else if (c == ',') {
            row.push_back(std::move(field));
            field.clear();
            field_started = true;
        } else if (c == '\n') {
            end_row();
            row_line = ++line;
        } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
            continue;
        } else {
            field += c;
            field_started = true;
        }
    }
    if (quoted) {
        throw common::Error(std::string(source) + ":" + std::to_string(quote_line) +
                            ": a quoted field is not closed");
    }
    end_row();
    return rows;
}

std::string csv_line(std::span<const std::string> fields, const std::vector<bool>& is_text) {
    std::string out;
    for (size_t i = 0; i < fields.size(); ++i) {
        if (i) out += ',';
        std::string value = fields[i];
        bool text = i < is_text.size() && is_text[i];
        if (text && !value.empty() &&
            std::string_view("=+-@\t\r").find(value[0]) != std::string_view::npos) {
            value.insert(0, 1, '\'');
        }
        if (value.find_first_of(",\"\r\n") == std::string::npos) {
            out += value;
            continue;
        }
        out += '"';
        for (char c : value) {
            if (c == '"') out += '"';
            out += c;
        }
        out += '"';
    }
    return out + "\r\n";
}

}  // namespace dflab::scoring
