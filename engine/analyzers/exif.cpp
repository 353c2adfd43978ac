#include "engine/analyzers/exif.hpp"

#include "common/utf8.hpp"
#include "engine/analyzers/registry.hpp"
#include "engine/error.hpp"
#include "engine/file_type.hpp"
#include "engine/time_format.hpp"

namespace dflab::engine {

// The segment starts in the first kExifSearchBytes and holds at most 65535 bytes with its marker
// and length: the head the scan reads always holds it, so nothing more is read.
static_assert(kExifSearchBytes + 2 + 65535 <= FileTypeDetector::kHeadBytes);

namespace {

constexpr const char* kSource = "(exif)";

template <class T>
nlohmann::json optional_field(const std::optional<T>& v) {
    if (!v) return nullptr;
    return *v;
}

// Camera strings are ASCII by the standard, but whatever a file holds must not break JSON.
nlohmann::json text_field(const std::optional<std::string>& s) {
    if (!s) return nullptr;
    return common::to_display_utf8(*s);
}

Artifact exif_artifact(const ExifMetadata& m) {
    Artifact a;
    a.kind = "exif";
    a.source = kSource;
    // Only a time whose offset the photo states: the zone of a camera's clock is not guessed.
    a.time = m.taken_utc;
    if (a.time) a.time_kind = "taken";
    nlohmann::json& f = a.fields;
    f["make"] = text_field(m.make);
    f["model"] = text_field(m.model);
    f["software"] = text_field(m.software);
    f["taken"] = text_field(m.taken);
    f["offset_time"] = text_field(m.offset_time);
    f["taken_utc"] = m.taken_utc ? nlohmann::json(iso_utc(*m.taken_utc)) : nlohmann::json(nullptr);
    f["gps_latitude"] = optional_field(m.latitude);
    f["gps_longitude"] = optional_field(m.longitude);
    f["gps_altitude"] = optional_field(m.altitude);
    f["orientation"] = optional_field(m.orientation);
    f["width"] = optional_field(m.width);
    f["height"] = optional_field(m.height);
    return a;
}

class ExifInstance : public AnalyzerInstance {
  public:
    std::unique_ptr<Findings> finish(const EntryContent& c) override {
        const std::optional<ExifBlock> block = find_exif_block(c.data);
        if (!block) return nullptr;
        auto f = std::make_unique<ArtifactFindings>();
        f->partition = c.entry.partition;
        f->inode = c.entry.inode;
        f->path = c.entry.path;
        f->allocated = c.entry.allocated;
        f->artifacts = read_exif_artifacts(*block, c.entry.path);
        return f;
    }
};

class ExifAnalyzer : public Analyzer {
  public:
    std::string_view name() const override { return "exif"; }
    ContentNeed need() const override { return ContentNeed::Head; }
    std::unique_ptr<AnalyzerInstance> instance(const FileSystem&) const override {
        return std::make_unique<ExifInstance>();
    }
    std::unique_ptr<FindingsWriter> writer(Database& db, int64_t image_id, int) const override {
        return make_artifact_writer(db, image_id);
    }
};

}  // namespace

std::vector<Artifact> read_exif_artifacts(const ExifBlock& block, const std::string& name) {
    try {
        return {exif_artifact(read_exif(block, name))};
    } catch (const std::exception& e) {  // a damaged block, or no memory for libexif
        return {unreadable_artifact(kSource, common::one_line(e.what()))};
    }
}

AnalyzerRegistration exif_registration() {
    return {
        .name = "exif",
        .summary =
            "Exif of JPEG photos (any file starting as a JPEG with an Exif segment): camera make "
            "and model, software, time taken (UTC when the photo gives its offset), GPS latitude, "
            "longitude and altitude, orientation, pixel size",
        .columns = {},
        // The table the registry analyzer declares too: the case schema creates it once.
        .tables_sql = kArtifactsTableSql,
        .indexes_sql = kArtifactsIndexesSql,
        .counts = {},  // the registry analyzer's `artifacts` count already counts every row
        .make = [](const AnalysisConfig& c) -> std::unique_ptr<Analyzer> {
            if (!c.artifacts) return nullptr;
            return std::make_unique<ExifAnalyzer>();
        },
    };
}

}  // namespace dflab::engine
