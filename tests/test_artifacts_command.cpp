// Damaged hives are recorded as unreadable, never a failure; `dflab artifacts` and `dflab
// analyze` end to end on a FAT image holding hives (made with mkfs.vfat and mtools), checked
// against hivexget and fls.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <map>

#include "engine/registry_artifacts.hpp"
#include "engine/windows_registry_file.hpp"
#include "tests/support/registry_hives.hpp"

namespace dflab {
namespace {

using namespace test;

// --- Damaged hives -------------------------------------------------------------------------------

TEST(DamagedHive, TruncatedOrGarbageIsUnreadableNotAFailure) {
    const auto whole = images::build_hive(system_hive());
    ASSERT_GT(whole.size(), 4096u + 64u);
    std::vector<std::byte> garbage = bytes_of("regf");
    for (int i = 0; i < 8192; ++i) garbage.push_back(static_cast<std::byte>((i * 151 + 7) & 0xFF));
    const std::vector<std::pair<std::string, std::vector<std::byte>>> cases = {
        {"base block only", {whole.begin(), whole.begin() + 4096}},
        {"cut inside the first bin", {whole.begin(), whole.begin() + 4096 + 64}},
        {"garbage after the signature", garbage},
        {"signature alone", bytes_of("regf")},
    };
    for (const auto& [what, bytes] : cases) {
        SCOPED_TRACE(what);
        std::vector<engine::Artifact> artifacts;
        EXPECT_NO_THROW(artifacts = engine::read_registry_artifacts(bytes, "SYSTEM"));
        auto bad = of_kind(artifacts, "unreadable");
        ASSERT_FALSE(bad.empty());
        EXPECT_FALSE(bad.front().fields.value("error", "").empty());
        EXPECT_NE(bad.front().fields.value("error", "").find("SYSTEM"), std::string::npos);
    }
    // The wrapper says what is wrong in one line that names the hive.
    const std::string e = test::error_of([&] { engine::RegistryFile(garbage, "bad.dat"); });
    EXPECT_EQ(e.rfind("bad.dat: ", 0), 0u) << e;
    EXPECT_EQ(e.find('\n'), std::string::npos);
}

// Bytes changed here and there in the bins (a fixed pseudo-random sequence): whatever libregf
// makes of them, the reader returns artifacts and unreadable records, never an exception.
TEST(DamagedHive, ChangedBytesNeverThrow) {
    const auto whole = images::build_hive(system_hive());
    uint32_t state = 12345;
    auto next = [&] { return state = state * 1103515245u + 12345u; };
    for (int round = 0; round < 60; ++round) {
        auto bytes = whole;
        for (int n = 1 + static_cast<int>(next() % 12); n > 0; --n)
            bytes[4096 + next() % (bytes.size() - 4096)] = static_cast<std::byte>(next() >> 24);
        std::vector<engine::Artifact> artifacts;
        EXPECT_NO_THROW(artifacts = engine::read_registry_artifacts(bytes, "SYSTEM")) << round;
        for (const auto& a : of_kind(artifacts, "unreadable"))
            EXPECT_FALSE(a.fields.value("error", "").empty()) << round;
    }
}

// --- End to end --------------------------------------------------------------------------------

// A FAT image with a SYSTEM and a SAM hive where Windows keeps them, a damaged hive under a name
// that says nothing, and a text file.
struct HiveImage : testing::Test {
    std::string dir = test::temp_dir();
    std::string image = dir + "/windows.img";

    void SetUp() override {
        write_hive(dir, "SYSTEM", system_hive());
        write_hive(dir, "SAM", sam_hive());
        auto damaged = images::build_hive(system_hive());
        damaged.resize(4096 + 64);
        std::ofstream(dir + "/BACKUP.BIN", std::ios::binary)
            .write(reinterpret_cast<const char*>(damaged.data()),
                   static_cast<std::streamsize>(damaged.size()));
        std::ofstream(dir + "/NOTES.TXT") << "regf is the signature of a hive\n";
        const std::string i = shell_quote(image);
        auto r = run("mkfs.vfat -C -n WIN " + i +
                     " 8192 >/dev/null && export MTOOLS_SKIP_CHECK=1 && "
                     "mmd -i " +
                     i +
                     " ::Windows ::Windows/System32 ::Windows/System32/config && "
                     "mcopy -i " +
                     i + " " + shell_quote(dir + "/SYSTEM") + " " + shell_quote(dir + "/SAM") +
                     " ::Windows/System32/config/ && "
                     "mcopy -i " +
                     i + " " + shell_quote(dir + "/BACKUP.BIN") + " " +
                     shell_quote(dir + "/NOTES.TXT") + " ::");
        ASSERT_EQ(r.exit_code, 0) << r.err;
    }
    void TearDown() override { std::filesystem::remove_all(dir); }
};

TEST_F(HiveImage, ArtifactsCommandListsHivesAndNamesTheDamagedOne) {
    auto r = test::dflab("artifacts " + shell_quote(image) + " --json");
    EXPECT_EQ(r.exit_code, 2) << r.err;  // the damaged hive
    EXPECT_NE(r.err.find("/BACKUP.BIN"), std::string::npos) << r.err;
    std::map<std::string, std::vector<nlohmann::json>> by_kind;
    for (const auto& line : test::lines(r.out)) {
        if (line.empty()) continue;
        auto j = nlohmann::json::parse(line);
        EXPECT_EQ(j["partition"], 0);
        by_kind[j["kind"].get<std::string>()].push_back(j);
    }
    ASSERT_EQ(by_kind["computer_name"].size(), 1u) << r.out;
    const auto& name = by_kind["computer_name"].front();
    EXPECT_EQ(name["fields"]["name"],
              hivexget(dir + "/SYSTEM", "\\ControlSet002\\Control\\ComputerName\\ComputerName",
                       "ComputerName"));
    EXPECT_EQ(name["time"], iso(kNameWritten));
    EXPECT_EQ(name["time_kind"], "last_write");
    EXPECT_EQ(by_kind["usb_device"].size(), 2u);
    EXPECT_EQ(by_kind["user_account"].size(), 2u);
    ASSERT_FALSE(by_kind["unreadable"].empty());
    for (const auto& j : by_kind["unreadable"]) EXPECT_EQ(j["path"], "/BACKUP.BIN");
    // The listing's path of each file is the one fls gives (FAT: upper-case short names).
    auto fls = run("fls -r -p " + shell_quote(image));
    ASSERT_EQ(fls.exit_code, 0);
    for (const auto& [kind, list] : by_kind)
        for (const auto& j : list) {
            const std::string path = j["path"].get<std::string>().substr(1);
            EXPECT_NE(fls.out.find(":\t" + path + "\n"), std::string::npos) << path;
        }

    auto only = test::dflab("artifacts " + shell_quote(image) + " --kind usb_device");
    EXPECT_EQ(only.exit_code, 2);
    EXPECT_NE(only.out.find("4C530001231120115142&0"), std::string::npos) << only.out;
    EXPECT_EQ(only.out.find("computer_name"), std::string::npos) << only.out;

    auto unknown = test::dflab("artifacts " + shell_quote(image) + " --kind usb");
    EXPECT_EQ(unknown.exit_code, 1);
    EXPECT_NE(unknown.err.find("--kind 'usb': unknown kind"), std::string::npos) << unknown.err;
}

TEST_F(HiveImage, AnalyzeWritesTheArtifactsTable) {
    const std::string case_path = dir + "/case.sqlite";
    auto r = test::dflab("analyze " + shell_quote(image) + " -o " + shell_quote(case_path));
    EXPECT_EQ(r.exit_code, 0) << r.err;  // a damaged hive is a finding, not a failed partition
    auto sql = [&](const std::string& q) {
        auto s = run("sqlite3 -batch -noheader " + shell_quote(case_path) + " " + shell_quote(q));
        EXPECT_EQ(s.exit_code, 0) << s.err;
        return s.out;
    };
    EXPECT_EQ(sql("SELECT count(*) FROM files WHERE path = '/NOTES.TXT'"), "1\n");
    EXPECT_EQ(sql("SELECT json_extract(a.fields, '$.name'), a.time, f.path FROM artifacts a "
                  "JOIN files f ON f.id = a.file_id WHERE a.kind = 'computer_name'"),
              "WS-ANALYST-07|" + iso(kNameWritten) + "|/Windows/System32/config/SYSTEM\n");
    EXPECT_EQ(sql("SELECT DISTINCT a.path, a.inode = f.inode FROM artifacts a JOIN files f ON "
                  "f.id = a.file_id WHERE a.kind = 'unreadable'"),
              "/BACKUP.BIN|1\n");
    EXPECT_EQ(sql("SELECT count(*) FROM artifacts WHERE kind = 'user_account'"), "2\n");
}

}  // namespace
}  // namespace dflab
