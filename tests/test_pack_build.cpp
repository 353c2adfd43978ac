// `dflab pack build` end to end on the shipped intro pack: identical bundles on every build,
// answers that independent tools (ewfverify, mmls, fls, icat, istat, the yara CLI) agree with, a
// participant bundle that reveals no answer, and bad packs that leave nothing behind.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>

#include "tests/oracle.hpp"
#include "tests/support/built_intro.hpp"
#include "tests/support/fixtures.hpp"

namespace fs = std::filesystem;
using namespace dflab::test;

namespace {

const fs::path kIntro = fs::path(DFLAB_SOURCE_DIR) / "exercises/packs/intro";

// The intro pack built with two variants, shared by the suite (tests/support/built_intro.hpp).
const fs::path& built() {
    return built_intro_pack();
}

nlohmann::json key() {
    return nlohmann::json::parse(read_file((built() / "instructor/answer-key.json").string()));
}

const nlohmann::json& answer(const std::string& id, int variant = 0) {
    static const nlohmann::json k = key();
    for (auto& q : k["questions"])
        if (q["id"] == id) return q["answers"][std::to_string(variant)];
    throw std::runtime_error("no question " + id);
}

std::string e01(int variant) {
    return (built() / "participant/images" / ("variant-" + std::to_string(variant)) /
            "usb-stick.E01")
        .string();
}

}  // namespace

TEST(PackBuild, TwoBuildsGiveIdenticalBundlesThatSha256sumVerifies) {
    fs::path again = fs::path(temp_dir()) / "again";
    auto r = dflab::test::dflab("pack build " + shell_quote(kIntro.string()) + " -o " +
                                shell_quote(again.string()) + " --variants 2");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto diff = run("diff -r " + shell_quote(built().string()) + " " + shell_quote(again.string()));
    EXPECT_EQ(diff.exit_code, 0) << diff.out;
    for (const char* bundle : {"participant", "instructor"}) {
        auto check = run("cd " + shell_quote((built() / bundle).string()) +
                         " && sha256sum -c --quiet SHA256SUMS");
        EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
    }
    // No staging folder is left beside OUT.
    std::vector<std::string> names;
    for (auto& e : fs::directory_iterator(again.parent_path()))
        names.push_back(e.path().filename().string());
    EXPECT_EQ(names, std::vector<std::string>{"again"});
}

TEST(PackBuild, TheAnswerKeyFollowsItsContractAndVariantsDiffer) {
    nlohmann::json k = key();
    EXPECT_EQ(k["pack"], "intro");
    EXPECT_EQ(k["format"], "dflab-answer-key");
    EXPECT_EQ(k["variants"], nlohmann::json({0, 1}));
    for (auto& q : k["questions"]) {
        EXPECT_TRUE(q.contains("id") && q.contains("type") && q.contains("points") &&
                    q.contains("answer"));
        EXPECT_EQ(q["answer"], q["answers"]["0"]) << q["id"];
    }
    // The sale's time and the image differ per variant; the case number does not.
    EXPECT_NE(answer("transfer-time", 0), answer("transfer-time", 1));
    EXPECT_NE(answer("image-hash", 0), answer("image-hash", 1));
    EXPECT_EQ(answer("case-number", 0), answer("case-number", 1));
}

TEST(PackBuild, AnswersAgreeWithEwfverifyMmlsFlsIcatAndIstat) {
    for (int v : {0, 1}) {
        auto ewf = run("ewfverify -d sha256 " + shell_quote(e01(v)));
        std::smatch m;
        ASSERT_TRUE(std::regex_search(
            ewf.out, m, std::regex("SHA256 hash calculated over data:\\s*([0-9a-f]{64})")))
            << ewf.out;
        EXPECT_EQ(answer("image-hash", v)["sha256"], m[1].str());
        EXPECT_EQ(answer("case-number", v), "KZ-2024-0419");
        auto raw = fs::path(temp_dir()) / "usb";
        ASSERT_EQ(run("ewfexport -q -u -t " + shell_quote(raw.string()) + " -f raw " +
                      shell_quote(e01(v)))
                      .exit_code,
                  0);
        std::string image = raw.string() + ".raw";
        uint64_t fat_start = 0, ext_start = 0;
        for (auto& s : mmls(image)) {
            if (s.description.find("FAT32") != std::string::npos) fat_start = s.start;
            if (s.description.find("Linux") != std::string::npos) ext_start = s.start;
        }
        EXPECT_EQ(answer("partition-offset", v), fat_start * 512);
        std::string report_inode, deleted_inode;
        for (auto& f : fls(image, fat_start)) {
            if (f.path == "/Документы/report.txt") report_inode = f.inode;
            if (!f.allocated && f.type == "r/r") deleted_inode = f.inode;
        }
        EXPECT_EQ(answer("deleted-entry", v), deleted_inode);
        EXPECT_EQ(answer("report-hash", v)["sha256"],
                  sha256_of_output("icat -o " + std::to_string(fat_start) + " " +
                                   shell_quote(image) + " " + report_inode));
        std::string log_inode;
        for (auto& f : fls(image, ext_start))
            if (f.path == "/log/transfer.log") log_inode = f.inode;
        auto istat = run("istat -o " + std::to_string(ext_start) + " " + shell_quote(image) + " " +
                         log_inode);
        ASSERT_TRUE(std::regex_search(
            istat.out, m,
            std::regex("Modified:\\s*(\\d{4}-\\d\\d-\\d\\d) (\\d\\d:\\d\\d:\\d\\d)")));
        EXPECT_EQ(answer("transfer-time", v), m[1].str() + "T" + m[2].str() + "Z");
        // Every file the ClientList rule matches, deleted ones too: each regular file of both
        // file systems read with icat, the yara CLI on it.
        std::set<std::string> matched;
        const std::string rules = (kIntro / "rules/intro.yar").string();
        const std::string content = temp_dir() + "/content";
        for (uint64_t start : {fat_start, ext_start})
            for (auto& f : fls(image, start)) {
                if (f.type != "r/r" || f.path.find("$OrphanFiles") != std::string::npos) continue;
                run("icat -o " + std::to_string(start) + " " + shell_quote(image) + " " + f.inode +
                    " > " + shell_quote(content));
                auto y = run("yara " + shell_quote(rules) + " " + shell_quote(content));
                ASSERT_EQ(y.exit_code, 0) << y.err;
                if (y.out.rfind("ClientList ", 0) == 0) matched.insert(f.inode);
            }
        std::set<std::string> listed;
        for (auto& i : answer("rule-matches", v))
            listed.insert(i.is_string() ? i.get<std::string>() : i.dump());
        EXPECT_EQ(listed, matched);
        EXPECT_EQ(matched.size(), 2u);  // the disguised copy and the deleted list
        // The hidden fragment starts with "password:" at the answer's offset.
        auto dd = run("dd if=" + shell_quote(image) +
                      " bs=1 skip=" + std::to_string(answer("hidden-fragment", v).get<uint64_t>()) +
                      " count=9 status=none");
        EXPECT_EQ(dd.out, "password:");
    }
}

TEST(PackBuild, TheParticipantBundleRevealsNoAnswer) {
    std::string shown;
    for (auto& e : fs::recursive_directory_iterator(built() / "participant"))
        if (e.is_regular_file() && e.path().parent_path().filename() != "images" &&
            e.path().parent_path().parent_path().filename() != "images" &&
            e.path().filename() != "SHA256SUMS")
            shown += read_file(e.path().string());
    ASSERT_FALSE(shown.empty());
    const nlohmann::json k = key();  // kept: a range-for over key()["questions"] would dangle
    for (auto& q : k["questions"])
        for (auto& [variant, a] : q["answers"].items()) {
            std::vector<std::string> texts;
            if (a.is_object()) {
                for (auto& [_, d] : a.items()) texts.push_back(d.get<std::string>());
            } else if (a.is_string()) {
                texts.push_back(a.get<std::string>());
            } else if (a.is_number()) {
                texts.push_back(a.dump());
            }
            for (auto& t : texts) {
                if (t.size() >= 4) {
                    EXPECT_EQ(shown.find(t), std::string::npos) << q["id"] << " reveals " << t;
                }
            }
        }
    EXPECT_EQ(shown.find("solution"), std::string::npos);
    EXPECT_EQ(shown.find("walkthrough"), std::string::npos);
}

TEST(PackBuild, SolveListAndOutputThatExists) {
    auto ru = dflab::test::dflab("pack solve " + shell_quote(built().string()) + " --lang ru");
    EXPECT_EQ(ru.exit_code, 0);
    EXPECT_NE(ru.out.find("Разбор"), std::string::npos);
    EXPECT_NE(ru.out.find(answer("block-size").dump()), std::string::npos);
    auto list = dflab::test::dflab("pack list --json");
    ASSERT_EQ(list.exit_code, 0);
    auto packs = nlohmann::json::parse(list.out);
    ASSERT_FALSE(packs.empty());
    // Listed by folder: intro is one of them, not necessarily the first (fat comes before it).
    bool intro = false;
    for (const auto& p : packs) intro = intro || p["id"] == "intro";
    EXPECT_TRUE(intro) << list.out;
    auto again = dflab::test::dflab("pack build " + shell_quote(kIntro.string()) + " -o " +
                                    shell_quote(built().string()));
    EXPECT_NE(again.exit_code, 0);
    EXPECT_NE(again.err.find("already exists"), std::string::npos) << again.err;
    EXPECT_EQ(std::count(again.err.begin(), again.err.end(), '\n'), 1) << again.err;
}

TEST(PackBuild, ASolutionThatDisagreesWithTheTruthFailsAndLeavesNothing) {
    fs::path dir = fs::path(temp_dir()) / "pack";
    fs::copy(kIntro, dir, fs::copy_options::recursive);
    std::string q = (dir / "questions/05-report-hash.yaml").string();
    std::string text = read_file(q);
    text.replace(text.find("artifact: report"), 16, "artifact: memo");
    write_file(q, text);
    fs::path out = fs::path(temp_dir()) / "out";
    auto r = dflab::test::dflab("pack build " + shell_quote(dir.string()) + " -o " +
                                shell_quote((out / "bundle").string()));
    EXPECT_NE(r.exit_code, 0);
    EXPECT_NE(r.err.find("05-report-hash.yaml:"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("question report-hash"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("truth manifest"), std::string::npos) << r.err;
    EXPECT_TRUE(!fs::exists(out) || fs::is_empty(out));
}

TEST(PackBuild, ScoreGradesWhatExaminersWriteAgainstTheBuiltKey) {
    // Answers of variant 1 as people write them: upper-case hex, sectors, Almaty time, Windows
    // paths in another case. GNU date converts the key's UTC time to Almaty time independently.
    std::string utc = answer("transfer-time", 1).get<std::string>();
    auto local = run("TZ=Asia/Almaty date -d " + shell_quote(utc) + " '+%d.%m.%Y %H:%M:%S %:z'");
    ASSERT_EQ(local.exit_code, 0);
    std::string hash = answer("image-hash", 1)["sha256"].get<std::string>();
    std::transform(hash.begin(), hash.end(), hash.begin(), ::toupper);
    std::string path = answer("disguised-copy", 1).get<std::string>();
    std::replace(path.begin(), path.end(), '/', '\\');
    std::transform(path.begin(), path.end(), path.begin(), ::toupper);
    nlohmann::json findings = {
        {"pack", "intro"},
        {"participant", "aigerim"},
        {"variant", 1},
        {"answers",
         {{"image-hash", hash},
          {"partition-offset",
           std::to_string(answer("partition-offset", 1).get<uint64_t>() / 512) + " sectors"},
          {"transfer-time", lines(local.out).front()},
          {"disguised-copy", "C:" + path},
          {"deleted-entry", answer("deleted-entry", 1)},  // a prerequisite of disguised-copy
          {"block-size", "2 KiB"}}}};
    std::string file = temp_dir() + "/aigerim.json";
    write_file(file, findings.dump());
    auto r =
        dflab::test::dflab("score --json --key " + shell_quote((built() / "instructor").string()) +
                           " " + shell_quote(file));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto result = nlohmann::json::parse(r.out);
    std::map<std::string, std::string> verdicts;
    for (auto& q : result["questions"]) verdicts[q["id"]] = q["verdict"];
    EXPECT_EQ(verdicts["image-hash"], "correct");
    EXPECT_EQ(verdicts["partition-offset"], "correct");
    EXPECT_EQ(verdicts["transfer-time"], "correct") << local.out;
    EXPECT_EQ(verdicts["disguised-copy"], "correct");
    EXPECT_EQ(verdicts["deleted-entry"], "correct");
    EXPECT_EQ(verdicts["block-size"], "incorrect");
    // The same answers are not right for variant 0 (another image, another time).
    findings["variant"] = 0;
    write_file(file, findings.dump());
    r = dflab::test::dflab("score --json --key " + shell_quote((built() / "instructor").string()) +
                           " " + shell_quote(file));
    const nlohmann::json again = nlohmann::json::parse(r.out);
    for (auto& q : again["questions"]) {
        if (q["id"] == "image-hash" || q["id"] == "transfer-time") {
            EXPECT_EQ(q["verdict"], "incorrect") << q["id"];
        }
    }
}

namespace {

// The intro pack built with --per-variant (two variants), cached like built() above.
const fs::path& built_per_variant() {
    static const fs::path out = [] {
        fs::path root = fs::path(DFLAB_FIXTURE_DIR).parent_path() / "pack-intro-per-variant";
        fs::create_directories(root);
        int lock = ::open((root / "lock").c_str(), O_CREAT | O_RDWR, 0644);
        if (lock < 0 || ::flock(lock, LOCK_EX) != 0)
            throw std::runtime_error("cannot lock " + root.string());
        std::string stamp = sha256_of_output("cat " + shell_quote(DFLAB_BINARY) + " $(find " +
                                             shell_quote(kIntro.string()) + " -type f | sort)");
        fs::path dir = root / "intro";
        if (read_file((root / "stamp").string()) != stamp) {
            fs::remove_all(dir);
            auto r = dflab::test::dflab("pack build " + shell_quote(kIntro.string()) + " -o " +
                                        shell_quote(dir.string()) + " --variants 2 --per-variant");
            if (r.exit_code != 0) throw std::runtime_error("pack build failed: " + r.err);
            write_file((root / "stamp").string(), stamp);
        }
        ::close(lock);
        return dir;
    }();
    return out;
}

// sha256sum's digest of every regular file below `dir` (relative path -> digest).
std::map<std::string, std::string> digests(const fs::path& dir) {
    auto r = run("cd " + shell_quote(dir.string()) +
                 " && find . -type f -printf '%P\\0' | sort -z" + " | xargs -0 sha256sum");
    std::map<std::string, std::string> out;
    for (auto& line : lines(r.out))
        if (line.size() > 66) out[line.substr(66)] = line.substr(0, 64);
    return out;
}

}  // namespace

TEST(PackBuild, PerVariantBundlesHoldOnlyTheirVariantsImages) {
    const fs::path out = built_per_variant();
    // The shared bundles are those of a build without --per-variant.
    for (const char* bundle : {"participant", "instructor"}) {
        auto diff = run("diff -r " + shell_quote((built() / bundle).string()) + " " +
                        shell_quote((out / bundle).string()));
        EXPECT_EQ(diff.exit_code, 0) << diff.out;
    }
    std::vector<std::string> folders;
    for (auto& e : fs::directory_iterator(out / "participants"))
        folders.push_back(e.path().filename().string());
    std::sort(folders.begin(), folders.end());
    ASSERT_EQ(folders, (std::vector<std::string>{"variant-0", "variant-1"}));
    const auto shared = digests(out / "participant/images");
    for (int v : {0, 1}) {
        const fs::path dir = out / "participants" / ("variant-" + std::to_string(v));
        auto check = run("cd " + shell_quote(dir.string()) + " && sha256sum -c --quiet SHA256SUMS");
        EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
        // Its images are exactly the shared bundle's images/variant-V/, byte for byte, and
        // none of another variant's.
        std::map<std::string, std::string> mine = digests(dir / "images"), expected;
        const std::string prefix = "variant-" + std::to_string(v) + "/";
        for (auto& [path, digest] : shared)
            if (path.rfind(prefix, 0) == 0) expected[path.substr(prefix.size())] = digest;
        ASSERT_FALSE(expected.empty());
        EXPECT_EQ(mine, expected);
        for (auto& [path, digest] : shared) {
            if (path.rfind(prefix, 0) == 0) continue;
            for (auto& [name, d] : mine) {
                EXPECT_NE(d, digest) << name << " is " << path;
            }
        }
        for (auto& [name, _] : mine) {
            auto cmp = run("cmp " + shell_quote((dir / "images" / name).string()) + " " +
                           shell_quote((out / "participant/images" / prefix / name).string()));
            EXPECT_EQ(cmp.exit_code, 0) << name;
            // The same file system: hard links, not copies.
            auto links = run("stat -c %h " + shell_quote((dir / "images" / name).string()));
            EXPECT_EQ(links.out, "2\n") << name;
        }
        // pack.json lists this variant's images only, and the files it names are there.
        auto manifest = nlohmann::json::parse(read_file((dir / "pack.json").string()));
        ASSERT_FALSE(manifest["images"].empty());
        for (auto& image : manifest["images"]) {
            EXPECT_EQ(image["variant"], v);
            for (auto& f : image["files"]) EXPECT_TRUE(fs::exists(dir / f.get<std::string>())) << f;
        }
        // The findings template names the variant (read by Python's YAML parser).
        auto yaml = run("python3 -c " +
                        shell_quote("import sys, yaml; print(yaml.safe_load(open(sys.argv[1]))"
                                    "['variant'])") +
                        " " + shell_quote((dir / "findings-template.yaml").string()));
        EXPECT_EQ(yaml.out, std::to_string(v) + "\n") << yaml.err;
        // The texts are those of the shared bundle.
        for (const char* text : {"questions.en.md", "questions.ru.md", "rules"}) {
            auto diff = run("diff -r " + shell_quote((out / "participant" / text).string()) + " " +
                            shell_quote((dir / text).string()));
            EXPECT_EQ(diff.exit_code, 0) << text << diff.out;
        }
    }
}
