#pragma once
// Inside the HTTP server (not for other modules): what connections share with the server (limits,
// handler, access log, the list of open connections for stop()), the event-channel subscription,
// and reading a request target.
#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "portal/http_server.hpp"

namespace dflab::portal::detail {

// An open connection, as the server sees it: stop() closes it (after a reply being written).
class Connection {
  public:
    virtual ~Connection() = default;
    virtual void stop_soon() = 0;  // thread-safe
};

struct AccessEntry {
    std::string remote, user, request_line, referer, user_agent;
    int status = 0;
    uint64_t bytes = 0;
};

// What every connection of a server shares.
struct ServerCore {
    ServerConfig config;
    Handler handler;
    std::atomic<size_t> downloads{0};

    // Adds a connection, unless the server is stopping (then false: close it at once).
    bool add(const std::shared_ptr<Connection>& connection);
    void remove(const Connection* connection);
    // Marks the server stopping and asks every open connection to close.
    void stop_connections();
    bool stopping() const { return stopping_.load(); }
    size_t connections() const;

    void log_access(const AccessEntry& entry);

  private:
    std::atomic<bool> stopping_{false};
    mutable std::mutex connections_mutex_;
    std::map<const Connection*, std::weak_ptr<Connection>> connections_;
    std::mutex log_mutex_;
};

// Serves one accepted connection until it closes; `tls` null for plain HTTP.
void serve_connection(ServerCore& core, boost::asio::ip::tcp::socket socket,
                      boost::asio::ssl::context* tls);
// The two kinds of session behind serve_connection, each compiled in a file of its own.
void start_plain_session(ServerCore& core, boost::asio::ip::tcp::socket socket, std::string remote);
void start_tls_session(ServerCore& core, boost::asio::ip::tcp::socket socket,
                       boost::asio::ssl::context& tls, std::string remote);

// A connection that streams events; the channel holds it weakly.
class Subscriber {
  public:
    virtual ~Subscriber() = default;
    // Queues an encoded event (thread-safe, never blocks); a subscriber too far behind closes.
    virtual void deliver(const std::shared_ptr<const std::string>& message) = 0;
};
// Subscribes to a channel made by make_event_channel() (Error for any other implementation).
void subscribe(EventChannel& channel, const std::shared_ptr<Subscriber>& subscriber);
void unsubscribe(EventChannel& channel, const Subscriber* subscriber);

// The request target read into `request` (path, query); false when it is not valid (400).
bool read_target(std::string_view target, Request& request);

// The rest of what the handler sees, taken from Beast's parsed message: method, target, headers
// (names in lower case) and body. Sessions and the portal's fuzzing harness use this one reading.
void take_message(boost::beast::http::request<boost::beast::http::string_body>&& message,
                  Request& request);

}  // namespace dflab::portal::detail
