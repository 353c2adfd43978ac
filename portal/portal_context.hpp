#pragma once
// What the portal's route files share (portal.cpp, participant_routes.cpp, instructor_routes.cpp,
// pages.cpp): the labs, sessions, rate limits, the instructors' event channel, and the helpers
// that make replies. Internal to portal/.
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "portal/http_server.hpp"
#include "portal/portal.hpp"
#include "portal/portal_labs.hpp"
#include "portal/rate_limit.hpp"
#include "portal/sessions.hpp"

namespace dflab::portal {

struct Portal::Context {
    std::vector<std::unique_ptr<PortalLab>> labs;
    std::string instructor_hash;
    bool tls = false;
    SessionStore sessions;
    RateLimiter logins{10, std::chrono::seconds(30)};           // 10 failures, then 1 per 30 s
    RateLimiter submissions{5, std::chrono::seconds(3)};        // per participant and question
    RateLimiter requests{120, std::chrono::milliseconds(250)};  // per session, every request
    std::shared_ptr<EventChannel> instructor_events = make_event_channel();

    PortalLab* find_lab(std::string_view id);
    // A participant's lab, or nullptr when the lab is unknown or the participant is not in it.
    PortalLab* lab_of(const Session& session, std::string_view id);
    // Tells instructors' dashboards that something changed.
    void announce_change(const PortalLab& lab, std::string_view what);
};

// The request split at '/': "/api/v1/labs/intro" -> {"api", "v1", "labs", "intro"}.
std::vector<std::string> path_parts(std::string_view path);

Reply json_reply(int status, const nlohmann::json& body);
// {"error": CODE, "message": MESSAGE} with the status.
Reply error_reply(int status, std::string_view code, std::string_view message);
Reply not_found(std::string_view language);
// 429 with Retry-After: `seconds`.
Reply rate_limited(std::string_view language, int seconds);
Reply redirect(std::string_view location);
// The request body as a JSON object, or nullopt (the caller answers 400).
std::optional<nlohmann::json> json_body(const Request& request);

// The session's language, or the dflab_lang cookie's, or Accept-Language's first, else "en".
std::string request_language(const Request& request, const Session* session);

// Participant routes under /api/v1/ (parts without "api", "v1").
Reply participant_api(Portal::Context& context, const Request& request, const Session& session,
                      const std::vector<std::string>& parts);
// Instructor routes under /api/v1/instructor/ (parts after "instructor").
Reply instructor_api(Portal::Context& context, const Request& request, const Session& session,
                     const std::vector<std::string>& parts);
// HTML pages (GET only) and static files; nullopt when `request` names no page.
std::optional<Reply> page(Portal::Context& context, const Request& request,
                          const std::optional<Session>& session);

// The participant-visible state of a lab (GET /api/v1/labs/LAB), built by allow-list.
nlohmann::json lab_view(PortalLab& lab, const Session& session);

}  // namespace dflab::portal
