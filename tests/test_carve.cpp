// The carver (engine/carving/, dflab carve, analyze --carve), checked against the bytes it was
// given: files made by the project's generators are planted at known sectors of a raw image
// (random filler between them, one JPEG split in two fragments with a gap); every one must come
// back byte for byte (its SHA-256 is the planted bytes'), the carved files must pass the Debian
// readers (file, sqlite3, unzip -t, qpdf --check), and dflab must recover every file foremost
// recovers intact plus the fragmented JPEG that foremost does not. Deleted files in an ext4
// partition are found in its unallocated space only; damaged files are never reported as valid.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "engine/hashes.hpp"
#include "images/content_generator.hpp"
#include "tests/support/fixtures.hpp"

namespace dflab {
namespace {

namespace fs = std::filesystem;
using test::run;
using test::shell_quote;

constexpr uint64_t kSector = 512;

using Bytes = std::vector<std::byte>;

Bytes generated(const std::string& type, std::map<std::string, std::string> options,
                const std::string& purpose) {
    images::GeneratedContent g;
    g.type = type;
    g.options = std::move(options);
    if (type == "zip") {
        g.members = {{"notes.txt", std::string(3000, 'n') + " meeting at the harbour"},
                     {"list.csv", "name,amount\nalpha,1\nbeta,2\n"}};
    }
    if (type == "docx") {
        g.type = "zip";
        g.members = {
            {"[Content_Types].xml",
             "<?xml version=\"1.0\"?><Types xmlns=\"http://schemas.openxmlformats.org/"
             "package/2006/content-types\"/>"},
            {"word/document.xml", "<w:document>" + std::string(2000, 'w') + "</w:document>"}};
    }
    if (type == "sqlite") {
        g.sql = {"CREATE TABLE calls(id INTEGER PRIMARY KEY, number TEXT, seconds INTEGER)"};
        for (int i = 0; i < 300; ++i)
            g.sql.push_back("INSERT INTO calls(number, seconds) VALUES ('+7701555" +
                            std::to_string(1000 + i) + "', " + std::to_string(i * 7) + ")");
    }
    return images::generate_content(g, {42, purpose, 1700000000});
}

std::string sha256(std::span<const std::byte> data) {
    return engine::hash_bytes(data, engine::kSha256).sha256;
}

std::string sha256_of_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::string s((std::istreambuf_iterator<char>(in)), {});
    return sha256(std::as_bytes(std::span(s.data(), s.size())));
}

Bytes random_bytes(size_t n, uint64_t seed) {
    std::mt19937_64 prng(seed);
    Bytes out(n);
    for (auto& b : out) b = static_cast<std::byte>(prng() & 0xFF);
    return out;
}

void put(Bytes& image, uint64_t sector, std::span<const std::byte> data) {
    std::copy(data.begin(), data.end(), image.begin() + static_cast<ptrdiff_t>(sector * kSector));
}

void save(const fs::path& path, std::span<const std::byte> data) {
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(data.data()),
              static_cast<std::streamsize>(data.size()));
}

struct Planted {
    std::string name, type, sha256;
    uint64_t offset = 0;  // image byte offset of the first byte
    size_t fragments = 1;
};

// An 8 MiB raw image of random filler with one file of each type at known sectors, and a JPEG
// whose first 16 sectors are followed by a 10-sector gap of filler, then the rest.
struct CarvingImage {
    fs::path path;
    std::vector<Planted> planted;
};

CarvingImage make_image(const fs::path& dir) {
    CarvingImage c;
    c.path = dir / "disk.img";
    Bytes image = random_bytes(8u << 20, 7);
    auto plant = [&](const std::string& name, const std::string& type, uint64_t sector,
                     const Bytes& data) {
        put(image, sector, data);
        c.planted.push_back({name, type, sha256(data), sector * kSector, 1});
    };
    plant("photo", "jpeg", 100, generated("jpeg", {{"width", "320"}, {"height", "240"}}, "photo"));
    plant("chart", "png", 2000, generated("png", {{"width", "200"}, {"height", "100"}}, "chart"));
    plant("report", "pdf", 4000,
          generated("pdf", {{"text", "Quarterly report\nPayments to the courier"}}, "report"));
    plant("letter", "zip", 6000, generated("docx", {}, "letter"));
    plant("archive", "zip", 7000, generated("zip", {}, "archive"));
    plant("calls", "sqlite", 8000, generated("sqlite", {}, "calls"));
    const Bytes big =
        generated("jpeg", {{"width", "640"}, {"height", "480"}, {"quality", "95"}}, "split");
    const size_t split = 16 * kSector;
    put(image, 10000, std::span(big).first(split));
    put(image, 10000 + 16 + 10, std::span(big).subspan(split));
    c.planted.push_back({"split", "jpeg", sha256(big), 10000 * kSector, 2});
    save(c.path, image);
    return c;
}

nlohmann::json manifest(const fs::path& out) {
    std::ifstream in(out / "manifest.json");
    return nlohmann::json::parse(in);
}

const nlohmann::json* carved_with(const nlohmann::json& m, const std::string& hash) {
    for (const auto& f : m["files"])
        if (f["sha256"] == hash) return &f;
    return nullptr;
}

const std::map<std::string, std::string> kMime = {{"jpeg", "image/jpeg\n"},
                                                  {"png", "image/png\n"},
                                                  {"pdf", "application/pdf\n"},
                                                  {"zip", "application/zip\n"},
                                                  {"sqlite", "application/vnd.sqlite3\n"}};
const std::map<std::string, std::string> kReader = {{"jpeg", "djpeg "},
                                                    {"png", "pngcheck -q "},
                                                    {"pdf", "qpdf --check "},
                                                    {"zip", "unzip -t "},
                                                    {"sqlite", "sqlite3 "}};
const std::map<std::string, std::string> kReaderTail = {{"jpeg", " > /dev/null"},
                                                        {"png", ""},
                                                        {"pdf", ""},
                                                        {"zip", ""},
                                                        {"sqlite", " 'PRAGMA integrity_check'"}};

class Carve : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ = test::temp_dir();
        image_ = make_image(dir_);
    }
    fs::path dir_;
    CarvingImage image_;
};

TEST_F(Carve, RecoversEveryPlantedFileByteForByteFromAWholeDisk) {
    const fs::path out = dir_ / "out";
    auto r = test::dflab("carve " + shell_quote(image_.path.string()) + " --whole-disk -o " +
                         shell_quote(out.string()));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto m = manifest(out);
    EXPECT_TRUE(fs::exists(out / "manifest.csv"));
    EXPECT_FALSE(fs::exists(out / "manifest.json.partial"));
    for (const auto& p : image_.planted) {
        const auto* f = carved_with(m, p.sha256);
        ASSERT_NE(f, nullptr) << p.name << " not recovered intact";
        EXPECT_EQ((*f)["offset"], p.offset) << p.name;
        EXPECT_EQ((*f)["type"], p.type) << p.name;
        EXPECT_EQ((*f)["fragments"].size(), p.fragments) << p.name;
        const fs::path file = out / (*f)["name"].get<std::string>();
        EXPECT_EQ(sha256_of_file(file), p.sha256) << p.name;  // the file on disk, not the manifest
        const std::string q = shell_quote(file.string());
        EXPECT_EQ(run("file -b --mime-type " + q).out, kMime.at(p.type)) << p.name;
        // Each type's independent reader accepts the carved file.
        const auto check = run(kReader.at(p.type) + q + kReaderTail.at(p.type));
        EXPECT_EQ(check.exit_code, 0) << p.name << ": " << check.out << check.err;
        if (p.type == "sqlite") {
            EXPECT_EQ(check.out, "ok\n");
        }
        if (p.type == "jpeg") {
            EXPECT_EQ(check.err, "") << p.name;  // djpeg warns on corrupt data
        }
    }
    EXPECT_EQ(carved_with(m, image_.planted[3].sha256)->at("subtype"), "docx");
    EXPECT_EQ(m["files"].size(), image_.planted.size());  // nothing but what was planted
}

TEST_F(Carve, RecoversEveryFileForemostRecoversIntactAndTheFragmentedJpeg) {
    const fs::path out = dir_ / "out", theirs = dir_ / "foremost";
    ASSERT_EQ(test::dflab("carve " + shell_quote(image_.path.string()) + " -o " +
                          shell_quote(out.string()))
                  .exit_code,
              0);  // no file system anywhere: the whole disk
    ASSERT_EQ(run("foremost -t jpg,png,pdf,zip -i " + shell_quote(image_.path.string()) + " -o " +
                  shell_quote(theirs.string()))
                  .exit_code,
              0);
    std::set<std::string> planted, foremost_intact;
    for (const auto& p : image_.planted) planted.insert(p.sha256);
    for (const auto& e : fs::recursive_directory_iterator(theirs)) {
        if (!e.is_regular_file()) continue;
        const std::string h = sha256_of_file(e.path());
        if (planted.count(h)) foremost_intact.insert(h);
    }
    EXPECT_GE(foremost_intact.size(), 2u);  // the oracle carves something
    const auto m = manifest(out);
    for (const auto& h : foremost_intact) EXPECT_NE(carved_with(m, h), nullptr) << h;
    const std::string split = image_.planted.back().sha256;
    EXPECT_EQ(foremost_intact.count(split), 0u);
    EXPECT_NE(carved_with(m, split), nullptr);
}

// The SHA-256s of the planted files among the regular files under `dir` (foremost's output).
std::set<std::string> intact_under(const fs::path& dir, const std::set<std::string>& planted) {
    std::set<std::string> out;
    for (const auto& e : fs::recursive_directory_iterator(dir))
        if (e.is_regular_file() && planted.count(sha256_of_file(e.path())))
            out.insert(sha256_of_file(e.path()));
    return out;
}

// Headers are looked for at sector starts, as foremost's quick mode (-q) does; --every-offset
// looks at every byte, as foremost does by default. A PNG placed 77 bytes into a sector is found
// in exactly the modes in which foremost finds it.
TEST(CarveOffsets, AFileAtAnOddOffsetIsFoundWhereForemostFindsIt) {
    const fs::path dir = test::temp_dir(), path = dir / "odd.img";
    Bytes image = random_bytes(4u << 20, 13);
    const Bytes png = generated("png", {{"width", "120"}, {"height", "80"}}, "odd");
    const Bytes pdf = generated("pdf", {{"text", "on a sector start"}}, "even");
    std::copy(png.begin(), png.end(), image.begin() + 1000 * kSector + 77);
    put(image, 3000, pdf);
    save(path, image);
    const std::set<std::string> planted = {sha256(png), sha256(pdf)};
    auto carved = [&](const std::string& flags, const std::string& name) {
        const fs::path out = dir / name;
        auto r = test::dflab("carve " + shell_quote(path.string()) + " --whole-disk " + flags +
                             " -o " + shell_quote(out.string()));
        EXPECT_EQ(r.exit_code, 0) << r.err;
        const auto m = manifest(out);
        std::set<std::string> found;
        for (const auto& f : m["files"]) found.insert(f["sha256"].get<std::string>());
        return std::pair(found, m["headers_searched_at"].get<std::string>());
    };
    auto foremost = [&](const std::string& flags, const std::string& name) {
        const fs::path out = dir / name;
        EXPECT_EQ(run("foremost " + flags + " -t png,pdf -i " + shell_quote(path.string()) +
                      " -o " + shell_quote(out.string()))
                      .exit_code,
                  0);
        return intact_under(out, planted);
    };
    const auto quick = foremost("-q", "foremost-q"), every = foremost("", "foremost");
    EXPECT_EQ(quick.count(sha256(png)), 0u);  // the oracles: only a search of every byte
    EXPECT_EQ(every.count(sha256(png)), 1u);
    const auto [at_sectors, said] = carved("", "sectors");
    EXPECT_EQ(said, "sector starts");
    EXPECT_EQ(at_sectors, (std::set<std::string>{sha256(pdf)}));
    for (const auto& h : quick) EXPECT_EQ(at_sectors.count(h), 1u) << h;
    const auto [at_every, said_every] = carved("--every-offset", "every");
    EXPECT_EQ(said_every, "every offset");
    EXPECT_EQ(at_every, planted);
    for (const auto& h : every) EXPECT_EQ(at_every.count(h), 1u) << h;
}

// The other two carvers of the carving issue on the same image: PhotoRec (its types off but these
// five) and scalpel (a configuration of header and footer for each type, as its manual describes).
// dflab recovers every planted file either of them recovers intact.
TEST_F(Carve, RecoversEveryFilePhotoRecOrScalpelRecoversIntact) {
    const fs::path out = dir_ / "out", photorec = dir_ / "photorec", scalpel = dir_ / "scalpel";
    ASSERT_EQ(test::dflab("carve " + shell_quote(image_.path.string()) + " -o " +
                          shell_quote(out.string()))
                  .exit_code,
              0);
    fs::create_directories(photorec);
    // PhotoRec writes photorec.log into the folder it runs in.
    ASSERT_EQ(run("cd " + shell_quote(photorec.string()) + " && photorec /log /d " +
                  shell_quote((photorec / "recup").string()) + " /cmd " +
                  shell_quote(image_.path.string()) +
                  " partition_none,fileopt,everything,disable,jpg,enable,png,enable,pdf,enable,"
                  "zip,enable,sqlite,enable,search > /dev/null")
                  .exit_code,
              0);
    const fs::path config = dir_ / "scalpel.conf";
    std::ofstream(config)
        << "jpg y 20000000 \\xff\\xd8\\xff \\xff\\xd9\n"
           "png y 20000000 \\x89PNG\\x0d\\x0a\\x1a\\x0a IEND\\xae\\x42\\x60\\x82\n"
           "pdf y 20000000 %PDF- %%EOF\\x0a REVERSE\n"
           "zip y 20000000 PK\\x03\\x04 PK\\x05\\x06\n";
    ASSERT_EQ(
        run("scalpel -c " + shell_quote(config.string()) + " -o " + shell_quote(scalpel.string()) +
            " " + shell_quote(image_.path.string()) + " > /dev/null")
            .exit_code,
        0);
    std::set<std::string> planted;
    for (const auto& p : image_.planted) planted.insert(p.sha256);
    const auto by_photorec = intact_under(photorec, planted);
    const auto by_scalpel = intact_under(scalpel, planted);
    EXPECT_GE(by_photorec.size(), 4u);  // the oracles carve something
    EXPECT_GE(by_scalpel.size(), 2u);
    const auto m = manifest(out);
    for (const auto& h : by_photorec) EXPECT_NE(carved_with(m, h), nullptr) << "PhotoRec: " << h;
    for (const auto& h : by_scalpel) EXPECT_NE(carved_with(m, h), nullptr) << "scalpel: " << h;
    EXPECT_EQ(by_photorec.count(image_.planted.back().sha256), 0u);  // the fragmented JPEG
    EXPECT_EQ(by_scalpel.count(image_.planted.back().sha256), 0u);
    EXPECT_NE(carved_with(m, image_.planted.back().sha256), nullptr);
}

TEST_F(Carve, DamagedFilesAreNotReportedAsValid) {
    Bytes image = random_bytes(4u << 20, 11);
    const Bytes jpeg = generated("jpeg", {}, "truncated");
    put(image, 100, std::span(jpeg).first(300));  // the header, then filler
    Bytes png = generated("png", {}, "bad-crc");
    png[png.size() / 2] ^= std::byte{0x55};  // inside IDAT: its CRC no longer matches
    put(image, 1000, png);
    Bytes zip = generated("zip", {}, "lying");
    // The first central directory entry's local header offset points 7 bytes in.
    for (size_t i = 0; i + 4 < zip.size(); ++i)
        if (zip[i] == std::byte{'P'} && zip[i + 1] == std::byte{'K'} &&
            zip[i + 2] == std::byte{1} && zip[i + 3] == std::byte{2}) {
            zip[i + 42] = std::byte{7};
            break;
        }
    put(image, 2000, zip);
    const Bytes db = generated("sqlite", {}, "cut");
    put(image, 3000, std::span(db).first(db.size() / 2));  // then 4096 zero bytes
    std::fill_n(image.begin() + 3000 * kSector + static_cast<ptrdiff_t>(db.size() / 2), 4096,
                std::byte{0});
    for (uint64_t s = 4000; s < 8000; s += 3)
        put(image, s, std::span(jpeg).first(4));  // false headers
    const fs::path path = dir_ / "bad.img", out = dir_ / "out";
    save(path, image);
    auto r = test::dflab("carve " + shell_quote(path.string()) + " --whole-disk -o " +
                         shell_quote(out.string()));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto m = manifest(out);
    for (const auto& f : m["files"]) ADD_FAILURE() << "carved " << f.dump();
}

TEST_F(Carve, RefusesAnOutputThatIsNotEmptyAndUnknownTypes) {
    const fs::path out = dir_ / "out";
    fs::create_directories(out);
    save(out / "keep.txt", random_bytes(10, 1));
    auto r = test::dflab("carve " + shell_quote(image_.path.string()) + " -o " +
                         shell_quote(out.string()));
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("not an empty directory"), std::string::npos) << r.err;
    r = test::dflab("carve " + shell_quote(image_.path.string()) + " --types jpeg,gif -o " +
                    shell_quote((dir_ / "other").string()));
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("'gif': unknown type"), std::string::npos) << r.err;
}

// A PDF with an incremental update (a new object, an xref section with /Prev, a second %%EOF)
// is carved to its last %%EOF, and qpdf reads the result.
TEST(CarveUpdates, APdfWithAnIncrementalUpdateEndsAtItsLastEof) {
    const Bytes base = generated("pdf", {{"text", "before the update"}}, "updated");
    std::string pdf(reinterpret_cast<const char*>(base.data()), base.size());
    std::smatch m;
    ASSERT_TRUE(std::regex_search(pdf, m, std::regex("startxref\\s+(\\d+)")));
    const std::string previous = m[1];
    ASSERT_TRUE(std::regex_search(pdf, m, std::regex("/Size (\\d+)")));
    const int size = std::stoi(m[1]);
    const size_t object_at = pdf.size();
    const std::string object = std::to_string(size) + " 0 obj\n(update)\nendobj\n";
    char entry[32];
    std::snprintf(entry, sizeof entry, "%010zu 00000 n \n", object_at);
    pdf += object + "xref\n" + std::to_string(size) + " 1\n" + entry + "trailer\n<< /Size " +
           std::to_string(size + 1) + " /Prev " + previous + " /Root 1 0 R >>\nstartxref\n" +
           std::to_string(object_at + object.size()) + "\n%%EOF\n";
    const fs::path dir = test::temp_dir(), path = dir / "updated.img", out = dir / "out";
    Bytes image = random_bytes(1u << 20, 3);
    const auto bytes = std::as_bytes(std::span(pdf.data(), pdf.size()));
    put(image, 8, bytes);
    save(path, image);
    save(dir / "updated.pdf", bytes);
    ASSERT_EQ(run("qpdf --check " + shell_quote((dir / "updated.pdf").string())).exit_code, 0);
    auto r = test::dflab("carve " + shell_quote(path.string()) + " --whole-disk --types pdf -o " +
                         shell_quote(out.string()));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto carved = manifest(out);
    const auto* f = carved_with(carved, sha256(bytes));
    ASSERT_NE(f, nullptr) << "not carved to its last %%EOF";
    EXPECT_EQ((*f)["offset"], 8 * kSector);
}

// A photo that stays, and a photo and a database that will be deleted, saved in `dir` as
// kept.jpg, photo.jpg and calls.db (`purpose` makes each set's bytes its own).
struct ThreeFiles {
    Bytes kept, photo, db;
};
ThreeFiles three_files(const fs::path& dir, const std::string& purpose) {
    ThreeFiles t{generated("jpeg", {{"width", "300"}, {"height", "200"}}, purpose + "-kept"),
                 generated("jpeg", {{"width", "480"}, {"height", "360"}}, purpose + "-deleted"),
                 generated("sqlite", {}, purpose + "-db")};
    save(dir / "kept.jpg", t.kept);
    save(dir / "photo.jpg", t.photo);
    save(dir / "calls.db", t.db);
    return t;
}

// An MBR disk with one ext4 partition holding three files; two are deleted with debugfs. Carving
// the partition finds the deleted two (its unallocated space) and not the third.
TEST(CarveFileSystem, FindsDeletedFilesInUnallocatedSpaceOnly) {
    const fs::path dir = test::temp_dir(), files = dir / "files";
    fs::create_directories(files);
    const auto [kept, photo, db] = three_files(files, "ext4");
    const std::string disk = (dir / "disk.img").string(), part = (dir / "part.img").string();
    ASSERT_EQ(run("truncate -s 40M " + shell_quote(disk) +
                  " && printf 'label: dos\\nstart=2048, "
                  "type=83\\n' | sfdisk -q " +
                  shell_quote(disk))
                  .exit_code,
              0);
    ASSERT_EQ(run("mke2fs -q -t ext4 -b 4096 -E root_owner=0:0 -d " + shell_quote(files.string()) +
                  " " + shell_quote(part) + " 32M")
                  .exit_code,
              0);
    ASSERT_EQ(run("debugfs -w -R 'rm /photo.jpg' " + shell_quote(part) +
                  " && debugfs -w -R 'rm /calls.db' " + shell_quote(part))
                  .exit_code,
              0);
    ASSERT_EQ(run("dd if=" + shell_quote(part) + " of=" + shell_quote(disk) +
                  " bs=512 seek=2048 conv=notrunc status=none")
                  .exit_code,
              0);
    // The partition's slot as mmls numbers it (dflab's --partition is that number).
    const auto mmls = run("mmls " + shell_quote(disk));
    std::string slot;
    for (const auto& line : test::lines(mmls.out))
        if (line.find("Linux") != std::string::npos) slot = std::to_string(std::stoi(line));
    ASSERT_FALSE(slot.empty()) << mmls.out;
    const fs::path out = dir / "out";
    auto r = test::dflab("carve " + shell_quote(disk) + " --partition " + slot + " -o " +
                         shell_quote(out.string()));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto m = manifest(out);
    EXPECT_NE(carved_with(m, sha256(photo)), nullptr);
    EXPECT_NE(carved_with(m, sha256(db)), nullptr);
    EXPECT_EQ(carved_with(m, sha256(kept)), nullptr);  // allocated: not in unallocated space
    for (const auto& f : m["files"]) EXPECT_EQ(f["partition"], std::stoi(slot));

    // analyze --carve records the same files in the case database (read with sqlite3).
    const std::string db_path = (dir / "case.sqlite").string();
    r = test::dflab("analyze " + shell_quote(disk) + " --carve -o " + shell_quote(db_path));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto rows = run("sqlite3 " + shell_quote(db_path) +
                          " 'SELECT sha256 FROM carved_files ORDER BY image_offset'");
    EXPECT_NE(rows.out.find(sha256(photo)), std::string::npos) << rows.out;
    EXPECT_NE(rows.out.find(sha256(db)), std::string::npos) << rows.out;
    EXPECT_EQ(rows.out.find(sha256(kept)), std::string::npos) << rows.out;
}

// A bare FAT file system (a camera card) with a photo and a database deleted with mdel: dflab
// carve without options carves the file system's unallocated space and finds both, and not the
// photo still there.
TEST(CarveFileSystem, FindsFilesDeletedFromAFatCard) {
    const fs::path dir = test::temp_dir();
    const auto [kept, photo, db] = three_files(dir, "card");
    const std::string card = (dir / "card.img").string(), q = shell_quote(card);
    const auto made =
        run("mkfs.vfat -C -n CARD " + q + " 16384 > /dev/null && mcopy -i " + q + " " +
            shell_quote((dir / "kept.jpg").string()) + " ::/KEPT.JPG && mcopy -i " + q + " " +
            shell_quote((dir / "photo.jpg").string()) + " ::/DSC0001.JPG && mcopy -i " + q + " " +
            shell_quote((dir / "calls.db").string()) + " ::/CALLS.DB && mdel -i " + q +
            " ::/DSC0001.JPG ::/CALLS.DB");
    ASSERT_EQ(made.exit_code, 0) << made.err;
    const fs::path out = dir / "out";
    auto r = test::dflab("carve " + q + " -o " + shell_quote(out.string()));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto m = manifest(out);
    EXPECT_NE(carved_with(m, sha256(photo)), nullptr);
    EXPECT_NE(carved_with(m, sha256(db)), nullptr);
    EXPECT_EQ(carved_with(m, sha256(kept)), nullptr);
    for (const auto& f : m["files"]) EXPECT_EQ(f["partition"], 0);  // the bare file system
}

// `text` split at `separator`.
std::vector<std::string> split_cells(const std::string& text, char separator) {
    std::vector<std::string> cells;
    std::stringstream in(text);
    for (std::string cell; std::getline(in, cell, separator);) cells.push_back(cell);
    return cells;
}

// A camera card whose photo, with the Exif exiftool wrote (camera, DateTimeOriginal at +05:00,
// GPS), was deleted: analyze --carve keeps the carved photo's Exif in carved_files.exif, and it
// says what exiftool reads from the photo as it was before deletion.
TEST(CarveFileSystem, ACarvedPhotoKeepsItsExifAsExiftoolReadsIt) {
    const fs::path dir = test::temp_dir();
    save(dir / "photo.jpg", generated("jpeg", {{"width", "400"}, {"height", "300"}}, "exif"));
    const std::string photo = shell_quote((dir / "photo.jpg").string());
    const auto tagged =
        run("exiftool -q -overwrite_original -Make=Canon '-Model=Canon EOS 80D' "
            "'-DateTimeOriginal=2025:04:14 14:03:09' -OffsetTimeOriginal=+05:00 "
            "-GPSLatitude=43.238293 -GPSLatitudeRef=N -GPSLongitude=76.945465 -GPSLongitudeRef=E " +
            photo);
    ASSERT_EQ(tagged.exit_code, 0) << tagged.err;
    const auto read =
        run("exiftool -n -json -Make -Model -DateTimeOriginal -GPSLatitude "
            "-GPSLongitude " +
            photo);
    ASSERT_EQ(read.exit_code, 0) << read.err;
    const auto tags = nlohmann::json::parse(read.out).at(0);

    const std::string card = (dir / "card.img").string(), q = shell_quote(card);
    const auto made = run("mkfs.vfat -C -n CARD " + q + " 16384 > /dev/null && mcopy -i " + q +
                          " " + photo + " ::/IMG_0001.JPG && mdel -i " + q + " ::/IMG_0001.JPG");
    ASSERT_EQ(made.exit_code, 0) << made.err;
    const std::string db = (dir / "case.sqlite").string();
    const auto r = test::dflab("analyze " + q + " --carve -o " + shell_quote(db));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto rows = run("sqlite3 -separator '|' " + shell_quote(db) +
                          " \"SELECT sha256, json_extract(exif, '$.make'), json_extract(exif, "
                          "'$.model'), json_extract(exif, '$.taken'), json_extract(exif, "
                          "'$.taken_utc'), json_extract(exif, '$.gps_latitude'), "
                          "json_extract(exif, '$.gps_longitude') FROM carved_files\"");
    ASSERT_EQ(rows.exit_code, 0) << rows.err;
    const auto lines = test::lines(rows.out);
    ASSERT_EQ(lines.size(), 1u) << rows.out;
    const auto cells = split_cells(lines.front(), '|');
    ASSERT_EQ(cells.size(), 7u) << rows.out;
    EXPECT_EQ(cells[0], sha256_of_file(dir / "photo.jpg"));
    EXPECT_EQ(cells[1], tags["Make"].get<std::string>());
    EXPECT_EQ(cells[2], tags["Model"].get<std::string>());
    EXPECT_EQ(cells[3], tags["DateTimeOriginal"].get<std::string>());
    EXPECT_EQ(cells[4], "2025-04-14T09:03:09Z");  // 14:03:09 at +05:00
    EXPECT_NEAR(std::stod(cells[5]), tags["GPSLatitude"].get<double>(), 1e-6);
    EXPECT_NEAR(std::stod(cells[6]), tags["GPSLongitude"].get<double>(), 1e-6);

    // dflab carve's manifest carries the same Exif.
    const fs::path out = dir / "out";
    const auto carved = test::dflab("carve " + q + " -o " + shell_quote(out.string()));
    ASSERT_EQ(carved.exit_code, 0) << carved.err;
    const auto m = manifest(out);
    ASSERT_EQ(m["files"].size(), 1u);
    const auto& exif = m["files"][0]["exif"];
    EXPECT_EQ(exif["model"], tags["Model"]);
    EXPECT_EQ(exif["taken_utc"], "2025-04-14T09:03:09Z");
    EXPECT_NEAR(exif["gps_latitude"].get<double>(), tags["GPSLatitude"].get<double>(), 1e-6);
}

}  // namespace
}  // namespace dflab
