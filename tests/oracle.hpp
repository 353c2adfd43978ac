#pragma once
// Oracles for the engine tests: parsers for the output of The Sleuth Kit's command-line tools
// (fls, mmls) and sha256sum, so that dflab is compared with independent tools rather than with
// values copied from its own output.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include "tests/support/fixtures.hpp"

namespace dflab::test {

// One line of `fls -r -p`: "r/r * 64-128-2:\tpath" (deleted '*', "(realloc)" for reallocated).
struct FlsEntry {
    std::string type;  // "r/r", "d/d", "-/r", ...
    std::string inode;
    std::string path;  // with a leading '/'
    bool allocated = true;
    bool reallocated = false;
};

inline std::vector<FlsEntry> parse_fls(const std::string& text) {
    static const std::regex line_re(
        R"(^(\S+) (\* |\(realloc\) )?([0-9]+(?:-[0-9]+-[0-9]+)?):\t(.*)$)");
    std::vector<FlsEntry> out;
    for (const auto& line : lines(text)) {
        if (line.empty()) continue;
        std::smatch m;
        if (!std::regex_match(line, m, line_re))
            throw std::runtime_error("unparsed fls line: " + line);
        FlsEntry e;
        e.type = m[1];
        e.allocated = !m[2].matched;
        e.reallocated = m[2].matched && m[2].str() == "(realloc) ";
        e.inode = m[3];
        e.path = "/" + m[4].str();
        out.push_back(e);
    }
    return out;
}

// fls -r -p over the whole file system at `sector_offset`.
inline std::vector<FlsEntry> fls(const std::string& image, uint64_t sector_offset = 0) {
    std::string cmd = "fls -r -p";
    if (sector_offset) cmd += " -o " + std::to_string(sector_offset);
    auto r = run(cmd + " " + shell_quote(image));
    if (r.exit_code != 0) throw std::runtime_error("fls failed: " + r.err);
    return parse_fls(r.out);
}

// One row of mmls: "002:  000:000   0000002048   0000010239   0000008192   DOS FAT16 (0x06)".
struct MmlsSlot {
    int slot = 0;
    std::string kind;  // "Meta", "-------" or the table:entry address
    uint64_t start = 0, end = 0, length = 0;
    std::string description;
};

inline std::vector<MmlsSlot> mmls(const std::string& image) {
    auto r = run("mmls " + shell_quote(image));
    if (r.exit_code != 0) throw std::runtime_error("mmls failed: " + r.err);
    static const std::regex row_re(R"(^(\d+):\s+(\S+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(.*)$)");
    std::vector<MmlsSlot> out;
    for (const auto& line : lines(r.out)) {
        std::smatch m;
        if (!std::regex_match(line, m, row_re)) continue;
        MmlsSlot s;
        s.slot = std::stoi(m[1]);
        s.kind = m[2];
        s.start = std::stoull(m[3]);
        s.end = std::stoull(m[4]);
        s.length = std::stoull(m[5]);
        s.description = m[6];
        out.push_back(s);
    }
    return out;
}

// One file system of the fixtures: a bare image, or a disk with the mmls slot and start sector.
struct Target {
    std::string image;
    std::optional<int> slot;
    uint64_t start = 0;       // sectors
    std::string planted_key;  // partition key in expected.json ("" for a bare file system)
    std::string label() const { return image + (slot ? " slot " + std::to_string(*slot) : ""); }
    std::string partition_arg() const {
        return slot ? "--partition " + std::to_string(*slot) + " " : "";
    }
    std::string offset_arg() const { return start ? "-o " + std::to_string(start) + " " : ""; }
};

// Every file system of the fixture images (each partition of mbr.img and gpt.img, from mmls).
inline std::vector<Target> targets() {
    std::vector<Target> out{
        {"fat16.img", {}, 0, ""}, {"ext4.img", {}, 0, ""}, {"ntfs.img", {}, 0, ""}};
    for (const std::string disk : {"mbr.img", "gpt.img"}) {
        for (const auto& s : mmls(fixture(disk))) {
            if (s.kind == "Meta" || s.kind.find_first_not_of('-') == std::string::npos) continue;
            out.push_back({disk, s.slot, s.start, std::to_string(s.start)});
        }
    }
    return out;
}

// The first word sha256sum prints for the output of a shell pipeline.
inline std::string sha256_of_output(const std::string& command_line) {
    auto r = run("bash -o pipefail -c " + shell_quote(command_line + " | sha256sum"));
    if (r.exit_code != 0)
        throw std::runtime_error("command failed: " + command_line + ": " + r.err);
    return r.out.substr(0, 64);
}

inline std::string sha256_of_file(const std::string& path) {
    return sha256_of_output("cat " + shell_quote(path));
}

inline std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

inline void write_file(const std::string& path, const std::string& data) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << data;
}

// What identifies an entry of a listing: path, inode, allocated; as a multiset, a listing that
// can be compared with fls's whatever the order.
using Key = std::tuple<std::string, std::string, bool>;

inline std::multiset<Key> keys_of(const std::vector<FlsEntry>& entries) {
    std::multiset<Key> out;
    for (const auto& e : entries) out.emplace(e.path, e.inode, e.allocated);
    return out;
}

// Of `dflab ls --json` objects.
inline std::multiset<Key> keys_of(const std::vector<nlohmann::json>& entries) {
    std::multiset<Key> out;
    for (const auto& e : entries) {
        out.emplace(e.at("path").get<std::string>(), e.at("inode").get<std::string>(),
                    e.at("allocated").get<bool>());
    }
    return out;
}

// JSON Lines (dflab ls --json prints one object per line).
inline std::vector<nlohmann::json> json_lines(const std::string& text) {
    std::vector<nlohmann::json> out;
    for (const auto& line : lines(text)) {
        if (!line.empty()) out.push_back(nlohmann::json::parse(line));
    }
    return out;
}

// What tests/fixtures/make.sh planted (expected.json).
inline const nlohmann::json& expected() {
    static const nlohmann::json j = nlohmann::json::parse(read_file(fixture("expected.json")));
    return j;
}

// The planted files of a bare image ("fat16.img") or of a partition ("mbr.img", "2").
inline const nlohmann::json& planted(const std::string& image, const std::string& partition = "") {
    const auto& img = expected().at(image);
    return partition.empty() ? img.at("files") : img.at("partitions").at(partition).at("files");
}

// The start sector mmls gives for slot `slot`.
inline uint64_t mmls_start(const std::string& image, int slot) {
    for (const auto& s : mmls(image)) {
        if (s.slot == slot) return s.start;
    }
    throw std::runtime_error("mmls: no slot " + std::to_string(slot) + " in " + image);
}

// A copy of a fixture in a fresh temporary directory (for tests that damage it).
inline std::string copy_fixture(const std::string& dir, const std::string& name) {
    std::string to = dir + "/" + name;
    std::filesystem::copy_file(fixture(name), to,
                               std::filesystem::copy_options::overwrite_existing);
    return to;
}

}  // namespace dflab::test
