// The ext writer (ext2, ext3, ext4) checked with independent tools: fsstat, fls, icat and istat
// from The Sleuth Kit, e2fsck -fn for consistency, sha256sum for reproducibility.
#include <gtest/gtest.h>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <optional>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "engine/error.hpp"
#include "images/ext_writer.hpp"
#include "tests/support/fixtures.hpp"

namespace dflab::images {
namespace {

namespace fs = std::filesystem;
using dflab::test::error_of;
using dflab::test::run;
using dflab::test::shell_quote;

constexpr int64_t kFormatTime = 1700000000;  // 2023-11-14 22:13:20 UTC
constexpr uint64_t kSize = 8ull << 20;

std::span<const std::byte> bytes(const std::string& s) {
    return std::as_bytes(std::span(s.data(), s.size()));
}

PartitionSpec spec(FileSystemType type, std::string label = "EVIDENCE") {
    PartitionSpec p;
    p.id = "p1";
    p.filesystem = type;
    p.label = std::move(label);
    p.mark = {"recipe.yaml", 3, 5};
    return p;
}

std::string iso(int64_t t) {  // "2023-11-14 22:13:20", as istat prints it
    std::time_t tt = static_cast<std::time_t>(t);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
    return buf;
}

struct Entry {
    std::string type, inode, path;
    bool deleted = false;
};

// fls -r -p (-d: deleted only), tolerant of "* 18(realloc)" and TSK's virtual $OrphanFiles.
std::vector<Entry> fls(const std::string& image, const std::string& options = "-r -p") {
    auto r = run("fls " + options + " " + shell_quote(image));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    static const std::regex re(R"(^(\S+) (\* )?([0-9]+)(?:\(realloc\))?:\t(.*)$)");
    std::vector<Entry> out;
    for (const auto& line : dflab::test::lines(r.out)) {
        std::smatch m;
        if (!std::regex_match(line, m, re)) continue;
        if (m[4].str() == "$OrphanFiles") continue;
        out.push_back({m[1], m[3], "/" + m[4].str(), m[2].matched});
    }
    return out;
}

std::optional<Entry> find(const std::vector<Entry>& entries, const std::string& path,
                          bool deleted = false) {
    for (const auto& e : entries)
        if (e.path == path && e.deleted == deleted) return e;
    return std::nullopt;
}

class ExtWriter : public ::testing::TestWithParam<FileSystemType> {
  protected:
    void SetUp() override {
        dir_ = dflab::test::temp_dir();
        image_ = dir_ + "/fs.img";
    }
    void TearDown() override { fs::remove_all(dir_); }

    std::unique_ptr<FileSystemWriter> formatted(const std::string& image) {
        auto w = make_ext_writer(GetParam());
        w->format(spec(GetParam()), image, kSize, kFormatTime);
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
    void expect_clean() {
        auto r = run("e2fsck -fn " + shell_quote(image_));
        EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    }

    std::string dir_, image_;
};

TEST_P(ExtWriter, FormatsWithTypeLabelAndUuid) {
    auto w = make_ext_writer(GetParam());
    auto p = spec(GetParam(), "Улики 2023");
    p.serial = "0123ABCD-4567-89ab-cdef-0123456789AB";
    w->format(p, image_, kSize, kFormatTime);
    w->finish();
    EXPECT_EQ(fs::file_size(image_), kSize);
    auto r = run("fsstat " + shell_quote(image_));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const char* type = GetParam() == FileSystemType::Ext2   ? "Ext2"
                       : GetParam() == FileSystemType::Ext3 ? "Ext3"
                                                            : "Ext4";
    EXPECT_NE(r.out.find(std::string("File System Type: ") + type + "\n"), std::string::npos)
        << r.out;
    EXPECT_NE(r.out.find("Volume Name: Улики 2023\n"), std::string::npos) << r.out;
    // TSK prints the UUID's 16 bytes in reverse order.
    EXPECT_NE(r.out.find("Volume ID: ab8967452301efcdab896745cdab2301\n"), std::string::npos)
        << r.out;
    auto d = run("dumpe2fs -h " + shell_quote(image_));
    EXPECT_NE(d.out.find("0123abcd-4567-89ab-cdef-0123456789ab"), std::string::npos);
    EXPECT_NE(d.out.find("Filesystem created:       Tue Nov 14 22:13:20 2023"), std::string::npos)
        << d.out;
    expect_clean();
}

TEST_P(ExtWriter, WritesFilesWithCyrillicNamesAndContent) {
    auto w = formatted(image_);
    w->make_directory("/Мои документы", kFormatTime + 60);
    w->make_directory("/Мои документы/Отчёт \"итог\"", kFormatTime + 61);
    const std::string text = "Секретный пароль: qwerty\n";
    w->write_file("/Мои документы/Отчёт \"итог\"/пароль 1.txt", bytes(text), kFormatTime + 120);
    w->write_file("/empty", {}, kFormatTime + 121);
    std::string big(300000, 'x');
    for (size_t i = 0; i < big.size(); i += 7) big[i] = static_cast<char>('a' + i % 26);
    w->write_file("/big.bin", bytes(big), kFormatTime + 122);
    w->finish();

    auto entries = fls(image_);
    auto f = find(entries, "/Мои документы/Отчёт \"итог\"/пароль 1.txt");
    ASSERT_TRUE(f) << "not listed by fls";
    EXPECT_EQ(f->type, "r/r");
    EXPECT_EQ(icat(f->inode), text);
    auto d = find(entries, "/Мои документы/Отчёт \"итог\"");
    ASSERT_TRUE(d);
    EXPECT_EQ(d->type, "d/d");
    auto e = find(entries, "/empty");
    ASSERT_TRUE(e);
    EXPECT_EQ(icat(e->inode), "");
    auto b = find(entries, "/big.bin");
    ASSERT_TRUE(b);
    EXPECT_EQ(icat(b->inode), big);
    EXPECT_NE(istat(f->inode).find("uid / gid: 0 / 0"), std::string::npos);
    expect_clean();
}

TEST_P(ExtWriter, TimesAreTheStoredTimes) {
    auto w = formatted(image_);
    const int64_t t = kFormatTime + 3600;
    w->write_file("/a.txt", bytes("a"), t);
    w->write_file("/b.txt", bytes("b"), t + 10);
    Times wanted;
    wanted.mtime = 1500000000;  // 2017
    wanted.atime = 4102444800;  // 2100: beyond 2038, in the extra epoch bits
    wanted.crtime = 1400000000;
    w->set_times("/b.txt", wanted);
    w->finish();

    auto entries = fls(image_);
    auto check = [&](const std::string& path, const Times& want) {
        auto e = find(entries, path);
        ASSERT_TRUE(e);
        auto text = istat(e->inode);
        Times stored = w->stored_times(want);
        EXPECT_NE(text.find("Accessed:\t" + iso(*stored.atime)), std::string::npos) << text;
        EXPECT_NE(text.find("File Modified:\t" + iso(*stored.mtime)), std::string::npos) << text;
        EXPECT_NE(text.find("Inode Modified:\t" + iso(*stored.ctime)), std::string::npos) << text;
        if (stored.crtime)
            EXPECT_NE(text.find("File Created:\t" + iso(*stored.crtime)), std::string::npos)
                << text;
        else
            EXPECT_EQ(text.find("File Created:"), std::string::npos) << text;
    };
    check("/a.txt", Times{t, t, t, t});
    check("/b.txt", Times{wanted.mtime, wanted.atime, t + 10, wanted.crtime});
    EXPECT_EQ(w->stored_times(Times{1, 2, 3, 4}).crtime.has_value(),
              GetParam() == FileSystemType::Ext4);
    expect_clean();
}

TEST_P(ExtWriter, RenameKeepsTheInode) {
    auto w = formatted(image_);
    w->make_directory("/A", kFormatTime + 1);
    w->make_directory("/A/sub", kFormatTime + 2);
    w->make_directory("/B", kFormatTime + 3);
    w->write_file("/A/sub/note.txt", bytes("заметка"), kFormatTime + 4);
    w->write_file("/A/x.txt", bytes("x"), kFormatTime + 5);
    w->finish();
    auto before = fls(image_);
    auto sub = find(before, "/A/sub"), note = find(before, "/A/sub/note.txt"),
         x = find(before, "/A/x.txt");
    ASSERT_TRUE(sub && note && x);

    auto w2 = formatted(image_);  // the same story again, with the renames
    w2->make_directory("/A", kFormatTime + 1);
    w2->make_directory("/A/sub", kFormatTime + 2);
    w2->make_directory("/B", kFormatTime + 3);
    w2->write_file("/A/sub/note.txt", bytes("заметка"), kFormatTime + 4);
    w2->write_file("/A/x.txt", bytes("x"), kFormatTime + 5);
    w2->rename("/A/sub", "/B/перемещено", kFormatTime + 100);
    w2->rename("/A/x.txt", "/A/y renamed.txt", kFormatTime + 101);
    w2->finish();
    auto after = fls(image_);
    auto moved = find(after, "/B/перемещено"), moved_note = find(after, "/B/перемещено/note.txt"),
         y = find(after, "/A/y renamed.txt");
    ASSERT_TRUE(moved && moved_note && y);
    EXPECT_EQ(moved->inode, sub->inode);
    EXPECT_EQ(moved_note->inode, note->inode);
    EXPECT_EQ(y->inode, x->inode);
    EXPECT_FALSE(find(after, "/A/x.txt"));
    EXPECT_EQ(icat(moved_note->inode), "заметка");
    EXPECT_NE(istat(y->inode).find("Inode Modified:\t" + iso(kFormatTime + 101)),
              std::string::npos);
    expect_clean();  // ".." and the link counts of both parents follow the move
}

TEST_P(ExtWriter, DeletedContentStaysRecoverable) {
    auto w = formatted(image_);
    const std::string secret = "Удалённый файл: номер счёта 1234\n";
    w->make_directory("/tmp dir", kFormatTime + 1);
    w->write_file("/tmp dir/secret.txt", bytes(secret), kFormatTime + 2);
    w->remove("/tmp dir/secret.txt", false, kFormatTime + 500);
    w->remove("/tmp dir", false, kFormatTime + 501);
    w->finish();

    auto deleted = fls(image_, "-r -p -d");
    auto e = find(deleted, "/tmp dir/secret.txt", true);
    if (!e) e = find(deleted, "/secret.txt", true);  // TSK may not walk a deleted folder
    std::string inode;
    if (e) {
        inode = e->inode;
    } else {
        auto all = run("fls -r -p -d " + shell_quote(image_));
        FAIL() << "deleted file not listed: " << all.out;
    }
    EXPECT_EQ(icat(inode), secret);
    auto text = istat(inode);
    EXPECT_NE(text.find("Not Allocated"), std::string::npos) << text;
    EXPECT_NE(text.find("Deleted:\t" + iso(kFormatTime + 500)), std::string::npos) << text;
    EXPECT_FALSE(find(fls(image_), "/tmp dir"));
    expect_clean();
}

TEST_P(ExtWriter, OverwriteLeavesZeros) {
    auto w = formatted(image_);
    std::string content(5000, 'S');
    w->write_file("/wiped.bin", bytes(content), kFormatTime + 1);
    w->write_file("/kept.txt", bytes("kept"), kFormatTime + 2);
    w->remove("/wiped.bin", true, kFormatTime + 3);
    w->finish();
    auto e = find(fls(image_, "-r -p -d"), "/wiped.bin", true);
    ASSERT_TRUE(e);
    EXPECT_TRUE(icat(e->inode) == std::string(5000, '\0'));  // size kept, content zeros
    auto all = fls(image_);
    EXPECT_EQ(icat(find(all, "/kept.txt")->inode), "kept");
    auto grep = run("grep -c SSSSSSSS " + shell_quote(image_));
    EXPECT_EQ(grep.out, "0\n");
    expect_clean();
}

TEST_P(ExtWriter, SameCallsGiveTheSameBytes) {
    auto build = [&](const std::string& folder) {
        fs::create_directories(folder);
        std::string image = folder + "/image.img";
        auto w = formatted(image);
        w->make_directory("/Документы", kFormatTime + 10);
        w->write_file("/Документы/a.txt", bytes("alpha"), kFormatTime + 20);
        w->write_file("/b.txt", bytes(std::string(10000, 'b')), kFormatTime + 30);
        w->rename("/b.txt", "/Документы/b.txt", kFormatTime + 40);
        w->remove("/Документы/a.txt", false, kFormatTime + 50);
        w->write_file("/c.txt", bytes("c"), kFormatTime + 60);
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
    std::string second = build(dir_ + "/a different folder/two");
    EXPECT_EQ(first, second);
    EXPECT_EQ(first.size(), 68u);
}

TEST_P(ExtWriter, ErrorsAreOneLine) {
    auto w = formatted(image_);
    auto missing = error_of([&] { w->write_file("/nowhere/a.txt", bytes("a"), kFormatTime); });
    EXPECT_NE(missing.find("/nowhere"), std::string::npos) << missing;
    EXPECT_EQ(missing.find('\n'), std::string::npos) << missing;
    EXPECT_NE(error_of([&] { w->make_directory("relative", kFormatTime); }), "");
    EXPECT_NE(error_of([&] { w->remove("/absent", false, kFormatTime); }), "");

    // A file that does not fit: debugfs fails ("Could not allocate block"), the error names the
    // image and action and says what is wrong in dflab's words.
    std::string huge(kSize + 4096, 'h');
    w->write_file("/huge.bin", bytes(huge), kFormatTime + 1);
    auto full = error_of([&] { w->finish(); });
    EXPECT_EQ(full, "ext: " + image_ +
                        ": write /huge.bin: the partition is full; make it larger or the files "
                        "smaller");

    auto bad_serial = make_ext_writer(GetParam());
    auto p = spec(GetParam());
    p.serial = "not-a-uuid";
    auto serial = error_of([&] { bad_serial->format(p, image_, kSize, kFormatTime); });
    EXPECT_NE(serial.find("recipe.yaml:3:5"), std::string::npos) << serial;
    EXPECT_NE(error_of([] { make_ext_writer(FileSystemType::Fat32); }), "");
}

std::string type_name(const ::testing::TestParamInfo<FileSystemType>& param) {
    switch (param.param) {
        case FileSystemType::Ext2:
            return "ext2";
        case FileSystemType::Ext3:
            return "ext3";
        default:
            return "ext4";
    }
}

INSTANTIATE_TEST_SUITE_P(Types, ExtWriter,
                         ::testing::Values(FileSystemType::Ext2, FileSystemType::Ext3,
                                           FileSystemType::Ext4),
                         type_name);

}  // namespace
}  // namespace dflab::images
