#include "engine/analyzers/file_type.hpp"

#include <algorithm>

#include "engine/analyzers/registry.hpp"
#include "engine/file_type.hpp"

namespace dflab::engine {

namespace {

class FileTypeInstance : public AnalyzerInstance {
  public:
    std::unique_ptr<Findings> finish(const EntryContent& c) override {
        auto f = std::make_unique<FileTypeFindings>();
        f->mime = detector_.mime_type(
            c.data.first(std::min(c.data.size(), FileTypeDetector::kHeadBytes)));
        f->extension_mismatch = name_extension_mismatch(c.entry.name, f->mime);
        return f;
    }

  private:
    FileTypeDetector detector_;
};

class FileTypeAnalyzer : public Analyzer {
  public:
    std::string_view name() const override { return "file_type"; }
    ContentNeed need() const override { return ContentNeed::Head; }
    std::unique_ptr<AnalyzerInstance> instance(const FileSystem&) const override {
        return std::make_unique<FileTypeInstance>();
    }
};

}  // namespace

void FileTypeFindings::columns(std::vector<SqlValue>& out) const {
    if (mime.empty())
        out.emplace_back(nullptr);
    else
        out.emplace_back(mime);
    out.emplace_back(static_cast<int64_t>(extension_mismatch));
}

AnalyzerRegistration file_type_registration() {
    return {
        .name = "file_type",
        .summary = "MIME type by signature, and extensions that lie about it",
        .columns = {{"mime", "TEXT", "MIME type of the content (libmagic's names)"},
                    {"extension_mismatch", "INTEGER",
                     "1 when the extension claims a type the content is not"}},
        .tables_sql = "",
        .indexes_sql = "",
        .counts = {{"extension_mismatches", "Extension mismatches",
                    "SELECT count(*) FROM files WHERE extension_mismatch = 1"}},
        .make = [](const AnalysisConfig& c) -> std::unique_ptr<Analyzer> {
            if (!c.file_type) return nullptr;
            return std::make_unique<FileTypeAnalyzer>();
        },
    };
}

}  // namespace dflab::engine
