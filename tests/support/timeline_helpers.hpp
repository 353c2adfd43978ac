#pragma once
// Helpers shared by the timeline tests (tests/test_timeline*.cpp): running dflab timeline on a
// fixture, body lines normalised as fls -m prints them (see tests/test_timeline.cpp), and the
// one-line error check.
#include <gtest/gtest.h>

#include <cstdint>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/fixtures.hpp"

namespace dflab::test {

inline std::vector<std::string> split(const std::string& s, char sep) {
    std::vector<std::string> out;
    std::string field;
    std::istringstream in(s);
    while (std::getline(in, field, sep)) out.push_back(field);
    if (!s.empty() && s.back() == sep) out.emplace_back();
    return out;
}

// One CSV line, RFC 4180 quoting (no newlines inside fields in our fixtures).
inline std::vector<std::string> csv_fields(const std::string& line) {
    std::vector<std::string> out;
    std::string field;
    bool quoted = false;
    for (size_t i = 0; i < line.size(); ++i) {
        char c = line[i];
        if (quoted) {
            if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
                field += '"';
                ++i;
            } else if (c == '"') {
                quoted = false;
            } else {
                field += c;
            }
        } else if (c == '"') {
            quoted = true;
        } else if (c == ',') {
            out.push_back(field);
            field.clear();
        } else {
            field += c;
        }
    }
    out.push_back(field);
    return out;
}

inline std::string replace_all(std::string s, const std::string& from, const std::string& to) {
    for (size_t pos = 0; (pos = s.find(from, pos)) != std::string::npos; pos += to.size()) {
        s.replace(pos, from.size(), to);
    }
    return s;
}

// Undoes what we write differently from fls on purpose (see the file comment of
// tests/test_timeline.cpp).
inline std::string normalise_body_line(const std::string& line) {
    auto f = split(line, '|');
    if (f.size() != 11) return line;
    f[1] = replace_all(replace_all(f[1], "%7C", "|"), "%25", "%");
    for (size_t i = 7; i < 11; ++i) {
        f[i] = std::to_string(static_cast<uint32_t>(std::stoll(f[i])));
    }
    std::string out;
    for (size_t i = 0; i < f.size(); ++i) out += (i ? "|" : "") + f[i];
    return out;
}

inline std::multiset<std::string> as_multiset(const std::vector<std::string>& v) {
    return {v.begin(), v.end()};
}

// `dflab timeline FIXTURE ARGS`.
inline CommandResult timeline(const std::string& image, const std::string& args = "") {
    return dflab("timeline " + shell_quote(fixture(image)) + (args.empty() ? "" : " " + args));
}

// A refusal: non-zero exit, nothing on stdout, one line on stderr naming `mentions`.
inline void expect_one_line_error(const CommandResult& r, const std::string& mentions) {
    EXPECT_NE(r.exit_code, 0);
    EXPECT_EQ(r.out, "");
    auto ls = lines(r.err);
    ASSERT_EQ(ls.size(), 1u) << r.err;
    EXPECT_TRUE(ls[0].starts_with("dflab: ")) << ls[0];
    EXPECT_NE(ls[0].find(mentions), std::string::npos) << ls[0];
}

}  // namespace dflab::test
