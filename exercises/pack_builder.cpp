#include "exercises/pack_builder.hpp"

#include <algorithm>
#include <chrono>
#include <fstream>

#include "common/error.hpp"
#include "common/input_file.hpp"
#include "engine/analyze.hpp"
#include "engine/parallel_processes.hpp"
#include "exercises/bundle_writer.hpp"
#include "exercises/pack_shards.hpp"
#include "images/disk_builder.hpp"
#include "images/recipe_parser.hpp"
#include "images/temp_folder.hpp"

namespace dflab::exercises {

namespace fs = std::filesystem;

namespace {

// The image participants get: E01 if the pack hands out E01, else raw, else split.
std::vector<std::string> participant_segments(const PackImage& image,
                                              const images::BuildResult& built) {
    auto has = [&](const char* f) {
        return std::find(image.formats.begin(), image.formats.end(), f) != image.formats.end();
    };
    std::vector<fs::path> files = has("e01")   ? built.e01
                                  : has("raw") ? std::vector{built.raw}
                                               : built.split;
    std::vector<std::string> out;
    for (auto& f : files) out.push_back(f.string());
    return out;
}

// Charges the time since the last call to the stage that was running.
class StageClock {
  public:
    explicit StageClock(StageTimes& times) : times_(times) {}
    void now_in(const std::string& stage) {
        const auto t = std::chrono::steady_clock::now();
        if (!stage_.empty()) times_[stage_] += std::chrono::duration<double>(t - since_).count();
        stage_ = stage;
        since_ = t;
    }

  private:
    StageTimes& times_;
    std::string stage_;
    std::chrono::steady_clock::time_point since_;
};

BuiltImage build_one(const Pack& pack, const PackImage& image, unsigned variant,
                     const fs::path& folder, const PackLog& log, StageTimes& times) {
    StageClock clock(times);
    clock.now_in("image: reading the recipe");
    images::Recipe recipe = images::parse_recipe(image.recipe.string(), {variant});
    images::BuildOptions options;
    options.out_dir = folder;
    options.raw = true;
    auto has = [&](const char* f) {
        return std::find(image.formats.begin(), image.formats.end(), f) != image.formats.end();
    };
    options.e01 = has("e01");
    options.split = has("split");
    options.split_size = 16ull << 20;
    if (log) log("variant " + std::to_string(variant) + ": building image " + image.id);
    images::BuildResult built = images::build_image(
        recipe, options, [&](const images::BuildProgress& p) { clock.now_in("image: " + p.step); });
    BuiltImage out;
    out.segments = participant_segments(image, built);
    out.truth = built.truth;
    out.case_db = folder / (image.id + ".case.sqlite");
    out.fat_zone = image.fat_zone;
    out.carved = image.carve;
    if (log) log("variant " + std::to_string(variant) + ": analysing image " + image.id);
    clock.now_in("analysis");
    engine::AnalyzeOptions analyze;
    analyze.image = out.segments;
    for (auto& r : pack.rules) analyze.rules.push_back(r.string());
    analyze.keywords = search_terms(pack.questions);
    analyze.output = out.case_db.string();
    analyze.overwrite = true;
    analyze.fat_zones.all = image.fat_zone;
    analyze.carve = image.carve;
    analyze.carve_every_offset = image.carve_every_offset;
    engine::AnalyzeSummary summary = engine::analyze(analyze, engine::default_limits());
    if (!summary.errors.empty())
        throw common::Error(image.recipe.string() + ": the built image " + image.id +
                            " could not be analysed completely: " + summary.errors.front());
    clock.now_in("");
    return out;
}

}  // namespace

PackSolution solve_pack(const Pack& pack, const fs::path& work,
                        const std::vector<unsigned>& variants, const PackLog& log,
                        std::vector<std::string>* failures) {
    PackSolution solution;
    for (unsigned v : variants) {
        solution.variants.push_back(v);
        SolveEnvironment env;
        env.first_image = pack.images.front().id;
        for (auto& image : pack.images) {
            fs::path folder = work / ("variant-" + std::to_string(v)) / image.id;
            fs::create_directories(folder);
            env.images[image.id] = build_one(pack, image, v, folder, log, solution.times);
        }
        StageClock clock(solution.times);
        clock.now_in("solutions");
        for (auto& q : pack.questions) {
            if (q.type == "free_text" && q.solution.empty()) {
                solution.solved[v][q.id] = Solved{nullptr, {}};
                continue;
            }
            if (!failures) {
                solution.solved[v][q.id] = solve(q, env);
                continue;
            }
            try {
                solution.solved[v][q.id] = solve(q, env);
            } catch (const SolutionError& e) {
                failures->push_back(
                    (variants.size() > 1 ? "variant " + std::to_string(v) + ": " : std::string()) +
                    e.what());
            }
        }
        solution.images[v] = env.images;
        clock.now_in("");
    }
    return solution;
}

nlohmann::json answer_key(const Pack& pack, const PackSolution& solution) {
    nlohmann::json key = {{"format", "dflab-answer-key"},
                          {"format_version", 1},
                          {"pack", pack.id},
                          {"pack_version", pack.version},
                          {"date_order", pack.date_order},
                          {"variants", solution.variants}};
    nlohmann::json questions = nlohmann::json::array();
    for (auto& q : pack.questions) {
        nlohmann::json answers = nlohmann::json::object();
        for (unsigned v : solution.variants)
            answers[std::to_string(v)] = solution.solved.at(v).at(q.id).answer;
        // The question's options, completed by what the first variant's image implies.
        nlohmann::json options = q.options.is_object() ? q.options : nlohmann::json::object();
        for (auto& [k, v] :
             solution.solved.at(solution.variants.front()).at(q.id).implied_options.items()) {
            if (!options.contains(k)) {
                options[k] = v;
            } else if (v.is_object() && options[k].is_object()) {
                for (auto& [k2, v2] : v.items())
                    if (!options[k].contains(k2)) options[k][k2] = v2;
            }
        }
        nlohmann::json hints = nlohmann::json::array();
        for (auto& h : q.hints) hints.push_back({{"cost", h.cost}, {"text", h.text.by_language}});
        questions.push_back({{"id", q.id},
                             {"type", q.type},
                             {"points", q.points},
                             {"answer", answers[std::to_string(solution.variants.front())]},
                             {"answers", answers},
                             {"options", options},
                             {"max_attempts", q.max_attempts},
                             {"wrong_attempt_penalty", q.wrong_attempt_penalty},
                             {"hints", hints},
                             {"prerequisites", q.prerequisites},
                             {"choices", q.choices},
                             {"rubric", q.rubric.by_language}});
    }
    key["questions"] = questions;
    return key;
}

fs::path checked_output_folder(const fs::path& where, bool overwrite) {
    fs::path out = fs::absolute(where).lexically_normal();
    if (out.filename().empty()) out = out.parent_path();
    std::error_code ec;
    if (fs::exists(out, ec) && !overwrite)
        throw common::Error(out.string() +
                            ": already exists; choose a new folder or pass --force to replace it");
    fs::create_directories(out.parent_path(), ec);
    return out;
}

namespace {

fs::path output_folder(const PackBuildOptions& options) {
    return checked_output_folder(options.out, options.overwrite);
}

// Everything is made beside OUT and moved into place only when complete.
std::string staging_name(const fs::path& out) {
    std::string name = ".";  // appended piece by piece: GCC 12 -O3 -Wrestrict misfires
    name += out.filename().string();
    name += ".partial";
    return name;
}

void replace_with(const fs::path& made, const fs::path& out) {
    std::error_code ec;
    if (fs::exists(out, ec)) fs::remove_all(out);
    fs::rename(made, out);
}

// The stage times a job wrote beside its shard (times.json), added to `times`.
void add_times(const fs::path& file, StageTimes& times) {
    auto j = nlohmann::json::parse(common::read_input_file(file, 1 << 20, "stage times"));
    for (auto& [stage, seconds] : j.items()) times[stage] += seconds.get<double>();
}

void write_times(const StageTimes& times, const fs::path& file) {
    std::ofstream(file) << nlohmann::json(times).dump() << "\n";
}

// The bundles of a solved pack into `bundle`; the images are moved out of the solution's folders.
void write_bundles(const Pack& pack, const PackSolution& solution, const PackBuildOptions& options,
                   const fs::path& bundle, const PackLog& log) {
    if (log) log("writing the participant and instructor bundles");
    write_participant_bundle(pack, solution, bundle / "participant");
    write_instructor_bundle(pack, solution, answer_key(pack, solution), bundle / "instructor");
    if (options.per_variant)
        for (unsigned v : solution.variants)
            write_variant_bundle(pack, solution, v, bundle / "participant",
                                 bundle / "participants" / ("variant-" + std::to_string(v)));
}

// Hard links (or copies) of the shards' images in `work`, so that writing the bundles (which
// moves them) leaves the shards as they were.
void take_images(PackSolution& solution, const fs::path& work) {
    auto take = [&](const fs::path& from, const fs::path& folder) {
        fs::create_directories(folder);
        const fs::path to = folder / from.filename();
        std::error_code ec;
        fs::create_hard_link(from, to, ec);
        if (ec) fs::copy_file(from, to, fs::copy_options::overwrite_existing);
        return to;
    };
    for (auto& [v, images] : solution.images)
        for (auto& [id, image] : images) {
            const fs::path folder = work / ("variant-" + std::to_string(v)) / id;
            for (auto& seg : image.segments) seg = take(seg, folder).string();
            image.truth = take(image.truth, folder);
        }
}

}  // namespace

StageTimes build_pack(const Pack& pack, const PackBuildOptions& options, const PackLog& log) {
    const fs::path out = output_folder(options);
    images::TempFolder staging(staging_name(out), out.parent_path());
    if (options.variants == 0 || options.variants > 500)
        throw common::Error("--variants must be from 1 to 500, not " +
                            std::to_string(options.variants));
    const auto started = std::chrono::steady_clock::now();
    if (options.shard) {
        const fs::path dir = staging.path() / "shard";
        PackSolution solution =
            solve_pack(pack, dir, shard_variants(options.variants, *options.shard), log);
        fs::create_directories(dir);
        write_shard(pack, solution, options.variants, *options.shard, pack_fingerprint(pack), dir);
        write_times(solution.times, dir / "times.json");
        replace_with(dir, out);
        return solution.times;
    }
    PackSolution solution;
    const unsigned jobs = std::clamp(options.jobs, 1u, options.variants);
    if (jobs == 1) {
        std::vector<unsigned> variants;
        for (unsigned v = 0; v < options.variants; ++v) variants.push_back(v);
        solution = solve_pack(pack, staging.path() / "work", variants, log);
    } else {
        // Each job is a shard of this build, made in a process of its own; then merged.
        const std::string fingerprint = pack_fingerprint(pack);
        std::vector<fs::path> dirs;
        for (unsigned j = 0; j < jobs; ++j)
            dirs.push_back(staging.path() / ("job-" + std::to_string(j)));
        engine::run_in_parallel_processes(jobs, [&](unsigned j) {
            const ShardSpec spec{j, jobs};
            PackSolution part =
                solve_pack(pack, dirs[j], shard_variants(options.variants, spec), log);
            fs::create_directories(dirs[j]);
            write_shard(pack, part, options.variants, spec, fingerprint, dirs[j]);
            write_times(part.times, dirs[j] / "times.json");
        });
        unsigned variants = 0;
        solution = read_shards(pack, dirs, fingerprint, variants);
        for (auto& dir : dirs) add_times(dir / "times.json", solution.times);
    }
    const auto bundles_started = std::chrono::steady_clock::now();
    write_bundles(pack, solution, options, staging.path() / "bundle", log);
    replace_with(staging.path() / "bundle", out);
    const auto done = std::chrono::steady_clock::now();
    solution.times["bundles"] += std::chrono::duration<double>(done - bundles_started).count();
    solution.times["wall time"] = std::chrono::duration<double>(done - started).count();
    return solution.times;
}

void merge_pack(const Pack& pack, const std::vector<fs::path>& shards,
                const PackBuildOptions& options, const PackLog& log) {
    const fs::path out = output_folder(options);
    for (auto& shard : shards)
        if (fs::absolute(shard).lexically_normal() == out)
            throw common::Error(out.string() + ": is one of the shards; merge into a new folder");
    images::TempFolder staging(staging_name(out), out.parent_path());
    unsigned variants = 0;
    PackSolution solution = read_shards(pack, shards, pack_fingerprint(pack), variants);
    take_images(solution, staging.path() / "work");
    write_bundles(pack, solution, options, staging.path() / "bundle", log);
    replace_with(staging.path() / "bundle", out);
}

}  // namespace dflab::exercises
