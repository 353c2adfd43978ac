// The regular-expression side of the magic prefilter: which patterns libmagic refuses, and the
// literal text every match of a pattern must contain (engine/magic_regex.hpp).
#include "engine/magic_regex.hpp"

#include <cctype>
#include <cstring>

namespace dflab::engine::magic {

namespace {

// The ']' that closes the bracket expression opening at `p` ("[]...]", "[^]...]", with "[:class:]",
// "[.coll.]" and "[=equiv=]" inside), or null when the pattern ends first.
const char* bracket_end(const char* p) {
    ++p;
    if (*p == '^') ++p;
    if (*p == ']') ++p;
    while (*p && *p != ']') {
        if (*p == '[' && (p[1] == ':' || p[1] == '.' || p[1] == '=')) {
            const char kind = p[1];
            p += 2;
            while (*p && !(p[0] == kind && p[1] == ']')) ++p;
            if (!*p) return nullptr;
            p += 2;
        } else {
            ++p;
        }
    }
    return *p ? p : nullptr;
}

}  // namespace

bool regex_acceptable(const char* pattern) {
    unsigned char previous = 0;
    for (const char* p = pattern; *p; ++p) {
        const auto c = static_cast<unsigned char>(*p);
        if (c == previous && std::strchr("?*+{", c) != nullptr) return false;
        previous = c;
        if (std::isprint(c) || std::isspace(c) || c == '\b' || c == 0x8a) continue;
        return false;
    }
    return true;
}

std::string required_literal(const char* pattern) {
    std::string best, run;
    auto end_run = [&] {
        if (run.size() > best.size()) best = run;
        run.clear();
    };
    for (const char* p = pattern; *p;) {
        const char c = *p;
        if (c == '|') return "";
        if (c == '*' || c == '?' || c == '{') {
            if (!run.empty()) run.pop_back();
            end_run();
            if (c == '{') {
                const char* close = std::strchr(p, '}');
                if (close == nullptr) return "";
                p = close + 1;
            } else {
                ++p;
            }
            continue;
        }
        if (c == '+') {
            end_run();
            ++p;
            continue;
        }
        if (c == '^' || c == '$' || c == '.') {
            end_run();
            ++p;
            continue;
        }
        if (c == '[') {
            end_run();
            p = bracket_end(p);
            if (p == nullptr) return "";
            ++p;
            // a quantifier after the bracket only repeats it
            continue;
        }
        if (c == '(') {  // a group, perhaps with alternatives inside: skipped whole
            end_run();
            int depth = 0;
            for (; *p; ++p) {
                if (*p == '\\' && p[1]) {
                    ++p;
                } else if (*p == '[') {
                    p = bracket_end(p);
                    if (p == nullptr) return "";
                } else if (*p == '(') {
                    ++depth;
                } else if (*p == ')') {
                    if (--depth == 0) break;
                }
            }
            if (!*p) return "";
            ++p;
            continue;
        }
        if (c == '\\') {
            const auto next = static_cast<unsigned char>(p[1]);
            if (next == 0) return "";
            if (std::isalnum(next) || next == '<' || next == '>' || next == '`' || next == '\'') {
                end_run();  // GNU operators (\w, \b, \<, ...) and back-references
            } else {
                run.push_back(static_cast<char>(next));
            }
            p += 2;
            continue;
        }
        run.push_back(c);
        ++p;
    }
    end_run();
    return best;
}

bool contains(std::string_view hay, std::string_view needle, bool ignore_case) {
    if (!ignore_case) return hay.find(needle) != std::string_view::npos;
    auto lower = [](unsigned char c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; };
    if (needle.size() > hay.size()) return false;
    for (size_t i = 0; i + needle.size() <= hay.size(); ++i) {
        size_t k = 0;
        while (k < needle.size() && lower(static_cast<unsigned char>(hay[i + k])) ==
                                        lower(static_cast<unsigned char>(needle[k])))
            ++k;
        if (k == needle.size()) return true;
    }
    return false;
}

}  // namespace dflab::engine::magic
