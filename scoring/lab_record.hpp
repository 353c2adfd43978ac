#pragma once
// The lab record: one SQLite database per lab session (schema in scoring/lab_schema.hpp, docs in
// docs/lab-record.md) holding the answer key, participants, submissions, hints, reviews,
// possible-sharing flags and an append-only audit trail. Storage only: no grading here.
//
// WAL mode with synchronous=FULL: a write is durable once its transaction commits, and several
// instructor shells may use the record at once (writers wait up to busy_timeout).
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/sqlite.hpp"

namespace dflab::scoring {

// Where times come from; tests inject a fixed or stepping clock.
using Clock = std::function<std::chrono::system_clock::time_point()>;
Clock system_clock();
// The system clock, or the fixed time in the environment variable DFLAB_TIME (for tests, demos).
Clock clock_from_environment();
// "2026-11-28T02:41:38Z" (whole seconds, UTC).
std::string utc_iso(std::chrono::system_clock::time_point t);
// Parses utc_iso's form back; throws common::Error naming `text` otherwise.
std::chrono::system_clock::time_point parse_utc_iso(std::string_view text);

struct LabInfo {
    std::string pack, pack_version;
    std::string answer_key;  // JSON text
    std::string created, key_updated;
    int schema_version = 0;
};

struct ParticipantRow {
    std::string id, name;
    std::string team;  // "" without a team
    int variant = 0;
    std::string created;
};

struct SubmissionRow {
    int64_t id = 0;
    std::string participant, question;
    int variant = 0;
    std::string value;  // JSON text
    std::string normalised;
    std::string verdict;  // correct, partial, incorrect, pending_review
    double fraction = 0;
    double points = 0;
    std::string feedback;          // English
    std::string feedback_message;  // the feedback as message JSON; "" in rows from before
    int hints_used = 0;
    std::string time;
};

struct HintRow {
    std::string participant, question;
    int number = 0;
    double cost = 0;
    std::string time;
};

struct ReviewRow {
    int64_t id = 0;
    int64_t submission = 0;
    std::string reviewer;
    double points = 0;
    std::string comment, time;
};

struct SharingFlagRow {
    int64_t submission = 0;
    std::vector<int> other_variants;
    std::string time;
};

// A participant's access code to the lab portal, as stored: the public handle (the code's first
// four characters) and an argon2id hash of the whole code (scoring/access_codes.hpp).
struct AccessCodeRow {
    std::string participant, handle, hash, created;
};

struct AnnouncementRow {
    int64_t id = 0;
    std::string time, author, text;
};

struct AuditRow {
    int64_t id = 0;
    std::string time, action, subject;
    nlohmann::json detail;
};

class LabRecord {
  public:
    // Creates a lab record at `path`, which must not exist, written under a temporary name and
    // renamed when complete. `answer_key` is the key's JSON text.
    static void create(const std::filesystem::path& path, std::string_view pack,
                       std::string_view pack_version, std::string_view answer_key,
                       std::string_view time);

    // Opens an existing lab record; throws common::Error ("PATH: not a dflab lab record", ...).
    // A record of an older schema version is upgraded in one transaction (audit row
    // schema_upgrade); one of a newer version is refused.
    explicit LabRecord(const std::filesystem::path& path);
    ~LabRecord();
    LabRecord(const LabRecord&) = delete;
    LabRecord& operator=(const LabRecord&) = delete;

    const std::filesystem::path& path() const { return path_; }
    common::Database& database() { return db_; }  // for common::Transaction
    LabInfo info();
    void replace_key(std::string_view pack_version, std::string_view answer_key,
                     std::string_view time);

    void add_participant(const ParticipantRow& row);
    std::optional<ParticipantRow> participant(std::string_view id);
    std::vector<ParticipantRow> participants();  // by id
    int64_t count_participants();

    int64_t add_submission(const SubmissionRow& row);  // returns its id
    std::optional<SubmissionRow> submission(int64_t id);
    std::vector<SubmissionRow> submissions();  // every submission, by id
    std::vector<SubmissionRow> submissions_of(std::string_view participant,
                                              std::string_view question);
    std::vector<SubmissionRow> submissions_by(std::string_view participant);  // by id
    // Stores a regraded submission's normalised, verdict, fraction, points and feedback.
    void update_grade(const SubmissionRow& row);

    void add_hint(const HintRow& row);
    int hints_unlocked(std::string_view participant, std::string_view question);
    std::vector<HintRow> hints();
    std::vector<HintRow> hints_of(std::string_view participant);

    int64_t add_review(const ReviewRow& row);
    std::vector<ReviewRow> reviews();                                 // by id
    std::vector<ReviewRow> reviews_of(std::string_view participant);  // of their submissions, by id
    // The latest review of any of the participant's submissions to the question.
    std::optional<ReviewRow> latest_review(std::string_view participant, std::string_view question);

    void add_sharing_flag(const SharingFlagRow& row);
    void clear_sharing_flags();
    std::vector<SharingFlagRow> sharing_flags();
    std::vector<SharingFlagRow> sharing_flags_of(std::string_view participant);

    // Replaces every access code of the lab with `rows`, all or none (a savepoint: it joins the
    // caller's transaction when there is one). Throws common::Error on an unknown participant, a
    // handle used twice or a row that is not a code's (handle, hash).
    void set_access_codes(std::span<const AccessCodeRow> rows);
    std::optional<AccessCodeRow> access_code_by_handle(std::string_view handle);
    int64_t count_access_codes();

    int64_t add_announcement(std::string_view time, std::string_view author,
                             std::string_view text);  // returns its id
    std::vector<AnnouncementRow> announcements();     // newest first

    // Settings of the portal: scoreboard_visible ('0' or '1') and scoreboard_frozen ('' or a
    // utc_iso time). set_setting throws common::Error on any other name or value.
    std::optional<std::string> setting(std::string_view name);
    void set_setting(std::string_view name, std::string_view value);

    void append_audit(std::string_view time, std::string_view action, std::string_view subject,
                      const nlohmann::json& detail);
    std::vector<AuditRow> audit();

  private:
    std::filesystem::path path_;
    common::Database db_;
    struct Cached;  // prepared statements reused by the bulk paths (regrade)
    std::unique_ptr<Cached> cached_;
};

}  // namespace dflab::scoring
