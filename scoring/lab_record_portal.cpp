// The lab record's tables for the lab portal (schema version 2): access codes, announcements and
// settings. Part of LabRecord (scoring/lab_record.hpp); the rest is in lab_record.cpp.
#include <set>

#include "common/error.hpp"
#include "scoring/lab_record.hpp"

namespace dflab::scoring {

using common::Error;
using common::Statement;

namespace {

// A savepoint that rolls back unless released: all or none, inside a caller's transaction or not.
class Savepoint {
  public:
    explicit Savepoint(common::Database& db) : db_(db) { db_.exec("SAVEPOINT dflab_change"); }
    ~Savepoint() {
        if (!done_) {
            sqlite3_exec(db_.get(), "ROLLBACK TO dflab_change; RELEASE dflab_change", nullptr,
                         nullptr, nullptr);
        }
    }
    Savepoint(const Savepoint&) = delete;
    Savepoint& operator=(const Savepoint&) = delete;
    void release() {
        db_.exec("RELEASE dflab_change");
        done_ = true;
    }

  private:
    common::Database& db_;
    bool done_ = false;
};

bool code_handle_like(std::string_view handle) {
    constexpr std::string_view alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    return handle.size() == 4 && handle.find_first_not_of(alphabet) == std::string_view::npos;
}

}  // namespace

void LabRecord::set_access_codes(std::span<const AccessCodeRow> rows) {
    const std::string name = path_.string();
    std::set<std::string> handles;
    for (const auto& r : rows) {
        const std::string what = name + ": access code of " + r.participant;
        if (!code_handle_like(r.handle)) throw Error(what + ": '" + r.handle + "' is not a handle");
        if (!r.hash.starts_with("$argon2id$")) throw Error(what + ": not an argon2id hash");
        if (!handles.insert(r.handle).second) throw Error(what + ": handle " + r.handle + " twice");
        if (!participant(r.participant)) throw Error(what + ": no such participant");
    }
    Savepoint savepoint(db_);
    db_.exec("DELETE FROM access_codes");
    Statement insert = db_.prepare(
        "INSERT INTO access_codes (participant, handle, hash, created) VALUES (?, ?, ?, ?)");
    for (const auto& r : rows) {
        insert.bind(1, r.participant).bind(2, r.handle).bind(3, r.hash).bind(4, r.created).run();
    }
    savepoint.release();
}

std::optional<AccessCodeRow> LabRecord::access_code_by_handle(std::string_view handle) {
    Statement s =
        db_.prepare("SELECT participant, handle, hash, created FROM access_codes WHERE handle = ?");
    s.bind(1, handle);
    if (!s.step()) return std::nullopt;
    return AccessCodeRow{s.column_text(0), s.column_text(1), s.column_text(2), s.column_text(3)};
}

int64_t LabRecord::count_access_codes() {
    Statement s = db_.prepare("SELECT count(*) FROM access_codes");
    s.step();
    return s.column_int(0);
}

int64_t LabRecord::add_announcement(std::string_view time, std::string_view author,
                                    std::string_view text) {
    if (text.empty()) throw Error(path_.string() + ": an announcement needs text");
    db_.prepare("INSERT INTO announcements (time, author, text) VALUES (?, ?, ?)")
        .bind(1, time)
        .bind(2, author)
        .bind(3, text)
        .run();
    return db_.last_insert_id();
}

std::vector<AnnouncementRow> LabRecord::announcements() {
    Statement s =
        db_.prepare("SELECT id, time, author, text FROM announcements ORDER BY time DESC, id DESC");
    std::vector<AnnouncementRow> out;
    while (s.step()) {
        out.push_back({s.column_int(0), s.column_text(1), s.column_text(2), s.column_text(3)});
    }
    return out;
}

std::optional<std::string> LabRecord::setting(std::string_view name) {
    Statement s = db_.prepare("SELECT value FROM settings WHERE name = ?");
    s.bind(1, name);
    if (!s.step()) return std::nullopt;
    return s.column_text(0);
}

void LabRecord::set_setting(std::string_view name, std::string_view value) {
    const std::string what = path_.string() + ": setting " + std::string(name);
    if (name == "scoreboard_visible") {
        if (value != "0" && value != "1")
            throw Error(what + ": give 0 or 1, not '" + std::string(value) + "'");
    } else if (name == "scoreboard_frozen") {
        if (!value.empty()) {
            try {
                parse_utc_iso(value);
            } catch (const Error& e) {
                throw Error(what + ": " + e.what());
            }
        }
    } else {
        throw Error(what + ": no such setting (scoreboard_visible, scoreboard_frozen)");
    }
    db_.prepare("INSERT OR REPLACE INTO settings (name, value) VALUES (?, ?)")
        .bind(1, name)
        .bind(2, value)
        .run();
}

}  // namespace dflab::scoring
