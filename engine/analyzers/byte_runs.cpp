#include "engine/analyzers/byte_runs.hpp"

#include "engine/analyzers/registry.hpp"
#include "engine/error.hpp"
#include "engine/tsk_access.hpp"

namespace dflab::engine {

namespace {

class ByteRunInstance : public AnalyzerInstance {
  public:
    explicit ByteRunInstance(const FileSystem& fs) : reader_(fs) {}

    std::unique_ptr<Findings> finish(const EntryContent& c) override {
        if (!c.entry.has_metadata) return nullptr;
        auto f = std::make_unique<ByteRunFindings>();
        try {
            f->runs = reader_.runs(c.entry.address);
        } catch (const Error&) {
            // No metadata to read the runs from (it went away since the walk): the entry simply
            // has no recorded runs, as fiwalk prints none.
            tsk_error_reset();
            return nullptr;
        }
        if (f->runs.empty()) return nullptr;
        return f;
    }

  private:
    ByteRunReader reader_;
};

class ByteRunWriter : public FindingsWriter {
  public:
    explicit ByteRunWriter(Database& db) : insert_(db.prepare(kByteRunInsert)) {}
    void write(std::optional<int64_t> file_id, const Findings& findings) override {
        if (!file_id) return;
        write_byte_runs(insert_, *file_id, dynamic_cast<const ByteRunFindings&>(findings).runs);
    }

  private:
    Statement insert_;
};

class ByteRunAnalyzer : public Analyzer {
  public:
    std::string_view name() const override { return "byte_runs"; }
    ContentNeed need() const override { return ContentNeed::None; }
    std::unique_ptr<AnalyzerInstance> instance(const FileSystem& fs) const override {
        return std::make_unique<ByteRunInstance>(fs);
    }
    std::unique_ptr<FindingsWriter> writer(Database& db, int64_t, int) const override {
        return std::make_unique<ByteRunWriter>(db);
    }
};

}  // namespace

AnalyzerRegistration byte_runs_registration() {
    return {
        .name = "byte_runs",
        .summary = "where each entry's content lies in the image (runs, as fiwalk's DFXML)",
        .columns = {},
        .tables_sql = R"sql(
CREATE TABLE byte_runs (
    file_id      INTEGER NOT NULL REFERENCES files(id),
    seq          INTEGER NOT NULL,       -- 0, 1, ... in file order
    file_offset  INTEGER NOT NULL,       -- bytes from the start of the file (stream)
    image_offset INTEGER,                -- absolute byte offset in the image; NULL when not stored
    length       INTEGER NOT NULL,       -- bytes
    kind         TEXT NOT NULL           -- data, sparse, fill, uninitialized, resident, compressed
);
)sql",
        .indexes_sql = "CREATE INDEX byte_runs_file ON byte_runs(file_id, seq);\n",
        .counts = {},
        .make = [](const AnalysisConfig& c) -> std::unique_ptr<Analyzer> {
            if (!c.byte_runs) return nullptr;
            return std::make_unique<ByteRunAnalyzer>();
        },
    };
}

}  // namespace dflab::engine
