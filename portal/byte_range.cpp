#include "portal/byte_range.hpp"

#include <charconv>
#include <limits>
#include <optional>

namespace dflab::portal {

namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

bool all_digits(std::string_view s) {
    if (s.empty()) return false;
    for (char c : s)
        if (c < '0' || c > '9') return false;
    return true;
}

// A decimal position; a number too large for 64 bits reads as the largest value (still past the
// end of any file).
std::optional<uint64_t> position(std::string_view s) {
    if (!all_digits(s)) return std::nullopt;
    uint64_t value = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (ec == std::errc::result_out_of_range) return std::numeric_limits<uint64_t>::max();
    if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
    return value;
}

bool equals_nocase(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
        const char x = (a[i] >= 'A' && a[i] <= 'Z') ? static_cast<char>(a[i] - 'A' + 'a') : a[i];
        if (x != b[i]) return false;
    }
    return true;
}

}  // namespace

ByteRange parse_range(std::string_view header, uint64_t size) {
    ByteRange whole;
    const auto equals = header.find('=');
    if (equals == std::string_view::npos || !equals_nocase(trim(header.substr(0, equals)), "bytes"))
        return whole;
    const std::string_view spec = trim(header.substr(equals + 1));
    if (spec.find(',') != std::string_view::npos) return whole;  // several ranges: whole file
    const auto dash = spec.find('-');
    if (dash == std::string_view::npos) return whole;
    const std::string_view first_text = trim(spec.substr(0, dash));
    const std::string_view last_text = trim(spec.substr(dash + 1));
    ByteRange r;
    r.kind = ByteRange::Kind::part;
    if (first_text.empty()) {  // suffix: the last N bytes
        const auto n = position(last_text);
        if (!n) return whole;
        if (*n == 0 || size == 0) return {ByteRange::Kind::unsatisfiable, 0, 0};
        r.first = *n >= size ? 0 : size - *n;
        r.last = size - 1;
        return r;
    }
    const auto first = position(first_text);
    if (!first) return whole;
    std::optional<uint64_t> last;
    if (!last_text.empty()) {
        last = position(last_text);
        if (!last || *last < *first) return whole;  // invalid: ignored
    }
    if (*first >= size) return {ByteRange::Kind::unsatisfiable, 0, 0};
    r.first = *first;
    r.last = (!last || *last >= size) ? size - 1 : *last;
    return r;
}

bool if_range_matches(std::string_view if_range, std::string_view etag) {
    if_range = trim(if_range);
    if (etag.empty() || etag.starts_with("W/") || if_range.starts_with("W/")) return false;
    return if_range == etag;
}

std::string content_disposition(std::string_view name) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string fallback, encoded;
    for (char c : name) {
        const auto u = static_cast<unsigned char>(c);
        const bool attr_char = (u >= '0' && u <= '9') || (u >= 'a' && u <= 'z') ||
                               (u >= 'A' && u <= 'Z') ||
                               std::string_view("!#$&+-.^_`|~").find(c) != std::string_view::npos;
        if (attr_char) {
            encoded += c;
        } else {
            encoded += '%';
            encoded += hex[u >> 4];
            encoded += hex[u & 15];
        }
        fallback += (u >= 0x20 && u < 0x7f && c != '"' && c != '\\' && c != '%') ? c : '_';
    }
    if (fallback.empty()) fallback = "download";
    return "attachment; filename=\"" + fallback + "\"; filename*=UTF-8''" + encoded;
}

}  // namespace dflab::portal
