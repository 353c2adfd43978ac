#pragma once
// The portal's HTTP server: Boost.Beast over Asio (docs/portal.md says why), plain HTTP or TLS,
// a few threads for any number of connections. It parses requests (Beast, never by hand),
// enforces limits (header and body size, idle time, concurrent downloads), serves files with
// byte ranges, keeps server-sent event streams, writes one access-log line per request and stops
// gracefully. What a request means is the Handler's business.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace dflab::portal {

struct Request {
    std::string method;  // "GET", "POST", ...
    std::string target;  // as sent: "/labs/intro?x=1"
    std::string path;    // percent-decoded, without the query; always starts with '/'
    std::vector<std::pair<std::string, std::string>> query;    // decoded, in order
    std::vector<std::pair<std::string, std::string>> headers;  // names in lower case
    std::string body;
    std::string remote;  // peer address, "127.0.0.1"

    std::string header(std::string_view lower_case_name) const;  // "" when absent
    std::string query_value(std::string_view name) const;        // "" when absent
    std::string cookie(std::string_view name) const;             // "" when absent
};

// A file to send: the server answers Range requests (206, 416, If-Range), HEAD and full GETs,
// reading the file in chunks as the socket drains.
struct FileReply {
    std::filesystem::path path;
    uint64_t size = 0;  // the file's size, as the handler found it
    std::string content_type = "application/octet-stream";
    std::string download_name;  // Content-Disposition: attachment; filename*=UTF-8''...
    std::string etag;           // strong validator, quoted: "\"sha256-...\""
};

// A stream of server-sent events (text/event-stream) that handlers hand out and publish to.
class EventChannel {
  public:
    virtual ~EventChannel() = default;
    // Sends "event: NAME\ndata: DATA\n\n" to every open stream of this channel. Thread-safe.
    virtual void publish(std::string_view event, std::string_view data) = 0;
    virtual size_t subscribers() const = 0;
};
std::shared_ptr<EventChannel> make_event_channel();

struct Reply {
    int status = 200;
    std::vector<std::pair<std::string, std::string>> headers;  // added to the server's own
    std::string body;
    std::string content_type = "text/plain; charset=utf-8";
    std::optional<FileReply> file;         // send this file instead of body
    std::shared_ptr<EventChannel> events;  // keep the connection open as an event stream
    std::string log_user = "-";            // the user field of the access-log line
};

using Handler = std::function<Reply(const Request&)>;

struct ServerConfig {
    std::string address = "127.0.0.1";
    uint16_t port = 8080;  // 0: any free port (see HttpServer::port)
    int threads = 2;
    // Largest body accepted for a path (413 beyond it); default 1 MiB everywhere.
    std::function<size_t(std::string_view path)> body_limit;
    size_t max_header_bytes = 16 * 1024;
    size_t max_downloads = 64;  // concurrent file replies; beyond: 503 with Retry-After
    int retry_after_seconds = 30;
    std::chrono::seconds idle_timeout{60};     // a connection that sends nothing is closed
    std::chrono::seconds event_heartbeat{15};  // a comment on idle event streams this often
    std::optional<std::filesystem::path> tls_certificate, tls_private_key;  // PEM files
    std::ostream* access_log = nullptr;  // Combined Log Format, one line per request
};

class HttpServer {
  public:
    // Binds and listens at once (throws common error type with "ADDRESS:PORT: why" on failure).
    HttpServer(ServerConfig config, Handler handler);
    ~HttpServer();
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    uint16_t port() const;  // the bound port
    // Serves until stop() or SIGINT/SIGTERM (when handle_signals). A handler that is running when
    // the stop comes finishes and its reply is sent; then open streams and downloads are closed.
    void run(bool handle_signals);
    void stop();  // thread-safe; run() returns soon after
    size_t active_downloads() const;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// Security headers every reply carries (CSP default-src 'self', nosniff, no framing, no referrer).
const std::vector<std::pair<std::string, std::string>>& security_headers();

}  // namespace dflab::portal
