// `dflab pack build` on the shipped volumes pack: identical bundles on every build, no answer in
// the participant bundle's texts, and key answers that The Sleuth Kit reads from the built disks
// of each variant: mmls (the scheme, the partitions, the logical partitions' starts, the gaps,
// the GPT names), fsstat (the file system behind each type byte), sigfind (the ext superblock of
// the deleted partition inside its gap), fls and icat (the card database there, its SHA-256 with
// sha256sum) and dd (the note hidden in the gap after 000:002, its first non-zero byte and the
// password in it).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
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

const fs::path kPack = fs::path(DFLAB_SOURCE_DIR) / "exercises/packs/volumes";

const fs::path& built() {
    static const fs::path out = built_shipped_pack("volumes");
    return out;
}

const nlohmann::json& answer(const std::string& id, int variant) {
    return key_answer(built(), id, variant);
}

std::string image(int variant, const std::string& name) {
    return participant_image(built(), variant, name);
}

// fsstat's "File System Type:" of the file system at sector `start`, or "" when fsstat finds
// none there ("File System Type Label:" of FAT is another line).
std::string fs_type(const std::string& raw, uint64_t start) {
    auto r = run("fsstat -o " + std::to_string(start) + " " + shell_quote(raw));
    if (r.exit_code != 0) return "";
    return first_match(r.out, R"((?:^|\n)File System Type: (\S+))");
}

// A partition row of mmls: its Slot column is a table address (DOS "001:000", GPT "001").
bool is_partition(const MmlsSlot& s) {
    return std::regex_match(s.kind, std::regex(R"(\d+(:\d+)?)"));
}

// The table number of a DOS partition row ("001" of "001:000"): 0 the MBR, 1 and on the
// extended boot records.
int table_of(const MmlsSlot& s) {
    return std::stoi(s.kind.substr(0, s.kind.find(':')));
}

// The hard disk of a variant as mmls, sigfind and fls see it.
struct Hdd {
    std::string raw;
    std::string mmls_out;
    std::vector<MmlsSlot> slots;
    std::vector<MmlsSlot> partitions;  // the rows with a table address, in mmls's order
    uint64_t deleted_start = 0;        // the ext file system sigfind finds in the first big gap
};

Hdd hdd(int variant) {
    Hdd h;
    h.raw = image(variant, "usb-hdd.raw");
    auto r = run("mmls " + shell_quote(h.raw));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    h.mmls_out = r.out;
    h.slots = mmls(h.raw);
    for (const auto& s : h.slots)
        if (is_partition(s)) h.partitions.push_back(s);

    // The gap right after the first partition (where 000:001 was), and the first ext superblock
    // sigfind finds in it: the superblock lies 1024 bytes (2 sectors) into its file system.
    EXPECT_FALSE(h.partitions.empty());
    std::optional<MmlsSlot> gap;
    for (const auto& s : h.slots)
        if (s.kind == "-------" && !h.partitions.empty() && s.start == h.partitions[0].end + 1)
            gap = s;
    EXPECT_TRUE(gap.has_value()) << h.mmls_out;
    if (!gap) return h;
    // sigfind 4.11 reads on to the end of the image and exits 1 there ("error reading bytes"),
    // after it has printed every hit.
    auto sig = run("sigfind -t ext2 " + shell_quote(h.raw));
    EXPECT_TRUE(sig.exit_code == 0 || sig.err.find("error reading bytes") != std::string::npos)
        << sig.err;
    static const std::regex hit_re(R"(^Block: (\d+) )");
    for (const auto& line : lines(sig.out)) {
        std::smatch m;
        if (!std::regex_search(line, m, hit_re)) continue;
        const uint64_t sector = std::stoull(m[1]);
        if (sector >= gap->start + 2 && sector <= gap->end) {
            h.deleted_start = sector - 2;
            break;
        }
    }
    EXPECT_NE(h.deleted_start, 0u) << sig.out;
    return h;
}

}  // namespace

TEST(PackVolumes, TwoBuildsGiveIdenticalBundles) {
    EXPECT_EQ(rebuild_differences(kPack, built()), "");
}

TEST(PackVolumes, TheParticipantTextsHoldNoAnswer) {
    const std::string texts = participant_texts(built());
    ASSERT_FALSE(texts.empty());
    for (int v : {0, 1}) {
        for (const char* id : {"database-path", "gpt-name"}) {
            const std::string value = answer(id, v).get<std::string>();
            EXPECT_EQ(texts.find(value), std::string::npos) << id << " " << value;
        }
        for (const char* id : {"logical-start", "lying-offset", "deleted-start"}) {
            const std::string value = std::to_string(answer(id, v).get<uint64_t>());
            EXPECT_EQ(texts.find(value), std::string::npos) << id << " " << value;
        }
        EXPECT_EQ(texts.find(answer("database-hash", v).at("sha256").get<std::string>()),
                  std::string::npos);
        const std::string password =
            first_match(answer("gap-password", v).get<std::string>(), R"(([0-9a-f]{12})$)");
        ASSERT_FALSE(password.empty()) << answer("gap-password", v);
        EXPECT_EQ(texts.find(password), std::string::npos) << password;
    }
}

TEST(PackVolumes, AnswersAgreeWithMmlsFsstatSigfindFlsIcatAndDd) {
    for (int v : {0, 1}) {
        SCOPED_TRACE("variant " + std::to_string(v));
        const Hdd h = hdd(v);
        ASSERT_FALSE(h.partitions.empty()) << h.mmls_out;
        ASSERT_NE(h.deleted_start, 0u);
        ASSERT_NE(h.mmls_out.find("Units are in 512-byte sectors"), std::string::npos);

        // The scheme: mmls's first line; the SSD, a GPT disk, says otherwise.
        EXPECT_EQ(lines(h.mmls_out).front(), "DOS Partition Table");
        EXPECT_EQ(answer("scheme", v), std::string("a"));
        auto ssd_mmls = run("mmls " + shell_quote(image(v, "portable-ssd.raw")));
        ASSERT_EQ(ssd_mmls.exit_code, 0) << ssd_mmls.err;
        EXPECT_EQ(lines(ssd_mmls.out).front(), "GUID Partition Table (EFI)");

        // The partitions mmls lists, and the DOS Extended rows are not among them.
        EXPECT_EQ(answer("partition-count", v), h.partitions.size());
        size_t extended = 0;
        for (const auto& s : h.slots)
            if (s.description.rfind("DOS Extended", 0) == 0) ++extended;
        EXPECT_GE(extended, 1u);

        // The last logical partition: the last row of an extended table (table 1 and on).
        std::vector<MmlsSlot> logical;
        for (const auto& s : h.partitions)
            if (table_of(s) > 0) logical.push_back(s);
        ASSERT_EQ(logical.size(), 2u) << h.mmls_out;
        EXPECT_EQ(answer("logical-start", v), logical.back().start);

        // The type that lies: of the rows mmls calls Linux (0x83), the one fsstat finds no ext
        // in; its byte offset in 512-byte sectors.
        std::vector<MmlsSlot> linux_rows, liars;
        for (const auto& s : h.partitions)
            if (s.description == "Linux (0x83)") linux_rows.push_back(s);
        ASSERT_EQ(linux_rows.size(), 3u) << h.mmls_out;
        for (const auto& s : linux_rows) {
            const std::string type = fs_type(h.raw, s.start);
            ASSERT_FALSE(type.empty()) << "fsstat finds nothing at " << s.start;
            if (type.rfind("Ext", 0) != 0) liars.push_back(s);
        }
        ASSERT_EQ(liars.size(), 1u);
        const std::map<std::string, std::string> choice = {
            {"Ext4", "a"}, {"FAT16", "b"}, {"FAT32", "c"}, {"NTFS", "d"}};
        const std::string liar_type = fs_type(h.raw, liars[0].start);
        ASSERT_TRUE(choice.count(liar_type)) << liar_type;
        EXPECT_EQ(answer("lying-type", v), choice.at(liar_type));
        EXPECT_EQ(answer("lying-offset", v), liars[0].start * 512);

        // The deleted partition: the file system sigfind found in the gap opens with fsstat.
        EXPECT_EQ(answer("deleted-start", v), h.deleted_start);
        EXPECT_EQ(fs_type(h.raw, h.deleted_start), "Ext4");
        for (const auto& s : h.partitions) EXPECT_NE(s.start, h.deleted_start);

        // The card database there: the one file (fls, icat) whose content holds the cards table,
        // an SQLite file; its SHA-256.
        std::vector<FlsEntry> databases;
        const std::string at = "-o " + std::to_string(h.deleted_start) + " " + shell_quote(h.raw);
        for (const auto& e : fls(h.raw, h.deleted_start)) {
            if (e.type != "r/r" || !e.allocated) continue;
            auto content = run("icat " + at + " " + e.inode);
            ASSERT_EQ(content.exit_code, 0) << content.err;
            if (content.out.find("CREATE TABLE cards") == std::string::npos) continue;
            EXPECT_EQ(content.out.rfind("SQLite format 3", 0), 0u) << e.path;
            databases.push_back(e);
        }
        ASSERT_EQ(databases.size(), 1u);
        EXPECT_EQ(answer("database-path", v), databases[0].path);
        EXPECT_EQ(answer("database-hash", v).at("sha256"),
                  sha256_of_output("icat " + at + " " + databases[0].inode));

        // The gap after 000:002, read with dd: the note begins at its first non-zero byte, and
        // the password after "pass:" matches the key's pattern; the 2FA seed, also twelve or
        // more hex digits, does not.
        std::optional<MmlsSlot> gap;
        for (const auto& p : h.partitions)
            if (p.kind == "000:002")
                for (const auto& s : h.slots)
                    if (s.kind == "-------" && s.start == p.end + 1) gap = s;
        ASSERT_TRUE(gap.has_value()) << h.mmls_out;
        auto bytes =
            run("dd if=" + shell_quote(h.raw) + " bs=512 skip=" + std::to_string(gap->start) +
                " count=" + std::to_string(gap->length) + " status=none");
        ASSERT_EQ(bytes.exit_code, 0) << bytes.err;
        ASSERT_EQ(bytes.out.size(), gap->length * 512);
        const size_t first = bytes.out.find_first_not_of('\0');
        ASSERT_NE(first, std::string::npos) << "the gap is all zeros";
        EXPECT_EQ(answer("gap-offset", v), gap->start * 512 + first);
        const std::string note = bytes.out.substr(first, bytes.out.find('\n', first) - first);
        const std::string password = first_match(note, R"(pass: ([0-9a-f]+))");
        const std::string seed = first_match(note, R"(seed: ([0-9a-f]+))");
        ASSERT_FALSE(password.empty()) << note;
        ASSERT_FALSE(seed.empty()) << note;
        const std::regex pattern(answer("gap-password", v).get<std::string>(), std::regex::icase);
        EXPECT_TRUE(std::regex_match(password, pattern)) << note;
        EXPECT_TRUE(std::regex_match("pass: " + password, pattern)) << note;
        EXPECT_FALSE(std::regex_match(seed, pattern)) << note;

        // Every file system: the four partitions (fsstat opens each) and the deleted one.
        nlohmann::json starts = nlohmann::json::array();
        for (const auto& s : h.partitions) {
            EXPECT_FALSE(fs_type(h.raw, s.start).empty()) << s.start;
            starts.push_back(s.start);
        }
        starts.push_back(h.deleted_start);
        std::sort(starts.begin(), starts.end());
        nlohmann::json key = answer("file-system-starts", v);
        std::sort(key.begin(), key.end());
        EXPECT_EQ(key, starts);
        EXPECT_EQ(starts.size(), 5u);

        // The SSD: the GPT partition fsstat finds ext4 in, by its name in mmls's Description.
        std::vector<std::string> ext_names;
        for (const auto& s : mmls(image(v, "portable-ssd.raw")))
            if (is_partition(s) && fs_type(image(v, "portable-ssd.raw"), s.start) == "Ext4")
                ext_names.push_back(s.description);
        ASSERT_EQ(ext_names.size(), 1u);
        EXPECT_EQ(answer("gpt-name", v), ext_names[0]);
    }
}

TEST(PackVolumes, VariantsDifferInTheirOwnValuesOnly) {
    for (const char* id : {"logical-start", "lying-offset", "deleted-start", "database-path",
                           "database-hash", "gap-password", "gpt-name", "file-system-starts"})
        EXPECT_NE(answer(id, 0), answer(id, 1)) << id;
    for (const char* id : {"scheme", "partition-count", "lying-type", "gap-offset"})
        EXPECT_EQ(answer(id, 0), answer(id, 1)) << id;
}
