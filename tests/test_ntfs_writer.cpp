// The NTFS writer checked with independent tools: fsstat, fls, istat and icat from The Sleuth Kit,
// ntfsfix -n and ntfsinfo from ntfs-3g for consistency, sha256sum for reproducibility.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "engine/error.hpp"
#include "images/fat_writer.hpp"
#include "images/ntfs_writer.hpp"
#include "tests/oracle.hpp"
#include "tests/support/fixtures.hpp"

namespace dflab::images {
namespace {

namespace fs = std::filesystem;
using dflab::test::error_of;
using dflab::test::run;
using dflab::test::shell_quote;

constexpr int64_t kFormatTime = 1700000000;  // 2023-11-14 22:13:20 UTC
constexpr uint64_t kSize = 16ull << 20;

std::span<const std::byte> bytes(const std::string& s) {
    return std::as_bytes(std::span(s.data(), s.size()));
}

PartitionSpec spec(std::string label = "EVIDENCE") {
    PartitionSpec p;
    p.id = "p1";
    p.filesystem = FileSystemType::Ntfs;
    p.label = std::move(label);
    p.mark = {"recipe.yaml", 3, 5};
    return p;
}

// "2023-11-14 22:13:20.000000000 (UTC)", as istat prints NTFS times.
std::string iso(int64_t t) {
    std::time_t tt = static_cast<std::time_t>(t);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
    return std::string(buf) + ".000000000 (UTC)";
}

using dflab::test::FlsEntry;

// fls -r -p (tests/oracle.hpp): every entry, deleted ones included.
std::vector<FlsEntry> fls(const std::string& image) {
    return dflab::test::fls(image);
}

std::optional<FlsEntry> find(const std::vector<FlsEntry>& entries, const std::string& path,
                             bool deleted = false) {
    for (const auto& e : entries)
        if (e.path == path && e.allocated == !deleted) return e;
    return std::nullopt;
}

// The MFT entry number of "64-128-2".
std::string record(const FlsEntry& e) {
    return e.inode.substr(0, e.inode.find('-'));
}

// One block of istat's output: "$STANDARD_INFORMATION" or "$FILE_NAME".
std::string block(const std::string& istat, const std::string& title) {
    auto start = istat.find(title + " Attribute Values:");
    if (start == std::string::npos) return "";
    auto end = istat.find("\n\n", start);
    return istat.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

struct StampedTimes {
    int64_t created, modified, mft_modified, accessed;
};

void expect_times(const std::string& text, const StampedTimes& t) {
    EXPECT_NE(text.find("Created:\t" + iso(t.created)), std::string::npos) << text;
    EXPECT_NE(text.find("File Modified:\t" + iso(t.modified)), std::string::npos) << text;
    EXPECT_NE(text.find("MFT Modified:\t" + iso(t.mft_modified)), std::string::npos) << text;
    EXPECT_NE(text.find("Accessed:\t" + iso(t.accessed)), std::string::npos) << text;
}

class NtfsWriter : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ = dflab::test::temp_dir();
        image_ = dir_ + "/fs.img";
    }
    void TearDown() override { fs::remove_all(dir_); }

    std::unique_ptr<FileSystemWriter> formatted(const std::string& image,
                                                const PartitionSpec& p = spec()) {
        auto w = make_ntfs_writer();
        w->format(p, image, kSize, kFormatTime);
        return w;
    }
    std::string icat(const std::string& inode) {
        auto r = run("icat " + shell_quote(image_) + " " + inode);
        EXPECT_EQ(r.exit_code, 0) << r.err;
        return r.out;
    }
    std::string istat(const std::string& inode) {
        auto r = run("istat " + shell_quote(image_) + " " + inode);
        EXPECT_EQ(r.exit_code, 0) << r.err;
        return r.out;
    }
    // ntfs-3g's own check finds nothing to fix, and the volume is not marked dirty.
    void expect_clean() {
        auto r = run("ntfsfix -n " + shell_quote(image_));
        EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
        EXPECT_NE(r.out.find("processed successfully"), std::string::npos) << r.out << r.err;
        auto info = run("ntfsinfo -m " + shell_quote(image_));
        EXPECT_EQ(info.exit_code, 0) << info.err;
        EXPECT_NE(info.out.find("Volume Flags: 0x0000"), std::string::npos) << info.out;
    }

    std::string dir_, image_;
};

TEST_F(NtfsWriter, FormatsWithLabelSerialAndClusterSize) {
    auto p = spec("Улики 2023");
    p.serial = "0123456789ABCDEF";
    p.cluster_size = 1024;
    auto w = formatted(image_, p);
    w->finish();
    EXPECT_EQ(fs::file_size(image_), kSize);
    auto r = run("fsstat " + shell_quote(image_));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("File System Type: NTFS\n"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("Volume Serial Number: 0123456789ABCDEF\n"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("Volume Name: Улики 2023\n"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("Cluster Size: 1024\n"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("Sector Size: 512\n"), std::string::npos) << r.out;
    // The backup boot sector (the volume's last sector) carries the same serial.
    auto backup = run("tail -c 512 " + shell_quote(image_) + " | head -c 80 | tail -c 8 | xxd -p");
    EXPECT_EQ(backup.out, "efcdab8967452301\n");
    // The root folder and the system files were made at the format time.
    expect_times(block(istat("5"), "$STANDARD_INFORMATION"),
                 {kFormatTime, kFormatTime, kFormatTime, kFormatTime});
    expect_times(block(istat("0"), "$FILE_NAME"),
                 {kFormatTime, kFormatTime, kFormatTime, kFormatTime});
    expect_clean();
}

TEST_F(NtfsWriter, WritesFilesFoldersAndStreams) {
    auto w = formatted(image_);
    w->make_directory("/Мои документы", kFormatTime + 60);
    const std::string text = "Секретный пароль: qwerty\n";  // resident in the MFT record
    w->write_file("/Мои документы/пароль 1.txt", bytes(text), kFormatTime + 120);
    w->write_file("/empty", {}, kFormatTime + 121);
    std::string big(300000, 'x');  // in clusters of its own
    for (size_t i = 0; i < big.size(); i += 7) big[i] = static_cast<char>('a' + i % 26);
    w->write_file("/big.bin", bytes(big), kFormatTime + 122);
    const std::string zone = "[ZoneTransfer]\r\nZoneId=3\r\n";
    w->write_stream("/big.bin", "Zone.Identifier", bytes(zone), kFormatTime + 123);
    std::string payload(5000, 'p');
    w->write_stream("/Мои документы", "скрыто", bytes(payload), kFormatTime + 124);
    w->write_stream("/big.bin", "Zone.Identifier", bytes(zone + "HostUrl=x\r\n"),
                    kFormatTime + 125);  // replaced
    w->finish();

    auto entries = fls(image_);
    auto f = find(entries, "/Мои документы/пароль 1.txt");
    ASSERT_TRUE(f) << "not listed by fls";
    EXPECT_EQ(f->type, "r/r");
    EXPECT_EQ(icat(f->inode), text);
    auto d = find(entries, "/Мои документы");
    ASSERT_TRUE(d);
    EXPECT_EQ(d->type, "d/d");
    auto e = find(entries, "/empty");
    ASSERT_TRUE(e);
    EXPECT_EQ(icat(e->inode), "");
    auto b = find(entries, "/big.bin");
    ASSERT_TRUE(b);
    EXPECT_EQ(icat(b->inode), big);
    auto s = find(entries, "/big.bin:Zone.Identifier");
    ASSERT_TRUE(s);
    EXPECT_EQ(record(*s), record(*b));
    EXPECT_NE(s->inode, b->inode);  // "64-128-4": another $DATA attribute of the same record
    EXPECT_EQ(icat(s->inode), zone + "HostUrl=x\r\n");
    auto ds = find(entries, "/Мои документы:скрыто");
    ASSERT_TRUE(ds);
    EXPECT_EQ(icat(ds->inode), payload);
    auto stat = istat(record(*b));
    EXPECT_NE(stat.find("Name: Zone.Identifier"), std::string::npos) << stat;
    expect_clean();
}

TEST_F(NtfsWriter, TimesInStandardInformationAndFileName) {
    auto w = formatted(image_);
    const int64_t t = kFormatTime + 3600;
    w->make_directory("/dir", t);
    w->write_file("/dir/a.txt", bytes("a"), t + 10);
    w->write_file("/dir/b.txt", bytes("b"), t + 20);
    w->write_stream("/dir/b.txt", "ads", bytes("hidden"), t + 30);
    Times wanted;
    wanted.mtime = 1500000000;  // 2017
    wanted.atime = 1600000000;
    wanted.crtime = 1400000000;
    wanted.ctime = 1450000000;
    w->set_times("/dir/a.txt", wanted);
    w->finish();
    EXPECT_EQ(w->stored_times(wanted).mtime, wanted.mtime);  // 100 ns steps: seconds exactly
    EXPECT_EQ(w->stored_times(wanted).ctime, wanted.ctime);

    auto entries = fls(image_);
    auto a = find(entries, "/dir/a.txt"), b = find(entries, "/dir/b.txt"),
         dir = find(entries, "/dir");
    ASSERT_TRUE(a && b && dir);
    // Set times: $STANDARD_INFORMATION only; $FILE_NAME keeps the creation (as SetFileTime).
    auto text = istat(record(*a));
    expect_times(block(text, "$STANDARD_INFORMATION"),
                 {1400000000, 1500000000, 1450000000, 1600000000});
    expect_times(block(text, "$FILE_NAME"), {t + 10, t + 10, t + 10, t + 10});
    // A stream write changes the file's modified and MFT-modified times.
    text = istat(record(*b));
    expect_times(block(text, "$STANDARD_INFORMATION"), {t + 20, t + 30, t + 30, t + 20});
    expect_times(block(text, "$FILE_NAME"), {t + 20, t + 20, t + 20, t + 20});
    // The folder was changed when its last entry was made.
    text = istat(record(*dir));
    expect_times(block(text, "$STANDARD_INFORMATION"), {t, t + 20, t + 20, t});
    expect_times(block(text, "$FILE_NAME"), {t, t, t, t});
    // fls -m reads $STANDARD_INFORMATION: mtime|atime|ctime|crtime of a.txt.
    auto body = run("fls -r -p -m / " + shell_quote(image_));
    EXPECT_NE(body.out.find("|/dir/a.txt|"), std::string::npos);
    EXPECT_NE(body.out.find("|1600000000|1500000000|1450000000|1400000000\n"), std::string::npos)
        << body.out;
    expect_clean();
}

TEST_F(NtfsWriter, RenameKeepsTheRecord) {
    auto story = [&](FileSystemWriter& w, bool renames) {
        w.make_directory("/A", kFormatTime + 1);
        w.make_directory("/A/sub", kFormatTime + 2);
        w.make_directory("/B", kFormatTime + 3);
        w.write_file("/A/sub/note.txt", bytes("заметка"), kFormatTime + 4);
        w.write_file("/A/x.txt", bytes(std::string(9000, 'x')), kFormatTime + 5);
        w.write_stream("/A/x.txt", "s", bytes("stream"), kFormatTime + 6);
        if (renames) {
            w.rename("/A/sub", "/B/перемещено", kFormatTime + 100);
            w.rename("/A/x.txt", "/A/y renamed.txt", kFormatTime + 101);
        }
        w.finish();
    };
    story(*formatted(image_), false);
    auto before = fls(image_);
    auto sub = find(before, "/A/sub"), note = find(before, "/A/sub/note.txt"),
         x = find(before, "/A/x.txt");
    ASSERT_TRUE(sub && note && x);

    story(*formatted(image_), true);
    auto after = fls(image_);
    auto moved = find(after, "/B/перемещено"), moved_note = find(after, "/B/перемещено/note.txt"),
         y = find(after, "/A/y renamed.txt"), ys = find(after, "/A/y renamed.txt:s");
    ASSERT_TRUE(moved && moved_note && y && ys);
    EXPECT_EQ(moved->inode, sub->inode);
    EXPECT_EQ(moved_note->inode, note->inode);
    EXPECT_EQ(y->inode, x->inode);
    EXPECT_FALSE(find(after, "/A/x.txt"));
    EXPECT_FALSE(find(after, "/A/sub"));
    EXPECT_EQ(icat(moved_note->inode), "заметка");
    EXPECT_EQ(icat(y->inode), std::string(9000, 'x'));
    EXPECT_EQ(icat(ys->inode), "stream");
    auto text = istat(record(*y));
    EXPECT_NE(text.find("Name: y renamed.txt"), std::string::npos) << text;
    EXPECT_EQ(text.find("Name: x.txt"), std::string::npos) << text;
    expect_times(block(text, "$STANDARD_INFORMATION"),
                 {kFormatTime + 5, kFormatTime + 6, kFormatTime + 101, kFormatTime + 5});
    expect_times(block(text, "$FILE_NAME"),
                 {kFormatTime + 5, kFormatTime + 6, kFormatTime + 101, kFormatTime + 5});
    text = istat(record(*moved));
    EXPECT_NE(text.find("Parent MFT Entry: " + record(*find(after, "/B")) + " "), std::string::npos)
        << text;
    expect_times(block(istat(record(*find(after, "/B"))), "$STANDARD_INFORMATION"),
                 {kFormatTime + 3, kFormatTime + 100, kFormatTime + 100, kFormatTime + 3});
    expect_clean();
}

TEST_F(NtfsWriter, DeletedContentStaysRecoverable) {
    auto w = formatted(image_);
    const std::string secret = "Удалённый файл: номер счёта 1234\n";  // resident
    std::string large(20000, 'L');                                    // in clusters
    w->make_directory("/tmp dir", kFormatTime + 1);
    w->write_file("/tmp dir/secret.txt", bytes(secret), kFormatTime + 2);
    w->write_file("/large.bin", bytes(large), kFormatTime + 3);
    w->write_stream("/large.bin", "extra", bytes(std::string(6000, 'E')), kFormatTime + 4);
    w->finish();
    auto live = fls(image_);
    auto secret_entry = find(live, "/tmp dir/secret.txt"), large_entry = find(live, "/large.bin"),
         extra = find(live, "/large.bin:extra");
    ASSERT_TRUE(secret_entry && large_entry && extra);
    w->remove("/tmp dir/secret.txt", false, kFormatTime + 500);
    w->remove("/tmp dir", false, kFormatTime + 501);
    w->remove("/large.bin", false, kFormatTime + 502);
    w->finish();

    auto all = fls(image_);
    EXPECT_FALSE(find(all, "/tmp dir"));
    EXPECT_FALSE(find(all, "/large.bin"));
    EXPECT_TRUE(find(all, "/large.bin", true)) << run("fls -r -p " + image_).out;
    // The MFT records and clusters are free, their content still there.
    EXPECT_EQ(icat(secret_entry->inode), secret);
    EXPECT_EQ(icat(large_entry->inode), large);
    EXPECT_EQ(icat(extra->inode), std::string(6000, 'E'));
    auto text = istat(record(*large_entry));
    EXPECT_NE(text.find("Not Allocated"), std::string::npos) << text;
    // The record keeps its times; the folder it was in changed at the deletion.
    expect_times(block(text, "$STANDARD_INFORMATION"),
                 {kFormatTime + 3, kFormatTime + 4, kFormatTime + 4, kFormatTime + 3});
    expect_times(block(istat("5"), "$STANDARD_INFORMATION"),
                 {kFormatTime, kFormatTime + 502, kFormatTime + 502, kFormatTime});
    expect_clean();
}

TEST_F(NtfsWriter, OverwriteLeavesZeros) {
    auto w = formatted(image_);
    std::string content(50000, 'S');
    w->write_file("/wiped.bin", bytes(content), kFormatTime + 1);
    w->write_stream("/wiped.bin", "ads", bytes(std::string(3000, 'T')), kFormatTime + 1);
    w->write_file("/small.txt", bytes("RESIDENT-SECRET"), kFormatTime + 2);
    w->write_file("/kept.txt", bytes("kept"), kFormatTime + 3);
    w->finish();
    auto live = fls(image_);
    auto wiped = find(live, "/wiped.bin"), ads = find(live, "/wiped.bin:ads"),
         small = find(live, "/small.txt");
    ASSERT_TRUE(wiped && ads && small);
    w->remove("/wiped.bin", true, kFormatTime + 4);
    w->remove("/small.txt", true, kFormatTime + 5);
    w->finish();
    EXPECT_TRUE(icat(wiped->inode) == std::string(50000, '\0'));  // size kept, content zeros
    EXPECT_TRUE(icat(ads->inode) == std::string(3000, '\0'));
    EXPECT_TRUE(icat(small->inode) == std::string(15, '\0'));
    EXPECT_EQ(icat(find(fls(image_), "/kept.txt")->inode), "kept");
    for (const char* pattern : {"SSSSSSSS", "TTTTTTTT", "RESIDENT-SECRET"}) {
        auto grep = run(std::string("grep -c ") + pattern + " " + shell_quote(image_));
        EXPECT_EQ(grep.out, "0\n") << pattern;
    }
    expect_clean();
}

TEST_F(NtfsWriter, SameCallsGiveTheSameBytes) {
    auto build = [&](const std::string& folder) {
        fs::create_directories(folder);
        std::string image = folder + "/image.img";
        auto w = formatted(image);
        w->make_directory("/Документы", kFormatTime + 10);
        w->write_file("/Документы/a.txt", bytes("alpha"), kFormatTime + 20);
        w->write_file("/b.txt", bytes(std::string(10000, 'b')), kFormatTime + 30);
        w->write_stream("/b.txt", "Zone.Identifier", bytes("[ZoneTransfer]"), kFormatTime + 35);
        w->rename("/b.txt", "/Документы/b.txt", kFormatTime + 40);
        w->remove("/Документы/a.txt", false, kFormatTime + 50);
        w->write_file("/c.txt", bytes("c"), kFormatTime + 60);
        w->finish();  // unmounted and mounted again in between
        w->remove("/c.txt", true, kFormatTime + 70);
        Times t;
        t.mtime = 1000000000;
        w->set_times("/Документы/b.txt", t);
        w->finish();
        auto r = run("sha256sum < " + shell_quote(image));
        EXPECT_EQ(r.exit_code, 0);
        return r.out;
    };
    std::string first = build(dir_ + "/one");
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));
    const char* zone = std::getenv("TZ");
    const std::string saved = zone ? zone : "";
    setenv("TZ", "Asia/Tokyo", 1);
    tzset();
    std::string second = build(dir_ + "/a different folder/two");
    if (zone)
        setenv("TZ", saved.c_str(), 1);
    else
        unsetenv("TZ");
    tzset();
    EXPECT_EQ(first, second);
    EXPECT_EQ(first.size(), 68u);
    // Nothing of the machine's clock: every time of the system files, the root folder and a new
    // file is the story's.
    auto w = formatted(image_);
    w->write_file("/x", bytes("x"), kFormatTime);
    w->finish();
    std::string text;
    for (const char* inode : {"0", "1", "2", "3", "5", "6", "9", "11"}) text += istat(inode);
    text += istat(record(*find(fls(image_), "/x")));
    size_t times = 0, story = 0;
    for (size_t at = text.find("(UTC)"); at != std::string::npos; at = text.find("(UTC)", at + 1))
        ++times;
    for (size_t at = text.find(iso(kFormatTime)); at != std::string::npos;
         at = text.find(iso(kFormatTime), at + 1))
        ++story;
    EXPECT_GT(times, 30u);
    EXPECT_EQ(story, times) << text;
}

TEST_F(NtfsWriter, NamesAreLookedUpWithoutRegardToCase) {
    auto w = formatted(image_);
    w->make_directory("/Docs", kFormatTime + 1);
    w->write_file("/Docs/Report.txt", bytes(std::string(7000, 'r')), kFormatTime + 2);
    w->write_stream("/docs/REPORT.TXT", "Note", bytes("n"), kFormatTime + 3);
    w->rename("/DOCS/report.txt", "/Docs/Final.txt", kFormatTime + 4);
    w->finish();
    auto live = fls(image_);
    auto file = find(live, "/Docs/Final.txt"), note = find(live, "/Docs/Final.txt:Note");
    ASSERT_TRUE(file && note);
    w->remove("/docs/FINAL.TXT", false, kFormatTime + 5);
    w->finish();
    EXPECT_FALSE(find(fls(image_), "/Docs/Final.txt"));
    EXPECT_EQ(icat(file->inode), std::string(7000, 'r'));
    EXPECT_EQ(icat(note->inode), "n");
    expect_clean();
}

// The builder's truth manifest lists streams as "path:stream" artifacts that follow their file
// through touch, rename and delete; checked with icat and fls on the built image.
TEST_F(NtfsWriter, BuilderRecordsStreamsInTheTruth) {
    const std::string recipe = dir_ + "/streams.yaml";
    std::ofstream(recipe) << R"(name: streams
seed: 7
start: 2024-03-01T10:00:00Z
disk:
  size: 32MiB
  partitions:
    - {id: p, filesystem: ntfs, serial: 00000000CAFEF00D}
actions:
  - mkdir: /Downloads
  - at: 2024-03-01T10:05:00Z
    write: /Downloads/setup.exe
    id: file
    random: {size: 20000}
  - at: 2024-03-01T10:06:00Z
    stream: /Downloads/setup.exe
    name: Zone.Identifier
    id: zone
    text: "[ZoneTransfer]
ZoneId=3
"
  - at: 2024-03-01T10:07:00Z
    stream: /Downloads
    name: folder-note
    id: on_folder
    random: {size: 3000}
  - at: 2024-03-02T08:00:00Z
    touch: /Downloads/setup.exe
    mtime: 2020-01-01T00:00:00Z
  - at: 2024-03-03T09:00:00Z
    rename: /Downloads/setup.exe
    to: /Downloads/invoice.pdf.exe
  - write: /gone.txt
    text: "short"
  - at: 2024-03-04T09:00:00Z
    stream: /gone.txt
    name: secret
    id: deleted_stream
    text: "the stream of a deleted file"
  - at: 2024-03-05T09:00:00Z
    delete: /gone.txt
)";
    auto r = run(shell_quote(DFLAB_BINARY) + " image build " + shell_quote(recipe) + " -o " +
                 shell_quote(dir_ + "/out"));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto truth = nlohmann::json::parse(std::ifstream(dir_ + "/out/streams.truth.json"));
    const std::string raw = dir_ + "/out/streams.raw";
    std::map<std::string, nlohmann::json> by_id;
    for (const auto& a : truth["artifacts"]) by_id[a["id"]] = a;
    ASSERT_EQ(by_id.size(), 4u) << truth.dump(2);
    const auto& zone = by_id["zone"];
    EXPECT_EQ(zone["kind"], "stream");
    EXPECT_EQ(zone["path"], "/Downloads/invoice.pdf.exe:Zone.Identifier");
    EXPECT_TRUE(zone["allocated"]);
    // The file's times: made 10:05, stream written 10:06, mtime set, renamed 3 March.
    EXPECT_EQ(zone["crtime"], "2024-03-01T10:05:00Z");
    EXPECT_EQ(zone["mtime"], "2020-01-01T00:00:00Z");
    EXPECT_EQ(zone["atime"], "2024-03-01T10:05:00Z");  // touch changes only what it names
    EXPECT_EQ(zone["ctime"], "2024-03-03T09:00:00Z");
    EXPECT_EQ(by_id["file"]["ctime"], "2024-03-03T09:00:00Z");
    EXPECT_EQ(by_id["file"]["path"], "/Downloads/invoice.pdf.exe");
    EXPECT_EQ(by_id["on_folder"]["path"], "/Downloads:folder-note");
    // The folder's own times: its stream at 10:07, then the rename inside it.
    EXPECT_EQ(by_id["on_folder"]["mtime"], "2024-03-03T09:00:00Z");
    EXPECT_EQ(by_id["on_folder"]["crtime"], "2024-03-01T10:00:00Z");
    const auto& gone = by_id["deleted_stream"];
    EXPECT_FALSE(gone["allocated"]);
    const std::string o = "-o 2048 " + shell_quote(raw) + " ";
    auto listed = dflab::test::lines(run("fls -r -p " + o).out);
    for (const auto& [id, a] : by_id) {
        SCOPED_TRACE(id);
        const std::string inode = a["inode"];
        EXPECT_TRUE(std::regex_match(inode, std::regex("[0-9]+-128-[0-9]+"))) << inode;
        EXPECT_EQ(run("icat " + o + inode + " | sha256sum").out.substr(0, 64), a["sha256"]);
        if (!a["allocated"]) continue;
        const std::string line = " " + inode + ":\t" + a["path"].get<std::string>().substr(1);
        EXPECT_NE(std::find_if(listed.begin(), listed.end(),
                               [&](const std::string& l) { return l.ends_with(line); }),
                  listed.end())
            << line;
    }
    EXPECT_EQ(run("icat " + o + gone["inode"].get<std::string>()).out,
              "the stream of a deleted file");

    // The same recipe elsewhere, in another time zone, with the machine's clock in 2031 just
    // before midnight: the same bytes.
    auto again =
        run("cd / && TZ=Asia/Almaty " + dflab::test::under_faked_clock("2031-07-04 23:59:58") +
            shell_quote(DFLAB_BINARY) + " image build " + shell_quote(recipe) + " -o " +
            shell_quote(dir_ + "/other place"));
    ASSERT_EQ(again.exit_code, 0) << again.err;
    auto sha = [](const std::string& file) {
        return run("sha256sum < " + shell_quote(file)).out.substr(0, 64);
    };
    EXPECT_EQ(sha(raw), sha(dir_ + "/other place/streams.raw"));
    EXPECT_EQ(sha(raw), truth["image"]["sha256"]);
}

TEST_F(NtfsWriter, ErrorsAreOneLine) {
    auto w = formatted(image_);
    auto missing = error_of([&] { w->write_file("/nowhere/a.txt", bytes("a"), kFormatTime); });
    EXPECT_NE(missing.find("/nowhere"), std::string::npos) << missing;
    EXPECT_NE(missing.find(image_), std::string::npos) << missing;
    EXPECT_EQ(missing.find('\n'), std::string::npos) << missing;
    EXPECT_NE(error_of([&] { w->make_directory("relative", kFormatTime); }), "");
    EXPECT_NE(error_of([&] { w->remove("/absent", false, kFormatTime); }), "");
    auto stream = error_of([&] { w->write_stream("/absent", "s", bytes("s"), kFormatTime); });
    EXPECT_NE(stream.find("stream /absent:s"), std::string::npos) << stream;
    w->write_file("/a.txt", bytes("a"), kFormatTime);
    auto twice = error_of([&] { w->write_file("/A.TXT", bytes("b"), kFormatTime); });
    EXPECT_NE(twice.find("exists already"), std::string::npos) << twice;  // case-blind, as Windows
    EXPECT_NE(error_of([&] { w->write_stream("/a.txt", "a:b", bytes("s"), kFormatTime); }), "");
    w->make_directory("/full", kFormatTime);
    w->write_file("/full/f", bytes("f"), kFormatTime);
    auto not_empty = error_of([&] { w->remove("/full", false, kFormatTime); });
    EXPECT_NE(not_empty.find("not empty"), std::string::npos) << not_empty;
    auto too_early = error_of([&] { w->write_file("/old", bytes("o"), -12000000000); });
    EXPECT_NE(too_early.find("1601"), std::string::npos) << too_early;
    std::string huge(kSize + 4096, 'h');
    auto full = error_of([&] { w->write_file("/huge.bin", bytes(huge), kFormatTime + 1); });
    EXPECT_NE(full.find("write /huge.bin: "), std::string::npos) << full;
    EXPECT_EQ(full.find('\n'), std::string::npos) << full;
    w->finish();
    expect_clean();  // the failed actions left the volume consistent

    auto bad_serial = make_ntfs_writer();
    auto p = spec();
    p.serial = "12345678";
    auto serial = error_of([&] { bad_serial->format(p, image_, kSize, kFormatTime); });
    EXPECT_NE(serial.find("recipe.yaml:3:5"), std::string::npos) << serial;
    EXPECT_NE(serial.find("16 hexadecimal digits"), std::string::npos) << serial;

    auto fat = make_fat_writer(FileSystemType::Fat16);
    auto on_fat = error_of([&] { fat->write_stream("/a.txt", "s", bytes("s"), kFormatTime); });
    EXPECT_NE(on_fat.find("alternate data streams exist only on NTFS"), std::string::npos)
        << on_fat;
}

}  // namespace
}  // namespace dflab::images
