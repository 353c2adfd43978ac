#pragma once
// The portal's pages, styles and scripts (portal/web/), compiled into the binary.
#include <optional>
#include <string>
#include <string_view>

namespace dflab::portal {

// The embedded file at `name` ("static/portal.css", "templates/login.mustache"), or nullopt.
// Names come from the server's own route table, never from a request's path as such.
std::optional<std::string_view> web_file(std::string_view name);

// The Content-Type of a static file by its ending.
std::string content_type_of(std::string_view name);

}  // namespace dflab::portal
