// FileTypeDetector agrees with the `file` command: a corpus of many types is made at test time (the
// project's content generators, Debian's compressors, the C++ compiler, hand-made look-alikes and
// truncations), and for every sample the detector's MIME type must equal what
// `file --mime-type` says about the same bytes. The oracle is the CLI, never dflab's own table.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "engine/file_signatures.hpp"
#include "engine/file_type.hpp"
#include "images/content_generator.hpp"
#include "tests/support/fixtures.hpp"

namespace dflab::engine {
namespace {

namespace fs = std::filesystem;
using dflab::test::lines;
using dflab::test::run;
using dflab::test::shell_quote;
using Bytes = std::vector<std::byte>;

Bytes bytes_of(std::string_view s) {
    const auto* p = reinterpret_cast<const std::byte*>(s.data());
    return {p, p + s.size()};
}

Bytes read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::string s((std::istreambuf_iterator<char>(in)), {});
    return bytes_of(s);
}

void write_file(const std::string& path, const Bytes& bytes) {
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()),
              static_cast<std::streamsize>(bytes.size()));
}

Bytes prefix(const Bytes& b, size_t n) {
    return {b.begin(), b.begin() + std::min(n, b.size())};
}

Bytes concat(Bytes a, const Bytes& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

Bytes generated(images::GeneratedContent g) {
    return images::generate_content(g,
                                    images::GenerationContext{7, "/evidence/sample", 1700000000});
}

images::GeneratedContent gen(std::string type, std::map<std::string, std::string> options = {}) {
    images::GeneratedContent g;
    g.type = std::move(type);
    g.options = std::move(options);
    return g;
}

std::string text_lines(std::string_view line, int count) {
    std::string s;
    for (int i = 0; i < count; ++i) s += line;
    return s;
}

// The corpus is made once for all tests of the suite (it runs the compiler four times).
class FileTypeAgreement : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        dir_ = dflab::test::temp_dir();
        samples_.clear();
        build_corpus();
    }
    static void TearDownTestSuite() { fs::remove_all(dir_); }

    static std::string path(const std::string& name) { return dir_ + "/" + name; }

    static void add(const std::string& name, Bytes bytes) {
        write_file(path(name), bytes);
        samples_.push_back({name, std::move(bytes)});
    }
    // A sample made by a shell command that writes the file named by $OUT.
    static void add_made(const std::string& name, const std::string& command) {
        auto r =
            run("OUT=" + shell_quote(path(name)) + "; cd " + shell_quote(dir_) + " && " + command);
        ASSERT_EQ(r.exit_code, 0) << name << ": " << command << "\n" << r.err;
        samples_.push_back({name, read_file(path(name))});
    }
    static const Bytes& sample(const std::string& name) {
        for (const auto& s : samples_)
            if (s.name == name) return s.bytes;
        throw std::runtime_error("no sample " + name);
    }

    static void build_corpus();

    struct Sample {
        std::string name;
        Bytes bytes;
    };
    static inline std::string dir_;
    static inline std::vector<Sample> samples_;
};

void FileTypeAgreement::build_corpus() {
    // The project's generators.
    add("gen.png", generated(gen("png", {{"width", "40"}, {"height", "30"}})));
    add("gen.jpg", generated(gen("jpeg", {{"comment", "holiday"}})));
    add("gen.pdf", generated(gen("pdf", {{"text", "Quarterly report\nconfidential"}})));
    auto zip = gen("zip");
    zip.members = {{"notes.txt", "meet at noon\n"}, {"plan/steps.md", "# Steps\n1. go\n"}};
    add("gen.zip", generated(zip));
    auto docx = gen("zip");
    docx.members = {{"[Content_Types].xml", "<?xml version=\"1.0\"?><Types/>"},
                    {"word/document.xml", "<?xml version=\"1.0\"?><document/>"}};
    add("gen_docx.zip", generated(docx));
    auto db = gen("sqlite");
    db.sql = {"CREATE TABLE messages(id INTEGER PRIMARY KEY, body TEXT)",
              "INSERT INTO messages(body) VALUES ('hello'), ('bye')"};
    add("gen.sqlite", generated(db));

    // Text of many kinds.
    const std::string prose = text_lines("The suspect left the building at 10 pm, by car.\n", 80);
    add("plain.txt", bytes_of(prose));
    add("utf8.txt", bytes_of(text_lines("Пароль: секретный ключ — не говорить никому.\n", 40)));
    add("crlf.txt", bytes_of(text_lines("line with windows ending\r\n", 30)));
    add("script.sh", bytes_of("#!/bin/sh\nset -e\nfor f in *.log; do\n  gzip \"$f\"\ndone\n"));
    add("env_bash.sh", bytes_of("#!/usr/bin/env bash\necho \"$HOME\"\nexit 0\n"));
    add("script.py", bytes_of("#!/usr/bin/env python3\nimport sys\nprint(sys.argv)\n"));
    add("code.c", bytes_of("#include <stdio.h>\n\nint main(void) {\n    printf(\"hi\\n\");\n"
                           "    return 0;\n}\n"));
    add("page.html", bytes_of("<!DOCTYPE html>\n<html><head><title>Portal</title></head>\n"
                              "<body><p>Log in</p></body></html>\n"));
    add("data.xml", bytes_of("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<case><item id=\"1\"/>"
                             "</case>\n"));
    add("data.json", bytes_of("{\"user\": \"alice\", \"ids\": [1, 2, 3], \"admin\": false}\n"));
    add("table.csv", bytes_of(text_lines("id,name,amount\n1,alice,10\n2,bob,20\n", 10)));
    add("empty", {});
    add("tiny", bytes_of("a"));
    add("newline", bytes_of("\n"));

    // Binary without a signature (fixed seed), and Debian's compressors on the prose.
    std::mt19937 prng(20261202);
    Bytes random(4096);
    for (auto& b : random) b = static_cast<std::byte>(prng() & 0xff);
    add("random.bin", random);
    add("zeros.bin", Bytes(1000, std::byte{0}));
    add_made("prose.gz", "gzip -c plain.txt > \"$OUT\"");
    add_made("prose.bz2", "bzip2 -c plain.txt > \"$OUT\"");
    add_made("prose.xz", "xz -c plain.txt > \"$OUT\"");
    add_made("prose.zst", "zstd -q -c plain.txt > \"$OUT\"");
    add_made("made.jpg",
             "printf 'P6\\n4 4\\n255\\n' > p.ppm && head -c 48 random.bin >> p.ppm && "
             "cjpeg p.ppm > \"$OUT\"");

    // ELF: /bin/true, and programs and a library made by the compiler.
    add("true.elf", read_file("/bin/true"));
    add_made("lib.so",
             "printf 'int f(void) { return 1; }\\n' | c++ -x c++ -shared -fPIC -o "
             "\"$OUT\" -");
    add_made("nopie.elf",
             "printf 'int main() { return 0; }\\n' | c++ -x c++ -no-pie -o \"$OUT\" -");
    add_made("pie.elf",
             "printf 'int main() { return 0; }\\n' | c++ -x c++ -pie -fPIE -o \"$OUT\" -");
    add_made("object.o", "printf 'int g() { return 2; }\\n' | c++ -x c++ -c -o \"$OUT\" -");
    Bytes core = sample("true.elf");
    core[16] = std::byte{4};  // e_type ET_CORE
    add("core.elf", core);
    Bytes no_type = sample("true.elf");
    no_type[16] = std::byte{0};
    add("no_type.elf", no_type);

    // Truncated headers and files that start with a signature but are something else.
    add("jpeg_2", prefix(sample("gen.jpg"), 2));
    add("jpeg_3", prefix(sample("gen.jpg"), 3));
    add("jpeg_4", prefix(sample("gen.jpg"), 4));
    add("jpeg_100", prefix(sample("gen.jpg"), 100));
    add("png_8", prefix(sample("gen.png"), 8));
    add("png_16", prefix(sample("gen.png"), 16));
    add("png_bad_ihdr", concat(prefix(sample("gen.png"), 8), bytes_of("NOTIHDRxxxxxxxxxxxxx")));
    add("gif_4", bytes_of("GIF8"));
    add("gif_3", bytes_of("GIF"));
    add("gif_89a", bytes_of("GIF89a\x01\x00\x01\x00\x00\x00\x00;"));
    add("gif_words", bytes_of("GIF89a is the format I used for the banner.\n"));
    add("pdf_5", prefix(sample("gen.pdf"), 5));
    add("pdf_4", prefix(sample("gen.pdf"), 4));
    add("pdf_words", bytes_of("%PDF-1.4 was the version in my notes.\nNothing else here.\n"));
    add("pdf_late", concat(bytes_of("\n\n"), sample("gen.pdf")));
    add("sqlite_16", prefix(sample("gen.sqlite"), 16));
    add("sqlite_18", prefix(sample("gen.sqlite"), 18));
    add("sqlite_100", prefix(sample("gen.sqlite"), 100));
    add("sqlite_page0", concat(bytes_of(std::string("SQLite format 3\0\0\0", 18)), Bytes(100)));
    add("sqlite_words", bytes_of("SQLite format 3 is what the phone uses.\n"));
    add("gzip_2", prefix(sample("prose.gz"), 2));
    add("gzip_3", prefix(sample("prose.gz"), 3));
    add("gzip_4", prefix(sample("prose.gz"), 4));
    add("gzip_text", concat(prefix(sample("prose.gz"), 2), bytes_of("hello there\n")));
    add("bzip2_3", bytes_of("BZh"));
    add("bzip2_2", bytes_of("BZ"));
    add("bzip2_words", bytes_of("BZh is how the log line started.\n"));
    add("xz_5", prefix(sample("prose.xz"), 5));
    add("xz_6", prefix(sample("prose.xz"), 6));
    add("zstd_3", prefix(sample("prose.zst"), 3));
    add("zstd_4", prefix(sample("prose.zst"), 4));
    add("elf_4", prefix(sample("true.elf"), 4));
    add("elf_header", prefix(sample("true.elf"), 64));
    add("elf_1k", prefix(sample("true.elf"), 1024));
    add("zip_4", prefix(sample("gen.zip"), 4));
    // Text after a signature that libmagic's CSV test (tried before any signature) may take.
    const std::string rows = "a,b\n1,2\n3,4\n5,6\n7,8\n";
    add("jpeg_csv", bytes_of("\xff\xd8\xff" + rows));
    add("gif_csv", bytes_of("GIF89a" + rows));
    add("pdf_csv", bytes_of("%PDF-" + rows));
    add("gif_quoted_csv", bytes_of("GIF8\"x\ny\",1\n2,3\n4,5\n6,7\n"));
    add("gif_nul_csv", bytes_of(std::string("GIF89a\0", 7) + rows));
    add("gif_one_line", bytes_of("GIF89a,b"));
    add("jpeg_one_line", bytes_of("\xff\xd8\xff x y"));

    // Other formats' signatures at their offsets (partition tables, file systems, archives) in
    // samples of each type: libmagic ranks some of them above a weak signature at byte 0.
    struct Plant {
        const char* name;
        size_t offset;
        std::string_view bytes;
    };
    using namespace std::string_view_literals;
    const Plant plants[] = {
        {"mbr", 510, "\x55\xaa"},
        {"gpt", 512, "EFI PART"},
        {"tar", 257,
         "ustar\x00"
         "00"sv},
        {"ext2", 1080, "\x53\xef"},
        {"iso", 32769, "CD001"},
        {"luks", 4096, "LUKS"},
        {"btrfs", 65600, "_BHRfS_M"},
        {"fat", 54, "FAT16   "},
        {"fat32", 82, "FAT32   "},
    };
    for (const char* host : {"gen.jpg", "gen.png", "gif_89a", "gen.pdf", "gen.sqlite", "prose.xz",
                             "true.elf", "prose.gz", "prose.bz2", "prose.zst"}) {
        for (const auto& p : plants) {
            Bytes b = sample(host);
            if (b.size() < p.offset + p.bytes.size()) b.resize(p.offset + p.bytes.size());
            std::memcpy(b.data() + p.offset, p.bytes.data(), p.bytes.size());
            add(std::string(host) + "." + p.name, std::move(b));
        }
    }
}

// What `file` says about every sample, with the settings FileTypeDetector gives libmagic: no
// look inside compressed files and at most kHeadBytes bytes.
std::vector<std::string> file_says(const std::string& dir, const std::vector<std::string>& names) {
    std::string command = "cd " + shell_quote(dir) +
                          " && file -b --mime-type -e compress -P bytes=" +
                          std::to_string(FileTypeDetector::kHeadBytes) + " --";
    for (const auto& n : names) command += " " + shell_quote(n);
    auto r = run(command);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    auto out = lines(r.out);
    while (!out.empty() && out.back().empty()) out.pop_back();
    return out;
}

TEST_F(FileTypeAgreement, EverySampleGetsTheTypeFileGives) {
    std::vector<std::string> names;
    for (const auto& s : samples_) names.push_back(s.name);
    const auto expected = file_says(dir_, names);
    ASSERT_EQ(expected.size(), samples_.size());

    FileTypeDetector detector;
    size_t by_signature = 0;
    for (size_t i = 0; i < samples_.size(); ++i) {
        const auto& s = samples_[i];
        EXPECT_EQ(detector.mime_type(s.bytes), expected[i])
            << s.name << " (" << s.bytes.size() << " bytes)";
        if (!signature_mime(s.bytes).empty()) ++by_signature;
    }
    // The fast path is taken for the common binary types, not only libmagic.
    EXPECT_GE(by_signature, 25u);
}

TEST_F(FileTypeAgreement, CommonEvidenceTypesNeedNoLibmagic) {
    for (const char* name : {"gen.png", "gen.jpg", "made.jpg", "gen.pdf", "gen.sqlite", "prose.xz",
                             "true.elf", "lib.so", "nopie.elf", "pie.elf", "object.o"}) {
        EXPECT_FALSE(signature_mime(sample(name)).empty()) << name;
    }
    // ZIP is refined by libmagic (docx, jar, apk ...), and gzip, bzip2 and zstd lose to stronger
    // entries elsewhere in the content (prose.gz.mbr is no gzip to `file`), so the table leaves
    // them to libmagic, as it does text.
    for (const char* name : {"gen.zip", "prose.gz", "prose.bz2", "prose.zst", "plain.txt"}) {
        EXPECT_TRUE(signature_mime(sample(name)).empty()) << name;
    }
}

TEST_F(FileTypeAgreement, RepeatedAndSimilarContentGetTheirOwnAnswers) {
    FileTypeDetector detector;
    // The same text twice (the second answer may come from the detector's memory), then text
    // that differs in one byte from HTML, then the HTML again: each as `file` says.
    const Bytes html = sample("page.html");
    Bytes not_html = html;
    not_html[1] = std::byte{'?'};  // "<?DOCTYPE" is no HTML
    write_file(path("not_html"), not_html);
    const auto expected = file_says(dir_, {"page.html", "not_html"});
    ASSERT_EQ(expected.size(), 2u);
    EXPECT_EQ(detector.mime_type(html), expected[0]);
    EXPECT_EQ(detector.mime_type(html), expected[0]);
    EXPECT_EQ(detector.mime_type(not_html), expected[1]);
    EXPECT_EQ(detector.mime_type(html), expected[0]);
    EXPECT_EQ(detector.mime_type({}), "inode/x-empty");
}

// An ELF header of an unknown class is left to libmagic. `file` given a path also runs its own
// ELF parser on the open file, which appends ", unknown class 7" to the type; libmagic given bytes
// (as dflab gives them) has no file to parse, so the oracle here is `file` without that parser.
TEST_F(FileTypeAgreement, MalformedElfGetsLibmagicsAnswerForItsBytes) {
    Bytes bad_class = prefix(sample("true.elf"), 1024);
    bad_class[4] = std::byte{7};
    write_file(path("elf_bad_class"), bad_class);
    EXPECT_TRUE(signature_mime(bad_class).empty());
    auto r = run("file -b --mime-type -e compress -e elf " + shell_quote(path("elf_bad_class")));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(FileTypeDetector().mime_type(bad_class) + "\n", r.out);
}

}  // namespace
}  // namespace dflab::engine
