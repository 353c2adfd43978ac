// The Android databases analyzer: every SQLite file holding a phone's SMS, calls, contacts or
// WhatsApp chats (engine/android_databases.hpp), whatever its name, gives one artifact per row;
// other SQLite databases give nothing; a damaged one is one `unreadable` artifact of that file.
#include "engine/android_databases.hpp"
#include "engine/analyzers/artifact_analyzer.hpp"
#include "engine/analyzers/registry.hpp"
#include "engine/sqlite.hpp"
#include "engine/untrusted_sqlite.hpp"

namespace dflab::engine {

namespace {

constexpr const char* kSource = "(phone database)";

// The names the phone's own apps give these databases.
bool phone_database_name(const std::string& path) {
    const std::string name = path.substr(path.find_last_of('/') + 1);
    for (const char* known : {"mmssms.db", "calllog.db", "contacts2.db", "msgstore.db"})
        if (name == known) return true;
    return false;
}

// A SQLite file whose header or schema cannot be read at all is reported as unreadable here
// only under a phone database's name; under any other name the browser history analyzer, which
// looks at every SQLite file too, already reports it, and one damaged file is one artifact.
std::vector<Artifact> read_if_phone_database(std::span<std::byte> bytes, const std::string& path) {
    if (!phone_database_name(path)) {
        try {
            check_sqlite_header(bytes, path);
            const UntrustedSqlite probe(bytes, path);
            Statement s(probe.get(), "SELECT count(*) FROM sqlite_master");
            s.step();
        } catch (const std::exception&) {
            return {};
        }
    }
    return read_android_artifacts(bytes, path);
}

class AndroidDatabasesInstance : public AnalyzerInstance {
  public:
    explicit AndroidDatabasesInstance(const FileSystem& fs) : fs_(fs) {}

    std::unique_ptr<Findings> finish(const EntryContent& c) override {
        if (!has_sqlite_header(c.data)) return nullptr;
        auto found = read_artifact_file(fs_, c, kMaxAndroidDatabaseBytes, "phone database", kSource,
                                        [](std::vector<std::byte> bytes, const std::string& path) {
                                            return read_if_phone_database(bytes, path);
                                        });
        if (found->artifacts.empty()) return nullptr;  // a database of something else
        return found;
    }

  private:
    const FileSystem& fs_;
};

}  // namespace

AnalyzerRegistration android_databases_registration() {
    return artifact_analyzer_registration(
        "android_databases",
        "Android phone databases (any SQLite file with the tables of mmssms.db, calllog.db, "
        "contacts2.db or WhatsApp's msgstore.db): every SMS, call, contact and chat message "
        "with its table and row",
        ContentNeed::Head, [](const FileSystem& fs) -> std::unique_ptr<AnalyzerInstance> {
            return std::make_unique<AndroidDatabasesInstance>(fs);
        });
}

}  // namespace dflab::engine
