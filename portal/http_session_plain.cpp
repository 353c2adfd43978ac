// Plain-HTTP connections: the session template compiled for a TCP stream.
#include "portal/http_session_template.hpp"

namespace dflab::portal::detail {

void start_plain_session(ServerCore& core, tcp::socket socket, std::string remote) {
    std::make_shared<Session<beast::tcp_stream>>(core, std::move(socket), nullptr,
                                                 std::move(remote))
        ->start();
}

}  // namespace dflab::portal::detail
