// Findings files: YAML and JSON, and the errors an instructor sees for malformed ones.
#include <gtest/gtest.h>

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

AnswerKey key() {
    return parse_answer_key(json::parse(R"({
      "format": "dflab-answer-key", "format_version": 1, "pack": "intro", "variants": [0, 1],
      "questions": [
        {"id": "sectors", "type": "integer", "points": 5, "answers": {"0": 2048, "1": 4096}},
        {"id": "files", "type": "set", "points": 5, "options": {"element_type": "path"},
         "answers": {"0": ["/a"], "1": ["/b"]}}]})"),
                            "key.json");
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
