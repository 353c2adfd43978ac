#include "engine/analyzers/artifact_analyzer.hpp"

namespace dflab::engine {

namespace {

class ArtifactAnalyzer : public Analyzer {
  public:
    ArtifactAnalyzer(std::string name, ContentNeed need, MakeArtifactInstance make)
        : name_(std::move(name)), need_(need), make_(std::move(make)) {}
    std::string_view name() const override { return name_; }
    ContentNeed need() const override { return need_; }
    std::unique_ptr<AnalyzerInstance> instance(const FileSystem& fs) const override {
        return make_(fs);
    }
    std::unique_ptr<FindingsWriter> writer(Database& db, int64_t image_id, int) const override {
        return make_artifact_writer(db, image_id);
    }

  private:
    std::string name_;
    ContentNeed need_;
    MakeArtifactInstance make_;
};

}  // namespace

AnalyzerRegistration artifact_analyzer_registration(std::string name, std::string summary,
                                                    ContentNeed need, MakeArtifactInstance make) {
    AnalyzerRegistration r;
    r.name = name;
    r.summary = std::move(summary);
    // The table the registry analyzer declares too: the case schema creates it once. The
    // registry analyzer's `artifacts` count already counts every row.
    r.tables_sql = kArtifactsTableSql;
    r.indexes_sql = kArtifactsIndexesSql;
    r.make = [name, need,
              make = std::move(make)](const AnalysisConfig& c) -> std::unique_ptr<Analyzer> {
        if (!c.artifacts) return nullptr;
        return std::make_unique<ArtifactAnalyzer>(name, need, make);
    };
    return r;
}

std::unique_ptr<ArtifactFindings> artifact_findings_at(const Entry& entry) {
    auto f = std::make_unique<ArtifactFindings>();
    f->partition = entry.partition;
    f->inode = entry.inode;
    f->path = entry.path;
    f->allocated = entry.allocated;
    return f;
}

}  // namespace dflab::engine
