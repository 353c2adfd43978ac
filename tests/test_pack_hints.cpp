// Hints of an exercise pack: their texts go to the instructor bundle (answer key, walkthrough),
// whence the lab portal shows each one to a participant after they unlock it; no participant
// bundle (the shared one nor one per variant) holds a hint text. grep is the oracle.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "tests/oracle.hpp"
#include "tests/support/fixtures.hpp"

namespace fs = std::filesystem;
using namespace dflab::test;

namespace {

const char* kPack = R"(id: hinted
version: 0.1.0
title: {en: A hinted note, ru: Заметка с подсказкой}
description: {en: A USB stick with one note., ru: Флешка с одной заметкой.}
languages: [en, ru]
images:
  - id: stick
    recipe: images/stick.yaml
    formats: [raw]
    fat_zone: UTC
questions: [questions/note-hash.yaml]
)";

const char* kRecipe = R"(name: stick
timezone: UTC
disk:
  size: 8MiB
  table: none
  partitions:
    - id: stick
      filesystem: fat16
actions:
  - at: 2024-11-13T18:10:02
    write: /note.txt
    id: note
    text: "meet at noon\n"
)";

// The hint texts: words found nowhere else in the pack, one in Cyrillic.
const std::string kHintEn = "HINT-MARKER-EN: the quartermaster keeps the note in the root";
const std::string kHintRu = "ПОДСКАЗКА-МАРКЕР: интендант хранит заметку в корне";

std::string question_yaml() {
    return "id: note-hash\n"
           "title: {en: Hash of the note, ru: Хеш заметки}\n"
           "text: {en: Give a hash of note.txt., ru: Укажите хеш файла note.txt.}\n"
           "points: 5\n"
           "type: hash\n"
           "options: {algorithm: any}\n"
           "hints:\n"
           "  - cost: 1\n"
           "    text:\n"
           "      en: \"" +
           kHintEn + "\"\n      ru: \"" + kHintRu +
           "\"\n"
           "walkthrough: {en: \"dflab hash stick.raw --path /note.txt\", ru: \"dflab hash "
           "stick.raw --path /note.txt\"}\n"
           "solution:\n"
           "  - image: stick\n"
           "  - find: {path: /note.txt}\n"
           "  - hash: all\n"
           "expect: {artifact: note, field: sha256}\n";
}

// The files under `dir` (recursively, binary ones too) that hold `text` byte for byte.
std::string files_holding(const fs::path& dir, const std::string& text) {
    return run("grep -rlF -e " + shell_quote(text) + " " + shell_quote(dir.string())).out;
}

}  // namespace

TEST(PackHints, HintTextsAreInTheInstructorBundleAndInNoParticipantBundle) {
    const fs::path pack = fs::path(temp_dir()) / "hinted";
    fs::create_directories(pack / "images");
    fs::create_directories(pack / "questions");
    write_file((pack / "pack.yaml").string(), kPack);
    write_file((pack / "images/stick.yaml").string(), kRecipe);
    write_file((pack / "questions/note-hash.yaml").string(), question_yaml());
    const fs::path out = fs::path(temp_dir()) / "out";
    auto r = dflab::test::dflab("pack build " + shell_quote(pack.string()) + " -o " +
                                shell_quote(out.string()) + " --variants 2 --per-variant");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    ASSERT_TRUE(fs::is_directory(out / "participant"));
    ASSERT_TRUE(fs::is_directory(out / "instructor"));
    size_t participant_bundles = 0;
    for (const auto& entry : fs::directory_iterator(out)) {
        if (entry.path().filename() == "instructor") continue;
        ++participant_bundles;
        for (const std::string& text :
             {kHintEn, kHintRu, std::string("quartermaster"), std::string("интендант")}) {
            EXPECT_EQ(files_holding(entry.path(), text), "")
                << entry.path() << " holds the hint text " << text;
        }
    }
    EXPECT_GE(participant_bundles, 2u);  // participant/ and participants/ (per variant)
    // The participant bundle does say that the question has a hint, and what it costs.
    EXPECT_NE(files_holding(out / "participant", "hints"), "");
    // The instructor bundle holds both texts: in the answer key (which the lab record and the
    // portal read) and in the walkthrough.
    for (const std::string& text : {kHintEn, kHintRu}) {
        const std::string files = files_holding(out / "instructor", text);
        EXPECT_NE(files.find("answer-key.json"), std::string::npos) << text << ": " << files;
        EXPECT_GE(lines(files).size(), 2u) << text << ": " << files;
    }
}
