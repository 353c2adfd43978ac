// The EVTX writer (images/event_log.hpp), checked with libevtx's tools, which share no code with
// it: evtxinfo (record count, the dirty and corrupted flags) and evtxexport, as text (event id,
// written time, level, user SID, computer, source, EventData strings) and as XML (every Data
// name and value, SystemTime). Expected texts and times are computed here with gmtime. Then the
// engine's reader (engine/event_log_file.hpp) against evtxexport on the same logs, whole and
// damaged, and `dflab artifacts --kind event` on an image built from a recipe.
#include <gtest/gtest.h>

#include <algorithm>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/error.hpp"
#include "engine/event_log_file.hpp"
#include "images/event_log.hpp"
#include "images/recipe_parser.hpp"
#include "tests/oracle.hpp"
#include "tests/support/fixtures.hpp"

namespace dflab::images {
namespace {

using dflab::test::error_of;
using dflab::test::run;
using dflab::test::shell_quote;

constexpr int64_t kLogon = 1709540100;  // 2024-03-04 08:15:00 UTC

// "Mar 04, 2024 08:15:00.123456700 UTC", as evtxexport prints written times.
std::string written_text(int64_t t, uint32_t fraction) {
    const std::time_t tt = static_cast<std::time_t>(t);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char text[64];
    std::strftime(text, sizeof text, "%b %d, %Y %H:%M:%S", &tm);
    char nanos[16];
    std::snprintf(nanos, sizeof nanos, ".%09u UTC", fraction * 100);
    return text + std::string(nanos);
}

// "2024-03-04T08:15:00.123456700Z", as evtxexport -f xml prints SystemTime.
std::string system_time_text(int64_t t, uint32_t fraction) {
    const std::time_t tt = static_cast<std::time_t>(t);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char text[64];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &tm);
    char nanos[16];
    std::snprintf(nanos, sizeof nanos, ".%09uZ", fraction * 100);
    return text + std::string(nanos);
}

std::string write_log(const std::vector<std::byte>& bytes, const std::string& name) {
    const std::string path = test::temp_dir() + "/" + name;
    std::ofstream(path, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()),
               static_cast<std::streamsize>(bytes.size()));
    return path;
}

// evtxexport's text output: one map per record ("Event identifier" -> "0x00001210 (4624)"),
// the strings under "String: N".
std::vector<std::map<std::string, std::string>> export_text(const std::string& path) {
    const auto r = run("evtxexport " + shell_quote(path));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    static const std::regex field(R"(^([^\t]+)\t+: ?(.*)$)");
    std::vector<std::map<std::string, std::string>> out;
    for (const std::string& line : test::lines(r.out)) {
        if (line.rfind("Event number", 0) == 0) out.emplace_back();
        std::smatch m;
        if (out.empty() || !std::regex_match(line, m, field)) continue;
        out.back()[m[1]] = m[2];
    }
    return out;
}

EventRecordSpec security(uint32_t id, int64_t time,
                         std::vector<std::pair<std::string, std::string>> data) {
    EventRecordSpec r;
    r.event_id = id;
    r.provider = "Microsoft-Windows-Security-Auditing";
    r.provider_guid = "{54849625-5478-4994-A5BA-3E3B0328C30D}";
    r.computer = "DESKTOP-7Q2K1M";
    r.time = time;
    r.keywords = 0x8020000000000000ull;
    r.task = 12544;
    r.process_id = 612;
    r.thread_id = 1480;
    r.user_sid = "S-1-5-18";
    r.data = std::move(data);
    return r;
}

std::vector<EventRecordSpec> sample_records() {
    std::vector<EventRecordSpec> rs;
    rs.push_back(security(4624, kLogon,
                          {{"TargetUserName", "alice"},
                           {"TargetDomainName", "DESKTOP-7Q2K1M"},
                           {"LogonType", "10"},
                           {"IpAddress", "10.0.0.23"},
                           {"IpPort", "51234"}}));
    rs.back().time_100ns = 1234567;
    rs.push_back(security(4625, kLogon + 60,
                          {{"TargetUserName", "администратор"},
                           {"LogonType", "3"},
                           {"IpAddress", "203.0.113.9"},
                           {"Status", "0xc000006d"},
                           {"SubStatus", ""}}));
    rs.back().keywords = 0x8010000000000000ull;
    rs.push_back(security(4634, kLogon + 3600, {{"TargetUserName", "alice"}, {"LogonType", "10"}}));
    rs.push_back(security(4720, kLogon + 7200,
                          {{"TargetUserName", "support$"}, {"TargetSid", "S-1-5-21-1-2-3-1009"}}));
    EventRecordSpec cleared = security(1102, kLogon + 9000, {{"SubjectUserName", "alice"}});
    cleared.provider = "Microsoft-Windows-Eventlog";
    cleared.provider_guid = "{fc65ddd8-d6ef-4962-83d5-6e5cfe9ce148}";
    cleared.level = 4;
    cleared.user_sid = "S-1-5-21-3623811015-3361044348-30300820-1001";
    rs.push_back(cleared);
    return rs;
}

TEST(EventLog, EvtxinfoCountsTheRecordsOfACleanLog) {
    const std::string path = write_log(build_event_log("Security", sample_records()), "a.evtx");
    const auto r = run("evtxinfo " + shell_quote(path));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(std::regex_search(r.out, std::regex(R"(Number of records\s*:\s*5\n)"))) << r.out;
    EXPECT_TRUE(std::regex_search(r.out, std::regex(R"(Number of recovered records\s*:\s*0\n)")));
    EXPECT_EQ(r.out.find("Is dirty"), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find("Is corrupted"), std::string::npos) << r.out;
}

TEST(EventLog, EvtxexportReadsEveryRecord) {
    const std::vector<EventRecordSpec> rs = sample_records();
    const auto records = export_text(write_log(build_event_log("Security", rs), "a.evtx"));
    ASSERT_EQ(records.size(), rs.size());
    for (size_t i = 0; i < rs.size(); ++i) {
        SCOPED_TRACE("record " + std::to_string(i + 1));
        auto rec = records[i];
        EXPECT_EQ(rec["Event number"], std::to_string(i + 1));
        EXPECT_EQ(rec["Written time"], written_text(rs[i].time, rs[i].time_100ns));
        EXPECT_EQ(rec["Computer name"], "DESKTOP-7Q2K1M");
        EXPECT_EQ(rec["Source name"], rs[i].provider);
        EXPECT_EQ(rec["User security identifier"], rs[i].user_sid);
        EXPECT_NE(rec["Event identifier"].find("(" + std::to_string(rs[i].event_id) + ")"),
                  std::string::npos)
            << rec["Event identifier"];
        EXPECT_NE(rec["Event level"].find("(" + std::to_string(rs[i].level) + ")"),
                  std::string::npos);
        EXPECT_EQ(rec["Number of strings"], std::to_string(rs[i].data.size()));
        for (size_t s = 0; s < rs[i].data.size(); ++s)
            EXPECT_EQ(rec["String: " + std::to_string(s + 1)], rs[i].data[s].second);
    }
}

TEST(EventLog, EvtxexportXmlShowsEveryDataNameAndValue) {
    const std::vector<EventRecordSpec> rs = sample_records();
    const std::string path = write_log(build_event_log("Security", rs), "a.evtx");
    const auto r = run("evtxexport -f xml " + shell_quote(path));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    size_t at = 0;
    for (size_t i = 0; i < rs.size(); ++i) {
        SCOPED_TRACE("record " + std::to_string(i + 1));
        at = r.out.find("<Event ", at);
        ASSERT_NE(at, std::string::npos);
        const size_t end = r.out.find("</Event>", at);
        const std::string event = r.out.substr(at, end - at);
        at = end;
        EXPECT_NE(event.find("<EventID>" + std::to_string(rs[i].event_id) + "</EventID>"),
                  std::string::npos)
            << event;
        EXPECT_NE(event.find("<Provider Name=\"" + rs[i].provider + "\" Guid=\"" +
                             rs[i].provider_guid + "\"/>"),
                  std::string::npos);
        EXPECT_NE(event.find("<TimeCreated SystemTime=\"" +
                             system_time_text(rs[i].time, rs[i].time_100ns) + "\"/>"),
                  std::string::npos)
            << event;
        EXPECT_NE(event.find("<EventRecordID>" + std::to_string(i + 1) + "</EventRecordID>"),
                  std::string::npos);
        EXPECT_NE(event.find("<Channel>Security</Channel>"), std::string::npos);
        EXPECT_NE(event.find("<Execution ProcessID=\"612\" ThreadID=\"1480\"/>"),
                  std::string::npos);
        for (const auto& [name, value] : rs[i].data) {
            const std::string expected = value.empty()
                                             ? "<Data Name=\"" + name + "\"/>"
                                             : "<Data Name=\"" + name + "\">" + value + "</Data>";
            EXPECT_NE(event.find(expected), std::string::npos) << expected << "\n" << event;
        }
    }
}

TEST(EventLog, ManyRecordsFillMoreThanOneChunk) {
    std::vector<EventRecordSpec> rs;
    for (int i = 0; i < 2000; ++i)
        rs.push_back(security(4624 + (i % 2), kLogon + i,
                              {{"TargetUserName", "user" + std::to_string(i)},
                               {"LogonType", std::to_string(2 + i % 9)}}));
    const std::vector<std::byte> bytes = build_event_log("Security", rs);
    ASSERT_GT(bytes.size(), 4096u + 2 * 65536u);
    EXPECT_EQ((bytes.size() - 4096) % 65536, 0u);
    const std::string path = write_log(bytes, "many.evtx");
    const auto info = run("evtxinfo " + shell_quote(path));
    EXPECT_TRUE(std::regex_search(info.out, std::regex(R"(Number of records\s*:\s*2000\n)")))
        << info.out;
    EXPECT_EQ(info.out.find("Is corrupted"), std::string::npos);
    const auto records = export_text(path);
    ASSERT_EQ(records.size(), rs.size());
    for (size_t i = 0; i < rs.size(); ++i) {
        auto rec = records[i];
        ASSERT_EQ(rec["Event number"], std::to_string(i + 1));
        ASSERT_EQ(rec["Written time"], written_text(rs[i].time, 0));
        ASSERT_EQ(rec["String: 1"], "user" + std::to_string(i));
    }
}

TEST(EventLog, SameRecordsGiveTheSameBytes) {
    EXPECT_EQ(build_event_log("Security", sample_records()),
              build_event_log("Security", sample_records()));
}

TEST(EventLog, MistakesNameTheRecord) {
    std::vector<EventRecordSpec> rs = sample_records();
    rs[2].user_sid = "alice";
    EXPECT_NE(error_of([&] { build_event_log("Security", rs); }).find("record 3"),
              std::string::npos);
    rs = sample_records();
    rs[1].data.push_back({"Bad", "\xff\xfe"});
    EXPECT_NE(error_of([&] { build_event_log("Security", rs); }).find("record 2"),
              std::string::npos);
    rs = sample_records();
    rs[0].data.push_back({"Huge", std::string(20000, 'x')});
    rs[0].data.push_back({"Huger", std::string(20000, 'y')});
    EXPECT_NE(error_of([&] { build_event_log("Security", rs); }).find("record 1"),
              std::string::npos);
    EXPECT_NE(error_of([&] { build_event_log("Security", {}); }), "");
}

// FILETIME of a UTC time, computed here: 100 ns intervals since 1601-01-01.
uint64_t filetime(int64_t unix_seconds, uint32_t fraction) {
    return (static_cast<uint64_t>(unix_seconds) + 11644473600ull) * 10000000ull + fraction;
}

TEST(EventLogReader, AgreesWithEvtxexport) {
    const std::vector<EventRecordSpec> rs = sample_records();
    const std::vector<std::byte> bytes = build_event_log("Security", rs);
    const auto exported = export_text(write_log(bytes, "a.evtx"));
    const engine::EventLogContents log = engine::read_event_log(bytes, "a.evtx");
    EXPECT_TRUE(log.problems.empty());
    ASSERT_EQ(log.records.size(), exported.size());
    ASSERT_EQ(log.records.size(), rs.size());
    for (size_t i = 0; i < rs.size(); ++i) {
        SCOPED_TRACE("record " + std::to_string(i + 1));
        const engine::EventLogRecord& got = log.records[i];
        auto rec = exported[i];
        EXPECT_EQ(std::to_string(got.record_id), rec["Event number"]);
        EXPECT_EQ(got.written, filetime(rs[i].time, rs[i].time_100ns));
        EXPECT_NE(rec["Event identifier"].find("(" + std::to_string(got.event_id) + ")"),
                  std::string::npos);
        EXPECT_EQ(got.provider, rec["Source name"]);
        EXPECT_EQ(got.computer, rec["Computer name"]);
        EXPECT_EQ(got.user_sid, rec["User security identifier"]);
        EXPECT_EQ(got.channel, "Security");
        EXPECT_FALSE(got.recovered);
        ASSERT_EQ(got.data.size(), rs[i].data.size());
        for (size_t s = 0; s < got.data.size(); ++s) {
            EXPECT_EQ(got.data[s].first, rs[i].data[s].first);  // as evtxexport -f xml names them
            EXPECT_EQ(got.data[s].second, rec["String: " + std::to_string(s + 1)]);
        }
    }
}

// A truncated log and flipped bytes: problems, and the records evtxexport still reads from the
// same bytes; never an exception once the file header is whole.
TEST(EventLogReader, DamageGivesProblemsAndTheReadableRecords) {
    std::vector<EventRecordSpec> rs;
    for (int i = 0; i < 1500; ++i)
        rs.push_back(security(4624, kLogon + i, {{"TargetUserName", "user" + std::to_string(i)}}));
    const std::vector<std::byte> whole = build_event_log("Security", rs);
    ASSERT_GT(whole.size(), 4096u + 2 * 65536u);
    std::vector<std::vector<std::byte>> damaged;
    damaged.emplace_back(whole.begin(), whole.begin() + 4096 + 65536 + 3000);  // in chunk 2
    damaged.emplace_back(whole.begin(), whole.begin() + 4096);                 // header only
    for (size_t at : {size_t{4096 + 700}, size_t{4096 + 60000}, size_t{4096 + 65536 + 1000}}) {
        damaged.push_back(whole);
        damaged.back()[at] ^= std::byte{0x5a};
    }
    for (size_t d = 0; d < damaged.size(); ++d) {
        SCOPED_TRACE("damage " + std::to_string(d));
        const std::string path = write_log(damaged[d], "damaged.evtx");
        const auto exported = export_text(path);
        engine::EventLogContents log;
        ASSERT_NO_THROW(log = engine::read_event_log(damaged[d], "damaged.evtx"));
        EXPECT_FALSE(log.problems.empty());
        size_t read = 0;
        for (const engine::EventLogRecord& r : log.records) {
            if (r.recovered) continue;
            ASSERT_LT(read, exported.size());
            auto rec = exported[read++];
            EXPECT_EQ(std::to_string(r.record_id), rec["Event number"]);
            EXPECT_EQ(r.provider, rec["Source name"]);
        }
        EXPECT_LE(read, exported.size());
        EXPECT_LT(read, rs.size() + (d >= 2 ? 1 : 0));
    }
    EXPECT_NE(
        test::error_of([&] { engine::read_event_log(std::span(whole).first(100), "short.evtx"); }),
        "");
    std::vector<std::byte> garbage(8192, std::byte{0x41});
    std::copy_n(whole.begin(), 8, garbage.begin());  // the signature and nothing sound after it
    EXPECT_NO_FATAL_FAILURE(test::error_of([&] { engine::read_event_log(garbage, "g.evtx"); }));
}

// The recipe's `generate: {type: evtx}`: mistakes at their lines.
std::string recipe_error(const std::string& events) {
    const std::string path = test::temp_dir() + "/recipe.yaml";
    std::ofstream(path) << "start: 2024-03-01T10:00:00Z\n"        // 1
                           "disk:\n"                              // 2
                           "  size: 16MiB\n"                      // 3
                           "  partitions:\n"                      // 4
                           "    - {id: p1, filesystem: fat16}\n"  // 5
                           "actions:\n"                           // 6
                           "  - write: /Security.evtx\n"          // 7
                           "    generate:\n"                      // 8
                           "      type: evtx\n"                   // 9
                           "      events:\n"                      // 10
                        << events;
    try {
        parse_recipe(path, {});
    } catch (const RecipeError& e) {
        return e.what();
    }
    return "";
}

TEST(EventLogRecipe, MistakesAreReportedAtTheirLines) {
    auto at_line = [](const std::string& message, int line, const std::string& part) {
        EXPECT_NE(message.find("recipe.yaml:" + std::to_string(line) + ":"), std::string::npos)
            << message;
        EXPECT_NE(message.find(part), std::string::npos) << message;
        EXPECT_EQ(message.find('\n'), std::string::npos) << message;
    };
    EXPECT_EQ(recipe_error("        - {id: 4624, data: {LogonType: 2}}\n"), "");
    at_line(recipe_error("        - {id: 4624}\n"
                         "        - {id: 999}\n"),
            12, "provider");
    at_line(recipe_error("        - {id: 70000}\n"), 11, "id");
    at_line(recipe_error("        - {id: 4624, user_sid: alice}\n"), 11, "SID");
    at_line(recipe_error("        - {id: 4624, colour: red}\n"), 11, "colour");
    at_line(recipe_error("        - {id: 4624, time: yesterday}\n"), 11, "time");
    at_line(recipe_error("        - {id: 7045, keywords: 0xZZ}\n"), 11, "keywords");
    at_line(recipe_error("        []\n"), 11, "at least one event");
}

// A FAT image with a generated Security.evtx where Windows keeps it: TSK finds the file, icat
// gives its bytes, evtxexport reads the records with the providers filled in for their ids.
TEST(EventLogRecipe, ALogInsideABuiltImage) {
    const std::string dir = test::temp_dir();
    const std::string recipe = dir + "/evtx.yaml";
    std::ofstream(recipe) << "name: evtx\n"
                             "start: 2024-03-04T08:00:00Z\n"
                             "disk:\n"
                             "  size: 16MiB\n"
                             "  table: none\n"
                             "  partitions:\n"
                             "    - {id: c, filesystem: fat16}\n"
                             "actions:\n"
                             "  - mkdir: /Windows\n"
                             "  - mkdir: /Windows/System32\n"
                             "  - mkdir: /Windows/System32/winevt\n"
                             "  - mkdir: /Windows/System32/winevt/Logs\n"
                             "  - at: 2024-03-04T09:00:00Z\n"
                             "    write: /Windows/System32/winevt/Logs/Security.evtx\n"
                             "    generate:\n"
                             "      type: evtx\n"
                             "      channel: Security\n"
                             "      computer: DESKTOP-7Q2K1M\n"
                             "      events:\n"
                             "        - id: 4624\n"
                             "          time: 2024-03-04T08:15:00Z\n"
                             "          data: {TargetUserName: alice, LogonType: 10, "
                             "IpAddress: 10.0.0.23}\n"
                             "        - {id: 4720, data: {TargetUserName: support}}\n"
                             "        - {id: 1102}\n";
    auto built =
        test::dflab("image build " + shell_quote(recipe) + " -o " + shell_quote(dir + "/out"));
    ASSERT_EQ(built.exit_code, 0) << built.err;
    const std::string raw = dir + "/out/evtx.raw";
    std::string inode;
    for (const auto& e : test::fls(raw))
        if (e.path == "/Windows/System32/winevt/Logs/Security.evtx") inode = e.inode;
    ASSERT_FALSE(inode.empty());
    const std::string log = dir + "/Security.evtx";
    auto cat = run("icat " + shell_quote(raw) + " " + inode + " > " + shell_quote(log));
    ASSERT_EQ(cat.exit_code, 0) << cat.err;
    auto records = export_text(log);
    ASSERT_EQ(records.size(), 3u);
    EXPECT_EQ(records[0]["Written time"], written_text(kLogon, 0));
    EXPECT_EQ(records[0]["Source name"], "Microsoft-Windows-Security-Auditing");
    EXPECT_EQ(records[0]["Computer name"], "DESKTOP-7Q2K1M");
    EXPECT_EQ(records[0]["String: 1"], "alice");
    EXPECT_EQ(records[0]["String: 2"], "10");
    EXPECT_EQ(records[0]["String: 3"], "10.0.0.23");
    EXPECT_EQ(records[1]["Written time"], written_text(kLogon + 45 * 60, 0));  // the action's
    EXPECT_NE(records[1]["Event identifier"].find("(4720)"), std::string::npos);
    EXPECT_EQ(records[2]["Source name"], "Microsoft-Windows-Eventlog");

    // dflab artifacts: one `event` per record, agreeing with evtxexport.
    auto listed = test::dflab("artifacts " + shell_quote(raw) + " --kind event --json");
    ASSERT_EQ(listed.exit_code, 0) << listed.err;
    std::vector<nlohmann::json> events;
    for (const auto& line : test::lines(listed.out))
        if (!line.empty()) events.push_back(nlohmann::json::parse(line));
    ASSERT_EQ(events.size(), 3u) << listed.out;
    const char* meanings[] = {"logon", "account_created", "log_cleared"};
    for (size_t i = 0; i < events.size(); ++i) {
        SCOPED_TRACE("event " + std::to_string(i + 1));
        const nlohmann::json& j = events[i];
        EXPECT_EQ(j["kind"], "event");
        EXPECT_EQ(j["path"], "/Windows/System32/winevt/Logs/Security.evtx");
        EXPECT_EQ(j["time_kind"], "written");
        EXPECT_EQ(j["source"], "Security record " + std::to_string(i + 1));
        EXPECT_EQ(j["fields"]["record_id"], i + 1);
        EXPECT_EQ(j["fields"]["provider"], records[i]["Source name"]);
        EXPECT_EQ(j["fields"]["computer"], records[i]["Computer name"]);
        EXPECT_EQ(j["fields"]["channel"], "Security");
        EXPECT_EQ(j["fields"]["meaning"], meanings[i]);
    }
    EXPECT_EQ(events[0]["time"], "2024-03-04T08:15:00Z");
    EXPECT_EQ(events[0]["fields"]["event_id"], 4624);
    EXPECT_EQ(events[0]["fields"]["data"]["TargetUserName"], records[0]["String: 1"]);
    EXPECT_EQ(events[0]["fields"]["data"]["LogonType"], records[0]["String: 2"]);
    EXPECT_EQ(events[0]["fields"]["data"]["IpAddress"], records[0]["String: 3"]);
}

}  // namespace
}  // namespace dflab::images
