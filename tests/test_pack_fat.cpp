// `dflab pack build` on the shipped fat pack: identical bundles on every build, no answer in the
// participant bundle's texts, and key answers that The Sleuth Kit reads from the built card of
// each variant: fsstat (the volume ID and label, the cluster size, the cluster area and the FAT's
// chains), fls (the deleted names, the deleted JPEGs, the mactime body's modified time read in
// Asia/Almaty), istat (the 8.3 name, the first sector and the size) and icat (the recovered
// ledger's SHA-256, the report found by its content, the slack with -s).
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <ctime>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>
#include <vector>

#include "tests/oracle.hpp"
#include "tests/support/built_intro.hpp"
#include "tests/support/fixtures.hpp"
#include "tests/support/shipped_pack.hpp"

namespace fs = std::filesystem;
using namespace dflab::test;

namespace {

const fs::path kPack = fs::path(DFLAB_SOURCE_DIR) / "exercises/packs/fat";

const fs::path& built() {
    static const fs::path out = built_shipped_pack("fat");
    return out;
}

const nlohmann::json& answer(const std::string& id, int variant) {
    return key_answer(built(), id, variant);
}

// A variant's card as raw (exported from the participants' E01 with ewfexport), the start sector
// of its FAT32 partition (mmls), its entries (fls) and what fsstat says of it.
struct Card {
    std::string raw;
    uint64_t start = 0;
    std::vector<FlsEntry> entries;
    std::string fsstat_out;

    // A TSK tool on the partition: "TOOL [OPTIONS] -o START IMAGE [ARGS]".
    std::string tsk(const std::string& tool, const std::string& args = "") const {
        auto r = run(tool + " -o " + std::to_string(start) + " " + shell_quote(raw) +
                     (args.empty() ? "" : " " + args));
        EXPECT_EQ(r.exit_code, 0) << tool << ": " << r.err;
        return r.out;
    }

    // The one entry fls lists with `path` (allocated or not).
    const FlsEntry& entry(const std::string& path) const {
        for (const auto& e : entries)
            if (e.path == path) return e;
        throw std::runtime_error("fls lists no " + path);
    }
};

Card card(int variant) {
    Card c;
    const std::string dir = temp_dir();
    const fs::path e01 =
        built() / "participant/images" / ("variant-" + std::to_string(variant)) / "courier-sd.E01";
    auto r = run("ewfexport -q -u -t " + shell_quote(dir + "/card") + " -f raw " +
                 shell_quote(e01.string()));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    c.raw = dir + "/card.raw";
    for (const auto& s : mmls(c.raw))
        if (s.description.find("FAT32") != std::string::npos) c.start = s.start;
    EXPECT_NE(c.start, 0u);
    c.entries = fls(c.raw, c.start);
    c.fsstat_out = c.tsk("fsstat");
    return c;
}

// The rest of the fsstat line that starts with `label`, without its trailing spaces.
std::string fsstat_value(const std::string& out, const std::string& label) {
    for (const auto& line : lines(out))
        if (line.rfind(label, 0) == 0) {
            std::string value = line.substr(label.size());
            value.erase(0, value.find_first_not_of(' '));
            value.erase(value.find_last_not_of(' ') + 1);
            return value;
        }
    return "";
}

uint64_t fsstat_number(const std::string& out, const std::string& label) {
    const std::string value = fsstat_value(out, label);
    return value.empty() ? 0 : std::stoull(value);
}

// The modified time (the mactime body's ninth field, epoch seconds) that `fls -m / -z ZONE`
// gives for `path`.
int64_t body_mtime(const Card& c, const std::string& zone, const std::string& path) {
    return body_mtime_of(c.tsk("fls -m / -r -z " + zone), path);
}

bool ends_with_jpg(const std::string& path) {
    if (path.size() < 4) return false;
    std::string tail = path.substr(path.size() - 4);
    for (auto& ch : tail) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return tail == ".jpg";
}

}  // namespace

TEST(PackFat, TwoBuildsGiveIdenticalBundles) {
    EXPECT_EQ(rebuild_differences(kPack, built()), "");
}

TEST(PackFat, TheParticipantTextsHoldNoAnswer) {
    const std::string texts = participant_texts(built());
    ASSERT_FALSE(texts.empty());
    for (int v : {0, 1}) {
        for (const char* id : {"volume-label", "deleted-name", "drop-list", "slack-wallet"}) {
            const std::string value = answer(id, v).get<std::string>();
            EXPECT_EQ(texts.find(value), std::string::npos) << id << " " << value;
        }
        EXPECT_EQ(texts.find(answer("deleted-hash", v).at("sha256").get<std::string>()),
                  std::string::npos);
        for (const auto& path : answer("deleted-photos", v))
            EXPECT_EQ(texts.find(path.get<std::string>()), std::string::npos) << path;
    }
}

TEST(PackFat, AnswersAgreeWithFsstatFlsIstatAndIcat) {
    for (int v : {0, 1}) {
        SCOPED_TRACE("variant " + std::to_string(v));
        const Card c = card(v);
        const std::string& fsstat_out = c.fsstat_out;
        ASSERT_EQ(fsstat_value(fsstat_out, "File System Type:"), "FAT32") << fsstat_out;

        // The volume: fsstat's Volume ID, in Windows' form and its own, matches the key's
        // pattern; the bytes as stored (little-endian) do not.
        const std::string id = first_match(fsstat_out, R"(Volume ID: 0x([0-9a-f]+))");
        ASSERT_FALSE(id.empty()) << fsstat_out;
        std::string padded = std::string(8 - std::min<size_t>(id.size(), 8), '0') + id;
        std::string windows = padded.substr(0, 4) + "-" + padded.substr(4);
        for (auto& ch : windows)
            ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
        const std::regex serial(answer("volume-serial", v).get<std::string>(), std::regex::icase);
        EXPECT_TRUE(std::regex_match(windows, serial)) << windows;
        EXPECT_TRUE(std::regex_match("0x" + id, serial)) << id;
        const std::string stored =
            padded.substr(6, 2) + padded.substr(4, 2) + padded.substr(2, 2) + padded.substr(0, 2);
        EXPECT_FALSE(std::regex_match(stored, serial)) << stored;
        EXPECT_EQ(answer("volume-label", v),
                  fsstat_value(fsstat_out, "Volume Label (Boot Sector):"));

        // Sectors and clusters.
        const uint64_t sector_size = fsstat_number(fsstat_out, "Sector Size:");
        const uint64_t cluster_size = fsstat_number(fsstat_out, "Cluster Size:");
        ASSERT_EQ(sector_size, 512u);
        ASSERT_GT(cluster_size, sector_size);
        const std::map<uint64_t, std::string> choice = {
            {512, "a"}, {1024, "b"}, {2048, "c"}, {4096, "d"}, {32768, "e"}};
        ASSERT_TRUE(choice.count(cluster_size)) << cluster_size;
        EXPECT_EQ(answer("cluster-size", v), choice.at(cluster_size));
        const uint64_t per_cluster = cluster_size / sector_size;

        // The deleted ledger: fls's one deleted name in Documents, and icat's content of it.
        std::vector<FlsEntry> ledger;
        for (const auto& e : c.entries)
            if (!e.allocated && e.type == "r/r" && e.path.rfind("/Documents/", 0) == 0)
                ledger.push_back(e);
        ASSERT_EQ(ledger.size(), 1u);
        EXPECT_EQ(answer("deleted-name", v), ledger[0].path.substr(ledger[0].path.rfind('/') + 1));
        EXPECT_EQ(ledger[0].path[11], '_') << ledger[0].path;  // the first letter is gone
        EXPECT_EQ(answer("deleted-hash", v).at("sha256"),
                  sha256_of_output("icat -o " + std::to_string(c.start) + " " + shell_quote(c.raw) +
                                   " " + ledger[0].inode));

        // The evening report: the one allocated file whose content (icat) has the coordinates.
        std::vector<FlsEntry> reports;
        for (const auto& e : c.entries)
            if (e.allocated && e.type == "r/r" &&
                c.tsk("icat", e.inode).find("43.245812") != std::string::npos)
                reports.push_back(e);
        ASSERT_EQ(reports.size(), 1u);
        const FlsEntry report = reports[0];
        EXPECT_EQ(answer("drop-list", v), report.path);

        // Its 8.3 name, as istat prints it, matches the key's pattern; the long name does not.
        const std::string report_istat = c.tsk("istat", report.inode);
        const std::string short_name = first_match(report_istat, R"(\nName: ([^\n]+))");
        const std::regex short_pattern(answer("short-name", v).get<std::string>(),
                                       std::regex::icase);
        EXPECT_TRUE(std::regex_match(short_name, short_pattern)) << report_istat;
        EXPECT_FALSE(std::regex_match(report.path.substr(11), short_pattern));

        // When it was written: the mactime body of fls -z Asia/Almaty. Read as UTC, the same
        // local clock time stands for an instant five hours later.
        const int64_t almaty = body_mtime(c, "Asia/Almaty", report.path);
        EXPECT_EQ(answer("list-modified", v), iso_utc(almaty));
        EXPECT_EQ(body_mtime(c, "UTC", report.path) - almaty, 5 * 3600);

        // karta.jpg's chain: its first sector (istat) in clusters from fsstat's cluster area,
        // and the chain's length by following fsstat's FAT CONTENTS from that sector.
        const std::string map_istat = c.tsk("istat", c.entry("/Documents/karta.jpg").inode);
        const uint64_t first_sector = std::stoull(first_match(map_istat, R"(Sectors:\s+(\d+))"));
        const uint64_t cluster_area =
            std::stoull(first_match(fsstat_out, R"(Cluster Area: (\d+) - \d+)"));
        ASSERT_GE(first_sector, cluster_area);
        EXPECT_EQ(answer("start-cluster", v), (first_sector - cluster_area) / per_cluster + 2);
        std::map<uint64_t, std::pair<uint64_t, std::string>> runs;  // start -> (sectors, next)
        static const std::regex run_re(R"(^(\d+)-\d+ \((\d+)\) -> (EOF|\d+)$)");
        for (const auto& line : lines(fsstat_out)) {
            std::smatch m;
            if (std::regex_match(line, m, run_re))
                runs[std::stoull(m[1])] = {std::stoull(m[2]), m[3].str()};
        }
        uint64_t sectors = 0;
        for (uint64_t at = first_sector; runs.count(at) && sectors < 1000000;) {
            sectors += runs[at].first;
            if (runs[at].second == "EOF") break;
            at = std::stoull(runs[at].second);
        }
        ASSERT_GT(sectors, 0u) << fsstat_out;
        EXPECT_EQ(sectors % per_cluster, 0u);
        EXPECT_EQ(answer("chain-length", v), sectors / per_cluster);

        // The slack of instrukciya.txt: icat -s past the size istat gives; the wallet is there
        // and not in the content.
        const std::string inode = c.entry("/Documents/instrukciya.txt").inode;
        const size_t size = std::stoul(first_match(c.tsk("istat", inode), R"(\nSize: (\d+))"));
        const std::string with_slack = c.tsk("icat -s", inode);
        ASSERT_GT(with_slack.size(), size);
        const std::string wallet =
            first_match(with_slack.substr(size), R"((T[1-9A-HJ-NP-Za-km-z]{33}))");
        EXPECT_EQ(answer("slack-wallet", v), wallet);
        EXPECT_EQ(c.tsk("icat", inode).find(wallet), std::string::npos);

        // Every deleted JPEG fls lists, by its long name.
        nlohmann::json photos = nlohmann::json::array();
        for (const auto& e : c.entries)
            if (!e.allocated && e.type == "r/r" && ends_with_jpg(e.path)) photos.push_back(e.path);
        std::sort(photos.begin(), photos.end());
        nlohmann::json key = answer("deleted-photos", v);
        std::sort(key.begin(), key.end());
        EXPECT_EQ(key, photos);
        EXPECT_EQ(photos.size(), 4u);
    }
}

TEST(PackFat, VariantsDifferInTheirOwnValuesOnly) {
    for (const char* id :
         {"volume-label", "deleted-name", "deleted-hash", "drop-list", "short-name",
          "list-modified", "start-cluster", "chain-length", "slack-wallet", "deleted-photos"})
        EXPECT_NE(answer(id, 0), answer(id, 1)) << id;
    for (const char* id : {"volume-serial", "cluster-size"})
        EXPECT_EQ(answer(id, 0), answer(id, 1)) << id;
}
