#include "images/recipe_text.hpp"

#include <algorithm>
#include <cstdio>

namespace dflab::images::recipe_detail {

std::string bytes_text(uint64_t bytes) {
    std::string out = std::to_string(bytes) + " bytes";
    static const char* units[] = {"KiB", "MiB", "GiB", "TiB"};
    if (bytes < kKiB) return out;
    double v = static_cast<double>(bytes);
    int u = -1;
    while (v >= 1024 && u < 3) {
        v /= 1024;
        ++u;
    }
    char buf[32];
    std::snprintf(buf, sizeof buf, " (%.4g %s)", v, units[u]);
    return out + buf;
}

std::string fold_case(const std::string& s) {
    std::string out;
    size_t i = 0;
    while (i < s.size()) {
        unsigned char c = static_cast<unsigned char>(s[i]);
        size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : 4;
        if (n != 2) {
            out +=
                n == 1 && c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : static_cast<char>(c);
            if (n > 1) out.append(s, i + 1, n - 1);
            i += n;
            continue;
        }
        uint32_t cp = ((c & 0x1Fu) << 6) | (static_cast<unsigned char>(s[i + 1]) & 0x3Fu);
        if (cp >= 0x410 && cp <= 0x42F)
            cp += 0x20;
        else if (cp >= 0x400 && cp <= 0x40F)
            cp += 0x50;
        else if (((cp >= 0x460 && cp <= 0x481) || (cp >= 0x48A && cp <= 0x4BF) ||
                  (cp >= 0x4D0 && cp <= 0x4FF)) &&
                 cp % 2 == 0)
            cp += 1;
        else if (cp >= 0x4C1 && cp <= 0x4CE && cp % 2 == 1)
            cp += 1;
        else if (cp == 0x4C0)
            cp = 0x4CF;
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
        i += 2;
    }
    return out;
}

bool is_hex(const std::string& s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    });
}

bool is_guid(const std::string& s) {
    if (s.size() != 36) return false;
    for (size_t i = 0; i < s.size(); ++i) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? s[i] != '-' : !is_hex(std::string(1, s[i]))) return false;
    }
    return true;
}

}  // namespace dflab::images::recipe_detail
