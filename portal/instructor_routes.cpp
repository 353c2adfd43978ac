// What instructors may do under /api/v1/instructor/: follow the room (dashboard and its live
// event stream), review free-text answers, show, hide and freeze the scoreboard, announce,
// correct the key and regrade, and take the export and the report.
#include <algorithm>
#include <map>
#include <set>

#include "common/error.hpp"
#include "common/messages.hpp"
#include "portal/portal_context.hpp"
#include "scoring/answer_types.hpp"
#include "scoring/lab_export.hpp"
#include "scoring/report_data.hpp"
#include "scoring/report_html.hpp"

namespace dflab::portal {

namespace {

using nlohmann::json;

std::string now_iso() {
    return scoring::utc_iso(scoring::clock_from_environment()());
}

json lab_summary(PortalLab& lab) {
    auto lock = lab.lock();
    return {{"lab", lab.id()},
            {"pack_version", lab.lab().key().pack_version},
            {"title", lab.manifest().value("title", json::object())},
            {"participants", lab.record().count_participants()},
            {"submissions", lab.record().submissions().size()},
            {"scoreboard",
             {{"visible", lab.scoreboard_visible()},
              {"frozen",
               lab.scoreboard_frozen().empty() ? json(nullptr) : json(lab.scoreboard_frozen())}}}};
}

json submission_json(const scoring::SubmissionRow& s,
                     const std::map<std::string, std::string>& names) {
    auto name = names.find(s.participant);
    return {{"id", s.id},
            {"time", s.time},
            {"participant", s.participant},
            {"name", name != names.end() ? name->second : ""},
            {"question", s.question},
            {"verdict", s.verdict},
            {"points", s.points},
            {"answer", scoring::answer_text(s.value)}};
}

Reply dashboard(PortalLab& lab) {
    auto lock = lab.lock();
    const auto standings = lab.lab().standings();
    const auto submissions = lab.record().submissions();
    const auto reviews = lab.record().reviews();
    const auto flags = lab.record().sharing_flags();
    std::map<std::string, std::string> names;
    for (const auto& p : lab.record().participants()) names[p.id] = p.name;
    json questions = json::array();
    const json& manifest_questions = lab.manifest().at("questions");
    for (const auto& q : lab.lab().key().questions) {
        int solves = 0, attempts = 0, partial = 0;
        for (const auto& s : standings)
            for (const auto& qs : s.questions) {
                if (qs.question != q.id) continue;
                solves += qs.verdict == scoring::Verdict::correct ? 1 : 0;
                partial += qs.verdict == scoring::Verdict::partial ? 1 : 0;
                attempts += qs.attempts;
            }
        json title = json::object();
        for (const auto& mq : manifest_questions)
            if (mq.value("id", "") == q.id) title = mq.value("title", json::object());
        questions.push_back({{"id", q.id},
                             {"title", title},
                             {"points", q.points},
                             {"solves", solves},
                             {"partial", partial},
                             {"attempts", attempts}});
    }
    json participants = json::array();
    for (const auto& s : standings) {
        participants.push_back({{"id", s.participant.id},
                                {"name", s.participant.name},
                                {"team", s.participant.team},
                                {"variant", s.participant.variant},
                                {"points", s.points},
                                {"max_points", s.max_points},
                                {"solved", s.solved},
                                {"submissions", s.submissions},
                                {"flags", s.flags},
                                {"last", s.last_time}});
    }
    json latest = json::array();
    for (size_t i = submissions.size(); i > 0 && latest.size() < 50; --i)
        latest.push_back(submission_json(submissions[i - 1], names));
    std::map<int64_t, const scoring::SubmissionRow*> by_id;
    for (const auto& s : submissions) by_id[s.id] = &s;
    json flag_list = json::array();
    for (const auto& f : flags) {
        auto s = by_id.find(f.submission);
        if (s == by_id.end()) continue;
        json item = submission_json(*s->second, names);
        item["other_variants"] = f.other_variants;
        flag_list.push_back(item);
    }
    std::set<int64_t> reviewed;
    for (const auto& r : reviews) reviewed.insert(r.submission);
    int pending = 0;
    for (const auto& s : submissions)
        pending += s.verdict == "pending_review" && !reviewed.count(s.id) ? 1 : 0;
    return json_reply(200, {{"lab", lab.id()},
                            {"version", lab.version()},
                            {"questions", questions},
                            {"participants", participants},
                            {"latest", latest},
                            {"flags", flag_list},
                            {"pending_reviews", pending}});
}

Reply review_list(PortalLab& lab) {
    auto lock = lab.lock();
    std::map<int64_t, scoring::ReviewRow> reviews;
    for (auto& r : lab.record().reviews()) reviews[r.submission] = r;
    std::map<std::string, std::string> names;
    for (const auto& p : lab.record().participants()) names[p.id] = p.name;
    json list = json::array();
    for (const auto& s : lab.record().submissions()) {
        auto r = reviews.find(s.id);
        if (s.verdict != "pending_review" && r == reviews.end()) continue;
        const auto* q = lab.lab().key().find(s.question);
        json item = submission_json(s, names);
        item["submission"] = s.id;
        item["rubric"] = lab.rubric(s.question);
        item["max_points"] = q ? q->points : 0.0;
        item["review"] = r == reviews.end() ? json(nullptr)
                                            : json{{"points", r->second.points},
                                                   {"comment", r->second.comment},
                                                   {"reviewer", r->second.reviewer},
                                                   {"time", r->second.time}};
        list.push_back(item);
    }
    return json_reply(200, list);
}

Reply bad_request(std::string_view language, std::string_view key) {
    return error_reply(400, "bad_request", common::translate(language, key));
}

}  // namespace

Reply instructor_api(Portal::Context& c, const Request& request, const Session& s,
                     const std::vector<std::string>& parts) {
    const bool get = request.method == "GET" || request.method == "HEAD";
    const bool post = request.method == "POST";
    if (parts.size() == 1 && parts[0] == "events" && get) {
        Reply r;
        r.events = c.instructor_events;
        return r;
    }
    if (parts.size() == 1 && parts[0] == "labs" && get) {
        json list = json::array();
        for (auto& lab : c.labs) list.push_back(lab_summary(*lab));
        return json_reply(200, list);
    }
    if (parts.size() != 3 || parts[0] != "labs") return not_found(s.language);
    PortalLab* lab = c.find_lab(parts[1]);
    if (!lab) return not_found(s.language);
    const std::string& what = parts[2];
    if (what == "dashboard" && get) return dashboard(*lab);
    if (what == "reviews" && get) return review_list(*lab);
    if (what == "export" && get) {
        const std::string format = request.query_value("format");
        const std::string table = request.query_value("table");
        auto lock = lab->lock();
        Reply r;
        if (format == "json") {
            r = json_reply(200, json(scoring::export_json(lab->lab())));
            r.headers.emplace_back("Content-Disposition",
                                   "attachment; filename=\"" + lab->id() + ".json\"");
        } else {
            r.body = table == "totals" ? scoring::table_csv(scoring::totals_table(
                                             lab->lab().key(), lab->lab().standings()))
                                       : scoring::table_csv(scoring::submissions_table(lab->lab()));
            r.content_type = "text/csv; charset=utf-8";
            r.headers.emplace_back("Content-Disposition",
                                   "attachment; filename=\"" + lab->id() + "-" +
                                       (table == "totals" ? "totals" : "submissions") + ".csv\"");
        }
        return r;
    }
    if (what == "report" && get) {
        auto lock = lab->lock();
        Reply r;
        // In the instructor's language, with the questions' titles from the bundle's pack.json.
        scoring::ReportView view;
        view.language = s.language;
        view.titles = scoring::pack_titles(lab->manifest(), s.language);
        r.body = scoring::render_report_html(scoring::collect_report(lab->lab(), now_iso()), view);
        r.content_type = "text/html; charset=utf-8";
        // The report is a self-contained file with inline styles: let it render as such, and
        // still run no script.
        r.headers.emplace_back("Content-Security-Policy",
                               "default-src 'none'; style-src 'unsafe-inline'; img-src data:");
        return r;
    }
    if (!post) return not_found(s.language);
    if (what == "key") {
        json key = json::parse(request.body, nullptr, false);
        if (key.is_discarded()) return bad_request(s.language, "portal.error.bad_json");
        scoring::RegradeSummary summary;
        {
            auto lock = lab->lock();
            try {
                summary = scoring::regrade(lab->record(), key, "uploaded answer key",
                                           scoring::clock_from_environment());
            } catch (const common::Error& e) {
                return error_reply(400, "bad_request", e.what());
            }
            lab->reload_key();
        }
        c.announce_change(*lab, "regrade");
        json changes = json::array();
        for (const auto& v : summary.verdict_changes)
            changes.push_back({{"submission", v.submission},
                               {"participant", v.participant},
                               {"question", v.question},
                               {"old_verdict", v.old_verdict},
                               {"new_verdict", v.new_verdict},
                               {"old_points", v.old_points},
                               {"new_points", v.new_points}});
        return json_reply(200, {{"submissions", summary.submissions},
                                {"points_changed", summary.points_changed},
                                {"key_changed", summary.key_changed},
                                {"verdict_changes", changes}});
    }
    auto body = json_body(request);
    if (!body) return bad_request(s.language, "portal.error.bad_json");
    if (what == "reviews") {
        const json& b = *body;
        if (!b.contains("submission") || !b["submission"].is_number_integer() ||
            !b.contains("points") || !b["points"].is_number() || !b.contains("comment") ||
            !b["comment"].is_string())
            return bad_request(s.language, "portal.error.review_fields");
        scoring::ReviewRow row;
        {
            auto lock = lab->lock();
            try {
                row = lab->lab().review(b["submission"].get<int64_t>(), b["points"].get<double>(),
                                        b["comment"].get<std::string>(), s.name);
            } catch (const common::Error& e) {
                return error_reply(400, "bad_request", e.what());
            }
            lab->changed();
        }
        c.announce_change(*lab, "review");
        return json_reply(200, {{"id", row.id},
                                {"submission", row.submission},
                                {"points", row.points},
                                {"comment", row.comment},
                                {"reviewer", row.reviewer},
                                {"time", row.time}});
    }
    if (what == "scoreboard") {
        const json& b = *body;
        bool visible = b.contains("visible") && b["visible"].is_boolean()
                           ? b["visible"].get<bool>()
                           : lab->scoreboard_visible();
        std::string frozen = lab->scoreboard_frozen();
        if (b.contains("frozen") && b["frozen"].is_boolean())
            frozen = b["frozen"].get<bool>() ? (frozen.empty() ? now_iso() : frozen) : "";
        {
            auto lock = lab->lock();
            lab->set_scoreboard(visible, frozen, now_iso(), s.name);
        }
        c.announce_change(*lab, "scoreboard");
        return json_reply(
            200, {{"visible", visible}, {"frozen", frozen.empty() ? json(nullptr) : json(frozen)}});
    }
    if (what == "announcements") {
        if (!body->contains("text") || !(*body)["text"].is_string())
            return bad_request(s.language, "portal.error.announcement_text");
        const std::string text = (*body)["text"].get<std::string>();
        if (text.empty() || text.size() > 4000 || !scoring::valid_utf8(text))
            return bad_request(s.language, "portal.error.announcement_text");
        int64_t id = 0;
        const std::string time = now_iso();
        {
            auto lock = lab->lock();
            common::Transaction transaction(lab->record().database());
            id = lab->record().add_announcement(time, s.name, text);
            lab->record().append_audit(time, "announcement", s.name, {{"id", id}, {"text", text}});
            transaction.commit();
            lab->changed();
        }
        c.announce_change(*lab, "announcement");
        return json_reply(200, {{"id", id}, {"lab", lab->id()}, {"time", time}, {"text", text}});
    }
    return not_found(s.language);
}

}  // namespace dflab::portal
