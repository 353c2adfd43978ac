// The portal's pages: mustache shells (portal/web/templates/, HTML-escaped by default) in the
// session's language, and the static styles and scripts that fill them through the JSON API.
// A page never shows data that the API would not show the same session.
#include <kainjow/mustache.hpp>

#include "common/messages.hpp"
#include "portal/portal_context.hpp"
#include "portal/web_assets.hpp"

namespace dflab::portal {

namespace {

using nlohmann::json;
namespace mustache = kainjow::mustache;

std::string template_text(const std::string& name) {
    auto text = web_file("templates/" + name + ".mustache");
    return text ? std::string(*text) : std::string();
}

// Every message of the portal's own ("portal.*") in `language`: for the shells ({{t.KEY}}, with
// the dots of the key as underscores) and, as JSON, for the scripts.
struct PageTexts {
    mustache::data t{mustache::data::type::object};
    json all = json::object();
};

const PageTexts& texts(const std::string& language) {
    static std::mutex mutex;
    static std::map<std::string, PageTexts> cache;
    std::lock_guard lock(mutex);
    auto it = cache.find(language);
    if (it != cache.end()) return it->second;
    PageTexts out;
    for (const auto& key : common::message_keys()) {
        if (!key.starts_with("portal.")) continue;
        std::string text = common::translate(language, key);
        std::string name = key.substr(7);
        for (char& ch : name)
            if (ch == '.') ch = '_';
        out.t.set(name, text);
        out.all[key] = text;
    }
    return cache.emplace(language, std::move(out)).first->second;
}

Reply html_page(const std::string& body_template, const std::string& language,
                const std::optional<Session>& session, mustache::data extra) {
    const PageTexts& t = texts(language);
    mustache::data data = std::move(extra);
    data.set("lang", language);
    data.set("t", t.t);
    data.set("messages_json", t.all.dump());
    data.set("csrf", session ? session->csrf : "");
    data.set("logged_in",
             session ? mustache::data::type::bool_true : mustache::data::type::bool_false);
    data.set("user", session ? session->name : "");
    mustache::data languages{mustache::data::type::list};
    for (const auto& l : common::languages()) {
        mustache::data item;
        item.set("code", l);
        item.set("name", common::translate(l, "portal.language.name"));
        item.set("selected", l == language ? mustache::data::type::bool_true
                                           : mustache::data::type::bool_false);
        languages.push_back(item);
    }
    data.set("languages", languages);
    const std::string body = template_text(body_template);
    data.set("body", mustache::partial{[body] { return body; }});
    mustache::mustache view(template_text("page"));
    Reply r;
    r.body = view.render(data);
    r.content_type = "text/html; charset=utf-8";
    if (!view.is_valid()) {
        r.status = 500;
        r.body = "template error";
    }
    return r;
}

}  // namespace

std::optional<Reply> page(Portal::Context& c, const Request& request,
                          const std::optional<Session>& session) {
    const auto parts = path_parts(request.path);
    const std::string language = request_language(request, session ? &*session : nullptr);
    if (parts.size() == 2 && parts[0] == "static") {
        auto file = web_file("static/" + parts[1]);
        if (!file) return std::nullopt;
        Reply r;
        r.body = std::string(*file);
        r.content_type = content_type_of(parts[1]);
        r.headers.emplace_back("Cache-Control", "public, max-age=3600");
        return r;
    }
    const bool participant = session && session->role == Role::participant;
    const bool instructor = session && session->role == Role::instructor;
    if (parts.empty())
        return redirect(participant ? "/labs" : instructor ? "/instructor" : "/login");
    if (parts.size() == 1 && parts[0] == "login") {
        mustache::data d;
        d.set("page", "login");
        d.set("title", common::translate(language, "portal.login.title"));
        return html_page("login", language, session, d);
    }
    if (parts.size() == 1 && parts[0] == "instructor") {
        if (!session) return redirect("/login");
        if (!instructor) return std::nullopt;  // participants: no such page
        mustache::data d;
        d.set("page", "instructor");
        d.set("title", common::translate(language, "portal.instructor.title"));
        return html_page("instructor", language, session, d);
    }
    if (parts[0] != "labs") return std::nullopt;
    if (!participant) return session ? std::nullopt : std::optional<Reply>(redirect("/login"));
    if (parts.size() == 1) {
        mustache::data d;
        d.set("page", "labs");
        d.set("title", common::translate(language, "portal.labs.title"));
        return html_page("labs", language, session, d);
    }
    PortalLab* lab = c.lab_of(*session, parts[1]);
    if (!lab) return std::nullopt;
    mustache::data d;
    d.set("lab", lab->id());
    const json title = lab->manifest().value("title", json::object());
    d.set("title", title.contains(language) ? title[language].get<std::string>()
                                            : title.value("en", lab->id()));
    if (parts.size() == 2) {
        d.set("page", "lab");
        return html_page("lab", language, session, d);
    }
    if (parts.size() == 3 && parts[2] == "scoreboard") {
        if (!lab->scoreboard_visible()) return std::nullopt;
        d.set("page", "scoreboard");
        return html_page("scoreboard", language, session, d);
    }
    return std::nullopt;
}

}  // namespace dflab::portal
