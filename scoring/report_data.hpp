#pragma once
// What the lab report shows, gathered from a lab session (scoring/lab_grading.hpp): per-question
// statistics, ranked participants with their per-question standing, and each participant's score
// over time. No HTML here (scoring/report_html.hpp).
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "scoring/lab_export.hpp"
#include "scoring/lab_grading.hpp"

namespace dflab::scoring {

struct QuestionStatistics {
    std::string id, type;
    double points = 0;
    int attempted = 0;         // participants with at least one submission
    double solved = 0;         // participants who solved it; partial solves (a review of 12 of
                               // 15 points) count as their share (solved_share)
    double solve_rate = 0;     // solved / participants (0 without participants)
    double mean_attempts = 0;  // per participant who attempted
    double mean_points = 0;    // per participant
};

struct ScorePoint {
    std::string time;   // ISO 8601 UTC
    double points = 0;  // the participant's total from then on
};

struct SharingItem {
    int64_t submission = 0;
    std::string participant, question, time;
    std::vector<int> other_variants;
};

struct ReportData {
    std::string pack, pack_version, generated;
    int64_t submissions = 0;
    double max_points = 0;
    std::vector<QuestionStatistics> questions;       // in the key's order
    std::vector<Standing> standings;                 // ranked
    std::vector<std::vector<ScorePoint>> timelines;  // one per standing, same order
    std::vector<SharingItem> sharing;
    std::vector<TeamStanding> teams;  // ranked by team_rule; empty when nobody has a team
    TeamRule team_rule = TeamRule::mean;
    // The last value each participant submitted per question, as text: (participant, question).
    std::map<std::pair<std::string, std::string>, std::string> last_answers;
};

// A stored value (JSON text) as a person reads it: a string as is, a list one item per line.
std::string answer_text(const std::string& value_json);

ReportData collect_report(Lab& lab, std::string generated, TeamRule team_rule = TeamRule::mean);

}  // namespace dflab::scoring
