// dflab score --key OUT/instructor FINDINGS... [--json]: grades findings files against an answer
// key, one attempt per question per file, and flags answers right for another variant.
#include <cmath>
#include <cstdio>
#include <functional>
#include <iostream>
#include <map>
#include <memory>

#include "common/message_value.hpp"
#include "scoring/answer_key.hpp"
#include "scoring/findings.hpp"
#include "scoring/grade.hpp"
#include "scoring/policy.hpp"
#include "tools/commands.hpp"

namespace dflab::tools {

namespace {

using scoring::Verdict;

struct ScoreArgs {
    std::string key;
    std::vector<std::string> findings;
    bool json = false;
    std::string language = "en";  // of the feedback
};

struct Scored {
    scoring::QuestionResult result;
    std::string normalised;
    std::vector<int> sharing;  // other variants the answer is right for
};

struct Sheet {
    scoring::Findings findings;
    std::vector<Scored> questions;  // in the key's order
    double total = 0, max = 0;
    int pending = 0;
};

// Points for people: at most two decimals, without trailing zeros ("5.33", "10").
std::string number(double p) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.2f", p);
    std::string s = buffer;
    while (s.back() == '0') s.pop_back();
    if (s.back() == '.') s.pop_back();
    return s;
}

// Points for scripts: rounded to a millionth, so sums like 13.333333333333332 read 13.333333.
double rounded(double p) {
    return std::round(p * 1e6) / 1e6;
}

Sheet score(const scoring::AnswerKey& key, scoring::Findings findings) {
    Sheet sheet{std::move(findings), {}, 0, 0, 0};
    const scoring::Findings& f = sheet.findings;
    std::map<std::string, scoring::Grade> grades;
    for (const auto& q : key.questions)
        if (const nlohmann::json* answer = f.answer(q.id))
            grades[q.id] = scoring::grade_answer(q, *answer, f.variant, key.date_order);
    // Prerequisites: met when each one's own result is correct (the key has no cycles).
    std::map<std::string, scoring::QuestionResult> results;
    std::function<const scoring::QuestionResult&(const scoring::KeyQuestion&)> result_of =
        [&](const scoring::KeyQuestion& q) -> const scoring::QuestionResult& {
        if (auto it = results.find(q.id); it != results.end()) return it->second;
        bool met = true;
        for (const auto& p : q.prerequisites)
            met = met && result_of(*key.find(p)).verdict == Verdict::correct;
        std::vector<scoring::Grade> attempts;
        if (auto it = grades.find(q.id); it != grades.end()) attempts.push_back(it->second);
        return results[q.id] = scoring::apply_policy(q, attempts, 0, met);
    };
    for (const auto& q : key.questions) {
        Scored s{result_of(q), "", {}};
        if (const nlohmann::json* answer = f.answer(q.id)) {
            s.normalised = grades[q.id].normalised;
            s.sharing = scoring::matching_other_variants(q, *answer, f.variant, key.date_order);
        }
        sheet.total += s.result.points;
        sheet.max += s.result.max_points;
        sheet.pending += s.result.verdict == Verdict::pending_review;
        sheet.questions.push_back(std::move(s));
    }
    return sheet;
}

nlohmann::ordered_json sheet_json(const Sheet& sheet) {
    const scoring::Findings& f = sheet.findings;
    nlohmann::ordered_json out;
    out["file"] = f.file.string();
    out["participant"] = f.participant;
    if (!f.team.empty()) out["team"] = f.team;
    out["pack"] = f.pack;
    out["variant"] = f.variant;
    out["total"] = rounded(sheet.total);
    out["max"] = rounded(sheet.max);
    out["pending_review"] = sheet.pending;
    out["questions"] = nlohmann::ordered_json::array();
    for (const auto& s : sheet.questions) {
        nlohmann::ordered_json q;
        q["id"] = s.result.id;
        q["verdict"] = std::string(scoring::to_string(s.result.verdict));
        q["understood"] = s.result.understood;  // false: not read, no attempt (feedback says why)
        q["points"] = rounded(s.result.points);
        q["max_points"] = s.result.max_points;
        q["feedback"] = s.result.feedback;
        q["normalised"] = s.normalised;
        q["possible_sharing"] = s.sharing;  // variants whose answer this is
        out["questions"].push_back(std::move(q));
    }
    return out;
}

void print_sheet(const Sheet& sheet) {
    const scoring::Findings& f = sheet.findings;
    std::cout << f.participant;
    if (!f.team.empty()) std::cout << " (team " << f.team << ")";
    std::cout << ", pack " << f.pack << ", variant " << f.variant << ": " << f.file.string()
              << "\n";
    size_t width = 8;
    for (const auto& s : sheet.questions) width = std::max(width, s.result.id.size());
    const auto row = [&](std::string_view id, std::string_view verdict, std::string_view points,
                         std::string_view feedback) {
        std::string line = "  " + std::string(id);
        line.resize(2 + width + 2, ' ');
        line += verdict;
        line.resize(2 + width + 2 + 16, ' ');
        std::string p(points);
        line +=
            std::string(p.size() < 9 ? 9 - p.size() : 0, ' ') + p + "  " + std::string(feedback);
        while (!line.empty() && line.back() == ' ') line.pop_back();
        std::cout << line << "\n";
    };
    row("QUESTION", "VERDICT", "POINTS", "FEEDBACK");
    for (const auto& s : sheet.questions)
        row(s.result.id,
            s.result.understood ? scoring::to_string(s.result.verdict) : "not understood",
            number(s.result.points) + "/" + number(s.result.max_points), s.result.feedback);
    row("TOTAL", "", number(sheet.total) + "/" + number(sheet.max),
        sheet.pending ? std::to_string(sheet.pending) + " answer(s) pending review" : "");
    for (const auto& s : sheet.questions) {
        if (s.sharing.empty()) continue;
        std::string variants;
        for (int v : s.sharing) variants += (variants.empty() ? "" : ", ") + std::to_string(v);
        std::cout << "  possible sharing: the answer to " << s.result.id << " is right for variant "
                  << variants << ", not for variant " << f.variant << "\n";
    }
}

}  // namespace

void register_score(CLI::App& app, int& exit_code) {
    auto a = std::make_shared<ScoreArgs>();
    auto* cmd = app.add_subcommand(
        "score",
        "Grade participants' findings files against a pack's answer key: verdict, points and "
        "feedback per question, totals, and answers that are right for another variant");
    cmd->add_option("--key", a->key,
                    "The answer key: OUT/instructor (from 'dflab pack build') or its "
                    "answer-key.json")
        ->required();
    cmd->add_option("FINDINGS", a->findings, "Findings files (YAML or JSON), one per participant")
        ->required();
    cmd->add_flag("--json", a->json,
                  "JSON: one object per findings file (an array when several are given)");
    cmd->add_option("--lang,--language", a->language, "The language of the feedback: en, ru or kk")
        ->check(CLI::IsMember({"en", "ru", "kk"}))
        ->capture_default_str();
    cmd->callback([a, &exit_code] {
        scoring::AnswerKey key = scoring::load_answer_key(a->key);
        std::vector<Sheet> sheets;
        for (const auto& file : a->findings) {
            scoring::Findings f = scoring::load_findings(file);
            scoring::check_findings(f, key);
            sheets.push_back(score(key, std::move(f)));
        }
        for (auto& sheet : sheets)
            for (auto& q : sheet.questions)
                if (!q.result.message.empty())
                    q.result.feedback = common::render(a->language, q.result.message);
        if (a->json) {
            if (sheets.size() == 1) {
                std::cout << sheet_json(sheets[0]).dump(2) << "\n";
            } else {
                nlohmann::ordered_json all = nlohmann::ordered_json::array();
                for (const auto& s : sheets) all.push_back(sheet_json(s));
                std::cout << all.dump(2) << "\n";
            }
        } else {
            for (size_t i = 0; i < sheets.size(); ++i) {
                if (i) std::cout << "\n";
                print_sheet(sheets[i]);
            }
        }
        exit_code = 0;
    });
}

}  // namespace dflab::tools
