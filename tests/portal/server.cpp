#include "tests/portal/server.hpp"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "tests/support/fixtures.hpp"

namespace dflab::test {

namespace {

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

}  // namespace

Lab make_lab() {
    Lab lab;
    lab.dir = temp_dir() + "/lab";
    auto r =
        run("bash " + shell_quote(std::string(DFLAB_SOURCE_DIR) + "/tests/portal/make_lab.sh") +
            " " + shell_quote(DFLAB_BINARY) + " " + shell_quote(lab.dir));
    if (r.exit_code != 0) throw std::runtime_error("make_lab.sh failed: " + r.err + r.out);
    // codes.csv: id,name,code (a header line first)
    std::istringstream in(read_file(lab.dir + "/codes.csv"));
    std::string line;
    std::getline(in, line);
    while (std::getline(in, line)) {
        auto first = line.find(','), last = line.rfind(',');
        if (first == std::string::npos) continue;
        lab.codes[line.substr(0, first)] = line.substr(last + 1);
    }
    return lab;
}

Server::Server(const Lab& lab, const std::string& extra_args) : dir_(temp_dir()) {
    const std::string port_file = dir_ + "/port";
    std::string command = "exec " + shell_quote(DFLAB_BINARY) + " serve --lab " +
                          shell_quote(lab.dir + "/lab.sqlite") + " --bundle " +
                          shell_quote(lab.dir + "/bundle") + " --listen 127.0.0.1:0 --port-file " +
                          shell_quote(port_file) + " --instructor-password-file " +
                          shell_quote(lab.dir + "/password") + " " + extra_args + " > " +
                          shell_quote(dir_ + "/log") + " 2>&1";
    pid_ = fork();
    if (pid_ == 0) {
        execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
        _exit(127);
    }
    for (int i = 0; i < 600; ++i) {  // up to 60 s (sanitizer builds start slowly)
        std::string text = read_file(port_file);
        if (!text.empty()) {
            port_ = std::stoi(text);
            return;
        }
        int status = 0;
        if (waitpid(pid_, &status, WNOHANG) == pid_) {
            pid_ = -1;
            throw std::runtime_error("dflab serve exited: " + log());
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    throw std::runtime_error("dflab serve did not start: " + log());
}

Server::~Server() {
    if (pid_ > 0) stop();
}

std::string Server::url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
}

std::string Server::log() const {
    return read_file(dir_ + "/log");
}

void Server::kill_now() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
}

void Server::stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    for (int i = 0; i < 200; ++i) {
        if (waitpid(pid_, nullptr, WNOHANG) == pid_) {
            pid_ = -1;
            return;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    kill_now();
}

nlohmann::json Response::json() const {
    return nlohmann::json::parse(body, nullptr, false);
}

Client::Client(const Server& server) : server_(server) {}

Response Client::request(const std::string& method, const std::string& path,
                         const std::string& body, const std::string& extra) {
    const std::string base = temp_dir() + "/reply";
    // The session cookie is sent as a header, not from a curl cookie jar: many curls at once
    // would write one jar over each other.
    std::string cmd =
        "curl -s -g --max-time 60 -X " + method +
        (cookie_.empty() ? std::string() : " -H " + shell_quote("Cookie: " + cookie_)) + " -D " +
        shell_quote(base + ".h") + " -o " + shell_quote(base + ".b") + " -w '%{http_code}' " +
        extra;
    if (!body.empty()) {
        std::ofstream(base + ".in", std::ios::binary) << body;
        cmd += " --data-binary @" + shell_quote(base + ".in");
    }
    if (method == "HEAD") cmd += " -I";
    cmd += " " + shell_quote(server_.url(path));
    auto r = run(cmd);
    Response out;
    out.status = std::atoi(r.out.c_str());
    out.body = read_file(base + ".b");
    std::istringstream headers(read_file(base + ".h"));
    std::string line;
    while (std::getline(headers, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        auto colon = line.find(':');
        if (colon == std::string::npos) continue;
        std::string name = line.substr(0, colon);
        for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        std::string value = line.substr(colon + 1);
        value.erase(0, value.find_first_not_of(' '));
        if (name == "set-cookie") out.set_cookies.push_back(value);
        out.headers[name] = value;
    }
    return out;
}

Response Client::post(const std::string& path, const nlohmann::json& body, bool with_csrf) {
    std::string extra = "-H 'Content-Type: application/json'";
    if (with_csrf) extra += " -H " + shell_quote("X-CSRF-Token: " + csrf);
    return request("POST", path, body.dump(), extra);
}

void Client::remember_session(const Response& r) {
    if (r.status != 200) return;
    csrf = r.json().value("csrf", "");
    for (const auto& c : r.set_cookies)
        if (c.starts_with("dflab_session=")) cookie_ = c.substr(0, c.find(';'));
}

Response Client::login_code(const std::string& code) {
    Response r = post("/api/v1/login", {{"code", code}}, false);
    remember_session(r);
    return r;
}

Response Client::login_password(const std::string& password) {
    Response r = post("/api/v1/login", {{"password", password}, {"name", "Dana"}}, false);
    remember_session(r);
    return r;
}

}  // namespace dflab::test
