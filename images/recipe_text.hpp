#pragma once
// Text helpers of the recipe parser (internal): values quoted for messages, UTF-8 checks, the case
// folding FAT and NTFS use to compare names, and the shapes of identifiers and hex strings.
#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

namespace dflab::images::recipe_detail {

constexpr uint64_t kKiB = 1024;
constexpr uint64_t kMiB = 1024 * kKiB;

// A value shown in a message: quoted, control characters escaped, long values cut (never inside
// a UTF-8 sequence), so that the message stays on one line.
std::string quote(const std::string& s);

std::string join(const std::vector<std::string>& items, const std::string& sep = ", ");
std::string lower(std::string s);  // ASCII only
std::string trim(const std::string& s);

// "1048576 bytes (1 MiB)".
std::string bytes_text(uint64_t bytes);

// Levenshtein distance, for "did you mean" hints.
size_t edit_distance(const std::string& a, const std::string& b);

bool valid_utf8(const std::string& s);
size_t count_chars(const std::string& s);  // UTF-8 characters

// Case folding as FAT and NTFS compare names: ASCII and Cyrillic (Russian and Kazakh letters).
// Input is valid UTF-8 (checked before).
std::string fold_case(const std::string& s);

bool is_hex(const std::string& s);
bool is_guid(const std::string& s);  // 01234567-89ab-cdef-0123-456789abcdef
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

}  // namespace dflab::images::recipe_detail
