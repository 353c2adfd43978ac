// Answer types: real examiner spellings against keys as `dflab pack build` writes them.
#include <gtest/gtest.h>

#include <chrono>

#include "scoring/grade.hpp"

namespace dflab::scoring {
namespace {

using nlohmann::json;

constexpr const char* abc_sha256 =
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
constexpr const char* abc_md5 = "900150983cd24fb0d6963f7d28e17f72";

KeyQuestion question(std::string type, json answer, json options = json::object()) {
    KeyQuestion q;
    q.id = "q1";
    q.type = std::move(type);
    q.points = 10;
    q.options = std::move(options);
    q.answers[0] = std::move(answer);
    return q;
}

Grade grade(const KeyQuestion& q, const json& submitted, std::string_view order = "DMY") {
    return grade_answer(q, submitted, 0, order);
}

Verdict verdict(const KeyQuestion& q, const json& submitted, std::string_view order = "DMY") {
    return grade(q, submitted, order).verdict;
}

TEST(ScoringHash, UpperCaseSpacedAndPrefixedDigestsAreRight) {
    auto q =
        question("hash", {{"sha256", abc_sha256}, {"md5", abc_md5}}, {{"algorithm", "sha256"}});
    EXPECT_EQ(verdict(q, "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD"),
              Verdict::correct);
    EXPECT_EQ(verdict(q,
                      "0xba7816bf 8f01cfea 414140de 5dae2223 b00361a3 96177a9c b410ff61 "
                      "f20015ad"),
              Verdict::correct);
    EXPECT_EQ(verdict(q, std::string("SHA256: ") + abc_sha256), Verdict::correct);
    Grade g = grade(q, abc_sha256);
    EXPECT_NE(g.feedback.find("SHA-256"), std::string::npos) << g.feedback;
}

TEST(ScoringHash, AlgorithmOptionDecidesWhichDigestCounts) {
    auto only_sha256 =
        question("hash", {{"sha256", abc_sha256}, {"md5", abc_md5}}, {{"algorithm", "sha256"}});
    Grade g = grade(only_sha256, abc_md5);
    EXPECT_EQ(g.verdict, Verdict::incorrect);
    EXPECT_NE(g.feedback.find("MD5"), std::string::npos) << g.feedback;
    EXPECT_NE(g.feedback.find("SHA-256"), std::string::npos) << g.feedback;
    auto any = question("hash", {{"sha256", abc_sha256}, {"md5", abc_md5}});
    EXPECT_EQ(verdict(any, "900150983CD24FB0D6963F7D28E17F72"), Verdict::correct);
    EXPECT_EQ(verdict(any, "a9993e364706816aba3e25717850c26c9cd0d89d"), Verdict::incorrect)
        << "SHA-1 is not in this key";
}

TEST(ScoringHash, WrongOrMalformedDigestDoesNotRevealTheKey) {
    auto q = question("hash", {{"sha256", abc_sha256}});
    // sha256("xyz"): a real digest of the right length, of other data.
    Grade g = grade(q, "3608bca1e44ea6c4d268eb6db02260269892c0b42b86bbf1e77a6fa16c3c9282");
    EXPECT_EQ(g.verdict, Verdict::incorrect);
    EXPECT_EQ(g.feedback.find(abc_sha256), std::string::npos) << g.feedback;
    EXPECT_EQ(verdict(q, std::string(abc_sha256).substr(1)), Verdict::incorrect);  // 63 digits
    EXPECT_EQ(verdict(q, "not a hash"), Verdict::incorrect);
}

TEST(ScoringText, CyrillicAndKazakhLettersFoldCase) {
    auto q = question("text", "Иван Петров");
    EXPECT_EQ(verdict(q, "  ИВАН   петров \n"), Verdict::correct);
    auto kz = question("text", "Қазақстан Әділет");
    EXPECT_EQ(verdict(kz, "ҚАЗАҚСТАН әділет"), Verdict::correct);
    EXPECT_EQ(verdict(kz, "Казахстан Адилет"), Verdict::incorrect) << "other letters";
    auto latin = question("text", "Straße Élan");
    EXPECT_EQ(verdict(latin, "STRAßE ÉLAN"), Verdict::correct);
}

TEST(ScoringText, CaseSensitiveOption) {
    auto q = question("text", "Admin", {{"case_sensitive", true}});
    EXPECT_EQ(verdict(q, " Admin "), Verdict::correct);
    EXPECT_EQ(verdict(q, "admin"), Verdict::incorrect);
    Grade g = grade(q, "admin");
    EXPECT_EQ(g.feedback.find("Admin"), std::string::npos) << "the key leaks: " << g.feedback;
}

TEST(ScoringRegex, FullMatchCaseInsensitiveByDefault) {
    auto q = question("regex", R"(INV-\d{4})");
    EXPECT_EQ(verdict(q, "inv-2023"), Verdict::correct);
    EXPECT_EQ(verdict(q, "INV-20231"), Verdict::incorrect) << "must match in full";
    EXPECT_EQ(verdict(q, "see INV-2023"), Verdict::incorrect);
    auto ru = question("regex", "пароль\\s+\\d+");
    EXPECT_EQ(verdict(ru, "ПАРОЛЬ 42"), Verdict::correct);
}

TEST(ScoringRegex, CatastrophicPatternFailsPromptly) {
    auto q = question("regex", "(a+)+$");
    std::string input(30000, 'a');
    input += "b";
    auto start = std::chrono::steady_clock::now();
    Grade g = grade(q, input);
    auto elapsed = std::chrono::steady_clock::now() - start;
    EXPECT_EQ(g.verdict, Verdict::incorrect);
    EXPECT_LT(elapsed, std::chrono::seconds(5));
    EXPECT_NE(g.feedback.find("too long"), std::string::npos) << g.feedback;
}

TEST(ScoringChoice, IdsCaseInsensitiveAndUnknownChoicesRefused) {
    auto q = question("choice", "b");
    q.choices = {"a", "b", "c"};
    EXPECT_EQ(verdict(q, " B "), Verdict::correct);
    EXPECT_EQ(verdict(q, "a"), Verdict::incorrect);
    Grade g = grade(q, "z");
    EXPECT_EQ(g.verdict, Verdict::incorrect);
    EXPECT_NE(g.feedback.find("not one of the choices"), std::string::npos) << g.feedback;
}

TEST(ScoringInteger, GroupedHexAndWrongType) {
    auto q = question("integer", 4096);
    EXPECT_EQ(verdict(q, "4 096"), Verdict::correct);
    EXPECT_EQ(verdict(q, "4,096"), Verdict::correct);
    EXPECT_EQ(verdict(q, "0x1000"), Verdict::correct);
    EXPECT_EQ(verdict(q, 4096.0), Verdict::correct);
    EXPECT_EQ(verdict(q, "4097"), Verdict::incorrect);
    Grade g = grade(q, "abc");
    EXPECT_EQ(g.verdict, Verdict::incorrect);
    EXPECT_NE(g.feedback.find("whole number"), std::string::npos) << g.feedback;
    EXPECT_EQ(verdict(q, "40 96"), Verdict::incorrect) << "not a grouping of three";
}

TEST(ScoringSize, UnitsDecimalAndBinary) {
    auto q = question("size", 1572864);  // 1.5 * 1024 * 1024
    EXPECT_EQ(verdict(q, "1.5 MiB"), Verdict::correct);
    EXPECT_EQ(verdict(q, "1,5 МиБ"), Verdict::correct);
    EXPECT_EQ(verdict(q, "1 572 864 bytes"), Verdict::correct);
    EXPECT_EQ(verdict(q, "1536 KiB"), Verdict::correct);
    EXPECT_EQ(verdict(q, "1.5 MB"), Verdict::incorrect) << "1.5 MB is 1500000 bytes";
    auto kilo = question("size", 4000);
    EXPECT_EQ(verdict(kilo, "4 KB"), Verdict::correct);
    EXPECT_EQ(verdict(kilo, "4 KiB"), Verdict::incorrect);
    EXPECT_EQ(verdict(kilo, "4 096"), Verdict::incorrect);
    EXPECT_EQ(verdict(kilo, "4000 apples"), Verdict::incorrect);
}

TEST(ScoringOffset, SectorsAndHex) {
    auto q = question("offset", 1048576);  // partition at sector 2048
    EXPECT_EQ(verdict(q, "2048 sectors"), Verdict::correct);
    EXPECT_EQ(verdict(q, "sector 2048"), Verdict::correct);
    EXPECT_EQ(verdict(q, "0x100000"), Verdict::correct);
    EXPECT_EQ(verdict(q, "1048576"), Verdict::correct);
    EXPECT_EQ(verdict(q, "2048"), Verdict::incorrect) << "bare numbers are bytes";
    EXPECT_EQ(verdict(q, "LBA 2048"), Verdict::correct);
    EXPECT_EQ(verdict(q, "2048 секторов"), Verdict::correct);
    auto big = question("offset", 1048576, {{"sector_size", 4096}});
    EXPECT_EQ(verdict(big, "256 sectors"), Verdict::correct);
    EXPECT_EQ(verdict(big, "2048 sectors"), Verdict::incorrect);
}

TEST(ScoringTimestamp, OtherZonesAndSpellingsOfTheSameMoment) {
    auto q = question("timestamp", "2023-10-02T14:03:11Z");
    EXPECT_EQ(verdict(q, "2023-10-02T14:03:11Z"), Verdict::correct);
    EXPECT_EQ(verdict(q, "2023-10-02T17:03:11+03:00"), Verdict::correct);
    EXPECT_EQ(verdict(q, "2023-10-02 14:03:11 UTC"), Verdict::correct);
    EXPECT_EQ(verdict(q, "02.10.2023 17:03:11 +03:00"), Verdict::correct);
    // Almaty was UTC+6 in 2023, Moscow UTC+3.
    EXPECT_EQ(verdict(q, "02.10.2023 20:03:11 Asia/Almaty"), Verdict::correct);
    EXPECT_EQ(verdict(q, "2023-10-02 17:03:11 Europe/Moscow"), Verdict::correct);
    EXPECT_EQ(verdict(q, "1696255391"), Verdict::correct);  // date -u -d 2023-10-02T14:03:11Z +%s
    EXPECT_EQ(verdict(q, 1696255391), Verdict::correct);
    EXPECT_EQ(verdict(q, "2023-10-02T14:03:11.250Z"), Verdict::correct);
    EXPECT_EQ(verdict(q, "2023-10-02T14:03:11+03:00"), Verdict::incorrect);
    auto minutes = question("timestamp", "2023-10-02T14:03:00Z");
    EXPECT_EQ(verdict(minutes, "2023-10-02 14:03 UTC"), Verdict::correct);
    EXPECT_EQ(verdict(minutes, "2023-10-02 14:03 UTC+3"), Verdict::incorrect);
    EXPECT_EQ(verdict(minutes, "2023-10-02 17:03 UTC+3"), Verdict::correct);
}

TEST(ScoringTimestamp, DateOrderDecidesSlashDates) {
    auto q = question("timestamp", "2023-10-02T14:03:11Z");
    EXPECT_EQ(verdict(q, "10/02/2023 14:03:11 UTC", "MDY"), Verdict::correct);
    EXPECT_EQ(verdict(q, "10/02/2023 14:03:11 UTC", "DMY"), Verdict::incorrect) << "10 February";
    EXPECT_EQ(verdict(q, "02/10/2023 14:03:11 UTC", "DMY"), Verdict::correct);
    EXPECT_EQ(verdict(q, "10/02/2023 2:03:11 PM UTC", "MDY"), Verdict::correct);
    EXPECT_EQ(verdict(q, "31/02/2023 14:03:11 UTC", "DMY"), Verdict::incorrect);
}

TEST(ScoringTimestamp, ZoneRequiredUnlessAssumedAndTolerance) {
    auto q = question("timestamp", "2023-10-02T14:03:11Z");
    Grade g = grade(q, "2023-10-02 14:03:11");
    EXPECT_EQ(g.verdict, Verdict::incorrect);
    EXPECT_NE(g.feedback.find("time zone"), std::string::npos) << g.feedback;
    auto local = question("timestamp", "2023-10-02T14:03:11Z", {{"timezone", "Asia/Almaty"}});
    EXPECT_EQ(verdict(local, "2023-10-02 20:03:11"), Verdict::correct);
    EXPECT_EQ(verdict(local, "2023-10-02 14:03:11Z"), Verdict::correct) << "a zone given wins";
    auto tolerant = question("timestamp", "2023-10-02T14:03:11Z", {{"tolerance_seconds", 2}});
    EXPECT_EQ(verdict(tolerant, "2023-10-02T14:03:13Z"), Verdict::correct);
    EXPECT_EQ(verdict(tolerant, "2023-10-02T14:03:08Z"), Verdict::incorrect);
    EXPECT_EQ(verdict(q, "2023-10-02T14:03:13Z"), Verdict::incorrect);
    EXPECT_EQ(verdict(q, "2023-10-02 14:03:11 Mars/Olympus"), Verdict::incorrect);
}

TEST(ScoringPath, WindowsSpellingsAndPartitions) {
    auto q = question("path", "/Documents/report.docx", {{"partition", 2}});
    EXPECT_EQ(verdict(q, R"(C:\documents\REPORT.DOCX)"), Verdict::correct);
    EXPECT_EQ(verdict(q, "Documents//report.docx/"), Verdict::correct);
    EXPECT_EQ(verdict(q, "2:/Documents/report.docx"), Verdict::correct);
    EXPECT_EQ(verdict(q, "3:/Documents/report.docx"), Verdict::incorrect);
    EXPECT_EQ(verdict(q, "/Documents/report.doc"), Verdict::incorrect);
    auto ext = question("path", "/home/user/Notes.txt", {{"case_sensitive", true}});
    EXPECT_EQ(verdict(ext, "/home/user/notes.txt"), Verdict::incorrect);
    EXPECT_EQ(verdict(ext, "home/user/./Notes.txt"), Verdict::correct);
}

TEST(ScoringInode, TskAddressesAndSequence) {
    auto ntfs = question("inode", "64-128-3");
    EXPECT_EQ(verdict(ntfs, "64"), Verdict::correct) << "the entry of its default $DATA";
    EXPECT_EQ(verdict(ntfs, "64-128-3"), Verdict::correct);
    EXPECT_EQ(verdict(ntfs, "64-128-4"), Verdict::incorrect);
    EXPECT_EQ(verdict(ntfs, "65"), Verdict::incorrect);
    EXPECT_EQ(verdict(ntfs, "64-2"), Verdict::incorrect) << "no sequence in the key";
    auto seq = question("inode", "64-128-3", {{"sequence", 2}});
    EXPECT_EQ(verdict(seq, "64-2"), Verdict::correct);
    EXPECT_EQ(verdict(seq, "64-3"), Verdict::incorrect);
    auto ext = question("inode", "12");
    EXPECT_EQ(verdict(ext, 12), Verdict::correct);
    EXPECT_EQ(verdict(ext, "inode 12"), Verdict::correct);
}

TEST(ScoringSet, PartialCreditByPrecisionAndRecall) {
    json key = {"/a.txt", "/b.txt", "/c.txt", "/d.txt"};
    auto q = question("set", key, {{"element_type", "path"}});
    Grade all = grade(q, json{"/d.txt", "/c.txt", "/B.TXT", "a.txt"});
    EXPECT_EQ(all.verdict, Verdict::correct);
    // 2 right of 3 given: precision 2/3, recall 2/4; F = 2*(2/3)*(1/2) / (2/3 + 1/2) = 4/7.
    Grade some = grade(q, "/a.txt, /b.txt, /x.txt");
    EXPECT_EQ(some.verdict, Verdict::partial);
    EXPECT_NEAR(some.fraction, 4.0 / 7.0, 1e-9);
    auto penalised = question("set", key, {{"element_type", "path"}, {"wrong_item_penalty", 0.1}});
    // The same answer, one wrong item: 4/7 - 0.1.
    EXPECT_NEAR(grade(penalised, "/a.txt\n/b.txt\n/x.txt").fraction, 4.0 / 7.0 - 0.1, 1e-9);
    // 1 right of 4 given, 3 wrong: precision 1/4, recall 1/4, F = 1/4; 1/4 - 3*0.1 < 0 -> 0.
    Grade clamped = grade(penalised, json{"/a.txt", "/x", "/y", "/z"});
    EXPECT_EQ(clamped.fraction, 0);
    EXPECT_EQ(clamped.verdict, Verdict::incorrect);
    // Repeated items count once: 1 right of 1 given, recall 1/4, F = 2*(1/4)/(5/4) = 2/5.
    EXPECT_NEAR(grade(q, json{"/a.txt", "/a.txt"}).fraction, 0.4, 1e-9);
}

TEST(ScoringSet, ElementsOfOtherTypes) {
    auto q = question("set", json{"2023-10-02T14:03:11Z", "2023-10-03T00:00:00Z"},
                      {{"element_type", "timestamp"}, {"element_options", {{"timezone", "UTC"}}}});
    EXPECT_EQ(verdict(q, json{"2023-10-03 03:00:00 +03:00", "02.10.2023 14:03:11"}),
              Verdict::correct);
    auto hashes = question("set", json{{{"md5", abc_md5}}}, {{"element_type", "hash"}});
    EXPECT_EQ(verdict(hashes, "900150983CD24FB0D6963F7D28E17F72"), Verdict::correct);
}

TEST(ScoringFreeText, AlwaysPendingReview) {
    auto q = question("free_text", nullptr);
    Grade g = grade(q, "The USB stick was plugged in after the meeting.");
    EXPECT_EQ(g.verdict, Verdict::pending_review);
    EXPECT_EQ(g.fraction, 0);
}

TEST(ScoringBadSubmissions, RefusedWithFeedbackNotCrashes) {
    auto q = question("text", "answer");
    Grade huge = grade(q, std::string(70 * 1024, 'a'));
    EXPECT_EQ(huge.verdict, Verdict::incorrect);
    EXPECT_NE(huge.feedback.find("64 KiB"), std::string::npos) << huge.feedback;
    Grade nul = grade(q, std::string("ans\0wer", 7));
    EXPECT_EQ(nul.verdict, Verdict::incorrect);
    EXPECT_NE(nul.feedback.find("binary"), std::string::npos) << nul.feedback;
    EXPECT_EQ(verdict(q, "\xff\xfe\x41"), Verdict::incorrect);
    EXPECT_EQ(verdict(q, nullptr), Verdict::incorrect);
    EXPECT_EQ(verdict(q, "   "), Verdict::incorrect);
    EXPECT_EQ(verdict(q, json{"answer", "other"}), Verdict::incorrect);
    EXPECT_EQ(verdict(q, json{"answer"}), Verdict::correct) << "a one-item list is its item";
    EXPECT_EQ(verdict(q, json{{"answer", 1}}), Verdict::incorrect);  // an object
    auto ts = question("timestamp", "2023-10-02T14:03:11Z");
    EXPECT_EQ(verdict(ts, std::string(5000, '9')), Verdict::incorrect);
}

TEST(ScoringBadSubmissions, OddInputsToEveryTypeAreGradedNotThrown) {
    std::vector<std::pair<KeyQuestion, std::string>> questions{
        {question("text", "x"), "text"},
        {question("regex", "a+"), "regex"},
        {question("choice", "a"), "choice"},
        {question("hash", {{"md5", abc_md5}}), "hash"},
        {question("integer", 1), "integer"},
        {question("size", 1), "size"},
        {question("offset", 1), "offset"},
        {question("timestamp", "2023-10-02T14:03:11Z"), "timestamp"},
        {question("path", "/a"), "path"},
        {question("inode", "12"), "inode"},
        {question("set", json{1}, {{"element_type", "integer"}}), "set"},
        {question("free_text", nullptr), "free_text"},
    };
    std::vector<json> inputs{"",
                             "-",
                             ".",
                             ":",
                             "0x",
                             "0x-1",
                             "1..5 MiB",
                             std::string(400, '9') + ".5 MiB",
                             std::string(30, '9'),
                             "99999999999999999999999",
                             "9999999999999",
                             "-99999999999",
                             "9999-99-99 99:99:99 +99:99",
                             "0000-01-01 00:00:00Z",
                             "29.02.2023 10:00:00 UTC",
                             "2023-10-02 25:00:00 UTC",
                             "2023/10/02 14:03 (Asia/Almaty)",
                             "sector -5",
                             "5 sectors s",
                             "1-2-3-4",
                             "C:",
                             "\\",
                             "2:",
                             "99999:/a",
                             "#",
                             "inode",
                             "\t\n",
                             "ʼ",
                             "€€€",
                             1e300,
                             -1,
                             1.5,
                             true,
                             json::array(),
                             json{json::array()},
                             json{nullptr},
                             json::object()};
    for (const auto& [q, name] : questions) {
        for (const auto& input : inputs) {
            Grade g;
            EXPECT_NO_THROW(g = grade(q, input)) << name << " " << input.dump();
            EXPECT_GE(g.fraction, 0);
            EXPECT_LE(g.fraction, 1);
            EXPECT_FALSE(g.feedback.empty()) << name << " " << input.dump();
            EXPECT_NO_THROW(matching_other_variants(q, input, 0, "DMY"));
        }
    }
}

TEST(ScoringVariants, AnswersOfOtherVariantsAreFlagged) {
    auto q = question("integer", 10);
    q.answers[1] = 20;
    q.answers[2] = 20;
    EXPECT_EQ(matching_other_variants(q, "20", 0, "DMY"), (std::vector<int>{1, 2}));
    EXPECT_TRUE(matching_other_variants(q, "10", 0, "DMY").empty()) << "right for its own";
    EXPECT_TRUE(matching_other_variants(q, "30", 0, "DMY").empty());
    EXPECT_EQ(matching_other_variants(q, "10", 1, "DMY"), (std::vector<int>{0}));
    EXPECT_EQ(grade_answer(q, "20", 1, "DMY").verdict, Verdict::correct);
}

TEST(ScoringVerdict, Names) {
    EXPECT_EQ(to_string(Verdict::correct), "correct");
    EXPECT_EQ(to_string(Verdict::partial), "partial");
    EXPECT_EQ(to_string(Verdict::incorrect), "incorrect");
    EXPECT_EQ(to_string(Verdict::pending_review), "pending_review");
}

}  // namespace
}  // namespace dflab::scoring
