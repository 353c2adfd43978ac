// The prefilter in front of libmagic (engine/magic_prefilter.hpp) changes no answer: real text
// files of this machine, tiny notes like the small-files benchmark's, and text made to trip the
// binary-pass tests the prefilter evaluates itself are typed by FileTypeDetector, and every
// answer must equal what `file --mime-type` says about the same bytes (one batched `file -f`
// call). The notes must take the fast path (the detector's counters), or the prefilter is dead.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "engine/file_type.hpp"
#include "engine/magic_prefilter.hpp"
#include "tests/support/fixtures.hpp"

namespace dflab::engine {
namespace {

namespace fs = std::filesystem;
using dflab::test::lines;
using dflab::test::run;
using dflab::test::shell_quote;

struct Sample {
    std::string path;
    std::string bytes;  // the first kHeadBytes
};

std::string head_of(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::string s(FileTypeDetector::kHeadBytes, '\0');
    in.read(s.data(), static_cast<std::streamsize>(s.size()));
    s.resize(static_cast<size_t>(in.gcount()));
    s.shrink_to_fit();
    return s;
}

void write_file(const std::string& path, const std::string& bytes) {
    std::ofstream out(path, std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::span<const std::byte> as_bytes(const std::string& s) {
    return {reinterpret_cast<const std::byte*>(s.data()), s.size()};
}

// The regular files of at most 200 KiB under a folder, sorted (the same machine gives the same
// corpus), and at most `limit` of them picked evenly.
std::vector<std::string> files_under(const std::string& root, size_t limit) {
    std::vector<std::string> all;
    std::error_code ec;
    if (!fs::is_directory(root, ec)) return all;
    for (auto it = fs::recursive_directory_iterator(
             root, fs::directory_options::skip_permission_denied, ec);
         it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (ec) break;
        const auto& path = it->path().string();
        if (path.find("/.git/") != std::string::npos || path.find('\n') != std::string::npos)
            continue;
        if (it->is_symlink(ec) || !it->is_regular_file(ec)) continue;
        if (it->file_size(ec) > 200 * 1024) continue;
        all.push_back(path);
    }
    std::sort(all.begin(), all.end());
    std::vector<std::string> picked;
    const size_t step = std::max<size_t>(1, all.size() / limit);
    for (size_t i = 0; i < all.size() && picked.size() < limit; i += step) picked.push_back(all[i]);
    return picked;
}

// Notes as scripts/bench/make_small_tree.py writes them: "note N: word word ...".
std::vector<std::string> notes(size_t count) {
    static const char* const words[] = {"report",   "invoice", "account", "transfer", "meeting",
                                        "contract", "server",  "backup",  "project",  "budget",
                                        "client",   "draft",   "final",   "agenda",   "notes",
                                        "archive",  "photo"};
    std::mt19937 prng(2024);
    std::vector<std::string> out;
    for (size_t i = 0; i < count; ++i) {
        std::string s = "note " + std::to_string(i) + ":";
        const size_t n = 2 + prng() % 9;
        for (size_t k = 0; k < n; ++k) s += std::string(" ") + words[prng() % 17];
        if (i % 40 == 0) s += (prng() % 2) ? " password" : " Login";
        if (i % 500 == 0) s += " user" + std::to_string(prng() % 999) + "@example.org";
        out.push_back(s.substr(0, 99) + "\n");
    }
    return out;
}

// Text that starts like, or holds, what binary-pass and text-pass tests look for; some of it
// must go to full libmagic, all of it must come out as `file` says.
std::vector<std::string> look_alikes() {
    std::vector<std::string> out = {
        "0\nSECTION\n2\nHEADER\n0\nENDSEC\n0\nEOF\n",  // a line starting with 0 (DXF-like)
        "x^ compressed? no, just text\n",              // zlib-like first bytes
        "xx zlib header look-alike with more words\n",
        "P1\n2 2\n0 1\n1 0\n",  // netpbm
        "P3\n1 1\n255\n0 0 0\n",
        "PK is how the archive started\n",
        "MZ is the DOS header\n",
        "GIF87a was the old one\n",
        "%!PS-Adobe-3.0\n%%EOF\n",
        "#!/bin/sh\necho hi\n",
        "#! /usr/bin/env python3\nprint(1)\n",
        "#!/usr/bin/perl\nprint 1;\n",
        "<?xml version=\"1.0\"?>\n<a/>\n",
        "<!DOCTYPE html>\n<html></html>\n",
        "<html><body>hi</body></html>\n",
        "-----BEGIN PGP MESSAGE-----\n\nabc\n-----END PGP MESSAGE-----\n",
        "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
        "From alice@example.org Mon Jan  1 00:00:00 2024\nSubject: hi\n\nbody\n",
        "Received: from x\nFrom: a@b\nTo: c@d\nSubject: s\n\nbody\n",
        "#include <stdio.h>\nint main(void) { return 0; }\n",
        "import os\nimport sys\ndef main():\n    pass\n",
        "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(1) }\n",
        "pppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppp"
        "pppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppp\n",
        "0123456789 starts with the DER sequence tag\n",
        "Windows Registry Editor Version 5.00\n\n[HKEY_LOCAL_MACHINE\\SOFTWARE]\n",
        "WEBVTT\n\n00:00.000 --> 00:01.000\nhello\n",
        "1\n00:00:01,000 --> 00:00:02,000\nhello\n",
        "BEGIN:VCARD\nVERSION:3.0\nFN:Alice\nEND:VCARD\n",
        "{\"a\": 1}\n",
        "a,b,c\n1,2,3\n4,5,6\n",
        "\x1b[1mbold\x1b[0m\n",
        "line\r\nwith\r\ncrlf\r\n",
        "ab",
        "%PDF-1.4 in words only\n",
        "export function f() {}\n",
        "TAG at the end of a text: TAG",
    };
    // Past libmagic's encoding limit (64 KiB) and its regex window (8 KiB): markers late.
    std::string long_text;
    while (long_text.size() < 70 * 1024) long_text += "plain words on a line of text\n";
    out.push_back(long_text + "#include <stdio.h>\n");
    out.push_back(std::string(9000, 'a') + "\n<?xml version=\"1.0\"?>\n");
    return out;
}

// What `file` says about each path, with the detector's settings (no look inside compressed
// files, at most kHeadBytes bytes), from one `file -f LIST` call.
std::vector<std::string> file_says(const std::string& dir, const std::vector<std::string>& paths) {
    const std::string list = dir + "/list";
    std::ofstream out(list);
    for (const auto& p : paths) out << p << "\n";
    out.close();
    auto r = run("file --mime-type -b -e compress -P bytes=" +
                 std::to_string(FileTypeDetector::kHeadBytes) + " -f " + shell_quote(list));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    auto said = lines(r.out);
    while (!said.empty() && said.back().empty()) said.pop_back();
    return said;
}

class MagicPrefilterAgreement : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        dir_ = dflab::test::temp_dir();
        // Real text (no NUL byte in the head) of this machine and of this repository.
        const std::vector<std::string> roots = {
            "/usr/include", "/usr/share/perl5", "/usr/lib/python3", "/usr/share/doc",
            "/etc",         DFLAB_SOURCE_DIR};
        for (const auto& root : roots) {
            for (const auto& path : files_under(root, 250)) {
                std::string head = head_of(path);
                if (head.empty() || head.find('\0') != std::string::npos) continue;
                machine_.push_back({path, std::move(head)});
            }
        }
        const auto made = [](const std::string& name, std::string bytes) {
            const std::string path = dir_ + "/" + name;
            write_file(path, bytes);
            return Sample{path, std::move(bytes)};
        };
        size_t i = 0;
        for (auto& n : notes(400)) notes_.push_back(made("note" + std::to_string(i++), n));
        i = 0;
        for (auto& t : look_alikes())
            look_alikes_.push_back(made("alike" + std::to_string(i++), t));
    }
    static void TearDownTestSuite() { fs::remove_all(dir_); }

    // Types every sample with a fresh detector and expects `file`'s answer for each.
    static FileTypeDetector::Counters expect_file_agrees(const std::vector<Sample>& samples) {
        std::vector<std::string> paths;
        for (const auto& s : samples) paths.push_back(s.path);
        const auto expected = file_says(dir_, paths);
        EXPECT_EQ(expected.size(), samples.size());
        FileTypeDetector detector;
        for (size_t i = 0; i < samples.size() && i < expected.size(); ++i) {
            EXPECT_EQ(detector.mime_type(as_bytes(samples[i].bytes)), expected[i])
                << samples[i].path << " (" << samples[i].bytes.size() << " bytes)";
        }
        return detector.counters();
    }

    static inline std::string dir_;
    static inline std::vector<Sample> machine_, notes_, look_alikes_;
};

TEST_F(MagicPrefilterAgreement, RealTextFilesGetTheTypeFileGives) {
    ASSERT_GE(machine_.size(), 300u) << "too few text files found on this machine";
    const auto counters = expect_file_agrees(machine_);
    // Most real text is decided without libmagic's binary pass, and some of it still needs the
    // text pass (C, XML, scripts) or libmagic whole.
    EXPECT_GT(counters.no_soft_magic + counters.text_pass_only, machine_.size() / 2);
    EXPECT_GT(counters.text_pass_only, 0u);
    EXPECT_GT(counters.full_libmagic, 0u);
}

TEST_F(MagicPrefilterAgreement, TinyNotesTakeTheFastPathAndGetTheTypeFileGives) {
    const auto counters = expect_file_agrees(notes_);
    EXPECT_EQ(counters.full_libmagic, 0u);
    EXPECT_EQ(counters.text_pass_only + counters.no_soft_magic, notes_.size());
}

TEST_F(MagicPrefilterAgreement, LookAlikesOfFormatsGetTheTypeFileGives) {
    const auto counters = expect_file_agrees(look_alikes_);
    EXPECT_GT(counters.full_libmagic, 0u);
}

TEST(MagicPrefilter, AnUnexpectedDatabaseTurnsItOff) {
    const std::string dir = dflab::test::temp_dir();
    const std::string note = "note 1: report invoice\n";
    // Not a database, a database of another version, and one cut short: never usable, never
    // "no binary match".
    write_file(dir + "/junk.mgc", std::string(376 * 3, 'x'));
    std::string header(376 * 2, '\0');
    const uint32_t magic = 0xF11E041C, version = 17, one = 1;
    std::memcpy(header.data(), &magic, 4);
    std::memcpy(header.data() + 4, &version, 4);
    std::memcpy(header.data() + 8, &one, 4);
    write_file(dir + "/v17.mgc", header);
    write_file(dir + "/short.mgc", header.substr(0, 500));
    for (const char* name : {"junk.mgc", "v17.mgc", "short.mgc", "missing.mgc"}) {
        MagicPrefilter filter(dir + "/" + name, 8192, 65536);
        EXPECT_FALSE(filter.usable()) << name;
        EXPECT_FALSE(filter.unusable_reason().empty()) << name;
        EXPECT_FALSE(filter.no_binary_match(as_bytes(note))) << name;
        EXPECT_FALSE(filter.no_text_match(as_bytes(note))) << name;
    }
    fs::remove_all(dir);
}

}  // namespace
}  // namespace dflab::engine
