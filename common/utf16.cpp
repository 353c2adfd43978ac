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

std::string utf16le_to_utf8(std::span<const std::byte> bytes) {
    std::u16string units;
    units.reserve(bytes.size() / 2);
    for (size_t i = 0; i + 1 < bytes.size(); i += 2) {
        const auto u = static_cast<char16_t>(std::to_integer<unsigned>(bytes[i]) |
                                             (std::to_integer<unsigned>(bytes[i + 1]) << 8));
        if (u == 0) break;
        units.push_back(u);
    }
    // An unpaired surrogate becomes U+FFFD (Boost.Locale would drop it, hiding that it was there).
    for (size_t i = 0; i < units.size(); ++i) {
        const char16_t u = units[i];
        if (u >= 0xd800 && u <= 0xdbff && i + 1 < units.size() && units[i + 1] >= 0xdc00 &&
            units[i + 1] <= 0xdfff) {
            ++i;  // a pair
        } else if (u >= 0xd800 && u <= 0xdfff) {
            units[i] = 0xfffd;
        }
    }
    return boost::locale::conv::utf_to_utf<char>(units);
}

}  // namespace dflab::common
