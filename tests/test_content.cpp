// Content: `dflab cat` against TSK's icat (every regular file of every fixture file system, by
// address), the planted content (deleted files, NTFS streams), lookup by path and slack.
#include <gtest/gtest.h>

#include <map>

#include "tests/oracle.hpp"
#include "tests/support/fixtures.hpp"

namespace dflab::test {
namespace {

std::string dflab_cat_command(const Target& t, const std::string& how) {
    return shell_quote(DFLAB_BINARY) + " cat " + t.partition_arg() + how + " " +
           shell_quote(fixture(t.image));
}

std::string icat_command(const Target& t, const std::string& inode, bool slack = false) {
    return std::string("icat ") + (slack ? "-s " : "") + t.offset_arg() +
           shell_quote(fixture(t.image)) + " " + inode;
}

std::string sha256_hex(const std::string& data) {
    const std::string dir = temp_dir();
    write_file(dir + "/data", data);
    std::string h = sha256_of_file(dir + "/data");
    std::filesystem::remove_all(dir);
    return h;
}

TEST(Content, EveryRegularFileEqualsIcat) {
    for (const auto& t : targets()) {
        int compared = 0;
        for (const auto& e : fls(fixture(t.image), t.start)) {
            if (e.type.back() != 'r') continue;  // regular files (meta type), allocated or not
            SCOPED_TRACE(t.label() + " " + e.inode + " " + e.path);
            auto icat = run(icat_command(t, e.inode));
            auto mine = run(dflab_cat_command(t, "--inode " + e.inode));
            EXPECT_LT(mine.exit_code, 128) << mine.err;
            if (icat.exit_code != 0) {
                // icat cannot read it (e.g. an unused MFT entry): dflab must fail cleanly or give
                // nothing.
                if (mine.exit_code == 0) {
                    EXPECT_EQ(mine.out.size(), 0u);
                }
                continue;
            }
            EXPECT_EQ(mine.exit_code, 0) << mine.err;
            EXPECT_EQ(mine.out.size(), icat.out.size());
            EXPECT_TRUE(mine.out == icat.out) << "content differs from icat";
            ++compared;
        }
        EXPECT_GT(compared, 0) << t.label();
    }
}

TEST(Content, PlantedFilesByPath) {
    for (const auto& t : targets()) {
        for (const auto& p : planted(t.image, t.planted_key)) {
            if (!p.at("allocated").get<bool>()) continue;
            const auto path = p.at("path").get<std::string>();
            SCOPED_TRACE(t.label() + " " + path);
            const auto got = sha256_of_output(dflab_cat_command(t, "--path " + shell_quote(path)));
            EXPECT_EQ(got, p.at("sha256").get<std::string>());
        }
    }
}

TEST(Content, DeletedFilesRecoverable) {
    int checked = 0;
    for (const auto& t : targets()) {
        std::map<std::string, std::string> inode_of;
        for (const auto& e : fls(fixture(t.image), t.start)) {
            if (!e.allocated) inode_of[e.path] = e.inode;
        }
        for (const auto& p : planted(t.image, t.planted_key)) {
            if (p.at("allocated").get<bool>()) continue;
            const auto path = p.at("path").get<std::string>();
            SCOPED_TRACE(t.label() + " " + path);
            ASSERT_TRUE(inode_of.count(path)) << "fls does not list the deleted file";
            const auto got = sha256_of_output(dflab_cat_command(t, "--inode " + inode_of[path]));
            EXPECT_EQ(got, p.at("sha256").get<std::string>());
            ++checked;
        }
    }
    EXPECT_GE(checked, 3);  // FAT, ext4, NTFS at least
}

TEST(Content, DeletedFileByPath) {
    // A path that only a deleted entry has still reads that entry.
    const Target t{"ext4.img", {}, 0, ""};
    auto r = run(dflab_cat_command(t, "--path /docs/deleted.txt"));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "This file was deleted; its content is still on disk.\n");
}

TEST(Content, PathLookupIsCaseInsensitiveOnFatAndNtfs) {
    const std::string report = "Quarterly report\nrevenue: 42\n";
    for (const std::string img : {"fat16.img", "ntfs.img"}) {
        SCOPED_TRACE(img);
        const Target t{img, {}, 0, ""};
        for (const std::string path :
             {"/Docs/report.txt", "/docs/REPORT.TXT", "/DOCS/Report.Txt", "docs/report.txt"}) {
            auto r = run(dflab_cat_command(t, "--path " + shell_quote(path)));
            EXPECT_EQ(r.exit_code, 0) << path << ": " << r.err;
            EXPECT_EQ(r.out, report) << path;
        }
    }
}

TEST(Content, BackslashPathsOnNtfs) {
    const Target t{"ntfs.img", {}, 0, ""};
    auto r = run(dflab_cat_command(t, "--path " + shell_quote("\\Docs\\Sub\\deep.txt")));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "deep inside the tree\n");
}

TEST(Content, PathLookupIsCaseSensitiveOnExt4) {
    const Target t{"ext4.img", {}, 0, ""};
    auto ok = run(dflab_cat_command(t, "--path /docs/report.txt"));
    EXPECT_EQ(ok.exit_code, 0) << ok.err;
    EXPECT_EQ(ok.out, "Quarterly report\nrevenue: 42\n");
    for (const std::string path : {"/DOCS/report.txt", "/docs/Report.txt"}) {
        auto bad = run(dflab_cat_command(t, "--path " + shell_quote(path)));
        EXPECT_NE(bad.exit_code, 0) << path;
        EXPECT_LT(bad.exit_code, 128) << path;
        EXPECT_EQ(bad.out, "") << path;
    }
}

TEST(Content, NtfsAlternateDataStream) {
    const Target t{"ntfs.img", {}, 0, ""};
    const std::string hidden = "Hidden in an alternate data stream.\n";
    std::string inode;
    for (const auto& e : fls(fixture("ntfs.img"))) {
        if (e.path == "/secret.txt:hidden") inode = e.inode;
    }
    ASSERT_FALSE(inode.empty());
    auto by_inode = run(dflab_cat_command(t, "--inode " + inode));
    EXPECT_EQ(by_inode.exit_code, 0) << by_inode.err;
    EXPECT_EQ(by_inode.out, hidden);
    auto by_path = run(dflab_cat_command(t, "--path /secret.txt:hidden"));
    EXPECT_EQ(by_path.exit_code, 0) << by_path.err;
    EXPECT_EQ(by_path.out, hidden);
    // The main stream is unaffected by the ADS.
    auto main_stream = run(dflab_cat_command(t, "--path /secret.txt"));
    EXPECT_EQ(main_stream.out.find("password=hunter2"), std::string("user=admin\n").size());
}

TEST(Content, PlantedBytesSurvive) {
    // The keyword fixtures: "password", the Cyrillic phrase in UTF-8 and in UTF-16LE, and a PNG
    // behind a .txt name.
    const Target t{"fat16.img", {}, 0, ""};
    auto secrets = run(dflab_cat_command(t, "--path /secrets.txt"));
    EXPECT_NE(secrets.out.find("password"), std::string::npos);
    EXPECT_NE(secrets.out.find("секретный ключ"), std::string::npos);
    auto utf16 = run(dflab_cat_command(t, "--path /Docs/utf16.bin"));
    const std::string phrase16 = run("printf 'секретный ключ' | iconv -f UTF-8 -t UTF-16LE").out;
    ASSERT_EQ(phrase16.size(), 28u);
    EXPECT_NE(utf16.out.find(phrase16), std::string::npos);
    auto png = run(dflab_cat_command(t, "--path /Photos/holiday.txt"));
    EXPECT_EQ(png.out.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
}

TEST(Content, SlackBeginsWithContentAndEqualsIcatS) {
    for (const auto& t : targets()) {
        for (const auto& e : fls(fixture(t.image), t.start)) {
            if (e.type != "r/r" || !e.allocated) continue;
            if (e.path.find("/$") != std::string::npos) continue;  // NTFS metadata files
            SCOPED_TRACE(t.label() + " " + e.inode + " " + e.path);
            auto content = run(dflab_cat_command(t, "--inode " + e.inode));
            auto slack = run(dflab_cat_command(t, "--slack --inode " + e.inode));
            ASSERT_EQ(slack.exit_code, 0) << slack.err;
            EXPECT_GE(slack.out.size(), content.out.size());
            EXPECT_EQ(slack.out.substr(0, content.out.size()), content.out);
            auto icat_s = run(icat_command(t, e.inode, true));
            if (icat_s.exit_code == 0) {
                EXPECT_EQ(sha256_hex(slack.out), sha256_hex(icat_s.out));
            }
        }
    }
}

TEST(Content, SlackOfMultiClusterFile) {
    // big.txt is 5200 bytes: on FAT16 with 512-byte clusters it ends inside its 11th cluster.
    const Target t{"fat16.img", {}, 0, ""};
    auto content = run(dflab_cat_command(t, "--path /Docs/big.txt"));
    auto slack = run(dflab_cat_command(t, "--slack --path /Docs/big.txt"));
    ASSERT_EQ(content.out.size(), 5200u);
    EXPECT_EQ(slack.out.size(), 11u * 512u);
    EXPECT_EQ(slack.out.substr(0, 5200), content.out);
}

TEST(Content, E01PartitionContentEqualsRaw) {
    const uint64_t start = mmls_start(fixture("mbr.img"), 2);
    const Target raw{"mbr.img", 2, start, ""};
    const Target e01{"disk.E01", 2, start, ""};
    int compared = 0;
    for (const auto& e : fls(fixture("mbr.img"), start)) {
        if (e.type != "r/r" || !e.allocated) continue;
        SCOPED_TRACE(e.path);
        EXPECT_EQ(sha256_of_output(dflab_cat_command(e01, "--inode " + e.inode)),
                  sha256_of_output(icat_command(raw, e.inode)));
        ++compared;
    }
    EXPECT_GT(compared, 3);
}

}  // namespace
}  // namespace dflab::test
