#pragma once
// analyze: everything the engine finds in one image, into one case database. The case is written
// under a temporary name beside the output and renamed only when complete, so a crash never
// leaves a half-written case that looks whole. Each partition is parsed in its own supervised
// child: a parser crash there is recorded in the case's errors table and the rest goes on.
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/file_system.hpp"
#include "engine/keyword_search.hpp"
#include "engine/supervisor.hpp"
#include "engine/yara_rules.hpp"

namespace dflab::engine {

struct AnalyzeOptions {
    std::vector<std::string> image;        // the segments of one image
    std::optional<uint64_t> offset;        // --offset SECTOR: one file system there, no table
    std::vector<std::string> rules;        // YARA rule files and folders
    std::vector<YaraDefine> yara_defines;  // --define NAME=VALUE: externals for every item
    int yara_timeout = 60;                 // seconds per file or window of unallocated space
    std::vector<KeywordTerm> keywords;
    bool unallocated = true;          // scan unallocated space with rules and keywords
    bool carve = false;               // carve unallocated space (carved_files)
    bool carve_every_offset = false;  // the carver looks at every offset, not sector starts only
    unsigned workers = 0;             // 0: one per core
    std::string output;               // CASE.sqlite
    bool overwrite = false;
    FatZones fat_zones;  // the zones FAT local times are read in (case_info and partitions)
};

struct AnalyzeSummary {
    struct Count {
        std::string key;    // "files", "deleted", then each analyzer's ("hashed", ...)
        std::string label;  // "Entries", "Deleted", "Hashed", ...
        int64_t value = 0;
    };
    std::vector<Count> counts;  // entries, deleted, then the registry's counts in its order
    int64_t count(std::string_view key) const;  // 0 when there is no such count
    std::vector<std::string> errors;            // partitions that failed (recorded in the case too)
    std::map<int, std::string> fat_zones;  // FAT partitions: index -> zone their times were read in
};

AnalyzeSummary analyze(const AnalyzeOptions& options, const SupervisorLimits& limits,
                       const std::function<void(const Progress&)>& on_progress = {});

}  // namespace dflab::engine
