// Helpers shared by the answer types, and the registry of types.
#include <array>
#include <cctype>
#include <cstdint>

#include "common/utf8.hpp"
#include "scoring/answer_types.hpp"

namespace dflab::scoring {

namespace {

// Decodes one UTF-8 sequence at s[i]; returns the code point and advances i, or -1 when invalid.
long decode(std::string_view s, size_t& i) {
    const auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
    unsigned char c = byte(i);
    if (c < 0x80) {
        ++i;
        return c;
    }
    size_t length = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
    if (length == 0 || c > 0xF4 || i + length > s.size()) return -1;
    long cp = c & (0x3F >> (length - 1));
    for (size_t k = 1; k < length; ++k) {
        if ((byte(i + k) & 0xC0) != 0x80) return -1;
        cp = (cp << 6) | (byte(i + k) & 0x3F);
    }
    static constexpr std::array<long, 5> smallest{0, 0, 0x80, 0x800, 0x10000};
    if (cp < smallest[length] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return -1;
    i += length;
    return cp;
}

void encode(long cp, std::string& out) {
    const auto put = [&](long v) { out.push_back(static_cast<char>(v)); };
    if (cp < 0x80) {
        put(cp);
    } else if (cp < 0x800) {
        put(0xC0 | (cp >> 6));
        put(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        put(0xE0 | (cp >> 12));
        put(0x80 | ((cp >> 6) & 0x3F));
        put(0x80 | (cp & 0x3F));
    } else {
        put(0xF0 | (cp >> 18));
        put(0x80 | ((cp >> 12) & 0x3F));
        put(0x80 | ((cp >> 6) & 0x3F));
        put(0x80 | (cp & 0x3F));
    }
}

bool is_space(long cp) {
    return cp == ' ' || (cp >= 0x09 && cp <= 0x0D) || cp == 0x85 || cp == 0xA0 || cp == 0x1680 ||
           (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F ||
           cp == 0x205F || cp == 0x3000 || cp == 0xFEFF;
}

// Simple (one to one) lower-case folding of Latin, Greek and Cyrillic letters, Kazakh included.
long fold(long cp) {
    if (cp >= 'A' && cp <= 'Z') return cp + 0x20;
    if ((cp >= 0xC0 && cp <= 0xDE && cp != 0xD7)) return cp + 0x20;
    // Latin Extended-A: pairs (upper even, lower odd), except 0x130..0x131 and 0x138..0x148 (odd
    // upper) and 0x178..0x17E.
    if (cp >= 0x100 && cp <= 0x12F) return cp | 1;
    if (cp >= 0x132 && cp <= 0x137) return cp | 1;
    if (cp >= 0x139 && cp <= 0x148) return (cp & 1) ? cp + 1 : cp;
    if (cp >= 0x14A && cp <= 0x177) return cp | 1;
    if (cp == 0x178) return 0xFF;
    if (cp >= 0x179 && cp <= 0x17E) return (cp & 1) ? cp + 1 : cp;
    if (cp >= 0x391 && cp <= 0x3AB && cp != 0x3A2) return cp + 0x20;  // Greek
    if (cp == 0x3C2) return 0x3C3;                                    // final sigma
    if (cp >= 0x400 && cp <= 0x40F) return cp + 0x50;                 // Ѐ..Џ (І, Ў, ...)
    if (cp >= 0x410 && cp <= 0x42F) return cp + 0x20;                 // А..Я
    if (cp >= 0x460 && cp <= 0x481) return cp | 1;                    // historic pairs
    if (cp >= 0x48A && cp <= 0x4BF) return cp | 1;  // Ғ Қ Ң Ү Ұ Һ and others
    if (cp == 0x4C0) return 0x4CF;                  // palochka
    if (cp >= 0x4C1 && cp <= 0x4CE) return (cp & 1) ? cp + 1 : cp;
    if (cp >= 0x4D0 && cp <= 0x52F) return cp | 1;  // Ә Ө and others
    return cp;
}

}  // namespace

bool valid_utf8(std::string_view s) {
    return common::is_valid_utf8(s);  // one decoder for the whole project: common/utf8
}

std::string trim_and_fold_spaces(std::string_view s) {
    std::string out;
    bool pending_space = false;
    for (size_t i = 0; i < s.size();) {
        size_t start = i;
        long cp = decode(s, i);
        if (cp < 0) {  // not UTF-8: keep the byte (grade.cpp refuses such answers anyway)
            i = start + 1;
            out.push_back(s[start]);
            continue;
        }
        if (is_space(cp) || cp == 0x200B) {
            pending_space = !out.empty();
            continue;
        }
        if (pending_space) out.push_back(' ');
        pending_space = false;
        out.append(s.substr(start, i - start));
    }
    return out;
}

std::string fold_case(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (size_t i = 0; i < s.size();) {
        size_t start = i;
        long cp = decode(s, i);
        if (cp < 0) {
            i = start + 1;
            out.push_back(s[start]);
            continue;
        }
        encode(fold(cp), out);
    }
    return out;
}

std::optional<std::string> as_text(const nlohmann::json& submitted) {
    if (submitted.is_string()) return submitted.get<std::string>();
    if (submitted.is_number() || submitted.is_boolean()) return submitted.dump();
    return std::nullopt;
}

bool option_bool(const nlohmann::json& options, std::string_view name, bool fallback) {
    auto it = options.find(name);
    return it != options.end() && it->is_boolean() ? it->get<bool>() : fallback;
}

std::string option_string(const nlohmann::json& options, std::string_view name,
                          std::string_view fallback) {
    auto it = options.find(name);
    return it != options.end() && it->is_string() ? it->get<std::string>() : std::string(fallback);
}

std::optional<long long> parse_whole_number(std::string_view text) {
    std::string t = trim_and_fold_spaces(text);
    bool negative = false;
    if (!t.empty() && (t[0] == '-' || t[0] == '+')) {
        negative = t[0] == '-';
        t.erase(0, 1);
    }
    int base = 10;
    if (t.size() > 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X')) {
        base = 16;
        t.erase(0, 2);
    }
    // Digit grouping: single spaces (also narrow no-break spaces, already folded to ' '), commas
    // or underscores between groups of three digits.
    std::string digits;
    char separator = 0;
    size_t group = 0;
    bool grouped = false;
    for (char c : t) {
        bool digit =
            base == 16 ? std::isxdigit(static_cast<unsigned char>(c)) != 0 : (c >= '0' && c <= '9');
        if (digit) {
            digits.push_back(c);
            ++group;
            continue;
        }
        if (base == 10 && (c == ' ' || c == ',' || c == '_' || c == '\'') && !digits.empty()) {
            if ((separator && c != separator) || (grouped && group != 3) || group > 3 || group == 0)
                return std::nullopt;
            separator = c;
            grouped = true;
            group = 0;
            continue;
        }
        return std::nullopt;
    }
    if (digits.empty() || (grouped && group != 3)) return std::nullopt;
    unsigned long long value = 0;
    for (char c : digits) {
        int d = c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
        if (value >
            (0x7FFFFFFFFFFFFFFFULL - static_cast<unsigned>(d)) / static_cast<unsigned>(base))
            return std::nullopt;
        value = value * static_cast<unsigned>(base) + static_cast<unsigned>(d);
    }
    long long v = static_cast<long long>(value);
    return negative ? -v : v;
}

const AnswerType* find_answer_type(std::string_view name) {
    static const std::array<const AnswerType*, 13> types{
        &text_answer, &regex_answer,    &choice_answer,    &hash_answer, &integer_answer,
        &size_answer, &offset_answer,   &timestamp_answer, &path_answer, &inode_answer,
        &set_answer,  &location_answer, &free_text_answer};
    for (const AnswerType* type : types)
        if (type->name == name) return type;
    return nullptr;
}

}  // namespace dflab::scoring
