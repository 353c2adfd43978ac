#include "engine/analyzers/timestamp_mismatch.hpp"

#include "common/utf8.hpp"
#include "engine/analyzers/artifact_analyzer.hpp"
#include "engine/time_format.hpp"

namespace dflab::engine {

namespace {

constexpr const char* kSource = "($STANDARD_INFORMATION, $FILE_NAME)";

nlohmann::json time_field(const std::optional<int64_t>& t) {
    if (!t) return nullptr;
    return iso_utc(*t);
}

bool earlier(const std::optional<int64_t>& a, const std::optional<int64_t>& b) {
    return a && b && *a < *b;
}

class TimestampMismatchInstance : public AnalyzerInstance {
  public:
    std::unique_ptr<Findings> finish(const EntryContent& c) override {
        std::optional<Artifact> a = timestamp_mismatch_artifact(c.entry);
        if (!a) return nullptr;
        auto f = artifact_findings_at(c.entry);
        f->artifacts.push_back(std::move(*a));
        return f;
    }
};

}  // namespace

std::vector<std::string> timestamp_mismatch_reasons(const Entry& e) {
    // A stream shares its file's times (the file's own entry reports them once); a reallocated
    // name's metadata is another file's.
    if (!e.file_name || e.reallocated || e.name.find(':') != std::string::npos) return {};
    std::vector<std::string> reasons;
    if (earlier(e.crtime, e.file_name->crtime)) reasons.push_back("si_created_before_fn_created");
    if (earlier(e.mtime, e.file_name->crtime)) reasons.push_back("si_modified_before_fn_created");
    return reasons;
}

std::optional<Artifact> timestamp_mismatch_artifact(const Entry& e) {
    std::vector<std::string> reasons = timestamp_mismatch_reasons(e);
    if (reasons.empty()) return std::nullopt;
    const FileNameTimes& fn = *e.file_name;
    Artifact a;
    a.kind = "time_mismatch";
    a.source = kSource;
    a.time = fn.crtime;  // when the name was made: the time the tool could not change
    if (a.time) a.time_kind = "fn_created";
    nlohmann::json& f = a.fields;
    f["path"] = common::to_display_utf8(e.path);
    f["si_created"] = time_field(e.crtime);
    f["si_modified"] = time_field(e.mtime);
    f["si_accessed"] = time_field(e.atime);
    f["si_changed"] = time_field(e.ctime);
    f["fn_created"] = time_field(fn.crtime);
    f["fn_modified"] = time_field(fn.mtime);
    f["fn_accessed"] = time_field(fn.atime);
    f["fn_changed"] = time_field(fn.ctime);
    f["reasons"] = std::move(reasons);
    return a;
}

AnalyzerRegistration timestamp_mismatch_registration() {
    return artifact_analyzer_registration(
        "timestamp_mismatch",
        "NTFS timestomping: files whose $STANDARD_INFORMATION created or modified time is "
        "earlier than their $FILE_NAME created time",
        ContentNeed::None,
        [](const FileSystem&) { return std::make_unique<TimestampMismatchInstance>(); });
}

}  // namespace dflab::engine
