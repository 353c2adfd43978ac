// dflab image build: reproducible images from the example recipes, their truth manifests checked
// against TSK's tools (mmls, fls, icat), dd and ewfverify, and the errors a trainer can make.
#include <gtest/gtest.h>

#include <array>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tests/support/fixtures.hpp"

namespace dflab {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using test::dflab;
using test::run;
using test::shell_quote;

const std::string kExamples = std::string(DFLAB_SOURCE_DIR) + "/images/examples/";

struct Built {
    std::string dir, raw;
    json truth;
};

Built build(const std::string& recipe, const std::string& extra = "", const std::string& env = "") {
    Built b;
    b.dir = test::temp_dir();
    auto r = run(env + " " + shell_quote(DFLAB_BINARY) + " image build " +
                 shell_quote(kExamples + recipe) + " -o " + shell_quote(b.dir) + " " + extra);
    EXPECT_EQ(r.exit_code, 0) << recipe << ": " << r.err;
    for (const auto& e : fs::directory_iterator(b.dir)) {
        if (e.path().extension() == ".raw") b.raw = e.path();
        if (e.path().string().ends_with(".truth.json"))
            b.truth = json::parse(std::ifstream(e.path()));
    }
    return b;
}

std::string sha256_of(const std::string& command) {
    return run(command + " | sha256sum").out.substr(0, 64);
}

class ExampleRecipe : public ::testing::TestWithParam<std::string> {};

TEST_P(ExampleRecipe, BuildsTheSameBytesTwiceAndItsTruthHolds) {
    auto first = build(GetParam());
    ASSERT_FALSE(first.raw.empty());
    // Again, elsewhere, in another time zone, a second later: the same bytes.
    run("sleep 1");
    auto second = build(GetParam(), "", "TZ=Asia/Tokyo");
    EXPECT_EQ(sha256_of("cat " + shell_quote(first.raw)),
              sha256_of("cat " + shell_quote(second.raw)));
    EXPECT_EQ(first.truth["image"]["sha256"], sha256_of("cat " + shell_quote(first.raw)));
    EXPECT_EQ(first.truth["image"]["size"], fs::file_size(first.raw));

    // Partitions: where mmls (or a bare file system) says.
    std::map<int, uint64_t> start_of;
    for (const auto& p : first.truth["partitions"]) start_of[p["index"]] = p["start"];
    auto mmls = run("mmls " + shell_quote(first.raw));
    for (const auto& [index, start] : start_of) {
        if (mmls.exit_code != 0) {
            EXPECT_EQ(start, 0u);  // no table: a bare file system
            continue;
        }
        char slot[16];
        std::snprintf(slot, sizeof slot, "%03d:", index);
        bool found = false;
        for (const auto& line : test::lines(mmls.out)) {
            if (line.rfind(slot, 0) == 0)
                found = line.find(std::to_string(start)) != std::string::npos;
        }
        EXPECT_TRUE(found) << "partition " << index << " at " << start << "\n" << mmls.out;
    }
    // Artifacts: content by address with icat, allocation with fls, hidden data with dd.
    for (const auto& a : first.truth["artifacts"]) {
        SCOPED_TRACE(a.dump());
        if (a["kind"] == "hidden" || a["kind"] == "slack") {
            uint64_t offset = a["image_offset"], size = a["size"];
            EXPECT_EQ(sha256_of("tail -c +" + std::to_string(offset + 1) + " " +
                                shell_quote(first.raw) + " | head -c " + std::to_string(size)),
                      a["sha256"]);
            continue;
        }
        const std::string o = "-o " + std::to_string(start_of.at(a["partition"])) + " ";
        EXPECT_EQ(
            sha256_of("icat " + o + shell_quote(first.raw) + " " + a["inode"].get<std::string>()),
            a["sha256"]);
        auto fls = run("fls -r -p " + o + shell_quote(first.raw));
        bool listed = false;
        for (const auto& line : test::lines(fls.out)) {
            const std::string inode = a["inode"];
            if (line.find(" " + inode + ":\t") == std::string::npos &&
                line.find(" " + inode + "(realloc):\t") == std::string::npos)
                continue;
            const bool deleted = line.find(" * ") != std::string::npos;
            if (a["allocated"] && !deleted)
                listed |= "/" + line.substr(line.find('\t') + 1) == a["path"];
            if (!a["allocated"] && deleted) listed = true;
        }
        EXPECT_TRUE(listed) << fls.out;
    }
    fs::remove_all(first.dir);
    fs::remove_all(second.dir);
}

INSTANTIATE_TEST_SUITE_P(Examples, ExampleRecipe,
                         ::testing::Values("fat16-bare.yaml", "usb-fat32-mbr.yaml", "ext4-gpt.yaml",
                                           "ntfs-ads.yaml"));

TEST(ImageBuild, VariantsDifferButEachIsReproducible) {
    auto v0 = build("usb-fat32-mbr.yaml");
    auto v1 = build("usb-fat32-mbr.yaml", "--variant 1");
    auto v1_again = build("usb-fat32-mbr.yaml", "--variant 1");
    EXPECT_NE(v0.truth["image"]["sha256"], v1.truth["image"]["sha256"]);
    EXPECT_NE(v0.truth["variables"], v1.truth["variables"]);
    EXPECT_EQ(v1.truth["image"]["sha256"], v1_again.truth["image"]["sha256"]);
    for (auto* b : {&v0, &v1, &v1_again}) fs::remove_all(b->dir);
}

TEST(ImageBuild, E01AndSplitOutputsHoldTheSameMedia) {
    auto b = build("fat16-bare.yaml", "--format raw,e01,split");
    const std::string base = fs::path(b.raw).replace_extension("").string();
    auto verify = run("ewfverify -q " + shell_quote(base + ".E01"));
    EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
    ASSERT_EQ(run("ewfexport -q -u -f raw -t " + shell_quote(b.dir + "/exported") + " " +
                  shell_quote(base + ".E01"))
                  .exit_code,
              0);
    EXPECT_EQ(sha256_of("cat " + shell_quote(b.dir + "/exported.raw")), b.truth["image"]["sha256"]);
    EXPECT_EQ(sha256_of("cat " + shell_quote(base) + ".0*"), b.truth["image"]["sha256"]);
    fs::remove_all(b.dir);
}

TEST(ImageBuild, ProgressIsDrawnOnATerminalOnly) {
    const std::string dir = test::temp_dir();
    const std::string command = shell_quote(DFLAB_BINARY) + " image build " +
                                shell_quote(kExamples + "fat16-bare.yaml") + " --format e01 -o ";
    auto piped = run(command + shell_quote(dir + "/piped"));
    ASSERT_EQ(piped.exit_code, 0) << piped.err;
    EXPECT_EQ(piped.err, "");  // nothing in pipes and logs
    // script(1) gives the command a terminal; its output is the terminal's.
    auto tty =
        run("script -qec " + shell_quote(command + shell_quote(dir + "/tty")) + " /dev/null");
    ASSERT_EQ(tty.exit_code, 0) << tty.out;
    for (const char* step :
         {"writing file systems", "assembling the disk", "self-check", "writing E01"}) {
        EXPECT_NE(tty.out.find(std::string("dflab image: ") + step), std::string::npos) << step;
    }
    EXPECT_NE(tty.out.find("100%"), std::string::npos) << tty.out;
    EXPECT_EQ(sha256_of("cat " + shell_quote(dir) + "/piped/*.E01"),
              sha256_of("cat " + shell_quote(dir) + "/tty/*.E01"));
    fs::remove_all(dir);
}

// Deleting a file that is an artifact: the builder finishes the file system to look its address
// up, then deletes it (the ext writer once refused any change after finish()). The truth must
// give the freed address, and TSK must find the deleted name and the content (or zeros) there.
TEST(ImageBuild, DeletedArtifactsAreRecoverableByAddress) {
    const std::string dir = test::temp_dir();
    const std::string secret = [] {
        std::string text;
        for (int i = 0; i < 300; ++i) text += "the secret line ";
        return text;  // 4800 bytes: several blocks, never resident in an NTFS record
    }();
    for (const std::string filesystem : {"ext4", "ext2", "fat16", "ntfs"}) {
        for (const bool overwrite : {false, true}) {
            const std::string name = filesystem + (overwrite ? "-wiped" : "-deleted");
            SCOPED_TRACE(name);
            const std::string recipe = dir + "/" + name + ".yaml";
            std::ofstream(recipe) << "name: " << name
                                  << "\nseed: 5\nstart: 2024-01-01T10:00:00Z\n"
                                     "disk:\n  size: 32MiB\n  table: mbr\n  partitions:\n"
                                     "    - {id: p1, filesystem: "
                                  << filesystem
                                  << "}\nactions:\n  - mkdir: /docs\n"
                                     "  - at: 2024-01-01T11:00:00Z\n    write: /docs/secret.txt\n"
                                     "    id: secret\n    text: \""
                                  << secret
                                  << "\"\n  - write: /docs/keep.txt\n    id: keep\n    text: kept\n"
                                     "  - at: 2024-01-02T12:00:00Z\n    delete: /docs/secret.txt\n"
                                     "    overwrite: "
                                  << (overwrite ? "true" : "false") << "\n";
            const std::string out = dir + "/" + name;
            auto r = dflab("image build " + shell_quote(recipe) + " -o " + shell_quote(out));
            ASSERT_EQ(r.exit_code, 0) << r.err;
            const std::string raw = shell_quote(out + "/" + name + ".raw");
            const json truth = json::parse(std::ifstream(out + "/" + name + ".truth.json"));
            const std::string o =
                "-o " + std::to_string(truth["partitions"][0]["start"].get<uint64_t>()) + " ";
            std::map<std::string, json> by_id;
            for (const auto& a : truth["artifacts"]) by_id[a["id"]] = a;
            ASSERT_EQ(by_id.count("secret"), 1u) << truth.dump();
            const json& gone = by_id["secret"];
            EXPECT_FALSE(gone["allocated"].get<bool>());
            EXPECT_EQ(gone["path"], "/docs/secret.txt");
            EXPECT_EQ(gone["size"], secret.size());
            const std::string inode = gone["inode"];
            ASSERT_FALSE(inode.empty());
            // The content by its address: the planted text, or as many zeros when overwritten.
            EXPECT_EQ(
                gone["sha256"],
                sha256_of(overwrite ? "head -c " + std::to_string(secret.size()) + " /dev/zero"
                                    : "printf '%s' " + shell_quote(secret)));
            EXPECT_EQ(sha256_of("icat " + o + raw + " " + inode), gone["sha256"]);
            // istat: the metadata entry is free; fls -d: a deleted name points at it.
            auto istat = run("istat " + o + raw + " " + inode);
            EXPECT_EQ(istat.exit_code, 0) << istat.err;
            EXPECT_NE(istat.out.find("Not Allocated"), std::string::npos) << istat.out;
            auto deleted = run("fls -r -d -p " + o + raw);
            EXPECT_NE(deleted.out.find(" * " + inode + ":\tdocs/"), std::string::npos)
                << deleted.out;
            // The file kept beside it is still there, by name and content.
            auto listed = run("fls -r -p " + o + raw);
            EXPECT_NE(listed.out.find(" " + by_id["keep"]["inode"].get<std::string>() +
                                      ":\tdocs/keep.txt"),
                      std::string::npos)
                << listed.out;
            EXPECT_EQ(
                sha256_of("icat " + o + raw + " " + by_id["keep"]["inode"].get<std::string>()),
                by_id["keep"]["sha256"]);
        }
    }
    fs::remove_all(dir);
}

TEST(ImageBuild, BadRecipesFailWithOneLineAndLeaveNothing) {
    const std::string dir = test::temp_dir();
    std::ofstream(dir + "/broken.yaml") << "name: x\nseed: 1\ndisk:\n  size: 1MiB\n  tablee: mbr\n";
    std::ofstream(dir + "/fat-stream.yaml")
        << "start: 2024-01-01T00:00:00\ndisk:\n  size: 8MiB\n  partitions:\n"
           "    - {id: p1, filesystem: fat16}\nactions:\n  - write: /a.txt\n    text: a\n"
           "  - stream: /a.txt\n    name: s\n    text: b\n";
    struct Case {
        std::string recipe, mention;
    };
    for (const auto& c : std::vector<Case>{{dir + "/broken.yaml", "broken.yaml:5:3"},
                                           {dir + "/missing.yaml", "missing.yaml"},
                                           {dir + "/fat-stream.yaml", "only on NTFS"}}) {
        const std::string out = dir + "/out";
        auto r = dflab("image build " + shell_quote(c.recipe) + " -o " + shell_quote(out));
        EXPECT_EQ(r.exit_code, 1) << c.recipe;
        EXPECT_EQ(test::lines(r.err).size(), 1u) << r.err;
        EXPECT_NE(r.err.find(c.mention), std::string::npos) << r.err;
        EXPECT_TRUE(!fs::exists(out) || fs::is_empty(out)) << c.recipe;
    }
    fs::remove_all(dir);
}

// A two-partition stick written in Almaty: a FAT16 partition in the story's zone, a FAT12 one
// whose machine keeps Moscow time (its own `timezone`), and ext4 (UTC, no zone).
constexpr const char* kZonedRecipe = R"(name: zoned
timezone: Asia/Almaty
disk:
  size: 16MiB
  table: mbr
  partitions:
    - {id: docs, filesystem: fat16, size: 6MiB}
    - {id: moscow, filesystem: fat12, size: 4MiB, timezone: Europe/Moscow}
    - {id: logs, filesystem: ext4}
actions:
  - at: 2024-11-13T18:10:01
    write: /sale.txt
    partition: docs
    id: sale
    text: sold
  - at: 2024-11-13T23:30:00
    write: /late.txt
    partition: moscow
    id: late
    text: late
  - write: /log.txt
    partition: logs
    id: log
    text: log
)";

// fls -m -z ZONE of one partition: path -> {atime, mtime, crtime} in seconds.
std::map<std::string, std::array<int64_t, 3>> fls_times(const std::string& raw, uint64_t start,
                                                        const std::string& zone) {
    auto r =
        run("fls -z " + zone + " -r -m / -o " + std::to_string(start) + " " + shell_quote(raw));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::map<std::string, std::array<int64_t, 3>> out;
    for (const auto& line : test::lines(r.out)) {
        std::vector<std::string> f;
        std::stringstream in(line);
        for (std::string x; std::getline(in, x, '|');) f.push_back(x);
        if (f.size() == 11) out[f[1]] = {std::stoll(f[7]), std::stoll(f[8]), std::stoll(f[10])};
    }
    return out;
}

int64_t seconds_of(const json& iso) {
    auto r = run("date -u -d " + shell_quote(iso.get<std::string>()) + " +%s");
    return std::stoll(r.out);
}

TEST(ImageBuild, FatStoresLocalTimeInTheMachinesZone) {
    const std::string dir = test::temp_dir();
    std::ofstream(dir + "/zoned.yaml") << kZonedRecipe;
    auto r = dflab("image build " + shell_quote(dir + "/zoned.yaml") + " -o " +
                   shell_quote(dir + "/out"));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const std::string raw = dir + "/out/zoned.raw";
    json truth = json::parse(std::ifstream(dir + "/out/zoned.truth.json"));

    // The truth says which zone each FAT partition holds; ext4 has none.
    std::map<std::string, json> part;
    for (const auto& p : truth["partitions"]) part[p["id"]] = p;
    EXPECT_EQ(part["docs"]["fat_zone"], "Asia/Almaty");
    EXPECT_EQ(part["moscow"]["fat_zone"], "Europe/Moscow");
    EXPECT_TRUE(part["logs"]["fat_zone"].is_null());
    ASSERT_EQ(truth["artifacts"].size(), 3u);

    for (const auto& a : truth["artifacts"]) {
        SCOPED_TRACE(a.dump());
        const json& p = part[a["partition"] == part["docs"]["index"]     ? "docs"
                             : a["partition"] == part["moscow"]["index"] ? "moscow"
                                                                         : "logs"];
        const uint64_t start = p["start"];
        const std::string zone = p["fat_zone"].is_null() ? "UTC" : p["fat_zone"];
        // TSK, told the zone, reads the truth's UTC instants back.
        auto times = fls_times(raw, start, zone).at(a["path"]);
        EXPECT_EQ(times[0], seconds_of(a["atime"]));
        EXPECT_EQ(times[1], seconds_of(a["mtime"]));
        EXPECT_EQ(times[2], seconds_of(a["crtime"]));
        if (p["fat_zone"].is_null()) continue;
        // Read as UTC (the wrong zone), FAT times move by exactly the zone's offset.
        auto offset_text = run("TZ=" + zone + " date -d @" + std::to_string(times[2]) + " +%z").out;
        const int64_t offset =
            (offset_text[0] == '-' ? -1 : 1) * (std::stoll(offset_text.substr(1, 2)) * 3600 +
                                                std::stoll(offset_text.substr(3, 2)) * 60);
        auto wrong = fls_times(raw, start, "UTC").at(a["path"]);
        EXPECT_EQ(wrong[1] - times[1], offset);
        EXPECT_EQ(wrong[2] - times[2], offset);
        // dflab, given the same zone per partition, prints what fls -z prints.
        auto ls =
            dflab("ls --json -p " + std::to_string(p["index"].get<int>()) + " --fat-zone " +
                  std::to_string(p["index"].get<int>()) + "=" + zone + " " + shell_quote(raw));
        ASSERT_EQ(ls.exit_code, 0) << ls.err;
        bool seen = false;
        for (const auto& line : test::lines(ls.out)) {
            json e = json::parse(line);
            if (e["path"] != a["path"]) continue;
            seen = true;
            EXPECT_EQ(e["fat_zone"], zone);
            EXPECT_EQ(e["mtime"], a["mtime"]);
            EXPECT_EQ(e["crtime"], a["crtime"]);
            EXPECT_EQ(e["atime"], a["atime"]);
        }
        EXPECT_TRUE(seen) << ls.out;
    }
    // The sale at 18:10:01 Almaty time is stored as that clock time (TZ=UTC reads it as UTC).
    auto docs = fls_times(raw, part["docs"]["start"], "UTC").at("/sale.txt");
    EXPECT_EQ(docs[2], seconds_of(json("2024-11-13T18:10:01Z")));
    fs::remove_all(dir);
}

TEST(ImageBuild, ZoneOfAPartitionIsForFatOnly) {
    const std::string dir = test::temp_dir();
    std::string recipe = kZonedRecipe;
    recipe.replace(recipe.find("filesystem: ext4}"), 17, "filesystem: ext4, timezone: UTC}");
    std::ofstream(dir + "/zoned.yaml") << recipe;
    auto r = dflab("image build " + shell_quote(dir + "/zoned.yaml") + " -o " +
                   shell_quote(dir + "/out"));
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("zoned.yaml:9:"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("FAT partitions only"), std::string::npos) << r.err;
    EXPECT_EQ(test::lines(r.err).size(), 1u) << r.err;

    recipe = kZonedRecipe;
    recipe.replace(recipe.find("Europe/Moscow"), 13, "Europe/Nowhere");
    std::ofstream(dir + "/zoned.yaml", std::ios::trunc) << recipe;
    r = dflab("image build " + shell_quote(dir + "/zoned.yaml") + " -o " +
              shell_quote(dir + "/out"));
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("unknown time zone 'Europe/Nowhere'"), std::string::npos) << r.err;
    fs::remove_all(dir);
}

}  // namespace
}  // namespace dflab
