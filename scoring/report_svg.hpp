#pragma once
// Charts for the lab report as inline SVG text, drawn by our code (no scripts, no fonts, no
// network). Every label is HTML-escaped here; callers pass plain text.
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace dflab::scoring {

// & < > " ' as character references: safe in element content and quoted attributes.
std::string html_escape(std::string_view text);

// A number as the report shows it: up to two decimals, no trailing zeros ("12", "7.5").
std::string format_number(double value);

struct Bar {
    std::string label;
    double value = 0;
};

struct Series {
    std::string label;
    std::vector<std::pair<double, double>> points;  // (x, y), x ascending
};

// Histogram of `values` over [0, max_value] in `bins` equal bins; y: how many values fall in each.
std::string histogram_svg(std::span<const double> values, double max_value, int bins,
                          std::string_view title, std::string_view x_label);

// One horizontal bar per entry, value in [0, max_value]; the value is printed as
// format_number(value) + unit.
std::string bar_chart_svg(std::span<const Bar> bars, double max_value, std::string_view title,
                          std::string_view unit);

// Step lines (a value holds until the next point), with a legend; `x_text` labels the x axis ends.
std::string line_chart_svg(std::span<const Series> series, std::string_view title,
                           const std::function<std::string(double)>& x_text,
                           std::string_view y_label);

}  // namespace dflab::scoring
