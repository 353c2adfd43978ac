// dflab report: one self-contained HTML page about a lab (charts, standings, per participant).
#include <iostream>
#include <memory>

#include "engine/error.hpp"
#include "scoring/lab_grading.hpp"
#include "scoring/report_data.hpp"
#include "scoring/report_html.hpp"
#include "tools/commands.hpp"

namespace dflab::tools {

namespace {

struct ReportArgs {
    std::string db, key, output, team_rule = "mean", language = "en", zone, bundle;
};

}  // namespace

void register_report(CLI::App& app, int& exit_code) {
    auto a = std::make_shared<ReportArgs>();
    auto* cmd = app.add_subcommand(
        "report",
        "Write a lab report: one self-contained HTML file with score distribution, solve rates, "
        "score over time, hardest questions and every participant's results");
    cmd->add_option("--db", a->db, "The lab record (made by 'dflab lab init')")->required();
    cmd->add_option("--key", a->key, "The pack's answer key: OUT/instructor or answer-key.json")
        ->required();
    cmd->add_option("-o,--output", a->output, "The HTML file to write")->required();
    cmd->add_option("--team-rule", a->team_rule,
                    "How teams are ranked: their members' mean points (default), best or sum")
        ->check(CLI::IsMember({"mean", "best", "sum"}));
    cmd->add_option("--lang,--language", a->language,
                    "The report's language: en (default), ru or kk (labels and <html lang>)")
        ->check(CLI::IsMember({"en", "ru", "kk"}));
    cmd->add_option("--zone", a->zone,
                    "Show times in this time zone (an IANA name such as Asia/Almaty) as well as "
                    "in UTC; default UTC only");
    cmd->add_option("--bundle", a->bundle,
                    "The pack's participant bundle (OUT/participant or its pack.json): questions "
                    "are shown by their titles in the report's language rather than their ids");
    cmd->callback([a, &exit_code] {
        using namespace dflab::scoring;
        ReportView view;
        view.language = a->language;
        if (!a->zone.empty()) view.zone = checked_zone("--zone", a->zone);
        if (!a->bundle.empty()) view.titles = bundle_titles(a->bundle, a->language);
        KeyDocument doc = read_key_document(a->key);
        LabRecord record(a->db);
        const LabInfo info = record.info();
        if (doc.key.pack != info.pack) {
            throw engine::Error(doc.file + ": the key is for pack '" + doc.key.pack +
                                "', the lab record " + a->db + " for pack '" + info.pack + "'");
        }
        if (nlohmann::json::parse(info.answer_key) != doc.json) {
            std::cerr << "dflab: warning: " << doc.file
                      << " differs from the key the lab record was graded with; the report shows "
                         "the stored verdicts (run 'dflab regrade' to apply the new key)\n";
        }
        Lab lab(record, clock_from_environment());
        ReportData data = collect_report(lab, utc_iso(clock_from_environment()()),
                                         team_rule_from_string(a->team_rule));
        write_file_atomically(a->output, render_report_html(data, view));
        std::cout << "report " << a->output << " written: " << data.standings.size()
                  << " participants, " << data.submissions << " submissions, "
                  << data.questions.size() << " questions\n";
        exit_code = 0;
    });
}

}  // namespace dflab::tools
