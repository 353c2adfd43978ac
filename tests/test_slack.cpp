// Data in file slack (recipe action `slack`) on FAT and ext: the bytes are where the truth
// manifest says (dd), right after the file's content in its last cluster (icat -s), the content
// itself is unchanged (icat), the file systems stay consistent (fsck.fat, e2fsck), and recipes
// whose data cannot go into slack fail with one line naming the recipe spot.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "tests/support/fixtures.hpp"

namespace dflab {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using test::run;
using test::shell_quote;

std::string sha256_of(const std::string& command) {
    return run(command + " | sha256sum").out.substr(0, 64);
}

std::string sha256_text(const std::string& text) {
    return sha256_of("printf '%s' " + shell_quote(text));
}

// Two partitions: FAT16 with 2 KiB clusters and ext4 with 4 KiB blocks; a slack action on each,
// the FAT file renamed afterwards.
const char* kRecipe = R"(name: slacky
seed: 5
start: 2024-04-01T10:00:00Z
disk:
  size: 48MiB
  table: mbr
  partitions:
    - id: fat
      filesystem: fat16
      size: 20MiB
      cluster_size: 2KiB
    - id: ext
      filesystem: ext4
      cluster_size: 4KiB
actions:
  - write: /letter.txt
    partition: fat
    text: "hello world\n"
  - slack: /letter.txt
    partition: fat
    id: fat_slack
    text: "meet at the station"
  - rename: /letter.txt
    to: /old-letter.txt
    partition: fat
  - mkdir: /data
    partition: ext
  - write: /data/blob.bin
    partition: ext
    random: {size: 5000}
  - slack: /data/blob.bin
    partition: ext
    id: ext_slack
    text: "ключ: 4242"
)";

struct Expected {
    std::string id, path, text;
    uint64_t file_size;
    std::string content;  // the file's own content, where the recipe gives it as text
};

TEST(Slack, BytesSitAfterTheContentInItsLastClusterWhereTheManifestSays) {
    const std::string dir = test::temp_dir();
    std::ofstream(dir + "/slacky.yaml") << kRecipe;
    auto r = test::dflab("image build " + shell_quote(dir + "/slacky.yaml") + " -o " +
                         shell_quote(dir + "/out"));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const std::string raw = dir + "/out/slacky.raw";
    const json truth = json::parse(std::ifstream(dir + "/out/slacky.truth.json"));

    std::map<std::string, uint64_t> start_of;  // partition id -> first sector (mmls below)
    for (const auto& p : truth["partitions"]) start_of[p["id"]] = p["start"];
    auto mmls = run("mmls " + shell_quote(raw));
    for (const auto& [id, start] : start_of)
        EXPECT_NE(mmls.out.find(std::to_string(start)), std::string::npos) << id << mmls.out;

    for (const Expected& want :
         {Expected{"fat_slack", "/old-letter.txt", "meet at the station", 12, "hello world\n"},
          Expected{"ext_slack", "/data/blob.bin", "ключ: 4242", 5000, ""}}) {
        SCOPED_TRACE(want.id);
        const json* a = nullptr;
        for (const auto& x : truth["artifacts"]) {
            if (x["id"] == want.id) a = &x;
        }
        ASSERT_NE(a, nullptr) << truth.dump(2);
        EXPECT_EQ((*a)["kind"], "slack");
        EXPECT_EQ((*a)["path"], want.path);
        EXPECT_EQ((*a)["size"], want.text.size());
        EXPECT_EQ((*a)["sha256"], sha256_text(want.text));
        const uint64_t offset = (*a)["image_offset"];
        const std::string partition = want.id == "fat_slack" ? "fat" : "ext";
        const std::string o = "-o " + std::to_string(start_of.at(partition)) + " ";
        const std::string inode = (*a)["inode"];

        // dd at the manifest's offset gives the bytes.
        EXPECT_EQ(sha256_of("dd if=" + shell_quote(raw) + " bs=1 skip=" + std::to_string(offset) +
                            " count=" + std::to_string(want.text.size()) + " status=none"),
                  sha256_text(want.text));
        // icat -s: right after the file's content; the content alone is as written.
        EXPECT_EQ(sha256_of("icat -s " + o + shell_quote(raw) + " " + inode + " | tail -c +" +
                            std::to_string(want.file_size + 1) + " | head -c " +
                            std::to_string(want.text.size())),
                  sha256_text(want.text));
        EXPECT_EQ(run("icat " + o + shell_quote(raw) + " " + inode + " | wc -c").out,
                  std::to_string(want.file_size) + "\n");
        if (!want.content.empty()) {
            EXPECT_EQ(sha256_of("icat " + o + shell_quote(raw) + " " + inode),
                      sha256_text(want.content));
        }
        // ffind: the inode is the file at that path.
        auto ffind = run("ffind " + o + shell_quote(raw) + " " + inode);
        EXPECT_EQ(ffind.out, want.path + "\n");
        // The slack lies within the file's last cluster: istat lists it (FAT: sectors).
        const uint64_t unit = partition == "fat" ? 512 : 4096;
        const uint64_t block = (offset - start_of.at(partition) * 512) / unit;
        auto istat = run("istat " + o + shell_quote(raw) + " " + inode);
        EXPECT_NE(istat.out.find(std::to_string(block)), std::string::npos) << istat.out;
    }
    // Both file systems are still consistent.
    auto cut = [&](const std::string& id, uint64_t sectors, const std::string& to) {
        return run("dd if=" + shell_quote(raw) + " of=" + shell_quote(to) +
                   " bs=512 status=none skip=" + std::to_string(start_of.at(id)) +
                   " count=" + std::to_string(sectors))
            .exit_code;
    };
    ASSERT_EQ(cut("fat", 40960, dir + "/fat.img"), 0);
    ASSERT_EQ(cut("ext", (48 - 21) * 2048, dir + "/ext.img"), 0);
    auto fsck_fat = run("fsck.fat -n " + shell_quote(dir + "/fat.img"));
    EXPECT_EQ(fsck_fat.exit_code, 0) << fsck_fat.out << fsck_fat.err;
    auto fsck_ext = run("e2fsck -fn " + shell_quote(dir + "/ext.img"));
    EXPECT_EQ(fsck_ext.exit_code, 0) << fsck_ext.out << fsck_ext.err;
    fs::remove_all(dir);
}

TEST(Slack, DataThatCannotGoIntoSlackFailsWithOneLineNamingTheRecipeSpot) {
    const std::string dir = test::temp_dir();
    struct Case {
        std::string actions, line, mention;
    };
    const std::string head =
        "name: bad\nstart: 2024-04-01T10:00:00Z\ndisk:\n  size: 16MiB\n  table: none\n"
        "  partitions:\n    - id: p\n";
    for (const auto& c : std::vector<Case>{
             // 500 bytes in a 512-byte cluster leave 12 bytes of slack.
             {"      filesystem: fat16\n      cluster_size: 512\nactions:\n"
              "  - write: /a.bin\n    random: {size: 500}\n"
              "  - slack: /a.bin\n    random: {size: 100}\n",
              "bad.yaml:13:", "do not fit"},
             // A file that fills its last block exactly has no slack.
             {"      filesystem: ext4\n      cluster_size: 4KiB\nactions:\n"
              "  - write: /full.bin\n    random: {size: 8192}\n"
              "  - slack: /full.bin\n    text: x\n",
              "bad.yaml:13:", "no slack"},
             // Deleted later in the story.
             {"      filesystem: fat16\nactions:\n"
              "  - write: /gone.txt\n    text: abc\n  - slack: /gone.txt\n    text: x\n"
              "  - delete: /gone.txt\n",
              "bad.yaml:12:", "deleted later"},
         }) {
        std::ofstream(dir + "/bad.yaml") << head << c.actions;
        const std::string out = dir + "/out";
        auto r = test::dflab("image build " + shell_quote(dir + "/bad.yaml") + " -o " +
                             shell_quote(out));
        EXPECT_EQ(r.exit_code, 1) << c.actions;
        EXPECT_EQ(test::lines(r.err).size(), 1u) << r.err;
        EXPECT_NE(r.err.find(c.line), std::string::npos) << r.err;
        EXPECT_NE(r.err.find(c.mention), std::string::npos) << r.err;
        EXPECT_TRUE(!fs::exists(out) || fs::is_empty(out)) << r.err;
    }
    fs::remove_all(dir);
}

}  // namespace
}  // namespace dflab
