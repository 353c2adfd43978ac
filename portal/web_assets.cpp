#include "portal/web_assets.hpp"

#include "common/embedded_files.hpp"

namespace dflab::portal {

namespace web {
std::span<const common::EmbeddedFile> embedded_files();  // cmake/embed.cmake, from portal/web/
}

std::optional<std::string_view> web_file(std::string_view name) {
    return common::find_embedded(web::embedded_files(), name);
}

std::string content_type_of(std::string_view name) {
    auto ends = [&](std::string_view e) { return name.ends_with(e); };
    if (ends(".css")) return "text/css; charset=utf-8";
    if (ends(".js")) return "text/javascript; charset=utf-8";
    if (ends(".svg")) return "image/svg+xml";
    if (ends(".png")) return "image/png";
    if (ends(".ico")) return "image/x-icon";
    if (ends(".html")) return "text/html; charset=utf-8";
    if (ends(".json")) return "application/json";
    return "application/octet-stream";
}

}  // namespace dflab::portal
