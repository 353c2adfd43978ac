#pragma once
// What the tests of the libyal-read formats (shell links, prefetch files) share: the text the
// libyal info tools (lnkinfo, sccainfo) print, parsed, and their date text and ISO 8601 UTC
// computed here with gmtime, not by the code under test; bytes written to a file and changed in
// place, and the check of what a damaged file gives; a recipe's `generate` mistakes.
#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <ctime>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "engine/artifact.hpp"
#include "images/recipe_parser.hpp"
#include "tests/oracle.hpp"
#include "tests/support/fixtures.hpp"

namespace dflab::test {

inline std::tm utc_time(int64_t t) {
    const std::time_t tt = static_cast<std::time_t>(t);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    return tm;
}

// "Mar 01, 2024 09:12:00.000000000 UTC", as the libyal tools print a FILETIME of whole seconds.
inline std::string libyal_time(int64_t t) {
    const std::tm tm = utc_time(t);
    char text[64];
    std::strftime(text, sizeof text, "%b %d, %Y %H:%M:%S", &tm);
    return std::string(text) + ".000000000 UTC";
}

inline std::string iso_utc_text(int64_t t) {
    const std::tm tm = utc_time(t);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return text;
}

// `command` run on a file: its "\tName\t\t: value" lines, by name ("Local path",
// "Last run time: 1"). Expects the tool to succeed.
inline std::map<std::string, std::string> libyal_info(const std::string& command,
                                                      const std::string& path) {
    auto r = run(command + " " + shell_quote(path));
    EXPECT_EQ(r.exit_code, 0) << r.err << r.out;
    std::map<std::string, std::string> out;
    for (const auto& line : lines(r.out)) {
        size_t colon = line.find("\t: ");
        size_t value = colon + 3;
        if (colon == std::string::npos) {
            colon = line.find(": ");
            value = colon + 2;
        }
        if (line.empty() || line[0] != '\t' || colon == std::string::npos) continue;
        std::string name = line.substr(1, colon - 1);
        while (!name.empty() && (name.back() == '\t' || name.back() == ' ')) name.pop_back();
        out[name] = line.substr(value);
    }
    return out;
}

inline std::string write_bytes(const std::vector<std::byte>& bytes, const std::string& path) {
    std::ofstream(path, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()),
               static_cast<std::streamsize>(bytes.size()));
    return path;
}

inline void put_le32(std::vector<std::byte>& b, size_t at, uint32_t v) {
    for (int i = 0; i < 4; ++i) b[at + i] = std::byte((v >> (8 * i)) & 0xff);
}

// `bytes` with 1 to 8 bytes from `from` on changed, pseudo-randomly from `state` (advanced).
inline std::vector<std::byte> scribbled(std::vector<std::byte> bytes, size_t from,
                                        uint32_t& state) {
    auto next = [&] { return state = state * 1103515245u + 12345u; };
    for (int n = 1 + static_cast<int>(next() % 8); n > 0; --n)
        bytes[from + next() % (bytes.size() - from)] = static_cast<std::byte>(next() >> 24);
    return bytes;
}

// What a file that cannot be read gives: one `unreadable` artifact whose one-line error names it.
inline void expect_one_unreadable(const std::vector<engine::Artifact>& artifacts,
                                  const std::string& name) {
    ASSERT_EQ(artifacts.size(), 1u);
    EXPECT_EQ(artifacts[0].kind, "unreadable");
    const std::string error = artifacts[0].fields.value("error", "");
    EXPECT_NE(error.find(name), std::string::npos) << error;
    EXPECT_EQ(error.find('\n'), std::string::npos) << error;
}

// The error of a recipe in `dir` whose one action writes /a.TYPE with `generate: {type: TYPE}`
// and `fields` from line 10 on; "" when it parses.
inline std::string generate_error(const std::string& dir, const std::string& type,
                                  const std::string& fields) {
    const std::string path = dir + "/recipe.yaml";
    std::ofstream(path) << "start: 2024-03-01T10:00:00Z\n"        // 1
                           "disk:\n"                              // 2
                           "  size: 16MiB\n"                      // 3
                           "  partitions:\n"                      // 4
                           "    - {id: p1, filesystem: fat16}\n"  // 5
                           "actions:\n"                           // 6
                        << "  - write: /a." << type << "\n"       // 7
                        << "    generate:\n"                      // 8
                        << "      type: " << type << "\n"         // 9
                        << fields;                                // 10...
    try {
        images::parse_recipe(path, {});
    } catch (const images::RecipeError& e) {
        return e.what();
    }
    return "";
}

// `message` is one line, at `line` of recipe.yaml, and says `part`.
inline void expect_at_line(const std::string& message, int line, const std::string& part) {
    EXPECT_NE(message.find("recipe.yaml:" + std::to_string(line) + ":"), std::string::npos)
        << message;
    EXPECT_NE(message.find(part), std::string::npos) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
}

}  // namespace dflab::test
