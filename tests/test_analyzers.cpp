// Every registered analyzer goes through one harness: it is made only when the configuration asks
// for it, has per-thread instances, gives as many column values as it declares, and its columns,
// tables and summary counts exist in a new case as the sqlite3 CLI sees it.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>

#include "engine/analyzers/registry.hpp"
#include "engine/case_database.hpp"
#include "engine/content.hpp"
#include "engine/file_type.hpp"
#include "engine/volumes.hpp"
#include "images/browser_history.hpp"
#include "images/content_generator.hpp"
#include "images/event_log.hpp"
#include "images/exif_block.hpp"
#include "images/prefetch.hpp"
#include "images/recycle_bin.hpp"
#include "images/registry_hive.hpp"
#include "images/shell_link.hpp"
#include "tests/oracle.hpp"
#include "tests/support/fixtures.hpp"

namespace dflab {
namespace {

using test::run;
using test::shell_quote;

// A configuration that enables every analyzer, with inputs that match the sample content.
struct EverythingEnabled {
    std::string dir = test::temp_dir();
    engine::YaraRules rules = compile(dir);
    engine::KeywordSearcher keywords{{{"password", false}}};
    engine::AnalysisConfig config;

    EverythingEnabled() {
        config.rules = &rules;
        config.keywords = &keywords;
        config.byte_runs = true;
        config.artifacts = true;
        config.carve = true;
    }
    ~EverythingEnabled() { std::filesystem::remove_all(dir); }

    static engine::YaraRules compile(const std::string& dir) {
        engine::initialise_yara();
        const std::string path = dir + "/rule.yar";
        std::ofstream(path) << "rule pw { strings: $p = \"password\" condition: $p }\n";
        return engine::YaraRules::compile({path});
    }
};

// A real entry of a fixture, with its content: secrets.txt holds "password".
struct Sample {
    engine::Evidence evidence = engine::Evidence::open({test::fixture("ext4.img")});
    engine::Partition partition = engine::file_system_partitions(evidence, 0).front();
    engine::FileSystem fs{evidence, partition};
    engine::Entry entry;
    std::vector<std::byte> content;

    Sample() {
        for (auto& e : fs.list())
            if (e.name == "secrets.txt" && e.allocated) entry = e;
        EXPECT_EQ(entry.name, "secrets.txt");
        auto reader = fs.content(entry.address);
        content.resize(reader.size());
        content.resize(reader.read(0, content));
    }
};

// What each analyzer is given: secrets.txt's content, or for the artifact analyzers (which read
// nothing else) a small SYSTEM hive, a link, a one-record Security log, a one-visit History, a
// prefetch file, a photo's Exif.
std::vector<std::byte> content_for(const std::string& analyzer, const Sample& sample) {
    if (analyzer == "shell_links") {
        images::ShellLinkSpec link;
        link.target = "E:\\customers.xlsx";
        link.drive = images::ShellLinkSpec::Drive::Removable;
        link.volume_serial = 0x1A2B3C4D;
        link.modified = 1700000000;
        link.machine_id = "HARNESS";
        return images::build_shell_link(link);
    }
    if (analyzer == "event_logs") {
        images::EventRecordSpec logon;
        logon.event_id = 4624;
        logon.provider = "Microsoft-Windows-Security-Auditing";
        logon.computer = "HARNESS";
        logon.time = 1700000000;
        logon.data = {{"TargetUserName", "alice"}, {"LogonType", "2"}};
        const images::EventRecordSpec records[] = {logon};
        return images::build_event_log("Security", records);
    }
    if (analyzer == "browser_history") {
        images::BrowserHistorySpec history;
        history.visits = {{"https://example.com/", "Example", 1700000000, "typed"}};
        return images::build_chrome_history(history, images::GenerationContext{});
    }
    if (analyzer == "android_databases") {  // an mmssms.db as the sqlite3 CLI writes it
        const std::string db = test::temp_dir() + "/mmssms.db";
        auto made =
            run("sqlite3 " + shell_quote(db) +
                " \"CREATE TABLE sms (_id INTEGER PRIMARY KEY, thread_id INTEGER, address "
                "TEXT, date INTEGER, type INTEGER, read INTEGER, body TEXT); INSERT INTO sms "
                "VALUES (1, 1, '+77010000001', 1700000000000, 1, 1, 'hello')\"");
        EXPECT_EQ(made.exit_code, 0) << made.err;
        const std::string bytes = test::read_file(db);
        const auto span = std::as_bytes(std::span(bytes));
        return {span.begin(), span.end()};
    }
    if (analyzer == "sqlite_free_records") {  // a database with a deleted row still in it
        const std::string db = test::temp_dir() + "/notes.db";
        auto made = run("sqlite3 " + shell_quote(db) +
                        " \"PRAGMA secure_delete=OFF; CREATE TABLE notes (id INTEGER PRIMARY KEY, "
                        "body TEXT); INSERT INTO notes (body) VALUES ('kept'), ('the deleted "
                        "note'), ('also kept'); DELETE FROM notes WHERE id = 2\"");
        EXPECT_EQ(made.exit_code, 0) << made.err;
        const std::string bytes = test::read_file(db);
        const auto span = std::as_bytes(std::span(bytes));
        return {span.begin(), span.end()};
    }
    if (analyzer == "android_settings") {  // a packages.xml as Android writes it
        const std::string text =
            "<?xml version='1.0' encoding='utf-8' standalone='yes' ?>\n<packages>\n<package "
            "name=\"com.example\" it=\"18bcfe56800\" version=\"1\" />\n</packages>\n";
        const auto bytes = std::as_bytes(std::span(text));
        return {bytes.begin(), bytes.end()};
    }
    if (analyzer == "recycle_bin")
        return images::build_recycle_info({2, "C:\\Users\\anna\\plan.docx", 4096, 1700000000});
    if (analyzer == "zone_identifier") {
        const std::string text = "[ZoneTransfer]\r\nZoneId=3\r\n";
        const auto bytes = std::as_bytes(std::span(text));
        return {bytes.begin(), bytes.end()};
    }
    if (analyzer == "exif") {  // SOI, the APP1 Exif segment, EOI
        images::ExifSpec exif;
        exif.make = "HARNESS";
        exif.model = "CAMERA";
        exif.taken_local = 1700000000;
        const auto block = images::build_exif_block(exif);
        const size_t length = block.size() + 2;
        std::vector<std::byte> jpeg = {std::byte{0xFF},        std::byte{0xD8},
                                       std::byte{0xFF},        std::byte{0xE1},
                                       std::byte(length >> 8), std::byte(length & 0xFF)};
        jpeg.insert(jpeg.end(), block.begin(), block.end());
        jpeg.insert(jpeg.end(), {std::byte{0xFF}, std::byte{0xD9}});
        return jpeg;
    }
    if (analyzer == "prefetch") {
        images::PrefetchSpec pf;
        pf.executable = "HARNESS.EXE";
        pf.run_count = 1;
        pf.last_run = {1700000000};
        pf.volume_path = "\\VOLUME{01d9a1b2c3d4e5f6-1a2b3c4d}";
        pf.files = {pf.volume_path + "\\HARNESS.EXE"};
        return images::build_prefetch(pf);
    }
    if (analyzer != "registry") return sample.content;
    images::HiveSpec spec;
    spec.keys = {{"Select", 1700000000, {images::HiveValue::dword("Current", 1)}},
                 {"ControlSet001\\Control\\ComputerName\\ComputerName",
                  1700000000,
                  {images::HiveValue::string("ComputerName", "HARNESS")}}};
    return images::build_hive(spec);
}

// The entry each analyzer is given: secrets.txt, or where the analyzers that go by name or by
// NTFS metadata look (a $I file, a Zone.Identifier stream, a back-dated file).
engine::Entry entry_for(const std::string& analyzer, const Sample& sample,
                        const std::vector<std::byte>& content) {
    engine::Entry e = sample.entry;
    if (analyzer == "recycle_bin") e.path = "/$Recycle.Bin/S-1-5-21-1-2-3-1001/$IAB12CD.docx";
    if (analyzer == "zone_identifier") e.path = "/setup.exe:Zone.Identifier";
    if (analyzer == "recycle_bin" || analyzer == "zone_identifier") {
        e.name = e.path.substr(e.path.rfind('/') + 1);
        e.size = content.size();
    }
    if (analyzer == "timestamp_mismatch") {
        e.crtime = 1600000000;
        e.file_name = engine::FileNameTimes{1700000000, 1700000000, 1700000000, 1700000000};
    }
    return e;
}

// Runs one analyzer instance over `content` as the scan would.
std::unique_ptr<engine::Findings> run_instance(const engine::Analyzer& analyzer,
                                               const engine::FileSystem& fs,
                                               const engine::Entry& entry,
                                               std::span<const std::byte> content) {
    auto instance = analyzer.instance(fs);
    std::span<const std::byte> given;
    switch (analyzer.need()) {
        case engine::ContentNeed::Stream:
            instance->update(content.first(content.size() / 2));
            instance->update(content.subspan(content.size() / 2));
            break;
        case engine::ContentNeed::Head:
            given = content.first(std::min(content.size(), engine::FileTypeDetector::kHeadBytes));
            break;
        case engine::ContentNeed::Whole:
            given = content;
            break;
        case engine::ContentNeed::None:
            break;
    }
    return instance->finish(engine::EntryContent{entry, given, {}});
}

std::set<std::string> sqlite_lines(const std::string& db, const std::string& sql) {
    auto r = run("sqlite3 -batch -noheader " + shell_quote(db) + " " + shell_quote(sql));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    auto l = test::lines(r.out);
    return {l.begin(), l.end()};
}

TEST(Analyzers, EveryRegisteredAnalyzerFitsTheHarness) {
    EverythingEnabled everything;
    engine::AnalysisConfig nothing;
    nothing.hashes = 0;
    nothing.file_type = false;

    const std::string case_path = everything.dir + "/case.sqlite";
    engine::create_case(case_path);
    const auto columns = sqlite_lines(case_path, "SELECT name FROM pragma_table_info('files')");
    const auto tables =
        sqlite_lines(case_path, "SELECT name FROM sqlite_master WHERE type='table'");

    Sample sample;

    std::set<std::string> names;
    ASSERT_FALSE(engine::analyzer_registry().empty());
    for (const auto& r : engine::analyzer_registry()) {
        SCOPED_TRACE(r.name);
        EXPECT_TRUE(names.insert(r.name).second) << "two analyzers share a name";
        EXPECT_FALSE(r.summary.empty());
        EXPECT_EQ(r.make(nothing), nullptr) << "made although the configuration does not ask";
        auto analyzer = r.make(everything.config);
        ASSERT_NE(analyzer, nullptr);
        EXPECT_EQ(analyzer->name(), r.name);
        EXPECT_EQ(&engine::registration_of(r.name), &r);

        // Two instances used at once (as two workers would) give what one alone gives: no state
        // is shared between them.
        const std::vector<std::byte> content = content_for(r.name, sample);
        const engine::Entry entry = entry_for(r.name, sample, content);
        auto alone = run_instance(*analyzer, sample.fs, entry, content);
        auto interleaved = analyzer->instance(sample.fs);
        interleaved->update(std::span(content).first(content.size() / 2));
        auto other = run_instance(*analyzer, sample.fs, entry, content);
        interleaved->update(std::span(content).subspan(content.size() / 2));
        std::vector<engine::SqlValue> one, two, three;
        if (alone) alone->columns(one);
        if (other) other->columns(two);
        if (analyzer->need() == engine::ContentNeed::Stream) {
            auto f = interleaved->finish(engine::EntryContent{entry, {}, {}});
            if (f) f->columns(three);
            EXPECT_EQ(three, one);
        }
        EXPECT_EQ(two, one);
        EXPECT_EQ(alone ? alone->count() : 0, other ? other->count() : 0);  // rows of own tables

        auto findings = run_instance(*analyzer, sample.fs, entry, content);
        // The carver reads no entry: it finds what it finds in unallocated space only.
        const bool region_only =
            analyzer->scans_unallocated() && analyzer->need() == engine::ContentNeed::None;
        if (region_only) {
            EXPECT_EQ(findings, nullptr) << "an analyzer of unallocated space only";
            EXPECT_TRUE(r.columns.empty());
        } else {
            ASSERT_NE(findings, nullptr) << "the sample matches every analyzer";
            std::vector<engine::SqlValue> values;
            findings->columns(values);
            EXPECT_EQ(values.size(), r.columns.size());
        }

        for (const auto& c : r.columns) EXPECT_TRUE(columns.count(c.name)) << c.name;
        for (const auto& c : r.counts) {
            auto got = sqlite_lines(case_path, c.sql);
            EXPECT_EQ(got, std::set<std::string>{"0"}) << c.sql;
        }
        const std::string& sql = r.tables_sql;
        for (size_t at = sql.find("CREATE TABLE "); at != std::string::npos;
             at = sql.find("CREATE TABLE ", at + 1)) {
            const size_t start = at + 13;
            const std::string table = sql.substr(start, sql.find_first_of(" (", start) - start);
            EXPECT_TRUE(tables.count(table)) << table;
        }
        engine::Database db(case_path, engine::Database::Mode::ReadWrite);
        if (analyzer->writer(db, 1, 0) == nullptr) {
            EXPECT_TRUE(r.tables_sql.empty()) << "declares tables but writes none";
        }
    }
}

// The hashes analyzer agrees with OpenSSL's command line on the content it streams.
TEST(Analyzers, HashesAgreeWithOpensslCli) {
    EverythingEnabled everything;
    const std::string path = everything.dir + "/sample.bin";
    std::string text;
    for (int i = 0; i < 5000; ++i) text += "line " + std::to_string(i) + " of the sample\n";
    std::ofstream(path, std::ios::binary) << text;
    std::vector<std::byte> content(reinterpret_cast<const std::byte*>(text.data()),
                                   reinterpret_cast<const std::byte*>(text.data()) + text.size());
    auto analyzer = engine::registration_of("hashes").make(everything.config);
    Sample sample;  // a file system for the instance; the content is the one above
    auto findings = run_instance(*analyzer, sample.fs, sample.entry, content);
    std::vector<engine::SqlValue> values;
    findings->columns(values);
    ASSERT_EQ(values.size(), 3u);
    const char* algorithms[] = {"md5", "sha1", "sha256"};
    for (size_t i = 0; i < 3; ++i) {
        auto r = run(std::string("openssl dgst -") + algorithms[i] + " -r " + shell_quote(path));
        ASSERT_EQ(r.exit_code, 0) << r.err;
        EXPECT_EQ(std::get<std::string>(values[i]), r.out.substr(0, r.out.find(' ')))
            << algorithms[i];
    }
}

}  // namespace
}  // namespace dflab
