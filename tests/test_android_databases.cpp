// The Android userdata example (images/examples/android-userdata.yaml) built and read back: the
// phone's databases as sqlite3 reads them out of the image (extracted with fls and icat, which
// share no code with dflab) against what `dflab artifacts` and `dflab analyze` report, the
// photos' Exif against exiftool, and damaged or unrelated databases handled cleanly. The meaning
// of the stored numbers (SMS and call types) is Android's published constants, written out here.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <vector>

#include "engine/android_databases.hpp"
#include "engine/error.hpp"
#include "tests/oracle.hpp"
#include "tests/support/android_userdata.hpp"
#include "tests/support/artifact_image.hpp"
#include "tests/support/fixtures.hpp"

namespace dflab {
namespace {

using test::run;
using test::shell_quote;

using test::AndroidUserdata;
using test::bytes_of;
using test::kContacts;
using test::kRecipe;
using test::kTelephony;
using test::kWhatsapp;
using test::text;

// sqlite3's rows, columns joined by '|'.
std::vector<std::string> sqlite3(const std::string& db, const std::string& sql) {
    auto r = run("sqlite3 -batch -noheader -readonly " + shell_quote(db) + " " + shell_quote(sql));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::vector<std::string> out;
    for (const auto& line : test::lines(r.out))
        if (!line.empty()) out.push_back(line);
    return out;
}

constexpr const char* kIso = "strftime('%Y-%m-%dT%H:%M:%SZ', ";

std::string iso_utc(int64_t t) {
    const time_t seconds = static_cast<time_t>(t);
    std::tm tm{};
    gmtime_r(&seconds, &tm);
    char out[32];
    std::strftime(out, sizeof out, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return out;
}

TEST_F(AndroidUserdata, EverySmsIsReadAsSqlite3ReadsIt) {
    const std::string db = extract(kTelephony + "mmssms.db");
    EXPECT_EQ(sqlite3(db, "PRAGMA integrity_check"), std::vector<std::string>{"ok"});
    // Telephony.TextBasedSmsColumns: MESSAGE_TYPE_INBOX 1, MESSAGE_TYPE_SENT 2.
    const auto expected = sqlite3(
        db, std::string("SELECT 'sms/' || _id, address, ") + kIso +
                "date/1000, 'unixepoch'), CASE type WHEN 1 THEN 'incoming|received' WHEN 2 THEN "
                "'outgoing|sent' END, read, body FROM sms ORDER BY _id");
    ASSERT_EQ(expected.size(), 5u);
    std::vector<std::string> listed;
    for (const auto& a : artifacts("sms")) {
        EXPECT_EQ(a["path"], kTelephony + "mmssms.db");
        const auto& f = a["fields"];
        listed.push_back(text(a["source"]) + "|" + text(f["address"]) + "|" + text(a["time"]) +
                         "|" + text(f["direction"]) + "|" + text(a["time_kind"]) + "|" +
                         text(f["read"]) + "|" + text(f["body"]));
    }
    EXPECT_EQ(listed, expected);
}

TEST_F(AndroidUserdata, EveryCallIsReadAsSqlite3ReadsIt) {
    const std::string db = extract(kContacts + "calllog.db");
    // CallLog.Calls: INCOMING_TYPE 1, OUTGOING_TYPE 2, MISSED_TYPE 3.
    const auto expected =
        sqlite3(db, std::string("SELECT 'calls/' || _id, number, IFNULL(name, ''), ") + kIso +
                        "date/1000, 'unixepoch'), CASE type WHEN 1 THEN 'incoming' WHEN 2 THEN "
                        "'outgoing' WHEN 3 THEN 'missed' END, duration FROM calls ORDER BY _id");
    ASSERT_EQ(expected.size(), 5u);
    std::vector<std::string> listed;
    for (const auto& a : artifacts("call")) {
        EXPECT_EQ(a["time_kind"], "call_started");
        const auto& f = a["fields"];
        listed.push_back(text(a["source"]) + "|" + text(f["number"]) + "|" + text(f["name"]) + "|" +
                         text(a["time"]) + "|" + text(f["direction"]) + "|" +
                         text(f["duration_seconds"]));
    }
    EXPECT_EQ(listed, expected);
}

TEST_F(AndroidUserdata, EveryContactHasItsNumbersAndAddresses) {
    const std::string db = extract(kContacts + "contacts2.db");
    auto of_type = [](const char* mimetype) {
        return std::string(
                   "IFNULL((SELECT group_concat(data1, ',') FROM (SELECT d.data1 FROM data "
                   "d JOIN mimetypes m ON m._id = d.mimetype_id WHERE d.raw_contact_id = "
                   "r._id AND m.mimetype = 'vnd.android.cursor.item/") +
               mimetype + "' ORDER BY d._id)), '')";
    };
    const auto expected = sqlite3(db, "SELECT 'raw_contacts/' || r._id, r.display_name, " +
                                          of_type("phone_v2") + ", " + of_type("email_v2") +
                                          ", r.deleted FROM raw_contacts r ORDER BY r._id");
    ASSERT_EQ(expected.size(), 4u);
    std::vector<std::string> listed;
    for (const auto& a : artifacts("contact")) {
        EXPECT_TRUE(a["time"].is_null());
        const auto& f = a["fields"];
        auto joined = [](const nlohmann::json& list) {
            std::string s;
            for (const auto& v : list) s += (s.empty() ? "" : ",") + v.get<std::string>();
            return s;
        };
        listed.push_back(text(a["source"]) + "|" + text(f["name"]) + "|" + joined(f["phones"]) +
                         "|" + joined(f["emails"]) + "|" + text(f["deleted"]));
    }
    EXPECT_EQ(listed, expected);
}

TEST_F(AndroidUserdata, EveryWhatsappMessageHasItsChatSenderAndAttachment) {
    const std::string db = extract(kWhatsapp + "msgstore.db");
    const auto expected = sqlite3(
        db, std::string("SELECT 'messages/' || m._id, m.key_remote_jid, IFNULL(c.subject, ''), ") +
                "CASE m.key_from_me WHEN 1 THEN 'outgoing|sent' ELSE 'incoming|received' END, " +
                "CASE WHEN m.key_from_me = 1 THEN '' WHEN IFNULL(m.remote_resource, '') != '' "
                "THEN m.remote_resource ELSE m.key_remote_jid END, " +
                kIso +
                "m.timestamp/1000, 'unixepoch'), IFNULL(m.data, ''), IFNULL(m.media_name, '') "
                "FROM messages m LEFT JOIN chat_list c ON c.key_remote_jid = m.key_remote_jid "
                "WHERE m.key_remote_jid != '-1' ORDER BY m._id");
    ASSERT_EQ(expected.size(), 5u);  // six rows, one WhatsApp's own marker
    std::vector<std::string> listed;
    for (const auto& a : artifacts("chat_message")) {
        const auto& f = a["fields"];
        EXPECT_EQ(f["app"], "WhatsApp");
        const std::string media = f["attachment"].is_null() ? "" : text(f["attachment"]["name"]);
        listed.push_back(text(a["source"]) + "|" + text(f["chat"]) + "|" + text(f["chat_subject"]) +
                         "|" + text(f["direction"]) + "|" + text(a["time_kind"]) + "|" +
                         text(f["sender"]) + "|" + text(a["time"]) + "|" + text(f["text"]) + "|" +
                         media);
    }
    EXPECT_EQ(listed, expected);
}

TEST_F(AndroidUserdata, PhotosCarryTheExifThatExiftoolReads) {
    for (const std::string name : {"20250413_181241.jpg", "20250414_140309.jpg"}) {
        const std::string photo = extract("/media/0/DCIM/Camera/" + name);
        auto r =
            run("exiftool -n -json -Make -Model -DateTimeOriginal -OffsetTimeOriginal "
                "-GPSLatitude -GPSLongitude -GPSAltitude " +
                shell_quote(photo));
        ASSERT_EQ(r.exit_code, 0) << r.err;
        const auto tool = nlohmann::json::parse(r.out).at(0);
        bool seen = false;
        for (const auto& a : artifacts("exif")) {
            if (a["path"] != "/media/0/DCIM/Camera/" + name) continue;
            seen = true;
            const auto& f = a["fields"];
            EXPECT_EQ(f["make"], tool["Make"]);
            EXPECT_EQ(f["model"], tool["Model"]);
            EXPECT_EQ(f["taken"], tool["DateTimeOriginal"]);
            EXPECT_EQ(f["offset_time"], tool["OffsetTimeOriginal"]);
            EXPECT_NEAR(f["gps_latitude"].get<double>(), tool["GPSLatitude"].get<double>(), 1e-6);
            EXPECT_NEAR(f["gps_longitude"].get<double>(), tool["GPSLongitude"].get<double>(), 1e-6);
            EXPECT_NEAR(f["gps_altitude"].get<double>(), tool["GPSAltitude"].get<double>(), 0.01);
        }
        EXPECT_TRUE(seen) << name;
    }
}

TEST_F(AndroidUserdata, AnalyzeStoresEveryPhoneArtifactWithItsSource) {
    const std::string case_db = dir_ + "/case.sqlite";
    auto analyzed = test::dflab("analyze " + shell_quote(raw_) + " -o " + shell_quote(case_db));
    ASSERT_EQ(analyzed.exit_code, 0) << analyzed.err;
    EXPECT_EQ(sqlite3(case_db,
                      "SELECT kind, count(*) FROM artifacts WHERE kind IN ('sms', 'call', "
                      "'contact', 'chat_message', 'web_visit', 'exif', 'unreadable') GROUP BY "
                      "kind ORDER BY kind"),
              (std::vector<std::string>{"call|5", "chat_message|5", "contact|4", "exif|2", "sms|5",
                                        "web_visit|2"}));
    const std::string sms = extract(kTelephony + "mmssms.db");
    EXPECT_EQ(sqlite3(case_db,
                      "SELECT json_extract(fields, '$.body') FROM artifacts "
                      "WHERE kind = 'sms' AND source = 'sms/4'"),
              sqlite3(sms, "SELECT body FROM sms WHERE _id = 4"));
    // The message the recipe deletes: gone for sqlite3, still a free record of `messages`.
    const std::string store = extract(kWhatsapp + "msgstore.db");
    EXPECT_EQ(sqlite3(store, "SELECT count(*) FROM messages WHERE data LIKE '%5169 4971%'"),
              (std::vector<std::string>{"0"}));
    EXPECT_EQ(sqlite3(case_db,
                      "SELECT json_extract(fields, '$.table'), json_extract(fields, "
                      "'$.values.key_remote_jid'), json_extract(fields, '$.values.data') LIKE "
                      "'%5169 4971 0388 2406%' FROM artifacts WHERE kind = 'sqlite_free_record'"),
              (std::vector<std::string>{"messages|77475550142@s.whatsapp.net|1"}));
}

TEST_F(AndroidUserdata, TheSameRecipeGivesTheSameBytes) {
    const std::string again = dir_ + "/again";
    auto built = test::dflab("image build " + shell_quote(kRecipe) + " -o " + shell_quote(again));
    ASSERT_EQ(built.exit_code, 0) << built.err;
    EXPECT_EQ(test::sha256_of_file(again + "/android-userdata.raw"), test::sha256_of_file(raw_));
}

// A msgstore.db in the schema WhatsApp migrated to in 2022 (jid, chat, message, message_media;
// the columns forensic readers of that schema rely on), made with sqlite3 itself: one-to-one
// messages both ways, a group with two members, a photo with a caption and one without a
// media_name (its name from file_path), and WhatsApp's marker row. Each message is what
// sqlite3's joins give.
TEST(AndroidWhatsapp, TheSchemaSince2022IsReadAsSqlite3JoinsIt) {
    const std::string db = test::temp_dir() + "/msgstore.db";
    const std::string sql = R"sql(
CREATE TABLE jid (_id INTEGER PRIMARY KEY AUTOINCREMENT, user TEXT NOT NULL, server TEXT NOT NULL,
  agent INTEGER, device INTEGER, type INTEGER, raw_string TEXT);
CREATE TABLE chat (_id INTEGER PRIMARY KEY AUTOINCREMENT, jid_row_id INTEGER UNIQUE, hidden INTEGER,
  subject TEXT, created_timestamp INTEGER, sort_timestamp INTEGER);
CREATE TABLE message (_id INTEGER PRIMARY KEY AUTOINCREMENT, chat_row_id INTEGER NOT NULL,
  from_me INTEGER NOT NULL, key_id TEXT NOT NULL, sender_jid_row_id INTEGER, status INTEGER,
  timestamp INTEGER, received_timestamp INTEGER, message_type INTEGER, text_data TEXT,
  starred INTEGER, sort_id INTEGER NOT NULL DEFAULT 0);
CREATE TABLE message_media (message_row_id INTEGER PRIMARY KEY, chat_row_id INTEGER,
  file_path TEXT, file_size INTEGER, mime_type TEXT, media_name TEXT, media_caption TEXT);
INSERT INTO jid VALUES (1, '77015550123', 's.whatsapp.net', 0, 0, 0, '77015550123@s.whatsapp.net'),
  (2, '120363041234567890', 'g.us', 0, 0, 1, '120363041234567890@g.us'),
  (3, '77479990011', 's.whatsapp.net', 0, 0, 0, '77479990011@s.whatsapp.net');
INSERT INTO chat VALUES (1, 1, 0, NULL, 1714550000000, 1714553000000),
  (2, 2, 0, 'Смена 2', 1714550100000, 1714553100000);
INSERT INTO message VALUES (1, -1, 0, '-1', 0, -1, 0, 0, 7, NULL, 0, 1),
  (2, 1, 0, '3EB0A1', 0, 0, 1714550400000, 1714550401000, 0, 'Где деньги?', 0, 2),
  (3, 1, 1, '3EB0A2', 0, 13, 1714550460000, 0, 0, 'Завтра', 0, 3),
  (4, 2, 0, '3EB0A3', 3, 0, 1714551000000, 1714551001000, 1, 'Список на сегодня', 0, 4),
  (5, 2, 0, '3EB0A4', 3, 0, 1714551060000, 1714551061000, 1, NULL, 0, 5),
  (6, 2, 1, '3EB0A5', 0, 13, 1714551120000, 0, 0, 'Принял', 0, 6);
INSERT INTO message_media VALUES (4, 2, 'Media/WhatsApp Images/IMG-20240501-WA0001.jpg', 48213,
    'image/jpeg', 'IMG-20240501-WA0001.jpg', 'Список на сегодня'),
  (5, 2, 'Media/WhatsApp Documents/list.pdf', 9120, 'application/pdf', NULL, NULL);
)sql";
    ASSERT_EQ(run("sqlite3 " + shell_quote(db) + " " + shell_quote(sql)).exit_code, 0);
    const auto expected = sqlite3(
        db, std::string("SELECT 'message/' || m._id, cj.raw_string, IFNULL(c.subject, ''), ") +
                "CASE m.from_me WHEN 1 THEN 'outgoing|sent' ELSE 'incoming|received' END, " +
                "CASE WHEN m.from_me = 1 THEN '' WHEN m.sender_jid_row_id > 0 THEN sj.raw_string "
                "ELSE cj.raw_string END, " +
                kIso +
                "m.timestamp/1000, 'unixepoch'), IFNULL(m.text_data, ''), IFNULL(mm.mime_type, "
                "''), IFNULL(mm.media_name, replace(mm.file_path, 'Media/WhatsApp Documents/', "
                "'')), IFNULL(mm.file_size, '') FROM message m JOIN chat c ON c._id = "
                "m.chat_row_id JOIN jid cj ON cj._id = c.jid_row_id LEFT JOIN jid sj ON sj._id = "
                "m.sender_jid_row_id LEFT JOIN message_media mm ON mm.message_row_id = m._id "
                "ORDER BY m._id");
    ASSERT_EQ(expected.size(), 5u);
    auto bytes = bytes_of(db);
    std::vector<std::string> listed;
    for (const auto& a : engine::read_android_artifacts(bytes, "msgstore.db")) {
        ASSERT_EQ(a.kind, "chat_message");
        const auto& f = a.fields;
        EXPECT_EQ(f["app"], "WhatsApp");
        const auto& m = f["attachment"];
        const std::string media =
            m.is_null() ? "||"
                        : text(m["mime_type"]) + "|" + text(m["name"]) + "|" + text(m["size"]);
        listed.push_back(a.source + "|" + text(f["chat"]) + "|" + text(f["chat_subject"]) + "|" +
                         text(f["direction"]) + "|" + a.time_kind + "|" + text(f["sender"]) + "|" +
                         iso_utc(*a.time) + "|" + text(f["text"]) + "|" + media);
    }
    EXPECT_EQ(listed, expected);
}

TEST_F(AndroidUserdata, DamagedAndUnrelatedDatabasesAreHandledCleanly) {
    const std::string db = extract(kTelephony + "mmssms.db");
    // A database of something else gives nothing.
    const std::string other = dir_ + "/notes.db";
    ASSERT_EQ(
        run("sqlite3 " + shell_quote(other) +
            " \"CREATE TABLE notes (id INTEGER, body TEXT); INSERT INTO notes VALUES (1, 'x')\"")
            .exit_code,
        0);
    auto other_bytes = bytes_of(other);
    EXPECT_TRUE(engine::read_android_artifacts(other_bytes, "notes.db").empty());
    // Cut short: the error names the file.
    auto cut = bytes_of(db);
    cut.resize(cut.size() / 2);
    const std::string error =
        test::error_of([&] { engine::read_android_artifacts(cut, "mmssms.db"); });
    EXPECT_EQ(error.rfind("mmssms.db", 0), 0u) << error;
    // A page of the sms table overwritten: SQLite's own check refuses it, named.
    auto damaged = bytes_of(db);
    const size_t page = 4096;
    ASSERT_GE(damaged.size(), 2 * page);
    for (size_t i = page; i < 2 * page; ++i) damaged[i] = std::byte{0xA5};
    const std::string damage =
        test::error_of([&] { engine::read_android_artifacts(damaged, "mmssms.db"); });
    EXPECT_EQ(damage.rfind("mmssms.db: ", 0), 0u) << damage;
    EXPECT_EQ(damage.find('\n'), std::string::npos);
}

}  // namespace
}  // namespace dflab
