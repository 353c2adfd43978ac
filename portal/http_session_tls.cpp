// HTTPS connections: the session template compiled for a TLS stream over TCP.
#include "portal/http_session_template.hpp"

namespace dflab::portal::detail {

void start_tls_session(ServerCore& core, tcp::socket socket, ssl::context& tls,
                       std::string remote) {
    std::make_shared<Session<beast::ssl_stream<beast::tcp_stream>>>(core, std::move(socket), &tls,
                                                                    std::move(remote))
        ->start();
}

}  // namespace dflab::portal::detail
