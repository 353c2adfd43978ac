#include "engine/analyzers/exif.hpp"

#include "common/utf8.hpp"
#include "engine/analyzers/artifact_analyzer.hpp"
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
        auto f = artifact_findings_at(c.entry);
        f->artifacts = read_exif_artifacts(*block, c.entry.path);
        return f;
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

std::optional<nlohmann::json> carved_exif(std::span<const std::byte> data,
                                          const std::string& name) {
    const std::optional<ExifBlock> block = find_exif_block(data);
    if (!block) return std::nullopt;
    auto artifacts = read_exif_artifacts(*block, name);
    if (artifacts.empty()) return std::nullopt;
    return std::move(artifacts.front().fields);
}

AnalyzerRegistration exif_registration() {
    return artifact_analyzer_registration(
        "exif",
        "Exif of JPEG photos (any file starting as a JPEG with an Exif segment): camera make "
        "and model, software, time taken (UTC when the photo gives its offset), GPS latitude, "
        "longitude and altitude, orientation, pixel size",
        ContentNeed::Head, [](const FileSystem& fs) -> std::unique_ptr<AnalyzerInstance> {
            (void)fs;
            return std::make_unique<ExifInstance>();
        });
}

}  // namespace dflab::engine
