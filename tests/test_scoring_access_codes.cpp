// Access codes to the lab portal (scoring/access_codes.hpp), the lab record's schema version 2
// (access codes, announcements, settings; the upgrade of version-1 records), standings at a time
// and of one participant (scoring/lab_grading.hpp), and `dflab lab participants codes`. Oracles:
// the sqlite3 CLI and the file's bytes, libsodium's own verification, Python's html.parser, a
// record built with the released version-1 schema SQL, and standings computed by hand or by
// replaying a lab up to a time.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>

#include "engine/error.hpp"
#include "scoring/access_codes.hpp"
#include "scoring/lab_grading.hpp"
#include "tests/lab_test_key.hpp"
#include "tests/support/fixtures.hpp"

namespace dflab {
namespace {

namespace fs = std::filesystem;
using namespace scoring;
using test::error_of;
using test::shell_quote;

// Crockford base32 as a regular expression: 0-9 and A-Z without I, L, O, U.
const std::string kBase32 = "[0-9A-HJKMNP-TV-Z]";

std::string read_bytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), {});
}

std::string sql(const std::string& db, const std::string& query) {
    return test::run("sqlite3 " + shell_quote(db) + " " + shell_quote(query)).out;
}

// Starts at `start` and moves one minute per reading.
Clock stepping_clock(const std::string& start = "2026-11-28T09:00:00Z") {
    auto t = std::make_shared<std::chrono::system_clock::time_point>(parse_utc_iso(start));
    return [t] {
        auto now = *t;
        *t += std::chrono::minutes(1);
        return now;
    };
}

class Dir : public ::testing::Test {
  protected:
    void SetUp() override { dir = test::temp_dir(); }
    void TearDown() override { fs::remove_all(dir); }
    std::string make_record(const std::string& name) {
        const std::string db = dir + "/" + name;
        LabRecord::create(db, "intro", "1.0.0", test::lab_test_key().dump(),
                          "2026-11-28T08:00:00Z");
        return db;
    }
    test::CommandResult dflab(const std::string& args) {
        return test::run("DFLAB_TIME=2026-11-28T08:30:00Z " + shell_quote(DFLAB_BINARY) + " " +
                         args);
    }
    // id -> code from the CSV (header id,name,code) that `codes` prints without -o.
    static std::map<std::string, std::string> parse_codes_csv(const std::string& csv) {
        std::map<std::string, std::string> out;
        auto lines = test::lines(csv);
        EXPECT_FALSE(lines.empty());
        if (lines.empty()) return out;
        EXPECT_EQ(lines[0], "id,name,code");
        for (size_t i = 1; i < lines.size(); ++i) {
            const auto first = lines[i].find(','), last = lines[i].rfind(',');
            out[lines[i].substr(0, first)] = lines[i].substr(last + 1);
        }
        return out;
    }
    std::string dir;
};

// --- codes ----------------------------------------------------------------------------------

TEST(AccessCodes, FormatAlphabetAndDistinctHandles) {
    const auto codes = generate_codes(2000);
    ASSERT_EQ(codes.size(), 2000u);
    const std::regex normalised("^" + kBase32 + "{14}$");
    const std::regex printed("^" + kBase32 + "{4}-" + kBase32 + "{5}-" + kBase32 + "{5}$");
    std::set<std::string> handles, all;
    std::vector<std::set<char>> seen(14);
    for (const auto& c : codes) {
        ASSERT_TRUE(std::regex_match(c, normalised)) << c;
        ASSERT_TRUE(std::regex_match(format_code(c), printed)) << format_code(c);
        EXPECT_EQ(code_handle(c), c.substr(0, 4));
        EXPECT_EQ(format_code(c).substr(0, 4), c.substr(0, 4));
        handles.insert(c.substr(0, 4));
        all.insert(c);
        for (size_t i = 0; i < c.size(); ++i) seen[i].insert(c[i]);
    }
    EXPECT_EQ(handles.size(), codes.size());  // 2000 handles of 2^20: collisions are redrawn
    EXPECT_EQ(all.size(), codes.size());
    // 2000 draws per position: every one of the 32 characters turns up (a biased or shortened
    // alphabet would not; the chance of a miss with a uniform one is below 1e-12).
    for (size_t i = 0; i < seen.size(); ++i) EXPECT_EQ(seen[i].size(), 32u) << "position " << i;
    EXPECT_NE(error_of([] { generate_codes(100001); }), "");
}

TEST(AccessCodes, NormalisationForgivesCaseSpacesDashesAndLookalikes) {
    EXPECT_EQ(normalise_code("K7QF-2M9XH-T4DPR"), "K7QF2M9XHT4DPR");
    EXPECT_EQ(normalise_code("k7qf-2m9xh-t4dpr"), "K7QF2M9XHT4DPR");
    EXPECT_EQ(normalise_code("  k7qf 2m9xh\tt4dpr\r\n"), "K7QF2M9XHT4DPR");
    EXPECT_EQ(normalise_code("K7QF--2M9XH--T4DPR"), "K7QF2M9XHT4DPR");
    EXPECT_EQ(normalise_code("OoIi-Ll000-11111"), "00111100011111");
    EXPECT_EQ(normalise_code("K7QF-2M9XH-T4DPU"), std::nullopt);   // U is no code character
    EXPECT_EQ(normalise_code("K7QF-2M9XH-T4DP"), std::nullopt);    // 13
    EXPECT_EQ(normalise_code("K7QF-2M9XH-T4DPRR"), std::nullopt);  // 15
    EXPECT_EQ(normalise_code("K7QF-2M9XH-T4DP*"), std::nullopt);
    EXPECT_EQ(normalise_code("K7QF-2M9XH-T4DPЯ"), std::nullopt);
    EXPECT_EQ(normalise_code(""), std::nullopt);
    for (const auto& c : generate_codes(50)) {
        EXPECT_EQ(normalise_code(format_code(c)), c);
        std::string lower = format_code(c);
        for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        EXPECT_EQ(normalise_code(lower), c);
    }
}

TEST(AccessCodes, SaltedArgon2idHashesVerifyOnlyTheirCode) {
    const auto codes = generate_codes(2);
    const std::string a = hash_code(codes[0]), again = hash_code(codes[0]);
    // libsodium's encoded form: argon2id, 64 KiB, 2 passes.
    EXPECT_TRUE(
        std::regex_match(a, std::regex(R"(^\$argon2id\$v=19\$m=64,t=2,p=1\$[^$]+\$[^$]+$)")))
        << a;
    EXPECT_NE(a, again);  // a random salt each time
    EXPECT_TRUE(verify_code(a, codes[0]));
    EXPECT_TRUE(verify_code(again, codes[0]));
    EXPECT_FALSE(verify_code(a, codes[1]));
    std::string one_off = codes[0];
    one_off[13] = one_off[13] == '0' ? '1' : '0';
    EXPECT_FALSE(verify_code(a, one_off));
    EXPECT_FALSE(verify_code(a, format_code(codes[0])));  // codes are verified normalised
    EXPECT_FALSE(verify_code("not a hash", codes[0]));
    EXPECT_FALSE(verify_code("", codes[0]));

    const std::string p = hash_password("correct horse battery staple");
    EXPECT_TRUE(p.starts_with("$argon2id$v=19$m=65536,t=2,p=1$")) << p;  // interactive limits
    EXPECT_TRUE(verify_password(p, "correct horse battery staple"));
    EXPECT_FALSE(verify_password(p, "correct horse battery stapler"));
    EXPECT_FALSE(verify_password(p, ""));
}

// --- the record -----------------------------------------------------------------------------

// The released version-1 schema, as `dflab lab init` wrote it before the portal.
constexpr std::string_view kVersion1Schema = R"sql(
CREATE TABLE lab (
    id             INTEGER PRIMARY KEY CHECK (id = 1),  -- exactly one row
    format         TEXT NOT NULL,        -- 'dflab-lab-record'
    schema_version INTEGER NOT NULL,
    pack           TEXT NOT NULL,
    pack_version   TEXT NOT NULL,
    answer_key     TEXT NOT NULL,        -- the answer key JSON (docs/answer-key.md) graded against
    created        TEXT NOT NULL,        -- ISO 8601 UTC
    key_updated    TEXT NOT NULL         -- when answer_key was stored (init or regrade)
);
CREATE TABLE teams (
    name    TEXT PRIMARY KEY,
    created TEXT NOT NULL
);
CREATE TABLE participants (
    id      TEXT PRIMARY KEY,
    name    TEXT NOT NULL,
    team    TEXT REFERENCES teams(name), -- NULL without a team
    variant INTEGER NOT NULL,            -- the variant of the evidence the participant works on
    created TEXT NOT NULL
);
CREATE TABLE submissions (
    id          INTEGER PRIMARY KEY,     -- in the order submissions were acknowledged
    participant TEXT NOT NULL REFERENCES participants(id),
    question    TEXT NOT NULL,
    variant     INTEGER NOT NULL,        -- the participant's variant when submitted
    value       TEXT NOT NULL,           -- the submitted value as JSON: "text", 12 or ["a", "b"]
    normalised  TEXT NOT NULL,           -- how the grader understood it ('' when it could not)
    verdict     TEXT NOT NULL CHECK (verdict IN ('correct', 'partial', 'incorrect', 'pending_review')),
    fraction    REAL NOT NULL,           -- share of the points the answer earns, 0..1
    points      REAL NOT NULL,           -- the question's points after this attempt (policy applied)
    feedback    TEXT NOT NULL,           -- what the participant was told
    hints_used  INTEGER NOT NULL,        -- hints unlocked for the question at that time
    time        TEXT NOT NULL            -- ISO 8601 UTC
);
CREATE INDEX submissions_participant_question ON submissions(participant, question, id);
CREATE TABLE hints (
    participant TEXT NOT NULL REFERENCES participants(id),
    question    TEXT NOT NULL,
    number      INTEGER NOT NULL,        -- 1 for the first hint of the question
    cost        REAL NOT NULL,
    time        TEXT NOT NULL,
    PRIMARY KEY (participant, question, number)
);
CREATE TABLE reviews (
    id         INTEGER PRIMARY KEY,
    submission INTEGER NOT NULL REFERENCES submissions(id),
    reviewer   TEXT NOT NULL,
    points     REAL NOT NULL,            -- replaces the policy's points for the question
    comment    TEXT NOT NULL,
    time       TEXT NOT NULL
);
CREATE TABLE sharing_flags (
    submission     INTEGER PRIMARY KEY REFERENCES submissions(id),
    other_variants TEXT NOT NULL,        -- JSON array: variants whose answer the value is
    time           TEXT NOT NULL
);
CREATE TABLE audit (
    id      INTEGER PRIMARY KEY,
    time    TEXT NOT NULL,
    action  TEXT NOT NULL,               -- lab_init, participant_add, submission, hint, review,
                                         -- key_replaced, verdict_changed
    subject TEXT NOT NULL,               -- what it is about: participant, participant/question, ...
    detail  TEXT NOT NULL                -- JSON object
);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
)sql";

std::string make_version1_record(const std::string& path) {
    const std::string script =
        "PRAGMA application_id = 1684434018; PRAGMA user_version = 1;" +
        std::string(kVersion1Schema) +
        "INSERT INTO lab VALUES (1, 'dflab-lab-record', 1, 'intro', '1.0.0', " + "'" +
        test::lab_test_key().dump() +
        "', '2026-11-01T08:00:00Z', '2026-11-01T08:00:00Z');"
        "INSERT INTO audit (time, action, subject, detail) VALUES "
        "('2026-11-01T08:00:00Z', 'lab_init', 'intro', '{}');"
        "INSERT INTO participants VALUES ('p1', 'Ann', NULL, 0, '2026-11-01T08:01:00Z');"
        "INSERT INTO submissions (participant, question, variant, value, normalised, verdict, "
        "fraction, points, feedback, hints_used, time) VALUES ('p1', 'when', 0, "
        "'\"2023-10-02T14:03:11Z\"', '2023-10-02T14:03:11Z', 'correct', 1, 5, 'ok', 0, "
        "'2026-11-01T09:00:00Z');";
    std::ofstream(path + ".sql") << script;
    auto r = test::run("sqlite3 " + shell_quote(path) + " < " + shell_quote(path + ".sql"));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return path;
}

TEST_F(Dir, NewRecordsAreVersion2WithDefaultSettings) {
    const std::string db = make_record("lab.sqlite");
    EXPECT_EQ(sql(db, "PRAGMA user_version"), "3\n");
    EXPECT_EQ(sql(db, "SELECT schema_version FROM lab"), "3\n");
    EXPECT_EQ(sql(db, "SELECT name, value FROM settings ORDER BY name"),
              "scoreboard_frozen|\nscoreboard_visible|0\n");
    EXPECT_EQ(sql(db,
                  "SELECT count(*) FROM sqlite_master WHERE name IN ('access_codes', "
                  "'announcements', 'settings')"),
              "3\n");
}

TEST_F(Dir, Version1RecordIsUpgradedInPlaceKeepingItsData) {
    const std::string old = make_version1_record(dir + "/old.sqlite");
    ASSERT_EQ(sql(old, "PRAGMA user_version"), "1\n");
    {
        LabRecord record(old);
        EXPECT_EQ(record.info().schema_version, 3);
        EXPECT_EQ(record.setting("scoreboard_visible"), "0");
    }
    EXPECT_EQ(sql(old, "PRAGMA user_version"), "3\n");
    EXPECT_EQ(sql(old, "SELECT schema_version FROM lab"), "3\n");
    EXPECT_EQ(sql(old, "SELECT id, name FROM participants"), "p1|Ann\n");
    EXPECT_EQ(sql(old, "SELECT participant, question, points FROM submissions"), "p1|when|5.0\n");
    EXPECT_EQ(sql(old,
                  "SELECT action, subject, json_extract(detail, '$.from'), "
                  "json_extract(detail, '$.to') FROM audit ORDER BY id"),
              "lab_init|intro||\nschema_upgrade|intro|1|3\n");
    // The same tables, indexes and triggers as a record made new.
    const std::string fresh = make_record("new.sqlite");
    const std::string schema = "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name";
    EXPECT_EQ(sql(old, schema), sql(fresh, schema));
    EXPECT_EQ(sql(old, "SELECT * FROM settings ORDER BY name"),
              sql(fresh, "SELECT * FROM settings ORDER BY name"));
    // Opening it again changes nothing.
    { LabRecord again(old); }
    EXPECT_EQ(sql(old, "SELECT count(*) FROM audit WHERE action = 'schema_upgrade'"), "1\n");
    // Grading works on the upgraded record.
    LabRecord record(old);
    Lab lab(record, stepping_clock());
    EXPECT_EQ(lab.submit("p1", "hash", test::kHash0).verdict, Verdict::correct);
    EXPECT_EQ(lab.standing_of("p1").points, 15);
}

TEST_F(Dir, FailedUpgradeChangesNothing) {
    const std::string old = make_version1_record(dir + "/old.sqlite");
    // A stray table in the way of version 2's: the upgrade fails half-way and rolls back.
    ASSERT_EQ(sql(old, "CREATE TABLE settings (x); SELECT 1"), "1\n");
    const std::string before = sql(old, ".dump");
    const std::string message = error_of([&] { LabRecord record(old); });
    EXPECT_NE(message.find("cannot upgrade the lab record from schema version 1 to 3"),
              std::string::npos)
        << message;
    EXPECT_EQ(message.find('\n'), std::string::npos);
    EXPECT_EQ(sql(old, "PRAGMA user_version"), "1\n");
    EXPECT_EQ(sql(old, ".dump"), before);
    EXPECT_EQ(sql(old, "SELECT count(*) FROM sqlite_master WHERE name = 'access_codes'"), "0\n");
}

TEST_F(Dir, NewerSchemaVersionIsRefused) {
    const std::string db = make_record("lab.sqlite");
    ASSERT_EQ(sql(db, "PRAGMA user_version = 4; PRAGMA user_version"), "4\n");
    const std::string message = error_of([&] { LabRecord record(db); });
    EXPECT_NE(message.find("schema version 4 is newer than this dflab supports (3)"),
              std::string::npos)
        << message;
}

TEST_F(Dir, AccessCodesAreReplacedAllOrNothing) {
    const std::string db = make_record("lab.sqlite");
    LabRecord record(db);
    Lab lab(record, stepping_clock());
    lab.add_participant("p1", "Ann", "", 0);
    lab.add_participant("p2", "Boris", "", 1);
    const auto codes = generate_codes(3);
    const std::vector<AccessCodeRow> first = {
        {"p1", code_handle(codes[0]), hash_code(codes[0]), "2026-11-28T09:00:00Z"},
        {"p2", code_handle(codes[1]), hash_code(codes[1]), "2026-11-28T09:00:00Z"}};
    record.set_access_codes(first);
    EXPECT_EQ(sql(db, "SELECT participant, handle FROM access_codes ORDER BY participant"),
              "p1|" + code_handle(codes[0]) + "\np2|" + code_handle(codes[1]) + "\n");
    auto row = record.access_code_by_handle(code_handle(codes[1]));
    ASSERT_TRUE(row);
    EXPECT_EQ(row->participant, "p2");
    EXPECT_TRUE(verify_code(row->hash, codes[1]));
    EXPECT_FALSE(record.access_code_by_handle(code_handle(codes[2])));

    // Bad rows: nothing changes.
    const std::string h2 = hash_code(codes[2]);
    EXPECT_NE(
        error_of([&] {
            record.set_access_codes(std::vector<AccessCodeRow>{
                {"p1", code_handle(codes[2]), h2, "t"}, {"p2", code_handle(codes[2]), h2, "t"}});
        }).find("twice"),
        std::string::npos);
    EXPECT_NE(error_of([&] {
                  record.set_access_codes(
                      std::vector<AccessCodeRow>{{"nobody", code_handle(codes[2]), h2, "t"}});
              }).find("no such participant"),
              std::string::npos);
    EXPECT_NE(error_of([&] {
                  record.set_access_codes(
                      std::vector<AccessCodeRow>{{"p1", code_handle(codes[2]), codes[2], "t"}});
              }).find("not an argon2id hash"),
              std::string::npos);
    EXPECT_EQ(sql(db, "SELECT count(*) FROM access_codes"), "2\n");

    // Replacing: p2's old code is gone.
    record.set_access_codes(
        std::vector<AccessCodeRow>{{"p1", code_handle(codes[2]), h2, "2026-11-28T10:00:00Z"}});
    EXPECT_EQ(sql(db, "SELECT participant, handle FROM access_codes"),
              "p1|" + code_handle(codes[2]) + "\n");
    EXPECT_FALSE(record.access_code_by_handle(code_handle(codes[1])));
}

TEST_F(Dir, AnnouncementsNewestFirstAndCheckedSettings) {
    const std::string db = make_record("lab.sqlite");
    LabRecord record(db);
    const auto a = record.add_announcement("2026-11-28T09:00:00Z", "teacher", "Start");
    const auto b = record.add_announcement("2026-11-28T09:30:00Z", "teacher", "Half time");
    const auto c = record.add_announcement("2026-11-28T09:30:00Z", "other", "Also half time");
    EXPECT_NE(error_of([&] { record.add_announcement("2026-11-28T09:31:00Z", "x", ""); }), "");
    auto list = record.announcements();
    ASSERT_EQ(list.size(), 3u);
    EXPECT_EQ(list[0].id, c);
    EXPECT_EQ(list[1].id, b);
    EXPECT_EQ(list[2].id, a);
    EXPECT_EQ(list[2].author, "teacher");
    EXPECT_EQ(list[2].text, "Start");
    EXPECT_EQ(sql(db, "SELECT id, author, text FROM announcements ORDER BY id"),
              std::to_string(a) + "|teacher|Start\n" + std::to_string(b) + "|teacher|Half time\n" +
                  std::to_string(c) + "|other|Also half time\n");

    record.set_setting("scoreboard_visible", "1");
    record.set_setting("scoreboard_frozen", "2026-11-28T10:00:00Z");
    EXPECT_EQ(sql(db, "SELECT name, value FROM settings ORDER BY name"),
              "scoreboard_frozen|2026-11-28T10:00:00Z\nscoreboard_visible|1\n");
    EXPECT_EQ(record.setting("scoreboard_frozen"), "2026-11-28T10:00:00Z");
    EXPECT_EQ(record.setting("nothing"), std::nullopt);
    EXPECT_NE(error_of([&] { record.set_setting("scoreboard_visible", "yes"); }), "");
    EXPECT_NE(error_of([&] { record.set_setting("scoreboard_frozen", "tomorrow"); }), "");
    EXPECT_NE(error_of([&] { record.set_setting("colour", "red"); }), "");
    record.set_setting("scoreboard_frozen", "");
    EXPECT_EQ(sql(db, "SELECT value FROM settings WHERE name = 'scoreboard_visible'"), "1\n");
    EXPECT_EQ(sql(db, "SELECT value FROM settings WHERE name = 'scoreboard_frozen'"), "\n");
}

// --- standings ------------------------------------------------------------------------------

void expect_same(const Standing& a, const Standing& b) {
    EXPECT_EQ(a.participant.id, b.participant.id);
    EXPECT_EQ(a.participant.name, b.participant.name);
    EXPECT_EQ(a.participant.variant, b.participant.variant);
    EXPECT_EQ(a.points, b.points) << a.participant.id;
    EXPECT_EQ(a.max_points, b.max_points);
    EXPECT_EQ(a.solved, b.solved) << a.participant.id;
    EXPECT_EQ(a.submissions, b.submissions) << a.participant.id;
    EXPECT_EQ(a.flags, b.flags) << a.participant.id;
    EXPECT_EQ(a.last_time, b.last_time) << a.participant.id;
    ASSERT_EQ(a.questions.size(), b.questions.size());
    for (size_t i = 0; i < a.questions.size(); ++i) {
        const auto &x = a.questions[i], &y = b.questions[i];
        EXPECT_EQ(x.question, y.question);
        EXPECT_EQ(x.verdict, y.verdict) << a.participant.id << "/" << x.question;
        EXPECT_EQ(x.answered, y.answered) << a.participant.id << "/" << x.question;
        EXPECT_EQ(x.reviewed, y.reviewed) << a.participant.id << "/" << x.question;
        EXPECT_EQ(x.points, y.points) << a.participant.id << "/" << x.question;
        EXPECT_EQ(x.attempts, y.attempts) << a.participant.id << "/" << x.question;
        EXPECT_EQ(x.hints, y.hints) << a.participant.id << "/" << x.question;
    }
}

// One step of a scripted lab, at the stepping clock's next minute.
struct Step {
    std::string what, participant, question;
    nlohmann::json value;
};

// The script: each step takes one clock reading (09:00, 09:01, ...).
const std::vector<Step>& script() {
    static const std::vector<Step> steps = {
        {"submit", "p1", "hash", test::kHash0},   // 09:00 correct, 10
        {"submit", "p2", "hash", test::kHash0},   // 09:01 variant 0's answer: flagged
        {"hint", "p2", "hash", nullptr},          // 09:02 costs 2
        {"submit", "p3", "essay", "The butler"},  // 09:03 pending review
        {"submit", "p1", "count", 3},             // 09:04 correct, 5
        // until 09:04 ------------------------------------------------------------------------
        {"submit", "p2", "hash", test::kHash1},            // 09:05 correct: 10 - 1 - 2 = 7
        {"review", "p3", "essay", 3},                      // 09:06 3 of 4
        {"hint", "p3", "hash", nullptr},                   // 09:07 unanswered: no points to lose
        {"submit", "p2", "when", "2023-10-03T09:00:00Z"},  // 09:08 correct, 5
    };
    return steps;
}

void play(Lab& lab, size_t count) {
    for (size_t i = 0; i < count; ++i) {
        const Step& s = script()[i];
        if (s.what == "submit") {
            lab.submit(s.participant, s.question, s.value);
        } else if (s.what == "hint") {
            lab.unlock_hint(s.participant, s.question);
        } else {
            const auto rows = lab.record().submissions_of(s.participant, s.question);
            lab.review(rows.back().id, s.value.get<double>(), "ok", "teacher");
        }
    }
}

void add_people(Lab& lab) {
    lab.add_participant("p1", "Ann", "red", 0);
    lab.add_participant("p2", "Boris", "red", 1);
    lab.add_participant("p3", "Cem", "", 0);
    lab.add_participant("p4", "Dana", "", 1);  // never submits
}

TEST_F(Dir, StandingsUntilATimeCountOnlyWhatWasDoneByThen) {
    // Participants are added with a clock of their own so that the script's times are as noted.
    const std::string db = make_record("lab.sqlite");
    LabRecord record(db);
    {
        Lab setup(record, stepping_clock("2026-11-28T08:50:00Z"));
        add_people(setup);
    }
    Lab lab(record, stepping_clock());
    play(lab, script().size());
    ASSERT_EQ(sql(db, "SELECT max(time) FROM submissions"), "2026-11-28T09:08:00Z\n");

    // Hand-computed from the key (tests/lab_test_key.hpp) and the script.
    auto full = lab.standings();
    ASSERT_EQ(full.size(), 4u);
    std::map<std::string, Standing> by_id;
    for (const auto& s : full) by_id[s.participant.id] = s;
    EXPECT_EQ(by_id["p1"].points, 15);  // 10 + 5
    EXPECT_EQ(by_id["p2"].points, 12);  // 7 + 5
    EXPECT_EQ(by_id["p3"].points, 3);
    EXPECT_EQ(by_id["p2"].flags, 1);

    const std::string until = "2026-11-28T09:04:00Z";
    auto frozen = lab.standings(until);
    ASSERT_EQ(frozen.size(), 4u);
    std::map<std::string, Standing> then;
    for (const auto& s : frozen) then[s.participant.id] = s;
    EXPECT_EQ(then["p1"].points, 15);
    EXPECT_EQ(then["p3"].questions[0].hints, 0);  // unlocked later
    EXPECT_EQ(by_id["p3"].questions[0].hints, 1);
    EXPECT_EQ(then["p2"].points, 0);
    EXPECT_EQ(then["p2"].submissions, 1);
    EXPECT_EQ(then["p2"].questions[0].hints, 1);
    EXPECT_EQ(then["p2"].flags, 1);
    EXPECT_EQ(then["p2"].last_time, "2026-11-28T09:01:00Z");
    EXPECT_EQ(then["p3"].points, 0);  // not reviewed yet
    EXPECT_FALSE(then["p3"].questions[4].reviewed);
    EXPECT_EQ(frozen[0].participant.id, "p1");
    EXPECT_EQ(lab.standings("2026-11-28T08:00:00Z")[0].points, 0);
    for (const auto& s : lab.standings("2026-11-28T09:08:00Z"))
        expect_same(s, by_id[s.participant.id]);

    // Oracle: a second lab that only played the steps up to `until` (09:00 to 09:04).
    const std::string db2 = make_record("replay.sqlite");
    LabRecord record2(db2);
    {
        Lab setup(record2, stepping_clock("2026-11-28T08:50:00Z"));
        add_people(setup);
    }
    Lab replay(record2, stepping_clock());
    play(replay, 5);
    auto expected = replay.standings();
    ASSERT_EQ(expected.size(), frozen.size());
    for (size_t i = 0; i < expected.size(); ++i) expect_same(frozen[i], expected[i]);
}

TEST_F(Dir, StandingOfOneParticipantEqualsTheirEntryOfTheStandings) {
    const std::string db = make_record("lab.sqlite");
    LabRecord record(db);
    Lab lab(record, stepping_clock());
    add_people(lab);
    play(lab, script().size());
    lab.submit("p4", "files", nlohmann::json{"/c.txt", "/x"});  // partial
    for (const auto& s : lab.standings()) expect_same(lab.standing_of(s.participant.id), s);
    EXPECT_NE(error_of([&] { lab.standing_of("nobody"); }).find("no such participant"),
              std::string::npos);
    // Its queries use indexes, not scans of the whole record.
    const std::string plans =
        sql(db,
            "EXPLAIN QUERY PLAN SELECT * FROM submissions WHERE participant = 'p1';"
            "EXPLAIN QUERY PLAN SELECT * FROM hints WHERE participant = 'p1';"
            "EXPLAIN QUERY PLAN SELECT r.id FROM reviews r JOIN submissions s ON s.id = "
            "r.submission WHERE s.participant = 'p1';"
            "EXPLAIN QUERY PLAN SELECT f.submission FROM sharing_flags f JOIN submissions s "
            "ON s.id = f.submission WHERE s.participant = 'p1'");
    EXPECT_EQ(plans.find("SCAN"), std::string::npos) << plans;
}

// --- dflab lab participants codes ------------------------------------------------------------

TEST_F(Dir, CodesCommandStoresOnlyHashes) {
    const std::string db = make_record("lab.sqlite");
    ASSERT_EQ(
        dflab("lab participants --db " + shell_quote(db) + " add p1 --name 'Smith, Ann'").exit_code,
        0);
    ASSERT_EQ(dflab("lab participants add p2 --name Борис --db " + shell_quote(db)).exit_code, 0);
    auto r = dflab("lab participants codes --db " + shell_quote(db));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.err.find("shown only this once"), std::string::npos) << r.err;
    auto codes = parse_codes_csv(r.out);
    ASSERT_EQ(codes.size(), 2u);
    EXPECT_NE(r.out.find("\"Smith, Ann\""), std::string::npos);  // CSV-quoted
    // Python's csv module reads the same three columns.
    std::ofstream(dir + "/codes.csv") << r.out;
    auto py = test::run(
        "python3 -c 'import csv,sys; [print(len(r), r[0], r[2]) for r in "
        "csv.reader(open(sys.argv[1]))]' " +
        shell_quote(dir + "/codes.csv"));
    EXPECT_EQ(py.out, "3 id code\n3 p1 " + codes["p1"] + "\n3 p2 " + codes["p2"] + "\n");

    const std::string bytes = read_bytes(db) + read_bytes(db + "-wal");
    const std::string dump = sql(db, ".dump");
    for (const auto& [id, code] : codes) {
        auto n = normalise_code(code);
        ASSERT_TRUE(n) << code;
        for (const std::string& secret : {code, *n, n->substr(4), code.substr(5)}) {
            EXPECT_EQ(bytes.find(secret), std::string::npos) << id;
            EXPECT_EQ(dump.find(secret), std::string::npos) << id;
        }
        const std::string hash =
            sql(db, "SELECT hash FROM access_codes WHERE participant = '" + id + "'");
        ASSERT_FALSE(hash.empty());
        EXPECT_TRUE(verify_code(hash.substr(0, hash.size() - 1), *n)) << id;
        EXPECT_EQ(sql(db, "SELECT handle FROM access_codes WHERE participant = '" + id + "'"),
                  n->substr(0, 4) + "\n");
    }
    EXPECT_EQ(sql(db, "SELECT action, subject, detail FROM audit WHERE action = 'access_codes'"),
              "access_codes|intro|{\"participants\":2}\n");

    // Again: new codes, the old ones stop working.
    r = dflab("lab participants codes --db " + shell_quote(db));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto fresh = parse_codes_csv(r.out);
    const std::string hash = sql(db, "SELECT hash FROM access_codes WHERE participant = 'p1'");
    EXPECT_NE(fresh["p1"], codes["p1"]);
    EXPECT_FALSE(verify_code(hash.substr(0, hash.size() - 1), *normalise_code(codes["p1"])));
    EXPECT_TRUE(verify_code(hash.substr(0, hash.size() - 1), *normalise_code(fresh["p1"])));
    EXPECT_EQ(sql(db, "SELECT count(*) FROM audit WHERE action = 'access_codes'"), "2\n");
}

TEST_F(Dir, OneCodeOpensEveryLabTheParticipantIsIn) {
    const std::string a = make_record("a.sqlite"), b = make_record("b.sqlite");
    for (const auto& [db, ids] : std::vector<std::pair<std::string, std::vector<std::string>>>{
             {a, {"p1", "p2"}}, {b, {"p1", "p3"}}}) {
        for (const auto& id : ids)
            ASSERT_EQ(
                dflab("lab participants --db " + shell_quote(db) + " add " + id + " --name N" + id)
                    .exit_code,
                0);
    }
    auto r = dflab("lab participants codes --db " + shell_quote(a) + " --db " + shell_quote(b));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto codes = parse_codes_csv(r.out);
    ASSERT_EQ(codes.size(), 3u);
    auto verifies = [&](const std::string& db, const std::string& id) {
        std::string hash =
            sql(db, "SELECT hash FROM access_codes WHERE participant = '" + id + "'");
        if (hash.empty()) return false;
        hash.pop_back();
        return verify_code(hash, *normalise_code(codes[id]));
    };
    EXPECT_TRUE(verifies(a, "p1"));
    EXPECT_TRUE(verifies(b, "p1"));
    EXPECT_TRUE(verifies(a, "p2"));
    EXPECT_TRUE(verifies(b, "p3"));
    EXPECT_EQ(sql(a, "SELECT participant FROM access_codes ORDER BY participant"), "p1\np2\n");
    EXPECT_EQ(sql(b, "SELECT participant FROM access_codes ORDER BY participant"), "p1\np3\n");

    // The same record twice is refused, and nothing is changed.
    const std::string before = sql(a, "SELECT hash FROM access_codes ORDER BY participant");
    r = dflab("lab participants codes --db " + shell_quote(a) + " --db " + shell_quote(a));
    EXPECT_NE(r.exit_code, 0);
    EXPECT_NE(r.err.find("given twice"), std::string::npos) << r.err;
    EXPECT_EQ(sql(a, "SELECT hash FROM access_codes ORDER BY participant"), before);
    // Other participant commands take one record.
    r = dflab("lab participants list --db " + shell_quote(a) + " --db " + shell_quote(b));
    EXPECT_NE(r.exit_code, 0);
    EXPECT_NE(r.err.find("--db: give one lab record"), std::string::npos) << r.err;
}

// Reads an HTML file with Python's html.parser: every tag's name, and the text of each slip's
// parts (divs of class name, meta, code, title, open) as JSON.
constexpr std::string_view kSlipParser = R"py(
import html.parser, json, sys
class Slips(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.slips, self.stack, self.lang, self.page_text = set(), [], [], None, ""
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.add(tag)
        if tag == "html": self.lang = a.get("lang")
        cls = a.get("class", "")
        if tag == "div" and cls == "slip": self.slips.append({})
        self.stack.append(cls if tag == "div" else "")
    def handle_endtag(self, tag):
        if self.stack: self.stack.pop()
    def handle_data(self, data):
        self.page_text += data
        part = next((c for c in reversed(self.stack) if c), "")
        if self.slips and part in ("name", "meta", "code", "title", "open", "keep"):
            self.slips[-1][part] = self.slips[-1].get(part, "") + data
p = Slips()
p.feed(open(sys.argv[1], encoding="utf-8").read())
p.close()
print(json.dumps({"tags": sorted(p.tags), "lang": p.lang, "slips": p.slips, "text": p.page_text}))
)py";

TEST_F(Dir, CodesCommandWritesPrintableSlipsWithEveryNameEscaped) {
    const std::string db = make_record("lab.sqlite");
    std::ofstream(dir + "/people.csv")
        << "id,name,team\np1,<script>alert(1)</script> Ivan,<b>Blue</b>\n"
           "p2,Айгерим & \"Co\",\np3,O'Brien,red\n";
    ASSERT_EQ(dflab("lab participants --db " + shell_quote(db) + " import " +
                    shell_quote(dir + "/people.csv"))
                  .exit_code,
              0);
    for (int i = 4; i <= 12; ++i)  // 12 participants: two pages of slips
        ASSERT_EQ(dflab("lab participants --db " + shell_quote(db) + " add q" + std::to_string(i) +
                        " --name Person" + std::to_string(i))
                      .exit_code,
                  0);
    const std::string html = dir + "/codes.html";
    auto r = dflab("lab participants codes --db " + shell_quote(db) + " -o " + shell_quote(html) +
                   " --url 'http://10.0.0.1:8080/?a=1&b=2'");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    struct stat st {};
    ASSERT_EQ(stat(html.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);  // the only copy of the codes: owner only

    std::ofstream(dir + "/parse.py") << kSlipParser;
    auto py = test::run("python3 " + shell_quote(dir + "/parse.py") + " " + shell_quote(html));
    ASSERT_EQ(py.exit_code, 0) << py.err;
    auto parsed = nlohmann::json::parse(py.out);
    EXPECT_EQ(parsed["lang"], "en");
    const std::set<std::string> tags = parsed["tags"].get<std::set<std::string>>();
    EXPECT_FALSE(tags.contains("script"));  // the name stayed text
    auto slips = parsed["slips"];
    ASSERT_EQ(slips.size(), 12u);
    std::map<std::string, nlohmann::json> by_name;
    for (const auto& s : slips) by_name[s.value("name", "")] = s;
    ASSERT_TRUE(by_name.contains("<script>alert(1)</script> Ivan"));
    ASSERT_TRUE(by_name.contains("Айгерим & \"Co\""));
    ASSERT_TRUE(by_name.contains("O'Brien"));
    EXPECT_NE(
        by_name["<script>alert(1)</script> Ivan"]["meta"].get<std::string>().find("<b>Blue</b>"),
        std::string::npos);
    EXPECT_NE(by_name["O'Brien"]["meta"].get<std::string>().find("p3"), std::string::npos);
    EXPECT_NE(by_name["O'Brien"]["open"].get<std::string>().find("http://10.0.0.1:8080/?a=1&b=2"),
              std::string::npos);
    EXPECT_EQ(by_name["O'Brien"]["title"], "Your access code");

    // Each slip's code is the participant's: it verifies against the stored hash.
    const std::regex printed("^" + kBase32 + "{4}-" + kBase32 + "{5}-" + kBase32 + "{5}$");
    LabRecord record(db);
    const std::string bytes = read_bytes(db) + read_bytes(db + "-wal");
    for (const auto& s : slips) {
        const std::string code = s["code"];
        ASSERT_TRUE(std::regex_match(code, printed)) << code;
        EXPECT_EQ(r.out.find(code), std::string::npos);  // not on stdout
        auto n = normalise_code(code);
        auto row = record.access_code_by_handle(n->substr(0, 4));
        ASSERT_TRUE(row);
        EXPECT_NE(s["meta"].get<std::string>().find(row->participant), std::string::npos);
        EXPECT_TRUE(verify_code(row->hash, *n));
        EXPECT_EQ(bytes.find(*n), std::string::npos);
    }
    // A4 print layout with cut lines, two pages.
    const std::string text = read_bytes(html);
    EXPECT_NE(text.find("size: A4"), std::string::npos);
    EXPECT_NE(text.find("@media print"), std::string::npos);
    EXPECT_NE(text.find("dashed"), std::string::npos);
    size_t pages = 0;
    for (size_t at = 0; (at = text.find("<section class=\"page\">", at)) != std::string::npos; ++at)
        ++pages;
    EXPECT_EQ(pages, 2u);

    // In Russian, without a URL.
    r = dflab("lab participants codes --db " + shell_quote(db) + " -o " + shell_quote(html) +
              " --lang ru");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    py = test::run("python3 " + shell_quote(dir + "/parse.py") + " " + shell_quote(html));
    parsed = nlohmann::json::parse(py.out);
    EXPECT_EQ(parsed["lang"], "ru");
    EXPECT_EQ(parsed["text"].get<std::string>().find("Your access code"), std::string::npos);
    EXPECT_EQ(parsed["text"].get<std::string>().find("http://"), std::string::npos);
    EXPECT_NE(parsed["slips"][0]["title"].get<std::string>().find("код"), std::string::npos);
}

}  // namespace
}  // namespace dflab
