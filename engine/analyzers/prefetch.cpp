#include "engine/analyzers/prefetch.hpp"

#include <algorithm>
#include <cstdio>

#include "common/windows_time.hpp"
#include "engine/analyzers/artifact_analyzer.hpp"
#include "engine/analyzers/registry.hpp"
#include "engine/analyzers/shell_links.hpp"
#include "engine/error.hpp"
#include "engine/prefetch_file.hpp"
#include "engine/time_format.hpp"

namespace dflab::engine {

namespace {

constexpr const char* kSource = "(prefetch)";

Artifact prefetch_artifact(const Prefetch& p) {
    Artifact a;
    a.kind = "prefetch";
    a.source = kSource;
    nlohmann::json runs = nlohmann::json::array();
    for (uint64_t filetime : p.last_run)
        if (const std::optional<int64_t> t = common::filetime_to_unix_checked(filetime)) {
            runs.push_back(iso_utc(*t));
            a.time = std::max(a.time.value_or(*t), *t);
        }
    if (a.time) a.time_kind = "last_run";
    nlohmann::json volumes = nlohmann::json::array();
    for (const PrefetchVolume& v : p.volumes) {
        const std::optional<int64_t> created = common::filetime_to_unix_checked(v.created);
        volumes.push_back(
            {{"path", v.device_path},
             {"serial", volume_serial_text(v.serial)},
             {"created", created ? nlohmann::json(iso_utc(*created)) : nlohmann::json(nullptr)}});
    }
    char hash[9];
    std::snprintf(hash, sizeof hash, "%08X", p.hash);
    nlohmann::json& f = a.fields;
    f["executable"] = p.executable;
    f["prefetch_hash"] = hash;
    f["format_version"] = p.format_version;
    f["run_count"] = p.run_count;
    f["last_run_times"] = std::move(runs);
    f["volumes"] = std::move(volumes);
    f["files_referenced"] = p.files;
    return a;
}

class PrefetchInstance : public AnalyzerInstance {
  public:
    explicit PrefetchInstance(const FileSystem& fs) : fs_(fs) {}

    std::unique_ptr<Findings> finish(const EntryContent& c) override {
        if (!has_prefetch_signature(c.data)) return nullptr;
        return read_artifact_file(fs_, c, kMaxPrefetchBytes, "prefetch file", kSource,
                                  [](std::vector<std::byte> bytes, const std::string& path) {
                                      return read_prefetch_artifacts(bytes, path);
                                  });
    }

  private:
    const FileSystem& fs_;
};

}  // namespace

std::vector<Artifact> read_prefetch_artifacts(std::span<const std::byte> bytes,
                                              const std::string& name) {
    try {
        return {prefetch_artifact(read_prefetch(bytes, name))};
    } catch (const std::exception& e) {  // libscca's error, or no memory for a damaged size
        return {unreadable_artifact(kSource, common::one_line(e.what()))};
    }
}

AnalyzerRegistration prefetch_registration() {
    return artifact_analyzer_registration(
        "prefetch",
        "Windows prefetch files (any file with the SCCA or MAM signature: "
        "Windows\\Prefetch\\*.pf): the program, its prefetch hash, run count and last run "
        "times, the volumes and the files it loaded",
        ContentNeed::Head, [](const FileSystem& fs) -> std::unique_ptr<AnalyzerInstance> {
            return std::make_unique<PrefetchInstance>(fs);
        });
}

}  // namespace dflab::engine
