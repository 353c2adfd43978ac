#pragma once
// UTF-8 for names read from evidence. File systems store names as bytes (ext, UFS, HFS+ keys) or in
// a code page (FAT short names, Latin-1 or CP1251 written by old tools), and damaged media break
// sequences: such bytes must not reach a JSON writer (nlohmann throws type_error.316) or be lost.
// Every output therefore carries a name as display text (valid UTF-8) and, when the original is
// not valid UTF-8, its bytes in hex beside it ("name" + "name_hex"): see docs/entry-format.md.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace dflab::common {

// Whether `bytes` is well-formed UTF-8 (Unicode 15, table 3-7): no overlong forms, no surrogates
// (U+D800..U+DFFF), nothing above U+10FFFF, no truncated or stray continuation bytes.
bool is_valid_utf8(std::string_view bytes);

// The offset of the first byte that does not start a well-formed sequence, nothing when `bytes` is
// valid UTF-8: where a text file's first encoding error is.
std::optional<size_t> first_invalid_utf8(std::string_view bytes);

// `bytes` as valid UTF-8: well-formed sequences as they are, and U+FFFD for each maximal ill-formed
// subpart (the Unicode and WHATWG practice, the same as Python's bytes.decode('utf-8', 'replace')):
// a stray byte is one U+FFFD, a truncated sequence such as E2 82 followed by 'x' is one.
std::string to_display_utf8(std::string_view bytes);

// Appends the code point `cp` (at most U+10FFFF, not a surrogate) encoded as UTF-8.
void append_utf8(std::string& out, char32_t cp);

// Lower-case hex of the bytes, two digits each: "caf\xe9" gives "636166e9".
std::string hex_bytes(std::string_view bytes);

// hex_bytes(bytes) when `bytes` is not valid UTF-8, nothing when it is: the *_hex columns of the
// case database (NULL for valid names).
std::optional<std::string> hex_if_not_utf8(std::string_view bytes);

// Sets j[key] to the display text of `bytes` and, only when `bytes` is not valid UTF-8,
// j[key + "_hex"] to their hex: the original bytes are always recoverable. Works for
// nlohmann::json and nlohmann::ordered_json.
template <typename Json>
void set_text(Json& j, const std::string& key, std::string_view bytes) {
    if (is_valid_utf8(bytes)) {
        j[key] = std::string(bytes);
        return;
    }
    j[key] = to_display_utf8(bytes);
    j[key + "_hex"] = hex_bytes(bytes);
}

}  // namespace dflab::common
