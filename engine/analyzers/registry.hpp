#pragma once
// The list of analyzers: what each adds to the case (columns, tables, summary counts) and how it
// is made from the analysis configuration. Adding an analyzer is one file in this folder and one
// line in registry.cpp.
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/analyzer.hpp"
#include "engine/hashes.hpp"
#include "engine/keyword_search.hpp"
#include "engine/yara_rules.hpp"

namespace dflab::engine {

// What to analyse; each analyzer reads the part it needs.
struct AnalysisConfig {
    unsigned hashes = kAllHashes;  // HashSet bits; 0 for none
    bool file_type = true;
    const YaraRules* rules = nullptr;
    int yara_timeout = 60;  // seconds per file or window, as `yara --timeout`
    const KeywordSearcher* keywords = nullptr;
    bool byte_runs = false;  // where each entry lies in the image (analyze records them)
    bool artifacts =
        false;           // Windows artifacts (registry hives, shell links) into the artifacts table
    bool carve = false;  // the carver over unallocated space into carved_files (analyze --carve)
    bool carve_every_offset = false;  // headers at every byte offset, not sector starts only
};

struct AnalyzerRegistration {
    std::string name;
    std::string summary;               // one line: what it finds
    std::vector<ColumnDecl> columns;   // added to `files`, in this order
    std::string tables_sql;            // CREATE TABLE statements of its own tables, or ""
    std::string indexes_sql;           // CREATE INDEX statements, run when the case is complete
    std::vector<SummaryCount> counts;  // printed by analyze
    // The configured analyzer, or null when the configuration does not ask for it.
    std::function<std::unique_ptr<Analyzer>(const AnalysisConfig&)> make;
};

// Every analyzer, in the order they see each entry (later ones may read earlier findings).
const std::vector<AnalyzerRegistration>& analyzer_registry();

// The analyzers the configuration enables, in registry order.
std::vector<std::unique_ptr<Analyzer>> make_analyzers(const AnalysisConfig& config);

// The registration of an analyzer by name; throws Error for an unknown name.
const AnalyzerRegistration& registration_of(std::string_view name);

// Each analyzer's registration (one per file in this folder).
AnalyzerRegistration hashes_registration();
AnalyzerRegistration file_type_registration();
AnalyzerRegistration yara_registration();
AnalyzerRegistration keywords_registration();
AnalyzerRegistration byte_runs_registration();
AnalyzerRegistration windows_registry_registration();
AnalyzerRegistration shell_links_registration();
AnalyzerRegistration event_logs_registration();
AnalyzerRegistration exif_registration();
AnalyzerRegistration browser_history_registration();
AnalyzerRegistration android_databases_registration();
AnalyzerRegistration android_settings_registration();
AnalyzerRegistration sqlite_free_records_registration();
AnalyzerRegistration recycle_bin_registration();
AnalyzerRegistration zone_identifier_registration();
AnalyzerRegistration timestamp_mismatch_registration();
AnalyzerRegistration prefetch_registration();
AnalyzerRegistration carving_registration();

}  // namespace dflab::engine
