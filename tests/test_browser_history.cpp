// The browser history builders (images/browser_history.hpp), their recipe generators and the
// browser history analyzer, checked with the sqlite3 command line, which shares no code with the
// builder's SQL: what sqlite3 reads from a generated History or places.sqlite (times converted by
// sqlite3's own datetime()) is what the spec says, and what dflab reads is what sqlite3 reads.
// Expected time texts are computed here with gmtime, not taken from the code under test.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "engine/analyzers/browser_history.hpp"
#include "engine/browser_history_file.hpp"
#include "images/browser_history.hpp"
#include "images/content_generator.hpp"
#include "images/recipe_parser.hpp"
#include "tests/oracle.hpp"
#include "tests/support/fixtures.hpp"

namespace dflab {
namespace {

using images::BrowserDownload;
using images::BrowserHistorySpec;
using images::BrowserVisit;
using test::run;
using test::shell_quote;

constexpr int64_t kMorning = 1709629200;  // 2024-03-05 09:00:00 UTC

BrowserHistorySpec anna() {
    BrowserHistorySpec s;
    s.visits = {
        {"https://www.google.com/search?q=free+vpn", "free vpn - Google Search", kMorning, "typed"},
        {"https://tools.example.org/vpn.html", "Anna's VPN | O'Brien tools", kMorning + 95, "link"},
        {"https://новости.example.ru/статья", "Новости: отчёт за март", kMorning + 600, "link"},
        {"https://tools.example.org/vpn.html", "Anna's VPN | O'Brien tools", kMorning + 700,
         "reload"},
    };
    s.downloads = {{"https://cdn.example.org/files/vpn setup.exe",
                    "https://tools.example.org/vpn.html",
                    "C:\\Users\\anna\\Downloads\\vpn setup.exe", kMorning + 120, kMorning + 131,
                    4718592, "application/x-msdownload"}};
    return s;
}

images::GenerationContext context(uint64_t seed = 7) {
    return {seed, "/Users/anna/History", kMorning};
}

// Chrome's numbers for the transitions the sample uses (ui::PageTransition core types).
const std::map<std::string, int> kChromeCore = {{"link", 0}, {"typed", 1}, {"reload", 8}};
// Firefox's visit types for them (nsINavHistoryService TRANSITION_LINK, _TYPED, _RELOAD).
const std::map<std::string, int> kFirefoxType = {{"link", 1}, {"typed", 2}, {"reload", 9}};

std::string utc_text(int64_t t, const char* format) {
    const std::time_t tt = static_cast<std::time_t>(t);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char text[32];
    std::strftime(text, sizeof text, format, &tm);
    return text;
}
std::string sql_time(int64_t t) {
    return utc_text(t, "%Y-%m-%d %H:%M:%S");  // as sqlite3's datetime() prints
}
std::string iso(int64_t t) {
    return utc_text(t, "%Y-%m-%dT%H:%M:%SZ");
}

class BrowserHistoryTest : public testing::Test {
  protected:
    void TearDown() override { std::filesystem::remove_all(dir_); }

    std::string write(const std::vector<std::byte>& bytes, const std::string& name) {
        const std::string path = dir_ + "/" + name;
        std::ofstream(path, std::ios::binary)
            .write(reinterpret_cast<const char*>(bytes.data()),
                   static_cast<std::streamsize>(bytes.size()));
        return path;
    }

    // sqlite3's rows, columns joined by '|', in its order.
    std::vector<std::string> sqlite3(const std::string& db, const std::string& sql) {
        auto r =
            run("sqlite3 -batch -noheader -readonly " + shell_quote(db) + " " + shell_quote(sql));
        EXPECT_EQ(r.exit_code, 0) << r.err;
        std::vector<std::string> out;
        for (const auto& line : test::lines(r.out))
            if (!line.empty()) out.push_back(line);
        return out;
    }

    std::string dir_ = test::temp_dir();
};

TEST_F(BrowserHistoryTest, Sqlite3ReadsTheChromeHistoryTheSpecDescribes) {
    const BrowserHistorySpec spec = anna();
    const std::string db = write(images::build_chrome_history(spec, context()), "History");
    EXPECT_EQ(sqlite3(db, "PRAGMA integrity_check"), std::vector<std::string>{"ok"});
    EXPECT_EQ(sqlite3(db, "SELECT value FROM meta WHERE key = 'version'"),
              std::vector<std::string>{"70"});
    std::vector<std::string> expected;
    for (const BrowserVisit& v : spec.visits)
        expected.push_back(v.url + "|" + v.title + "|" + sql_time(v.time) + "|" +
                           std::to_string(kChromeCore.at(v.transition)));
    EXPECT_EQ(sqlite3(db,
                      "SELECT u.url, u.title, "
                      "datetime(v.visit_time/1000000-11644473600,'unixepoch'), "
                      "v.transition & 255 FROM visits v JOIN urls u ON u.id = v.url ORDER BY v.id"),
              expected);
    EXPECT_EQ(sqlite3(db, "SELECT url, visit_count, typed_count FROM urls ORDER BY id"),
              (std::vector<std::string>{spec.visits[0].url + "|1|1", spec.visits[1].url + "|2|0",
                                        spec.visits[2].url + "|1|0"}));
    const BrowserDownload& d = spec.downloads[0];
    EXPECT_EQ(sqlite3(db,
                      "SELECT c.url, d.target_path, d.current_path, d.referrer, "
                      "datetime(d.start_time/1000000-11644473600,'unixepoch'), "
                      "datetime(d.end_time/1000000-11644473600,'unixepoch'), d.received_bytes, "
                      "d.total_bytes, d.state, d.mime_type FROM downloads d "
                      "JOIN downloads_url_chains c ON c.id = d.id"),
              std::vector<std::string>{d.url + "|" + d.target_path + "|" + d.target_path + "|" +
                                       d.referrer + "|" + sql_time(d.start) + "|" +
                                       sql_time(d.end) + "|4718592|4718592|1|" + d.mime_type});
}

TEST_F(BrowserHistoryTest, Sqlite3ReadsTheFirefoxPlacesTheSpecDescribes) {
    const BrowserHistorySpec spec = anna();
    const std::string db = write(images::build_firefox_places(spec, context()), "places.sqlite");
    EXPECT_EQ(sqlite3(db, "PRAGMA integrity_check"), std::vector<std::string>{"ok"});
    std::vector<std::string> expected;
    for (const BrowserVisit& v : spec.visits)
        expected.push_back(v.url + "|" + v.title + "|" + sql_time(v.time) + "|" +
                           std::to_string(kFirefoxType.at(v.transition)));
    EXPECT_EQ(sqlite3(db,
                      "SELECT p.url, p.title, datetime(v.visit_date/1000000,'unixepoch'), "
                      "v.visit_type FROM moz_historyvisits v JOIN moz_places p "
                      "ON p.id = v.place_id WHERE v.visit_type != 7 ORDER BY v.id"),
              expected);
    EXPECT_EQ(
        sqlite3(db, "SELECT rev_host FROM moz_places WHERE url = '" + spec.visits[1].url + "'"),
        std::vector<std::string>{"gro.elpmaxe.sloot."});
    const BrowserDownload& d = spec.downloads[0];
    EXPECT_EQ(sqlite3(db,
                      "SELECT p.url, a.content, datetime(a.dateAdded/1000000,'unixepoch') "
                      "FROM moz_annos a JOIN moz_anno_attributes n ON n.id = a.anno_attribute_id "
                      "JOIN moz_places p ON p.id = a.place_id "
                      "WHERE n.name = 'downloads/destinationFileURI'"),
              std::vector<std::string>{d.url + "|file:///C:/Users/anna/Downloads/vpn%20setup.exe|" +
                                       sql_time(d.start)});
    EXPECT_EQ(sqlite3(db,
                      "SELECT json_extract(a.content,'$.state'), "
                      "json_extract(a.content,'$.fileSize'), "
                      "datetime(json_extract(a.content,'$.endTime')/1000,'unixepoch') "
                      "FROM moz_annos a JOIN moz_anno_attributes n ON n.id = a.anno_attribute_id "
                      "WHERE n.name = 'downloads/metaData'"),
              std::vector<std::string>{"1|4718592|" + sql_time(d.end)});
    // The download's visit comes from the page it was started on.
    EXPECT_EQ(sqlite3(db,
                      "SELECT p.url, r.url, datetime(v.visit_date/1000000,'unixepoch') "
                      "FROM moz_historyvisits v JOIN moz_places p ON p.id = v.place_id "
                      "JOIN moz_historyvisits f ON f.id = v.from_visit "
                      "JOIN moz_places r ON r.id = f.place_id WHERE v.visit_type = 7"),
              std::vector<std::string>{d.url + "|" + d.referrer + "|" + sql_time(d.start)});
}

TEST_F(BrowserHistoryTest, TheSameSpecAndSeedGiveTheSameBytes) {
    const auto chrome = images::build_chrome_history(anna(), context());
    const auto firefox = images::build_firefox_places(anna(), context());
    EXPECT_EQ(images::build_chrome_history(anna(), context()), chrome);
    EXPECT_EQ(images::build_firefox_places(anna(), context()), firefox);
    EXPECT_NE(images::build_chrome_history(anna(), context(8)), chrome);   // the download's GUID
    EXPECT_NE(images::build_firefox_places(anna(), context(8)), firefox);  // the places' GUIDs
    // Nothing but the spec and the seed: a later context time changes nothing.
    images::GenerationContext later = context();
    later.time += 86400;
    EXPECT_EQ(images::build_chrome_history(anna(), later), chrome);
}

// A text field, "" for null.
std::string text(const nlohmann::json& j) {
    return j.is_null() ? "" : j.get<std::string>();
}

// dflab's artifacts of a database: (url, title, ISO time) of each web_visit, and the downloads.
struct Read {
    std::vector<std::string> visits, downloads;
    std::vector<std::string> transitions;
};
Read read_with_dflab(std::vector<std::byte> bytes, const std::string& path) {
    Read out;
    for (const engine::Artifact& a : engine::read_browser_history_artifacts(bytes, path)) {
        const auto& f = a.fields;
        const std::string time = a.time ? iso(*a.time) : "-";
        if (a.kind == "web_visit") {
            out.visits.push_back(text(f["url"]) + "|" + text(f["title"]) + "|" + time);
            out.transitions.push_back(f["transition"]);
        } else if (a.kind == "web_download") {
            out.downloads.push_back(text(f["url"]) + "|" + text(f["target_path"]) + "|" +
                                    text(f["referrer"]) + "|" + time + "|" + text(f["end_time"]) +
                                    "|" + std::to_string(f["total_bytes"].get<int64_t>()) + "|" +
                                    text(f["state"]));
        } else {
            ADD_FAILURE() << "unexpected kind " << a.kind;
        }
    }
    return out;
}

TEST_F(BrowserHistoryTest, DflabReadsWhatSqlite3Reads) {
    const BrowserHistorySpec spec = anna();
    const auto chrome = images::build_chrome_history(spec, context());
    const std::string chrome_db = write(chrome, "History");
    const Read c = read_with_dflab(chrome, chrome_db);
    EXPECT_EQ(c.visits, sqlite3(chrome_db,
                                "SELECT u.url, u.title, strftime('%Y-%m-%dT%H:%M:%SZ', "
                                "v.visit_time/1000000-11644473600, 'unixepoch') FROM visits v "
                                "JOIN urls u ON u.id = v.url ORDER BY v.visit_time"));
    EXPECT_EQ(c.transitions, (std::vector<std::string>{"typed", "link", "link", "reload"}));
    EXPECT_EQ(c.downloads,
              sqlite3(chrome_db,
                      "SELECT c.url, d.target_path, d.referrer, "
                      "strftime('%Y-%m-%dT%H:%M:%SZ', d.start_time/1000000-11644473600, "
                      "'unixepoch'), strftime('%Y-%m-%dT%H:%M:%SZ', "
                      "d.end_time/1000000-11644473600, 'unixepoch'), d.total_bytes, "
                      "CASE d.state WHEN 1 THEN 'complete' END FROM downloads d "
                      "JOIN downloads_url_chains c ON c.id = d.id"));

    const auto firefox = images::build_firefox_places(spec, context());
    const std::string firefox_db = write(firefox, "places.sqlite");
    const Read f = read_with_dflab(firefox, firefox_db);
    // Firefox keeps the download as a visit too, of type 7, without a title.
    EXPECT_EQ(f.visits, sqlite3(firefox_db,
                                "SELECT p.url, IFNULL(p.title, ''), strftime('%Y-%m-%dT%H:%M:%SZ', "
                                "v.visit_date/1000000, 'unixepoch') FROM moz_historyvisits v "
                                "JOIN moz_places p ON p.id = v.place_id ORDER BY v.visit_date"));
    EXPECT_EQ(f.visits.size(), spec.visits.size() + 1);
    EXPECT_EQ(f.transitions,
              (std::vector<std::string>{"typed", "link", "download", "link", "reload"}));
    EXPECT_EQ(f.downloads.size(), 1u);
    EXPECT_EQ(f.downloads.at(0), spec.downloads[0].url + "|" + spec.downloads[0].target_path + "|" +
                                     spec.downloads[0].referrer + "|" +
                                     iso(spec.downloads[0].start) + "|" +
                                     iso(spec.downloads[0].end) + "|4718592|complete");
}

// dflab's artifacts of a copy of `bytes` (the reader may change the header's journal mode).
std::vector<engine::Artifact> artifacts_of(std::vector<std::byte> bytes, const std::string& path) {
    return engine::read_browser_history_artifacts(bytes, path);
}

// The first `n` bytes of a file.
std::vector<std::byte> cut(const std::vector<std::byte>& bytes, size_t n) {
    return {bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(n)};
}

TEST_F(BrowserHistoryTest, DamagedHistoriesAreErrorsNamingTheFileOthersGiveNothing) {
    const auto whole = images::build_chrome_history(anna(), context());
    for (size_t n : {size_t{16}, size_t{99}, size_t{4096}, whole.size() / 2, whole.size() - 1}) {
        SCOPED_TRACE(n);
        const std::string e =
            test::error_of([&] { artifacts_of(cut(whole, n), "/Profile 1/History"); });
        EXPECT_NE(e.find("/Profile 1/History"), std::string::npos) << e;
        EXPECT_EQ(e.find('\n'), std::string::npos) << e;
    }
    // sqlite3 agrees that the half file is damaged.
    const std::string half = write(cut(whole, whole.size() / 2), "half-History");
    EXPECT_NE(run("sqlite3 -batch " + shell_quote(half) + " 'PRAGMA integrity_check' 2>&1").out,
              "ok\n");

    auto made_by_sqlite3 = [&](const std::string& name, const std::string& sql) {
        const std::string path = dir_ + "/" + name;
        auto r = run("sqlite3 -batch " + shell_quote(path) + " " + shell_quote(sql));
        EXPECT_EQ(r.exit_code, 0) << r.err;
        std::ifstream in(path, std::ios::binary);
        std::vector<char> chars((std::istreambuf_iterator<char>(in)), {});
        std::vector<std::byte> bytes(chars.size());
        std::memcpy(bytes.data(), chars.data(), chars.size());
        return bytes;
    };
    const auto urls_only =
        made_by_sqlite3("urls-only",
                        "CREATE TABLE urls(id INTEGER PRIMARY KEY, url LONGVARCHAR); "
                        "INSERT INTO urls VALUES(1, 'https://a.example/');");
    const std::string e = test::error_of([&] { artifacts_of(urls_only, "/x/History"); });
    EXPECT_NE(e.find("/x/History"), std::string::npos) << e;
    EXPECT_NE(e.find("urls"), std::string::npos) << e;
    const auto notes = made_by_sqlite3("notes.db",
                                       "CREATE TABLE notes(t TEXT); "
                                       "INSERT INTO notes VALUES('buy milk');");
    EXPECT_TRUE(artifacts_of(notes, "/notes.db").empty());

    // Changed bytes give artifacts or one Error, never a crash or another exception.
    uint32_t state = 1234;
    auto next = [&] { return state = state * 1103515245u + 12345u; };
    for (int round = 0; round < 60; ++round) {
        auto bytes = whole;
        for (int n = 1 + static_cast<int>(next() % 16); n > 0; --n)
            bytes[100 + next() % (bytes.size() - 100)] = static_cast<std::byte>(next() >> 24);
        EXPECT_NO_THROW({
            try {
                engine::read_browser_history_artifacts(bytes, "/fuzzed/History");
            } catch (const engine::Error&) {
            }
        }) << round;
    }
}

// Firefox keeps places.sqlite in WAL mode (header bytes 18 and 19 are 2): read the same.
TEST_F(BrowserHistoryTest, AWalModePlacesIsReadTheSame) {
    auto bytes = images::build_firefox_places(anna(), context());
    const Read rollback = read_with_dflab(bytes, "/places.sqlite");
    bytes[18] = bytes[19] = std::byte{2};
    const std::string wal = write(bytes, "wal-places.sqlite");
    EXPECT_EQ(sqlite3(wal, "PRAGMA journal_mode"), std::vector<std::string>{"wal"});
    const Read read = read_with_dflab(bytes, wal);
    EXPECT_EQ(read.visits, rollback.visits);
    EXPECT_EQ(read.downloads, rollback.downloads);
}

class BrowserHistoryRecipe : public BrowserHistoryTest {
  protected:
    std::string parse_error(const std::string& fields) {
        const std::string path = dir_ + "/recipe.yaml";
        std::ofstream(path) << "start: 2024-03-05T09:00:00Z\n"        // 1
                               "disk:\n"                              // 2
                               "  size: 16MiB\n"                      // 3
                               "  partitions:\n"                      // 4
                               "    - {id: p1, filesystem: fat16}\n"  // 5
                               "actions:\n"                           // 6
                               "  - write: /History\n"                // 7
                               "    generate:\n"                      // 8
                               "      type: chrome_history\n"         // 9
                            << fields;                                // 10...
        try {
            images::parse_recipe(path, {});
        } catch (const images::RecipeError& e) {
            return e.what();
        }
        return "";
    }
};

TEST_F(BrowserHistoryRecipe, MistakesAreReportedAtTheirLines) {
    auto at_line = [&](const std::string& message, int line, const std::string& part) {
        EXPECT_NE(message.find("recipe.yaml:" + std::to_string(line) + ":"), std::string::npos)
            << message;
        EXPECT_NE(message.find(part), std::string::npos) << message;
        EXPECT_EQ(message.find('\n'), std::string::npos) << message;
    };
    EXPECT_EQ(parse_error("      visits:\n"
                          "        - {url: 'https://a/', title: A, time: 2024-03-05T09:01:00Z}\n"),
              "");
    at_line(parse_error("      visits:\n"
                        "        - url: 'https://a/'\n"
                        "          time: 2024-03-05T09:01:00Z\n"
                        "          transition: clicked\n"),
            13, "transition");
    at_line(parse_error("      downloads:\n"
                        "        - url: 'https://a/x.zip'\n"
                        "          target_path: 'C:\\x.zip'\n"
                        "          start: 2024-03-05T09:01:00Z\n"
                        "          end: 2024-03-05T09:00:00Z\n"
                        "          size: 10\n"),
            14, "before it starts");
    at_line(parse_error("      sql: ['CREATE TABLE t(x)']\n"), 10, "sql");
    EXPECT_NE(parse_error("      visits: []\n").find("visits or downloads"), std::string::npos);
}

// An image with anna's Chrome History and Firefox places.sqlite (from the recipe) and a truncated
// History of a second Chrome profile: `dflab artifacts` and `dflab analyze` give the visits
// sqlite3 reads from the files icat extracts, and one unreadable artifact for the damaged one.
TEST_F(BrowserHistoryRecipe, AnImageWithChromeAndFirefoxProfiles) {
    const auto damaged = images::build_chrome_history(anna(), context());
    write(cut(damaged, damaged.size() / 2), "damaged-History");
    const std::string chrome = "/Users/anna/AppData/Local/Google/Chrome/User Data/Default/History";
    const std::string firefox =
        "/Users/anna/AppData/Roaming/Mozilla/Firefox/Profiles/k3j2h1g0.default-release/"
        "places.sqlite";
    const std::string broken =
        "/Users/anna/AppData/Local/Google/Chrome/User Data/Profile 1/History";
    std::string folders;
    for (const char* f :
         {"/Users", "/Users/anna", "/Users/anna/AppData", "/Users/anna/AppData/Local",
          "/Users/anna/AppData/Local/Google", "/Users/anna/AppData/Local/Google/Chrome",
          "/Users/anna/AppData/Local/Google/Chrome/User Data",
          "/Users/anna/AppData/Local/Google/Chrome/User Data/Default",
          "/Users/anna/AppData/Local/Google/Chrome/User Data/Profile 1",
          "/Users/anna/AppData/Roaming", "/Users/anna/AppData/Roaming/Mozilla",
          "/Users/anna/AppData/Roaming/Mozilla/Firefox",
          "/Users/anna/AppData/Roaming/Mozilla/Firefox/Profiles",
          "/Users/anna/AppData/Roaming/Mozilla/Firefox/Profiles/"
          "k3j2h1g0.default-release"})
        folders += std::string("  - mkdir: ") + f + "\n";
    const std::string history_keys =
        "      visits:\n"
        "        - {url: 'https://www.google.com/search?q=free+vpn', title: free vpn - Google "
        "Search, time: 2024-03-05T09:00:00Z, transition: typed}\n"
        "        - {url: 'https://tools.example.org/vpn.html', title: VPN tools, "
        "time: 2024-03-05T09:01:35Z}\n"
        "      downloads:\n"
        "        - url: 'https://cdn.example.org/files/vpn setup.exe'\n"
        "          referrer: 'https://tools.example.org/vpn.html'\n"
        "          target_path: 'C:\\Users\\anna\\Downloads\\vpn setup.exe'\n"
        "          start: 2024-03-05T09:02:00Z\n"
        "          end: 2024-03-05T09:02:11Z\n"
        "          size: 4718592\n"
        "          mime: application/x-msdownload\n";
    const std::string recipe = dir_ + "/browsers.yaml";
    std::ofstream(recipe) << "name: browsers\n"
                             "start: 2024-03-05T08:00:00Z\n"
                             "disk:\n"
                             "  size: 16MiB\n"
                             "  table: none\n"
                             "  partitions:\n"
                             "    - {id: c, filesystem: fat16}\n"
                             "actions:\n"
                          << folders << "  - write: " << chrome
                          << "\n"
                             "    generate:\n"
                             "      type: chrome_history\n"
                          << history_keys << "  - write: " << firefox
                          << "\n"
                             "    generate:\n"
                             "      type: firefox_places\n"
                          << history_keys << "  - write: " << broken
                          << "\n"
                             "    asset: damaged-History\n";
    auto built =
        test::dflab("image build " + shell_quote(recipe) + " -o " + shell_quote(dir_ + "/out"));
    ASSERT_EQ(built.exit_code, 0) << built.err;
    const std::string raw = dir_ + "/out/browsers.raw";
    std::map<std::string, std::string> inodes;
    for (const auto& e : test::fls(raw)) inodes[e.path] = e.inode;
    auto extract = [&](const std::string& path, const std::string& name) {
        EXPECT_TRUE(inodes.count(path)) << "fls does not list " << path;
        const std::string out = dir_ + "/" + name;
        auto cat = run("icat " + shell_quote(raw) + " " + inodes[path] + " > " + shell_quote(out));
        EXPECT_EQ(cat.exit_code, 0) << cat.err;
        return out;
    };
    const std::string chrome_file = extract(chrome, "extracted-History");
    const std::string firefox_file = extract(firefox, "extracted-places.sqlite");
    EXPECT_EQ(sqlite3(chrome_file, "PRAGMA integrity_check"), std::vector<std::string>{"ok"});
    EXPECT_EQ(sqlite3(firefox_file, "PRAGMA integrity_check"), std::vector<std::string>{"ok"});

    // (path, url, title, time) of every visit, as sqlite3 reads the extracted files.
    std::vector<std::string> expected;
    for (const auto& row : sqlite3(chrome_file,
                                   "SELECT u.url, u.title, strftime('%Y-%m-%dT%H:%M:%SZ', "
                                   "v.visit_time/1000000-11644473600, 'unixepoch') FROM visits v "
                                   "JOIN urls u ON u.id = v.url ORDER BY v.visit_time"))
        expected.push_back(chrome + "|Chrome|" + row);
    for (const auto& row :
         sqlite3(firefox_file,
                 "SELECT p.url, IFNULL(p.title, ''), strftime('%Y-%m-%dT%H:%M:%SZ', "
                 "v.visit_date/1000000, 'unixepoch') FROM moz_historyvisits v "
                 "JOIN moz_places p ON p.id = v.place_id ORDER BY v.visit_date"))
        expected.push_back(firefox + "|Firefox|" + row);
    ASSERT_EQ(expected.size(), 5u);  // two Chrome visits, two Firefox visits and its download's

    auto r = test::dflab("artifacts " + shell_quote(raw) + " --kind web_visit --json");
    EXPECT_EQ(r.exit_code, 2) << r.err;  // the damaged History
    EXPECT_NE(r.err.find(broken), std::string::npos) << r.err;
    std::vector<std::string> listed;
    for (const auto& line : test::lines(r.out)) {
        if (line.empty()) continue;
        const auto j = nlohmann::json::parse(line);
        EXPECT_EQ(j["kind"], "web_visit");
        EXPECT_EQ(j["time_kind"], "visited");
        const auto& f = j["fields"];
        listed.push_back(text(j["path"]) + "|" + text(f["browser"]) + "|" + text(f["url"]) + "|" +
                         text(f["title"]) + "|" + text(j["time"]));
    }
    std::sort(listed.begin(), listed.end());
    std::sort(expected.begin(), expected.end());
    EXPECT_EQ(listed, expected);

    auto downloads = test::dflab("artifacts " + shell_quote(raw) + " --kind web_download --json");
    std::vector<std::string> saved;
    for (const auto& line : test::lines(downloads.out))
        if (!line.empty()) {
            const auto j = nlohmann::json::parse(line);
            saved.push_back(text(j["fields"]["browser"]) + "|" + text(j["fields"]["target_path"]) +
                            "|" + text(j["time"]));
        }
    std::sort(saved.begin(), saved.end());
    const std::string start = sqlite3(chrome_file,
                                      "SELECT strftime('%Y-%m-%dT%H:%M:%SZ', "
                                      "start_time/1000000-11644473600, 'unixepoch') FROM "
                                      "downloads")
                                  .at(0);
    const std::string target = sqlite3(chrome_file, "SELECT target_path FROM downloads").at(0);
    EXPECT_EQ(saved, (std::vector<std::string>{"Chrome|" + target + "|" + start,
                                               "Firefox|" + target + "|" + start}));

    // analyze stores the same and goes on past the damaged file.
    const std::string case_db = dir_ + "/case.sqlite";
    auto analyzed = test::dflab("analyze " + shell_quote(raw) + " -o " + shell_quote(case_db));
    ASSERT_EQ(analyzed.exit_code, 0) << analyzed.err;
    std::vector<std::string> stored;
    for (const auto& row :
         sqlite3(case_db,
                 "SELECT path, json_extract(fields, '$.browser'), "
                 "json_extract(fields, '$.url'), IFNULL(json_extract(fields, '$.title'), "
                 "''), time FROM artifacts WHERE kind = 'web_visit'"))
        stored.push_back(row);
    std::sort(stored.begin(), stored.end());
    EXPECT_EQ(stored, expected);
    EXPECT_EQ(sqlite3(case_db, "SELECT path, source FROM artifacts WHERE kind = 'unreadable'"),
              std::vector<std::string>{broken + "|(history)"});
}

}  // namespace
}  // namespace dflab
