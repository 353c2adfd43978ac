// Content generation: every type checked by an independent tool (file, python3, djpeg, pdftotext,
// pdfinfo, qpdf, unzip, sqlite3), reproducibility (same inputs, same bytes) and the errors.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "engine/error.hpp"
#include "images/content_generator.hpp"
#include "tests/support/fixtures.hpp"

namespace dflab::images {
namespace {

namespace fs = std::filesystem;
using dflab::test::error_of;
using dflab::test::run;
using dflab::test::shell_quote;

constexpr int64_t kTime = 1700000000;  // 2023-11-14 22:13:20 UTC

std::string str(const std::vector<std::byte>& bytes) {
    return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

bool tool_available(const std::string& name) {
    return run("command -v " + name).exit_code == 0;
}

GeneratedContent gen(std::string type, std::map<std::string, std::string> options = {}) {
    GeneratedContent g;
    g.type = std::move(type);
    g.options = std::move(options);
    return g;
}

class ContentGenerator : public ::testing::Test {
  protected:
    void SetUp() override { dir_ = dflab::test::temp_dir(); }
    void TearDown() override { fs::remove_all(dir_); }

    // Writes bytes to a file in this test's folder and returns its path.
    std::string save(const std::string& name, const std::vector<std::byte>& bytes) {
        std::string path = dir_ + "/" + name;
        std::ofstream out(path, std::ios::binary);
        out.write(reinterpret_cast<const char*>(bytes.data()),
                  static_cast<std::streamsize>(bytes.size()));
        return path;
    }

    std::string mime(const std::string& path) {
        auto r = run("file -b --mime-type " + shell_quote(path));
        EXPECT_EQ(r.exit_code, 0) << r.err;
        return r.out.substr(0, r.out.find('\n'));
    }

    // Runs python3 with a script and arguments; returns stdout, failing the test on error.
    std::string python(const std::string& script, const std::string& args) {
        std::string path = dir_ + "/check.py";
        std::ofstream(path) << script;
        auto r = run("python3 " + shell_quote(path) + " " + args);
        EXPECT_EQ(r.exit_code, 0) << r.err;
        return r.out;
    }

    GenerationContext context_{42, "/Users/alice/file", kTime};
    std::string dir_;
};

TEST_F(ContentGenerator, TextIsItsUtf8Bytes) {
    const std::string text = "Қазақстан, Привет, hello\n";
    EXPECT_EQ(str(generate_content(TextContent{text}, context_)), text);
    EXPECT_TRUE(generate_content(TextContent{""}, context_).empty());
}

TEST_F(ContentGenerator, Base64DecodesAndRejectsInvalidInput) {
    EXPECT_EQ(str(generate_content(Base64Content{"SGVsbG8="}, context_)), "Hello");
    EXPECT_EQ(str(generate_content(Base64Content{"SGVs\nbG8h\n"}, context_)),
              "Hell"
              "o!");
    EXPECT_EQ(str(generate_content(Base64Content{"AA=="}, context_)), std::string(1, '\0'));
    EXPECT_TRUE(generate_content(Base64Content{""}, context_).empty());
    for (const char* bad : {"SGVsbG8", "SGV$bG8=", "S=Vs", "SGVsbG8=AAAA", "AA=A"}) {
        const auto message = error_of([&] { generate_content(Base64Content{bad}, context_); });
        EXPECT_NE(message.find("invalid base64"), std::string::npos) << bad << ": " << message;
    }
}

TEST_F(ContentGenerator, AssetIsReadAsIs) {
    std::vector<std::byte> data;
    for (int i = 0; i < 1000; ++i) data.push_back(std::byte(i * 7 & 0xff));
    const auto path = save("asset.bin", data);
    EXPECT_EQ(generate_content(AssetContent{path}, context_), data);
    const auto message =
        error_of([&] { generate_content(AssetContent{dir_ + "/missing.bin"}, context_); });
    EXPECT_NE(message.find("missing.bin"), std::string::npos) << message;
}

TEST_F(ContentGenerator, RandomIsSeededXoshiroAndDependsOnSeedAndPurpose) {
    const auto a = generate_content(RandomContent{1000}, context_);
    ASSERT_EQ(a.size(), 1000u);
    EXPECT_EQ(a, generate_content(RandomContent{1000}, context_));
    auto other_purpose = context_;
    other_purpose.purpose = "/Users/alice/other";
    EXPECT_NE(a, generate_content(RandomContent{1000}, other_purpose));
    auto other_seed = context_;
    other_seed.seed = 43;
    EXPECT_NE(a, generate_content(RandomContent{1000}, other_seed));
    auto other_time = context_;
    other_time.time = 0;
    EXPECT_EQ(a, generate_content(RandomContent{1000}, other_time));
    EXPECT_TRUE(generate_content(RandomContent{0}, context_).empty());
    // Oracle: the published xoshiro256** and SHA-256 seeding, written again in Python.
    const std::string script = R"(import hashlib, struct, sys
seed, purpose, n = int(sys.argv[1]), sys.argv[2].encode(), int(sys.argv[3])
d = hashlib.sha256(b"dflab-content-v1\0" + struct.pack("<Q", seed) + purpose + b"\0random").digest()
s = list(struct.unpack("<4Q", d)); M = 2**64 - 1
rotl = lambda x, k: ((x << k) | (x >> (64 - k))) & M
out = b""
while len(out) < n:
    r = (rotl((s[1] * 5) & M, 7) * 9) & M; t = (s[1] << 17) & M
    s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3]; s[2] ^= t; s[3] = rotl(s[3], 45)
    out += struct.pack("<Q", r)
sys.stdout.write(out[:n].hex())
)";
    std::string hex;
    for (auto b : a) {
        static const char digits[] = "0123456789abcdef";
        hex += digits[std::to_integer<int>(b) >> 4];
        hex += digits[std::to_integer<int>(b) & 15];
    }
    EXPECT_EQ(python(script, "42 " + shell_quote(context_.purpose) + " 1000"), hex);
}

TEST_F(ContentGenerator, PngDecodesWithPythonZlib) {
    const auto g = gen("png", {{"width", "37"}, {"height", "21"}, {"comment", "Camera 1"}});
    const auto png = generate_content(g, context_);
    EXPECT_EQ(png, generate_content(g, context_));
    auto other = context_;
    other.purpose = "/Users/alice/other.png";
    EXPECT_NE(png, generate_content(g, other));
    const auto path = save("a.png", png);
    EXPECT_EQ(mime(path), "image/png");
    const std::string script = R"(import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n"
pos, idat, chunks = 8, b"", []
while pos < len(data):
    n, kind = struct.unpack(">I4s", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    assert struct.unpack(">I", data[pos + 8 + n:pos + 12 + n])[0] == zlib.crc32(kind + body)
    chunks.append(kind.decode())
    if kind == b"IHDR": w, h, depth, colour = struct.unpack(">IIBB", body[:10])
    if kind == b"IDAT": idat += body
    if kind == b"tEXt": text = body
    pos += 12 + n
raw = zlib.decompress(idat)
assert len(raw) == h * (w * 3 + 1) and all(raw[y * (w * 3 + 1)] == 0 for y in range(h))
print(w, h, depth, colour, ",".join(chunks), text.split(b"\0")[1].decode())
)";
    EXPECT_EQ(python(script, shell_quote(path)), "37 21 8 2 IHDR,tEXt,IDAT,IEND Camera 1\n");
}

TEST_F(ContentGenerator, JpegDecodesWithDjpegAndCarriesTheComment) {
    const auto g = gen(
        "jpeg", {{"width", "120"}, {"height", "80"}, {"quality", "90"}, {"comment", "IMG_0042"}});
    const auto jpeg = generate_content(g, context_);
    EXPECT_EQ(jpeg, generate_content(g, context_));
    const auto path = save("a.jpg", jpeg);
    EXPECT_EQ(mime(path), "image/jpeg");
    const std::string markers = R"(import struct, sys
data = open(sys.argv[1], "rb").read()
assert data[:2] == b"\xff\xd8" and data[-2:] == b"\xff\xd9"
pos, out = 2, []
while True:
    assert data[pos] == 0xFF
    marker, n = data[pos + 1], struct.unpack(">H", data[pos + 2:pos + 4])[0]
    out.append("%02X" % marker)
    if marker == 0xFE: out.append(data[pos + 4:pos + 2 + n].decode())
    if marker == 0xC0:
        h, w = struct.unpack(">HH", data[pos + 5:pos + 9])
        out.append("%dx%d" % (w, h))
    if marker == 0xDA: break
    pos += 2 + n
print(" ".join(out))
)";
    // APP0 (JFIF), COM, DQT, SOF0 (baseline) with the size, DHT, SOS.
    EXPECT_EQ(python(markers, shell_quote(path)),
              "E0 FE IMG_0042 DB DB C0 120x80 C4 C4 C4 C4 DA\n");
    if (tool_available("djpeg")) {
        auto r = run("djpeg -pnm " + shell_quote(path) + " | head -c 2; djpeg -pnm " +
                     shell_quote(path) + " | wc -c");
        ASSERT_EQ(r.exit_code, 0) << r.err;
        EXPECT_EQ(r.out.substr(0, 2), "P6");
    }
    const auto message = error_of([&] {
        generate_content(gen("jpeg", {{"quality", "0"}}), context_);
    });
    EXPECT_NE(message.find("'quality' must be an integer from 1 to 100"), std::string::npos)
        << message;
}

TEST_F(ContentGenerator, PdfOpensInPopplerAndQpdf) {
    if (!tool_available("pdftotext")) GTEST_SKIP() << "pdftotext (poppler-utils) not installed";
    std::string long_text;
    for (int i = 1; i <= 60; ++i) long_text += "Line " + std::to_string(i) + " (of sixty) \\ ok\n";
    const auto g = gen("pdf", {{"text", "Invoice 2023-11\nTotal: 100 EUR, café\n" + long_text},
                               {"title", "Invoice (draft)"},
                               {"author", "Алия Нурланова"}});
    const auto pdf = generate_content(g, context_);
    EXPECT_EQ(pdf, generate_content(g, context_));
    const auto path = save("a.pdf", pdf);
    EXPECT_EQ(mime(path), "application/pdf");
    auto text = run("pdftotext " + shell_quote(path) + " -");
    ASSERT_EQ(text.exit_code, 0) << text.err;
    EXPECT_NE(text.out.find("Invoice 2023-11"), std::string::npos) << text.out;
    EXPECT_NE(text.out.find("Total: 100 EUR, café"), std::string::npos) << text.out;
    EXPECT_NE(text.out.find("Line 60 (of sixty) \\ ok"), std::string::npos) << text.out;
    auto info = run("pdfinfo " + shell_quote(path));
    ASSERT_EQ(info.exit_code, 0) << info.err;
    EXPECT_NE(info.out.find("Title:           Invoice (draft)"), std::string::npos) << info.out;
    EXPECT_NE(info.out.find("Author:          Алия Нурланова"), std::string::npos) << info.out;
    EXPECT_NE(info.out.find("Pages:           2"), std::string::npos) << info.out;
    auto date = run("pdfinfo -isodates " + shell_quote(path));
    EXPECT_NE(date.out.find("2023-11-14T22:13:20"), std::string::npos) << date.out;
    if (tool_available("qpdf")) {
        auto check = run("qpdf --check " + shell_quote(path));
        EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
    }
}

TEST_F(ContentGenerator, PdfWithCyrillicTextExtractsExactly) {
    if (!tool_available("pdftotext")) GTEST_SKIP() << "pdftotext (poppler-utils) not installed";
    const std::string text = "Құпия сөз: Алматы2023\nПароль от почты";
    const auto path = save("kz.pdf", generate_content(gen("pdf", {{"text", text}}), context_));
    auto r = run("pdftotext -q " + shell_quote(path) + " -");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("Құпия сөз: Алматы2023"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("Пароль от почты"), std::string::npos) << r.out;
    if (tool_available("qpdf")) {
        auto check = run("qpdf --check " + shell_quote(path));
        EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
    }
}

TEST_F(ContentGenerator, ZipListsMembersInOrderWithTheContextTime) {
    auto g = gen("zip");
    g.members = {{"notes/passwords.txt", "alice: hunter2\n"},
                 {"readme.txt", std::string(5000, 'a')},
                 {"документы/план.txt", "План\n"}};
    const auto zip = generate_content(g, context_);
    EXPECT_EQ(zip, generate_content(g, context_));
    const auto path = save("a.zip", zip);
    EXPECT_EQ(mime(path), "application/zip");
    // unzip -Z1: names in archive order; -ZT: times as yyyymmdd.hhmmss (DOS: even seconds).
    auto names = run("unzip -Z1 " + shell_quote(path));
    ASSERT_EQ(names.exit_code, 0) << names.err;
    EXPECT_EQ(names.out, "notes/passwords.txt\nreadme.txt\nдокументы/план.txt\n");
    auto times = run("unzip -ZT " + shell_quote(path) + " readme.txt");
    EXPECT_NE(times.out.find("20231114.221320"), std::string::npos) << times.out;
    auto body = run("unzip -p " + shell_quote(path) + " notes/passwords.txt");
    EXPECT_EQ(body.out, "alice: hunter2\n");
    auto test = run("unzip -tq " + shell_quote(path));
    EXPECT_EQ(test.exit_code, 0) << test.out;
    EXPECT_EQ(python("import zipfile, sys; print(len(zipfile.ZipFile(sys.argv[1]).namelist()))",
                     shell_quote(save("empty.zip", generate_content(gen("zip"), context_)))),
              "0\n");
    g.members.push_back({"readme.txt", "again"});
    const auto message = error_of([&] { generate_content(g, context_); });
    EXPECT_NE(message.find("'readme.txt' is listed twice"), std::string::npos) << message;
}

TEST_F(ContentGenerator, SqliteBrowserHistoryQueriesInTheCli) {
    auto g = gen("sqlite");
    g.sql = {
        "CREATE TABLE urls(id INTEGER PRIMARY KEY AUTOINCREMENT, url LONGVARCHAR, title "
        "LONGVARCHAR, visit_count INTEGER DEFAULT 0 NOT NULL, typed_count INTEGER DEFAULT 0 NOT "
        "NULL, last_visit_time INTEGER NOT NULL, hidden INTEGER DEFAULT 0 NOT NULL)",
        "CREATE TABLE visits(id INTEGER PRIMARY KEY, url INTEGER NOT NULL, visit_time INTEGER "
        "NOT NULL, from_visit INTEGER, transition INTEGER DEFAULT 0 NOT NULL)",
        "INSERT INTO urls(url, title, visit_count, typed_count, last_visit_time) VALUES "
        "('https://mail.example.kz/', 'Почта', 3, 1, 13345000000000000), "
        "('https://www.google.com/search?q=how+to+wipe+a+disk', 'how to wipe a disk', 1, 0, "
        "13345000100000000)",
        "INSERT INTO visits(url, visit_time, transition) SELECT id, last_visit_time, 1 FROM urls",
        "CREATE TABLE meta(key TEXT, value TEXT); INSERT INTO meta VALUES ('built', "
        "datetime('now')), ('token', hex(randomblob(4)))"};
    const auto db = generate_content(g, context_);
    EXPECT_EQ(db, generate_content(g, context_));
    auto other = context_;
    other.purpose = "/other/History";
    EXPECT_NE(db, generate_content(g, other));  // the randomblob() differs
    const auto path = save("History", db);
    EXPECT_EQ(mime(path), "application/vnd.sqlite3");
    auto q = [&](const std::string& sql) {
        auto r = run("sqlite3 -readonly " + shell_quote(path) + " " + shell_quote(sql));
        EXPECT_EQ(r.exit_code, 0) << r.err;
        return r.out;
    };
    EXPECT_EQ(q("SELECT url, title, visit_count FROM urls ORDER BY id"),
              "https://mail.example.kz/|Почта|3\n"
              "https://www.google.com/search?q=how+to+wipe+a+disk|how to wipe a disk|1\n");
    EXPECT_EQ(q("SELECT count(*) FROM visits"), "2\n");
    EXPECT_EQ(q("SELECT value FROM meta WHERE key = 'built'"), "2023-11-14 22:13:20\n");
    EXPECT_EQ(q("PRAGMA integrity_check"), "ok\n");
    EXPECT_EQ(q("PRAGMA page_size"), "4096\n");
    EXPECT_EQ(q("PRAGMA freelist_count"), "0\n");

    auto bad = gen("sqlite");
    bad.sql = {"CREATE TABLE t(a)", "INSERT INTO nope VALUES (1)"};
    auto message = error_of([&] { generate_content(bad, context_); });
    EXPECT_NE(message.find("statement 2"), std::string::npos) << message;
    EXPECT_NE(message.find("no such table: nope"), std::string::npos) << message;
    bad.sql = {"ATTACH DATABASE " + shell_quote(dir_ + "/x.db") + " AS x"};
    message = error_of([&] { generate_content(bad, context_); });
    EXPECT_NE(message.find("not authorized"), std::string::npos) << message;
    EXPECT_FALSE(fs::exists(dir_ + "/x.db"));
}

TEST_F(ContentGenerator, UnknownTypesAndOptionsAreNamed) {
    auto message = error_of([&] { generate_content(gen("gif"), context_); });
    EXPECT_EQ(message,
              "unknown generated content type 'gif' (allowed: jpeg, png, pdf, zip, sqlite, "
              "registry, lnk, evtx, chrome_history, firefox_places, prefetch)");
    message = error_of([&] { generate_content(gen("png", {{"colour", "red"}}), context_); });
    EXPECT_EQ(message, "generate png: unknown option 'colour' (allowed: width, height, comment)");
    message = error_of([&] { generate_content(gen("png", {{"width", "12px"}}), context_); });
    EXPECT_NE(message.find("'width' must be an integer from 1 to 8192, got '12px'"),
              std::string::npos)
        << message;
    auto g = gen("pdf");
    g.members = {{"a", "b"}};
    message = error_of([&] { generate_content(g, context_); });
    EXPECT_EQ(message, "generate pdf: 'members' is only for type zip");
    message = error_of([&] { generate_content(gen("sqlite"), context_); });
    EXPECT_NE(message.find("at least one statement"), std::string::npos) << message;
}

TEST(CivilTime, MatchesKnownDates) {
    auto t = detail::civil_from_unix(kTime);
    EXPECT_EQ(std::vector<int64_t>({t.year, t.month, t.day, t.hour, t.minute, t.second}),
              std::vector<int64_t>({2023, 11, 14, 22, 13, 20}));
    t = detail::civil_from_unix(-1);
    EXPECT_EQ(std::vector<int64_t>({t.year, t.month, t.day, t.hour, t.minute, t.second}),
              std::vector<int64_t>({1969, 12, 31, 23, 59, 59}));
    t = detail::civil_from_unix(951782400);  // leap day 2000
    EXPECT_EQ(std::vector<int64_t>({t.year, t.month, t.day}), std::vector<int64_t>({2000, 2, 29}));
}

}  // namespace
}  // namespace dflab::images
