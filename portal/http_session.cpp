// Accepted connections become sessions: plain or TLS, each compiled in a file of its own
// (http_session_plain.cpp, http_session_tls.cpp) from http_session_template.hpp.
#include "portal/http_session.hpp"

#include <boost/asio/ip/address.hpp>

#include "portal/http_reply_parts.hpp"

namespace dflab::portal::detail {

namespace asio = boost::asio;

void serve_connection(ServerCore& core, asio::ip::tcp::socket socket, asio::ssl::context* tls) {
    boost::system::error_code ec;
    auto address = socket.remote_endpoint(ec).address();
    if (ec) return;  // already gone
    if (address.is_v6() && address.to_v6().is_v4_mapped())
        address = asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6());
    if (tls)
        start_tls_session(core, std::move(socket), *tls, address.to_string());
    else
        start_plain_session(core, std::move(socket), address.to_string());
}

void take_message(boost::beast::http::request<boost::beast::http::string_body>&& message,
                  Request& request) {
    request.method = std::string(message.method_string());
    request.target = std::string(message.target());
    for (const auto& field : message)
        request.headers.emplace_back(lower(field.name_string()), std::string(field.value()));
    request.body = std::move(message.body());
}

}  // namespace dflab::portal::detail
