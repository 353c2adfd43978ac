#pragma once
// Tables of a lab for people and scripts: scoreboard rows, team totals, exported submissions and
// per-participant totals (CSV or JSON). Built from a lab session; printing is the caller's.
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "scoring/lab_grading.hpp"

namespace dflab::scoring {

struct Table {
    std::vector<std::string> header;
    std::vector<bool> text;  // per column: participant-provided text (CSV guards it, see lab_csv)
    std::vector<std::vector<std::string>> rows;
};

// How a team's points come from its members': the mean (the default: a team of two does not beat
// a team of one by size alone), the best member's, or the sum.
enum class TeamRule { mean, best, sum };
std::string_view to_string(TeamRule rule);              // "mean", "best", "sum"
TeamRule team_rule_from_string(std::string_view text);  // throws common::Error when unknown

struct TeamStanding {
    std::string team;  // "" for participants without a team
    int members = 0;
    double points = 0, max_points = 0;  // by the rule (sum: the members' maxima added)
    double sum = 0;                     // the members' points added, whatever the rule
    TeamRule rule = TeamRule::mean;
};

// Teams by points under `rule`, highest first (ties: by team name).
std::vector<TeamStanding> team_standings(const std::vector<Standing>& standings,
                                         TeamRule rule = TeamRule::mean);

// How much of a question a participant solved: 1 when correct, the share of its points when
// partly correct (an instructor's review of 12 of 15 points is 0.8), else 0. Solve counts and
// rates everywhere (scoreboard, exports, report) add these shares.
double solved_share(const QuestionStanding& question);
double solved_share(const Standing& standing);  // over its questions

nlohmann::ordered_json standing_json(const Standing& standing, int rank);
nlohmann::ordered_json team_json(const TeamStanding& team, int rank);

// Every submission in order, with its review and sharing flag.
Table submissions_table(Lab& lab);
// One row per participant, ranked, with a column of points per question ("q:ID").
Table totals_table(const AnswerKey& key, const std::vector<Standing>& standings);
std::string table_csv(const Table& table);
// {"pack", "pack_version", "submissions": [...], "totals": [...]}; values keep their JSON type.
nlohmann::ordered_json export_json(Lab& lab);

}  // namespace dflab::scoring
