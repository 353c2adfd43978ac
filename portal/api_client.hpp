#pragma once
// A client of the portal's JSON API (docs/portal-api.md) for `dflab submit`: one blocking request
// at a time over http:// or https:// (Boost.Beast and Asio, OpenSSL), a deadline per request,
// redirects refused, replies capped in size. It keeps the session cookie and the CSRF token of
// the login and sends them with every later request.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace dflab::portal {

// A portal address: "https://lab.local:8443" or "http://10.0.0.5/portal" (a path prefix in front
// of every request). Throws common::Error ("URL: why") for anything else: other schemes, user
// names, queries, fragments, a port outside 1..65535.
struct ServerUrl {
    std::string scheme;  // "http" or "https"
    std::string host;    // a name, an IPv4 address or an IPv6 address without brackets
    uint16_t port = 0;
    std::string prefix;  // "" or "/portal" (never a trailing '/')
    std::string text;    // canonical: scheme://host[:port]prefix

    bool tls() const { return scheme == "https"; }
};
ServerUrl parse_server_url(std::string_view url);

// "a b/c" -> "a%20b%2Fc": one path segment (RFC 3986 unreserved characters kept).
std::string encode_path_segment(std::string_view segment);

struct ClientOptions {
    bool insecure = false;                         // TLS without certificate verification
    std::optional<std::filesystem::path> ca_file;  // PEM; default: the system's CAs
    std::chrono::milliseconds timeout{10'000};     // per request, from connecting to the last byte
    size_t body_limit = 1 << 20;                   // largest reply body accepted
};

struct ApiReply {
    int status = 0;
    std::string body;
    std::string content_type;
    std::string retry_after;  // the Retry-After header, "" when absent
    nlohmann::json json;      // the body parsed, null when it is not JSON

    // The reply's "error" and "message" ("" when absent).
    std::string error_code() const;
    std::string message() const;
};

class ApiClient {
  public:
    // Throws common::Error when the URL is invalid or the CA file cannot be read.
    ApiClient(std::string_view url, ClientOptions options = {});
    ~ApiClient();
    ApiClient(const ApiClient&) = delete;
    ApiClient& operator=(const ApiClient&) = delete;

    const ServerUrl& server() const;

    // One request to prefix + `path` ("/api/v1/labs"), `body` sent as JSON when given (POST).
    // Any status is returned; throws common::Error ("URL: why", one line) when there is no
    // HTTP reply in time, the connection or TLS fails, the reply is too large, or it redirects.
    ApiReply get(std::string_view path);
    ApiReply post(std::string_view path, const nlohmann::json& body);

    // POST /api/v1/login {"code"}: on 200, keeps the session cookie and the CSRF token of the
    // reply. Returns the reply whatever its status; throws like post() and when a 200 reply has
    // no session cookie or token.
    ApiReply login_with_code(std::string_view code);
    void logout();  // POST /api/v1/logout; errors ignored

    const std::string& csrf_token() const;

  private:
    ApiReply request(std::string_view method, std::string_view path, const nlohmann::json* body);
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace dflab::portal
