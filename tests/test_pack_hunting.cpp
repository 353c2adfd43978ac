// `dflab pack build` on the shipped hunting pack: identical bundles on every build, no answer in
// the participant bundle's texts, and key answers that independent tools read from the built
// stick of each variant: the yara command over every file fls lists (icat, deleted ones too) and
// over the raw image (yara -s: the fragment's offset, with istat placing the samples), grep with
// Unicode case folding (LC_ALL=C.UTF-8 grep -i) on the files and on their UTF-16LE text (iconv),
// grep -oP for the panel host, the e-mail addresses and the wallet, a Luhn check of the dump's card
// numbers written here, and the mactime body of fls -z Asia/Almaty for the dump's modified time.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <ctime>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
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

const fs::path kPack = fs::path(DFLAB_SOURCE_DIR) / "exercises/packs/hunting";
const std::string kRules = (kPack / "rules/hunting.yar").string();

const fs::path& built() {
    static const fs::path out = built_shipped_pack("hunting");
    return out;
}

const nlohmann::json& answer(const std::string& id, int variant) {
    return key_answer(built(), id, variant);
}

// A variant's stick as raw (ewfexport of the participants' E01), the start sector of its FAT32
// partition (mmls), and every regular file fls lists (deleted ones too, TSK's virtual $ files
// left out), each extracted with icat into a file of its own.
struct Stick {
    std::string raw;
    uint64_t start = 0;
    std::string dir;                    // the extracted files, named 0, 1, ...
    std::vector<FlsEntry> files;        // in the order of their extracted names
    std::vector<std::string> contents;  // their bytes

    std::string tsk(const std::string& tool, const std::string& args = "") const {
        auto r = run(tool + " -o " + std::to_string(start) + " " + shell_quote(raw) +
                     (args.empty() ? "" : " " + args));
        EXPECT_EQ(r.exit_code, 0) << tool << ": " << r.err;
        return r.out;
    }
    std::string extracted(size_t i) const { return dir + "/" + std::to_string(i); }
    bool utf16(size_t i) const { return contents[i].rfind("\xff\xfe", 0) == 0; }

    // What grep prints for the file's text: its UTF-16LE text converted to UTF-8 by iconv
    // (unless `bytes_only`), else its bytes as they are.
    std::string grep(size_t i, const std::string& options, const std::string& pattern,
                     bool bytes_only = false) const {
        const std::string source = utf16(i) && !bytes_only
                                       ? "iconv -f UTF-16LE -t UTF-8 " + shell_quote(extracted(i))
                                       : "cat " + shell_quote(extracted(i));
        return run(source + " | LC_ALL=C.UTF-8 grep -a " + options + " " + shell_quote(pattern))
            .out;
    }
    bool has(size_t i, const std::string& options, const std::string& pattern,
             bool bytes_only = false) const {
        const std::string count = grep(i, "-c " + options, pattern, bytes_only);
        return !count.empty() && count != "0\n";
    }
};

Stick stick(int variant) {
    Stick s;
    const std::string dir = temp_dir();
    const fs::path e01 =
        built() / "participant/images" / ("variant-" + std::to_string(variant)) / "tulpar-usb.E01";
    auto r = run("ewfexport -q -u -t " + shell_quote(dir + "/usb") + " -f raw " +
                 shell_quote(e01.string()));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    s.raw = dir + "/usb.raw";
    for (const auto& slot : mmls(s.raw))
        if (slot.description.find("FAT32") != std::string::npos) s.start = slot.start;
    EXPECT_NE(s.start, 0u);
    s.dir = dir + "/files";
    fs::create_directories(s.dir);
    for (const auto& e : fls(s.raw, s.start)) {
        if (e.type != "r/r" || e.path.find("/$") != std::string::npos) continue;
        s.files.push_back(e);
        s.contents.push_back(s.tsk("icat", e.inode));
        write_file(s.extracted(s.files.size() - 1), s.contents.back());
    }
    return s;
}

// The indexes of the extracted files the yara command matches with the pack's rule.
std::vector<size_t> yara_matches(const Stick& s) {
    auto r = run("yara -r " + shell_quote(kRules) + " " + shell_quote(s.dir));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::vector<size_t> out;
    for (const auto& line : lines(r.out))
        if (line.rfind("TulparGrab ", 0) == 0)
            out.push_back(std::stoul(line.substr(line.rfind('/') + 1)));
    return out;
}

bool luhn(const std::string& digits) {
    int sum = 0;
    for (size_t i = 0; i < digits.size(); ++i) {
        int d = digits[digits.size() - 1 - i] - '0';
        if (i % 2 == 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
        sum += d;
    }
    return sum % 10 == 0;
}

// The modified time (the mactime body's ninth field) that `fls -m / -r -z ZONE` gives for `path`.
int64_t body_mtime(const Stick& s, const std::string& zone, const std::string& path) {
    return body_mtime_of(s.tsk("fls -m / -r -z " + zone), path);
}

nlohmann::json sorted(nlohmann::json list) {
    std::sort(list.begin(), list.end());
    return list;
}

}  // namespace

TEST(PackHunting, TwoBuildsGiveIdenticalBundles) {
    EXPECT_EQ(rebuild_differences(kPack, built()), "");
}

TEST(PackHunting, TheParticipantTextsHoldNoAnswer) {
    const std::string texts = participant_texts(built());
    ASSERT_FALSE(texts.empty());
    for (int v : {0, 1}) {
        for (const char* id : {"kazakh-note", "wallet"}) {
            const std::string value = answer(id, v).get<std::string>();
            EXPECT_EQ(texts.find(value), std::string::npos) << id << " " << value;
        }
        EXPECT_EQ(texts.find(answer("deleted-sample", v).at("sha256").get<std::string>()),
                  std::string::npos);
        for (const char* id : {"family-files", "emails"})
            for (const auto& item : answer(id, v))
                EXPECT_EQ(texts.find(item.get<std::string>()), std::string::npos) << item;
    }
}

TEST(PackHunting, AnswersAgreeWithYaraGrepIconvAndTsk) {
    for (int v : {0, 1}) {
        SCOPED_TRACE("variant " + std::to_string(v));
        const Stick s = stick(v);
        ASSERT_FALSE(s.files.empty());

        // The family: the yara command over every file fls lists, deleted ones included.
        const std::vector<size_t> matched = yara_matches(s);
        EXPECT_EQ(answer("family-count", v), matched.size());
        EXPECT_EQ(matched.size(), 3u);
        nlohmann::json paths = nlohmann::json::array();
        std::vector<size_t> deleted;
        for (size_t i : matched) {
            paths.push_back(s.files[i].path);
            if (!s.files[i].allocated) deleted.push_back(i);
        }
        EXPECT_EQ(sorted(answer("family-files", v)), sorted(paths));
        ASSERT_EQ(deleted.size(), 1u);
        EXPECT_EQ(answer("deleted-sample", v).at("sha256"),
                  sha256_of_file(s.extracted(deleted[0])));

        // The fragment: the $build match yara -s finds in the raw image outside every sample,
        // whose first byte lies at the first sector istat gives (sectors of the partition).
        std::set<uint64_t> in_samples;
        for (size_t i : matched) {
            const std::string istat = s.tsk("istat", s.files[i].inode);
            const uint64_t sector = std::stoull(first_match(istat, R"(Sectors:\s+(\d+))"));
            const size_t at = s.contents[i].find("TulparGrab build ");
            ASSERT_NE(at, std::string::npos);
            in_samples.insert((s.start + sector) * 512 + at);
        }
        auto y = run("yara -s " + shell_quote(kRules) + " " + shell_quote(s.raw));
        ASSERT_EQ(y.exit_code, 0) << y.err;
        std::vector<uint64_t> outside;
        static const std::regex build_re(R"(^0x([0-9a-f]+):\$build: )");
        for (const auto& line : lines(y.out)) {
            std::smatch m;
            if (!std::regex_search(line, m, build_re)) continue;
            const uint64_t offset = std::stoull(m[1].str(), nullptr, 16);
            if (!in_samples.count(offset)) outside.push_back(offset);
        }
        EXPECT_EQ(in_samples.size(), 3u);
        ASSERT_EQ(outside.size(), 1u) << y.out;
        EXPECT_EQ(answer("fragment-offset", v), outside[0]);

        // The panel: the host before /tg_panel/gate.php, the same in every sample.
        std::set<std::string> hosts;
        for (size_t i : matched)
            hosts.insert(first_match(s.contents[i], R"(https://([a-z0-9.-]+)/tg_panel/gate\.php)"));
        ASSERT_EQ(hosts.size(), 1u);
        const std::string host = *hosts.begin();
        const std::regex panel(answer("panel-host", v).get<std::string>(), std::regex::icase);
        EXPECT_TRUE(std::regex_match(host, panel)) << host;
        EXPECT_TRUE(std::regex_match("https://" + host + "/tg_panel/gate.php", panel)) << host;
        EXPECT_FALSE(std::regex_match(std::regex_replace(host, std::regex("\\."), "x"), panel));

        // Keywords: grep -i in a UTF-8 locale folds Cyrillic and Kazakh letters; UTF-16LE files
        // are read through iconv. Plain bytes alone miss the UTF-16LE document.
        size_t transfer = 0, bytes_only = 0, case_sensitive = 0;
        std::vector<size_t> kazakh;
        for (size_t i = 0; i < s.files.size(); ++i) {
            if (s.has(i, "-i", "перевод")) ++transfer;
            if (s.has(i, "-i", "перевод", true)) ++bytes_only;
            if (s.has(i, "", "перевод")) ++case_sensitive;
            if (s.has(i, "-i", "құпия сөз")) kazakh.push_back(i);
        }
        EXPECT_EQ(answer("keyword-count", v), transfer);
        EXPECT_LT(bytes_only, transfer);
        EXPECT_LT(case_sensitive, transfer);
        ASSERT_EQ(kazakh.size(), 1u);
        EXPECT_EQ(answer("kazakh-note", v), s.files[kazakh[0]].path);
        EXPECT_TRUE(s.utf16(kazakh[0]));
        EXPECT_EQ(answer("note-encoding", v), std::string("b"));

        // E-mail addresses and the wallet: grep -oP over every file's text.
        std::set<std::string> emails, wallets;
        for (size_t i = 0; i < s.files.size(); ++i) {
            for (const auto& e :
                 lines(s.grep(i, "-oP", R"([A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,})")))
                if (!e.empty()) emails.insert(e);
            for (const auto& w : lines(s.grep(i, "-oP", R"(\b0x[0-9a-fA-F]{40}\b)")))
                if (!w.empty()) wallets.insert(w);
        }
        EXPECT_EQ(emails.size(), 4u);
        EXPECT_EQ(sorted(answer("emails", v)), nlohmann::json(emails));
        ASSERT_EQ(wallets.size(), 1u);
        EXPECT_EQ(answer("wallet", v), *wallets.begin());

        // The dump: every 16-digit number in it, checked with Luhn here.
        size_t dump = s.files.size();
        for (size_t i = 0; i < s.files.size(); ++i)
            if (s.files[i].path == "/Exports/base_0314.txt") dump = i;
        ASSERT_LT(dump, s.files.size());
        size_t numbers = 0, valid = 0;
        static const std::regex pan_re(R"(\b\d{16}\b)");
        const std::string& text = s.contents[dump];
        for (auto it = std::sregex_iterator(text.begin(), text.end(), pan_re);
             it != std::sregex_iterator(); ++it) {
            ++numbers;
            if (luhn(it->str())) ++valid;
        }
        EXPECT_EQ(numbers, 10u);
        EXPECT_EQ(answer("valid-cards", v), valid);

        // When it was written: fls -m -z Asia/Almaty; read as UTC it is five hours off.
        const int64_t almaty = body_mtime(s, "Asia/Almaty", "/Exports/base_0314.txt");
        EXPECT_EQ(answer("dump-written", v), iso_utc(almaty));
        EXPECT_EQ(body_mtime(s, "UTC", "/Exports/base_0314.txt") - almaty, 5 * 3600);
    }
}

TEST(PackHunting, VariantsDifferInTheirOwnValuesOnly) {
    for (const char* id :
         {"family-files", "deleted-sample", "fragment-offset", "panel-host", "kazakh-note",
          "emails", "wallet", "dump-written", "keyword-count", "valid-cards"})
        EXPECT_NE(answer(id, 0), answer(id, 1)) << id;
    for (const char* id : {"family-count", "note-encoding"})
        EXPECT_EQ(answer(id, 0), answer(id, 1)) << id;
}
