#pragma once
// dflab's message catalogues read by gettext itself, as an oracle for what dflab prints: msgfmt
// compiles common/messages/LANG.po and Python's gettext module looks the message up (plural
// forms chosen by the catalogue's own Plural-Forms formula). Tests compare dflab's output with
// these texts, not with strings copied from the code.
#include <filesystem>
#include <map>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "tests/support/fixtures.hpp"

namespace dflab::test {

// The text of `key` in `lang`; with n >= 0 the plural form for n.
inline std::string catalogue_text(const std::string& lang, const std::string& key,
                                  long long n = -1) {
    static std::map<std::string, std::string> compiled;  // language -> .mo, once per process
    std::string& mo = compiled[lang];
    if (mo.empty()) {
        const std::string po = std::string(DFLAB_SOURCE_DIR) + "/common/messages/" + lang + ".po";
        const std::string file = temp_dir() + "/" + lang + ".mo";
        auto r = run("msgfmt --check -o " + shell_quote(file) + " " + shell_quote(po));
        if (r.exit_code != 0) throw std::runtime_error("msgfmt " + po + ": " + r.err);
        mo = file;
    }
    const std::string script =
        "import gettext, sys\n"
        "t = gettext.GNUTranslations(open(sys.argv[1], 'rb'))\n"
        "k, n = sys.argv[2], int(sys.argv[3])\n"
        "text = t.gettext(k) if n < 0 else t.ngettext(k, k, n)\n"
        "if text == k: sys.exit('no message ' + k)\n"
        "sys.stdout.buffer.write(text.encode('utf-8'))\n";
    auto r = run("python3 -c " + shell_quote(script) + " " + shell_quote(mo) + " " +
                 shell_quote(key) + " " + std::to_string(n));
    if (r.exit_code != 0) throw std::runtime_error(lang + ".po: " + r.err);
    return r.out;
}

// `pattern` with each {name} replaced by its value (the catalogues' placeholder syntax).
inline std::string fill(std::string pattern,
                        const std::vector<std::pair<std::string, std::string>>& values) {
    for (const auto& [name, value] : values) {
        const std::string mark = "{" + name + "}";
        for (size_t at = pattern.find(mark); at != std::string::npos;
             at = pattern.find(mark, at + value.size()))
            pattern.replace(at, mark.size(), value);
    }
    return pattern;
}

}  // namespace dflab::test
