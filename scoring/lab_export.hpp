#pragma once
// Tables of a lab for people and scripts: scoreboard rows, team totals, exported submissions and
// per-participant totals (CSV or JSON). Built from a lab session; printing is the caller's.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "scoring/lab_grading.hpp"

namespace dflab::scoring {

struct Table {
    std::vector<std::string> header;
    std::vector<bool> text;  // per column: participant-provided text (CSV guards it, see lab_csv)
    std::vector<std::vector<std::string>> rows;
};

struct TeamStanding {
    std::string team;  // "" for participants without a team
    int members = 0;
    double points = 0, max_points = 0;
};

// Teams by points (sum of the members' points), highest first.
std::vector<TeamStanding> team_standings(const std::vector<Standing>& standings);

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
