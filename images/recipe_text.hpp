#pragma once
// Text helpers of the recipe parser (internal): the general ones (quoting for messages, UTF-8
// checks, identifiers, whole numbers) are common/text.hpp's, brought in here; the case folding FAT
// and NTFS use to compare names, sizes in words and the shapes of hex strings are the recipe's.
#include <cstdint>
#include <string>

#include "common/text.hpp"

namespace dflab::images::recipe_detail {

constexpr uint64_t kKiB = 1024;
constexpr uint64_t kMiB = 1024 * kKiB;

using common::count_chars;
using common::edit_distance;
using common::is_identifier;
using common::join;
using common::lower;
using common::parse_int;
using common::quote;
using common::trim;
using common::valid_utf8;

// "1048576 bytes (1 MiB)".
std::string bytes_text(uint64_t bytes);

// Case folding as FAT and NTFS compare names: ASCII and Cyrillic (Russian and Kazakh letters).
// Input is valid UTF-8 (checked before).
std::string fold_case(const std::string& s);

bool is_hex(const std::string& s);
bool is_guid(const std::string& s);  // 01234567-89ab-cdef-0123-456789abcdef

}  // namespace dflab::images::recipe_detail
