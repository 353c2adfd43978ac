#include "scoring/lab_export.hpp"

#include <algorithm>
#include <map>

#include "common/error.hpp"
#include "scoring/lab_csv.hpp"
#include "scoring/report_data.hpp"
#include "scoring/report_svg.hpp"

namespace dflab::scoring {

namespace {

const std::vector<std::string> kSubmissionHeader = {"submission",
                                                    "time",
                                                    "participant",
                                                    "name",
                                                    "team",
                                                    "variant",
                                                    "question",
                                                    "value",
                                                    "normalised",
                                                    "verdict",
                                                    "fraction",
                                                    "points",
                                                    "hints_used",
                                                    "review_points",
                                                    "reviewer",
                                                    "review_comment",
                                                    "flagged_variants"};
const std::vector<bool> kSubmissionText = {false, false, true, true,  true,  false,
                                           false, true,  true, false, false, false,
                                           false, false, true, true,  false};

struct SubmissionExtras {
    std::map<std::string, ParticipantRow> participants;
    std::map<int64_t, ReviewRow> reviews;  // the latest per submission
    std::map<int64_t, std::vector<int>> flags;
};

SubmissionExtras extras(LabRecord& record) {
    SubmissionExtras x;
    for (auto& p : record.participants()) x.participants[p.id] = p;
    for (auto& r : record.reviews()) x.reviews[r.submission] = r;
    for (auto& f : record.sharing_flags()) x.flags[f.submission] = f.other_variants;
    return x;
}

std::string variants_text(const std::vector<int>& variants) {
    std::string out;
    for (int v : variants) out += (out.empty() ? "" : " ") + std::to_string(v);
    return out;
}

}  // namespace

std::string_view to_string(TeamRule rule) {
    switch (rule) {
        case TeamRule::best:
            return "best";
        case TeamRule::sum:
            return "sum";
        case TeamRule::mean:
            break;
    }
    return "mean";
}

TeamRule team_rule_from_string(std::string_view text) {
    for (TeamRule rule : {TeamRule::mean, TeamRule::best, TeamRule::sum})
        if (to_string(rule) == text) return rule;
    throw common::Error("team rule '" + std::string(text) + "': must be mean, best or sum");
}

std::vector<TeamStanding> team_standings(const std::vector<Standing>& standings, TeamRule rule) {
    std::map<std::string, TeamStanding> teams;
    for (const auto& s : standings) {
        auto& t = teams[s.participant.team];
        t.team = s.participant.team;
        t.rule = rule;
        t.members += 1;
        t.sum += s.points;
        if (rule == TeamRule::sum) {
            t.points += s.points;
            t.max_points += s.max_points;
        } else if (rule == TeamRule::best) {
            t.points = t.members == 1 ? s.points : std::max(t.points, s.points);
            t.max_points = std::max(t.max_points, s.max_points);
        } else {
            t.max_points = std::max(t.max_points, s.max_points);
        }
    }
    std::vector<TeamStanding> out;
    for (auto& [name, t] : teams) {
        if (rule == TeamRule::mean) t.points = t.sum / t.members;
        out.push_back(t);
    }
    std::stable_sort(out.begin(), out.end(), [](const TeamStanding& a, const TeamStanding& b) {
        return a.points > b.points;
    });
    return out;
}

double solved_share(const QuestionStanding& q) {
    if (q.verdict == Verdict::correct) return 1;
    if (q.verdict != Verdict::partial || q.max_points <= 0) return 0;
    return std::clamp(q.points / q.max_points, 0.0, 1.0);
}

double solved_share(const Standing& standing) {
    double solved = 0;
    for (const auto& q : standing.questions) solved += solved_share(q);
    return solved;
}

nlohmann::ordered_json standing_json(const Standing& s, int rank) {
    nlohmann::ordered_json questions = nlohmann::ordered_json::object();
    for (const auto& q : s.questions) {
        questions[q.question] = {
            {"verdict", q.answered || q.reviewed ? nlohmann::json(to_string(q.verdict))
                                                 : nlohmann::json(nullptr)},
            {"points", q.points},
            {"solved", solved_share(q)},
            {"attempts", q.attempts},
            {"hints", q.hints},
            {"reviewed", q.reviewed}};
    }
    return {{"rank", rank},
            {"participant", s.participant.id},
            {"name", s.participant.name},
            {"team", s.participant.team},
            {"variant", s.participant.variant},
            {"points", s.points},
            {"max_points", s.max_points},
            {"solved", solved_share(s)},
            {"submissions", s.submissions},
            {"flags", s.flags},
            {"last_submission",
             s.last_time.empty() ? nlohmann::json(nullptr) : nlohmann::json(s.last_time)},
            {"questions", questions}};
}

nlohmann::ordered_json team_json(const TeamStanding& t, int rank) {
    return {{"rank", rank},         {"team", t.team},
            {"members", t.members}, {"rule", to_string(t.rule)},
            {"points", t.points},   {"max_points", t.max_points},
            {"sum", t.sum}};
}

Table submissions_table(Lab& lab) {
    Table table{kSubmissionHeader, kSubmissionText, {}};
    SubmissionExtras x = extras(lab.record());
    for (const auto& s : lab.record().submissions()) {
        const ParticipantRow& p = x.participants[s.participant];
        auto review = x.reviews.find(s.id);
        auto flag = x.flags.find(s.id);
        const bool reviewed = review != x.reviews.end();
        table.rows.push_back(
            {std::to_string(s.id), s.time, s.participant, p.name, p.team, std::to_string(s.variant),
             s.question, answer_text(s.value), s.normalised, s.verdict, format_number(s.fraction),
             format_number(s.points), std::to_string(s.hints_used),
             reviewed ? format_number(review->second.points) : "",
             reviewed ? review->second.reviewer : "", reviewed ? review->second.comment : "",
             flag != x.flags.end() ? variants_text(flag->second) : ""});
    }
    return table;
}

Table totals_table(const AnswerKey& key, const std::vector<Standing>& standings) {
    Table table{{"rank", "participant", "name", "team", "variant", "points", "max_points", "solved",
                 "submissions", "flags"},
                {false, true, true, true, false, false, false, false, false, false},
                {}};
    for (const auto& q : key.questions) {
        table.header.push_back("q:" + q.id);
        table.text.push_back(false);
    }
    for (size_t i = 0; i < standings.size(); ++i) {
        const Standing& s = standings[i];
        std::vector<std::string> row = {std::to_string(i + 1),
                                        s.participant.id,
                                        s.participant.name,
                                        s.participant.team,
                                        std::to_string(s.participant.variant),
                                        format_number(s.points),
                                        format_number(s.max_points),
                                        format_number(solved_share(s)),
                                        std::to_string(s.submissions),
                                        std::to_string(s.flags)};
        for (const auto& q : s.questions) row.push_back(format_number(q.points));
        table.rows.push_back(std::move(row));
    }
    return table;
}

std::string table_csv(const Table& table) {
    std::string out = csv_line(table.header);
    for (const auto& row : table.rows) out += csv_line(row, table.text);
    return out;
}

nlohmann::ordered_json export_json(Lab& lab) {
    SubmissionExtras x = extras(lab.record());
    nlohmann::ordered_json submissions = nlohmann::ordered_json::array();
    for (const auto& s : lab.record().submissions()) {
        auto review = x.reviews.find(s.id);
        auto flag = x.flags.find(s.id);
        nlohmann::ordered_json row = {{"submission", s.id},
                                      {"time", s.time},
                                      {"participant", s.participant},
                                      {"question", s.question},
                                      {"variant", s.variant},
                                      {"value", nlohmann::json::parse(s.value)},
                                      {"normalised", s.normalised},
                                      {"verdict", s.verdict},
                                      {"fraction", s.fraction},
                                      {"points", s.points},
                                      {"feedback", s.feedback},
                                      {"hints_used", s.hints_used},
                                      {"review", nullptr},
                                      {"flagged_variants", nullptr}};
        if (review != x.reviews.end()) {
            row["review"] = {{"points", review->second.points},
                             {"reviewer", review->second.reviewer},
                             {"comment", review->second.comment},
                             {"time", review->second.time}};
        }
        if (flag != x.flags.end()) row["flagged_variants"] = flag->second;
        submissions.push_back(std::move(row));
    }
    nlohmann::ordered_json totals = nlohmann::ordered_json::array();
    const auto standings = lab.standings();
    for (size_t i = 0; i < standings.size(); ++i) {
        totals.push_back(standing_json(standings[i], static_cast<int>(i + 1)));
    }
    return {{"pack", lab.key().pack},
            {"pack_version", lab.key().pack_version},
            {"submissions", submissions},
            {"totals", totals}};
}

}  // namespace dflab::scoring
