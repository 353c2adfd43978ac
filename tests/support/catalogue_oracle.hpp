#pragma once
// What a message catalogue says, read without dflab's code: GNU msgfmt compiles
// common/messages/LANG.po, and Python's gettext module looks the key up (plural forms chosen by
// the catalogue's own Plural-Forms formula). For tests that compare dflab's rendering with it.
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "tests/support/fixtures.hpp"

namespace dflab::test {

// The msgstr of `key` in `language` ("en", "ru", "kk"); with n >= 0, the plural form for n.
inline std::string catalogue_text(const std::string& language, const std::string& key,
                                  long long n = -1) {
    static const std::string dir = temp_dir();
    static std::map<std::string, std::string> compiled;
    auto it = compiled.find(language);
    if (it == compiled.end()) {
        const std::string mo = dir + "/" + language + ".mo";
        const std::string po =
            std::string(DFLAB_SOURCE_DIR) + "/common/messages/" + language + ".po";
        CommandResult r = run("msgfmt --check -o " + shell_quote(mo) + " " + shell_quote(po));
        if (r.exit_code != 0) return "(msgfmt failed: " + r.err + ")";
        it = compiled.emplace(language, mo).first;
    }
    const std::string script =
        "import gettext, sys\n"
        "t = gettext.GNUTranslations(open(sys.argv[1], 'rb'))\n"
        "key, n = sys.argv[2], int(sys.argv[3])\n"
        "s = t.gettext(key) if n < 0 else t.ngettext(key, key, n)\n"
        "sys.stdout.buffer.write(s.encode('utf-8'))\n";
    CommandResult r = run("python3 -c " + shell_quote(script) + " " + shell_quote(it->second) +
                          " " + shell_quote(key) + " " + std::to_string(n));
    return r.exit_code == 0 ? r.out : "(python3 failed: " + r.err + ")";
}

// `pattern` with each {name} replaced by its value.
inline std::string fill(std::string pattern,
                        const std::vector<std::pair<std::string, std::string>>& values) {
    for (const auto& [name, value] : values) {
        const std::string placeholder = "{" + name + "}";
        for (size_t at = pattern.find(placeholder); at != std::string::npos;
             at = pattern.find(placeholder, at + value.size()))
            pattern.replace(at, placeholder.size(), value);
    }
    return pattern;
}

}  // namespace dflab::test
