#include "common/utf16.hpp"

#include <boost/locale/encoding_errors.hpp>
#include <boost/locale/encoding_utf.hpp>

namespace dflab::common {

std::optional<std::u16string> utf8_to_utf16(std::string_view utf8) {
    try {
        return boost::locale::conv::utf_to_utf<char16_t>(utf8.data(), utf8.data() + utf8.size(),
                                                         boost::locale::conv::stop);
    } catch (const boost::locale::conv::conversion_error&) {
        return std::nullopt;
    }
}

size_t utf16_units(std::string_view utf8) {
    size_t units = 0;
    for (unsigned char c : utf8) {
        if ((c & 0xc0) != 0x80) ++units;  // a character starts here
        if (c >= 0xf0) ++units;           // outside the BMP: a surrogate pair
    }
    return units;
}

std::optional<std::vector<std::byte>> utf8_to_utf16le(std::string_view utf8) {
    auto units = utf8_to_utf16(utf8);
    if (!units) return std::nullopt;
    std::vector<std::byte> out;
    out.reserve(units->size() * 2);
    for (char16_t u : *units) {
        out.push_back(static_cast<std::byte>(u & 0xff));
        out.push_back(static_cast<std::byte>(u >> 8));
    }
    return out;
}

std::string utf16_to_utf8(std::span<const uint16_t> units) {
    std::u16string text(units.begin(), units.end());
    // An unpaired surrogate becomes U+FFFD (Boost.Locale would drop it, hiding that it was there).
    for (size_t i = 0; i < text.size(); ++i) {
        const char16_t u = text[i];
        if (u >= 0xd800 && u <= 0xdbff && i + 1 < text.size() && text[i + 1] >= 0xdc00 &&
            text[i + 1] <= 0xdfff) {
            ++i;  // a pair
        } else if (u >= 0xd800 && u <= 0xdfff) {
            text[i] = 0xfffd;
        }
    }
    return boost::locale::conv::utf_to_utf<char>(text);
}

std::string utf16le_to_utf8(std::span<const std::byte> bytes) {
    std::vector<uint16_t> units;
    units.reserve(bytes.size() / 2);
    for (size_t i = 0; i + 1 < bytes.size(); i += 2) {
        const auto u = static_cast<uint16_t>(std::to_integer<unsigned>(bytes[i]) |
                                             (std::to_integer<unsigned>(bytes[i + 1]) << 8));
        if (u == 0) return utf16_to_utf8(units);
        units.push_back(u);
    }
    std::string out = utf16_to_utf8(units);
    if (bytes.size() % 2) out += "\xEF\xBF\xBD";  // half a code unit: something was there
    return out;
}

}  // namespace dflab::common
