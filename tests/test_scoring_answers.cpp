// Answer types: real examiner spellings against keys as `dflab pack build` writes them.
#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <regex>

#include "scoring/answer_key.hpp"
#include "scoring/grade.hpp"
#include "tests/support/fixtures.hpp"

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
    EXPECT_EQ(verdict(q, "2048"), Verdict::correct) << "bare numbers: bytes or sectors";
    EXPECT_EQ(verdict(question("offset", 1048576, {{"bare_number", "bytes"}}), "2048"),
              Verdict::incorrect);
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
    auto ntfs = question("inode", {{"address", "64-128-3"}, {"default_attribute", true}});
    EXPECT_EQ(verdict(ntfs, "64"), Verdict::correct) << "the entry of its default $DATA";
    EXPECT_EQ(verdict(ntfs, "64-128-3"), Verdict::correct);
    EXPECT_EQ(verdict(ntfs, "64-128-4"), Verdict::incorrect);
    EXPECT_EQ(verdict(ntfs, "65"), Verdict::incorrect);
    EXPECT_EQ(verdict(ntfs, "64-2"), Verdict::incorrect) << "no sequence in the key";
    auto seq = question("inode", {{"address", "64-128-3"}, {"default_attribute", true}},
                        {{"sequence", 2}});
    EXPECT_EQ(verdict(seq, "64-2"), Verdict::correct);
    EXPECT_EQ(verdict(seq, "64-3"), Verdict::incorrect);
    auto ext = question("inode", "12");
    EXPECT_EQ(verdict(ext, 12), Verdict::correct);
    EXPECT_EQ(verdict(ext, "inode 12"), Verdict::correct);
}

// The NTFS fixture's secret.txt has its unnamed $DATA and a named stream "hidden" (make.sh).
// fls says which addresses there are, icat which content each names; the bare entry reads what
// `icat IMAGE ENTRY` reads and nothing else.
TEST(ScoringInode, BareEntryIsRightOnlyForTheContentIcatReadsForIt) {
    const std::string image = test::shell_quote(test::fixture("ntfs.img"));
    auto fls = test::run("fls -r " + image);
    ASSERT_EQ(fls.exit_code, 0) << fls.err;
    std::smatch m;
    std::string unnamed, named;
    for (const auto& line : test::lines(fls.out)) {
        if (std::regex_search(line, m, std::regex(R"(^r/r (\d+-128-\d+):\tsecret\.txt$)")))
            unnamed = m[1];
        if (std::regex_search(line, m, std::regex(R"(^r/r (\d+-128-\d+):\tsecret\.txt:hidden$)")))
            named = m[1];
    }
    ASSERT_FALSE(unnamed.empty()) << fls.out;
    ASSERT_FALSE(named.empty()) << fls.out;
    const std::string entry = unnamed.substr(0, unnamed.find('-'));
    ASSERT_EQ(named.substr(0, named.find('-')), entry);
    auto icat = [&](const std::string& address) {
        auto r = test::run("icat " + image + " " + address);
        EXPECT_EQ(r.exit_code, 0) << address << ": " << r.err;
        return r.out;
    };
    const std::string entry_content = icat(entry);
    ASSERT_NE(icat(named), icat(unnamed));
    for (const std::string& address : {unnamed, named}) {
        const bool same = icat(address) == entry_content;  // the oracle
        const std::string other = address == unnamed ? named : unnamed;
        auto q = question("inode", {{"address", address}, {"default_attribute", same}});
        EXPECT_EQ(verdict(q, entry), same ? Verdict::correct : Verdict::incorrect) << address;
        EXPECT_EQ(verdict(q, "inode " + entry), same ? Verdict::correct : Verdict::incorrect);
        EXPECT_EQ(verdict(q, address), Verdict::correct);
        EXPECT_EQ(verdict(q, other), Verdict::incorrect) << other;
    }
    EXPECT_EQ(icat(named) == entry_content, false) << "the stream is not what the entry reads";
    // A key that does not say what the entry alone reads (a bare string, as keys were written
    // before) takes only the full address: the named stream's entry is no longer accepted.
    auto legacy = question("inode", named);
    EXPECT_EQ(verdict(legacy, entry), Verdict::incorrect);
    EXPECT_EQ(verdict(legacy, named), Verdict::correct);
}

TEST(ScoringInode, KeyObjectsAreCheckedWhenLoaded) {
    auto key = [](json answer) {
        return json{
            {"format", "dflab-answer-key"},
            {"format_version", 1},
            {"pack", "p"},
            {"questions",
             {{{"id", "q"}, {"type", "inode"}, {"points", 1}, {"answer", std::move(answer)}}}}};
    };
    EXPECT_NO_THROW(
        parse_answer_key(key({{"address", "72-128-4"}, {"default_attribute", false}}), "k.json"));
    for (const json& bad : {json{{"address", "72-128-4"}}, json{{"default_attribute", true}},
                            json{{"address", "72-128"}, {"default_attribute", true}},
                            json{{"address", "72-128-4"}, {"default_attribute", "yes"}}}) {
        std::string message = test::error_of([&] { parse_answer_key(key(bad), "k.json"); });
        EXPECT_NE(message.find("k.json: question q: variant 0: "), std::string::npos)
            << bad.dump() << " " << message;
    }
}

// What cannot be read is marked not understood, with feedback on how to write it; a wrong but
// readable answer is understood.
TEST(ScoringNotUnderstood, UnreadableAnswersSayHowToWriteThem) {
    auto when = question("timestamp", "2025-04-14T05:07:00Z");
    Grade no_zone = grade(when, "14.04.2025 10:07");
    EXPECT_FALSE(no_zone.understood);
    EXPECT_NE(no_zone.feedback.find("a time zone is needed (e.g. Z, UTC"), std::string::npos)
        << no_zone.feedback;
    auto choice = question("choice", "b");
    choice.choices = {"a", "b", "c"};
    Grade word = grade(choice, "banana");
    EXPECT_FALSE(word.understood);
    EXPECT_NE(word.feedback.find("not one of the choices (a, b, c)"), std::string::npos)
        << word.feedback;
    auto hash = question("hash", {{"md5", abc_md5}});
    Grade short_digest = grade(hash, "900150983cd24fb0");
    EXPECT_FALSE(short_digest.understood);
    EXPECT_NE(short_digest.feedback.find("MD5 (32)"), std::string::npos) << short_digest.feedback;
    Grade odd = grade(hash, "9001zz");
    EXPECT_FALSE(odd.understood);
    EXPECT_EQ(odd.verdict, Verdict::incorrect);
    EXPECT_EQ(odd.fraction, 0);
    // Wrong but understood.
    EXPECT_TRUE(grade(when, "2025-04-14T05:08:00Z").understood);
    EXPECT_TRUE(grade(choice, "a").understood);
    EXPECT_TRUE(grade(hash, "a9993e364706816aba3e25717850c26c9cd0d89d").understood);
    EXPECT_FALSE(grade(question("integer", 1), json{1, 2}).understood);
}

// The UTC moment of a local time, by GNU date (its own reading of the system's zone database).
std::string utc_by_date(const std::string& local_time, const std::string& zone) {
    auto r = test::run("date -u -d " + test::shell_quote("TZ=\"" + zone + "\" " + local_time) +
                       " +%Y-%m-%dT%H:%M:%SZ");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out.substr(0, r.out.find('\n'));
}

TEST(ScoringTimestamp, LocalTimesAsExaminersWriteThem) {
    const json zone_names = {
        {"Asia/Almaty", {"Алматы", "по Алматы", "Almaty", "ALMT", "Алматы уақыты"}}};
    const std::string moment = utc_by_date("2025-04-14 10:07", "Asia/Almaty");
    const std::string five = utc_by_date("2025-04-14 10:07", "Etc/GMT-5");  // POSIX sign: UTC+5
    ASSERT_EQ(moment, five) << "Almaty is UTC+5 in April 2025 (tzdata 2024a)";
    auto q = question("timestamp", moment, {{"zone_names", zone_names}});
    for (const char* written :
         {"14.04.2025 10:07 по Алматы", "14.04.2025 10:07 Алматы", "14.04.2025 10:07 ALMT",
          "14.04.2025 10:07 almaty", "14 апреля 2025 10:07 +05", "14 апреля 2025 г. в 10:07 Алматы",
          "14 апрель 2025 10:07 UTC+5", "Apr 14, 2025 10:07 UTC+5", "April 14 2025 10:07 GMT+5",
          "14 April 2025, 10:07 UTC+05:00", "14.04.2025 10:07 (UTC+5)",
          "2025 жылғы 14 сәуір 10:07 Алматы уақыты", "14 сәуір 2025 ж. 10:07 +05",
          "Apr 14, 2025 10:07 AM UTC+5", "14 апреля 2025 10:07 Asia/Almaty"}) {
        Grade g = grade(q, written);
        EXPECT_EQ(g.verdict, Verdict::correct) << written << ": " << g.feedback;
    }
    EXPECT_EQ(verdict(q, "14 апреля 2025 10:07 UTC"), Verdict::incorrect);
    EXPECT_EQ(verdict(q, "15 апреля 2025 10:07 по Алматы"), Verdict::incorrect);
    Grade unlisted = grade(question("timestamp", moment), "14.04.2025 10:07 по Алматы");
    EXPECT_FALSE(unlisted.understood) << "zone names only from the question's options";
    EXPECT_NE(unlisted.feedback.find("'по Алматы' is not understood"), std::string::npos)
        << unlisted.feedback;
    Grade no_date = grade(q, "10:07 по Алматы");
    EXPECT_FALSE(no_date.understood);
    EXPECT_NE(no_date.feedback.find("a date is needed"), std::string::npos) << no_date.feedback;
    EXPECT_FALSE(grade(q, "31 апреля 2025 10:07 +05").understood) << "no such date";
}

TEST(ScoringTimestamp, MonthNamesInEveryLanguageAndCase) {
    const std::array<std::array<const char*, 6>, 12> names{{
        {"Jan", "January", "января", "январь", "январе", "қаңтар"},
        {"Feb", "February", "февраля", "февраль", "феврале", "ақпан"},
        {"Mar", "March", "марта", "март", "марте", "наурыз"},
        {"Apr", "April", "апреля", "апрель", "апреле", "сәуір"},
        {"May", "May", "мая", "май", "мае", "мамыр"},
        {"Jun", "June", "июня", "июнь", "июне", "маусым"},
        {"Jul", "July", "июля", "июль", "июле", "шілде"},
        {"Aug", "August", "августа", "август", "августе", "тамыз"},
        {"Sep", "September", "сентября", "сентябрь", "сентябре", "қыркүйек"},
        {"Oct", "October", "октября", "октябрь", "октябре", "қазан"},
        {"Nov", "November", "ноября", "ноябрь", "ноябре", "қараша"},
        {"Dec", "December", "декабря", "декабрь", "декабре", "желтоқсан"},
    }};
    for (int m = 1; m <= 12; ++m) {
        char iso[32];
        std::snprintf(iso, sizeof iso, "2024-%02d-09 23:30", m);
        auto q = question("timestamp", utc_by_date(iso, "Etc/GMT-5"));
        for (const char* name : names[static_cast<size_t>(m - 1)]) {
            const std::string n = name;
            for (const std::string& written :
                 {"9 " + n + " 2024 23:30 UTC+5", n + " 9, 2024 23:30 UTC+5",
                  "2024 жылғы 9 " + n + " 23:30 UTC+5"}) {
                Grade g = grade(q, written);
                EXPECT_EQ(g.verdict, Verdict::correct) << written << ": " << g.feedback;
            }
        }
    }
    auto april = question("timestamp", "2024-04-09T18:30:00Z");
    EXPECT_EQ(verdict(april, "9 СӘУІРДЕ 2024 23:30 UTC+5"), Verdict::correct) << "case, ending";
    EXPECT_FALSE(grade(april, "9 апрелька 2024 23:30 UTC+5").understood);
}

// A bare number where bytes and sectors are both allowed: right when either reading is, and the
// feedback says which was taken. mmls says where the fixture's first partition starts.
TEST(ScoringOffset, BareNumberIsReadAsBytesOrSectors) {
    auto mmls = test::run("mmls " + test::shell_quote(test::fixture("mbr.img")));
    ASSERT_EQ(mmls.exit_code, 0) << mmls.err;
    std::smatch m;
    ASSERT_TRUE(std::regex_search(mmls.out, m, std::regex(R"(\n\d+:\s+000:000\s+0*(\d+))")))
        << mmls.out;
    const long long sector = std::stoll(m[1]);
    ASSERT_EQ(sector, 2048);
    const long long bytes = sector * 512;
    auto q = question("offset", bytes, {{"sector_size", 512}});
    Grade as_sectors = grade(q, std::to_string(sector));
    EXPECT_EQ(as_sectors.verdict, Verdict::correct) << as_sectors.feedback;
    EXPECT_NE(as_sectors.feedback.find("read as sectors of 512 bytes"), std::string::npos)
        << as_sectors.feedback;
    Grade as_bytes = grade(q, json(bytes));
    EXPECT_EQ(as_bytes.verdict, Verdict::correct);
    EXPECT_NE(as_bytes.feedback.find("read as bytes"), std::string::npos) << as_bytes.feedback;
    EXPECT_EQ(verdict(
                  q, "0x" +
                         [&] {
                             char hex[32];
                             std::snprintf(hex, sizeof hex, "%llx", bytes);
                             return std::string(hex);
                         }()),
              Verdict::correct);
    Grade neither = grade(q, "4096");
    EXPECT_EQ(neither.verdict, Verdict::incorrect);
    EXPECT_NE(neither.feedback.find("neither as bytes nor as sectors"), std::string::npos);
    EXPECT_EQ(verdict(q, std::to_string(sector) + " sectors"), Verdict::correct);
    EXPECT_EQ(verdict(q, std::to_string(sector) + " bytes"), Verdict::incorrect);
    auto bytes_only = question("offset", bytes, {{"bare_number", "bytes"}});
    EXPECT_EQ(verdict(bytes_only, std::to_string(sector)), Verdict::incorrect);
    EXPECT_EQ(verdict(bytes_only, std::to_string(sector) + " sectors"), Verdict::correct);
    auto sectors_only = question("offset", bytes, {{"bare_number", "sectors"}});
    EXPECT_EQ(verdict(sectors_only, std::to_string(sector)), Verdict::correct);
    EXPECT_EQ(verdict(sectors_only, std::to_string(bytes)), Verdict::incorrect);
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
