#pragma once
// Reading an Android phone's own databases from memory, as the apps write them: SMS (the
// telephony provider's mmssms.db, table `sms`), calls (calllog.db or, before Android 7,
// contacts2.db, table `calls`), contacts (contacts2.db: raw_contacts, data, mimetypes) and
// WhatsApp chats (msgstore.db: the `messages` and `chat_list` tables of WhatsApp's schema before
// 2022, and the `message`, `chat`, `jid` and `message_media` tables it migrated to). A database is
// recognised by its tables and columns, not by its name, so a copy pulled off the phone under any
// name is read the same. Opened read-only through engine/untrusted_sqlite.hpp. The artifacts are
// `sms`, `call`, `contact` and `chat_message` (docs/artifacts.md); each names its table and row in
// `source` ("sms/12").
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "engine/artifact.hpp"

namespace dflab::engine {

// The largest phone database read (a busy WhatsApp msgstore.db is hundreds of MiB; the
// telephony and contacts databases are a few).
inline constexpr uint64_t kMaxAndroidDatabaseBytes = 512ull * 1024 * 1024;

// The artifacts of the SQLite database in `bytes` (a WAL-mode header is read as a rollback one,
// changing the bytes), in table order and then by row; empty for a database that holds none of
// the tables above. Throws Error naming `name` when the file is damaged or a recognised table
// cannot be read.
std::vector<Artifact> read_android_artifacts(std::span<std::byte> bytes, const std::string& name);

}  // namespace dflab::engine
