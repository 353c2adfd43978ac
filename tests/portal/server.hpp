#pragma once
// Test support for the portal: a lab made by tests/portal/make_lab.sh, `dflab serve` started on
// 127.0.0.1 (any free port) and stopped, and an HTTP client that is curl (an independent
// implementation of HTTP and ranges), holding its session's cookie.
#include <sys/types.h>

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace dflab::test {

struct Lab {
    std::string dir;                           // key.json, bundle/, lab.sqlite, codes.csv, password
    std::map<std::string, std::string> codes;  // participant -> access code
};
// A fresh lab in a temporary folder.
Lab make_lab();

class Server {
  public:
    explicit Server(const Lab& lab, const std::string& extra_args = "");
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;
    std::string url(const std::string& path = "/") const;
    int port() const { return port_; }
    pid_t pid() const { return pid_; }
    std::string log() const;  // what the server printed (access log and messages)
    void kill_now();          // SIGKILL
    void stop();              // SIGTERM, waits for the exit

  private:
    pid_t pid_ = -1;
    int port_ = 0;
    std::string dir_;
};

struct Response {
    int status = 0;
    std::map<std::string, std::string> headers;  // lower-case names (the last of repeated ones)
    std::vector<std::string> set_cookies;
    std::string body;
    nlohmann::json json() const;  // the body parsed (discarded value when not JSON)
};

class Client {
  public:
    explicit Client(const Server& server);
    // curl with the session's cookie; `extra` are further curl arguments (already quoted).
    Response request(const std::string& method, const std::string& path,
                     const std::string& body = "", const std::string& extra = "");
    Response get(const std::string& path, const std::string& extra = "") {
        return request("GET", path, "", extra);
    }
    // POST JSON with the session's CSRF token (unless `csrf` is false).
    Response post(const std::string& path, const nlohmann::json& body, bool csrf = true);
    Response login_code(const std::string& code);
    Response login_password(const std::string& password);
    std::string csrf;

  private:
    void remember_session(const Response& r);
    const Server& server_;
    std::string cookie_;  // "dflab_session=TOKEN" after a login
};

}  // namespace dflab::test
