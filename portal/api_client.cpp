#include "portal/api_client.hpp"

#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <charconv>
#include <functional>
#include <map>
#include <sstream>

#include "common/error.hpp"

namespace dflab::portal {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using boost::system::error_code;
using Clock = std::chrono::steady_clock;
using common::Error;

namespace {

bool starts_with_nocase(std::string_view s, std::string_view prefix) {
    if (s.size() < prefix.size()) return false;
    for (size_t i = 0; i < prefix.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i]) return false;
    return true;
}

bool is_name_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_';
}

bool is_unreserved(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_' ||
           c == '~';
}

std::string seconds_text(std::chrono::milliseconds d) {
    std::ostringstream s;
    s << static_cast<double>(d.count()) / 1000.0 << " s";
    return s.str();
}

// The size limit as people say it: "1 MiB", "64 KiB", "100 bytes".
std::string size_text(size_t n) {
    if (n >= (1u << 20) && n % (1u << 20) == 0) return std::to_string(n >> 20) + " MiB";
    if (n >= 1024 && n % 1024 == 0) return std::to_string(n >> 10) + " KiB";
    return std::to_string(n) + " bytes";
}

// Runs `ioc` until `done` or `deadline`; past the deadline, `cancel` aborts the pending operation,
// its handler runs, and the caller is told (false).
bool run_until(asio::io_context& ioc, const bool& done, Clock::time_point deadline,
               const std::function<void()>& cancel) {
    ioc.restart();
    while (!done && ioc.run_one_until(deadline) != 0) {
    }
    if (done) return true;
    cancel();
    ioc.restart();
    ioc.run();
    return false;
}

// Why a TLS handshake failed, in one line with what to do about it.
std::string handshake_failure(SSL* ssl, const error_code& ec, const ServerUrl& server) {
    long verify = SSL_get_verify_result(ssl);
    if (verify != X509_V_OK)
        return std::string("the server's certificate is not trusted (") +
               X509_verify_cert_error_string(verify) +
               "); give the portal's certificate with --ca-file, or pass --insecure for a "
               "self-signed workshop certificate";
    std::string why = ec.message();
    if (why.find("wrong version number") != std::string::npos)
        return "TLS handshake failed (" + why + "); is it an http:// address? (" + server.host +
               ":" + std::to_string(server.port) + ")";
    return "TLS handshake failed: " + why;
}

}  // namespace

ServerUrl parse_server_url(std::string_view url) {
    const std::string where(url);
    auto fail = [&](const std::string& why) -> ServerUrl { throw Error(where + ": " + why); };
    ServerUrl out;
    std::string_view rest;
    if (starts_with_nocase(url, "https://")) {
        out.scheme = "https";
        rest = url.substr(8);
    } else if (starts_with_nocase(url, "http://")) {
        out.scheme = "http";
        rest = url.substr(7);
    } else {
        return fail("not a portal address; give http://HOST[:PORT] or https://HOST[:PORT]");
    }
    for (char c : url)
        if (static_cast<unsigned char>(c) <= ' ' || static_cast<unsigned char>(c) >= 0x7f)
            return fail("spaces, control and non-ASCII characters are not allowed in the address");
    if (rest.find_first_of("?#") != std::string_view::npos)
        return fail("a portal address has no query (?) or fragment (#)");
    size_t slash = rest.find('/');
    std::string_view authority = rest.substr(0, slash);
    std::string_view path = slash == std::string_view::npos ? "" : rest.substr(slash);
    if (authority.find('@') != std::string_view::npos)
        return fail("user names or passwords do not belong in the address");
    std::string_view port_text;
    if (!authority.empty() && authority.front() == '[') {
        size_t close = authority.find(']');
        if (close == std::string_view::npos) return fail("unclosed '[' around an IPv6 address");
        out.host = std::string(authority.substr(1, close - 1));
        error_code ec;
        asio::ip::make_address_v6(out.host, ec);
        if (ec) return fail("'" + out.host + "' is not an IPv6 address");
        std::string_view after = authority.substr(close + 1);
        if (!after.empty() && after.front() != ':') return fail("junk after the IPv6 address");
        if (!after.empty()) port_text = after.substr(1);
        if (!after.empty() && port_text.empty()) return fail("an empty port after ':'");
    } else {
        size_t colon = authority.find(':');
        out.host = std::string(authority.substr(0, colon));
        if (colon != std::string_view::npos) {
            port_text = authority.substr(colon + 1);
            if (port_text.empty()) return fail("an empty port after ':'");
        }
        if (out.host.empty()) return fail("no host name");
        for (char c : out.host)
            if (!is_name_char(c)) return fail("'" + out.host + "' is not a host name");
    }
    out.port = out.tls() ? 443 : 80;
    if (!port_text.empty()) {
        unsigned port = 0;
        auto [end, ec] =
            std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
        if (ec != std::errc() || end != port_text.data() + port_text.size() || port == 0 ||
            port > 65535)
            return fail("'" + std::string(port_text) + "' is not a port (1 to 65535)");
        out.port = static_cast<uint16_t>(port);
    }
    out.prefix = std::string(path);
    while (!out.prefix.empty() && out.prefix.back() == '/') out.prefix.pop_back();
    bool ipv6 = out.host.find(':') != std::string::npos;
    out.text = out.scheme + "://" + (ipv6 ? "[" + out.host + "]" : out.host);
    if (out.port != (out.tls() ? 443 : 80)) out.text += ":" + std::to_string(out.port);
    out.text += out.prefix;
    return out;
}

std::string encode_path_segment(std::string_view segment) {
    static const char* hex = "0123456789ABCDEF";
    std::string out;
    for (char c : segment) {
        if (is_unreserved(c)) {
            out += c;
        } else {
            auto b = static_cast<unsigned char>(c);
            out += '%';
            out += hex[b >> 4];
            out += hex[b & 15];
        }
    }
    return out;
}

std::string ApiReply::error_code() const {
    return json.is_object() && json.contains("error") && json["error"].is_string()
               ? json["error"].get<std::string>()
               : "";
}

std::string ApiReply::message() const {
    return json.is_object() && json.contains("message") && json["message"].is_string()
               ? json["message"].get<std::string>()
               : "";
}

struct ApiClient::Impl {
    ServerUrl server;
    ClientOptions options;
    std::optional<ssl::context> tls;
    std::map<std::string, std::string> cookies;
    std::string csrf;
    asio::io_context ioc;

    std::string host_header() const {
        bool ipv6 = server.host.find(':') != std::string::npos;
        std::string h = ipv6 ? "[" + server.host + "]" : server.host;
        if (server.port != (server.tls() ? 443 : 80)) h += ":" + std::to_string(server.port);
        return h;
    }

    void keep_cookies(const http::response<http::string_body>& res) {
        auto [first, last] = res.equal_range(http::field::set_cookie);
        for (auto it = first; it != last; ++it) {
            std::string_view v(it->value().data(), it->value().size());
            v = v.substr(0, v.find(';'));
            size_t eq = v.find('=');
            if (eq == std::string_view::npos) continue;
            auto trim = [](std::string_view s) {
                while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
                while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
                return std::string(s);
            };
            std::string name = trim(v.substr(0, eq)), value = trim(v.substr(eq + 1));
            if (name.empty()) continue;
            if (value.empty())
                cookies.erase(name);
            else
                cookies[name] = value;
        }
    }

    // Sends `req` on `stream` and reads the reply, within the deadline.
    template <typename Stream>
    http::response<http::string_body> exchange(Stream& stream,
                                               http::request<http::string_body>& req,
                                               tcp::socket& socket, Clock::time_point deadline,
                                               const std::string& where) {
        auto cancel = [&] {
            error_code ignored;
            socket.close(ignored);
        };
        bool done = false;
        error_code ec;
        http::async_write(stream, req, [&](error_code e, size_t) {
            ec = e;
            done = true;
        });
        if (!run_until(ioc, done, deadline, cancel))
            throw Error(where + ": no reply within " + seconds_text(options.timeout));
        if (ec) throw Error(where + ": cannot send the request: " + ec.message());
        beast::flat_buffer buffer;
        http::response_parser<http::string_body> parser;
        parser.body_limit(options.body_limit);
        parser.header_limit(16 * 1024);
        done = false;
        http::async_read(stream, buffer, parser, [&](error_code e, size_t) {
            ec = e;
            done = true;
        });
        if (!run_until(ioc, done, deadline, cancel))
            throw Error(where + ": no reply within " + seconds_text(options.timeout));
        if (ec == http::error::body_limit)
            throw Error(where + ": the reply is larger than " + size_text(options.body_limit) +
                        "; refused");
        if (ec == http::error::end_of_stream || ec == asio::error::eof)
            throw Error(where + ": the server closed the connection without a reply");
        if (ec)
            throw Error(where + ": not an HTTP reply (" + ec.message() + ")" +
                        (server.tls() ? "" : "; is it an https:// address?"));
        return parser.release();
    }
};

ApiClient::ApiClient(std::string_view url, ClientOptions options)
    : impl_(std::make_unique<Impl>()) {
    impl_->server = parse_server_url(url);
    impl_->options = std::move(options);
    if (impl_->server.tls()) {
        impl_->tls.emplace(ssl::context::tls_client);
        ssl::context& ctx = *impl_->tls;
        ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                        ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
        if (impl_->options.insecure) {
            ctx.set_verify_mode(ssl::verify_none);
        } else {
            ctx.set_verify_mode(ssl::verify_peer);
            error_code ec;
            if (impl_->options.ca_file) {
                ctx.load_verify_file(impl_->options.ca_file->string(), ec);
                if (ec)
                    throw Error(impl_->options.ca_file->string() +
                                ": not a readable PEM certificate file (" + ec.message() + ")");
            } else {
                ctx.set_default_verify_paths(ec);
                if (ec) throw Error("the system's CA certificates cannot be read: " + ec.message());
            }
        }
    }
}

ApiClient::~ApiClient() = default;

const ServerUrl& ApiClient::server() const {
    return impl_->server;
}
const std::string& ApiClient::csrf_token() const {
    return impl_->csrf;
}

ApiReply ApiClient::get(std::string_view path) {
    return request("GET", path, nullptr);
}

ApiReply ApiClient::post(std::string_view path, const nlohmann::json& body) {
    return request("POST", path, &body);
}

ApiReply ApiClient::request(std::string_view method, std::string_view path,
                            const nlohmann::json* body) {
    Impl& im = *impl_;
    const ServerUrl& server = im.server;
    const std::string where = server.text + std::string(path);
    const Clock::time_point deadline = Clock::now() + im.options.timeout;
    auto timed_out = [&] {
        return Error(where + ": no reply within " + seconds_text(im.options.timeout));
    };

    http::request<http::string_body> req{http::string_to_verb(method),
                                         server.prefix + std::string(path), 11};
    req.set(http::field::host, im.host_header());
    req.set(http::field::user_agent, "dflab/0.1.0");
    req.set(http::field::accept, "application/json");
    req.keep_alive(false);
    if (!im.cookies.empty()) {
        std::string cookie;
        for (auto& [name, value] : im.cookies)
            cookie += (cookie.empty() ? "" : "; ") + name + "=" + value;
        req.set(http::field::cookie, cookie);
    }
    if (method == "POST" && !im.csrf.empty()) req.set("X-CSRF-Token", im.csrf);
    if (body) {
        req.set(http::field::content_type, "application/json");
        req.body() = body->dump();
    }
    req.prepare_payload();

    // Resolve and connect.
    tcp::resolver resolver(im.ioc);
    tcp::resolver::results_type endpoints;
    bool done = false;
    error_code ec;
    resolver.async_resolve(server.host, std::to_string(server.port),
                           [&](error_code e, tcp::resolver::results_type r) {
                               ec = e;
                               endpoints = std::move(r);
                               done = true;
                           });
    if (!run_until(im.ioc, done, deadline, [&] { resolver.cancel(); })) throw timed_out();
    if (ec)
        throw Error(where + ": cannot find the host " + server.host + " (" + ec.message() + ")");

    std::optional<ssl::stream<tcp::socket>> tls_stream;
    std::optional<tcp::socket> plain;
    if (im.tls)
        tls_stream.emplace(im.ioc, *im.tls);
    else
        plain.emplace(im.ioc);
    tcp::socket& socket = im.tls ? tls_stream->next_layer() : *plain;
    auto close = [&] {
        error_code ignored;
        socket.close(ignored);
    };
    done = false;
    asio::async_connect(socket, endpoints, [&](error_code e, const tcp::endpoint&) {
        ec = e;
        done = true;
    });
    if (!run_until(im.ioc, done, deadline, close)) throw timed_out();
    if (ec)
        throw Error(where + ": cannot connect to " + im.host_header() + " (" + ec.message() + ")");

    http::response<http::string_body> res;
    if (im.tls) {
        SSL* handle = tls_stream->native_handle();
        error_code addr_ec;
        asio::ip::make_address(server.host, addr_ec);
        if (addr_ec) {  // a name: send it (SNI) and check the certificate against it
            SSL_ctrl(handle, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                     const_cast<char*>(server.host.c_str()));
            SSL_set1_host(handle, server.host.c_str());
        } else {
            X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(handle), server.host.c_str());
        }
        done = false;
        tls_stream->async_handshake(ssl::stream_base::client, [&](error_code e) {
            ec = e;
            done = true;
        });
        if (!run_until(im.ioc, done, deadline, close)) throw timed_out();
        if (ec) throw Error(where + ": " + handshake_failure(handle, ec, server));
        res = im.exchange(*tls_stream, req, socket, deadline, where);
        // A polite close_notify, briefly; the reply is complete whatever happens here.
        done = false;
        tls_stream->async_shutdown([&](error_code) { done = true; });
        run_until(im.ioc, done, std::min(deadline, Clock::now() + std::chrono::seconds(1)), close);
    } else {
        res = im.exchange(*plain, req, socket, deadline, where);
    }
    close();

    int status = static_cast<int>(res.result_int());
    if (status >= 300 && status < 400) {
        std::string location(res[http::field::location]);
        throw Error(where + ": the server redirects (" + std::to_string(status) + ") to " +
                    (location.empty() ? "?" : location) +
                    "; redirects are not followed: give the portal's own address");
    }
    im.keep_cookies(res);
    ApiReply reply;
    reply.status = status;
    reply.body = std::move(res.body());
    reply.content_type = std::string(res[http::field::content_type]);
    reply.retry_after = std::string(res[http::field::retry_after]);
    reply.json = nlohmann::json::parse(reply.body, nullptr, false);
    if (reply.json.is_discarded()) reply.json = nullptr;
    return reply;
}

ApiReply ApiClient::login_with_code(std::string_view code) {
    ApiReply reply = post("/api/v1/login", {{"code", std::string(code)}});
    if (reply.status != 200) return reply;
    const std::string where = impl_->server.text + "/api/v1/login";
    if (!reply.json.is_object() || !reply.json.contains("csrf") || !reply.json["csrf"].is_string())
        throw Error(where + ": the login reply is not the portal's (no CSRF token)");
    if (!impl_->cookies.contains("dflab_session"))
        throw Error(where + ": the login reply sets no session cookie (dflab_session)");
    impl_->csrf = reply.json["csrf"].get<std::string>();
    return reply;
}

void ApiClient::logout() {
    if (impl_->csrf.empty()) return;
    try {
        post("/api/v1/logout", nlohmann::json::object());
    } catch (const Error&) {
        // The session ends by itself; nothing to tell.
    }
    impl_->csrf.clear();
    impl_->cookies.erase("dflab_session");
}

}  // namespace dflab::portal
