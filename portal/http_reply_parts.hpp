// What both kinds of connection (plain and TLS) share that does not depend on the stream: limits,
// an owned file descriptor, error replies and the reply header the server fills in.
#pragma once

#include <boost/beast/http/message.hpp>
#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>

#include "common/file_descriptor.hpp"
#include "portal/http_server.hpp"

namespace dflab::portal::detail {

constexpr size_t kChunkBytes = 256 * 1024;             // one buffer per download
constexpr size_t kMaxQueuedEvents = 256;               // a subscriber further behind is dropped
constexpr auto kLingerTime = std::chrono::seconds(2);  // reading what a client still sends
constexpr size_t kDefaultBodyLimit = 1024 * 1024;

using common::FileDescriptor;  // an open file, closed with its owner

// A JSON error reply {"error": code, "message": message}.
Reply error_reply(int status, std::string_view code, std::string_view message);

// ASCII lower case (header names).
std::string lower(std::string_view s);

// The reply's header: the handler's fields first (unsafe ones dropped), then the server's where the
// handler set none (content type, security headers, Cache-Control, Date).
void fill_header(boost::beast::http::response_header<>& h, const Reply& reply, unsigned version,
                 std::string_view content_type);

// Replies that carry no body whatever their length says (1xx, 204, 304).
bool has_no_body(int status);

}  // namespace dflab::portal::detail
