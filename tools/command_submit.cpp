// dflab submit --server URL QUESTION VALUE...: a participant hands in an answer to the lab portal
// (`dflab serve`) from the lab machine's shell, through the portal's JSON API
// (docs/portal-api.md). Exit codes: 0 stored, 1 refused or not understood, 2 anything else.
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "engine/error.hpp"
#include "portal/api_client.hpp"
#include "tools/commands.hpp"

namespace dflab::tools {

namespace {

using engine::Error;
using nlohmann::json;

struct SubmitArgs {
    std::string server, code, code_file, lab, question, ca_file;
    std::string language;  // "" : the portal's choice (English without Accept-Language)
    std::vector<std::string> values;
    bool json_value = false, json = false, insecure = false;
    double timeout = 10;
};

// The reply's outcome for a person: refused (409), not understood (400, 404) or an error.
struct Refusal {
    int exit_code;
    std::string text;
};

using common::one_line;  // messages are single lines (common/error.hpp)

// The access code: --code, else the first line of --code-file, else $DFLAB_CODE.
std::string access_code(const SubmitArgs& a) {
    if (!a.code.empty()) return a.code;
    if (!a.code_file.empty()) {
        std::ifstream in(a.code_file, std::ios::binary);
        if (!in) throw Error(a.code_file + ": cannot read the access code file");
        std::string line;
        std::getline(in, line);
        while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
        if (line.empty()) throw Error(a.code_file + ": the first line holds no access code");
        return line;
    }
    if (const char* env = std::getenv("DFLAB_CODE"); env && *env) return env;
    throw Error("no access code: give --code, --code-file FILE or the variable DFLAB_CODE");
}

// "URL: 401 not_logged_in: message" for a reply that is neither success nor refusal.
Error reply_error(const portal::ApiClient& client, std::string_view path,
                  const portal::ApiReply& reply) {
    std::string where = client.server().text + std::string(path);
    if (reply.json.is_null())
        return Error(where + ": HTTP " + std::to_string(reply.status) +
                     " with a reply that is not " + "JSON (" +
                     (reply.content_type.empty() ? "no type" : reply.content_type) +
                     "); is this the portal's address?");
    std::string text = where + ": HTTP " + std::to_string(reply.status);
    if (!reply.error_code().empty()) text += " " + reply.error_code();
    if (!reply.message().empty()) text += ": " + one_line(reply.message());
    if (!reply.retry_after.empty()) text += " (retry in " + reply.retry_after + " s)";
    return Error(text);
}

// A 200 reply whose body is a JSON value of the expected kind, else an error.
const json& expect_json(const portal::ApiClient& client, std::string_view path,
                        const portal::ApiReply& reply, json::value_t kind) {
    if (reply.status != 200) throw reply_error(client, path, reply);
    if (reply.json.type() != kind)
        throw Error(client.server().text + std::string(path) +
                    ": the reply is not the portal's (unexpected JSON); is this the portal's "
                    "address?");
    return reply.json;
}

std::string lab_path(const std::string& lab) {
    return "/api/v1/labs/" + portal::encode_path_segment(lab);
}

// --lab, or the only lab the participant is in.
std::string choose_lab(portal::ApiClient& client, const SubmitArgs& a) {
    if (!a.lab.empty()) return a.lab;
    const std::string path = "/api/v1/labs";
    portal::ApiReply reply = client.get(path);
    const json& labs = expect_json(client, path, reply, json::value_t::array);
    std::vector<std::string> ids;
    for (auto& l : labs)
        if (l.is_object() && l.contains("lab") && l["lab"].is_string())
            ids.push_back(l["lab"].get<std::string>());
    std::string where = client.server().text + path;
    if (ids.empty()) throw Error(where + ": you are in no lab yet; ask the instructor");
    if (ids.size() > 1) {
        std::string list;
        for (auto& id : ids) list += (list.empty() ? "" : ", ") + id;
        throw Error(where + ": you are in " + std::to_string(ids.size()) + " labs (" + list +
                    "); choose one with --lab");
    }
    return ids.front();
}

// The question in the lab (its type decides list or single value); a refusal when it is unknown.
std::optional<Refusal> question_type(portal::ApiClient& client, const std::string& lab,
                                     const std::string& question, std::string& type) {
    const std::string path = lab_path(lab);
    portal::ApiReply reply = client.get(path);
    if (reply.status == 404)
        return Refusal{1, "no lab " + lab + " for you on " + client.server().text};
    const json& detail = expect_json(client, path, reply, json::value_t::object);
    std::string ids;
    if (detail.contains("questions") && detail["questions"].is_array())
        for (auto& q : detail["questions"]) {
            if (!q.is_object() || !q.contains("id") || !q["id"].is_string()) continue;
            if (q["id"] == question) {
                type = q.value("type", "");
                return std::nullopt;
            }
            ids += (ids.empty() ? "" : ", ") + q["id"].get<std::string>();
        }
    return Refusal{1, "lab " + lab + " has no question " + question + " (questions: " + ids + ")"};
}

json submitted_value(const SubmitArgs& a, const std::string& type) {
    std::vector<json> values;
    for (auto& v : a.values) {
        if (!a.json_value) {
            values.emplace_back(v);
            continue;
        }
        json parsed = json::parse(v, nullptr, false);
        if (parsed.is_discarded())
            throw Error("VALUE '" + one_line(v) + "': not JSON (--json-value)");
        values.push_back(std::move(parsed));
    }
    if (values.size() == 1 && !(type == "set" && !values.front().is_array())) return values.front();
    return json(values);
}

// Points for people: at most two decimals, without trailing zeros ("10", "5.33").
std::string number_text(const json& j) {
    if (!j.is_number()) return j.is_null() ? "?" : j.dump();
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.2f", j.get<double>());
    std::string text = buffer;
    while (text.back() == '0') text.pop_back();
    if (text.back() == '.') text.pop_back();
    return text;
}

void print_verdict(const json& r) {
    std::string verdict = r.value("verdict", "?");
    std::cout << r.value("question", "?") << ": "
              << (verdict == "pending_review" ? "pending review (an instructor grades it)"
                                              : verdict)
              << ", " << number_text(r.value("points", json())) << " of "
              << number_text(r.value("max_points", json())) << " points";
    if (r.contains("attempts")) {
        std::cout << " (attempt " << number_text(r["attempts"]);
        if (r.contains("max_attempts") && r["max_attempts"].is_number() &&
            r["max_attempts"].get<double>() > 0)
            std::cout << " of " << number_text(r["max_attempts"]);
        std::cout << ")";
    }
    std::cout << "\n";
    if (r.contains("normalised") && r["normalised"].is_string() &&
        !r["normalised"].get<std::string>().empty())
        std::cout << "  read as: " << one_line(r["normalised"].get<std::string>()) << "\n";
    if (r.contains("feedback") && r["feedback"].is_string() &&
        !r["feedback"].get<std::string>().empty())
        std::cout << "  " << one_line(r["feedback"].get<std::string>()) << "\n";
}

int submit(const SubmitArgs& a) {
    portal::ClientOptions options;
    options.insecure = a.insecure;
    if (!a.ca_file.empty()) options.ca_file = a.ca_file;
    options.timeout = std::chrono::milliseconds(static_cast<long>(a.timeout * 1000));
    std::string code = access_code(a);
    portal::ApiClient client(a.server, options);

    portal::ApiReply login = client.login_with_code(code);
    if (login.status == 401)
        throw Error(client.server().text + "/api/v1/login: the access code is not accepted" +
                    (login.message().empty() ? "" : " (" + one_line(login.message()) + ")"));
    if (login.status != 200) throw reply_error(client, "/api/v1/login", login);
    struct Logout {
        portal::ApiClient& c;
        ~Logout() { c.logout(); }
    } logout{client};
    if (!a.language.empty()) {  // the session's language: feedback and refusals come in it
        portal::ApiReply set = client.post("/api/v1/language", {{"language", a.language}});
        if (set.status != 200) throw reply_error(client, "/api/v1/language", set);
    }

    const std::string lab = choose_lab(client, a);
    std::string type;
    if (auto refusal = question_type(client, lab, a.question, type)) {
        std::cerr << "dflab: " << refusal->text << "\n";
        return refusal->exit_code;
    }
    const std::string path =
        lab_path(lab) + "/questions/" + portal::encode_path_segment(a.question) + "/submissions";
    portal::ApiReply reply = client.post(path, {{"value", submitted_value(a, type)}});
    bool understood =
        reply.status == 200 || reply.status == 400 || reply.status == 404 || reply.status == 409;
    if (!understood || !reply.json.is_object()) throw reply_error(client, path, reply);
    if (a.json) std::cout << reply.json.dump(2) << "\n";
    if (reply.status == 200) {
        if (!a.json) print_verdict(reply.json);
        return reply.json.value("stored", false) ? 0 : 1;
    }
    std::string what = reply.status == 409 ? "refused" : "not understood";
    std::string message = reply.message().empty() ? reply.error_code() : reply.message();
    std::cerr << "dflab: " << a.question << ": " << what << ": " << one_line(message) << "\n";
    return 1;
}

}  // namespace

void register_submit(CLI::App& app, int& exit_code) {
    auto a = std::make_shared<SubmitArgs>();
    auto* cmd = app.add_subcommand(
        "submit",
        "Hand in an answer to the lab portal (dflab serve); exit 0 stored, 1 refused or not "
        "understood, 2 on errors");
    cmd->add_option("--server", a->server, "The portal's address: https://HOST[:PORT]")
        ->envname("DFLAB_SERVER")
        ->required();
    auto* code = cmd->add_option("--code", a->code,
                                 "Your access code (visible to other users in ps: prefer "
                                 "--code-file or DFLAB_CODE)");
    cmd->add_option("--code-file", a->code_file, "A file whose first line is your access code")
        ->excludes(code);
    cmd->add_option("--lab", a->lab, "The lab (needed only when you are in several)");
    cmd->add_option("QUESTION", a->question, "The question's id (see questions.*.md)")->required();
    cmd->add_option("VALUE", a->values,
                    "The answer; several values (or a set question) make a list. Put -- before "
                    "a value that starts with '-'")
        ->required();
    cmd->add_flag("--json-value", a->json_value, "Each VALUE is JSON (a number, a list, ...)");
    cmd->add_flag("--json", a->json, "Print the portal's JSON reply");
    cmd->add_option("--lang,--language", a->language,
                    "The language of the portal's feedback and refusals: en, ru or kk")
        ->check(CLI::IsMember({"en", "ru", "kk"}));
    cmd->add_flag("--insecure", a->insecure,
                  "Do not verify the portal's TLS certificate (a self-signed workshop "
                  "certificate)");
    cmd->add_option("--ca-file", a->ca_file, "Trust this PEM certificate (the portal's own)");
    cmd->add_option("--timeout", a->timeout, "Seconds to wait for each reply")
        ->check(CLI::Range(0.1, 600.0));
    cmd->callback([a, &exit_code] {
        try {
            exit_code = submit(*a);
        } catch (const std::exception& e) {
            std::cout.flush();
            std::fprintf(stderr, "dflab: %s\n", one_line(e.what()).c_str());
            exit_code = 2;
        }
    });
}

}  // namespace dflab::tools
