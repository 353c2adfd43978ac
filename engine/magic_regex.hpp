#pragma once
// The regular-expression side of the magic prefilter (engine/magic_entry.hpp): libmagic 5.44's
// check on the patterns it accepts, the literal text every match contains, and the search for it.
// Internal to the prefilter.
#include <string>
#include <string_view>

namespace dflab::engine::magic {

// libmagic's check_regex: false for the patterns it refuses (and then reports an error for).
bool regex_acceptable(const char* pattern);

// A run of literal bytes every match of the extended regular expression contains: the longest
// run of plain characters in the top-level sequence (outside groups and bracket expressions, and
// without a character a quantifier makes optional). "" when none is found or the pattern has a
// top-level alternation.
std::string required_literal(const char* pattern);

// memmem, or a search ignoring ASCII case (the C locale's REG_ICASE).
bool contains(std::string_view hay, std::string_view needle, bool ignore_case);

}  // namespace dflab::engine::magic
