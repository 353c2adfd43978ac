// Photos with Exif: the JPEG generator's Exif block (images/exif_block.hpp), its recipe keys and
// the exif analyzer, checked with exiftool (Debian's libimage-exiftool-perl), which shares no code
// with libexif: what exiftool reads from a generated photo is what the recipe says, and what
// dflab's reader gives is what exiftool reads. `file` and `djpeg` check that the photo is still a
// JPEG. Local times are computed here with gmtime and `date`, not taken from the code under test.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "engine/analyzers/exif.hpp"
#include "engine/exif_reader.hpp"
#include "images/content_generator.hpp"
#include "images/recipe_parser.hpp"
#include "tests/oracle.hpp"
#include "tests/support/fixtures.hpp"

namespace dflab {
namespace {

using test::run;
using test::shell_quote;

constexpr int64_t kTaken = 1709303400;  // 2024-03-01 14:30:00 UTC

std::string formatted(int64_t t, const char* format) {
    const std::time_t tt = static_cast<std::time_t>(t);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char text[32];
    std::strftime(text, sizeof text, format, &tm);
    return text;
}

images::ExifSpec phone_spec() {
    images::ExifSpec s;
    s.make = "samsung";
    s.model = "SM-A525F";
    s.software = "A525FXXU4CWB1";
    s.taken_local = kTaken + 5 * 3600;
    s.offset_time = "+05:00";
    s.gps = images::GpsPosition{43238949, 76945465, 85250};  // Almaty, 852.5 m
    s.orientation = 6;
    return s;
}

std::vector<std::byte> photo(const images::ExifSpec& spec, uint32_t width = 64,
                             uint32_t height = 48) {
    images::GeneratedContent g;
    g.type = "jpeg";
    g.options["width"] = std::to_string(width);
    g.options["height"] = std::to_string(height);
    g.exif = spec;
    return images::generate_content(g, {42, "DCIM/Camera/IMG_0001.jpg", kTaken});
}

class ExifTest : public testing::Test {
  protected:
    void TearDown() override { std::filesystem::remove_all(dir_); }

    std::string write(const std::vector<std::byte>& bytes, const std::string& name = "a.jpg") {
        const std::string path = dir_ + "/" + name;
        std::ofstream(path, std::ios::binary)
            .write(reinterpret_cast<const char*>(bytes.data()),
                   static_cast<std::streamsize>(bytes.size()));
        return path;
    }

    // `exiftool -n -json` of a file: numbers as numbers, GPS signed (its Composite tags).
    nlohmann::json exiftool_file(const std::string& path) {
        auto r = run("exiftool -n -json " + shell_quote(path));
        EXPECT_EQ(r.exit_code, 0) << r.err << r.out;
        const auto j = nlohmann::json::parse(r.out, nullptr, false);
        if (!j.is_array() || j.empty()) return nlohmann::json::object();
        return j[0];
    }
    nlohmann::json exiftool(const std::vector<std::byte>& bytes,
                            const std::string& name = "a.jpg") {
        return exiftool_file(write(bytes, name));
    }

    std::vector<engine::Artifact> dflab_reads(const std::vector<std::byte>& bytes,
                                              const std::string& name) {
        const auto block = engine::find_exif_block(bytes);
        if (!block) return {};
        return engine::read_exif_artifacts(*block, name);
    }

    std::string dir_ = test::temp_dir();
};

TEST_F(ExifTest, ExiftoolReadsWhatTheSpecSays) {
    const auto bytes = photo(phone_spec(), 64, 48);
    const auto x = exiftool(bytes);
    EXPECT_EQ(x.value("FileType", ""), "JPEG");
    EXPECT_EQ(x.value("ExifByteOrder", ""), "II");
    EXPECT_EQ(x.value("Make", ""), "samsung");
    EXPECT_EQ(x.value("Model", ""), "SM-A525F");
    EXPECT_EQ(x.value("Software", ""), "A525FXXU4CWB1");
    EXPECT_EQ(x.value("DateTimeOriginal", ""), formatted(kTaken + 5 * 3600, "%Y:%m:%d %H:%M:%S"));
    EXPECT_EQ(x.value("OffsetTimeOriginal", ""), "+05:00");
    EXPECT_EQ(x.value("Orientation", 0), 6);
    EXPECT_EQ(x.value("ExifImageWidth", 0), 64);
    EXPECT_EQ(x.value("ExifImageHeight", 0), 48);
    EXPECT_EQ(x.value("GPSLatitudeRef", ""), "N");
    EXPECT_EQ(x.value("GPSLongitudeRef", ""), "E");
    EXPECT_NEAR(x.value("GPSLatitude", 0.0), 43.238949, 5e-7);
    EXPECT_NEAR(x.value("GPSLongitude", 0.0), 76.945465, 5e-7);
    EXPECT_NEAR(x.value("GPSAltitude", 0.0), 852.5, 1e-9);
    EXPECT_EQ(x.value("GPSAltitudeRef", -1), 0);
    EXPECT_FALSE(x.contains("Warning")) << x.dump();

    // Still a JPEG to `file` and to libjpeg's decoder, at the pixel size asked for.
    const std::string path = write(bytes, "photo.jpg");
    auto f = run("file -b " + shell_quote(path));
    EXPECT_EQ(f.out.rfind("JPEG image data, Exif standard", 0), 0u) << f.out;
    auto d = run("djpeg -pnm " + shell_quote(path) + " | head -c 9");
    EXPECT_EQ(d.exit_code, 0) << d.err;
    EXPECT_EQ(d.out, "P6\n64 48\n");
}

TEST_F(ExifTest, SouthWestAndBelowSeaLevel) {
    images::ExifSpec s = phone_spec();
    s.gps = images::GpsPosition{-33868820, -151209296, -1234};
    s.offset_time = "-03:30";
    s.taken_local = kTaken - (3 * 3600 + 1800);
    const auto x = exiftool(photo(s));
    EXPECT_EQ(x.value("GPSLatitudeRef", ""), "S");
    EXPECT_EQ(x.value("GPSLongitudeRef", ""), "W");
    EXPECT_NEAR(x.value("GPSLatitude", 0.0), -33.86882, 5e-7);
    EXPECT_NEAR(x.value("GPSLongitude", 0.0), -151.209296, 5e-7);
    EXPECT_NEAR(x.value("GPSAltitude", 0.0), -12.34, 1e-9);
    EXPECT_EQ(x.value("GPSAltitudeRef", -1), 1);
    EXPECT_EQ(x.value("OffsetTimeOriginal", ""), "-03:30");
    const auto a = dflab_reads(photo(s), "south.jpg");
    ASSERT_EQ(a.size(), 1u);
    EXPECT_EQ(a[0].fields["gps_latitude"], -33.86882);
    EXPECT_EQ(a[0].fields["gps_longitude"], -151.209296);
    EXPECT_EQ(a[0].fields["gps_altitude"], -12.34);
    EXPECT_EQ(a[0].fields["taken_utc"], formatted(kTaken, "%Y-%m-%dT%H:%M:%SZ"));
}

TEST_F(ExifTest, DflabReadsWhatExiftoolReads) {
    const auto bytes = photo(phone_spec(), 96, 80);
    const auto x = exiftool(bytes);
    const auto artifacts = dflab_reads(bytes, "IMG_0001.jpg");
    ASSERT_EQ(artifacts.size(), 1u);
    const engine::Artifact& a = artifacts[0];
    EXPECT_EQ(a.kind, "exif");
    EXPECT_EQ(a.source, "(exif)");
    ASSERT_TRUE(a.time);
    EXPECT_EQ(*a.time, kTaken);
    EXPECT_EQ(a.time_kind, "taken");
    const auto& f = a.fields;
    EXPECT_EQ(f["make"], x["Make"]);
    EXPECT_EQ(f["model"], x["Model"]);
    EXPECT_EQ(f["software"], x["Software"]);
    EXPECT_EQ(f["taken"], x["DateTimeOriginal"]);
    EXPECT_EQ(f["offset_time"], x["OffsetTimeOriginal"]);
    // exiftool's composite SubSecDateTimeOriginal is the local time with its offset.
    EXPECT_EQ(f["taken_utc"], formatted(kTaken, "%Y-%m-%dT%H:%M:%SZ"));
    EXPECT_EQ(x.value("SubSecDateTimeOriginal", ""), x.value("DateTimeOriginal", "") + "+05:00");
    EXPECT_NEAR(f["gps_latitude"].get<double>(), x["GPSLatitude"].get<double>(), 5e-7);
    EXPECT_NEAR(f["gps_longitude"].get<double>(), x["GPSLongitude"].get<double>(), 5e-7);
    EXPECT_NEAR(f["gps_altitude"].get<double>(), x["GPSAltitude"].get<double>(), 5e-3);
    EXPECT_EQ(f["orientation"], x["Orientation"]);
    EXPECT_EQ(f["width"], x["ExifImageWidth"]);
    EXPECT_EQ(f["height"], x["ExifImageHeight"]);
}

TEST_F(ExifTest, WithoutOffsetOrGpsThereIsNoTime) {
    images::ExifSpec s = phone_spec();
    s.offset_time.clear();
    s.gps.reset();
    s.software.clear();
    s.orientation.reset();
    const auto bytes = photo(s);
    const auto x = exiftool(bytes);
    EXPECT_FALSE(x.contains("OffsetTimeOriginal"));
    EXPECT_FALSE(x.contains("GPSLatitude"));
    EXPECT_FALSE(x.contains("Software"));
    const auto a = dflab_reads(bytes, "IMG_0002.jpg");
    ASSERT_EQ(a.size(), 1u);
    EXPECT_FALSE(a[0].time);  // the zone of the camera's clock is not guessed
    EXPECT_EQ(a[0].fields["taken"], x["DateTimeOriginal"]);
    for (const char* key : {"offset_time", "taken_utc", "gps_latitude", "gps_longitude",
                            "gps_altitude", "software", "orientation"})
        EXPECT_TRUE(a[0].fields[key].is_null()) << key;
}

TEST_F(ExifTest, TheSameSpecGivesTheSameBytes) {
    const auto one = photo(phone_spec());
    EXPECT_EQ(photo(phone_spec()), one);
    images::ExifSpec other = phone_spec();
    other.model = "SM-A536B";
    EXPECT_NE(photo(other), one);
}

TEST_F(ExifTest, AJpegWithoutExifGivesNothing) {
    images::GeneratedContent g;
    g.type = "jpeg";
    const auto plain = images::generate_content(g, {42, "plain.jpg", kTaken});
    EXPECT_FALSE(engine::find_exif_block(plain));
    EXPECT_FALSE(exiftool(plain).contains("Make"));
    const std::string text = "Exif\0\0 but not a JPEG";
    EXPECT_FALSE(engine::find_exif_block(std::as_bytes(std::span(text))));
}

TEST_F(ExifTest, BadSpecsFailWithOneLine) {
    images::ExifSpec s = phone_spec();
    s.model = "Камера";
    std::string e = test::error_of([&] { images::build_exif_block(s); });
    EXPECT_NE(e.find("model"), std::string::npos) << e;
    EXPECT_EQ(e.find('\n'), std::string::npos) << e;
    s = phone_spec();
    s.offset_time = "+5";
    EXPECT_NE(test::error_of([&] { images::build_exif_block(s); }).find("offset"),
              std::string::npos);
    s = phone_spec();
    s.orientation = 9;
    EXPECT_NE(test::error_of([&] { images::build_exif_block(s); }).find("orientation"),
              std::string::npos);
}

void put_u16(std::vector<std::byte>& b, size_t at, uint16_t v) {
    b[at] = std::byte(v & 0xff);
    b[at + 1] = std::byte(v >> 8);
}
void put_u32(std::vector<std::byte>& b, size_t at, uint32_t v) {
    for (int i = 0; i < 4; ++i) b[at + i] = std::byte((v >> (8 * i)) & 0xff);
}
uint16_t get_u16(const std::vector<std::byte>& b, size_t at) {
    return static_cast<uint16_t>(std::to_integer<unsigned>(b[at]) |
                                 std::to_integer<unsigned>(b[at + 1]) << 8);
}

// Damaged blocks: exiftool warns and reads nothing of the damaged directory; dflab gives one
// `unreadable` artifact naming the file. An entry whose value lies past the end is left out by
// both, and the rest is read.
TEST_F(ExifTest, DamagedExifIsUnreadableOrPartialLikeExiftool) {
    const auto whole = photo(phone_spec());
    constexpr size_t kTiff = 12;  // SOI, APP1 marker and length, "Exif\0\0"
    ASSERT_EQ(std::to_integer<char>(whole[kTiff]), 'I');
    const size_t ifd0 = kTiff + 8;
    auto entry_of = [&](uint16_t tag) {
        for (size_t i = 0, n = get_u16(whole, ifd0); i < n; ++i)
            if (get_u16(whole, ifd0 + 2 + 12 * i) == tag) return ifd0 + 2 + 12 * i;
        ADD_FAILURE() << "no tag " << tag;
        return size_t{0};
    };
    std::vector<std::pair<std::string, std::vector<std::byte>>> cases;
    auto ifd0_offset = whole;
    put_u32(ifd0_offset, kTiff + 4, 0xFFFFFF00);
    cases.emplace_back("IFD0 offset past the end", ifd0_offset);
    auto count = whole;
    put_u16(count, ifd0, 0xFFFF);
    cases.emplace_back("IFD0 entry count past the end", count);
    auto order = whole;
    order[kTiff] = order[kTiff + 1] = std::byte{'X'};
    cases.emplace_back("no byte order", order);
    auto exif_ifd = whole;
    put_u32(exif_ifd, entry_of(0x8769) + 8, 0x7FFFFFF0);
    cases.emplace_back("Exif IFD pointer past the end", exif_ifd);
    auto gps_ifd = whole;
    put_u32(gps_ifd, entry_of(0x8825) + 8, 0x7FFFFFF0);
    cases.emplace_back("GPS IFD pointer past the end", gps_ifd);
    cases.emplace_back("file ends inside the block",
                       std::vector<std::byte>(whole.begin(), whole.begin() + 100));
    for (const auto& [what, bytes] : cases) {
        SCOPED_TRACE(what);
        std::vector<engine::Artifact> artifacts;
        EXPECT_NO_THROW(artifacts = dflab_reads(bytes, "DCIM/damaged.jpg"));
        ASSERT_EQ(artifacts.size(), 1u);
        EXPECT_EQ(artifacts[0].kind, "unreadable");
        const std::string error = artifacts[0].fields.value("error", "");
        EXPECT_NE(error.find("DCIM/damaged.jpg: damaged Exif block"), std::string::npos) << error;
        EXPECT_EQ(error.find('\n'), std::string::npos) << error;
        const auto x = exiftool(bytes, "damaged.jpg");
        EXPECT_TRUE(x.contains("Warning")) << x.dump();
    }

    auto make_offset = whole;
    put_u32(make_offset, entry_of(0x010F) + 8, 0x7FFFFFF0);
    const auto x = exiftool(make_offset, "make.jpg");
    EXPECT_NE(x.value("Warning", "").find("Make"), std::string::npos) << x.dump();
    EXPECT_FALSE(x.contains("Make"));
    const auto artifacts = dflab_reads(make_offset, "make.jpg");
    ASSERT_EQ(artifacts.size(), 1u);
    EXPECT_EQ(artifacts[0].kind, "exif");
    EXPECT_TRUE(artifacts[0].fields["make"].is_null());
    EXPECT_EQ(artifacts[0].fields["model"], x["Model"]);
    EXPECT_EQ(artifacts[0].fields["taken"], x["DateTimeOriginal"]);

    uint32_t state = 4242;
    auto next = [&] { return state = state * 1103515245u + 12345u; };
    for (int round = 0; round < 300; ++round) {
        auto bytes = whole;
        for (int n = 1 + static_cast<int>(next() % 8); n > 0; --n)
            bytes[2 + next() % 600] = static_cast<std::byte>(next() >> 24);
        std::vector<engine::Artifact> found;
        EXPECT_NO_THROW(found = dflab_reads(bytes, "x.jpg")) << round;
        EXPECT_LE(found.size(), 1u) << round;
    }
}

// `generate: {type: jpeg, exif: ...}` in a recipe: mistakes at their lines, then a FAT image
// with photos in DCIM/Camera that `dflab artifacts` and `dflab analyze` list with what exiftool
// reads from the files icat extracts.
class ExifRecipe : public ExifTest {
  protected:
    std::string parse_error(const std::string& fields) {
        const std::string path = dir_ + "/recipe.yaml";
        std::ofstream(path) << "start: 2024-03-01T10:00:00Z\n"        // 1
                               "disk:\n"                              // 2
                               "  size: 16MiB\n"                      // 3
                               "  partitions:\n"                      // 4
                               "    - {id: p1, filesystem: fat16}\n"  // 5
                               "actions:\n"                           // 6
                               "  - write: /a.jpg\n"                  // 7
                               "    generate:\n"                      // 8
                               "      type: jpeg\n"                   // 9
                               "      exif:\n"                        // 10
                            << fields;                                // 11...
        try {
            images::parse_recipe(path, {});
        } catch (const images::RecipeError& e) {
            return e.what();
        }
        return "";
    }
};

TEST_F(ExifRecipe, MistakesAreReportedAtTheirLines) {
    auto at_line = [&](const std::string& message, int line, const std::string& part) {
        EXPECT_NE(message.find("recipe.yaml:" + std::to_string(line) + ":"), std::string::npos)
            << message;
        EXPECT_NE(message.find(part), std::string::npos) << message;
        EXPECT_EQ(message.find('\n'), std::string::npos) << message;
    };
    const std::string camera =
        "        make: samsung\n"
        "        model: SM-A525F\n";  // 11, 12
    EXPECT_EQ(parse_error(camera + "        taken: 2024-03-01T19:30:00+05:00\n"
                                   "        gps: {latitude: -43.5, longitude: 76, altitude: -3}\n"),
              "");
    const std::string no_taken = parse_error(camera);
    EXPECT_NE(no_taken.find("needs the key 'taken'"), std::string::npos) << no_taken;
    const std::string taken = "        taken: 2024-03-01T19:30:00Z\n";  // 13
    at_line(parse_error(camera + taken + "        offset_time: '+5'\n"), 14, "offset");
    at_line(parse_error(camera + taken + "        gps: {latitude: 91, longitude: 0}\n"), 14,
            "-90 to 90");
    at_line(parse_error(camera + taken + "        gps: {latitude: 43.2389491, longitude: 0}\n"), 14,
            "at most 6 decimals");
    at_line(parse_error(camera + taken + "        gps: {latitude: north, longitude: 0}\n"), 14,
            "decimal number");
    at_line(parse_error(camera + taken + "        orientation: 9\n"), 14, "orientation");
    at_line(parse_error("        make: Зенит\n        model: E\n" + taken), 11, "ASCII");
    at_line(parse_error(camera + taken + "        lens: 50mm\n"), 14, "lens");
}

TEST_F(ExifRecipe, PhotosInDcimListedByTheArtifactsCommandAndAnalyze) {
    const std::string recipe = dir_ + "/phone.yaml";
    std::ofstream(recipe) << "name: card\n"
                             "start: 2024-03-01T09:00:00Z\n"
                             "timezone: Europe/Moscow\n"
                             "disk:\n"
                             "  size: 16MiB\n"
                             "  table: none\n"
                             "  partitions:\n"
                             "    - {id: c, filesystem: fat16}\n"
                             "actions:\n"
                             "  - mkdir: /DCIM\n"
                             "  - mkdir: /DCIM/Camera\n"
                             "  - write: /DCIM/Camera/IMG_0001.jpg\n"
                             "    generate:\n"
                             "      type: jpeg\n"
                             "      width: 160\n"
                             "      height: 120\n"
                             "      exif:\n"
                             "        make: samsung\n"
                             "        model: SM-A525F\n"
                             "        software: A525FXXU4CWB1\n"
                             "        taken: 2024-03-01T14:30:00Z\n"
                             "        offset_time: '+05:00'\n"
                             "        orientation: 1\n"
                             "        gps: {latitude: 43.238949, longitude: 76.945465, "
                             "altitude: 852.5}\n"
                             "  - write: /DCIM/Camera/IMG_0002.jpg\n"
                             "    generate:\n"
                             "      type: jpeg\n"
                             "      exif:\n"
                             "        make: Apple\n"
                             "        model: iPhone 12\n"
                             "        taken: 2024-03-02T08:15:00Z\n"
                             "  - write: /DCIM/plain.jpg\n"
                             "    generate: {type: jpeg}\n";
    auto built =
        test::dflab("image build " + shell_quote(recipe) + " -o " + shell_quote(dir_ + "/out"));
    ASSERT_EQ(built.exit_code, 0) << built.err;
    const std::string raw = dir_ + "/out/card.raw";
    std::map<std::string, std::string> inodes;
    for (const auto& e : test::fls(raw)) inodes[e.path] = e.inode;
    int extractions = 0;
    auto extracted = [&](const std::string& path) {
        EXPECT_TRUE(inodes.count(path)) << "fls does not list " << path;
        const std::string out = dir_ + "/extracted" + std::to_string(++extractions) + ".jpg";
        auto cat = run("icat " + shell_quote(raw) + " " + inodes[path] + " > " + shell_quote(out));
        EXPECT_EQ(cat.exit_code, 0) << cat.err;
        return exiftool_file(out);
    };
    const auto one = extracted("/DCIM/Camera/IMG_0001.jpg");
    const auto two = extracted("/DCIM/Camera/IMG_0002.jpg");
    // The recipe's values, as exiftool reads them from the image's files.
    EXPECT_EQ(one.value("Make", ""), "samsung");
    EXPECT_EQ(one.value("DateTimeOriginal", ""), "2024:03:01 19:30:00");
    EXPECT_NEAR(one.value("GPSLatitude", 0.0), 43.238949, 5e-7);
    EXPECT_NEAR(one.value("GPSLongitude", 0.0), 76.945465, 5e-7);
    EXPECT_NEAR(one.value("GPSAltitude", 0.0), 852.5, 1e-9);
    // Without offset_time the camera's clock is the recipe's timezone, as `date` tells it.
    auto moscow = run("TZ=Europe/Moscow date -d @1709367300 '+%Y:%m:%d %H:%M:%S'");
    ASSERT_EQ(moscow.exit_code, 0) << moscow.err;
    EXPECT_EQ(two.value("DateTimeOriginal", "") + "\n", moscow.out);
    EXPECT_FALSE(two.contains("OffsetTimeOriginal"));

    auto r = test::dflab("artifacts " + shell_quote(raw) + " --kind exif --json");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    std::map<std::string, nlohmann::json> found;
    for (const auto& line : test::lines(r.out))
        if (!line.empty()) {
            auto j = nlohmann::json::parse(line);
            found[j["path"].get<std::string>()] = j;
        }
    ASSERT_EQ(found.size(), 2u) << r.out;  // the plain JPEG has no Exif: nothing
    const auto& a = found["/DCIM/Camera/IMG_0001.jpg"];
    EXPECT_EQ(a["kind"], "exif");
    EXPECT_EQ(a["inode"], inodes["/DCIM/Camera/IMG_0001.jpg"]);
    EXPECT_EQ(a["time"], "2024-03-01T14:30:00Z");
    EXPECT_EQ(a["time_kind"], "taken");
    const auto& f = a["fields"];
    EXPECT_EQ(f["make"], one["Make"]);
    EXPECT_EQ(f["model"], one["Model"]);
    EXPECT_EQ(f["software"], one["Software"]);
    EXPECT_EQ(f["taken"], one["DateTimeOriginal"]);
    EXPECT_EQ(f["offset_time"], one["OffsetTimeOriginal"]);
    EXPECT_NEAR(f["gps_latitude"].get<double>(), one["GPSLatitude"].get<double>(), 5e-7);
    EXPECT_NEAR(f["gps_longitude"].get<double>(), one["GPSLongitude"].get<double>(), 5e-7);
    EXPECT_NEAR(f["gps_altitude"].get<double>(), one["GPSAltitude"].get<double>(), 5e-3);
    EXPECT_EQ(f["orientation"], one["Orientation"]);
    EXPECT_EQ(f["width"], one["ExifImageWidth"]);
    EXPECT_EQ(f["height"], one["ExifImageHeight"]);
    const auto& b = found["/DCIM/Camera/IMG_0002.jpg"];
    EXPECT_TRUE(b["time"].is_null());
    EXPECT_EQ(b["fields"]["model"], two["Model"]);
    EXPECT_EQ(b["fields"]["taken"], two["DateTimeOriginal"]);
    EXPECT_TRUE(b["fields"]["taken_utc"].is_null());

    const std::string case_path = dir_ + "/case.sqlite";
    auto analyzed = test::dflab("analyze " + shell_quote(raw) + " -o " + shell_quote(case_path));
    ASSERT_EQ(analyzed.exit_code, 0) << analyzed.err;
    auto sql =
        run("sqlite3 -batch -noheader " + shell_quote(case_path) + " " +
            shell_quote("SELECT f.path, a.time, json_extract(a.fields, '$.model'), "
                        "json_extract(a.fields, '$.gps_latitude') FROM artifacts a JOIN "
                        "files f ON f.id = a.file_id WHERE a.kind = 'exif' ORDER BY f.path"));
    ASSERT_EQ(sql.exit_code, 0) << sql.err;
    EXPECT_EQ(sql.out,
              "/DCIM/Camera/IMG_0001.jpg|2024-03-01T14:30:00Z|SM-A525F|43.238949\n"
              "/DCIM/Camera/IMG_0002.jpg||iPhone 12|\n");
}

}  // namespace
}  // namespace dflab
