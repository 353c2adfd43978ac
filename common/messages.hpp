#pragma once
// Message catalogues: every participant-facing text of dflab's own (portal pages, grading
// feedback, bundle labels, access-code slips, reports) in English, Russian and Kazakh, from the
// gettext catalogues common/messages/{en,ru,kk}.po, compiled to .mo at build time, embedded and
// read through Boost.Locale (plural forms included: Russian has three, Kazakh two).
//
// Messages are looked up by a stable key ("portal.login.title"); en.po holds the English text.
// Placeholders are written {name} and filled in by format().
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace dflab::common {

// The languages dflab speaks, in the order it offers them: "en", "ru", "kk".
const std::vector<std::string>& languages();
// `language` when dflab speaks it, else "en" ("ru-RU" and "ru_RU.UTF-8" give "ru").
std::string supported_language(std::string_view language);

// The text of `key` in `language`; the key itself when no catalogue has it (a test fails then).
std::string translate(std::string_view language, std::string_view key);
// The plural form of `key` for `n` in `language` (msgid_plural in the catalogue).
std::string translate_plural(std::string_view language, std::string_view key, long long n);

// Replaces each {name} in `pattern` with its value.
std::string format(std::string_view pattern,
                   std::initializer_list<std::pair<std::string_view, std::string>> values);

// Every key of the English catalogue (for tests and for templates that take all messages).
std::vector<std::string> message_keys();

}  // namespace dflab::common
