#include "engine/analyzers/registry.hpp"

#include "engine/error.hpp"

namespace dflab::engine {

const std::vector<AnalyzerRegistration>& analyzer_registry() {
    static const std::vector<AnalyzerRegistration> registry = {
        hashes_registration(),
        file_type_registration(),
        yara_registration(),  // after file_type: rules see the `filetype` external
        keywords_registration(),
        byte_runs_registration(),
        windows_registry_registration(),
        shell_links_registration(),
        event_logs_registration(),
        prefetch_registration(),
        exif_registration(),
        browser_history_registration(),
        android_databases_registration(),
        android_settings_registration(),
        sqlite_free_records_registration(),
        recycle_bin_registration(),
        zone_identifier_registration(),
        timestamp_mismatch_registration(),
        carving_registration(),
    };
    return registry;
}

std::vector<std::unique_ptr<Analyzer>> make_analyzers(const AnalysisConfig& config) {
    std::vector<std::unique_ptr<Analyzer>> out;
    for (const auto& r : analyzer_registry())
        if (auto a = r.make(config)) out.push_back(std::move(a));
    return out;
}

const AnalyzerRegistration& registration_of(std::string_view name) {
    for (const auto& r : analyzer_registry())
        if (r.name == name) return r;
    throw Error("no analyzer named '" + std::string(name) + "'");
}

}  // namespace dflab::engine
