#include "scoring/report_svg.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace dflab::scoring {

namespace {

constexpr std::string_view kPalette[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd",
                                         "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};

std::string num(double v) {
    char text[32];
    std::snprintf(text, sizeof text, "%.1f", v);
    return text;
}

std::string open_svg(double width, double height, std::string_view title) {
    return "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" width=\"" + num(width) +
           "\" height=\"" + num(height) + "\" viewBox=\"0 0 " + num(width) + " " + num(height) +
           "\" font-family=\"sans-serif\" font-size=\"12\" role=\"img\" aria-label=\"" +
           html_escape(title) + "\"><title>" + html_escape(title) + "</title>\n";
}

std::string text(double x, double y, std::string_view content, std::string_view anchor = "start",
                 std::string_view extra = "") {
    return "<text x=\"" + num(x) + "\" y=\"" + num(y) + "\" text-anchor=\"" + std::string(anchor) +
           "\"" + std::string(extra) + ">" + html_escape(content) + "</text>\n";
}

std::string line(double x1, double y1, double x2, double y2, std::string_view style) {
    return "<line x1=\"" + num(x1) + "\" y1=\"" + num(y1) + "\" x2=\"" + num(x2) + "\" y2=\"" +
           num(y2) + "\" " + std::string(style) + "/>\n";
}

std::string rect(double x, double y, double w, double h, std::string_view fill,
                 std::string_view tip) {
    return "<rect x=\"" + num(x) + "\" y=\"" + num(y) + "\" width=\"" + num(std::max(w, 0.0)) +
           "\" height=\"" + num(std::max(h, 0.0)) + "\" fill=\"" + std::string(fill) +
           "\"><title>" + html_escape(tip) + "</title></rect>\n";
}

// At most `max` characters (UTF-8 code points), with an ellipsis when cut.
std::string shorten(const std::string& s, size_t max) {
    size_t chars = 0;
    for (size_t i = 0; i < s.size(); ++i) {
        if ((static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) continue;
        if (++chars > max) return s.substr(0, i) + "…";
    }
    return s;
}

// A "nice" upper bound for an axis: 1, 2 or 5 times a power of ten, at least `v`.
double nice_ceiling(double v) {
    if (v <= 0) return 1;
    double p = std::pow(10.0, std::floor(std::log10(v)));
    for (double m : {1.0, 2.0, 5.0, 10.0}) {
        if (m * p >= v) return m * p;
    }
    return 10 * p;
}

// A y axis from 0 with 2 to 6 ticks of a "nice" step (at least `min_step`) covering `max`.
struct Axis {
    double step = 1;
    int ticks = 1;
    double top() const { return step * ticks; }
};

Axis nice_axis(double max, double min_step) {
    Axis a;
    a.step = std::max(nice_ceiling(max / 6), min_step);
    a.ticks = std::max(2, static_cast<int>(std::ceil(max / a.step - 1e-9)));
    return a;
}

std::string y_grid(const Axis& axis, double left, double width, double top, double height) {
    std::string svg;
    for (int i = 0; i <= axis.ticks; ++i) {
        const double y = top + height - height * i / axis.ticks;
        svg += line(left, y, left + width, y, "stroke=\"#e0e0e0\"");
        svg += text(left - 6, y + 4, format_number(axis.step * i), "end");
    }
    return svg;
}

}  // namespace

std::string html_escape(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (char c : s) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            case '\'':
                out += "&#39;";
                break;
            default:
                out += c;
        }
    }
    return out;
}

std::string format_number(double value) {
    char text[32];
    std::snprintf(text, sizeof text, "%.2f", value);
    std::string s = text;
    while (s.back() == '0') s.pop_back();
    if (s.back() == '.') s.pop_back();
    return s == "-0" ? "0" : s;
}

std::string histogram_svg(std::span<const double> values, double max_value, int bins,
                          std::string_view title, std::string_view x_label) {
    bins = std::max(bins, 1);
    max_value = max_value > 0 ? max_value : 1;
    std::vector<int> counts(static_cast<size_t>(bins), 0);
    for (double v : values) {
        int b = static_cast<int>(std::floor(v / max_value * bins));
        counts[static_cast<size_t>(std::clamp(b, 0, bins - 1))] += 1;
    }
    const double width = 640, height = 300, left = 50, right = 20, top = 30, bottom = 50;
    const double plot_w = width - left - right, plot_h = height - top - bottom;
    const Axis axis = nice_axis(*std::max_element(counts.begin(), counts.end()), 1);  // whole
    const double y_max = axis.top();
    std::string svg = open_svg(width, height, title);
    svg += text(width / 2, 18, title, "middle", " font-weight=\"bold\" font-size=\"14\"");
    svg += y_grid(axis, left, plot_w, top, plot_h);
    const double bar_w = plot_w / bins;
    for (int b = 0; b < bins; ++b) {
        const double lo = max_value * b / bins, hi = max_value * (b + 1) / bins;
        const int n = counts[static_cast<size_t>(b)];
        const double h = plot_h * n / y_max;
        svg += rect(left + b * bar_w + 1, top + plot_h - h, bar_w - 2, h, kPalette[0],
                    format_number(lo) + "-" + format_number(hi) + ": " + std::to_string(n));
    }
    for (int i = 0; i <= 4; ++i) {
        svg += text(left + plot_w * i / 4, top + plot_h + 16, format_number(max_value * i / 4),
                    "middle");
    }
    svg += line(left, top + plot_h, left + plot_w, top + plot_h, "stroke=\"#444444\"");
    svg += text(left + plot_w / 2, height - 10, x_label, "middle");
    return svg + "</svg>\n";
}

std::string bar_chart_svg(std::span<const Bar> bars, double max_value, std::string_view title,
                          std::string_view unit) {
    max_value = max_value > 0 ? max_value : 1;
    const double row = 22, left = 180, right = 70, top = 30;
    const double width = 640, plot_w = width - left - right;
    const double height = top + row * static_cast<double>(bars.size()) + 20;
    std::string svg = open_svg(width, height, title);
    svg += text(width / 2, 18, title, "middle", " font-weight=\"bold\" font-size=\"14\"");
    for (size_t i = 0; i < bars.size(); ++i) {
        const double y = top + row * static_cast<double>(i);
        const double w = plot_w * std::clamp(bars[i].value / max_value, 0.0, 1.0);
        std::string label = shorten(bars[i].label, 27);
        svg += text(left - 6, y + 15, label, "end");
        svg += rect(left, y + 3, plot_w, row - 6, "#eeeeee", bars[i].label);
        svg += rect(left, y + 3, w, row - 6, kPalette[2],
                    bars[i].label + ": " + format_number(bars[i].value) + std::string(unit));
        svg += text(left + plot_w + 6, y + 15, format_number(bars[i].value) + std::string(unit));
    }
    return svg + "</svg>\n";
}

std::string line_chart_svg(std::span<const Series> series, std::string_view title,
                           const std::function<std::string(double)>& x_text,
                           std::string_view y_label) {
    double x_min = 0, x_max = 0, y_max = 0;
    bool any = false;
    for (const auto& s : series) {
        for (const auto& [x, y] : s.points) {
            x_min = any ? std::min(x_min, x) : x;
            x_max = any ? std::max(x_max, x) : x;
            y_max = std::max(y_max, y);
            any = true;
        }
    }
    if (x_max <= x_min) x_max = x_min + 1;
    const Axis axis = nice_axis(std::max(y_max, 1.0), 0);
    y_max = axis.top();
    const double legend = 18 * static_cast<double>(std::min<size_t>(series.size(), 10));
    const double width = 640, left = 50, right = 170, top = 30, bottom = 50;
    const double height = std::max(300.0, top + legend + bottom);
    const double plot_w = width - left - right, plot_h = height - top - bottom;
    auto px = [&](double x) { return left + plot_w * (x - x_min) / (x_max - x_min); };
    auto py = [&](double y) { return top + plot_h - plot_h * y / y_max; };
    std::string svg = open_svg(width, height, title);
    svg += text(width / 2, 18, title, "middle", " font-weight=\"bold\" font-size=\"14\"");
    svg += y_grid(axis, left, plot_w, top, plot_h);
    svg += line(left, top + plot_h, left + plot_w, top + plot_h, "stroke=\"#444444\"");
    if (any) {
        svg += text(left, top + plot_h + 16, x_text(x_min), "start");
        svg += text(left + plot_w, top + plot_h + 16, x_text(x_max), "end");
    }
    svg += text(12, top + plot_h / 2, y_label, "middle",
                " transform=\"rotate(-90 12 " + num(top + plot_h / 2) + ")\"");
    for (size_t i = 0; i < series.size() && i < 10; ++i) {
        const auto& s = series[i];
        const std::string_view color = kPalette[i % std::size(kPalette)];
        std::string path;
        double last_y = 0;
        path += num(px(x_min)) + "," + num(py(0));
        for (const auto& [x, y] : s.points) {
            path += " " + num(px(x)) + "," + num(py(last_y)) + " " + num(px(x)) + "," + num(py(y));
            last_y = y;
        }
        path += " " + num(px(x_max)) + "," + num(py(last_y));
        svg += "<polyline fill=\"none\" stroke=\"" + std::string(color) +
               "\" stroke-width=\"2\" points=\"" + path + "\"><title>" + html_escape(s.label) +
               "</title></polyline>\n";
        const double ly = top + 18 * static_cast<double>(i) + 8;
        svg += line(left + plot_w + 12, ly, left + plot_w + 30, ly,
                    "stroke=\"" + std::string(color) + "\" stroke-width=\"3\"");
        std::string label = shorten(s.label, 20);
        svg += text(left + plot_w + 34, ly + 4, label);
    }
    return svg + "</svg>\n";
}

}  // namespace dflab::scoring
