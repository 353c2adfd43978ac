#pragma once
// Building a pack (`dflab pack build`): every image of every variant built from its recipe and
// analysed, every solution run on it and cross-checked with the truth, then two bundles written
// with a SHA-256 list each: OUT/participant (nothing that reveals an answer) and OUT/instructor
// (answer key, walkthroughs, truth manifests); with per_variant, OUT/participants/variant-K too.
// The bundles appear only when complete.
#include <filesystem>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "exercises/pack.hpp"
#include "exercises/solution.hpp"

namespace dflab::exercises {

// One of N pieces of a build (pack build --shard I/N): the variants V with V mod N = I.
struct ShardSpec {
    unsigned index = 0;  // 0 .. count-1 (a Slurm array task id, a Kubernetes completion index)
    unsigned count = 1;
};

struct PackBuildOptions {
    std::filesystem::path out;
    unsigned variants = 1;           // variants 0 .. variants-1
    bool overwrite = false;          // replace an existing OUT
    bool per_variant = false;        // also OUT/participants/variant-K/, one bundle per variant
    unsigned jobs = 1;               // variants built at once, each job in a process of its own
    std::optional<ShardSpec> shard;  // build only this shard's variants into OUT (a shard folder)
};

// Where a build's time went: seconds per stage, summed over variants (and jobs).
using StageTimes = std::map<std::string, double>;

// What the solutions derived: per variant, per question.
struct PackSolution {
    std::vector<unsigned> variants;
    std::map<unsigned, std::map<std::string, Solved>> solved;  // variant -> question id -> result
    std::map<unsigned, std::map<std::string, BuiltImage>> images;  // variant -> image id -> files
    StageTimes times;  // not part of any bundle: it differs from run to run
};

using PackLog = std::function<void(const std::string&)>;

// Builds the images of each variant into `work` (a scratch folder), analyses them and runs every
// solution. Throws (one line naming file, line and question) when a solution fails; with
// `failures`, every failing solution is added there instead (one line each, "variant K: " first
// when there are several) and the questions that failed are missing from the result.
PackSolution solve_pack(const Pack& pack, const std::filesystem::path& work,
                        const std::vector<unsigned>& variants, const PackLog& log = {},
                        std::vector<std::string>* failures = nullptr);

// The whole build: solve_pack (in options.jobs processes at once), then the bundles; with
// options.shard, the shard folder instead of the bundles. Throws on failure, leaving OUT
// untouched. Returns the stage times.
StageTimes build_pack(const Pack& pack, const PackBuildOptions& options, const PackLog& log = {});

// The bundles of a build made in shards (pack build --shard I/N for every I): the same bundles
// build_pack writes, byte for byte. The shards are read, not changed. options.variants and
// options.jobs are not used (the shards say how many variants there are).
void merge_pack(const Pack& pack, const std::vector<std::filesystem::path>& shards,
                const PackBuildOptions& options, const PackLog& log = {});

// OUT as an absolute folder whose parent exists; throws when OUT exists and `overwrite` is false.
std::filesystem::path checked_output_folder(const std::filesystem::path& out, bool overwrite);

// The answer key (docs/answer-key.md) of the solved pack.
nlohmann::json answer_key(const Pack& pack, const PackSolution& solution);

}  // namespace dflab::exercises
