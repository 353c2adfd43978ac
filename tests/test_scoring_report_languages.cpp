// The lab report in three languages (dflab report --language, --zone, --bundle): <html lang>, the
// labels of the catalogue (read by gettext's msgfmt and Python's gettext), question titles rather
// than ids, times in the lab's zone (as GNU date gives them) as well as UTC.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "scoring/lab_grading.hpp"
#include "scoring/report_data.hpp"
#include "scoring/report_html.hpp"
#include "scoring/report_svg.hpp"
#include "tests/lab_test_key.hpp"
#include "tests/support/catalogue_oracle.hpp"
#include "tests/support/fixtures.hpp"

namespace dflab {
namespace {

namespace fs = std::filesystem;
using namespace scoring;
using test::catalogue_text;
using test::fill;
using test::shell_quote;

std::string read_text(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

std::string label(const std::string& lang, const std::string& key) {
    return html_escape(catalogue_text(lang, "report." + key));
}

class ReportLanguages : public ::testing::Test {
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
        lab->add_participant("p1", "Айгерим", "red", 0);
        lab->add_participant("p2", "Борис", "", 1);
        lab->add_participant("p3", "Cem", "blue", 0);
        lab->submit("p1", "hash", test::kHash0);
        lab->submit("p1", "essay", "Флешка");
        lab->submit("p2", "hash", test::kHash0);
        lab->submit("p2", "files", nlohmann::json{"/c.txt"});
        lab->submit("p3", "when", "2023-10-02T14:03:11Z");
    }
    void TearDown() override {
        lab.reset();
        record.reset();
        fs::remove_all(dir);
    }
    // A participant bundle's pack.json with titles for two of the key's questions.
    std::string bundle() const {
        const std::string folder = dir + "/participant";
        fs::create_directories(folder);
        nlohmann::json pack = {{"format", "dflab-pack"},
                               {"id", "intro"},
                               {"questions",
                                {{{"id", "hash"},
                                  {"title",
                                   {{"en", "Verify the evidence"},
                                    {"ru", "Проверка улики"},
                                    {"kk", "Айғақты тексеру"}}}},
                                 {{"id", "when"}, {"title", {{"en", "When was it sent"}}}}}}};
        test::write_json(folder + "/pack.json", pack);
        return folder;
    }
    std::string dir, db;
    std::unique_ptr<LabRecord> record;
    std::unique_ptr<Lab> lab;
};

TEST_F(ReportLanguages, EnglishByDefault) {
    const std::string html = render_report_html(collect_report(*lab, "2026-11-28T10:00:00Z"));
    EXPECT_NE(html.find("<html lang=\"en\">"), std::string::npos);
    EXPECT_NE(html.find("<h2>" + label("en", "hardest") + "</h2>"), std::string::npos);
    EXPECT_NE(html.find("<td>hash</td>"), std::string::npos) << "ids without titles";
}

TEST_F(ReportLanguages, KazakhLabelsTitlesAndPluralForms) {
    ReportView view;
    view.language = "kk";
    view.titles = bundle_titles(bundle(), "kk");
    EXPECT_EQ(view.titles.at("hash"), "Айғақты тексеру");
    EXPECT_EQ(view.titles.at("when"), "When was it sent") << "English when kk lacks one";
    const std::string html = render_report_html(collect_report(*lab, "2026-11-28T10:00:00Z"), view);
    EXPECT_NE(html.find("<html lang=\"kk\">"), std::string::npos);
    for (const char* key : {"hardest", "standings", "teams", "sharing", "participants"})
        EXPECT_NE(html.find("<h2>" + label("kk", key) + "</h2>"), std::string::npos) << key;
    EXPECT_NE(html.find("<th>" + label("kk", "column.question") + "</th>"), std::string::npos);
    EXPECT_NE(html.find(label("kk", "teams.ranked.mean")), std::string::npos);
    EXPECT_NE(html.find("<td>Айғақты тексеру</td>"), std::string::npos);
    EXPECT_EQ(html.find("<tr><td>hash</td>"), std::string::npos) << "a question shown by its id";
    EXPECT_NE(html.find(html_escape(
                  fill(catalogue_text("kk", "report.count.participants", 3), {{"n", "3"}}))),
              std::string::npos);
    EXPECT_EQ(html.find("<h2>Hardest questions</h2>"), std::string::npos);
    // Russian: five submissions take the genitive plural.
    view.language = "ru";
    const std::string ru = render_report_html(collect_report(*lab, "now"), view);
    EXPECT_NE(ru.find("<html lang=\"ru\">"), std::string::npos);
    EXPECT_NE(ru.find(html_escape(
                  fill(catalogue_text("ru", "report.count.submissions", 5), {{"n", "5"}}))),
              std::string::npos);
}

TEST_F(ReportLanguages, NoLabelIsMissingFromAnyCatalogue) {
    // A key missing from a catalogue is shown as the key itself ("report.column.rank").
    for (const std::string lang : {"en", "ru", "kk"}) {
        ReportView view;
        view.language = lang;
        view.zone = "Asia/Almaty";
        for (TeamRule rule : {TeamRule::mean, TeamRule::best, TeamRule::sum}) {
            const std::string html =
                render_report_html(collect_report(*lab, "2026-11-28T10:00:00Z", rule), view);
            EXPECT_EQ(html.find("report."), std::string::npos)
                << lang << ": " << html.substr(html.find("report."), 80);
        }
    }
}

TEST_F(ReportLanguages, TimesInTheZoneAndInUtc) {
    ReportView view;
    view.zone = "Asia/Almaty";
    const std::string html = render_report_html(collect_report(*lab, "2026-11-28T10:00:00Z"), view);
    auto local = test::run("TZ=Asia/Almaty date -d 2026-11-28T10:00:00Z '+%Y-%m-%d %H:%M:%S %Z'");
    ASSERT_EQ(local.exit_code, 0);
    const std::string expected = test::lines(local.out).front() + " (10:00:00 UTC)";
    EXPECT_NE(html.find(html_escape(expected)), std::string::npos) << expected;
    EXPECT_NE(html.find(html_escape(
                  fill(catalogue_text("en", "report.times"), {{"zone", "Asia/Almaty"}}))),
              std::string::npos);
}

TEST_F(ReportLanguages, CommandTakesLanguageZoneAndBundle) {
    const std::string key = test::write_json(dir + "/answer-key.json", test::lab_test_key());
    const std::string out = dir + "/report.html";
    const std::string participant = bundle();
    lab.reset();
    record.reset();
    const std::string base =
        "report --key " + shell_quote(key) + " --db " + shell_quote(db) + " -o " + shell_quote(out);
    auto r = test::dflab(base + " --language ru --zone Asia/Almaty --bundle " +
                         shell_quote(participant));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const std::string html = read_text(out);
    EXPECT_NE(html.find("<html lang=\"ru\">"), std::string::npos);
    EXPECT_NE(html.find("<td>Проверка улики</td>"), std::string::npos);
    EXPECT_NE(html.find("<h2>" + label("ru", "standings") + "</h2>"), std::string::npos);
    EXPECT_NE(html.find(" +05 ("), std::string::npos) << "Almaty time beside UTC";
    // Bad input: one line naming it, non-zero exit.
    r = test::dflab(base + " --zone Mars/Olympus_Mons");
    EXPECT_NE(r.exit_code, 0);
    EXPECT_NE(r.err.find("Mars/Olympus_Mons"), std::string::npos) << r.err;
    EXPECT_EQ(test::lines(r.err).size(), 1u) << r.err;
    r = test::dflab(base + " --language de");
    EXPECT_NE(r.exit_code, 0);
    test::write_json(participant + "/pack.json", nlohmann::json{{"questions", 3}});
    r = test::dflab(base + " --bundle " + shell_quote(participant));
    EXPECT_NE(r.exit_code, 0);
    EXPECT_NE(r.err.find("pack.json"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace dflab
