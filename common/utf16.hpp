#pragma once
// UTF-16 as Windows stores text (registry values, event logs, shell links, NTFS names): converting
// to and from dflab's UTF-8, with Boost.Locale's converters.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace dflab::common {

// UTF-16 code units of `utf8`; nullopt when it is not valid UTF-8.
std::optional<std::u16string> utf8_to_utf16(std::string_view utf8);

// How many UTF-16 code units `utf8` takes (characters outside the BMP take two), as Windows and
// NTFS count the lengths of names and labels.
size_t utf16_units(std::string_view utf8);

// `utf8` as UTF-16LE bytes, without a terminator; nullopt when it is not valid UTF-8.
std::optional<std::vector<std::byte>> utf8_to_utf16le(std::string_view utf8);

// UTF-16 code units as UTF-8, each unpaired surrogate replaced by U+FFFD (NUL units included), so
// any units give valid UTF-8.
std::string utf16_to_utf8(std::span<const uint16_t> units);

// UTF-16LE bytes as UTF-8, up to the first NUL character (the data need not hold one); unpaired
// surrogates and an odd last byte (half a code unit) become U+FFFD.
std::string utf16le_to_utf8(std::span<const std::byte> bytes);

}  // namespace dflab::common
