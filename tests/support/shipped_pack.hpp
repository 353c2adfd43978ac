#pragma once
// What every test of a shipped pack (tests/test_pack_NAME.cpp) reads from the pack built once per
// test run (built_shipped_pack): its answer key, its participants' images and texts, and whether
// a second build gives the same bundles; and the small readings of tool output they share.
#include <gtest/gtest.h>
#include <cstdint>
#include <ctime>
#include <filesystem>

#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <stdexcept>
#include <string>
#include <vector>

#include "tests/oracle.hpp"
#include "tests/support/built_intro.hpp"
#include "tests/support/fixtures.hpp"

namespace dflab::test {

// BUILT/instructor/answer-key.json, parsed once per folder.
inline const nlohmann::json& answer_key(const std::filesystem::path& built) {
    static std::map<std::string, nlohmann::json> keys;
    auto [it, added] = keys.try_emplace(built.string());
    if (added)
        it->second =
            nlohmann::json::parse(read_file((built / "instructor/answer-key.json").string()));
    return it->second;
}

// The key's answer to question `id` in `variant`.
inline const nlohmann::json& key_answer(const std::filesystem::path& built, const std::string& id,
                                        int variant) {
    for (auto& q : answer_key(built)["questions"])
        if (q["id"] == id) return q["answers"][std::to_string(variant)];
    throw std::runtime_error("no question " + id);
}

// Whether `text` meets a regex question's key as grading reads it: anchored at both ends,
// case-insensitive.
inline bool key_matches(const std::filesystem::path& built, const std::string& id, int variant,
                        const std::string& text) {
    return std::regex_match(text, std::regex(key_answer(built, id, variant).get<std::string>(),
                                             std::regex::ECMAScript | std::regex::icase));
}

// A participant's image file: BUILT/participant/images/variant-K/FILE.
inline std::string participant_image(const std::filesystem::path& built, int variant,
                                     const std::string& file) {
    return (built / "participant/images" / ("variant-" + std::to_string(variant)) / file).string();
}

// Every text handed out to participants: the files of BUILT/participant but the images (which
// hold the evidence, of course) and SHA256SUMS.
inline std::string participant_texts(const std::filesystem::path& built) {
    namespace fs = std::filesystem;
    const fs::path images = built / "participant/images";
    std::string texts;
    for (const auto& f : fs::recursive_directory_iterator(built / "participant")) {
        const std::string path = f.path().string();
        if (!f.is_regular_file() || f.path().filename() == "SHA256SUMS" ||
            path.rfind(images.string() + "/", 0) == 0)
            continue;
        texts += read_file(path);
    }
    return texts;
}

// The differences `diff -r` finds between BUILT and a second build of `pack` (two variants, as
// built_shipped_pack builds): "" when the bundles are identical.
inline std::string rebuild_differences(const std::filesystem::path& pack,
                                       const std::filesystem::path& built) {
    const std::filesystem::path again = std::filesystem::path(temp_dir()) / "again";
    auto r = dflab::test::dflab("pack build " + shell_quote(pack.string()) + " -o " +
                                shell_quote(again.string()) + " --variants 2");
    if (r.exit_code != 0) return "the second build failed: " + r.err;
    auto diff = run("diff -r " + shell_quote(built.string()) + " " + shell_quote(again.string()));
    return diff.exit_code == 0 ? "" : "diff -r: " + diff.out + diff.err;
}

// The first group of `pattern`'s first match in `text`, or "".
inline std::string first_match(const std::string& text, const std::string& pattern) {
    std::smatch m;
    return std::regex_search(text, m, std::regex(pattern)) ? m[1].str() : "";
}

// UTC seconds as "2024-11-13T18:05:00Z", computed here (gmtime, strftime).
inline std::string iso_utc(int64_t t) {
    const std::time_t tt = static_cast<std::time_t>(t);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return text;
}

// The modified time (the ninth field, epoch seconds) of `path` in a mactime body that
// `fls -m / -r` printed; fails the test when the body does not list the path.
inline int64_t body_mtime_of(const std::string& body, const std::string& path) {
    for (const auto& line : lines(body)) {
        std::vector<std::string> fields;
        size_t at = 0;
        for (size_t bar; (bar = line.find('|', at)) != std::string::npos; at = bar + 1)
            fields.push_back(line.substr(at, bar - at));
        fields.push_back(line.substr(at));
        if (fields.size() == 11 && fields[1] == path) return std::stoll(fields[8]);
    }
    ADD_FAILURE() << "fls -m lists no " << path;
    return 0;
}

inline bool ends_with(const std::string& s, const std::string& tail) {
    return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

}  // namespace dflab::test
