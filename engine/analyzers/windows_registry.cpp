#include "engine/analyzers/windows_registry.hpp"

#include <algorithm>
#include <cstring>

#include "engine/analyzers/registry.hpp"
#include "engine/error.hpp"
#include "engine/registry_artifacts.hpp"
#include "engine/tsk_access.hpp"

namespace dflab::engine {

namespace {

// "regf" and major version 1 (the only one Windows has written, NT 3.1 to 11): a text that happens
// to begin with the word is not taken for a damaged hive.
bool has_hive_signature(std::span<const std::byte> head) {
    if (head.size() < 0x18 || std::memcmp(head.data(), "regf", 4) != 0) return false;
    uint32_t major = 0;
    for (size_t i = 0; i < 4; ++i) major |= std::to_integer<uint32_t>(head[0x14 + i]) << (8 * i);
    return major == 1;
}

class RegistryInstance : public AnalyzerInstance {
  public:
    explicit RegistryInstance(const FileSystem& fs) : fs_(fs) {}

    std::unique_ptr<Findings> finish(const EntryContent& c) override {
        if (!has_hive_signature(c.data)) return nullptr;
        return read_artifact_file(fs_, c, kMaxHiveBytes, "hive", "(hive)",
                                  [](std::vector<std::byte> bytes, const std::string& path) {
                                      return read_registry_artifacts(std::move(bytes), path);
                                  });
    }

  private:
    const FileSystem& fs_;
};

class RegistryAnalyzer : public Analyzer {
  public:
    std::string_view name() const override { return "registry"; }
    ContentNeed need() const override { return ContentNeed::Head; }
    std::unique_ptr<AnalyzerInstance> instance(const FileSystem& fs) const override {
        return std::make_unique<RegistryInstance>(fs);
    }
    std::unique_ptr<FindingsWriter> writer(Database& db, int64_t image_id, int) const override {
        return make_artifact_writer(db, image_id);
    }
};

}  // namespace

AnalyzerRegistration windows_registry_registration() {
    return {
        .name = "registry",
        .summary =
            "Windows registry hives (any file starting with \"regf\"): computer name, time "
            "zone, USB devices, programs run, recent documents, typed paths, Run dialog, "
            "searches, Run keys, network profiles, user accounts",
        .columns = {},
        .tables_sql = kArtifactsTableSql,
        .indexes_sql = kArtifactsIndexesSql,
        .counts = {{"artifacts", "Artifacts",
                    "SELECT count(*) FROM artifacts WHERE kind <> 'unreadable'"},
                   {"unreadable_artifacts", "Unreadable artifacts",
                    "SELECT count(*) FROM artifacts WHERE kind = 'unreadable'"}},
        .make = [](const AnalysisConfig& c) -> std::unique_ptr<Analyzer> {
            if (!c.artifacts) return nullptr;
            return std::make_unique<RegistryAnalyzer>();
        },
    };
}

}  // namespace dflab::engine
