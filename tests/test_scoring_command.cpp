// `dflab score` end to end through the binary, with an answer key written here.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>

#include "support/fixtures.hpp"

namespace dflab::test {
namespace {

using nlohmann::json;

constexpr const char* sha_v0 = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
constexpr const char* sha_v1 = "3608bca1e44ea6c4d268eb6db02260269892c0b42b86bbf1e77a6fa16c3c9282";

struct Lab {
    std::string dir = temp_dir();
    std::string key = dir + "/out/instructor";

    Lab() {
        std::filesystem::create_directories(key);
        json k = {
            {"format", "dflab-answer-key"},
            {"format_version", 1},
            {"pack", "intro"},
            {"pack_version", "1.0.0"},
            {"date_order", "DMY"},
            {"variants", {0, 1}},
            {"questions",
             {{{"id", "image-sha256"},
               {"type", "hash"},
               {"points", 10},
               {"answers", {{"0", {{"sha256", sha_v0}}}, {"1", {{"sha256", sha_v1}}}}},
               {"options", {{"algorithm", "sha256"}}}},
              {{"id", "created"},
               {"type", "timestamp"},
               {"points", 5},
               {"answers", {{"0", "2023-10-02T14:03:11Z"}, {"1", "2023-10-02T14:03:11Z"}}}},
              {{"id", "deleted"},
               {"type", "set"},
               {"points", 8},
               {"options", {{"element_type", "path"}}},
               {"answers", {{"0", {"/a.txt", "/b.txt", "/c.txt", "/d.txt"}}, {"1", {"/e.txt"}}}}},
              {{"id", "summary"},
               {"type", "free_text"},
               {"points", 4},
               {"answers", {{"0", nullptr}, {"1", nullptr}}},
               {"rubric", {{"en", "mentions the USB stick"}}}}}}};
        std::ofstream(key + "/answer-key.json") << k.dump(2);
    }

    std::string file(const std::string& name, const std::string& text) const {
        std::string path = dir + "/" + name;
        std::ofstream(path) << text;
        return path;
    }
};

TEST(ScoringCommand, ScoresOneParticipantAsJson) {
    Lab lab;
    std::string findings = lab.file("aida.yaml", std::string(R"(pack: intro
participant: Аида
team: blue
answers:
  image-sha256: )") + "0x" + std::string(sha_v0).substr(0, 32) +
                                                     " " + std::string(sha_v0).substr(32) + R"(
  created: 02.10.2023 17:03:11 +03:00
  deleted: 'C:\a.txt, /B.TXT, /x.txt'
  summary: The stick was plugged in at 14:00.
)");
    CommandResult r =
        dflab("score --key " + shell_quote(lab.key) + " " + shell_quote(findings) + " --json");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    json out = json::parse(r.out);
    ASSERT_TRUE(out.is_object());
    EXPECT_EQ(out["participant"], "Аида");
    EXPECT_EQ(out["max"], 27);
    std::map<std::string, json> q;
    for (const auto& item : out["questions"]) q[item["id"]] = item;
    EXPECT_EQ(q["image-sha256"]["verdict"], "correct");
    EXPECT_EQ(q["image-sha256"]["points"], 10);
    EXPECT_EQ(q["created"]["verdict"], "correct");
    // 2 right of 3 given, 4 expected: F = 4/7 of 8 points.
    EXPECT_EQ(q["deleted"]["verdict"], "partial");
    EXPECT_NEAR(q["deleted"]["points"].get<double>(), 8.0 * 4 / 7, 1e-6);
    EXPECT_EQ(q["summary"]["verdict"], "pending_review");
    EXPECT_NEAR(out["total"].get<double>(), 15 + 8.0 * 4 / 7, 1e-6);
    for (const auto& item : out["questions"]) {
        EXPECT_TRUE(item.contains("max_points"));
        EXPECT_TRUE(item["feedback"].is_string());
    }
}

TEST(ScoringCommand, SeveralFilesFlagSharingWithoutRevealingKeys) {
    Lab lab;
    std::string aida = lab.file("aida.json", std::string(R"({"pack": "intro",
        "participant": "Aida", "variant": 0, "answers": {"image-sha256": ")") +
                                                 sha_v0 + "\"}}");
    // Bolat has variant 1 but hands in variant 0's digest (Aida's).
    std::string bolat = lab.file("bolat.yaml", std::string("pack: intro\nparticipant: Bolat\n"
                                                           "variant: 1\nanswers:\n"
                                                           "  image-sha256: ") +
                                                   sha_v0 + "\n  created: 2023-10-02 14:03:11\n");
    CommandResult r = dflab("score --key " + shell_quote(lab.key) + " " + shell_quote(aida) + " " +
                            shell_quote(bolat) + " --json");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    json out = json::parse(r.out);
    ASSERT_TRUE(out.is_array());
    ASSERT_EQ(out.size(), 2u);
    EXPECT_EQ(out[0]["total"], 10);
    const json& b = out[1];
    EXPECT_EQ(b["participant"], "Bolat");
    EXPECT_EQ(b["total"], 0);
    const json& hash = b["questions"][0];
    EXPECT_EQ(hash["verdict"], "incorrect");
    EXPECT_EQ(hash["possible_sharing"], json({0}));
    EXPECT_EQ(hash["feedback"].get<std::string>().find(sha_v1), std::string::npos);
    const json& created = b["questions"][1];
    EXPECT_EQ(created["verdict"], "incorrect");  // no time zone
    EXPECT_NE(created["feedback"].get<std::string>().find("time zone"), std::string::npos);
    EXPECT_EQ(r.out.find(sha_v1), std::string::npos) << "variant 1's key leaked";

    CommandResult text = dflab("score --key " + shell_quote(lab.key + "/answer-key.json") + " " +
                               shell_quote(aida) + " " + shell_quote(bolat));
    ASSERT_EQ(text.exit_code, 0) << text.err;
    EXPECT_NE(text.out.find("Bolat"), std::string::npos);
    EXPECT_NE(text.out.find("possible sharing"), std::string::npos) << text.out;
    EXPECT_NE(text.out.find("10/27"), std::string::npos) << "Aida's total:\n" << text.out;
}

TEST(ScoringCommand, BadFindingsFailWithOneLineNamingTheFile) {
    Lab lab;
    std::string other = lab.file("other.yaml", "pack: advanced\nparticipant: X\nanswers: {}\n");
    CommandResult r = dflab("score --key " + shell_quote(lab.key) + " " + shell_quote(other));
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("other.yaml"), std::string::npos) << r.err;
    EXPECT_EQ(lines(r.err).size(), 1u) << r.err;
    std::string unknown =
        lab.file("unknown.yaml", "pack: intro\nparticipant: X\nanswers:\n  colour: red\n");
    r = dflab("score --key " + shell_quote(lab.key) + " " + shell_quote(unknown));
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("colour"), std::string::npos) << r.err;
    r = dflab("score --key " + shell_quote(lab.dir + "/nowhere") + " " + shell_quote(unknown));
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("nowhere"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace dflab::test
