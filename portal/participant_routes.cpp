// What participants may ask for under /api/v1/: their labs, questions and own state, submitting,
// hints, their own variant's evidence and the scoreboard when it is shown. Every reply is built
// field by field from what a participant may see (never from the answer key as such), and what
// they may not see is "not found".
#include <algorithm>

#include "common/error.hpp"
#include "common/message_value.hpp"
#include "common/messages.hpp"
#include "portal/portal_context.hpp"
#include "portal/scoreboard.hpp"

namespace dflab::portal {

namespace {

using nlohmann::json;

std::string state_of(const scoring::QuestionStanding& q) {
    if (!q.answered && !q.reviewed) return "unanswered";
    if (q.reviewed) return "reviewed";
    return std::string(scoring::to_string(q.verdict));
}

const scoring::QuestionStanding* standing_for(const scoring::Standing& s, const std::string& id) {
    for (const auto& q : s.questions)
        if (q.question == id) return &q;
    return nullptr;
}

// A stored submission's feedback in `language`: its message, else (rows stored before messages)
// the English text.
std::string feedback_in(std::string_view language, const scoring::SubmissionRow& row) {
    common::Message m = common::message_from_json_text(row.feedback_message);
    return m.empty() ? row.feedback : common::render(language, m);
}

// `message` in `language`, or `english` when there is no message.
std::string text_in(std::string_view language, const common::Message& message,
                    const std::string& english) {
    return message.empty() ? english : common::render(language, message);
}

json question_view(PortalLab& lab, const json& q, const scoring::Standing& standing,
                   const std::string& participant, std::string_view language) {
    const std::string id = q.at("id").get<std::string>();
    const scoring::QuestionStanding* st = standing_for(standing, id);
    bool locked = false;
    for (const auto& pre : q.value("prerequisites", json::array())) {
        const auto* before = standing_for(standing, pre.get<std::string>());
        if (before && before->verdict != scoring::Verdict::correct) locked = true;
    }
    const int max_attempts = q.value("max_attempts", 0);
    const int attempts = st ? st->attempts : 0;
    const int unlocked = st ? st->hints : 0;
    json hints = json::array();
    const auto& texts = lab.hint_texts(id);
    int number = 0;
    for (const auto& h : q.value("hints", json::array())) {
        ++number;
        json hint = {
            {"number", number}, {"cost", h.value("cost", 0.0)}, {"unlocked", number <= unlocked}};
        if (number <= unlocked && static_cast<size_t>(number) <= texts.size())
            hint["text"] = texts[static_cast<size_t>(number - 1)];
        hints.push_back(hint);
    }
    json submissions = json::array();
    for (const auto& row : lab.record().submissions_of(participant, id)) {
        submissions.push_back({{"id", row.id},
                               {"time", row.time},
                               {"verdict", row.verdict},
                               {"points", row.points},
                               {"normalised", row.normalised},
                               {"feedback", feedback_in(language, row)},
                               {"counted", true}});
    }
    json choices = json::array();
    for (const auto& c : q.value("choices", json::array()))
        choices.push_back({{"id", c.value("id", "")}, {"text", c.value("text", json::object())}});
    return {{"id", id},
            {"title", q.value("title", json::object())},
            {"text", q.value("text", json::object())},
            {"type", q.value("type", "")},
            {"points", q.value("points", 0.0)},
            {"element_type", q.contains("element_type") ? q["element_type"] : json(nullptr)},
            {"choices", choices},
            {"prerequisites", q.value("prerequisites", json::array())},
            {"locked", locked},
            {"max_attempts", max_attempts},
            {"attempts", attempts},
            {"attempts_left",
             max_attempts > 0 ? json(std::max(0, max_attempts - attempts)) : json(nullptr)},
            {"state", st ? state_of(*st) : "unanswered"},
            {"earned", st ? st->points : 0.0},
            {"hints", hints},
            {"submissions", submissions}};
}

Reply lab_list(Portal::Context& c, const Session& s) {
    json list = json::array();
    for (const auto& id : s.labs) {
        PortalLab* lab = c.find_lab(id);
        if (!lab) continue;
        auto lock = lab->lock();
        scoring::Standing st = lab->lab().standing_of(s.participant);
        list.push_back({{"lab", lab->id()},
                        {"title", lab->manifest().value("title", json::object())},
                        {"variant", st.participant.variant},
                        {"points", st.points},
                        {"max_points", st.max_points},
                        {"solved", st.solved},
                        {"questions", st.questions.size()},
                        {"scoreboard", scoreboard_visible(*lab)}});
    }
    return json_reply(200, list);
}

Reply evidence_list(PortalLab& lab, int variant) {
    json list = json::array();
    for (const auto& e : lab.evidence(variant)) {
        list.push_back({{"image", e.image},
                        {"file", e.file},
                        {"size", e.size},
                        {"sha256", e.sha256},
                        {"url", "/api/v1/labs/" + lab.id() + "/evidence/" + e.file}});
    }
    return json_reply(200, list);
}

Reply evidence_file(PortalLab& lab, int variant, const std::string& name,
                    std::string_view language) {
    for (const auto& e : lab.evidence(variant)) {
        if (e.file != name) continue;
        Reply r;
        r.file = FileReply{e.path, e.size, "application/octet-stream", e.file,
                           "\"sha256-" + e.sha256 + "\""};
        return r;
    }
    return not_found(language);
}

Reply submit(Portal::Context& c, PortalLab& lab, const Request& request, const Session& s,
             const std::string& question) {
    auto body = json_body(request);
    if (!body || !body->contains("value"))
        return error_reply(400, "bad_request",
                           common::translate(s.language, "portal.error.no_value"));
    if (int wait =
            c.submissions.take("submit:" + s.participant + "/" + lab.id() + "/" + question)) {
        return rate_limited(s.language, wait);
    }
    scoring::SubmitOutcome o;
    {
        auto lock = lab.lock();
        try {
            o = lab.lab().submit(s.participant, question, (*body)["value"]);
        } catch (const common::Error& e) {
            return error_reply(400, "bad_request", e.what());
        }
        if (o.refused.empty()) lab.changed();
    }
    if (!o.refused.empty())
        return error_reply(409, "refused", text_in(s.language, o.refused_message, o.refused));
    c.announce_change(lab, "submission");
    return json_reply(200, {{"question", o.question},
                            {"stored", true},
                            {"submission", o.submission},
                            {"verdict", scoring::to_string(o.verdict)},
                            {"points", o.points},
                            {"max_points", o.max_points},
                            {"attempts", o.attempts},
                            {"max_attempts", o.max_attempts},
                            {"normalised", o.normalised},
                            {"feedback", text_in(s.language, o.feedback_message, o.feedback)}});
}

Reply hint(Portal::Context& c, PortalLab& lab, const Session& s, const std::string& question) {
    scoring::HintOutcome h;
    {
        auto lock = lab.lock();
        try {
            h = lab.lab().unlock_hint(s.participant, question);
        } catch (const scoring::Refusal& e) {
            return error_reply(409, "refused", common::render(s.language, e.message));
        } catch (const common::Error& e) {
            return error_reply(409, "refused", e.what());
        }
        lab.changed();
    }
    c.announce_change(lab, "hint");
    const auto& texts = lab.hint_texts(question);
    json text = static_cast<size_t>(h.number) <= texts.size()
                    ? texts[static_cast<size_t>(h.number - 1)]
                    : json::object();
    return json_reply(200,
                      {{"number", h.number}, {"count", h.count}, {"cost", h.cost}, {"text", text}});
}

bool has_question(const PortalLab& lab, const std::string& id) {
    for (const auto& q : lab.manifest().at("questions"))
        if (q.value("id", "") == id) return true;
    return false;
}

}  // namespace

json lab_view(PortalLab& lab, const Session& s) {
    auto lock = lab.lock();
    scoring::Standing standing = lab.lab().standing_of(s.participant);
    const json& m = lab.manifest();
    json questions = json::array();
    for (const auto& q : m.at("questions"))
        questions.push_back(question_view(lab, q, standing, s.participant, s.language));
    return {{"lab", lab.id()},
            {"title", m.value("title", json::object())},
            {"description", m.value("description", json::object())},
            {"estimated_minutes", m.value("estimated_minutes", 0)},
            {"variant", standing.participant.variant},
            {"points", standing.points},
            {"max_points", standing.max_points},
            {"scoreboard", scoreboard_visible(lab)},
            {"questions", questions}};
}

Reply participant_api(Portal::Context& c, const Request& request, const Session& s,
                      const std::vector<std::string>& parts) {
    const bool get = request.method == "GET" || request.method == "HEAD";
    const bool post = request.method == "POST";
    if (parts.size() == 1 && parts[0] == "labs" && get) return lab_list(c, s);
    if (parts.size() < 2 || parts[0] != "labs") return not_found(s.language);
    PortalLab* lab = c.lab_of(s, parts[1]);
    if (!lab) return not_found(s.language);
    if (parts.size() == 2 && get) return json_reply(200, lab_view(*lab, s));
    if (parts.size() == 2) return not_found(s.language);  // a POST to the lab itself (fuzzing)
    int variant = 0;
    {
        auto lock = lab->lock();
        auto p = lab->record().participant(s.participant);
        if (!p) return not_found(s.language);
        variant = p->variant;
    }
    if (parts[2] == "evidence" && get) {
        if (parts.size() == 3) return evidence_list(*lab, variant);
        if (parts.size() == 4) return evidence_file(*lab, variant, parts[3], s.language);
    }
    if (parts[2] == "scoreboard" && parts.size() == 3 && get) {
        if (!scoreboard_visible(*lab)) return not_found(s.language);
        return json_reply(200, public_scoreboard(*lab));
    }
    if (parts[2] == "questions" && parts.size() == 5 && post && has_question(*lab, parts[3])) {
        if (parts[4] == "submissions") return submit(c, *lab, request, s, parts[3]);
        if (parts[4] == "hints") return hint(c, *lab, s, parts[3]);
    }
    return not_found(s.language);
}

}  // namespace dflab::portal
