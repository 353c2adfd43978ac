// dflab regrade: grade every submission of a lab record again against a corrected answer key.
#include <iostream>
#include <memory>

#include "scoring/lab_grading.hpp"
#include "scoring/report_svg.hpp"
#include "tools/commands.hpp"

namespace dflab::tools {

namespace {

struct RegradeArgs {
    std::string db, key;
};

}  // namespace

void register_regrade(CLI::App& app, int& exit_code) {
    auto a = std::make_shared<RegradeArgs>();
    auto* cmd = app.add_subcommand(
        "regrade",
        "Grade every submission of a lab record again against a corrected answer key, store the "
        "new verdicts and key, and print what changed");
    cmd->add_option("--db", a->db, "The lab record (made by 'dflab lab init')")->required();
    cmd->add_option("--key", a->key, "The corrected key: OUT/instructor or its answer-key.json")
        ->required();
    cmd->callback([a, &exit_code] {
        using namespace dflab::scoring;
        KeyDocument doc = read_key_document(a->key);
        LabRecord record(a->db);
        RegradeSummary s = regrade(record, doc.json, doc.file, clock_from_environment());
        std::cout << "regraded " << s.submissions << " submissions of " << a->db << " against "
                  << doc.file << " (pack " << doc.key.pack << " " << doc.key.pack_version
                  << (s.key_changed ? ", a changed key" : ", the same key") << ")\n";
        std::cout << "verdicts changed: " << s.verdict_changes.size() << "\n";
        for (const auto& c : s.verdict_changes) {
            std::cout << "  submission " << c.submission << "  " << c.participant << "/"
                      << c.question << "  " << c.old_verdict << " -> " << c.new_verdict << "  ("
                      << format_number(c.old_points) << " -> " << format_number(c.new_points)
                      << " points)\n";
        }
        std::cout << "submissions whose points changed: " << s.points_changed << "\n";
        std::cout << "participant totals changed: " << s.totals.size() << "\n";
        for (const auto& [id, change] : s.totals) {
            std::cout << "  " << id << "  " << format_number(change.first) << " -> "
                      << format_number(change.second) << "\n";
        }
        exit_code = 0;
    });
}

}  // namespace dflab::tools
