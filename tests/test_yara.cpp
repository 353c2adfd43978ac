// YARA rules and scanning, checked against the `yara` command-line tool as an independent oracle
// (same rule files, same data written to disk).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <span>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "engine/error.hpp"
#include "engine/yara_rules.hpp"
#include "tests/support/fixtures.hpp"

namespace dflab::engine {
namespace {

namespace fs = std::filesystem;
using test::run;
using test::shell_quote;

// A temporary directory removed at the end of the test.
struct TempDir {
    fs::path path{test::temp_dir()};
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
    std::string operator/(const std::string& name) const { return (path / name).string(); }
};

void write_file(const std::string& path, std::string_view content) {
    fs::create_directories(fs::path(path).parent_path());
    std::ofstream out(path, std::ios::binary);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    ASSERT_TRUE(out.good()) << path;
}

std::span<const std::byte> bytes(std::string_view s) {
    return std::as_bytes(std::span(s));
}

// "namespace:rule" -> sorted (offset, string identifier) pairs.
using Hits = std::map<std::string, std::vector<std::pair<uint64_t, std::string>>>;

Hits sorted(Hits hits) {
    for (auto& [rule, strings] : hits) std::sort(strings.begin(), strings.end());
    return hits;
}

Hits hits_of(const std::vector<YaraMatch>& matches) {
    Hits out;
    for (const YaraMatch& m : matches) {
        auto& strings = out[m.rule_namespace + ":" + m.rule];
        for (const YaraStringMatch& s : m.strings) strings.emplace_back(s.offset, s.identifier);
    }
    return sorted(out);
}

// Runs `yara -s -e` with the given (namespace, rule file) pairs on a file and parses the output.
Hits oracle(const std::vector<std::pair<std::string, std::string>>& rule_files,
            const std::string& target_file, const YaraTarget& target = {}) {
    std::string cmd = "yara -s -e";
    cmd += " -d " + shell_quote("filename=" + target.filename);
    cmd += " -d " + shell_quote("filepath=" + target.filepath);
    cmd += " -d " + shell_quote("extension=" + target.extension);
    cmd += " -d " + shell_quote("filetype=" + target.filetype);
    for (const auto& [ns, file] : rule_files) cmd += " " + shell_quote(ns + ":" + file);
    cmd += " " + shell_quote(target_file);
    test::CommandResult r = run(cmd);
    EXPECT_EQ(r.exit_code, 0) << cmd << "\n" << r.err;
    Hits out;
    std::vector<std::pair<uint64_t, std::string>>* current = nullptr;
    for (const std::string& line : test::lines(r.out)) {
        if (line.rfind("0x", 0) == 0) {
            size_t colon = line.find(':');
            size_t colon2 = line.find(':', colon + 1);
            EXPECT_NE(current, nullptr) << line;
            if (!current) continue;
            current->emplace_back(std::stoull(line.substr(2, colon - 2), nullptr, 16),
                                  line.substr(colon + 1, colon2 - colon - 1));
        } else if (!line.empty()) {
            current = &out[line.substr(0, line.find(' '))];
        }
    }
    return sorted(out);
}

std::vector<YaraMatch> scan(const YaraRules& rules, std::string_view data,
                            const YaraTarget& target = {}) {
    YaraScanner scanner(rules);
    return scanner.scan(bytes(data), target);
}

std::string compile_error(const std::vector<std::string>& paths) {
    try {
        YaraRules::compile(paths);
    } catch (const Error& e) {
        return e.what();
    }
    return "(no error)";
}

class Yara : public ::testing::Test {
  protected:
    static void SetUpTestSuite() { initialise_yara(); }
};

TEST_F(Yara, MatchesAgreeWithYaraCliOnMixedPatterns) {
    TempDir dir;
    write_file(dir / "mixed.yar", R"(
rule text_and_hex {
    strings:
        $t = "needle"
        $h = { 4D 5A ?? 00 [2-4] 50 45 }
        $n = "HayStack" nocase
        $w = "wide" wide
    condition: any of them
}
rule regex_rule {
    strings:
        $r = /[a-z]{3}[0-9]{2,4}x/
    condition: #r > 1
}
rule never { strings: $z = "not present anywhere at all" condition: $z }
)");
    std::mt19937 rng(42);
    std::string data(1 << 20, '\0');
    for (char& c : data) c = static_cast<char>(rng() % 200 + 40);
    auto put = [&](size_t at, std::string_view s) { data.replace(at, s.size(), s); };
    put(0, "needle");
    put(1000, std::string_view("MZ\x90\x00\x01\x02\x03PE", 9));
    put(5000, "haystack");
    put(7000, "HAYSTACK");
    put(9000, std::string("w\0i\0d\0e\0", 8));
    put(20000, "abc123x");
    put(30000, "xyz9999x");
    put(data.size() - 6, "needle");
    write_file(dir / "data.bin", data);

    YaraRules rules = YaraRules::compile({dir / "mixed.yar"});
    EXPECT_EQ(rules.rule_count(), 3u);
    std::vector<YaraMatch> ours = scan(rules, data);
    Hits expected = oracle({{"mixed", dir / "mixed.yar"}}, dir / "data.bin");
    EXPECT_EQ(hits_of(ours), expected);
    ASSERT_EQ(ours.size(), 2u);
    EXPECT_EQ(ours[0].rule, "text_and_hex");
    EXPECT_EQ(ours[0].rule_namespace, "mixed");
    // Sorted by offset and lengths are the matched lengths.
    ASSERT_FALSE(ours[0].strings.empty());
    EXPECT_EQ(ours[0].strings.front().identifier, "$t");
    EXPECT_EQ(ours[0].strings.front().offset, 0u);
    EXPECT_EQ(ours[0].strings.front().length, 6u);
    EXPECT_TRUE(std::is_sorted(
        ours[0].strings.begin(), ours[0].strings.end(),
        [](const YaraStringMatch& a, const YaraStringMatch& b) { return a.offset < b.offset; }));
}

TEST_F(Yara, IncludesResolveRelativeToTheIncludingFile) {
    TempDir dir;
    write_file(dir / "rules/main.yar",
               "include \"lib/common.yar\"\n"
               "rule main_rule { strings: $a = \"alpha\" condition: $a and common_rule }\n");
    write_file(dir / "rules/lib/common.yar",
               "include \"deeper.yar\"\n"
               "rule common_rule { strings: $b = \"beta\" condition: $b }\n");
    write_file(dir / "rules/lib/deeper.yar",
               "rule deeper_rule { strings: $c = \"gamma\" condition: $c }\n");
    // Decoys next to the working directory / top-level folder must not be picked up.
    write_file(dir / "rules/deeper.yar", "this is not valid yara\n");
    std::string data = "..alpha..beta..gamma..";
    write_file(dir / "data.bin", data);

    YaraRules rules = YaraRules::compile({dir / "rules/main.yar"});
    EXPECT_EQ(rules.rule_count(), 3u);
    std::vector<YaraMatch> ours = scan(rules, data);
    Hits h = hits_of(ours);
    EXPECT_EQ(h, oracle({{"main", dir / "rules/main.yar"}}, dir / "data.bin"));
    EXPECT_TRUE(h.contains("main:main_rule"));
    EXPECT_TRUE(h.contains("main:common_rule"));
    EXPECT_TRUE(h.contains("main:deeper_rule"));
}

TEST_F(Yara, FolderCompiledRecursivelyInSortedOrderWithPathNamespaces) {
    TempDir dir;
    // The same rule name in several files: each file has its own namespace.
    write_file(dir / "set/b.yar", "rule same { strings: $a = \"one\" condition: $a }\n");
    write_file(dir / "set/a.yara", "rule same { strings: $a = \"two\" condition: $a }\n");
    write_file(dir / "set/sub/c.yar", "rule same { strings: $a = \"one\" condition: $a }\n");
    write_file(dir / "set/README.txt", "not rules");
    write_file(dir / "set/notes.yar.bak", "not rules either {");
    std::string data = "one two";
    write_file(dir / "data.bin", data);

    YaraRules rules = YaraRules::compile({dir / "set"});
    EXPECT_EQ(rules.rule_count(), 3u);
    std::vector<YaraMatch> ours = scan(rules, data);
    ASSERT_EQ(ours.size(), 3u);
    EXPECT_EQ(ours[0].rule_namespace, "a.yara");
    EXPECT_EQ(ours[1].rule_namespace, "b.yar");
    EXPECT_EQ(ours[2].rule_namespace, "sub/c.yar");
    EXPECT_EQ(hits_of(ours), oracle({{"a.yara", dir / "set/a.yara"},
                                     {"b.yar", dir / "set/b.yar"},
                                     {"sub/c.yar", dir / "set/sub/c.yar"}},
                                    dir / "data.bin"));
}

TEST_F(Yara, SyntaxErrorNamesFileAndLine) {
    TempDir dir;
    write_file(dir / "good.yar", "rule good { condition: true }\n");
    write_file(dir / "bad.yar",
               "rule ok { condition: true }\n\nrule broken {\n  condition: )\n}\n");
    std::string msg = compile_error({dir / "good.yar", dir / "bad.yar"});
    EXPECT_EQ(msg.rfind(dir / "bad.yar" + ":4: ", 0), 0u) << msg;
    EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
    // The CLI agrees on the line.
    test::CommandResult cli = run("yara " + shell_quote(dir / "bad.yar") + " /dev/null");
    EXPECT_NE(cli.exit_code, 0);
    EXPECT_NE(cli.err.find("(4)"), std::string::npos) << cli.err;

    // An error inside an included file names that file.
    write_file(dir / "inc/top.yar", "include \"broken.yar\"\nrule top { condition: true }\n");
    write_file(dir / "inc/broken.yar",
               "rule a { condition: true }\nrule b { strings: $x = \"x\" }\n");
    msg = compile_error({dir / "inc/top.yar"});
    EXPECT_NE(msg.find("broken.yar:2: "), std::string::npos) << msg;

    // Semantic errors too (undefined identifier).
    write_file(dir / "undef.yar", "rule u {\n condition: no_such_thing\n}\n");
    msg = compile_error({dir / "undef.yar"});
    EXPECT_EQ(msg.rfind(dir / "undef.yar" + ":2: ", 0), 0u) << msg;
}

TEST_F(Yara, MissingPathsAndEmptyFolders) {
    TempDir dir;
    std::string missing = dir / "nope.yar";
    EXPECT_EQ(compile_error({missing}), missing + ": no such file or folder");
    fs::create_directories(dir / "empty/sub");
    write_file(dir / "empty/sub/readme.txt", "x");
    std::string msg = compile_error({dir / "empty"});
    EXPECT_EQ(msg.rfind(dir / "empty" + ": ", 0), 0u) << msg;
}

TEST_F(Yara, ExternalVariablesArePerScan) {
    TempDir dir;
    write_file(dir / "ext.yar", R"(
rule is_pdf { condition: extension == "pdf" }
rule named { condition: filename matches /^report/ and filepath contains "/Users/" }
rule typed { condition: filetype == "application/pdf" }
rule unnamed { condition: filename == "" }
)");
    std::string data = "%PDF-1.4 whatever";
    write_file(dir / "data.bin", data);
    YaraRules rules = YaraRules::compile({dir / "ext.yar"});
    YaraScanner scanner(rules);

    YaraTarget pdf{"report.pdf", "/Users/a/report.pdf", "pdf", "application/pdf"};
    std::vector<YaraMatch> ours = scanner.scan(bytes(data), pdf);
    EXPECT_EQ(hits_of(ours), oracle({{"ext", dir / "ext.yar"}}, dir / "data.bin", pdf));
    EXPECT_EQ(ours.size(), 3u);

    // The same scanner, next item: nothing of the previous item's values is left over.
    ours = scanner.scan(bytes(data), YaraTarget{});
    ASSERT_EQ(ours.size(), 1u);
    EXPECT_EQ(ours[0].rule, "unnamed");
    EXPECT_EQ(hits_of(ours), oracle({{"ext", dir / "ext.yar"}}, dir / "data.bin"));

    YaraTarget doc{"report.doc", "/Users/a/report.doc", "doc", "application/msword"};
    ours = scanner.scan(bytes(data), doc);
    ASSERT_EQ(ours.size(), 1u);
    EXPECT_EQ(ours[0].rule, "named");
}

TEST_F(Yara, TagsAndMeta) {
    TempDir dir;
    write_file(dir / "tm.yar", R"(
rule tagged : apt malware {
    meta:
        author = "Analyst"
        score = 75
        negative = -3
        active = true
        retired = false
    strings:
        $a = "evil"
    condition: $a
}
)");
    YaraRules rules = YaraRules::compile({dir / "tm.yar"});
    std::vector<YaraMatch> ours = scan(rules, "an evil thing");
    ASSERT_EQ(ours.size(), 1u);
    EXPECT_EQ(ours[0].tags, (std::vector<std::string>{"apt", "malware"}));
    using Meta = std::vector<std::pair<std::string, std::string>>;
    EXPECT_EQ(ours[0].meta, (Meta{{"author", "Analyst"},
                                  {"score", "75"},
                                  {"negative", "-3"},
                                  {"active", "true"},
                                  {"retired", "false"}}));
    ASSERT_EQ(ours[0].strings.size(), 1u);
    EXPECT_EQ(ours[0].strings[0].offset, 3u);
    EXPECT_EQ(ours[0].strings[0].length, 4u);

    // The CLI prints the same tags.
    write_file(dir / "data.bin", "an evil thing");
    test::CommandResult cli =
        run("yara -g " + shell_quote(dir / "tm.yar") + " " + shell_quote(dir / "data.bin"));
    EXPECT_NE(cli.out.find("tagged [apt,malware]"), std::string::npos) << cli.out;
}

TEST_F(Yara, PatternNearTheEndOfALargeBuffer) {
    TempDir dir;
    write_file(dir / "end.yar", R"(
rule at_end { strings: $m = "MARKER-AT-THE-END" condition: $m and filesize > 50MB - 1 }
)");
    std::string data(50u << 20, 'A');
    const size_t at = data.size() - 17;
    data.replace(at, 17, "MARKER-AT-THE-END");
    write_file(dir / "big.bin", data);
    YaraRules rules = YaraRules::compile({dir / "end.yar"});
    std::vector<YaraMatch> ours = scan(rules, data);
    ASSERT_EQ(ours.size(), 1u);
    ASSERT_EQ(ours[0].strings.size(), 1u);
    EXPECT_EQ(ours[0].strings[0].offset, at);
    EXPECT_EQ(hits_of(ours), oracle({{"end", dir / "end.yar"}}, dir / "big.bin"));

    // base_offset shifts reported offsets (data scanned as part of something larger).
    YaraScanner scanner(rules);
    ours = scanner.scan(bytes(data), {}, 1000);
    ASSERT_EQ(ours.size(), 1u);
    EXPECT_EQ(ours[0].strings[0].offset, at + 1000);
}

TEST_F(Yara, EmptyBufferAndFilesize) {
    TempDir dir;
    write_file(dir / "fs.yar", R"(
rule empty { condition: filesize == 0 }
rule small { condition: filesize > 0 and filesize < 10 }
rule exact { condition: filesize == 5 and uint8(4) == 0x6F }
)");
    YaraRules rules = YaraRules::compile({dir / "fs.yar"});
    YaraScanner scanner(rules);

    std::vector<YaraMatch> ours = scanner.scan({}, {});
    write_file(dir / "empty.bin", "");
    EXPECT_EQ(hits_of(ours), oracle({{"fs", dir / "fs.yar"}}, dir / "empty.bin"));
    ASSERT_EQ(ours.size(), 1u);
    EXPECT_EQ(ours[0].rule, "empty");

    ours = scanner.scan(bytes("hello"), {});
    write_file(dir / "hello.bin", "hello");
    EXPECT_EQ(hits_of(ours), oracle({{"fs", dir / "fs.yar"}}, dir / "hello.bin"));
    EXPECT_EQ(ours.size(), 2u);
}

TEST_F(Yara, PrivateRulesAreNotReportedAndGlobalRulesGateTheirNamespace) {
    TempDir dir;
    write_file(dir / "pg.yar", R"(
private rule helper { strings: $h = "help" condition: $h }
rule uses_helper { condition: helper }
)");
    write_file(dir / "gate/g.yar", R"(
global rule only_small { condition: filesize < 100 }
rule gated { strings: $a = "help" condition: $a }
)");
    YaraRules rules = YaraRules::compile({dir / "pg.yar", dir / "gate"});
    std::string data = "please help";
    write_file(dir / "data.bin", data);
    std::vector<YaraMatch> ours = scan(rules, data);
    Hits h = hits_of(ours);
    EXPECT_EQ(h, oracle({{"pg", dir / "pg.yar"}, {"g.yar", dir / "gate/g.yar"}}, dir / "data.bin"));
    EXPECT_FALSE(h.contains("pg:helper"));
    EXPECT_TRUE(h.contains("pg:uses_helper"));
    EXPECT_TRUE(h.contains("g.yar:gated"));

    std::string large(200, 'x');
    large += "help";
    h = hits_of(scan(rules, large));
    EXPECT_TRUE(h.contains("pg:uses_helper"));
    EXPECT_FALSE(h.contains("g.yar:gated"));
    EXPECT_FALSE(h.contains("g.yar:only_small"));
}

TEST_F(Yara, TimeoutThrows) {
    TempDir dir;
    write_file(dir / "slow.yar", R"(
rule slow {
    condition: for all i in (0..filesize) : (for all j in (0..filesize) : (uint8(i) == uint8(j)))
}
)");
    YaraRules rules = YaraRules::compile({dir / "slow.yar"});
    YaraScanner scanner(rules, 1);
    std::string data(100000, '\0');
    try {
        scanner.scan(bytes(data), YaraTarget{"zeros.bin", "/x/zeros.bin", "bin", ""});
        FAIL() << "no timeout";
    } catch (const Error& e) {
        EXPECT_EQ(std::string(e.what()), "/x/zeros.bin: YARA scan timed out after 1 s");
    }
    // The scanner is still usable afterwards.
    EXPECT_NO_THROW(scanner.scan(bytes("ab"), {}));
}

TEST_F(Yara, ScannersShareRulesAcrossThreadsAndMove) {
    TempDir dir;
    write_file(dir / "t.yar", "rule t { strings: $a = \"tick\" condition: #a == 3 }\n");
    YaraRules compiled = YaraRules::compile({dir / "t.yar"});
    YaraRules rules = std::move(compiled);  // moved rules keep working
    std::vector<std::thread> threads;
    std::vector<int> found(4, 0);
    for (size_t t = 0; t < found.size(); ++t) {
        threads.emplace_back([&rules, &found, t] {
            YaraScanner scanner(rules);
            YaraScanner moved = std::move(scanner);
            for (int i = 0; i < 50; ++i) {
                found[t] += static_cast<int>(moved.scan(bytes("tick tick tick"), {}).size());
            }
        });
    }
    for (std::thread& th : threads) th.join();
    for (int n : found) EXPECT_EQ(n, 50);
}

}  // namespace
}  // namespace dflab::engine
