// The FAT writer, checked with The Sleuth Kit's command-line tools (fsstat, fls, istat, icat) as
// independent oracles: layout, names (Cyrillic too), content, times, rename, delete (recoverable
// and overwritten), determinism and errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "engine/error.hpp"
#include "images/fat_writer.hpp"
#include "tests/oracle.hpp"
#include "tests/support/fixtures.hpp"

namespace dflab::images {
namespace {

namespace fs = std::filesystem;
using dflab::test::error_of;
using dflab::test::run;
using dflab::test::shell_quote;

constexpr int64_t kTime = 1700000001;  // 2023-11-14 22:13:21 UTC, an odd second on purpose

std::vector<std::byte> bytes(const std::string& s) {
    std::vector<std::byte> out(s.size());
    for (size_t i = 0; i < s.size(); ++i) out[i] = static_cast<std::byte>(s[i]);
    return out;
}

// TSK reads FAT's zone-less times in the local zone: pin it to UTC as dflab does.
std::string tsk(const std::string& command) {
    auto r = run("TZ=UTC " + command);
    if (r.exit_code != 0) throw std::runtime_error(command + " failed: " + r.err);
    return r.out;
}

struct BodyRow {  // one line of fls -m
    std::string inode;
    int64_t size = 0, atime = 0, mtime = 0, ctime = 0, crtime = 0;
};

std::map<std::string, BodyRow> body(const std::string& image) {
    std::map<std::string, BodyRow> out;
    std::istringstream in(tsk("fls -r -m / " + shell_quote(image)));
    std::string line;
    while (std::getline(in, line)) {
        std::vector<std::string> f;
        std::string field;
        std::istringstream ls(line);
        while (std::getline(ls, field, '|')) f.push_back(field);
        if (f.size() < 11) continue;
        BodyRow r;
        r.inode = f[2];
        r.size = std::stoll(f[6]);
        r.atime = std::stoll(f[7]);
        r.mtime = std::stoll(f[8]);
        r.ctime = std::stoll(f[9]);
        r.crtime = std::stoll(f[10]);
        out[f[1]] = r;
    }
    return out;
}

// The allocated entries of fls -r -p by path (deleted ones are left out).
std::map<std::string, dflab::test::FlsEntry> listing(const std::string& image) {
    std::map<std::string, dflab::test::FlsEntry> out;
    for (const auto& e : dflab::test::fls(image))
        if (e.allocated) out[e.path] = e;
    return out;
}

std::string sha256(const std::string& file) {
    auto r = run("sha256sum " + shell_quote(file));
    return r.out.substr(0, 64);
}

class FatWriterTest : public ::testing::Test {
  protected:
    void SetUp() override { dir_ = dflab::test::temp_dir(); }
    void TearDown() override { fs::remove_all(dir_); }

    std::unique_ptr<FileSystemWriter> formatted(FileSystemType type, const std::string& name,
                                                uint64_t size = 16 << 20) {
        auto w = make_fat_writer(type);
        PartitionSpec spec;
        spec.id = "p1";
        spec.filesystem = type;
        spec.label = "EVIDENCE";
        spec.serial = "DEADBEEF";
        w->format(spec, image(name), size, kTime);
        return w;
    }
    std::string image(const std::string& name) const { return dir_ + "/" + name; }

    std::string dir_;
};

TEST_F(FatWriterTest, FormatsEachFatTypeWithLabelAndSerial) {
    struct Case {
        FileSystemType type;
        std::string name;
        uint64_t size;
    };
    for (const auto& c : {Case{FileSystemType::Fat12, "FAT12", 2 << 20},
                          Case{FileSystemType::Fat16, "FAT16", 16 << 20},
                          Case{FileSystemType::Fat32, "FAT32", 40 << 20}}) {
        auto w = make_fat_writer(c.type);
        PartitionSpec spec;
        spec.label = "EVIDENCE";
        spec.serial = "DEADBEEF";
        spec.cluster_size = 512;
        std::string img = image(c.name + ".img");
        w->format(spec, img, c.size, kTime);
        w->finish();
        EXPECT_EQ(fs::file_size(img), c.size);
        std::string info = tsk("fsstat " + shell_quote(img));
        EXPECT_NE(info.find("File System Type: " + c.name), std::string::npos) << info;
        EXPECT_NE(info.find("Volume ID: 0xdeadbeef"), std::string::npos) << info;
        EXPECT_NE(info.find("Volume Label (Boot Sector): EVIDENCE"), std::string::npos) << info;
        EXPECT_NE(info.find("Cluster Size: 512\n"), std::string::npos) << info;
        // The volume label entry is dated at the format time, not mkfs.fat's fixed 2015 date.
        auto rows = body(img);
        auto label = std::find_if(rows.begin(), rows.end(), [](const auto& r) {
            return r.first.find("EVIDENCE") != std::string::npos;
        });
        ASSERT_NE(label, rows.end());
        EXPECT_EQ(label->second.mtime, kTime - 1);
    }
}

TEST_F(FatWriterTest, DefaultSerialIsDeterministic) {
    auto w = make_fat_writer(FileSystemType::Fat16);
    PartitionSpec spec;
    spec.label = "X";
    w->format(spec, image("a.img"), 16 << 20, kTime);
    std::string first = tsk("fsstat " + shell_quote(image("a.img")));
    w->format(spec, image("b.img"), 16 << 20, kTime);
    std::string second = tsk("fsstat " + shell_quote(image("b.img")));
    std::smatch m1, m2;
    std::regex id("Volume ID: (0x[0-9a-f]+)");
    ASSERT_TRUE(std::regex_search(first, m1, id));
    ASSERT_TRUE(std::regex_search(second, m2, id));
    EXPECT_EQ(m1[1].str(), m2[1].str());
    EXPECT_NE(m1[1].str(), "0x1234abcd");  // not mkfs.fat's invariant default
}

TEST_F(FatWriterTest, WritesFilesWithNamesAndContent) {
    for (auto type : {FileSystemType::Fat12, FileSystemType::Fat16, FileSystemType::Fat32}) {
        auto w = formatted(type, "w.img", type == FileSystemType::Fat32 ? 40 << 20 : 4 << 20);
        SCOPED_TRACE(static_cast<int>(type));
        const std::map<std::string, std::string> files = {
            {"/Docs/a.txt", "hello"},
            {"/Docs/Report Final.docx", std::string(5000, 'R')},
            {"/Docs/Отчёты/Письмо.txt", "Привет, мир! Қазақ тілі."},
            {"/README.TXT", ""},
            {"/lower.TXT", "x"},
        };
        w->make_directory("/Docs", kTime);
        w->make_directory("/Docs/Отчёты", kTime + 10);
        int64_t t = kTime + 20;
        for (const auto& [path, text] : files) w->write_file(path, bytes(text), t++);
        w->finish();

        auto entries = listing(image("w.img"));
        for (const auto& [path, text] : files) {
            ASSERT_TRUE(entries.count(path)) << path;
            const auto& e = entries[path];
            EXPECT_EQ(e.type, "r/r") << path;
            EXPECT_TRUE(e.allocated) << path;
            EXPECT_EQ(tsk("icat " + shell_quote(image("w.img")) + " " + e.inode), text) << path;
        }
        auto check = run("fsck.fat -n " + shell_quote(image("w.img")));
        EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
        ASSERT_TRUE(entries.count("/Docs/Отчёты"));
        EXPECT_EQ(entries["/Docs/Отчёты"].type, "d/d");
    }
}

TEST_F(FatWriterTest, TimesAreTheStoredTimes) {
    auto w = formatted(FileSystemType::Fat16, "t.img");
    w->make_directory("/Docs", kTime);
    w->write_file("/Docs/a.txt", bytes("abc"), kTime + 100);
    w->write_file("/Docs/b.txt", bytes("def"), kTime + 200);
    Times set;
    set.mtime = 1600000003;   // odd: FAT keeps 1600000002
    set.atime = 1600050000;   // the date only
    set.crtime = 1500000001;  // whole seconds (10 ms field)
    set.ctime = 1600000000;   // FAT has none
    w->set_times("/Docs/b.txt", set);
    Times partial;
    partial.atime = 1650000000;  // the others stay as written
    w->set_times("/Docs", partial);
    w->finish();

    auto rows = body(image("t.img"));
    auto expect = [&](const std::string& path, const Times& wanted) {
        Times s = w->stored_times(wanted);
        ASSERT_TRUE(rows.count(path)) << path;
        const auto& r = rows[path];
        EXPECT_EQ(r.mtime, *s.mtime) << path;
        EXPECT_EQ(r.atime, *s.atime) << path;
        EXPECT_EQ(r.crtime, *s.crtime) << path;
        EXPECT_FALSE(s.ctime.has_value());
        EXPECT_EQ(r.ctime, 0) << path;
    };
    int64_t a = kTime + 100;
    expect("/Docs/a.txt", Times{a, a, std::nullopt, a});
    expect("/Docs/b.txt", set);
    expect("/Docs", Times{kTime, partial.atime, std::nullopt, kTime});

    // istat agrees, in its own words.
    std::string info =
        tsk("istat " + shell_quote(image("t.img")) + " " + rows["/Docs/b.txt"].inode);
    EXPECT_NE(info.find("Written:\t2020-09-13 12:26:42 (UTC)"), std::string::npos) << info;
    EXPECT_NE(info.find("Accessed:\t2020-09-14 00:00:00 (UTC)"), std::string::npos) << info;
    EXPECT_NE(info.find("Created:\t2017-07-14 02:40:01"), std::string::npos) << info;

    Times rounded = w->stored_times(Times{1700000001, 1700000001, 1700000001, 1700000001});
    EXPECT_EQ(*rounded.mtime, 1700000000);
    EXPECT_EQ(*rounded.atime, 1699920000);
    EXPECT_EQ(*rounded.crtime, 1700000001);
    EXPECT_FALSE(rounded.ctime);
}

// The UTC offset of `zone` at `t`, in seconds, from GNU date (glibc's tz code).
int64_t offset_of(const std::string& zone, int64_t t) {
    auto r = run("TZ=" + zone + " date -d @" + std::to_string(t) + " +%z");
    const std::string z = r.out.substr(0, 5);  // "+0500"
    const int64_t seconds = std::stoll(z.substr(1, 2)) * 3600 + std::stoll(z.substr(3, 2)) * 60;
    return z[0] == '-' ? -seconds : seconds;
}

// fls -m read in `zone` (-z), by path.
std::map<std::string, BodyRow> body_in_zone(const std::string& image, const std::string& zone) {
    auto rows = std::map<std::string, BodyRow>{};
    auto r = run("fls -z " + zone + " -r -m / " + shell_quote(image));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::istringstream in(r.out);
    std::string line;
    while (std::getline(in, line)) {
        std::vector<std::string> f;
        std::string field;
        std::istringstream ls(line);
        while (std::getline(ls, field, '|')) f.push_back(field);
        if (f.size() < 11) continue;
        BodyRow b;
        b.inode = f[2];
        b.atime = std::stoll(f[7]);
        b.mtime = std::stoll(f[8]);
        b.crtime = std::stoll(f[10]);
        rows[f[1]] = b;
    }
    return rows;
}

TEST_F(FatWriterTest, StoresLocalTimeInThePartitionsZone) {
    // 2024-03-05T20:30:01Z is 01:30:01 on 03-06 in Almaty (+05:00): another local date.
    constexpr int64_t kWhen = 1709670601;
    auto w = make_fat_writer(FileSystemType::Fat16);
    PartitionSpec spec;
    spec.id = "p1";
    spec.filesystem = FileSystemType::Fat16;
    spec.timezone = "Asia/Almaty";
    w->format(spec, image("z.img"), 16 << 20, kWhen);
    w->write_file("/a.txt", bytes("abc"), kWhen);
    w->finish();
    const int64_t offset = offset_of("Asia/Almaty", kWhen);
    ASSERT_EQ(offset, 5 * 3600);

    // Read in the zone it was written in (fls -z), the instants come back.
    auto in_zone = body_in_zone(image("z.img"), "Asia/Almaty");
    ASSERT_TRUE(in_zone.count("/a.txt"));
    EXPECT_EQ(in_zone["/a.txt"].crtime, kWhen);
    EXPECT_EQ(in_zone["/a.txt"].mtime, kWhen - 1);  // two-second steps of the local time
    // The access date is the local date: midnight of 2024-03-06 in Almaty.
    auto midnight = run("TZ=Asia/Almaty date -d '2024-03-06 00:00:00' +%s");
    EXPECT_EQ(in_zone["/a.txt"].atime, std::stoll(midnight.out));
    Times stored = w->stored_times(Times{kWhen, kWhen, kWhen, kWhen});
    EXPECT_EQ(*stored.mtime, in_zone["/a.txt"].mtime);
    EXPECT_EQ(*stored.atime, in_zone["/a.txt"].atime);
    EXPECT_EQ(*stored.crtime, in_zone["/a.txt"].crtime);

    // Read as UTC, the same entry is the local clock time: later by exactly the offset.
    auto as_utc = body_in_zone(image("z.img"), "UTC");
    EXPECT_EQ(as_utc["/a.txt"].crtime, kWhen + offset);
    EXPECT_EQ(as_utc["/a.txt"].mtime, kWhen - 1 + offset);
    EXPECT_EQ(as_utc["/a.txt"].atime, in_zone["/a.txt"].atime + offset);
    std::string info =
        tsk("istat -z Asia/Almaty " + shell_quote(image("z.img")) + " " + in_zone["/a.txt"].inode);
    EXPECT_NE(info.find("Created:\t2024-03-06 01:30:01"), std::string::npos) << info;
}

TEST_F(FatWriterTest, RefusesALocalTimeThatHappensTwice) {
    auto w = make_fat_writer(FileSystemType::Fat16);
    PartitionSpec spec;
    spec.timezone = "Europe/Berlin";
    w->format(spec, image("twice.img"), 16 << 20, kTime);
    // 2023-10-29T00:30:00Z is 02:30 CEST; at 01:30Z the clocks show 02:30 again (CET).
    auto first = run("TZ=Europe/Berlin date -d @1698539400 '+%H:%M %Z'");
    auto second = run("TZ=Europe/Berlin date -d @1698543000 '+%H:%M %Z'");
    ASSERT_EQ(first.out.substr(0, 5), second.out.substr(0, 5));
    std::string msg = error_of([&] { w->write_file("/a.txt", bytes("x"), 1698539400); });
    EXPECT_NE(msg.find("happens twice"), std::string::npos) << msg;
    EXPECT_NE(msg.find("/a.txt"), std::string::npos) << msg;
    EXPECT_NE(msg.find("Europe/Berlin"), std::string::npos) << msg;
    EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
    w->write_file("/b.txt", bytes("y"), 1698543000 + 3600);  // 03:30 CET: once
}

TEST_F(FatWriterTest, RenamesAndMovesKeepingTheNameAsGiven) {
    auto w = formatted(FileSystemType::Fat32, "r.img", 40 << 20);
    w->make_directory("/Docs", kTime);
    w->make_directory("/Old", kTime);
    w->write_file("/Docs/ABC.TXT", bytes("one"), kTime);
    w->write_file("/Docs/Report.docx", bytes("two"), kTime);
    w->rename("/Docs/ABC.TXT", "/Docs/renamed.txt", kTime + 10);
    w->rename("/Docs/Report.docx", "/Отчёт за год.docx", kTime + 20);
    w->rename("/Old", "/Docs/Archive", kTime + 30);
    w->finish();
    auto entries = listing(image("r.img"));
    EXPECT_TRUE(entries.count("/Docs/renamed.txt"));
    EXPECT_TRUE(entries.count("/Отчёт за год.docx"));
    EXPECT_TRUE(entries.count("/Docs/Archive"));
    EXPECT_FALSE(entries.count("/Docs/ABC.TXT"));
    EXPECT_FALSE(entries.count("/Old"));
    EXPECT_EQ(tsk("icat " + shell_quote(image("r.img")) + " " + entries["/Docs/renamed.txt"].inode),
              "one");
    // The times move with the entry.
    auto rows = body(image("r.img"));
    EXPECT_EQ(rows["/Docs/renamed.txt"].crtime, kTime);
}

TEST_F(FatWriterTest, DeletedContentStaysRecoverable) {
    auto w = formatted(FileSystemType::Fat16, "d.img");
    const std::string secret = "secret plans " + std::string(3000, 'S');
    w->write_file("/secret.txt", bytes(secret), kTime);
    const std::string inode = listing(image("d.img"))["/secret.txt"].inode;
    w->remove("/secret.txt", false, kTime + 10);
    w->finish();
    bool found_deleted = false;
    for (const auto& e : dflab::test::fls(image("d.img"))) {
        EXPECT_FALSE(e.allocated && e.path == "/secret.txt");
        if (e.inode == inode) found_deleted = !e.allocated;
    }
    EXPECT_TRUE(found_deleted);
    EXPECT_EQ(tsk("icat " + shell_quote(image("d.img")) + " " + inode), secret);
}

TEST_F(FatWriterTest, DeleteWithOverwriteLeavesZeros) {
    auto w = formatted(FileSystemType::Fat16, "o.img");
    const std::string secret = "wipe me " + std::string(5000, 'W');
    w->write_file("/wipe.bin", bytes(secret), kTime);
    w->write_file("/keep.txt", bytes("keep"), kTime);
    const std::string inode = listing(image("o.img"))["/wipe.bin"].inode;
    w->remove("/wipe.bin", true, kTime + 10);
    w->finish();
    EXPECT_EQ(tsk("icat " + shell_quote(image("o.img")) + " " + inode),
              std::string(secret.size(), '\0'));
    EXPECT_NE(run("grep -c 'wipe me' " + shell_quote(image("o.img"))).exit_code, 0);
    auto entries = listing(image("o.img"));
    EXPECT_EQ(tsk("icat " + shell_quote(image("o.img")) + " " + entries["/keep.txt"].inode),
              "keep");
}

TEST_F(FatWriterTest, SameCallsGiveTheSameBytes) {
    auto build = [&](const std::string& name) {
        auto w = make_fat_writer(FileSystemType::Fat32);
        PartitionSpec spec;
        spec.label = "SAME";
        w->format(spec, image(name), 40 << 20, kTime);
        w->make_directory("/Docs", kTime + 1);
        w->write_file("/Docs/Отчёт.txt", bytes("Привет"), kTime + 2);
        w->write_file("/Docs/a.txt", bytes("a"), kTime + 3);
        w->set_times("/Docs/a.txt", Times{1600000000, 1600000000, std::nullopt, 1500000000});
        w->rename("/Docs/a.txt", "/b.txt", kTime + 4);
        w->remove("/Docs/Отчёт.txt", true, kTime + 5);
        w->finish();
        return sha256(image(name));
    };
    std::string first = build("one.img");
    std::string second = build("two.img");
    EXPECT_EQ(first.size(), 64u);
    EXPECT_EQ(first, second);
    auto check = run("fsck.fat -n " + shell_quote(image("one.img")));
    EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
}

TEST_F(FatWriterTest, ErrorsAreOneLineNamingThePathInDflabsWords) {
    auto w = formatted(FileSystemType::Fat16, "e.img");
    // mcopy's own words ("::/Nope/x.txt: no match for target") are translated.
    std::string msg = error_of([&] { w->write_file("/Nope/x.txt", bytes("x"), kTime); });
    EXPECT_EQ(msg, "/Nope/x.txt: the folder /Nope does not exist; make it first (mkdir)");
    // Names mtools refuses without a word (or crashes on) are refused before it runs.
    msg = error_of([&] { w->write_file("/a|b.txt", bytes("x"), kTime); });
    EXPECT_EQ(msg,
              "/a|b.txt: the name 'a|b.txt' holds one of \" * < > ? \\ |, which FAT does "
              "not allow; rename it");
    msg = error_of([&] { w->write_file("/" + std::string(300, 'a'), bytes("x"), kTime); });
    EXPECT_NE(msg.find("is longer than 255 characters, which FAT does not allow"),
              std::string::npos)
        << msg;

    msg = error_of([&] { w->set_times("/missing.txt", Times{kTime, {}, {}, {}}); });
    EXPECT_NE(msg.find("/missing.txt"), std::string::npos) << msg;

    msg = error_of([&] { w->make_directory("/Docs", 100); });  // before 1980
    EXPECT_NE(msg.find("1980"), std::string::npos) << msg;

    auto fat12 = make_fat_writer(FileSystemType::Fat12);
    PartitionSpec big;
    // mkfs.fat: "Attempting to create a too small or a too large filesystem", in dflab's words.
    msg = error_of([&] { fat12->format(big, image("big.img"), 256 << 20, kTime); });
    EXPECT_EQ(msg,
              "the partition: 256 MiB is too small or too large for FAT12; choose another size, "
              "or fat12 for a small and fat32 for a large partition");
    EXPECT_FALSE(fs::exists(image("big.img")));

    EXPECT_NE(error_of([] { make_fat_writer(FileSystemType::Ext4); }), "");
}

}  // namespace
}  // namespace dflab::images
