#include "scoring/report_data.hpp"

#include <algorithm>
#include <map>

namespace dflab::scoring {

namespace {

// Each participant's total after every submission and review, in time order: a question's
// points are those stored with its latest submission, or the latest review's.
std::map<std::string, std::vector<ScorePoint>> timelines(LabRecord& record) {
    struct Event {
        std::string time;
        int64_t order;
        std::string participant, question;
        double points;
    };
    std::vector<Event> events;
    std::map<int64_t, std::pair<std::string, std::string>> owner;
    for (const auto& s : record.submissions()) {
        owner[s.id] = {s.participant, s.question};
        events.push_back({s.time, s.id, s.participant, s.question, s.points});
    }
    for (const auto& r : record.reviews()) {
        auto it = owner.find(r.submission);
        if (it == owner.end()) continue;
        events.push_back(
            {r.time, (int64_t{1} << 40) + r.id, it->second.first, it->second.second, r.points});
    }
    std::stable_sort(events.begin(), events.end(), [](const Event& a, const Event& b) {
        return a.time != b.time ? a.time < b.time : a.order < b.order;
    });
    std::map<std::string, std::map<std::string, double>> current;
    std::map<std::string, std::vector<ScorePoint>> out;
    for (const auto& e : events) {
        auto& questions = current[e.participant];
        questions[e.question] = e.points;
        double total = 0;
        for (const auto& [q, p] : questions) total += p;
        auto& line = out[e.participant];
        if (!line.empty() && line.back().time == e.time) {
            line.back().points = total;
        } else {
            line.push_back({e.time, total});
        }
    }
    return out;
}

}  // namespace

std::string answer_text(const std::string& value_json) {
    const auto value = nlohmann::json::parse(value_json, nullptr, false);
    if (value.is_discarded()) return value_json;
    if (value.is_string()) return value.get<std::string>();
    if (!value.is_array()) return value.dump();
    std::string out;
    for (const auto& item : value) {
        if (!out.empty()) out += "\n";
        out += item.is_string() ? item.get<std::string>() : item.dump();
    }
    return out;
}

ReportData collect_report(Lab& lab, std::string generated, TeamRule team_rule) {
    ReportData data;
    const AnswerKey& key = lab.key();
    data.pack = key.pack;
    data.pack_version = key.pack_version;
    data.generated = std::move(generated);
    data.standings = lab.standings();
    for (const auto& q : key.questions) data.max_points += q.points;
    const double participants = static_cast<double>(data.standings.size());
    for (size_t i = 0; i < key.questions.size(); ++i) {
        const KeyQuestion& q = key.questions[i];
        QuestionStatistics s{q.id, q.type, q.points};
        int attempts = 0;
        double points = 0;
        for (const auto& standing : data.standings) {
            const QuestionStanding& qs = standing.questions[i];
            s.attempted += qs.answered ? 1 : 0;
            s.solved += solved_share(qs);
            attempts += qs.attempts;
            points += qs.points;
        }
        if (participants > 0) {
            s.solve_rate = s.solved / participants;
            s.mean_points = points / participants;
        }
        if (s.attempted > 0) s.mean_attempts = static_cast<double>(attempts) / s.attempted;
        data.questions.push_back(std::move(s));
    }
    data.team_rule = team_rule;
    if (std::any_of(data.standings.begin(), data.standings.end(),
                    [](const Standing& s) { return !s.participant.team.empty(); }))
        data.teams = team_standings(data.standings, team_rule);
    auto lines = timelines(lab.record());
    for (const auto& standing : data.standings) {
        data.submissions += standing.submissions;
        data.timelines.push_back(lines[standing.participant.id]);
    }
    std::map<int64_t, const SubmissionRow*> by_id;
    const auto rows = lab.record().submissions();
    for (const auto& r : rows) {
        by_id[r.id] = &r;
        data.last_answers[{r.participant, r.question}] = answer_text(r.value);
    }
    for (const auto& f : lab.record().sharing_flags()) {
        auto it = by_id.find(f.submission);
        if (it == by_id.end()) continue;
        data.sharing.push_back({f.submission, it->second->participant, it->second->question,
                                it->second->time, f.other_variants});
    }
    return data;
}

}  // namespace dflab::scoring
