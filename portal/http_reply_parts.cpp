// Stream-independent pieces of a connection: see http_reply_parts.hpp.
#include "portal/http_reply_parts.hpp"

#include <boost/beast/http/field.hpp>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <nlohmann/json.hpp>

namespace dflab::portal::detail {

namespace http = boost::beast::http;

namespace {

// "Sun, 06 Nov 1994 08:49:37 GMT" (RFC 9110 IMF-fixdate), English whatever the locale.
std::string http_date() {
    static constexpr const char* days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static constexpr const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                             "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    const std::time_t now = std::time(nullptr);
    std::tm t{};
    gmtime_r(&now, &t);
    char text[40];
    std::snprintf(text, sizeof text, "%s, %02d %s %04d %02d:%02d:%02d GMT", days[t.tm_wday],
                  t.tm_mday, months[t.tm_mon], t.tm_year + 1900, t.tm_hour, t.tm_min, t.tm_sec);
    return text;
}

bool safe_header(std::string_view name, std::string_view value) {
    if (name.empty() || name.find_first_of("\r\n:") != std::string_view::npos) return false;
    if (value.find_first_of("\r\n") != std::string_view::npos) return false;
    const std::string n = lower(name);
    return n != "content-length" && n != "transfer-encoding" && n != "connection";
}

}  // namespace

Reply error_reply(int status, std::string_view code, std::string_view message) {
    Reply r;
    r.status = status;
    r.content_type = "application/json";
    r.body = nlohmann::json{{"error", code}, {"message", message}}.dump();
    return r;
}

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

// The reply's header: the handler's fields first, then the server's where the handler set none.
void fill_header(http::response_header<>& h, const Reply& reply, unsigned version,
                 std::string_view content_type) {
    h.version(version);
    h.result(static_cast<unsigned>(reply.status));
    for (const auto& [name, value] : reply.headers) {
        if (safe_header(name, value))
            h.insert(name, value);
        else
            std::cerr << "dflab serve: a reply header was dropped: " << name << "\n";
    }
    if (!content_type.empty() && h.find(http::field::content_type) == h.end())
        h.set(http::field::content_type, content_type);
    for (const auto& [name, value] : security_headers())
        if (h.find(name) == h.end()) h.set(name, value);
    if (h.find(http::field::cache_control) == h.end())
        h.set(http::field::cache_control, "no-store");
    h.set(http::field::date, http_date());
}

bool has_no_body(int status) {
    return status < 200 || status == 204 || status == 304;
}

}  // namespace dflab::portal::detail
