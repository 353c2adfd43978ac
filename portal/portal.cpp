// The portal's front door: sessions, login and logout, CSRF and rate limits, then the participant
// and instructor routes (participant_routes.cpp, instructor_routes.cpp) and the pages (pages.cpp).
#include "portal/portal.hpp"

#include <algorithm>
#include <mutex>
#include <set>

#include <sodium.h>

#include "common/error.hpp"
#include "common/messages.hpp"
#include "portal/portal_context.hpp"
#include "scoring/access_codes.hpp"

namespace dflab::portal {

namespace {

using nlohmann::json;
constexpr auto kParticipantLifetime = std::chrono::hours(12);
constexpr auto kInstructorLifetime = std::chrono::hours(8);

std::string percent_time(std::chrono::system_clock::time_point t) {
    return scoring::utc_iso(t);
}

json session_json(const Session& s) {
    json out = {{"role", s.role == Role::instructor ? "instructor" : "participant"},
                {"csrf", s.csrf},
                {"language", s.language},
                {"expires", percent_time(s.expires)}};
    if (s.role == Role::participant)
        out["participant"] = {{"id", s.participant}, {"name", s.name}, {"team", s.team}};
    else
        out["instructor"] = {{"name", s.name}};
    return out;
}

std::string cookie_header(const std::string& token, std::chrono::seconds max_age, bool tls) {
    return "dflab_session=" + token +
           "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" + std::to_string(max_age.count()) +
           (tls ? "; Secure" : "");
}

// The Origin (or Referer) of a state-changing request must be this server: a second line of
// defence behind the CSRF token.
bool same_origin(const Request& r) {
    std::string origin = r.header("origin");
    if (origin.empty()) origin = r.header("referer");
    if (origin.empty()) return true;  // command-line clients send neither
    const std::string host = r.header("host");
    for (std::string_view scheme : {"http://", "https://"}) {
        std::string prefix = std::string(scheme) + host;
        if (origin == prefix || origin.starts_with(prefix + "/")) return true;
    }
    return false;
}

}  // namespace

std::vector<std::string> path_parts(std::string_view path) {
    std::vector<std::string> parts;
    size_t i = 0;
    while (i < path.size()) {
        size_t j = path.find('/', i);
        if (j == std::string_view::npos) j = path.size();
        if (j > i) parts.emplace_back(path.substr(i, j - i));
        i = j + 1;
    }
    return parts;
}

Reply json_reply(int status, const json& body) {
    Reply r;
    r.status = status;
    r.content_type = "application/json";
    r.body = body.dump(-1, ' ', false, json::error_handler_t::replace);
    return r;
}

Reply error_reply(int status, std::string_view code, std::string_view message) {
    return json_reply(status, {{"error", code}, {"message", message}});
}

Reply not_found(std::string_view language) {
    return error_reply(404, "not_found", common::translate(language, "portal.error.not_found"));
}

Reply rate_limited(std::string_view language, int seconds) {
    Reply r = error_reply(
        429, "rate_limited",
        common::format(common::translate_plural(language, "portal.error.rate_limited", seconds),
                       {{"seconds", std::to_string(seconds)}}));
    r.headers.emplace_back("Retry-After", std::to_string(seconds));
    return r;
}

Reply redirect(std::string_view location) {
    Reply r;
    r.status = 303;
    r.headers.emplace_back("Location", std::string(location));
    return r;
}

std::optional<json> json_body(const Request& request) {
    if (request.body.empty()) return json::object();
    json body = json::parse(request.body, nullptr, false);
    if (body.is_discarded() || !body.is_object()) return std::nullopt;
    return body;
}

std::string request_language(const Request& request, const Session* session) {
    if (session) return session->language;
    if (auto lang = request.cookie("dflab_lang"); !lang.empty())
        return common::supported_language(lang);
    return common::supported_language(request.header("accept-language"));
}

PortalLab* Portal::Context::find_lab(std::string_view id) {
    for (auto& lab : labs)
        if (lab->id() == id) return lab.get();
    return nullptr;
}

PortalLab* Portal::Context::lab_of(const Session& session, std::string_view id) {
    if (session.role == Role::instructor) return find_lab(id);
    if (std::find(session.labs.begin(), session.labs.end(), id) == session.labs.end())
        return nullptr;
    return find_lab(id);
}

void Portal::Context::announce_change(const PortalLab& lab, std::string_view what) {
    instructor_events->publish("change", json{{"lab", lab.id()}, {"what", what}}.dump());
}

Portal::Portal(const PortalConfig& config) : context_(std::make_unique<Context>()) {
    if (config.labs.empty()) throw common::Error("give at least one --lab with its --bundle");
    std::set<std::string> ids;
    for (const auto& source : config.labs) {
        auto lab = std::make_unique<PortalLab>(source.record, source.bundle);
        if (!ids.insert(lab->id()).second)
            throw common::Error(source.record.string() + ": a second lab for pack " + lab->id() +
                                " (each pack once per portal)");
        context_->labs.push_back(std::move(lab));
    }
    if (config.instructor_password.size() < 8)
        throw common::Error("the instructor password must have at least 8 characters");
    context_->instructor_hash = scoring::hash_password(config.instructor_password);
    context_->tls = config.tls;
}

Portal::~Portal() = default;

std::vector<std::string> Portal::lab_ids() const {
    std::vector<std::string> ids;
    for (const auto& lab : context_->labs) ids.push_back(lab->id());
    return ids;
}

size_t Portal::body_limit(std::string_view path) {
    if (path.starts_with("/api/v1/instructor/labs/") && path.ends_with("/key")) return 4 << 20;
    return 64 * 1024;
}

namespace {

Reply login(Portal::Context& c, const Request& request) {
    const std::string language = request_language(request, nullptr);
    auto body = json_body(request);
    auto text = [&](const char* name) -> std::string {
        if (!body || !body->contains(name) || !(*body)[name].is_string()) return "";
        return (*body)[name].get<std::string>();
    };
    auto refused = [&](std::string_view key, int wait) {
        Reply r = rate_limited(language, wait);
        r.log_user = std::string(key);
        return r;
    };
    auto bad = [&] {
        return error_reply(401, "bad_credentials",
                           common::translate(language, "portal.error.bad_credentials"));
    };
    if (!body)
        return error_reply(400, "bad_request",
                           common::translate(language, "portal.error.bad_json"));

    Session fields;
    fields.language = language;
    std::chrono::seconds lifetime = kParticipantLifetime;
    if (const std::string password = text("password"); !password.empty()) {
        if (int wait = c.logins.take("instructor")) return refused("instructor", wait);
        static std::mutex one_at_a_time;  // argon2id takes 64 MiB: never several at once
        std::lock_guard lock(one_at_a_time);
        if (!scoring::verify_password(c.instructor_hash, password)) return bad();
        c.logins.reset("instructor");
        fields.role = Role::instructor;
        fields.name = text("name").empty() ? "instructor" : text("name").substr(0, 64);
        lifetime = kInstructorLifetime;
    } else {
        auto code = scoring::normalise_code(text("code"));
        if (!code) return bad();
        const std::string handle = code->substr(0, 4);
        if (int wait = c.logins.take("code:" + handle)) return refused(handle, wait);
        for (auto& lab : c.labs) {
            auto lock = lab->lock();
            auto row = lab->record().access_code_by_handle(handle);
            if (!row || !scoring::verify_code(row->hash, *code)) continue;
            if (!fields.participant.empty() && fields.participant != row->participant) continue;
            auto p = lab->record().participant(row->participant);
            if (!p) continue;
            fields.participant = p->id;
            fields.name = p->name;
            fields.team = p->team;
            fields.labs.push_back(lab->id());
        }
        if (fields.participant.empty()) return bad();
        c.logins.reset("code:" + handle);
    }
    Session s = c.sessions.create(fields, lifetime);
    Reply r = json_reply(200, session_json(s));
    r.headers.emplace_back("Set-Cookie", cookie_header(s.token, lifetime, c.tls));
    r.log_user = s.role == Role::instructor ? "instructor" : s.participant;
    return r;
}

Reply common_api(Portal::Context& c, const Request& request, const Session& s,
                 const std::vector<std::string>& parts) {
    const std::string& what = parts[2];
    if (what == "me" && request.method == "GET") return json_reply(200, session_json(s));
    if (what == "logout" && request.method == "POST") {
        c.sessions.remove(request.cookie("dflab_session"));
        Reply r;
        r.status = 204;
        r.headers.emplace_back("Set-Cookie", cookie_header("", std::chrono::seconds(0), c.tls));
        return r;
    }
    if (what == "language" && request.method == "POST") {
        auto body = json_body(request);
        if (!body || !body->contains("language") || !(*body)["language"].is_string())
            return error_reply(400, "bad_request",
                               common::translate(s.language, "portal.error.bad_json"));
        const std::string lang = common::supported_language((*body)["language"].get<std::string>());
        c.sessions.set_language(request.cookie("dflab_session"), lang);
        Reply r = json_reply(200, {{"language", lang}});
        r.headers.emplace_back("Set-Cookie", "dflab_lang=" + lang +
                                                 "; Path=/; SameSite=Strict; Max-Age=31536000" +
                                                 (c.tls ? "; Secure" : ""));
        return r;
    }
    if (what == "announcements" && request.method == "GET") {
        json list = json::array();
        for (auto& lab : c.labs) {
            if (!c.lab_of(s, lab->id())) continue;
            auto lock = lab->lock();
            for (const auto& a : lab->record().announcements())
                list.push_back(
                    {{"id", a.id}, {"lab", lab->id()}, {"time", a.time}, {"text", a.text}});
        }
        std::stable_sort(list.begin(), list.end(), [](const json& a, const json& b) {
            return a["time"].get<std::string>() > b["time"].get<std::string>();
        });
        return json_reply(200, list);
    }
    Reply none;
    none.status = 0;  // not a common route
    return none;
}

// Participants poll their state: a JSON reply gets a validator, and an unchanged one is answered
// 304 without its body.
Reply with_etag(const Request& request, Reply reply) {
    if (request.method != "GET" || reply.status != 200 || reply.file || reply.events ||
        reply.content_type != "application/json")
        return reply;
    unsigned char digest[16];
    crypto_generichash(digest, sizeof digest,
                       reinterpret_cast<const unsigned char*>(reply.body.data()), reply.body.size(),
                       nullptr, 0);
    char hex[33];
    sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
    const std::string etag = "W/\"" + std::string(hex) + "\"";
    reply.headers.emplace_back("ETag", etag);
    reply.headers.emplace_back("Cache-Control", "private, no-cache");
    if (request.header("if-none-match") == etag) {
        reply.status = 304;
        reply.body.clear();
    }
    return reply;
}

}  // namespace

Reply Portal::handle(const Request& request) {
    Context& c = *context_;
    const auto parts = path_parts(request.path);
    std::optional<Session> session = c.sessions.find(request.cookie("dflab_session"));
    const std::string language = request_language(request, session ? &*session : nullptr);
    const bool api = parts.size() >= 2 && parts[0] == "api" && parts[1] == "v1";
    if (!api) {
        if (request.method != "GET" && request.method != "HEAD") return not_found(language);
        if (auto reply = page(c, request, session)) return std::move(*reply);
        return not_found(language);
    }
    if (parts.size() == 3 && parts[2] == "login" && request.method == "POST")
        return login(c, request);
    if (!session)
        return error_reply(401, "not_logged_in",
                           common::translate(language, "portal.error.not_logged_in"));
    const std::string user =
        session->role == Role::instructor ? "instructor" : session->participant;
    if (int wait = c.requests.take("session:" + session->csrf)) {
        Reply r = rate_limited(language, wait);
        r.log_user = user;
        return r;
    }
    if (request.method != "GET" && request.method != "HEAD") {
        if (!same_secret(request.header("x-csrf-token"), session->csrf) || !same_origin(request)) {
            Reply r = error_reply(403, "csrf", common::translate(language, "portal.error.csrf"));
            r.log_user = user;
            return r;
        }
    }
    Reply reply;
    reply.status = 0;  // no route yet
    if (parts.size() == 3) reply = common_api(c, request, *session, parts);
    if (reply.status == 0) {
        if (parts.size() >= 3 && parts[2] == "instructor") {
            reply = session->role == Role::instructor
                        ? instructor_api(c, request, *session,
                                         std::vector<std::string>(parts.begin() + 3, parts.end()))
                        : not_found(language);
        } else {
            reply = session->role == Role::participant
                        ? participant_api(c, request, *session,
                                          std::vector<std::string>(parts.begin() + 2, parts.end()))
                        : not_found(language);
        }
    }
    reply.log_user = user;
    return with_etag(request, std::move(reply));
}

}  // namespace dflab::portal
