// Findings files: YAML and JSON, and the errors an instructor sees for malformed ones.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "scoring/findings.hpp"
#include "support/fixtures.hpp"

namespace dflab::scoring {
namespace {

using nlohmann::json;

std::string write(const std::string& name, const std::string& text) {
    std::string path = test::temp_dir() + "/" + name;
    std::ofstream(path) << text;
    return path;
}

const char* const kKeyJson = R"({
      "format": "dflab-answer-key", "format_version": 1, "pack": "intro", "variants": [0, 1],
      "questions": [
        {"id": "sectors", "type": "integer", "points": 5, "answers": {"0": 2048, "1": 4096}},
        {"id": "files", "type": "set", "points": 5, "options": {"element_type": "path"},
         "answers": {"0": ["/a"], "1": ["/b"]}}]})";

AnswerKey key() {
    return parse_answer_key(json::parse(kKeyJson), "key.json");
}

TEST(ScoringFindings, YamlWithCyrillicNamesListsAndNumbers) {
    std::string path = write("aida.yaml", R"(pack: intro
participant: Аида Нурланова
team: blue
variant: 1
answers:
  sectors: 4 096
  files:
    - /b
    - '/c'
)");
    Findings f = load_findings(path);
    EXPECT_EQ(f.pack, "intro");
    EXPECT_EQ(f.participant, "Аида Нурланова");
    EXPECT_EQ(f.team, "blue");
    EXPECT_EQ(f.variant, 1);
    ASSERT_NE(f.answer("sectors"), nullptr);
    EXPECT_EQ(*f.answer("sectors"), json("4 096"));
    EXPECT_EQ(*f.answer("files"), (json{"/b", "/c"}));
    EXPECT_EQ(f.answer("other"), nullptr);
    ASSERT_EQ(f.answers.size(), 2u);
    EXPECT_EQ(f.answers[0].first, "sectors") << "the file's order";
    check_findings(f, key());  // no throw
}

TEST(ScoringFindings, JsonAndDefaultVariant) {
    std::string path = write("bob.json", R"({"pack": "intro", "participant": "Bob",
        "answers": {"sectors": 2048, "files": "/a, /b"}})");
    Findings f = load_findings(path);
    EXPECT_EQ(f.variant, 0);
    EXPECT_TRUE(f.team.empty());
    EXPECT_EQ(*f.answer("sectors"), json(2048));
}

TEST(ScoringFindings, YamlSyntaxErrorHasLineAndColumn) {
    std::string path = write("broken.yaml", "pack: intro\nparticipant: [unclosed\nanswers: {}\n");
    std::string e = test::error_of([&] { load_findings(path); });
    EXPECT_NE(e.find(path + ":"), std::string::npos) << e;
    // The error is somewhere after line 1; the exact position is yaml-cpp's.
    EXPECT_NE(e.find_first_of("23456789", path.size()), std::string::npos) << e;
    EXPECT_EQ(e.find('\n'), std::string::npos) << e;
}

TEST(ScoringFindings, MalformedFilesNameTheFile) {
    auto error_for = [](const std::string& name, const std::string& text) {
        std::string path = write(name, text);
        std::string e = test::error_of([&] { load_findings(path); });
        EXPECT_NE(e.find(name), std::string::npos) << e;
        return e;
    };
    EXPECT_NE(error_for("a.json", "{\"pack\": \"intro\",,}").find("JSON"), std::string::npos);
    EXPECT_NE(error_for("b.yaml", "pack: intro\nanswers: {}\n").find("participant"),
              std::string::npos);
    EXPECT_NE(error_for("c.yaml", "pack: intro\nparticipant: x\n").find("answers"),
              std::string::npos);
    EXPECT_NE(error_for("d.yaml", "pack: intro\nparticipant: x\nvariant: two\nanswers: {}\n")
                  .find("variant"),
              std::string::npos);
    EXPECT_NE(error_for("e.yaml", "- just\n- a list\n").find("mapping"), std::string::npos);
    EXPECT_NE(
        error_for("f.yaml", "pack: intro\nparticipant: x\nanswers: {}\nscore: 100\n").find("score"),
        std::string::npos);
    EXPECT_NE(test::error_of([] { load_findings("/nonexistent/findings.yaml"); }), "");
}

// Hostile findings files (issue 15): each is refused with one line naming the file and the limit,
// before anything deep, huge or ambiguous is built.
TEST(ScoringFindings, HostileFilesAreRefusedWithTheLimitNamed) {
    const std::string head = "{\"pack\": \"intro\", \"participant\": \"p1\", \"answers\": ";
    const std::string deep_json =
        write("deep.json",
              head + "{\"sectors\": " + std::string(50000, '[') + std::string(50000, ']') + "}}");
    std::string e = test::error_of([&] { load_findings(deep_json); });
    EXPECT_NE(e.find("deep.json: nested more than 64 levels deep"), std::string::npos) << e;
    const std::string deep_yaml =
        write("deep.yaml", "pack: intro\nparticipant: p1\nanswers:\n  sectors: " +
                               std::string(50000, '[') + std::string(50000, ']') + "\n");
    e = test::error_of([&] { load_findings(deep_yaml); });
    EXPECT_NE(e.find("deep.yaml:"), std::string::npos) << e;
    // A billion laughs: nine levels of ten aliases each would be 10^9 values.
    std::string bomb = "pack: intro\nparticipant: p1\na0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
    for (int i = 1; i < 9; ++i) {
        const std::string prev = "*a" + std::to_string(i - 1);
        bomb += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [";
        for (int k = 0; k < 10; ++k) bomb += (k ? ", " : "") + prev;
        bomb += "]\n";
    }
    bomb += "answers:\n  files: *a8\n";
    e = test::error_of([&] { load_findings(write("bomb.yaml", bomb)); });
    EXPECT_NE(e.find("more than 100000 values (aliases expanded)"), std::string::npos) << e;
    // A key given twice is ambiguous, in JSON and in YAML.
    e = test::error_of([&] {
        load_findings(write("twice.json", head + "{\"sectors\": 2048, \"sectors\": 4096}}"));
    });
    EXPECT_NE(e.find("twice.json: 'sectors' appears twice"), std::string::npos) << e;
    e = test::error_of([&] {
        load_findings(write("twice.yaml",
                            "pack: intro\nparticipant: p1\nanswers:\n  sectors: 2048\n  "
                            "sectors: 4096\n"));
    });
    EXPECT_NE(e.find("twice.yaml:5:3: 'sectors' appears twice"), std::string::npos) << e;
    // A link to a device is not a file to read (and it exists: not "no such file").
    const std::string link = test::temp_dir() + "/zero.yaml";
    std::filesystem::create_symlink("/dev/zero", link);
    e = test::error_of([&] { load_findings(link); });
    EXPECT_NE(e.find("zero.yaml: not a regular file"), std::string::npos) << e;
    // What the trial run saw crash: dflab score on the deep file exits 1 with one line.
    auto r = test::dflab("score --key " + test::shell_quote(write("key.json", kKeyJson)) + " " +
                         test::shell_quote(deep_json));
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_NE(r.err.find("nested more than 64 levels deep"), std::string::npos) << r.err;
}

TEST(ScoringFindings, CheckedAgainstTheKey) {
    auto error_for = [](const std::string& text) {
        std::string path = write("p.yaml", text);
        Findings f = load_findings(path);
        std::string e = test::error_of([&] { check_findings(f, key()); });
        EXPECT_NE(e.find("p.yaml"), std::string::npos) << e;
        return e;
    };
    EXPECT_NE(error_for("pack: other\nparticipant: x\nanswers: {}\n").find("other"),
              std::string::npos);
    EXPECT_NE(error_for("pack: intro\nparticipant: x\nanswers: {sector: 1}\n").find("sector"),
              std::string::npos);
    EXPECT_NE(error_for("pack: intro\nparticipant: x\nvariant: 7\nanswers: {}\n").find("7"),
              std::string::npos);
}

}  // namespace
}  // namespace dflab::scoring
