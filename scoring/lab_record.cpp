#include "scoring/lab_record.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>

#include "common/error.hpp"
#include "scoring/lab_schema.hpp"

namespace dflab::scoring {

namespace fs = std::filesystem;
using common::Error;
using common::Statement;

Clock system_clock() {
    return [] { return std::chrono::system_clock::now(); };
}

Clock clock_from_environment() {
    const char* fixed = std::getenv("DFLAB_TIME");
    if (!fixed || !*fixed) return system_clock();
    try {
        auto t = parse_utc_iso(fixed);
        return [t] { return t; };
    } catch (const Error& e) {
        throw Error(std::string("DFLAB_TIME: ") + e.what());
    }
}

std::string utc_iso(std::chrono::system_clock::time_point t) {
    std::time_t seconds =
        std::chrono::system_clock::to_time_t(std::chrono::floor<std::chrono::seconds>(t));
    std::tm tm{};
    gmtime_r(&seconds, &tm);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return text;
}

std::chrono::system_clock::time_point parse_utc_iso(std::string_view text) {
    std::tm tm{};
    std::string copy(text);
    const char* end = strptime(copy.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm);
    if (!end || *end != '\0' || copy.size() != 20) {
        throw Error(copy + ": not a UTC time of the form 2026-11-28T09:30:00Z");
    }
    return std::chrono::system_clock::from_time_t(timegm(&tm));
}

namespace {

double column_double(const Statement& s, int i) {
    return sqlite3_column_double(s.get(), i);
}

int column_int32(const Statement& s, int i) {
    return static_cast<int>(s.column_int(i));
}

// Opens `path` only when it exists: SQLite would report a missing file less plainly.
std::string existing(const fs::path& path) {
    std::error_code ec;
    if (!fs::exists(path, ec)) throw Error(path.string() + ": no such file");
    if (fs::is_directory(path, ec)) throw Error(path.string() + ": is a folder, not a lab record");
    return path.string();
}

int64_t user_version(common::Database& db) {
    Statement user(db.get(), "PRAGMA user_version");
    return user.step() ? user.column_int(0) : 0;
}

// Recognises a lab record before anything is written to the file; returns its schema version.
int64_t check_lab_record(common::Database& db, const std::string& name) {
    int64_t application_id = 0, version = 0;
    try {
        Statement app(db.get(), "PRAGMA application_id");
        if (app.step()) application_id = app.column_int(0);
        version = user_version(db);
    } catch (const common::StorageError& e) {
        // A full disk or an I/O error says nothing about what the file is.
        throw common::StorageError(name, e.reason());
    } catch (const Error&) {
        throw Error(name + ": not a dflab lab record (not an SQLite database)");
    }
    if (application_id != kLabApplicationId) throw Error(name + ": not a dflab lab record");
    if (version > kLabSchemaVersion) {
        throw Error(name + ": lab record schema version " + std::to_string(version) +
                    " is newer than this dflab supports (" + std::to_string(kLabSchemaVersion) +
                    ")");
    }
    if (version < 1) throw Error(name + ": not a dflab lab record (no schema version)");
    return version;
}

// Brings a record of an older schema version to kLabSchemaVersion in one transaction: the SQL of
// each missing version in turn, the version in user_version and the lab row, an audit row.
void upgrade_schema(common::Database& db, const std::string& name, int64_t seen) {
    int64_t from = seen;
    try {
        common::Transaction transaction(db);
        from = user_version(db);  // again, under the write lock: another shell may have done it
        if (from >= kLabSchemaVersion) return;
        for (int64_t v = from + 1; v <= kLabSchemaVersion; ++v) {
            db.exec(kLabSchemaSteps[static_cast<size_t>(v - 1)]);
        }
        const std::string to = std::to_string(kLabSchemaVersion);
        db.exec("PRAGMA user_version = " + to + "; UPDATE lab SET schema_version = " + to);
        Statement pack = db.prepare("SELECT pack FROM lab");
        const std::string subject = pack.step() ? pack.column_text(0) : "";
        db.prepare("INSERT INTO audit (time, action, subject, detail) VALUES (?, ?, ?, ?)")
            .bind(1, utc_iso(clock_from_environment()()))
            .bind(2, "schema_upgrade")
            .bind(3, subject)
            .bind(4, nlohmann::json{{"from", from}, {"to", kLabSchemaVersion}}.dump())
            .run();
        transaction.commit();
    } catch (const Error& e) {
        throw Error(name + ": cannot upgrade the lab record from schema version " +
                    std::to_string(from) + " to " + std::to_string(kLabSchemaVersion) + " (" +
                    e.what() + ")");
    }
}

void set_connection_pragmas(common::Database& db) {
    Statement wal(db.get(), "PRAGMA journal_mode = WAL");
    if (!wal.step() || wal.column_text(0) != "wal") {
        throw Error(db.path() + ": cannot switch the lab record to WAL mode");
    }
    db.exec("PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000");
}

SubmissionRow read_submission(const Statement& s) {
    SubmissionRow r;
    r.id = s.column_int(0);
    r.participant = s.column_text(1);
    r.question = s.column_text(2);
    r.variant = column_int32(s, 3);
    r.value = s.column_text(4);
    r.normalised = s.column_text(5);
    r.verdict = s.column_text(6);
    r.fraction = column_double(s, 7);
    r.points = column_double(s, 8);
    r.feedback = s.column_text(9);
    r.hints_used = column_int32(s, 10);
    r.time = s.column_text(11);
    r.feedback_message = s.column_text(12);
    return r;
}

constexpr std::string_view kSubmissionColumns =
    "SELECT id, participant, question, variant, value, normalised, verdict, fraction, points, "
    "feedback, hints_used, time, feedback_message FROM submissions ";

ParticipantRow read_participant(const Statement& s) {
    return {s.column_text(0), s.column_text(1), s.column_text(2), column_int32(s, 3),
            s.column_text(4)};
}

ReviewRow read_review(const Statement& s) {
    return {s.column_int(0),     s.column_int(1),  s.column_text(2),
            column_double(s, 3), s.column_text(4), s.column_text(5)};
}

constexpr std::string_view kParticipantColumns =
    "SELECT id, name, coalesce(team, ''), variant, created FROM participants ";

}  // namespace

struct LabRecord::Cached {
    std::optional<Statement> update_grade, audit;
};

void LabRecord::create(const fs::path& path, std::string_view pack, std::string_view pack_version,
                       std::string_view answer_key, std::string_view time) {
    const std::string name = path.string();
    std::error_code ec;
    if (fs::exists(path, ec)) throw Error(name + ": exists; a lab record is never overwritten");
    const std::string temporary = name + ".partial-" + std::to_string(::getpid());
    auto remove_temporary = [&] {
        for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
            fs::remove(temporary + suffix, ec);
        }
    };
    remove_temporary();
    try {
        {
            common::Database db(temporary, common::Database::Mode::Create);
            db.exec("PRAGMA application_id = " + std::to_string(kLabApplicationId) +
                    "; PRAGMA user_version = " + std::to_string(kLabSchemaVersion));
            set_connection_pragmas(db);
            common::Transaction transaction(db);
            for (std::string_view step : kLabSchemaSteps) db.exec(step);
            db.prepare(
                  "INSERT INTO lab (id, format, schema_version, pack, pack_version, answer_key, "
                  "created, key_updated) VALUES (1, 'dflab-lab-record', ?, ?, ?, ?, ?, ?)")
                .bind(1, static_cast<int64_t>(kLabSchemaVersion))
                .bind(2, pack)
                .bind(3, pack_version)
                .bind(4, answer_key)
                .bind(5, time)
                .bind(6, time)
                .run();
            db.prepare("INSERT INTO audit (time, action, subject, detail) VALUES (?, ?, ?, ?)")
                .bind(1, time)
                .bind(2, "lab_init")
                .bind(3, pack)
                .bind(4, nlohmann::json{{"pack", pack}, {"pack_version", pack_version}}.dump())
                .run();
            transaction.commit();
        }  // closed: the WAL is checkpointed into the file and removed
        if (::link(temporary.c_str(), name.c_str()) != 0) {
            throw Error(name + ": cannot create the lab record (" + std::strerror(errno) + ")");
        }
        fs::remove(temporary, ec);
    } catch (...) {
        remove_temporary();
        throw;
    }
}

LabRecord::LabRecord(const fs::path& path)
    : path_(path),
      db_(existing(path), common::Database::Mode::ReadWrite),
      cached_(std::make_unique<Cached>()) {
    const int64_t version = check_lab_record(db_, path.string());
    set_connection_pragmas(db_);
    if (version < kLabSchemaVersion) upgrade_schema(db_, path.string(), version);
}

LabRecord::~LabRecord() = default;

LabInfo LabRecord::info() {
    Statement s = db_.prepare(
        "SELECT pack, pack_version, answer_key, created, key_updated, schema_version FROM lab");
    if (!s.step()) throw Error(path_.string() + ": not a dflab lab record (no lab row)");
    return {s.column_text(0), s.column_text(1), s.column_text(2),
            s.column_text(3), s.column_text(4), column_int32(s, 5)};
}

void LabRecord::replace_key(std::string_view pack_version, std::string_view answer_key,
                            std::string_view time) {
    db_.prepare("UPDATE lab SET pack_version = ?, answer_key = ?, key_updated = ?")
        .bind(1, pack_version)
        .bind(2, answer_key)
        .bind(3, time)
        .run();
}

void LabRecord::add_participant(const ParticipantRow& row) {
    if (!row.team.empty()) {
        db_.prepare("INSERT OR IGNORE INTO teams (name, created) VALUES (?, ?)")
            .bind(1, row.team)
            .bind(2, row.created)
            .run();
    }
    db_.prepare(
           "INSERT INTO participants (id, name, team, variant, created) VALUES (?, ?, ?, ?, ?)")
        .bind(1, row.id)
        .bind(2, row.name)
        .bind(3, row.team.empty() ? std::optional<std::string>() : row.team)
        .bind(4, static_cast<int64_t>(row.variant))
        .bind(5, row.created)
        .run();
}

std::optional<ParticipantRow> LabRecord::participant(std::string_view id) {
    Statement s = db_.prepare(std::string(kParticipantColumns) + "WHERE id = ?");
    s.bind(1, id);
    if (!s.step()) return std::nullopt;
    return read_participant(s);
}

std::vector<ParticipantRow> LabRecord::participants() {
    Statement s = db_.prepare(std::string(kParticipantColumns) + "ORDER BY id");
    std::vector<ParticipantRow> out;
    while (s.step()) out.push_back(read_participant(s));
    return out;
}

int64_t LabRecord::count_participants() {
    Statement s = db_.prepare("SELECT count(*) FROM participants");
    s.step();
    return s.column_int(0);
}

int64_t LabRecord::add_submission(const SubmissionRow& r) {
    db_.prepare(
           "INSERT INTO submissions (participant, question, variant, value, normalised, verdict, "
           "fraction, points, feedback, hints_used, time, feedback_message) "
           "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
        .bind(1, r.participant)
        .bind(2, r.question)
        .bind(3, static_cast<int64_t>(r.variant))
        .bind(4, r.value)
        .bind(5, r.normalised)
        .bind(6, r.verdict)
        .bind(7, r.fraction)
        .bind(8, r.points)
        .bind(9, r.feedback)
        .bind(10, static_cast<int64_t>(r.hints_used))
        .bind(11, r.time)
        .bind(12, r.feedback_message)
        .run();
    return db_.last_insert_id();
}

std::optional<SubmissionRow> LabRecord::submission(int64_t id) {
    Statement s = db_.prepare(std::string(kSubmissionColumns) + "WHERE id = ?");
    s.bind(1, id);
    if (!s.step()) return std::nullopt;
    return read_submission(s);
}

std::vector<SubmissionRow> LabRecord::submissions() {
    Statement s = db_.prepare(std::string(kSubmissionColumns) + "ORDER BY id");
    std::vector<SubmissionRow> out;
    while (s.step()) out.push_back(read_submission(s));
    return out;
}

std::vector<SubmissionRow> LabRecord::submissions_of(std::string_view participant,
                                                     std::string_view question) {
    Statement s = db_.prepare(std::string(kSubmissionColumns) +
                              "WHERE participant = ? AND question = ? ORDER BY id");
    s.bind(1, participant).bind(2, question);
    std::vector<SubmissionRow> out;
    while (s.step()) out.push_back(read_submission(s));
    return out;
}

std::vector<SubmissionRow> LabRecord::submissions_by(std::string_view participant) {
    Statement s =
        db_.prepare(std::string(kSubmissionColumns) + "WHERE participant = ? ORDER BY id");
    s.bind(1, participant);
    std::vector<SubmissionRow> out;
    while (s.step()) out.push_back(read_submission(s));
    return out;
}

void LabRecord::update_grade(const SubmissionRow& r) {
    if (!cached_->update_grade) {
        cached_->update_grade.emplace(db_.prepare(
            "UPDATE submissions SET normalised = ?, verdict = ?, fraction = ?, points = ?, "
            "feedback = ?, feedback_message = ? WHERE id = ?"));
    }
    cached_->update_grade->bind(1, r.normalised)
        .bind(2, r.verdict)
        .bind(3, r.fraction)
        .bind(4, r.points)
        .bind(5, r.feedback)
        .bind(6, r.feedback_message)
        .bind(7, r.id)
        .run();
}

void LabRecord::add_hint(const HintRow& r) {
    db_.prepare(
           "INSERT INTO hints (participant, question, number, cost, time) VALUES (?, ?, ?, ?, ?)")
        .bind(1, r.participant)
        .bind(2, r.question)
        .bind(3, static_cast<int64_t>(r.number))
        .bind(4, r.cost)
        .bind(5, r.time)
        .run();
}

int LabRecord::hints_unlocked(std::string_view participant, std::string_view question) {
    Statement s = db_.prepare("SELECT count(*) FROM hints WHERE participant = ? AND question = ?");
    s.bind(1, participant).bind(2, question);
    s.step();
    return column_int32(s, 0);
}

namespace {
std::vector<HintRow> read_hints(Statement& s) {
    std::vector<HintRow> out;
    while (s.step()) {
        out.push_back({s.column_text(0), s.column_text(1), column_int32(s, 2), column_double(s, 3),
                       s.column_text(4)});
    }
    return out;
}
}  // namespace

std::vector<HintRow> LabRecord::hints() {
    Statement s = db_.prepare(
        "SELECT participant, question, number, cost, time FROM hints "
        "ORDER BY time, participant, question, number");
    return read_hints(s);
}

std::vector<HintRow> LabRecord::hints_of(std::string_view participant) {
    Statement s = db_.prepare(
        "SELECT participant, question, number, cost, time FROM hints WHERE participant = ? "
        "ORDER BY time, participant, question, number");
    s.bind(1, participant);
    return read_hints(s);
}

int64_t LabRecord::add_review(const ReviewRow& r) {
    db_.prepare(
           "INSERT INTO reviews (submission, reviewer, points, comment, time) VALUES (?, ?, ?, ?, "
           "?)")
        .bind(1, r.submission)
        .bind(2, r.reviewer)
        .bind(3, r.points)
        .bind(4, r.comment)
        .bind(5, r.time)
        .run();
    return db_.last_insert_id();
}

std::vector<ReviewRow> LabRecord::reviews() {
    Statement s = db_.prepare(
        "SELECT id, submission, reviewer, points, comment, time FROM reviews ORDER BY id");
    std::vector<ReviewRow> out;
    while (s.step()) out.push_back(read_review(s));
    return out;
}

std::vector<ReviewRow> LabRecord::reviews_of(std::string_view participant) {
    Statement s = db_.prepare(
        "SELECT r.id, r.submission, r.reviewer, r.points, r.comment, r.time FROM reviews r "
        "JOIN submissions s ON s.id = r.submission WHERE s.participant = ? ORDER BY r.id");
    s.bind(1, participant);
    std::vector<ReviewRow> out;
    while (s.step()) out.push_back(read_review(s));
    return out;
}

std::optional<ReviewRow> LabRecord::latest_review(std::string_view participant,
                                                  std::string_view question) {
    Statement s = db_.prepare(
        "SELECT r.id, r.submission, r.reviewer, r.points, r.comment, r.time FROM reviews r "
        "JOIN submissions s ON s.id = r.submission WHERE s.participant = ? AND s.question = ? "
        "ORDER BY r.id DESC LIMIT 1");
    s.bind(1, participant).bind(2, question);
    if (!s.step()) return std::nullopt;
    return read_review(s);
}

void LabRecord::add_sharing_flag(const SharingFlagRow& r) {
    db_.prepare(
           "INSERT OR REPLACE INTO sharing_flags (submission, other_variants, time) "
           "VALUES (?, ?, ?)")
        .bind(1, r.submission)
        .bind(2, nlohmann::json(r.other_variants).dump())
        .bind(3, r.time)
        .run();
}

void LabRecord::clear_sharing_flags() {
    db_.exec("DELETE FROM sharing_flags");
}

namespace {
std::vector<SharingFlagRow> read_sharing_flags(Statement& s) {
    std::vector<SharingFlagRow> out;
    while (s.step()) {
        out.push_back({s.column_int(0),
                       nlohmann::json::parse(s.column_text(1)).get<std::vector<int>>(),
                       s.column_text(2)});
    }
    return out;
}
}  // namespace

std::vector<SharingFlagRow> LabRecord::sharing_flags() {
    Statement s = db_.prepare(
        "SELECT submission, other_variants, time FROM sharing_flags ORDER BY submission");
    return read_sharing_flags(s);
}

std::vector<SharingFlagRow> LabRecord::sharing_flags_of(std::string_view participant) {
    Statement s = db_.prepare(
        "SELECT f.submission, f.other_variants, f.time FROM sharing_flags f "
        "JOIN submissions s ON s.id = f.submission WHERE s.participant = ? ORDER BY f.submission");
    s.bind(1, participant);
    return read_sharing_flags(s);
}

void LabRecord::append_audit(std::string_view time, std::string_view action,
                             std::string_view subject, const nlohmann::json& detail) {
    if (!cached_->audit) {
        cached_->audit.emplace(
            db_.prepare("INSERT INTO audit (time, action, subject, detail) VALUES (?, ?, ?, ?)"));
    }
    cached_->audit->bind(1, time).bind(2, action).bind(3, subject).bind(4, detail.dump()).run();
}

std::vector<AuditRow> LabRecord::audit() {
    Statement s = db_.prepare("SELECT id, time, action, subject, detail FROM audit ORDER BY id");
    std::vector<AuditRow> out;
    while (s.step()) {
        out.push_back({s.column_int(0), s.column_text(1), s.column_text(2), s.column_text(3),
                       nlohmann::json::parse(s.column_text(4))});
    }
    return out;
}

}  // namespace dflab::scoring
