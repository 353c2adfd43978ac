#include "common/messages.hpp"

#include <boost/locale/generator.hpp>
#include <boost/locale/gnu_gettext.hpp>
#include <boost/locale/message.hpp>

#include <algorithm>
#include <locale>
#include <map>
#include <mutex>

#include "common/embedded_files.hpp"

namespace dflab::common {

namespace catalogues {
std::span<const EmbeddedFile> embedded_files();  // cmake/embed.cmake, from common/messages/
}

namespace {

// The catalogue of `language` as Boost.Locale reads it: the embedded LANG/LC_MESSAGES/dflab.mo.
std::locale make_locale(const std::string& language) {
    namespace gg = boost::locale::gnu_gettext;
    gg::messages_info info;
    info.language = language;
    info.encoding = "UTF-8";
    info.domains.emplace_back("dflab");
    info.paths.emplace_back("");
    info.callback = [](const std::string& file_name, const std::string&) {
        std::string name = file_name;
        while (!name.empty() && name.front() == '/') name.erase(0, 1);
        auto bytes = find_embedded(catalogues::embedded_files(), name);
        return bytes ? std::vector<char>(bytes->begin(), bytes->end()) : std::vector<char>{};
    };
    std::locale base = boost::locale::generator{}.generate("C.UTF-8");
    return std::locale(base, gg::create_messages_facet<char>(info));
}

const std::locale& locale_of(const std::string& language) {
    static std::mutex mutex;
    static std::map<std::string, std::locale> cache;
    std::lock_guard lock(mutex);
    auto it = cache.find(language);
    if (it == cache.end()) it = cache.emplace(language, make_locale(language)).first;
    return it->second;
}

}  // namespace

const std::vector<std::string>& languages() {
    static const std::vector<std::string> list = {"en", "ru", "kk"};
    return list;
}

std::string supported_language(std::string_view language) {
    std::string code(language.substr(0, std::min(language.find_first_of("-_.@"), language.size())));
    std::transform(code.begin(), code.end(), code.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    const auto& all = languages();
    return std::find(all.begin(), all.end(), code) != all.end() ? code : "en";
}

std::string translate(std::string_view language, std::string_view key) {
    const std::string k(key);
    return boost::locale::translate(k).str(locale_of(supported_language(language)));
}

std::string translate_plural(std::string_view language, std::string_view key, long long n) {
    const std::string k(key);
    // The key doubles as msgid_plural: the catalogues hold the real forms.
    return boost::locale::translate(k, k, static_cast<int>(std::clamp<long long>(n, 0, 1 << 30)))
        .str(locale_of(supported_language(language)));
}

std::string format(std::string_view pattern,
                   std::initializer_list<std::pair<std::string_view, std::string>> values) {
    std::string out;
    out.reserve(pattern.size() + 16);
    for (size_t i = 0; i < pattern.size();) {
        if (pattern[i] == '{') {
            size_t close = pattern.find('}', i);
            if (close != std::string_view::npos) {
                std::string_view name = pattern.substr(i + 1, close - i - 1);
                auto it = std::find_if(values.begin(), values.end(),
                                       [&](const auto& v) { return v.first == name; });
                if (it != values.end()) {
                    out += it->second;
                    i = close + 1;
                    continue;
                }
            }
        }
        out += pattern[i++];
    }
    return out;
}

std::vector<std::string> message_keys() {
    // The .mo format: magic, revision, N, offset of the original strings table, ...
    auto mo = find_embedded(catalogues::embedded_files(), "en/LC_MESSAGES/dflab.mo");
    std::vector<std::string> keys;
    if (!mo || mo->size() < 28) return keys;
    auto word = [&](size_t at) {
        uint32_t v = 0;
        for (int b = 3; b >= 0; --b) v = (v << 8) | static_cast<unsigned char>((*mo)[at + b]);
        return v;
    };
    const uint32_t count = word(8), table = word(12);
    for (uint32_t i = 0; i < count; ++i) {
        const uint32_t length = word(table + 8 * i), offset = word(table + 8 * i + 4);
        if (offset + length > mo->size()) break;
        std::string key(mo->substr(offset, length));
        key = key.substr(0, key.find('\0'));  // msgid, without msgid_plural
        if (!key.empty()) keys.push_back(key);
    }
    return keys;
}

}  // namespace dflab::common
