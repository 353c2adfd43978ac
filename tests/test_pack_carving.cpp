// `dflab pack build` on the shipped carving pack: identical bundles on every build, the recipe the
// same as the example's, and every key answer as independent tools and the builder's truth
// manifest give it on each variant's card: foremost carves the card, exiftool reads the carved
// photos' Exif, mmls, fls, icat and file(1) find the disguised document, dd and xxd read the bytes
// the truth manifest places. foremost recovers every photo but the one in two fragments intact;
// dflab recovers that one too (its SHA-256 is the planted photo's).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <ctime>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "tests/oracle.hpp"
#include "tests/support/built_intro.hpp"
#include "tests/support/fixtures.hpp"
#include "tests/support/shipped_pack.hpp"

namespace fs = std::filesystem;
using namespace dflab::test;

namespace {

const fs::path kPack = fs::path(DFLAB_SOURCE_DIR) / "exercises/packs/carving";

const fs::path& built() {
    static const fs::path out = built_shipped_pack("carving");
    return out;
}

const nlohmann::json& answer(const std::string& id, int variant) {
    return key_answer(built(), id, variant);
}

// The truth manifest's artifacts of the variant's card, by id.
std::map<std::string, nlohmann::json> truth(int variant) {
    const auto manifest = nlohmann::json::parse(read_file(
        (built() / "instructor/truth" / ("variant-" + std::to_string(variant)) / "card.truth.json")
            .string()));
    std::map<std::string, nlohmann::json> by_id;
    for (const auto& a : manifest["artifacts"]) by_id[a["id"].get<std::string>()] = a;
    return by_id;
}

std::string card(int variant) {
    return participant_image(built(), variant, "camera-card.raw");
}

// The JPEGs foremost carves from the card, with their SHA-256 (sha256sum).
std::map<std::string, std::string> foremost_jpegs(const std::string& image) {
    const std::string out = temp_dir() + "/foremost";
    auto r = run("foremost -q -t jpg,png -i " + shell_quote(image) + " -o " + shell_quote(out));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::map<std::string, std::string> files;
    if (!fs::exists(out + "/jpg")) return files;
    for (const auto& f : fs::directory_iterator(out + "/jpg")) {
        auto sum = run("sha256sum " + shell_quote(f.path().string()));
        files[f.path().string()] = sum.out.substr(0, 64);
    }
    return files;
}

// exiftool's tags of `file` (-n: numbers as numbers).
nlohmann::json exif_of(const std::string& file) {
    auto r =
        run("exiftool -n -json -Model -DateTimeOriginal -OffsetTimeOriginal -GPSLatitude "
            "-GPSLongitude " +
            shell_quote(file));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return nlohmann::json::parse(r.out).at(0);
}

// DateTimeOriginal at OffsetTimeOriginal as UTC seconds.
int64_t taken_utc(const nlohmann::json& tags) {
    std::tm tm{};
    const std::string local = tags.value("DateTimeOriginal", "");
    EXPECT_NE(strptime(local.c_str(), "%Y:%m:%d %H:%M:%S", &tm), nullptr) << tags.dump();
    const std::string offset = tags.value("OffsetTimeOriginal", "+00:00");
    const int64_t shift = (offset[0] == '-' ? -1 : 1) * (std::stoi(offset.substr(1, 2)) * 3600 +
                                                         std::stoi(offset.substr(4, 2)) * 60);
    return timegm(&tm) - shift;
}

// The FAT partition's first sector, as mmls prints it.
std::string partition_start(const std::string& image) {
    auto r = run("mmls " + shell_quote(image));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    for (const auto& line : lines(r.out))
        if (line.find("FAT16") != std::string::npos || line.find("DOS FAT") != std::string::npos) {
            std::vector<std::string> cells;
            for (size_t at = 0, next; at < line.size(); at = next + 1) {
                next = line.find_first_of(" \t", at);
                if (next == std::string::npos) next = line.size();
                if (next > at) cells.push_back(line.substr(at, next - at));
            }
            if (cells.size() > 2) return std::to_string(std::stoll(cells[2]));
        }
    ADD_FAILURE() << "no FAT partition in mmls: " << r.out;
    return "0";
}

TEST(PackCarving, ThePackBuildsTheExampleRecipe) {
    EXPECT_EQ(read_file((kPack / "images/card.yaml").string()),
              read_file((fs::path(DFLAB_SOURCE_DIR) / "images/examples/camera-card.yaml").string()))
        << "images/card.yaml is a copy of images/examples/camera-card.yaml";
}

TEST(PackCarving, TwoBuildsGiveIdenticalBundles) {
    EXPECT_EQ(rebuild_differences(kPack, built()), "");
}

TEST(PackCarving, PhotoAnswersAgreeWithForemostExiftoolAndTheTruth) {
    for (int v : {0, 1}) {
        SCOPED_TRACE("variant " + std::to_string(v));
        const auto t = truth(v);
        std::set<std::string> planted;  // the photos from before the format
        for (const auto& [id, a] : t)
            if (id.rfind("photo_", 0) == 0 && a["kind"] == "hidden") planted.insert(a["sha256"]);
        ASSERT_EQ(planted.size(), 5u);
        EXPECT_EQ(answer("carved-photos", v), planted.size());

        // foremost: every planted photo but the split one, byte for byte.
        const auto carved = foremost_jpegs(card(v));
        std::set<std::string> intact;
        std::vector<std::string> intact_files;
        for (const auto& [file, sum] : carved)
            if (planted.count(sum) && intact.insert(sum).second) intact_files.push_back(file);
        const std::string split = t.at("photo_3")["sha256"];
        EXPECT_EQ(intact.size(), 4u);
        EXPECT_EQ(intact.count(split), 0u) << "foremost was expected to break the split photo";

        std::set<std::string> models;
        int64_t earliest = INT64_MAX;
        std::optional<nlohmann::json> branch;
        for (const auto& file : intact_files) {
            const auto tags = exif_of(file);
            models.insert(tags.value("Model", ""));
            earliest = std::min(earliest, taken_utc(tags));
            if (tags.value("DateTimeOriginal", "") == "2025:04:29 10:41:17") branch = tags;
        }
        ASSERT_EQ(models.size(), 1u);
        EXPECT_EQ(answer("camera", v), *models.begin());
        EXPECT_EQ(answer("first-photo", v), iso_utc(earliest));
        ASSERT_TRUE(branch);
        const std::string place = answer("branch-location", v);
        const size_t comma = place.find(',');
        ASSERT_NE(comma, std::string::npos) << place;
        EXPECT_NEAR(std::stod(place.substr(0, comma)), (*branch)["GPSLatitude"].get<double>(),
                    1e-6);
        EXPECT_NEAR(std::stod(place.substr(comma + 1)), (*branch)["GPSLongitude"].get<double>(),
                    1e-6);

        // The split photo: its fragments as the builder placed them; its Exif from the first
        // fragment alone, cut out with dd.
        const auto& fragments = t.at("photo_3")["fragments"];
        ASSERT_EQ(fragments.size(), 2u);
        EXPECT_EQ(answer("fragmented-offset", v), fragments[1]["offset"]);
        EXPECT_EQ(answer("fragmented-hash", v), (nlohmann::json{{"sha256", split}}));
        const std::string first = temp_dir() + "/first.jpg";
        auto dd =
            run("dd if=" + shell_quote(card(v)) + " of=" + shell_quote(first) +
                " bs=1024 skip=" + std::to_string(fragments[0]["offset"].get<uint64_t>() / 1024) +
                " count=" + std::to_string(fragments[0]["length"].get<uint64_t>() / 1024) +
                " status=none");
        ASSERT_EQ(dd.exit_code, 0) << dd.err;
        ASSERT_EQ(fragments[0]["offset"].get<uint64_t>() % 1024, 0u);
        EXPECT_EQ(answer("fragmented-time", v), iso_utc(taken_utc(exif_of(first))));

        // The screenshot: where the builder put it, and the PNG signature there.
        const uint64_t png_at = t.at("screenshot")["image_offset"];
        EXPECT_EQ(answer("screenshot-offset", v), png_at);
        auto sig = run("xxd -p -s " + std::to_string(png_at) + " -l 8 " + shell_quote(card(v)));
        EXPECT_EQ(sig.out, "89504e470d0a1a0a\n");
    }
}

TEST(PackCarving, TheDisguisedDocumentIsTheJpgThatFileCallsAWordDocument) {
    const std::string image = card(0);
    const std::string start = partition_start(image);
    auto fls = run("fls -r -p -o " + start + " " + shell_quote(image));
    ASSERT_EQ(fls.exit_code, 0) << fls.err;
    const auto listing = parse_fls(fls.out);
    std::vector<std::pair<std::string, std::string>> not_jpeg;  // path, file -b
    for (const auto& e : listing) {
        if (!e.allocated || e.type != "r/r" || !ends_with(e.path, ".JPG")) continue;
        const std::string out = temp_dir() + "/entry";
        auto icat = run("icat -o " + start + " " + shell_quote(image) + " " + e.inode + " > " +
                        shell_quote(out));
        ASSERT_EQ(icat.exit_code, 0) << icat.err;
        auto mime = run("file -b --mime-type " + shell_quote(out));
        if (lines(mime.out).at(0) != "image/jpeg")
            not_jpeg.emplace_back(e.path, run("file -b " + shell_quote(out)).out);
    }
    ASSERT_EQ(not_jpeg.size(), 1u);
    EXPECT_EQ(answer("disguised-file", 0), not_jpeg.front().first);
    EXPECT_NE(not_jpeg.front().second.find("Microsoft Word 2007+"), std::string::npos)
        << not_jpeg.front().second;
    EXPECT_EQ(answer("disguised-type", 0), "docx");
}

TEST(PackCarving, VariantsDifferInTheBranchCornerOnly) {
    EXPECT_NE(answer("branch-location", 0), answer("branch-location", 1));
    EXPECT_NE(answer("fragmented-hash", 0), answer("fragmented-hash", 1));  // its GPS differs
    for (const char* id : {"carved-photos", "camera", "first-photo", "fragmented-time",
                           "disguised-file", "disguised-type"})
        EXPECT_EQ(answer(id, 0), answer(id, 1)) << id;
}

}  // namespace
