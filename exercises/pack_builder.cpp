#include "exercises/pack_builder.hpp"

#include <algorithm>

#include "common/error.hpp"
#include "engine/analyze.hpp"
#include "exercises/bundle_writer.hpp"
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

BuiltImage build_one(const Pack& pack, const PackImage& image, unsigned variant,
                     const fs::path& folder, const PackLog& log) {
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
    images::BuildResult built = images::build_image(recipe, options);
    BuiltImage out;
    out.segments = participant_segments(image, built);
    out.truth = built.truth;
    out.case_db = folder / (image.id + ".case.sqlite");
    out.fat_zone = image.fat_zone;
    if (log) log("variant " + std::to_string(variant) + ": analysing image " + image.id);
    engine::AnalyzeOptions analyze;
    analyze.image = out.segments;
    for (auto& r : pack.rules) analyze.rules.push_back(r.string());
    analyze.keywords = search_terms(pack.questions);
    analyze.output = out.case_db.string();
    analyze.overwrite = true;
    analyze.fat_zones.all = image.fat_zone;
    engine::AnalyzeSummary summary = engine::analyze(analyze, engine::default_limits());
    if (!summary.errors.empty())
        throw common::Error(image.recipe.string() + ": the built image " + image.id +
                            " could not be analysed completely: " + summary.errors.front());
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
            env.images[image.id] = build_one(pack, image, v, folder, log);
        }
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

void build_pack(const Pack& pack, const PackBuildOptions& options, const PackLog& log) {
    fs::path out = fs::absolute(options.out).lexically_normal();
    if (out.filename().empty()) out = out.parent_path();
    std::error_code ec;
    if (fs::exists(out, ec) && !options.overwrite)
        throw common::Error(out.string() +
                            ": already exists; choose a new folder or pass --force to replace it");
    fs::create_directories(out.parent_path(), ec);
    // Everything is made beside OUT and moved into place only when complete.
    std::string staging_name = ".";  // appended piece by piece: GCC 12 -O3 -Wrestrict misfires
    staging_name += out.filename().string();
    staging_name += ".partial";
    images::TempFolder staging(staging_name, out.parent_path());
    if (options.variants == 0 || options.variants > 500)
        throw common::Error("--variants must be from 1 to 500, not " +
                            std::to_string(options.variants));
    std::vector<unsigned> variants;
    for (unsigned v = 0; v < options.variants; ++v) variants.push_back(v);
    PackSolution solution = solve_pack(pack, staging.path() / "work", variants, log);
    fs::path bundle = staging.path() / "bundle";
    if (log) log("writing the participant and instructor bundles");
    write_participant_bundle(pack, solution, bundle / "participant");
    write_instructor_bundle(pack, solution, answer_key(pack, solution), bundle / "instructor");
    if (options.per_variant)
        for (unsigned v : solution.variants)
            write_variant_bundle(pack, solution, v, bundle / "participant",
                                 bundle / "participants" / ("variant-" + std::to_string(v)));
    if (fs::exists(out, ec)) fs::remove_all(out);
    fs::rename(bundle, out);
}

}  // namespace dflab::exercises
