// Exercise packs and times: NTFS $FILE_NAME times (timestomping) against istat and the truth,
// and FAT read in the pack image's zone against fls -z.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>

#include "exercises/pack_loader.hpp"
#include "exercises/pack_validator.hpp"
#include "exercises/solution.hpp"
#include "images/recipe_parser.hpp"
#include "tests/oracle.hpp"
#include "tests/support/fixtures.hpp"
#include "tests/support/pack_helpers.hpp"

namespace fs = std::filesystem;
using namespace dflab;
using namespace dflab::test;

namespace {

// istat's time blocks: "$STANDARD_INFORMATION" and "$FILE_NAME" -> "Created" etc. -> the
// "YYYY-MM-DDTHH:MM:SSZ" istat prints in UTC.
std::map<std::string, std::map<std::string, std::string>> istat_times(const std::string& image,
                                                                      uint64_t start,
                                                                      const std::string& entry) {
    auto r =
        run("TZ=UTC istat -o " + std::to_string(start) + " " + shell_quote(image) + " " + entry);
    std::map<std::string, std::map<std::string, std::string>> out;
    std::string block;
    std::regex time_line(
        "^(Created|File Modified|MFT Modified|Accessed):\\s+(\\d{4}-\\d\\d-\\d\\d) "
        "(\\d\\d:\\d\\d:\\d\\d)");
    for (auto& line : lines(r.out)) {
        if (line.rfind("$STANDARD_INFORMATION Attribute Values", 0) == 0) block = "si";
        if (line.rfind("$FILE_NAME Attribute Values", 0) == 0) block = "fn";
        if (line.rfind("Attributes:", 0) == 0) block.clear();
        std::smatch m;
        if (!block.empty() && std::regex_search(line, m, time_line))
            out[block][m[1]] = m[2].str() + "T" + m[3].str() + "Z";
    }
    return out;
}

const char* kStompRecipe = R"(name: stomp
seed: 7
timezone: UTC
start: 2024-02-12T10:00:00
disk:
  size: 32MiB
  table: mbr
  partitions:
    - id: win
      filesystem: ntfs
actions:
  - mkdir: /Tools
  - at: 2024-02-12T10:15:00
    write: /Tools/setup.jpg
    id: stomped
    generate: {type: jpeg}
  - stream: /Tools/setup.jpg
    name: Zone.Identifier
    text: "[ZoneTransfer]\r\nZoneId=3\r\n"
  - at: 2024-02-12T11:00:00
    write: /Tools/readme.txt
    id: plain
    text: "nothing here\n"
  - at: 2024-02-12T12:00:00
    touch: /Tools/setup.jpg
    crtime: 2019-03-01T08:00:00
    mtime: 2019-03-01T08:00:00
)";

}  // namespace

TEST(NtfsFileNameTimes, TimestompingIsDerivedAndAgreesWithIstatAndTheTruth) {
    std::string dir = temp_dir();
    write_file(dir + "/stomp.yaml", kStompRecipe);
    auto built = test::dflab("image build " + shell_quote(dir + "/stomp.yaml") + " -o " +
                             shell_quote(dir + "/out") + " --format raw");
    ASSERT_EQ(built.exit_code, 0) << built.err;
    std::string image = dir + "/out/stomp.raw";
    uint64_t start = 0;
    for (auto& s : mmls(image))
        if (s.description.find("NTFS") != std::string::npos) start = s.start;
    ASSERT_GT(start, 0u);
    std::string offset = "-o " + std::to_string(start) + " ";
    // Oracle: istat's two blocks, file by file; timestomped: $SI created before $FN created.
    std::vector<std::string> stomped;
    std::string setup_entry;
    for (auto& f : fls(image, start)) {
        if (!f.allocated || f.type != "r/r" || f.path.rfind("/$", 0) == 0) continue;
        std::string entry = f.inode.substr(0, f.inode.find('-'));
        auto t = istat_times(image, start, entry);
        ASSERT_TRUE(t.count("si") && t.count("fn")) << f.path;
        if (t["si"]["Created"] < t["fn"]["Created"]) stomped.push_back(f.path);
        if (f.path == "/Tools/setup.jpg") setup_entry = entry;
    }
    std::sort(stomped.begin(), stomped.end());
    ASSERT_FALSE(stomped.empty());
    ASSERT_FALSE(setup_entry.empty());
    auto istat = istat_times(image, start, setup_entry);

    auto env = analysed(image, "-k ZoneTransfer");
    auto q = question({{"partition", 2},
                       {"find", {{"type", "file"}, {"deleted", false}, {"all", true}}},
                       {"where", {{"crtime", {{"<", {{"field", "fn_crtime"}}}}}}},
                       {"field", "path"},
                       {"unique", nullptr}},
                      "set");
    q.options = {{"element_type", "path"}};
    EXPECT_EQ(exercises::solve(q, env).answer, nlohmann::json(stomped));
    // The entry's four $FILE_NAME times are istat's.
    auto one = question(
        {{"partition", 2}, {"find", {{"path", "/Tools/setup.jpg"}}}, {"field", "fn_crtime"}},
        "timestamp");
    EXPECT_EQ(exercises::solve(one, env).answer, istat["fn"]["Created"]);
    for (auto [field, label] : {std::pair{"fn_mtime", "File Modified"},
                                {"fn_ctime", "MFT Modified"},
                                {"fn_atime", "Accessed"},
                                {"crtime", "Created"}}) {
        auto f =
            question({{"partition", 2}, {"find", {{"path", "/Tools/setup.jpg"}}}, {"field", field}},
                     "timestamp");
        std::string block = std::string(field).rfind("fn_", 0) == 0 ? "fn" : "si";
        EXPECT_EQ(exercises::solve(f, env).answer, istat[block][label]) << field;
    }
    // The truth manifest has both blocks too, and expect: can compare with them.
    auto truth = nlohmann::json::parse(read_file(dir + "/out/stomp.truth.json"));
    for (auto& a : truth["artifacts"])
        if (a["id"] == "stomped") {
            EXPECT_EQ(a["fn_crtime"], istat["fn"]["Created"]);
            EXPECT_EQ(a["fn_mtime"], istat["fn"]["File Modified"]);
            EXPECT_EQ(a["crtime"], istat["si"]["Created"]);
        }
    env.images["disk"].truth = dir + "/out/stomp.truth.json";
    one.expect = exercises::Expectation{};
    one.expect->artifacts = {"stomped"};
    one.expect->field = "fn_crtime";
    EXPECT_NO_THROW(exercises::solve(one, env));
    one.expect->field = "crtime";  // the stomped time is not the $FILE_NAME one
    EXPECT_NE(solve_error(one, env).find("truth manifest"), std::string::npos);
    // The timeline step has the $FILE_NAME birth at 10:15, where $SI says 2019.
    auto tl = question(
        {{"timeline",
          {{"from", "2024-02-12T10:14:00Z"}, {"to", "2024-02-12T10:16:00Z"}, {"event", "b"}}},
         {"where", {{"path", "/Tools/setup.jpg"}}},
         {"field", "file_name"}},
        "set");
    tl.options = {{"element_type", "text"}};
    EXPECT_EQ(exercises::solve(tl, env).answer, nlohmann::json({"true"}));
    EXPECT_EQ(istat["fn"]["Created"], "2024-02-12T10:15:00Z");
    // Keyword hits: the resident Zone.Identifier is inside $MFT too; metadata_files: false
    // leaves NTFS's own files out. Oracle: icat of each file, grep.
    std::vector<std::string> with_text;
    for (auto& f : fls(image, start))
        if (f.allocated && f.type == "r/r" && f.path.rfind("/$", 0) != 0) {
            auto g = run("icat " + offset + shell_quote(image) + " " + f.inode +
                         " | grep -ac ZoneTransfer");
            if (std::atoi(g.out.c_str()) > 0) with_text.push_back(f.path);
        }
    ASSERT_FALSE(with_text.empty());
    auto s = question({{"search", {{"term", "ZoneTransfer"}, {"metadata_files", false}}},
                       {"where", {{"path", {{"!=", nullptr}}}}},
                       {"field", "path"},
                       {"unique", nullptr}},
                      "set");
    s.options = {{"element_type", "path"}};
    EXPECT_EQ(exercises::solve(s, env).answer, nlohmann::json(with_text));
    // A Zone.Identifier is no extension mismatch of its JPEG host (sqlite3 reads the case).
    std::string db = env.images["disk"].case_db.string();
    auto flagged =
        run("sqlite3 " + shell_quote(db) +
            " \"SELECT path FROM files WHERE extension_mismatch = 1 AND path LIKE '/Tools/%'\"");
    EXPECT_EQ(flagged.exit_code, 0) << flagged.err;
    EXPECT_EQ(flagged.out, "") << flagged.out;
    auto mime = run("sqlite3 " + shell_quote(db) +
                    " \"SELECT mime FROM files WHERE path = '/Tools/setup.jpg:Zone.Identifier'\"");
    EXPECT_EQ(mime.out, "text/plain\n");
}

namespace {

const char* kAlmatyRecipe = R"(name: almaty
timezone: Asia/Almaty
disk:
  size: 8MiB
  table: none
  partitions:
    - id: stick
      filesystem: fat16
actions:
  - at: 2024-11-13T18:10:02
    write: /sale.txt
    id: sale
    text: sold
)";

}  // namespace

TEST(FatZone, SolutionsReadFatInThePackImagesZone) {
    std::string dir = temp_dir();
    write_file(dir + "/almaty.yaml", kAlmatyRecipe);
    auto built = test::dflab("image build " + shell_quote(dir + "/almaty.yaml") + " -o " +
                             shell_quote(dir + "/out") + " --format raw");
    ASSERT_EQ(built.exit_code, 0) << built.err;
    auto env = environment(dir + "/out/almaty.raw");
    env.images["disk"].truth = dir + "/out/almaty.truth.json";
    auto q = question({{"find", {{"path", "/sale.txt"}}}, {"field", "mtime"}}, "timestamp");
    q.expect = exercises::Expectation{};
    q.expect->artifacts = {"sale"};
    q.expect->field = "mtime";
    // Oracle: fls -z Asia/Almaty reads the instant, as seconds; GNU date writes it in UTC.
    auto fls = run("fls -z Asia/Almaty -m / " + shell_quote(dir + "/out/almaty.raw") +
                   " | grep sale.txt | cut -d'|' -f9");
    auto iso = run("date -u -d @" + fls.out.substr(0, fls.out.find('\n')) + " +%Y-%m-%dT%H:%M:%SZ");
    EXPECT_EQ(iso.out, "2024-11-13T13:10:02Z\n");
    env.images["disk"].fat_zone = "Asia/Almaty";
    auto solved = exercises::solve(q, env);
    EXPECT_NE(solved.answer.dump().find("2024-11-13T13:10:02"), std::string::npos) << solved.answer;
    // Read in UTC (the wrong zone) the answer is five hours late, and the truth says so.
    env.images["disk"].fat_zone = "UTC";
    EXPECT_NE(solve_error(q, env).find("truth"), std::string::npos);
}
