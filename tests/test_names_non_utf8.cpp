// Names that are not UTF-8 (issue 15): Latin-1 and CP1251 names, broken sequences. Every JSON and
// CSV output runs to completion, is valid UTF-8 (Python's strict decoder and json module say so),
// and carries each name's exact bytes, the bytes TSK's fls prints, in a "_hex" field that only
// names that are not UTF-8 have. common/utf8 is checked against Python's UTF-8 decoder.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "common/utf8.hpp"
#include "tests/support/fixtures.hpp"

namespace dflab::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct TempDir {
    std::string path = temp_dir();
    TempDir() = default;
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    ~TempDir() { fs::remove_all(path); }
};

void write_file(const std::string& path, const std::string& bytes) {
    std::ofstream(path, std::ios::binary) << bytes;
}

std::string unhex(const std::string& hex) {
    std::string out;
    for (size_t i = 0; i + 1 < hex.size(); i += 2)
        out += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
    return out;
}

// Python's answers for each byte string: whether bytes.decode('utf-8') accepts it, and
// bytes.decode('utf-8', 'replace') as UTF-8 bytes.
struct PythonDecoding {
    bool valid = false;
    std::string display;
};

std::vector<PythonDecoding> python_decode(const std::vector<std::string>& inputs) {
    TempDir dir;
    std::string list;
    for (const auto& s : inputs) list += common::hex_bytes(s) + "\n";  // hex checked separately
    write_file(dir.path + "/in.txt", list);
    const std::string script =
        "import sys\n"
        "for line in open(sys.argv[1]):\n"
        "    b = bytes.fromhex(line.strip())\n"
        "    try:\n"
        "        b.decode('utf-8'); ok = '1'\n"
        "    except UnicodeDecodeError:\n"
        "        ok = '0'\n"
        "    print(ok + ' ' + b.decode('utf-8', 'replace').encode('utf-8').hex())\n";
    write_file(dir.path + "/decode.py", script);
    auto r = run("python3 " + shell_quote(dir.path + "/decode.py") + " " +
                 shell_quote(dir.path + "/in.txt"));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::vector<PythonDecoding> out;
    for (const auto& line : lines(r.out)) {
        if (line.size() < 2) continue;
        out.push_back({line[0] == '1', unhex(line.substr(2))});
    }
    EXPECT_EQ(out.size(), inputs.size());
    return out;
}

// Python's strict UTF-8 decoder and json module over every line of `text` (JSON Lines), or over
// all of it (`lines_each` false). Returns Python's complaint, "" when all is well.
std::string python_json_check(const std::string& text, bool lines_each) {
    TempDir dir;
    write_file(dir.path + "/out.json", text);
    const std::string code = lines_each
                                 ? "import json,sys\n"
                                   "t = open(sys.argv[1], 'rb').read().decode('utf-8')\n"
                                   "[json.loads(l) for l in t.splitlines() if l]\n"
                                 : "import json,sys\n"
                                   "json.loads(open(sys.argv[1], 'rb').read().decode('utf-8'))\n";
    write_file(dir.path + "/check.py", code);
    auto r = run("python3 " + shell_quote(dir.path + "/check.py") + " " +
                 shell_quote(dir.path + "/out.json"));
    return r.exit_code == 0 ? "" : r.err;
}

std::string last_component(const std::string& path) {
    return path.substr(path.rfind('/') + 1);
}

// ---------------------------------------------------------------------------------------------
// common/utf8 against Python

TEST(Utf8, AgreesWithPythonsDecoder) {
    std::vector<std::string> cases = {
        "",
        "plain.txt",
        "caf\xe9.txt",                                           // Latin-1
        "\xcf\xf0\xe8\xe2\xe5\xf2.txt",                          // CP1251 "Привет"
        "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82.txt",  // UTF-8 "Привет"
        "\xc0\xaf",                                              // overlong '/'
        "\xe0\x80\xaf",                                          // overlong, 3 bytes
        "\xf0\x80\x80\xaf",                                      // overlong, 4 bytes
        "\xed\xa0\x80",                                          // surrogate U+D800
        "\xed\x9f\xbf",                                          // U+D7FF, valid
        "\xf4\x8f\xbf\xbf",                                      // U+10FFFF, valid
        "\xf4\x90\x80\x80",                                      // above U+10FFFF
        "\xf5\x80\x80\x80",
        "\xe2\x82",                // truncated at the end
        "\xe2\x82x",               // truncated before ASCII
        "\xe2\x82\xe2\x82\xac",    // truncated, then a whole euro sign
        "\x80\xbf",                // stray continuation bytes
        "\xf0\x9f\x98\x80 smile",  // U+1F600
        "\xff\xfe",
        std::string("nul\0byte", 8),
    };
    std::mt19937 random(20261202);
    const unsigned char pool[] = {0x00, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf,
                                  0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xe1, 0xec, 0xed, 0xee,
                                  0xef, 0xf0, 0xf1, 0xf3, 0xf4, 0xf5, 0xff};
    for (int i = 0; i < 5000; ++i) {
        std::string s;
        const int length = static_cast<int>(random() % 9);
        for (int k = 0; k < length; ++k)
            s += static_cast<char>(random() % 5 ? pool[random() % sizeof pool] : random() % 256);
        cases.push_back(s);
    }
    const auto python = python_decode(cases);
    ASSERT_EQ(python.size(), cases.size());
    for (size_t i = 0; i < cases.size(); ++i) {
        const std::string hex = common::hex_bytes(cases[i]);
        EXPECT_EQ(common::is_valid_utf8(cases[i]), python[i].valid) << hex;
        EXPECT_EQ(common::to_display_utf8(cases[i]), python[i].display) << hex;
        EXPECT_EQ(common::hex_if_not_utf8(cases[i]).has_value(), !python[i].valid) << hex;
    }
}

TEST(Utf8, HexIsWhatPythonWrites) {
    const std::string bytes(
        "caf\xe9\x00\xff\x10"
        "A",
        8);  // the NUL included
    auto r = run("python3 -c \"print(b'caf\\xe9\\x00\\xff\\x10A'.hex())\"");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    ASSERT_FALSE(lines(r.out).empty());
    EXPECT_EQ(common::hex_bytes(bytes), lines(r.out).front());
    EXPECT_EQ(common::hex_bytes(""), "");
}

// ---------------------------------------------------------------------------------------------
// An ext4 image whose names are bytes: ext stores names as they were given, and fls prints them
// as they are.

const std::vector<std::string>& planted_names() {
    static const std::vector<std::string> names = {
        "caf\xe9.txt",                                           // Latin-1
        "\xcf\xf0\xe8\xe2\xe5\xf2.txt",                          // CP1251
        "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82.txt",  // UTF-8 Cyrillic: valid
        "bad\xe2\x82(\xed\xa0\x80\xf0\x80\x80\xaf.txt",          // truncated, surrogate, overlong
        "dir\xff/in\xfe.txt",  // a name inside a directory whose name is not UTF-8
    };
    return names;
}

// Builds the image once per test process: mke2fs -d copies a folder with those names.
const std::string& ext4_image() {
    static const TempDir dir;  // removed when the test process ends
    static const std::string image = [] {
        const std::string tree = dir.path + "/tree";
        fs::create_directories(tree + "/dir\xff");
        for (const auto& name : planted_names()) write_file(tree + "/" + name, "content " + name);
        const std::string img = dir.path + "/names.img";
        auto r = run("mke2fs -q -t ext4 -d " + shell_quote(tree) + " " + shell_quote(img) + " 4M");
        if (r.exit_code != 0) throw std::runtime_error("mke2fs failed: " + r.err);
        return img;
    }();
    return image;
}

// fls -r -p: inode -> path bytes with a leading '/', exactly as fls prints them.
std::map<std::string, std::string> fls_paths(const std::string& image) {
    auto r = run("fls -r -p " + shell_quote(image));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::map<std::string, std::string> out;
    for (const auto& line : lines(r.out)) {
        const size_t tab = line.find(":\t");
        if (tab == std::string::npos) continue;
        const size_t space = line.rfind(' ', tab);
        out[line.substr(space + 1, tab - space - 1)] = "/" + line.substr(tab + 2);
    }
    return out;
}

// The display text Python makes of `bytes` (asked once per byte string).
std::string python_display(const std::string& bytes) {
    static std::map<std::string, std::string> known;
    auto it = known.find(bytes);
    if (it == known.end()) it = known.emplace(bytes, python_decode({bytes}).at(0).display).first;
    return it->second;
}

// `j[key]` and `j[key + "_hex"]` carry `bytes`: the hex field exactly when they are not UTF-8.
void expect_carries(const json& j, const std::string& key, const std::string& bytes) {
    SCOPED_TRACE(key + " = hex " + common::hex_bytes(bytes));
    ASSERT_TRUE(j.contains(key)) << j.dump();
    if (common::hex_if_not_utf8(bytes)) {
        ASSERT_TRUE(j.contains(key + "_hex")) << j.dump();
        EXPECT_EQ(unhex(j[key + "_hex"].get<std::string>()), bytes);
        EXPECT_EQ(j[key].get<std::string>(), python_display(bytes));
    } else {
        EXPECT_FALSE(j.contains(key + "_hex")) << j.dump();
        EXPECT_EQ(j[key].get<std::string>(), bytes);
    }
}

std::vector<json> json_lines(const std::string& text) {
    std::vector<json> out;
    for (const auto& line : lines(text))
        if (!line.empty()) out.push_back(json::parse(line));
    return out;
}

TEST(NonUtf8Names, FlsPrintsThePlantedBytes) {
    // The oracle itself: fls shows every planted name byte for byte.
    auto paths = fls_paths(ext4_image());
    for (const auto& name : planted_names()) {
        bool found = false;
        for (const auto& [inode, path] : paths) found = found || path == "/" + name;
        EXPECT_TRUE(found) << common::hex_bytes(name);
    }
}

TEST(NonUtf8Names, LsJsonCarriesTheBytesFlsPrints) {
    auto r = dflab("ls -r --json " + shell_quote(ext4_image()));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(python_json_check(r.out, true), "");
    auto paths = fls_paths(ext4_image());
    size_t checked = 0, with_hex = 0;
    for (const auto& e : json_lines(r.out)) {
        const std::string inode = e["inode"].get<std::string>();
        if (!paths.count(inode) || e["name"] == "." || e["name"] == "..") continue;
        expect_carries(e, "path", paths[inode]);
        expect_carries(e, "name", last_component(paths[inode]));
        ++checked;
        with_hex += e.contains("path_hex");
    }
    EXPECT_GE(checked, planted_names().size() + 1);  // the planted files and dir\xff
    EXPECT_EQ(with_hex, 5u);  // caf\xe9, CP1251, bad..., dir\xff and dir\xff/in\xfe
}

TEST(NonUtf8Names, HashJsonCarriesTheBytesFlsPrints) {
    auto r = dflab("hash --json " + shell_quote(ext4_image()));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(python_json_check(r.out, true), "");
    auto paths = fls_paths(ext4_image());
    size_t planted = 0;
    for (const auto& h : json_lines(r.out)) {
        const std::string inode = h["inode"].get<std::string>();
        if (!paths.count(inode)) continue;
        expect_carries(h, "path", paths[inode]);
        for (const auto& name : planted_names()) planted += paths[inode] == "/" + name;
    }
    EXPECT_EQ(planted, planted_names().size());
}

TEST(NonUtf8Names, TimelineJsonCarriesTheBytesFlsPrints) {
    auto r = dflab("timeline --format json " + shell_quote(ext4_image()));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(python_json_check(r.out, true), "");
    auto paths = fls_paths(ext4_image());
    size_t events = 0;
    for (const auto& ev : json_lines(r.out)) {
        const std::string inode = ev["inode"].get<std::string>();
        if (!paths.count(inode)) continue;
        expect_carries(ev, "path", paths[inode]);
        ++events;
    }
    EXPECT_GT(events, planted_names().size());
}

TEST(NonUtf8Names, TimelineCsvCarriesTheBytesFlsPrints) {
    auto r = dflab("timeline " + shell_quote(ext4_image()));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    // Python's csv module over the strictly decoded text: inode, path and path_hex of each row.
    TempDir dir;
    write_file(dir.path + "/t.csv", r.out);
    write_file(dir.path + "/read.py",
               "import csv,sys\n"
               "t = open(sys.argv[1], 'rb').read().decode('utf-8')\n"
               "rows = list(csv.reader(t.splitlines()))\n"
               "assert rows[0][-2:] == ['path', 'path_hex'], rows[0]\n"
               "for row in rows[1:]:\n"
               "    assert len(row) == len(rows[0]), row\n"
               "    print(row[3] + '\\t' + row[10].encode('utf-8').hex() + '\\t' + row[11])\n");
    auto py = run("python3 " + shell_quote(dir.path + "/read.py") + " " +
                  shell_quote(dir.path + "/t.csv"));
    ASSERT_EQ(py.exit_code, 0) << py.err;
    auto paths = fls_paths(ext4_image());
    size_t rows = 0;
    for (const auto& line : lines(py.out)) {
        const size_t a = line.find('\t'), b = line.find('\t', a + 1);
        ASSERT_NE(b, std::string::npos) << line;
        const std::string inode = line.substr(0, a);
        const std::string path = unhex(line.substr(a + 1, b - a - 1));
        const std::string path_hex = line.substr(b + 1);
        if (!paths.count(inode)) continue;
        const std::string& bytes = paths[inode];
        SCOPED_TRACE(common::hex_bytes(bytes));
        if (common::hex_if_not_utf8(bytes)) {
            EXPECT_EQ(unhex(path_hex), bytes);
            EXPECT_EQ(path, python_display(bytes));
        } else {
            EXPECT_EQ(path_hex, "");
            EXPECT_EQ(path, bytes);
        }
        ++rows;
    }
    EXPECT_GT(rows, planted_names().size());
}

TEST(NonUtf8Names, BodyFileKeepsTheBytesLikeFls) {
    // mactime reads bytes: the body file has each name as fls -m prints it.
    auto ours = dflab("timeline --body " + shell_quote(ext4_image()));
    ASSERT_EQ(ours.exit_code, 0) << ours.err;
    auto theirs = run("fls -m / -r " + shell_quote(ext4_image()));
    ASSERT_EQ(theirs.exit_code, 0) << theirs.err;
    for (const auto& name : planted_names()) {
        const std::string field = "|/" + name + "|";
        EXPECT_NE(theirs.out.find(field), std::string::npos) << common::hex_bytes(name);
        EXPECT_NE(ours.out.find(field), std::string::npos) << common::hex_bytes(name);
    }
}

TEST(NonUtf8Names, CaseDatabaseKeepsDisplayTextAndHex) {
    TempDir dir;
    const std::string db = dir.path + "/case.sqlite";
    auto a =
        dflab("analyze --no-unallocated -o " + shell_quote(db) + " " + shell_quote(ext4_image()));
    ASSERT_EQ(a.exit_code, 0) << a.err;
    auto q = dflab("query --json " + shell_quote(db) +
                   " \"SELECT inode, path, name, path_hex, name_hex FROM files\"");
    ASSERT_EQ(q.exit_code, 0) << q.err;
    EXPECT_EQ(python_json_check(q.out, false), "");
    auto paths = fls_paths(ext4_image());
    size_t checked = 0;
    for (auto row : json::parse(q.out)) {
        const std::string inode = row["inode"].get<std::string>();
        if (!paths.count(inode) || row["name"] == "." || row["name"] == "..") continue;
        for (const char* key : {"path_hex", "name_hex"})  // NULL for names that are UTF-8
            if (row[key].is_null()) row.erase(key);
        expect_carries(row, "path", paths[inode]);
        expect_carries(row, "name", last_component(paths[inode]));
        ++checked;
    }
    EXPECT_GE(checked, planted_names().size());
    // The database itself, read by sqlite3: name and path are valid UTF-8 text.
    auto s = run("sqlite3 " + shell_quote(db) + " \"SELECT hex(path) FROM files\"");
    ASSERT_EQ(s.exit_code, 0) << s.err;
    for (const auto& hex : lines(s.out)) {
        std::string bytes;
        for (size_t i = 0; i + 1 < hex.size(); i += 2)
            bytes += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
        EXPECT_TRUE(common::is_valid_utf8(bytes)) << hex;
    }
}

// ---------------------------------------------------------------------------------------------
// FAT: a short name with a Latin-1 byte. TSK does not keep it: it replaces every byte above 0x7F
// of a short name with '^' (so does fls), and dflab shows what TSK read.

TEST(NonUtf8Names, FatShortNameIsWhatTskReads) {
    TempDir dir;
    const std::string img = dir.path + "/fat.img";
    write_file(dir.path + "/CAFE.TXT", "hi\n");
    auto mk = run("mkfs.vfat -C -n NAMES " + shell_quote(img) +
                  " 2048 >/dev/null && "
                  "MTOOLS_SKIP_CHECK=1 mcopy -i " +
                  shell_quote(img) + " " + shell_quote(dir.path + "/CAFE.TXT") + " ::CAFE.TXT");
    ASSERT_EQ(mk.exit_code, 0) << mk.err;
    {
        // The 8.3 entry "CAFE    TXT" becomes "CAF\xe9    TXT" (no long name: mcopy wrote none).
        std::fstream f(img, std::ios::in | std::ios::out | std::ios::binary);
        std::string data((std::istreambuf_iterator<char>(f)), {});
        const size_t at = data.find("CAFE    TXT");
        ASSERT_NE(at, std::string::npos);
        f.seekp(static_cast<std::streamoff>(at + 3));
        f.put('\xe9');
    }
    auto paths = fls_paths(img);
    std::string fls_name;
    for (const auto& [inode, path] : paths)
        if (path.starts_with("/CAF")) fls_name = path;
    ASSERT_FALSE(fls_name.empty());
    EXPECT_EQ(fls_name, "/CAF^.TXT");  // TSK's replacement, documented in docs/entry-format.md
    auto r = dflab("ls -r --json " + shell_quote(img));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(python_json_check(r.out, true), "");
    bool seen = false;
    for (const auto& e : json_lines(r.out)) {
        const std::string inode = e["inode"].get<std::string>();
        if (!paths.count(inode) || paths[inode] != fls_name) continue;
        expect_carries(e, "path", fls_name);
        seen = true;
    }
    EXPECT_TRUE(seen);
}

}  // namespace
}  // namespace dflab::test
