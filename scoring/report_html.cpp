#include "scoring/report_html.hpp"

#include <unistd.h>

#include <date/tz.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>
#include <fstream>

#include "common/error.hpp"
#include "common/messages.hpp"
#include "scoring/lab_record.hpp"
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

// A whole number's own plural form, a fraction that of 2 ("2.5 балла").
long long plural_count(double amount) {
    return std::floor(amount) == amount ? static_cast<long long>(amount) : 2;
}

// The report's words, titles and times in the view's language and zone.
class Words {
  public:
    explicit Words(const ReportView& view) : view_(view) {}

    const std::string& language() const { return view_.language; }
    std::string operator()(std::string_view key) const {
        return common::translate(view_.language, std::string("report.") + std::string(key));
    }
    std::string count(std::string_view key, double n) const {
        return common::format(
            common::translate_plural(view_.language, "report.count." + std::string(key),
                                     plural_count(n)),
            {{"n", format_number(n)}});
    }
    std::string points_of(double points, double max) const {
        return common::format(
            common::translate_plural(view_.language, "report.meta.points", plural_count(max)),
            {{"points", format_number(points)}, {"n", format_number(max)}});
    }
    std::string th(std::string_view column) const {
        return "<th>" + html_escape((*this)("column." + std::string(column))) + "</th>";
    }
    // The question's title when the view has one, else its id.
    std::string question(const std::string& id) const {
        auto it = view_.titles.find(id);
        return it == view_.titles.end() || it->second.empty() ? id : it->second;
    }
    // A utc_iso time as "2026-11-28 14:03:00 +05 (09:03:00 UTC)" with a zone, as is without one
    // or when it is not a utc_iso time.
    std::string time(const std::string& iso) const {
        if (view_.zone.empty() || iso.empty()) return iso;
        try {
            auto t = std::chrono::floor<std::chrono::seconds>(parse_utc_iso(iso));
            return date::format("%F %T %Z", date::make_zoned(view_.zone, t)) + " (" +
                   date::format("%T", t) + " UTC)";
        } catch (const common::Error&) {
            return iso;
        }
    }
    // An axis label: the clock time in the zone, or in UTC without one.
    std::string clock(std::chrono::system_clock::time_point t) const {
        auto s = std::chrono::floor<std::chrono::seconds>(t);
        if (view_.zone.empty()) return date::format("%R", s) + " UTC";
        return date::format("%R %Z", date::make_zoned(view_.zone, s));
    }

  private:
    const ReportView& view_;
};

std::string verdict_cell(const Words& w, const QuestionStanding& q) {
    std::string name = q.answered || q.reviewed ? std::string(to_string(q.verdict)) : "unanswered";
    std::string shown = w("verdict." + name);
    if (q.reviewed) shown = common::format(w("verdict.reviewed"), {{"verdict", shown}});
    return cell(shown, name);
}

std::string hardest_table(const Words& w, const ReportData& d) {
    std::vector<const QuestionStatistics*> order;
    for (const auto& q : d.questions) order.push_back(&q);
    std::stable_sort(order.begin(), order.end(), [](const auto* a, const auto* b) {
        if (a->solve_rate != b->solve_rate) return a->solve_rate < b->solve_rate;
        return a->mean_attempts > b->mean_attempts;
    });
    std::string out = "<table><tr>" + w.th("question") + w.th("type") + w.th("points") +
                      w.th("attempted") + w.th("solved") + w.th("solve_rate") +
                      w.th("mean_attempts") + w.th("mean_points") + "</tr>\n";
    for (const auto* q : order) {
        out += "<tr>" + cell(w.question(q->id)) + cell(q->type) +
               cell(format_number(q->points), "num") + cell(std::to_string(q->attempted), "num") +
               cell(format_number(q->solved), "num") + cell(percent(q->solve_rate), "num") +
               cell(format_number(q->mean_attempts), "num") +
               cell(format_number(q->mean_points), "num") + "</tr>\n";
    }
    return out + "</table>\n";
}

std::string standings_table(const Words& w, const ReportData& d) {
    std::string out = "<table><tr>" + w.th("rank") + w.th("participant") + w.th("name") +
                      w.th("team") + w.th("variant") + w.th("points") + w.th("solved") +
                      w.th("submissions") + w.th("last_submission") + "</tr>\n";
    for (size_t i = 0; i < d.standings.size(); ++i) {
        const Standing& s = d.standings[i];
        out += "<tr>" + cell(std::to_string(i + 1), "num") + cell(s.participant.id) +
               cell(s.participant.name) + cell(s.participant.team) +
               cell(std::to_string(s.participant.variant), "num") +
               cell(format_number(s.points) + " / " + format_number(s.max_points), "num") +
               cell(format_number(solved_share(s)), "num") +
               cell(std::to_string(s.submissions), "num") + cell(w.time(s.last_time)) + "</tr>\n";
    }
    return out + "</table>\n";
}

std::string participant_section(const Words& w, const ReportData& d, size_t rank) {
    const Standing& s = d.standings[rank];
    std::string out = "<section><h3>" + std::to_string(rank + 1) + ". " +
                      html_escape(s.participant.name) + " (" + html_escape(s.participant.id) +
                      ")</h3>\n<p class=\"meta\">";
    if (!s.participant.team.empty())
        out += html_escape(common::format(w("meta.team"), {{"team", s.participant.team}})) + " · ";
    out += html_escape(common::format(w("meta.variant"),
                                      {{"variant", std::to_string(s.participant.variant)}})) +
           " · " + html_escape(w.points_of(s.points, s.max_points)) + "</p>\n";
    out += "<table><tr>" + w.th("question") + w.th("verdict") + w.th("points") + w.th("attempts") +
           w.th("hints") + w.th("last_answer") + "</tr>\n";
    for (const auto& q : s.questions) {
        auto answer = d.last_answers.find({s.participant.id, q.question});
        out += "<tr>" + cell(w.question(q.question)) + verdict_cell(w, q) +
               cell(format_number(q.points) + " / " + format_number(q.max_points), "num") +
               cell(std::to_string(q.attempts), "num") + cell(std::to_string(q.hints), "num") +
               cell(answer != d.last_answers.end() ? answer->second : "", "answer") + "</tr>\n";
    }
    return out + "</table></section>\n";
}

std::string teams_table(const Words& w, const ReportData& d) {
    const std::string rule(to_string(d.team_rule));
    std::string out =
        "<p>" + html_escape(w("teams.ranked." + rule)) + "</p>\n<table><tr>" + w.th("rank") +
        w.th("team") + w.th("members") + "<th>" +
        html_escape(common::format(w("column.team_points"), {{"rule", w("rule." + rule)}})) +
        "</th>" + w.th("sum") + "</tr>\n";
    for (size_t i = 0; i < d.teams.size(); ++i) {
        const TeamStanding& t = d.teams[i];
        out += "<tr>" + cell(std::to_string(i + 1), "num") +
               cell(t.team.empty() ? w("team.none") : t.team) +
               cell(std::to_string(t.members), "num") +
               cell(format_number(t.points) + " / " + format_number(t.max_points), "num") +
               cell(format_number(t.sum), "num") + "</tr>\n";
    }
    return out + "</table>\n";
}

std::string sharing_table(const Words& w, const ReportData& d) {
    if (d.sharing.empty()) return "<p>" + html_escape(w("sharing.none")) + "</p>\n";
    std::string out = "<p>" + html_escape(w("sharing.intro")) + "</p>\n<table><tr>" +
                      w.th("submission") + w.th("participant") + w.th("question") + w.th("time") +
                      w.th("matches_variants") + "</tr>\n";
    for (const auto& f : d.sharing) {
        std::string variants;
        for (int v : f.other_variants)
            variants += (variants.empty() ? "" : ", ") + std::to_string(v);
        out += "<tr>" + cell(std::to_string(f.submission), "num") + cell(f.participant) +
               cell(w.question(f.question)) + cell(w.time(f.time)) + cell(variants) + "</tr>\n";
    }
    return out + "</table>\n";
}

std::string heading(const Words& w, std::string_view key) {
    return "<h2>" + html_escape(w(key)) + "</h2>\n";
}

}  // namespace

std::string render_report_html(const ReportData& d, const ReportView& view) {
    const Words w(view);
    std::string title = common::format(w("title"), {{"pack", d.pack}, {"version", d.pack_version}});
    std::string html =
        "<!DOCTYPE html>\n<html lang=\"" + html_escape(common::supported_language(w.language())) +
        "\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
        "style-src 'unsafe-inline'\">\n<meta name=\"viewport\" content=\"width=device-width, "
        "initial-scale=1\">\n<title>" +
        html_escape(title) + "</title>\n<style>" + std::string(kStyle) +
        "</style>\n</head>\n<body>\n";
    html += "<h1>" + html_escape(title) + "</h1>\n<p class=\"meta\">" +
            html_escape(common::format(w("generated"), {{"time", w.time(d.generated)}})) + " · " +
            html_escape(w.count("participants", static_cast<double>(d.standings.size()))) + " · " +
            html_escape(w.count("submissions", static_cast<double>(d.submissions))) + " · " +
            html_escape(w.count("questions", static_cast<double>(d.questions.size()))) + ", " +
            html_escape(w.count("points", d.max_points)) + "</p>\n";
    if (!view.zone.empty())
        html += "<p class=\"meta\">" +
                html_escape(common::format(w("times"), {{"zone", view.zone}})) + "</p>\n";

    std::vector<double> totals;
    for (const auto& s : d.standings) totals.push_back(s.points);
    html += heading(w, "distribution") +
            histogram_svg(totals, d.max_points, 10, w("distribution.chart"), w("axis.points"));

    std::vector<Bar> bars;
    for (const auto& q : d.questions) bars.push_back({w.question(q.id), q.solve_rate * 100});
    html += heading(w, "solve_rate") + bar_chart_svg(bars, 100, w("solve_rate.chart"), " %");

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
    auto x_text = [&w](double x) {
        return w.clock(std::chrono::system_clock::from_time_t(static_cast<std::time_t>(x)));
    };
    html += heading(w, "over_time") +
            line_chart_svg(series, w("over_time.chart"), x_text, w("axis.points"));
    html += heading(w, "hardest") + hardest_table(w, d);
    html += heading(w, "standings") + standings_table(w, d);
    if (!d.teams.empty()) html += heading(w, "teams") + teams_table(w, d);
    html += heading(w, "sharing") + sharing_table(w, d);
    html += heading(w, "participants");
    for (size_t i = 0; i < d.standings.size(); ++i) html += participant_section(w, d, i);
    return html + "</body>\n</html>\n";
}

std::string checked_zone(std::string_view what, const std::string& zone) {
    try {
        date::locate_zone(zone);
    } catch (const std::runtime_error&) {
        throw common::Error(std::string(what) + " " + zone +
                            ": not a time zone (write an IANA name such as Asia/Almaty)");
    }
    return zone;
}

std::map<std::string, std::string> bundle_titles(const std::filesystem::path& bundle,
                                                 const std::string& language) {
    const std::filesystem::path file =
        std::filesystem::is_directory(bundle) ? bundle / "pack.json" : bundle;
    std::ifstream in(file, std::ios::binary);
    if (!in)
        throw common::Error(file.string() + ": cannot be read (a participant bundle's pack.json)");
    nlohmann::json pack;
    try {
        pack = nlohmann::json::parse(in);
    } catch (const nlohmann::json::exception&) {
        throw common::Error(file.string() + ": not valid JSON");
    }
    if (!pack.is_object() || pack.value("format", "") != "dflab-pack" ||
        !pack.contains("questions") || !pack["questions"].is_array())
        throw common::Error(file.string() + ": not a participant bundle's pack.json");
    return pack_titles(pack, language);
}

std::map<std::string, std::string> pack_titles(const nlohmann::json& pack,
                                               const std::string& language) {
    std::map<std::string, std::string> titles;
    if (!pack.is_object() || !pack.contains("questions") || !pack["questions"].is_array())
        return titles;
    for (const auto& q : pack["questions"]) {
        if (!q.is_object() || !q.contains("id") || !q["id"].is_string()) continue;
        const auto& by_language = q.value("title", nlohmann::json::object());
        if (!by_language.is_object() || by_language.empty()) continue;
        std::string title;
        for (const char* lang : {language.c_str(), "en"})
            if (title.empty() && by_language.contains(lang) && by_language[lang].is_string())
                title = by_language[lang].get<std::string>();
        if (title.empty() && by_language.begin()->is_string())
            title = by_language.begin()->get<std::string>();
        titles[q["id"].get<std::string>()] = title;
    }
    return titles;
}

void write_file_atomically(const std::filesystem::path& path, std::string_view content) {
    const std::string name = path.string();
    const std::string temporary = name + ".partial-" + std::to_string(::getpid());
    {
        std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
        if (!out) throw common::Error(name + ": cannot write (" + std::strerror(errno) + ")");
        out.write(content.data(), static_cast<std::streamsize>(content.size()));
        out.flush();
        if (!out) {
            std::error_code ec;
            std::filesystem::remove(temporary, ec);
            throw common::Error(name + ": write failed");
        }
    }
    std::error_code ec;
    std::filesystem::rename(temporary, path, ec);
    if (ec) {
        std::filesystem::remove(temporary, ec);
        throw common::Error(name + ": cannot rename the finished file into place");
    }
}

}  // namespace dflab::scoring
