// The HTTP server's outer part: requests' helpers and targets, the security headers, the access
// log, and HttpServer itself (acceptor, TLS context, io threads, signals, stopping). Connections
// are served in http_session.cpp.
#include "portal/http_server.hpp"

#include <sys/time.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <condition_variable>
#include <ctime>
#include <future>
#include <iostream>
#include <thread>

#include "common/error.hpp"
#include "portal/http_session.hpp"
#include "scoring/answer_types.hpp"

namespace dflab::portal {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using boost::system::error_code;
using common::Error;

// ---- requests ----------------------------------------------------------------------------------

std::string Request::header(std::string_view name) const {
    for (const auto& [n, v] : headers)
        if (n == name) return v;
    return "";
}

std::string Request::query_value(std::string_view name) const {
    for (const auto& [n, v] : query)
        if (n == name) return v;
    return "";
}

std::string Request::cookie(std::string_view name) const {
    for (const auto& [n, v] : headers) {
        if (n != "cookie") continue;
        std::string_view rest = v;
        while (!rest.empty()) {
            const auto semicolon = rest.find(';');
            std::string_view pair = rest.substr(0, semicolon);
            rest = semicolon == std::string_view::npos ? std::string_view()
                                                       : rest.substr(semicolon + 1);
            while (!pair.empty() && (pair.front() == ' ' || pair.front() == '\t'))
                pair.remove_prefix(1);
            while (!pair.empty() && (pair.back() == ' ' || pair.back() == '\t'))
                pair.remove_suffix(1);
            const auto equals = pair.find('=');
            if (equals == std::string_view::npos || pair.substr(0, equals) != name) continue;
            std::string_view value = pair.substr(equals + 1);
            if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
                value = value.substr(1, value.size() - 2);
            return std::string(value);
        }
    }
    return "";
}

namespace detail {

namespace {

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// Percent-decoding (RFC 3986 2.1), '+' as a space in query parts (HTML forms). Refuses a '%' not
// followed by two hex digits, a NUL and anything that is not UTF-8 once decoded.
std::optional<std::string> decode(std::string_view s, bool plus_is_space) {
    std::string out;
    out.reserve(s.size());
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%') {
            if (i + 2 >= s.size()) return std::nullopt;
            const int high = hex_value(s[i + 1]), low = hex_value(s[i + 2]);
            if (high < 0 || low < 0) return std::nullopt;
            out += static_cast<char>(high * 16 + low);
            i += 2;
        } else if (s[i] == '+' && plus_is_space) {
            out += ' ';
        } else {
            out += s[i];
        }
    }
    if (out.find('\0') != std::string::npos || !scoring::valid_utf8(out)) return std::nullopt;
    return out;
}

}  // namespace

bool read_target(std::string_view target, Request& request) {
    // absolute-form ("http://host/path") is accepted as RFC 9112 asks; the authority is ignored.
    for (std::string_view scheme : {"http://", "https://"}) {
        if (target.size() > scheme.size() && target.substr(0, scheme.size()) == scheme) {
            const auto slash = target.find('/', scheme.size());
            target = slash == std::string_view::npos ? "/" : target.substr(slash);
        }
    }
    if (target.empty() || target.front() != '/') return false;
    const auto question = target.find('?');
    auto path = decode(target.substr(0, question), false);
    if (!path) return false;
    request.path = std::move(*path);
    request.query.clear();
    if (question == std::string_view::npos) return true;
    std::string_view rest = target.substr(question + 1);
    while (true) {
        const auto amp = rest.find('&');
        const std::string_view part = rest.substr(0, amp);
        if (!part.empty()) {
            const auto equals = part.find('=');
            auto name = decode(part.substr(0, equals), true);
            auto value = equals == std::string_view::npos ? std::optional<std::string>("")
                                                          : decode(part.substr(equals + 1), true);
            if (!name || !value) return false;
            request.query.emplace_back(std::move(*name), std::move(*value));
        }
        if (amp == std::string_view::npos) break;
        rest = rest.substr(amp + 1);
    }
    return true;
}

// ---- the shared core ---------------------------------------------------------------------------

bool ServerCore::add(const std::shared_ptr<Connection>& connection) {
    std::lock_guard lock(connections_mutex_);
    if (stopping_) return false;
    connections_.emplace(connection.get(), connection);
    return true;
}

void ServerCore::remove(const Connection* connection) {
    std::lock_guard lock(connections_mutex_);
    connections_.erase(connection);
}

size_t ServerCore::connections() const {
    std::lock_guard lock(connections_mutex_);
    return connections_.size();
}

void ServerCore::stop_connections() {
    std::vector<std::shared_ptr<Connection>> open;
    {
        std::lock_guard lock(connections_mutex_);
        stopping_ = true;
        for (const auto& [key, weak] : connections_)
            if (auto c = weak.lock()) open.push_back(std::move(c));
    }
    for (const auto& c : open) c->stop_soon();
}

namespace {

// A field of the access log: quotes, backslashes, control characters and non-ASCII bytes escaped
// the way Apache's mod_log_config does (\" \\ \xHH); spaces too when the field is not quoted.
std::string log_field(std::string_view s, bool quoted) {
    static constexpr char hex[] = "0123456789abcdef";
    if (s.empty()) return "-";
    std::string out;
    for (char c : s) {
        const auto u = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (u < 0x20 || u >= 0x7f || (c == ' ' && !quoted)) {
            out += "\\x";
            out += hex[u >> 4];
            out += hex[u & 15];
        } else {
            out += c;
        }
    }
    return out;
}

// "01/Dec/2026:21:14:03 +0000" (months in English whatever the locale).
std::string log_time() {
    static constexpr const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                             "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    const std::time_t now = std::time(nullptr);
    std::tm t{};
    gmtime_r(&now, &t);
    char text[40];
    std::snprintf(text, sizeof text, "%02d/%s/%04d:%02d:%02d:%02d +0000", t.tm_mday,
                  months[t.tm_mon], t.tm_year + 1900, t.tm_hour, t.tm_min, t.tm_sec);
    return text;
}

}  // namespace

void ServerCore::log_access(const AccessEntry& e) {
    if (!config.access_log) return;
    std::string line =
        log_field(e.remote, false) + " - " + log_field(e.user, false) + " [" + log_time() + "] \"" +
        log_field(e.request_line, true) + "\" " + std::to_string(e.status) + " " +
        (e.bytes ? std::to_string(e.bytes) : std::string("-")) + " \"" +
        log_field(e.referer, true) + "\" \"" + log_field(e.user_agent, true) + "\"\n";
    std::lock_guard lock(log_mutex_);
    *config.access_log << line << std::flush;
}

}  // namespace detail

const std::vector<std::pair<std::string, std::string>>& security_headers() {
    static const std::vector<std::pair<std::string, std::string>> headers = {
        {"Content-Security-Policy",
         "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
         "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"},
        {"X-Content-Type-Options", "nosniff"},
        {"X-Frame-Options", "DENY"},
        {"Referrer-Policy", "no-referrer"},
    };
    return headers;
}

// ---- the server --------------------------------------------------------------------------------

namespace {

// How long stop() waits for replies being written and connections closing before it cuts them.
constexpr auto kStopGrace = std::chrono::seconds(5);

std::unique_ptr<ssl::context> tls_context(const ServerConfig& config, const std::string& where) {
    if (!config.tls_certificate && !config.tls_private_key) return nullptr;
    if (!config.tls_certificate || !config.tls_private_key)
        throw Error(where + ": TLS needs both a certificate and a private key");
    auto context = std::make_unique<ssl::context>(ssl::context::tls_server);
    context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                         ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                         ssl::context::no_tlsv1_1 | ssl::context::single_dh_use);
    error_code ec;
    context->use_certificate_chain_file(config.tls_certificate->string(), ec);
    if (ec)
        throw Error(config.tls_certificate->string() +
                    ": cannot be read as a PEM certificate: " + ec.message());
    context->use_private_key_file(config.tls_private_key->string(), ssl::context::pem, ec);
    if (ec)
        throw Error(config.tls_private_key->string() +
                    ": cannot be read as the certificate's PEM private key: " + ec.message());
    return context;
}

}  // namespace

struct HttpServer::Impl {
    // Declared before the io_context: connections destroyed with it still use them.
    detail::ServerCore core;
    std::unique_ptr<ssl::context> tls;
    std::string where;  // "ADDRESS:PORT" for messages
    asio::io_context io;
    asio::strand<asio::io_context::executor_type> strand{io.get_executor()};
    tcp::acceptor acceptor{strand};
    asio::steady_timer retry_timer{strand};
    std::optional<asio::signal_set> signals;
    uint16_t bound_port = 0;

    std::mutex state_mutex;
    std::condition_variable state_changed;
    bool stop_requested = false;
    bool running = false;

    void accept() {
        acceptor.async_accept(asio::make_strand(io), [this](error_code ec, tcp::socket socket) {
            if (ec == asio::error::operation_aborted || !acceptor.is_open()) return;
            if (ec) {  // out of descriptors, say: try again shortly rather than spin
                std::cerr << "dflab serve: " << where << ": accept failed: " << ec.message()
                          << "\n";
                retry_timer.expires_after(std::chrono::milliseconds(100));
                retry_timer.async_wait([this](error_code e) {
                    if (!e) accept();
                });
                return;
            }
            detail::serve_connection(core, std::move(socket), tls.get());
            accept();
        });
    }

    // On the strand: no more connections, no more signals; open connections close.
    void shut() {
        error_code ignored;
        acceptor.close(ignored);
        retry_timer.cancel();
        if (signals) signals->cancel(ignored);
        core.stop_connections();
    }
};

HttpServer::HttpServer(ServerConfig config, Handler handler) : impl_(std::make_unique<Impl>()) {
    Impl& m = *impl_;
    m.where = config.address + ":" + std::to_string(config.port);
    if (config.threads < 1) config.threads = 1;
    m.core.config = std::move(config);
    m.core.handler = std::move(handler);
    const ServerConfig& c = m.core.config;
    m.tls = tls_context(c, m.where);
    error_code ec;
    const auto address = asio::ip::make_address(c.address, ec);
    if (ec) throw Error(m.where + ": cannot listen: not an IP address");
    const tcp::endpoint endpoint(address, c.port);
    auto fail = [&](const error_code& e) {
        throw Error(m.where + ": cannot listen: " + e.message());
    };
    m.acceptor.open(endpoint.protocol(), ec);
    if (ec) fail(ec);
    m.acceptor.set_option(asio::socket_base::reuse_address(true), ec);
    if (ec) fail(ec);
    m.acceptor.bind(endpoint, ec);
    if (ec) fail(ec);
    m.acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) fail(ec);
    m.bound_port = m.acceptor.local_endpoint(ec).port();
    asio::post(m.strand, [&m] { m.accept(); });
}

HttpServer::~HttpServer() {
    stop();
    std::unique_lock lock(impl_->state_mutex);
    impl_->state_changed.wait(lock, [this] { return !impl_->running; });
}

uint16_t HttpServer::port() const {
    return impl_->bound_port;
}

size_t HttpServer::active_downloads() const {
    return impl_->core.downloads.load();
}

void HttpServer::run(bool handle_signals) {
    Impl& m = *impl_;
    {
        std::lock_guard lock(m.state_mutex);
        if (m.stop_requested || m.running) return;
        m.running = true;
    }
    if (handle_signals) {
        asio::post(m.strand, [this, &m] {
            if (m.core.stopping()) return;
            m.signals.emplace(m.strand, SIGINT, SIGTERM);
            m.signals->async_wait([this](error_code ec, int) {
                if (!ec) stop();
            });
        });
    }
    std::vector<std::future<void>> threads;
    for (int i = 0; i < m.core.config.threads; ++i) {
        threads.push_back(std::async(std::launch::async, [&m] {
            for (;;) {
                try {
                    m.io.run();
                    return;
                } catch (const std::exception& e) {  // a bug in a completion handler
                    std::cerr << "dflab serve: unexpected error: " << e.what() << "\n";
                }
            }
        }));
    }
    {
        std::unique_lock lock(m.state_mutex);
        m.state_changed.wait(lock, [&m] { return m.stop_requested; });
    }
    const auto deadline = std::chrono::steady_clock::now() + kStopGrace;
    for (auto& t : threads) {
        if (t.wait_until(deadline) != std::future_status::ready) {
            m.io.stop();  // connections that did not close in time are cut
            break;
        }
    }
    for (auto& t : threads) t.wait();
    m.signals.reset();  // no io thread runs: the default dispositions come back
    {
        std::lock_guard lock(m.state_mutex);
        m.running = false;
    }
    m.state_changed.notify_all();
}

void HttpServer::stop() {
    Impl& m = *impl_;
    {
        std::lock_guard lock(m.state_mutex);
        if (m.stop_requested) return;
        m.stop_requested = true;
    }
    m.state_changed.notify_all();
    asio::post(m.strand, [&m] { m.shut(); });
}

}  // namespace dflab::portal
