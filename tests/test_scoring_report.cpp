// The lab report (scoring/report_*.hpp, dflab report): one self-contained HTML page with one
// inline SVG per chart, every participant-provided string escaped. Python's XML parser checks
// that the charts are well-formed SVG.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "scoring/lab_grading.hpp"
#include "scoring/report_data.hpp"
#include "scoring/report_html.hpp"
#include "scoring/report_svg.hpp"
#include "tests/lab_test_key.hpp"
#include "tests/support/fixtures.hpp"

namespace dflab {
namespace {

namespace fs = std::filesystem;
using namespace scoring;
using test::shell_quote;

size_t count(const std::string& text, const std::string& what) {
    size_t n = 0;
    for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
}

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    return s;
}

const std::string kEvilName = "<script>alert('name')</script> & Co";
const std::string kEvilAnswer = "<img src=x onerror=\"alert(1)\">";

class Report : public ::testing::Test {
  protected:
    void SetUp() override {
        dir = test::temp_dir();
        db = dir + "/lab.sqlite";
        LabRecord::create(db, "intro", "1.0.0", test::lab_test_key().dump(),
                          "2026-11-28T08:00:00Z");
        record = std::make_unique<LabRecord>(db);
        auto t = std::make_shared<int>(0);
        lab = std::make_unique<Lab>(*record, [t] {
            return parse_utc_iso("2026-11-28T09:00:00Z") + std::chrono::minutes((*t)++);
        });
        lab->add_participant("p1", kEvilName, "red", 0);
        lab->add_participant("p2", "Борис", "", 1);
        lab->add_participant("p3", "Cem", "blue", 0);
        lab->submit("p1", "hash", test::kHash0);
        lab->submit("p1", "essay", kEvilAnswer);
        lab->submit("p2", "hash", test::kHash0);  // variant 0's answer: flagged
        lab->submit("p2", "files", nlohmann::json{"/c.txt"});
        lab->submit("p3", "when", "2023-10-02T14:03:11Z");
    }
    void TearDown() override {
        lab.reset();
        record.reset();
        fs::remove_all(dir);
    }
    std::string dir, db;
    std::unique_ptr<LabRecord> record;
    std::unique_ptr<Lab> lab;
};

TEST_F(Report, OneSvgPerChartAndEverythingInline) {
    ReportData data = collect_report(*lab, "2026-11-28T10:00:00Z");
    const std::string html = render_report_html(data);
    EXPECT_EQ(count(html, "<svg"), 3u);  // distribution, solve rate, score over time
    EXPECT_EQ(count(html, "</svg>"), 3u);
    EXPECT_NE(html.find("<h2>Hardest questions</h2>"), std::string::npos);
    EXPECT_NE(html.find("<h2>Participants</h2>"), std::string::npos);
    const std::string l = lower(html);
    EXPECT_EQ(l.find("<script"), std::string::npos);
    EXPECT_EQ(l.find("<link"), std::string::npos);
    // No element loads anything (participants' text holds "src=", escaped, outside any tag).
    EXPECT_FALSE(std::regex_search(l, std::regex("<[a-z]+[^>]*\\s(src|href)=")));
    EXPECT_EQ(l.find("url("), std::string::npos);
    // The only address is the SVG namespace name, which is never fetched.
    EXPECT_EQ(count(l, "http://") + count(l, "https://"), count(l, "http://www.w3.org/2000/svg"));
    EXPECT_NE(html.find("default-src 'none'"), std::string::npos);
}

TEST_F(Report, EscapesNamesAndAnswers) {
    const std::string html = render_report_html(collect_report(*lab, "now"));
    EXPECT_EQ(html.find(kEvilName), std::string::npos);
    EXPECT_EQ(html.find(kEvilAnswer), std::string::npos);
    EXPECT_NE(html.find("&lt;script&gt;alert(&#39;name&#39;)&lt;/script&gt; &amp; Co"),
              std::string::npos);
    EXPECT_NE(html.find("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;"), std::string::npos);
    EXPECT_NE(html.find("Борис"), std::string::npos);
}

TEST_F(Report, DataHasSolveRatesTimelinesAndSharing) {
    ReportData data = collect_report(*lab, "now");
    ASSERT_EQ(data.questions.size(), 5u);
    EXPECT_EQ(data.questions[0].id, "hash");
    EXPECT_EQ(data.questions[0].attempted, 2);
    EXPECT_EQ(data.questions[0].solved, 1);
    EXPECT_NEAR(data.questions[0].solve_rate, 1.0 / 3, 1e-9);
    EXPECT_EQ(data.submissions, 5);
    ASSERT_EQ(data.standings[0].participant.id, "p1");
    ASSERT_EQ(data.timelines[0].size(), 2u);
    EXPECT_EQ(data.timelines[0][0].time, "2026-11-28T09:03:00Z");
    EXPECT_EQ(data.timelines[0][0].points, 10);
    ASSERT_EQ(data.sharing.size(), 1u);
    EXPECT_EQ(data.sharing[0].participant, "p2");
    EXPECT_EQ(data.sharing[0].other_variants, std::vector<int>{0});
}

// The reviewed free-text question: 3 of 4 points is 0.75 of a solve, in the statistics and on
// the page; teams ranked by the mean unless the instructor chooses otherwise.
TEST_F(Report, ReviewedAnswersCountAsSolvesAndTeamsRankByTheRule) {
    const int64_t essay = record->submissions_of("p1", "essay").at(0).id;
    ReportData before = collect_report(*lab, "now");
    EXPECT_EQ(before.questions[4].solved, 0) << "pending review";
    lab->review(essay, 3, "close", "inst");
    ReportData data = collect_report(*lab, "now");
    ASSERT_EQ(data.questions[4].id, "essay");
    EXPECT_DOUBLE_EQ(data.questions[4].solved, 0.75);
    EXPECT_DOUBLE_EQ(data.questions[4].solve_rate, 0.25);
    const std::string html = render_report_html(data);
    EXPECT_NE(html.find("<td>essay</td><td>free_text</td><td class=\"num\">4</td><td "
                        "class=\"num\">1</td><td class=\"num\">0.75</td><td class=\"num\">25 %"),
              std::string::npos)
        << html.substr(html.find("<h2>Hardest"), 1200);
    // p1 (red) 10 + 3, p3 (blue) 5 ("when"), p2 without a team 0 ("files" wrong).
    ASSERT_EQ(data.teams.size(), 3u);
    EXPECT_EQ(data.team_rule, TeamRule::mean);
    EXPECT_EQ(data.teams[0].team, "red");
    EXPECT_EQ(data.teams[0].points, 13);
    EXPECT_NE(html.find("<h2>Teams</h2>"), std::string::npos);
    EXPECT_NE(html.find("Teams ranked by the mean of their members&#39; points."),
              std::string::npos);
    ReportData by_sum = collect_report(*lab, "now", TeamRule::sum);
    EXPECT_NE(render_report_html(by_sum).find("ranked by the sum"), std::string::npos);
}

TEST(ReportSvg, ChartsAreWellFormedSvg) {
    std::vector<double> values = {0, 3, 3.5, 10, 19, 20};
    std::vector<Bar> bars = {{"a<b", 50}, {"длинный вопрос с очень длинным названием", 100}};
    std::vector<Series> series = {{"Ann & <Bob>", {{0, 1}, {60, 5}}}, {"Cem", {{30, 2}}}};
    const std::string charts[] = {
        histogram_svg(values, 20, 10, "Scores <all>", "points"),
        bar_chart_svg(bars, 100, "Solve rate", " %"),
        line_chart_svg(
            series, "Over time", [](double x) { return format_number(x); }, "points")};
    EXPECT_EQ(count(charts[0], "<rect"), 10u);  // one bar per bin
    EXPECT_NE(charts[0].find("Scores &lt;all&gt;"), std::string::npos);
    EXPECT_NE(charts[1].find("a&lt;b"), std::string::npos);
    EXPECT_EQ(count(charts[2], "<polyline"), 2u);
    const std::string dir = test::temp_dir();
    for (size_t i = 0; i < std::size(charts); ++i) {
        const std::string file = dir + "/chart" + std::to_string(i) + ".svg";
        std::ofstream(file) << charts[i];
        auto r = test::run("python3 -c " +
                           shell_quote("import sys, xml.etree.ElementTree as ET; "
                                       "print(ET.parse(sys.argv[1]).getroot().tag)") +
                           " " + shell_quote(file));
        EXPECT_EQ(r.out, "{http://www.w3.org/2000/svg}svg\n") << r.err << charts[i];
    }
    fs::remove_all(dir);
}

TEST(ReportSvg, NumbersAndEscaping) {
    EXPECT_EQ(format_number(12), "12");
    EXPECT_EQ(format_number(7.5), "7.5");
    EXPECT_EQ(format_number(1.0 / 3), "0.33");
    EXPECT_EQ(html_escape("<a href=\"x\">'&'</a>"),
              "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
}

TEST_F(Report, CommandWritesTheFileWhole) {
    const std::string key = test::write_json(dir + "/answer-key.json", test::lab_test_key());
    const std::string out = dir + "/report.html";
    lab.reset();
    record.reset();
    auto r = test::dflab("report --key " + shell_quote(key) + " --db " + shell_quote(db) + " -o " +
                         shell_quote(out));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.err, "");
    EXPECT_EQ(r.out, "report " + out + " written: 3 participants, 5 submissions, 5 questions\n");
    std::ifstream in(out);
    std::stringstream text;
    text << in.rdbuf();
    EXPECT_EQ(count(text.str(), "<svg"), 3u);
    EXPECT_EQ(text.str().find("<script"), std::string::npos);
    for (const auto& e : fs::directory_iterator(dir)) {
        EXPECT_EQ(e.path().filename().string().find("partial"), std::string::npos);
    }
    // A key that differs from the stored one: a warning, the stored verdicts.
    const std::string other = test::write_json(dir + "/changed.json", test::lab_test_key(4));
    r = test::dflab("report --key " + shell_quote(other) + " --db " + shell_quote(db) + " -o " +
                    shell_quote(out));
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_NE(r.err.find("warning: " + other + " differs from the key"), std::string::npos)
        << r.err;
}

}  // namespace
}  // namespace dflab
