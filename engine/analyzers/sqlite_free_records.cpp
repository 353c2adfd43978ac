// The SQLite free records analyzer: every SQLite file (by its header, whatever its name: a phone's
// mmssms.db, WhatsApp's msgstore.db, a browser's History) gives one `sqlite_free_record` artifact
// per deleted row still in its freeblocks or free pages (engine/sqlite_free_records.hpp). A
// database that cannot be read gives nothing here: the browser history and phone database
// analyzers, which look at the same files, report it as unreadable once.
#include "engine/sqlite_free_records.hpp"
#include "engine/analyzers/artifact_analyzer.hpp"
#include "engine/analyzers/registry.hpp"
#include "engine/android_databases.hpp"
#include "engine/untrusted_sqlite.hpp"

namespace dflab::engine {

namespace {

Artifact free_record_artifact(const FreeRecord& r) {
    Artifact a;
    a.kind = "sqlite_free_record";
    a.source = (r.table.empty() ? std::string("?") : r.table) + "/page " + std::to_string(r.page) +
               "+" + std::to_string(r.offset);
    a.fields = {{"table", r.table.empty() ? nlohmann::json() : nlohmann::json(r.table)},
                {"page", r.page},
                {"page_offset", r.offset},
                {"file_offset", r.file_offset},
                {"where", r.where},
                {"rowid", r.rowid ? nlohmann::json(*r.rowid) : nlohmann::json()},
                {"values", r.values}};
    return a;
}

class FreeRecordsInstance : public AnalyzerInstance {
  public:
    explicit FreeRecordsInstance(const FileSystem& fs) : fs_(fs) {}

    std::unique_ptr<Findings> finish(const EntryContent& c) override {
        if (!has_sqlite_header(c.data) || c.entry.size > kMaxAndroidDatabaseBytes) return nullptr;
        std::vector<Artifact> artifacts;
        try {
            std::vector<std::byte> bytes = whole_content(fs_, c);
            for (const auto& r : read_sqlite_free_records(bytes, c.entry.path))
                artifacts.push_back(free_record_artifact(r));
        } catch (const std::exception&) {
            return nullptr;  // reported by the analyzers that read the database's rows
        }
        if (artifacts.empty()) return nullptr;
        auto f = artifact_findings_at(c.entry);
        f->artifacts = std::move(artifacts);
        return f;
    }

  private:
    const FileSystem& fs_;
};

}  // namespace

AnalyzerRegistration sqlite_free_records_registration() {
    return artifact_analyzer_registration(
        "sqlite_free_records",
        "Deleted rows still in SQLite files (any database: phones' SMS and chats, browser "
        "histories): the freeblocks of each table's pages and the free pages, with table, page "
        "and offset",
        ContentNeed::Head, [](const FileSystem& fs) -> std::unique_ptr<AnalyzerInstance> {
            return std::make_unique<FreeRecordsInstance>(fs);
        });
}

}  // namespace dflab::engine
