#include "common/utf8.hpp"

#include <cstddef>

namespace dflab::common {

namespace {

// The length of the well-formed prefix of a sequence starting at bytes[i]: the whole sequence
// (1..4) when it is well-formed, otherwise the negated length of its maximal ill-formed subpart
// (at least 1), after which decoding resumes.
int sequence_at(std::string_view bytes, size_t i) {
    const auto b = [&](size_t k) { return static_cast<unsigned char>(bytes[k]); };
    const unsigned char lead = b(i);
    if (lead < 0x80) return 1;
    int length = 0;
    unsigned char low = 0x80, high = 0xBF;  // allowed range of the second byte
    if (lead >= 0xC2 && lead <= 0xDF) {
        length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        length = 3;
        if (lead == 0xE0) low = 0xA0;   // no overlong 3-byte forms
        if (lead == 0xED) high = 0x9F;  // no surrogates
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        length = 4;
        if (lead == 0xF0) low = 0x90;   // no overlong 4-byte forms
        if (lead == 0xF4) high = 0x8F;  // nothing above U+10FFFF
    } else {
        return -1;  // 80..C1 (continuation or overlong lead) and F5..FF never start a character
    }
    for (int k = 1; k < length; ++k) {
        const size_t at = i + static_cast<size_t>(k);
        if (at >= bytes.size()) return -k;
        const unsigned char c = b(at);
        const unsigned char lo = k == 1 ? low : 0x80;
        const unsigned char hi = k == 1 ? high : 0xBF;
        if (c < lo || c > hi) return -k;
    }
    return length;
}

}  // namespace

std::optional<size_t> first_invalid_utf8(std::string_view bytes) {
    for (size_t i = 0; i < bytes.size();) {
        const int n = sequence_at(bytes, i);
        if (n < 0) return i;
        i += static_cast<size_t>(n);
    }
    return std::nullopt;
}

bool is_valid_utf8(std::string_view bytes) {
    return !first_invalid_utf8(bytes);
}

std::string to_display_utf8(std::string_view bytes) {
    std::string out;
    out.reserve(bytes.size());
    for (size_t i = 0; i < bytes.size();) {
        const int n = sequence_at(bytes, i);
        if (n > 0) {
            out.append(bytes.substr(i, static_cast<size_t>(n)));
            i += static_cast<size_t>(n);
        } else {
            out += "\xEF\xBF\xBD";  // U+FFFD REPLACEMENT CHARACTER
            i += static_cast<size_t>(-n);
        }
    }
    return out;
}

std::string hex_bytes(std::string_view bytes) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    out.reserve(bytes.size() * 2);
    for (char ch : bytes) {
        const auto c = static_cast<unsigned char>(ch);
        out += digits[c >> 4];
        out += digits[c & 15];
    }
    return out;
}

std::optional<std::string> hex_if_not_utf8(std::string_view bytes) {
    if (is_valid_utf8(bytes)) return std::nullopt;
    return hex_bytes(bytes);
}

void append_utf8(std::string& out, char32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

}  // namespace dflab::common
