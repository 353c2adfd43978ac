// Grading without the forensic engine: this program links dflab_scoring and dflab_common only (no
// dflab_engine, so no libtsk, libyara or libewf; see tests/CMakeLists.txt). If scoring/ used
// anything of engine/, it would not link. It grades answers (hash; timestamp, through the time
// zone database) and writes a lab record (SQLite), the three things grading needs.
#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "common/error.hpp"
#include "scoring/answer_key.hpp"
#include "scoring/grade.hpp"
#include "scoring/lab_record.hpp"

namespace dflab::scoring {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// SHA-256 and MD5 of "abc": the test vectors of FIPS 180-2 (appendix B.1) and RFC 1321 (A.5).
constexpr const char* kAbcSha256 =
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
constexpr const char* kAbcMd5 = "900150983cd24fb0d6963f7d28e17f72";

const char* const kKeyJson = R"({
      "format": "dflab-answer-key", "format_version": 1, "pack": "intro", "variants": [0],
      "questions": [
        {"id": "digest", "type": "hash", "points": 10, "options": {"algorithm": "sha256"},
         "answers": {"0": {"sha256": "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
                           "md5": "900150983cd24fb0d6963f7d28e17f72"}}},
        {"id": "when", "type": "timestamp", "points": 5,
         "answers": {"0": "2023-10-02T14:03:11Z"}}]})";

AnswerKey key() {
    return parse_answer_key(json::parse(kKeyJson), "key.json");
}

TEST(ScoringStandalone, GradesAHashAnswer) {
    AnswerKey k = key();
    const KeyQuestion* q = k.find("digest");
    ASSERT_NE(q, nullptr);
    std::string upper = kAbcSha256;
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    EXPECT_EQ(grade_answer(*q, upper, 0, k.date_order).verdict, Verdict::correct);
    EXPECT_EQ(grade_answer(*q, kAbcMd5, 0, k.date_order).verdict, Verdict::incorrect);
    EXPECT_EQ(grade_answer(*q, std::string(64, '0'), 0, k.date_order).verdict, Verdict::incorrect);
}

TEST(ScoringStandalone, GradesATimestampInANamedZone) {
    AnswerKey k = key();
    const KeyQuestion* q = k.find("when");
    ASSERT_NE(q, nullptr);
    // Asia/Almaty was UTC+6 in 2023 (IANA tz database); 1696255391 is
    // `date -u -d 2023-10-02T14:03:11Z +%s`.
    EXPECT_EQ(grade_answer(*q, "2023-10-02 20:03:11 Asia/Almaty", 0, k.date_order).verdict,
              Verdict::correct);
    EXPECT_EQ(grade_answer(*q, 1696255391, 0, k.date_order).verdict, Verdict::correct);
    EXPECT_EQ(grade_answer(*q, "2023-10-02 14:03:11 Asia/Almaty", 0, k.date_order).verdict,
              Verdict::incorrect);
}

TEST(ScoringStandalone, WritesALabRecordThatIsAnSqliteFile) {
    std::string templ = (fs::temp_directory_path() / "dflab-standalone-XXXXXX").string();
    ASSERT_NE(::mkdtemp(templ.data()), nullptr);
    const fs::path dir = templ;
    const fs::path record = dir / "lab.sqlite";
    LabRecord::create(record, "intro", "1.0.0", kKeyJson, "2026-11-28T08:00:00Z");
    {
        LabRecord opened(record);
        LabInfo info = opened.info();
        EXPECT_EQ(info.pack, "intro");
        EXPECT_EQ(info.pack_version, "1.0.0");
    }
    // The file format (sqlite.org/fileformat.html): "SQLite format 3\0" at byte 0, the
    // application id big-endian at byte 68 ("dflb" for a lab record).
    std::ifstream in(record, std::ios::binary);
    std::array<char, 72> header{};
    in.read(header.data(), header.size());
    ASSERT_EQ(in.gcount(), 72);
    EXPECT_EQ(std::string(header.data(), 16), std::string("SQLite format 3\0", 16));
    EXPECT_EQ(std::string(header.data() + 68, 4), "dflb");
    EXPECT_THROW({ LabRecord missing(dir / "missing.sqlite"); }, common::Error);
    fs::remove_all(dir);
}

}  // namespace
}  // namespace dflab::scoring
