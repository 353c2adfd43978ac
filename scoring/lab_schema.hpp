#pragma once
// The lab record schema (documented in docs/lab-record.md). Bump kLabSchemaVersion with every
// change to the tables below and say what changed in the docs. A lab record is recognised by its
// SQLite application_id (kLabApplicationId) and its schema version in user_version.
//
// Each version's SQL is kept as it was: a new record runs them all in order, and opening an older
// record runs the versions it lacks (scoring/lab_record.cpp), so both end up with the same tables.
#include <cstdint>
#include <iterator>
#include <string_view>

namespace dflab::scoring {

inline constexpr int kLabSchemaVersion = 3;
inline constexpr int32_t kLabApplicationId = 0x64666c62;  // "dflb"

// Version 1: the lab, participants, submissions, hints, reviews, sharing flags and the audit.
inline constexpr std::string_view kLabSchemaVersion1 = R"sql(
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

// Version 2: what the lab portal (dflab serve) needs. New audit actions: schema_upgrade,
// access_codes, announcement, scoreboard.
inline constexpr std::string_view kLabSchemaVersion2 = R"sql(
CREATE TABLE access_codes (
    participant TEXT PRIMARY KEY REFERENCES participants(id),
    handle      TEXT NOT NULL UNIQUE,    -- the code's first 4 characters, public: finds the row
    hash        TEXT NOT NULL,           -- argon2id of the whole normalised code (never the code)
    created     TEXT NOT NULL
);
CREATE TABLE announcements (
    id     INTEGER PRIMARY KEY,
    time   TEXT NOT NULL,
    author TEXT NOT NULL,
    text   TEXT NOT NULL
);
CREATE TABLE settings (
    name  TEXT PRIMARY KEY,              -- scoreboard_visible ('0' or '1'),
    value TEXT NOT NULL                  -- scoreboard_frozen ('' or the ISO 8601 UTC freeze time)
);
INSERT INTO settings (name, value) VALUES ('scoreboard_visible', '0'), ('scoreboard_frozen', '');
CREATE INDEX reviews_submission ON reviews(submission);
)sql";

// Version 3: the feedback as a message (JSON: {"key", "args"}, see common/message_value.hpp) so
// that the portal can show it in the participant's language; '' in rows stored before (their
// English `feedback` text is shown then).
inline constexpr std::string_view kLabSchemaVersion3 = R"sql(
ALTER TABLE submissions ADD COLUMN feedback_message TEXT NOT NULL DEFAULT '';
)sql";

// What each version adds, in order: kLabSchemaSteps[v - 1] makes version v.
inline constexpr std::string_view kLabSchemaSteps[] = {kLabSchemaVersion1, kLabSchemaVersion2,
                                                       kLabSchemaVersion3};
static_assert(std::size(kLabSchemaSteps) == kLabSchemaVersion);

}  // namespace dflab::scoring
