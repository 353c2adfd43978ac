// The carving analyzer (`analyze --carve`): the carver (engine/carving/) over each partition's
// unallocated space, inside the analysis. It uses scan_region for the scheduling (the scan's
// windows, spread over the workers) and report_end for de-duplication: a window carves the
// headers that start in [start, report_end). The window's bytes are not enough (a file may run
// far past the window), so each instance opens its own image handle and unallocated map and the
// carver reads each candidate from there, up to its type's maximum. Rows go to carved_files;
// the bytes are not stored (dflab carve writes them). A carved JPEG's Exif is read as the exif
// analyzer reads a file's (engine/analyzers/exif.hpp) and kept in the row as JSON.
#include <memory>
#include <optional>

#include <nlohmann/json.hpp>

#include "engine/analyzers/exif.hpp"
#include "engine/analyzers/registry.hpp"
#include "engine/carving/carver.hpp"
#include "engine/hashes.hpp"

namespace dflab::engine {

namespace {

struct CarvedRow {
    carving::CarvedFile file;
    std::string sha256, md5;
    std::optional<std::string> exif;  // JSON, for a JPEG with an Exif block
};

// A carved JPEG's Exif as JSON text; nothing for other types and for a JPEG without Exif.
std::optional<std::string> exif_text(const carving::CarvedFile& file,
                                     std::span<const std::byte> data) {
    if (file.type != "jpeg") return std::nullopt;
    auto fields = carved_exif(data, "carved file at offset " + std::to_string(file.image_offset));
    if (!fields) return std::nullopt;
    return fields->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

struct CarvedFindings : Findings {
    std::vector<CarvedRow> rows;
    size_t count() const override { return rows.size(); }
};

class CarvingInstance : public AnalyzerInstance {
  public:
    CarvingInstance(const FileSystem& fs, bool every_offset) : fs_(fs) {
        options_.every_offset = every_offset;
    }

    std::unique_ptr<Findings> finish(const EntryContent&) override { return nullptr; }

    std::unique_ptr<Findings> scan_region(std::span<const std::byte>, const Region& r) override {
        if (!source_) {
            evidence_.emplace(Evidence::open({fs_.image_name()}));
            source_.emplace(*evidence_, UnallocatedSpace::map(fs_));
        }
        auto f = std::make_unique<CarvedFindings>();
        carving::carve(*source_, r.start, r.report_end, options_,
                       [&](const carving::CarvedFile& file, std::span<const std::byte> data) {
                           const auto d = hash_bytes(data, kSha256 | kMd5);
                           f->rows.push_back({file, d.sha256, d.md5, exif_text(file, data)});
                       });
        if (f->rows.empty()) return nullptr;
        return f;
    }

  private:
    const FileSystem& fs_;
    carving::CarveOptions options_;
    std::optional<Evidence> evidence_;
    std::optional<carving::UnallocatedSource> source_;
};

class CarvingWriter : public FindingsWriter {
  public:
    CarvingWriter(Database& db, int64_t image_id, int partition)
        : image_id_(image_id),
          partition_(partition),
          insert_(db.prepare("INSERT INTO carved_files(image_id, partition, image_offset, length, "
                             "type, subtype, sha256, md5, fragments, validation, exif) VALUES "
                             "(?,?,?,?,?,?,?,?,?,?,?)")) {}

    void write(std::optional<int64_t>, const Findings& findings) override {
        for (const auto& r : dynamic_cast<const CarvedFindings&>(findings).rows) {
            nlohmann::json fragments = nlohmann::json::array();
            for (const auto& e : r.file.fragments)
                fragments.push_back({{"offset", e.image_offset}, {"length", e.length}});
            insert_.bind(1, image_id_)
                .bind(2, static_cast<int64_t>(partition_))
                .bind(3, static_cast<int64_t>(r.file.image_offset))
                .bind(4, static_cast<int64_t>(r.file.length))
                .bind(5, std::string_view(r.file.type))
                .bind(6, std::string_view(r.file.subtype))
                .bind(7, std::string_view(r.sha256))
                .bind(8, std::string_view(r.md5))
                .bind(9, fragments.dump())
                .bind(10, std::string_view(r.file.validation))
                .bind(11, r.exif);
            insert_.run();
        }
    }

  private:
    int64_t image_id_;
    int partition_;
    Statement insert_;
};

class CarvingAnalyzer : public Analyzer {
  public:
    explicit CarvingAnalyzer(bool every_offset) : every_offset_(every_offset) {}
    std::string_view name() const override { return "carving"; }
    ContentNeed need() const override { return ContentNeed::None; }
    bool scans_unallocated() const override { return true; }
    std::unique_ptr<AnalyzerInstance> instance(const FileSystem& fs) const override {
        return std::make_unique<CarvingInstance>(fs, every_offset_);
    }
    std::unique_ptr<FindingsWriter> writer(Database& db, int64_t image_id,
                                           int partition) const override {
        return std::make_unique<CarvingWriter>(db, image_id, partition);
    }

  private:
    bool every_offset_;
};

}  // namespace

AnalyzerRegistration carving_registration() {
    return {
        .name = "carving",
        .summary = "Files carved from unallocated space by their structure (analyze --carve)",
        .columns = {},
        .tables_sql = R"sql(
CREATE TABLE carved_files (
    id           INTEGER PRIMARY KEY,
    image_id     INTEGER NOT NULL REFERENCES images(id),
    partition    INTEGER NOT NULL,
    image_offset INTEGER NOT NULL,   -- image byte offset of the first byte
    length       INTEGER NOT NULL,
    type         TEXT NOT NULL,      -- jpeg, png, pdf, zip, sqlite
    subtype      TEXT NOT NULL,      -- zip: docx, xlsx, pptx, ooxml; else ''
    sha256       TEXT NOT NULL,
    md5          TEXT NOT NULL,
    fragments    TEXT NOT NULL,      -- JSON [{"offset": image offset, "length": n}, ...]
    validation   TEXT NOT NULL,      -- what was checked (docs/carving.md)
    exif         TEXT                -- JSON: the exif artifact's fields of a JPEG; else NULL
);
)sql",
        .indexes_sql = "CREATE INDEX carved_files_sha256 ON carved_files(sha256);\n",
        .counts = {{"carved", "Carved files", "SELECT count(*) FROM carved_files"}},
        .make = [](const AnalysisConfig& c) -> std::unique_ptr<Analyzer> {
            if (!c.carve) return nullptr;
            return std::make_unique<CarvingAnalyzer>(c.carve_every_offset);
        },
    };
}

}  // namespace dflab::engine
