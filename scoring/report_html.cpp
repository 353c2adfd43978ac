#include "scoring/report_html.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>

#include "engine/error.hpp"
#include "scoring/report_svg.hpp"

namespace dflab::scoring {

namespace {

constexpr std::string_view kStyle = R"css(
body { font-family: sans-serif; margin: 2em auto; max-width: 60em; color: #222; padding: 0 1em; }
h1 { font-size: 1.6em; } h2 { margin-top: 2em; border-bottom: 1px solid #ccc; }
h3 { margin-bottom: 0.3em; }
.meta { color: #555; }
table { border-collapse: collapse; margin: 0.5em 0 1em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.answer { white-space: pre-wrap; font-family: monospace; max-width: 24em; overflow-wrap: anywhere; }
.correct { color: #17702a; } .partial { color: #a86400; } .incorrect { color: #b3261e; }
.pending_review, .unanswered { color: #666; }
svg.chart { display: block; margin: 0.5em 0; font-size: 12px; }


@media print { h2 { page-break-before: auto; } section { page-break-inside: avoid; } }
)css";

std::string percent(double fraction) {
    return format_number(fraction * 100) + " %";
}

std::string cell(std::string_view text, std::string_view cls = "") {
    return cls.empty() ? "<td>" + html_escape(text) + "</td>"
                       : "<td class=\"" + std::string(cls) + "\">" + html_escape(text) + "</td>";
}

std::string verdict_cell(const QuestionStanding& q) {
    std::string name = q.answered || q.reviewed ? std::string(to_string(q.verdict)) : "unanswered";
    std::string shown = name;
    std::replace(shown.begin(), shown.end(), '_', ' ');
    if (q.reviewed) shown += " (reviewed)";
    return cell(shown, name);
}

std::string hardest_table(const ReportData& d) {
    std::vector<const QuestionStatistics*> order;
    for (const auto& q : d.questions) order.push_back(&q);
    std::stable_sort(order.begin(), order.end(), [](const auto* a, const auto* b) {
        if (a->solve_rate != b->solve_rate) return a->solve_rate < b->solve_rate;
        return a->mean_attempts > b->mean_attempts;
    });
    std::string out =
        "<table><tr><th>question</th><th>type</th><th>points</th><th>attempted</th>"
        "<th>solved</th><th>solve rate</th><th>mean attempts</th><th>mean points</th></tr>\n";
    for (const auto* q : order) {
        out += "<tr>" + cell(q->id) + cell(q->type) + cell(format_number(q->points), "num") +
               cell(std::to_string(q->attempted), "num") + cell(format_number(q->solved), "num") +
               cell(percent(q->solve_rate), "num") + cell(format_number(q->mean_attempts), "num") +
               cell(format_number(q->mean_points), "num") + "</tr>\n";
    }
    return out + "</table>\n";
}

std::string standings_table(const ReportData& d) {
    std::string out =
        "<table><tr><th>rank</th><th>participant</th><th>name</th><th>team</th><th>variant</th>"
        "<th>points</th><th>solved</th><th>submissions</th><th>last submission</th></tr>\n";
    for (size_t i = 0; i < d.standings.size(); ++i) {
        const Standing& s = d.standings[i];
        out += "<tr>" + cell(std::to_string(i + 1), "num") + cell(s.participant.id) +
               cell(s.participant.name) + cell(s.participant.team) +
               cell(std::to_string(s.participant.variant), "num") +
               cell(format_number(s.points) + " / " + format_number(s.max_points), "num") +
               cell(format_number(solved_share(s)), "num") +
               cell(std::to_string(s.submissions), "num") + cell(s.last_time) + "</tr>\n";
    }
    return out + "</table>\n";
}

std::string participant_section(const ReportData& d, size_t rank) {
    const Standing& s = d.standings[rank];
    std::string out = "<section><h3>" + std::to_string(rank + 1) + ". " +
                      html_escape(s.participant.name) + " (" + html_escape(s.participant.id) +
                      ")</h3>\n<p class=\"meta\">";
    if (!s.participant.team.empty()) out += "team " + html_escape(s.participant.team) + " · ";
    out += "variant " + std::to_string(s.participant.variant) + " · " + format_number(s.points) +
           " of " + format_number(s.max_points) + " points</p>\n";
    out +=
        "<table><tr><th>question</th><th>verdict</th><th>points</th><th>attempts</th>"
        "<th>hints</th><th>last answer</th></tr>\n";
    for (const auto& q : s.questions) {
        auto answer = d.last_answers.find({s.participant.id, q.question});
        out += "<tr>" + cell(q.question) + verdict_cell(q) +
               cell(format_number(q.points) + " / " + format_number(q.max_points), "num") +
               cell(std::to_string(q.attempts), "num") + cell(std::to_string(q.hints), "num") +
               cell(answer != d.last_answers.end() ? answer->second : "", "answer") + "</tr>\n";
    }
    return out + "</table></section>\n";
}

std::string teams_table(const ReportData& d) {
    const std::string rule(to_string(d.team_rule));
    std::string out = "<p>Teams ranked by the " + rule + " of their members' points.</p>\n" +
                      "<table><tr><th>rank</th><th>team</th><th>members</th><th>points (" + rule +
                      ")</th><th>sum</th></tr>\n";
    for (size_t i = 0; i < d.teams.size(); ++i) {
        const TeamStanding& t = d.teams[i];
        out += "<tr>" + cell(std::to_string(i + 1), "num") +
               cell(t.team.empty() ? "(none)" : t.team) + cell(std::to_string(t.members), "num") +
               cell(format_number(t.points) + " / " + format_number(t.max_points), "num") +
               cell(format_number(t.sum), "num") + "</tr>\n";
    }
    return out + "</table>\n";
}

std::string sharing_table(const ReportData& d) {
    if (d.sharing.empty()) return "<p>No answer matched another variant's answer.</p>\n";
    std::string out =
        "<p>Answers that are wrong for the participant's variant but right for another: worth a "
        "look, not proof.</p>\n<table><tr><th>submission</th><th>participant</th><th>question</th>"
        "<th>time</th><th>matches variants</th></tr>\n";
    for (const auto& f : d.sharing) {
        std::string variants;
        for (int v : f.other_variants)
            variants += (variants.empty() ? "" : ", ") + std::to_string(v);
        out += "<tr>" + cell(std::to_string(f.submission), "num") + cell(f.participant) +
               cell(f.question) + cell(f.time) + cell(variants) + "</tr>\n";
    }
    return out + "</table>\n";
}

}  // namespace

std::string render_report_html(const ReportData& d) {
    std::string title = "Lab report: " + d.pack + " " + d.pack_version;
    std::string html =
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
        "style-src 'unsafe-inline'\">\n<meta name=\"viewport\" content=\"width=device-width, "
        "initial-scale=1\">\n<title>" +
        html_escape(title) + "</title>\n<style>" + std::string(kStyle) +
        "</style>\n</head>\n<body>\n";
    html += "<h1>" + html_escape(title) + "</h1>\n<p class=\"meta\">Generated " +
            html_escape(d.generated) + " · " + std::to_string(d.standings.size()) +
            " participants · " + std::to_string(d.submissions) + " submissions · " +
            std::to_string(d.questions.size()) + " questions, " + format_number(d.max_points) +
            " points</p>\n";

    std::vector<double> totals;
    for (const auto& s : d.standings) totals.push_back(s.points);
    html += "<h2>Score distribution</h2>\n" +
            histogram_svg(totals, d.max_points, 10, "Participants per score range", "points");

    std::vector<Bar> bars;
    for (const auto& q : d.questions) bars.push_back({q.id, q.solve_rate * 100});
    html += "<h2>Solve rate per question</h2>\n" +
            bar_chart_svg(bars, 100, "Share of participants who solved each question", " %");

    std::vector<Series> series;
    for (size_t i = 0; i < d.standings.size() && i < 10; ++i) {
        Series s{d.standings[i].participant.name, {}};
        for (const auto& p : d.timelines[i]) {
            s.points.push_back(
                {static_cast<double>(std::chrono::system_clock::to_time_t(parse_utc_iso(p.time))),
                 p.points});
        }
        series.push_back(std::move(s));
    }
    auto x_text = [](double x) {
        return utc_iso(std::chrono::system_clock::from_time_t(static_cast<std::time_t>(x)))
                   .substr(11, 5) +
               " UTC";
    };
    html += "<h2>Score over time</h2>\n" +
            line_chart_svg(series, "Points of the ten leading participants over time", x_text,
                           "points");
    html += "<h2>Hardest questions</h2>\n" + hardest_table(d);
    html += "<h2>Standings</h2>\n" + standings_table(d);
    if (!d.teams.empty()) html += "<h2>Teams</h2>\n" + teams_table(d);
    html += "<h2>Possible sharing</h2>\n" + sharing_table(d);
    html += "<h2>Participants</h2>\n";
    for (size_t i = 0; i < d.standings.size(); ++i) html += participant_section(d, i);
    return html + "</body>\n</html>\n";
}

void write_file_atomically(const std::filesystem::path& path, std::string_view content) {
    const std::string name = path.string();
    const std::string temporary = name + ".partial-" + std::to_string(::getpid());
    {
        std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
        if (!out) throw engine::Error(name + ": cannot write (" + std::strerror(errno) + ")");
        out.write(content.data(), static_cast<std::streamsize>(content.size()));
        out.flush();
        if (!out) {
            std::error_code ec;
            std::filesystem::remove(temporary, ec);
            throw engine::Error(name + ": write failed");
        }
    }
    std::error_code ec;
    std::filesystem::rename(temporary, path, ec);
    if (ec) {
        std::filesystem::remove(temporary, ec);
        throw engine::Error(name + ": cannot rename the finished file into place");
    }
}

}  // namespace dflab::scoring
