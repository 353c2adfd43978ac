#pragma once
// Text helpers for messages about what people wrote: values quoted on one line, lists joined,
// "did you mean" distances, UTF-8 checks, the shape of identifiers and whole numbers.
#include <charconv>
#include <cstddef>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

namespace dflab::common {

// A value shown in a message: quoted, control characters escaped, long values cut (never inside
// a UTF-8 sequence), so that the message stays on one line.
std::string quote(const std::string& s);

std::string join(const std::vector<std::string>& items, const std::string& sep = ", ");
std::string lower(std::string s);  // ASCII only
std::string trim(const std::string& s);

// Levenshtein distance, for "did you mean" hints.
size_t edit_distance(const std::string& a, const std::string& b);

bool valid_utf8(const std::string& s);
size_t count_chars(const std::string& s);  // UTF-8 characters

// Letters, digits and the characters in `extra`; not empty.
bool is_identifier(const std::string& s, const std::string& extra);

// The whole of `s` as a number; nullopt if anything else is in it or it does not fit.
template <class Int>
std::optional<Int> parse_int(const std::string& s) {
    Int v{};
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
    return v;
}

}  // namespace dflab::common
