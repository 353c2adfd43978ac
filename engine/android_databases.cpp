#include "engine/android_databases.hpp"

#include <set>

#include "engine/error.hpp"
#include "engine/sqlite.hpp"
#include "engine/untrusted_sqlite.hpp"

namespace dflab::engine {

namespace {

constexpr int64_t kLatest = 253402300799;  // 9999-12-31 23:59:59 UTC

bool has_columns(sqlite3* db, const char* table, std::initializer_list<const char*> columns) {
    for (const char* column : columns)
        if (!sqlite_has_column(db, table, column)) return false;
    return true;
}

nlohmann::json text_or_null(const Statement& s, int i) {
    if (s.column_is_null(i)) return nullptr;
    return s.column_text(i);
}

nlohmann::json int_or_null(const Statement& s, int i) {
    if (s.column_is_null(i)) return nullptr;
    return s.column_int(i);
}

// Android's providers and WhatsApp store milliseconds since 1970; 0 means none.
std::optional<int64_t> from_unix_ms(int64_t ms) {
    if (ms <= 0 || ms / 1000 > kLatest) return std::nullopt;
    return ms / 1000;
}

std::string source_of(const char* table, int64_t row) {
    return std::string(table) + "/" + std::to_string(row);
}

// Telephony.TextBasedSmsColumns.MESSAGE_TYPE_*.
std::string sms_direction(int64_t type) {
    static constexpr const char* kTypes[] = {"all",    "incoming", "outgoing", "draft",
                                             "outbox", "failed",   "queued"};
    return type >= 0 && type <= 6 ? kTypes[type] : std::to_string(type);
}

// CallLog.Calls.*_TYPE.
std::string call_direction(int64_t type) {
    static constexpr const char* kTypes[] = {"",        "incoming",          "outgoing",
                                             "missed",  "voicemail",         "rejected",
                                             "blocked", "answered_elsewhere"};
    return type >= 1 && type <= 7 ? kTypes[type] : std::to_string(type);
}

void read_sms(sqlite3* db, std::vector<Artifact>& out) {
    const bool sent = has_columns(db, "sms", {"date_sent"});
    Statement s(db, std::string("SELECT _id, thread_id, address, date, ") +
                        (sent ? "date_sent" : "NULL") + ", type, read, body FROM sms ORDER BY _id");
    while (s.step()) {
        Artifact a;
        a.kind = "sms";
        a.source = source_of("sms", s.column_int(0));
        const std::string direction = sms_direction(s.column_int(5));
        a.time = from_unix_ms(s.column_int(3));
        if (a.time) a.time_kind = direction == "incoming" ? "received" : "sent";
        a.fields = {{"row", s.column_int(0)},        {"thread_id", int_or_null(s, 1)},
                    {"address", text_or_null(s, 2)}, {"direction", direction},
                    {"read", s.column_int(6) != 0},  {"body", text_or_null(s, 7)},
                    {"date_ms", int_or_null(s, 3)},  {"date_sent_ms", int_or_null(s, 4)}};
        out.push_back(std::move(a));
    }
}

void read_calls(sqlite3* db, std::vector<Artifact>& out) {
    const bool named = has_columns(db, "calls", {"name"});
    Statement s(db, std::string("SELECT _id, number, date, duration, type, ") +
                        (named ? "name" : "NULL") + " FROM calls ORDER BY _id");
    while (s.step()) {
        Artifact a;
        a.kind = "call";
        a.source = source_of("calls", s.column_int(0));
        a.time = from_unix_ms(s.column_int(2));
        if (a.time) a.time_kind = "call_started";
        a.fields = {{"row", s.column_int(0)},
                    {"number", text_or_null(s, 1)},
                    {"name", text_or_null(s, 5)},
                    {"direction", call_direction(s.column_int(4))},
                    {"duration_seconds", int_or_null(s, 3)},
                    {"date_ms", int_or_null(s, 2)}};
        out.push_back(std::move(a));
    }
}

// The values of one MIME type (phone_v2, email_v2) a raw contact has, in row order.
nlohmann::json contact_values(sqlite3* db, int64_t raw_contact, const char* mimetype) {
    Statement s(db,
                "SELECT d.data1 FROM data d JOIN mimetypes m ON m._id = d.mimetype_id "
                "WHERE d.raw_contact_id = ? AND m.mimetype = ? AND d.data1 IS NOT NULL "
                "ORDER BY d._id");
    s.bind(1, raw_contact).bind(2, mimetype);
    nlohmann::json values = nlohmann::json::array();
    while (s.step()) values.push_back(s.column_text(0));
    return values;
}

void read_contacts(sqlite3* db, std::vector<Artifact>& out) {
    const bool deleted = has_columns(db, "raw_contacts", {"deleted"});
    Statement s(db, std::string("SELECT r._id, r.display_name, ") + (deleted ? "r.deleted" : "0") +
                        ", (SELECT d.data1 FROM data d JOIN mimetypes m ON m._id = d.mimetype_id "
                        "WHERE d.raw_contact_id = r._id AND m.mimetype = "
                        "'vnd.android.cursor.item/name' ORDER BY d._id LIMIT 1) "
                        "FROM raw_contacts r ORDER BY r._id");
    while (s.step()) {
        const int64_t row = s.column_int(0);
        Artifact a;
        a.kind = "contact";
        a.source = source_of("raw_contacts", row);
        nlohmann::json name = text_or_null(s, 1);
        if (name.is_null()) name = text_or_null(s, 3);
        a.fields = {{"row", row},
                    {"name", name},
                    {"phones", contact_values(db, row, "vnd.android.cursor.item/phone_v2")},
                    {"emails", contact_values(db, row, "vnd.android.cursor.item/email_v2")},
                    {"deleted", s.column_int(2) != 0}};
        out.push_back(std::move(a));
    }
}

// One WhatsApp message from a row whose columns are, in order: _id, the chat's JID, from me,
// timestamp (ms), text, the group member who wrote it, the attachment's MIME type, name and
// size, the chat's subject; column 10, when `file_path` says so, is the attachment's path (its
// name when it has none).
Artifact whatsapp_message(const Statement& s, const char* table, bool file_path) {
    Artifact a;
    a.kind = "chat_message";
    a.source = source_of(table, s.column_int(0));
    const bool from_me = s.column_int(2) != 0;
    a.time = from_unix_ms(s.column_int(3));
    if (a.time) a.time_kind = from_me ? "sent" : "received";
    nlohmann::json sender = nullptr;
    if (!from_me) {
        sender = text_or_null(s, 5);
        if (!sender.is_string() || sender.get<std::string>().empty()) sender = text_or_null(s, 1);
    }
    nlohmann::json attachment = nullptr;
    if (!s.column_is_null(6) && !s.column_text(6).empty()) {
        nlohmann::json name = text_or_null(s, 7);
        if (name.is_null() && file_path && !s.column_is_null(10)) {
            const std::string path = s.column_text(10);
            name = path.substr(path.find_last_of('/') + 1);
        }
        attachment = {{"mime_type", s.column_text(6)}, {"name", name}, {"size", int_or_null(s, 8)}};
    }
    a.fields = {{"row", s.column_int(0)},
                {"app", "WhatsApp"},
                {"chat", text_or_null(s, 1)},
                {"chat_subject", text_or_null(s, 9)},
                {"direction", from_me ? "outgoing" : "incoming"},
                {"sender", sender},
                {"text", text_or_null(s, 4)},
                {"attachment", attachment},
                {"timestamp_ms", int_or_null(s, 3)}};
    return a;
}

// WhatsApp until 2022: table `messages`, the chats' names in `chat_list`.
void read_whatsapp(sqlite3* db, bool subjects, std::vector<Artifact>& out) {
    Statement s(db, std::string("SELECT m._id, m.key_remote_jid, m.key_from_me, m.timestamp, "
                                "m.data, m.remote_resource, m.media_mime_type, m.media_name, "
                                "m.media_size, ") +
                        (subjects ? "(SELECT c.subject FROM chat_list c "
                                    "WHERE c.key_remote_jid = m.key_remote_jid LIMIT 1)"
                                  : "NULL") +
                        " FROM messages m WHERE m.key_remote_jid != '-1' ORDER BY m._id");
    while (s.step()) out.push_back(whatsapp_message(s, "messages", false));
}

// WhatsApp since 2022 (msgstore.db migrated to the "message" table): chats and senders are rows
// of `jid` (raw_string "77011234567@s.whatsapp.net", "...@g.us"), a message names its chat
// (chat_row_id -> chat.jid_row_id) and, in a group, its sender (sender_jid_row_id; 0 in a chat
// with one person); text_data is the text or a picture's caption; message_media the attachment.
void read_whatsapp_jids(sqlite3* db, bool media, std::vector<Artifact>& out) {
    Statement s(db, std::string("SELECT m._id, cj.raw_string, m.from_me, m.timestamp, "
                                "m.text_data, sj.raw_string, ") +
                        (media ? "mm.mime_type, mm.media_name, mm.file_size" : "NULL, NULL, NULL") +
                        ", c.subject, " + (media ? "mm.file_path" : "NULL") +
                        " FROM message m "
                        "LEFT JOIN chat c ON c._id = m.chat_row_id "
                        "LEFT JOIN jid cj ON cj._id = c.jid_row_id "
                        "LEFT JOIN jid sj ON sj._id = m.sender_jid_row_id AND "
                        "m.sender_jid_row_id > 0 " +
                        (media ? "LEFT JOIN message_media mm ON mm.message_row_id = m._id " : "") +
                        "WHERE m.chat_row_id != -1 ORDER BY m._id");
    while (s.step()) out.push_back(whatsapp_message(s, "message", true));
}

}  // namespace

std::vector<Artifact> read_android_artifacts(std::span<std::byte> bytes, const std::string& name) {
    check_sqlite_header(bytes, name);
    const UntrustedSqlite db(bytes, name);
    std::vector<Artifact> out;
    try {
        const std::set<std::string> tables = sqlite_table_names(db.get());
        const bool sms = tables.count("sms") && has_columns(db.get(), "sms",
                                                            {"_id", "address", "date", "type",
                                                             "read", "body", "thread_id"});
        const bool calls =
            tables.count("calls") &&
            has_columns(db.get(), "calls", {"_id", "number", "date", "duration", "type"});
        const bool contacts =
            tables.count("raw_contacts") && tables.count("data") && tables.count("mimetypes") &&
            has_columns(db.get(), "raw_contacts", {"_id", "display_name"}) &&
            has_columns(db.get(), "data", {"_id", "raw_contact_id", "mimetype_id", "data1"}) &&
            has_columns(db.get(), "mimetypes", {"_id", "mimetype"});
        const bool whatsapp =
            tables.count("messages") &&
            has_columns(db.get(), "messages",
                        {"_id", "key_remote_jid", "key_from_me", "timestamp", "data",
                         "remote_resource", "media_mime_type", "media_name", "media_size"});
        const bool whatsapp_jids =
            tables.count("message") && tables.count("chat") && tables.count("jid") &&
            has_columns(
                db.get(), "message",
                {"_id", "chat_row_id", "from_me", "sender_jid_row_id", "timestamp", "text_data"}) &&
            has_columns(db.get(), "chat", {"_id", "jid_row_id", "subject"}) &&
            has_columns(db.get(), "jid", {"_id", "raw_string"});
        if (!sms && !calls && !contacts && !whatsapp && !whatsapp_jids) return {};
        if (const std::string complaint = db.quick_check(); !complaint.empty())
            throw Error("SQLite's quick check fails: " + complaint);
        if (sms) read_sms(db.get(), out);
        if (calls) read_calls(db.get(), out);
        if (contacts) read_contacts(db.get(), out);
        if (whatsapp)
            read_whatsapp(db.get(),
                          tables.count("chat_list") &&
                              has_columns(db.get(), "chat_list", {"key_remote_jid", "subject"}),
                          out);
        if (whatsapp_jids)
            read_whatsapp_jids(db.get(),
                               tables.count("message_media") &&
                                   has_columns(db.get(), "message_media",
                                               {"message_row_id", "mime_type", "media_name",
                                                "file_size", "file_path"}),
                               out);
    } catch (const std::exception& e) {
        if (db.budget_spent())
            throw Error(name + ": reading the phone database exceeds SQLite's work budget (" +
                        std::to_string(kSqliteWorkBudget) + " steps)");
        throw Error(name + ": " + common::one_line(e.what()));
    }
    return out;
}

}  // namespace dflab::engine
