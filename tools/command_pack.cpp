// dflab pack validate|build|solve|list: exercise packs whose answer keys come from the images.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <thread>

#include "engine/error.hpp"
#include "exercises/bundle_writer.hpp"
#include "exercises/pack_builder.hpp"
#include "exercises/pack_loader.hpp"
#include "exercises/pack_shards.hpp"
#include "exercises/pack_validator.hpp"
#include "images/temp_folder.hpp"
#include "tools/commands.hpp"

namespace dflab::tools {

namespace fs = std::filesystem;

namespace {

struct PackArgs {
    std::string dir, out, language = "en", shard;
    std::vector<std::string> shards;
    unsigned variants = 1, variant = 0;
    unsigned jobs = std::max(1u, std::thread::hardware_concurrency());
    bool force = false, json = false, per_variant = false, stats = false;
};

// Where the build's time went (--stats), on stderr: seconds per stage, summed over the jobs.
void print_stats(const exercises::StageTimes& times) {
    double total = 0;
    for (auto& [stage, seconds] : times)
        if (stage != "wall time") total += seconds;
    std::cerr << "stage times (seconds, summed over variants and jobs):\n";
    char line[160];
    for (auto& [stage, seconds] : times) {
        if (stage == "wall time") continue;
        std::snprintf(line, sizeof line, "  %-36s %9.2f  %5.1f %%\n", stage.c_str(), seconds,
                      total > 0 ? 100 * seconds / total : 0.0);
        std::cerr << line;
    }
    if (times.count("wall time")) {
        std::snprintf(line, sizeof line, "  %-36s %9.2f\n", "wall time", times.at("wall time"));
        std::cerr << line;
    }
}

// Build steps on stderr, only on a terminal (logs and pipes stay quiet and deterministic).
exercises::PackLog terminal_log() {
    if (!::isatty(STDERR_FILENO)) return {};
    return [](const std::string& line) { std::cerr << "dflab pack: " << line << "\n"; };
}

void validate(const PackArgs& a, int& exit_code) {
    exercises::Pack pack = exercises::load_pack(a.dir);
    auto problems = exercises::validate_pack(pack);
    for (auto& p : problems) std::cout << common::one_line(p) << "\n";
    if (!problems.empty()) {
        std::cerr << "dflab: " << pack.file << ": " << problems.size()
                  << " problem(s); the pack does not validate\n";
        exit_code = 1;
        return;
    }
    std::cout << pack.file << ": valid: pack " << pack.id << " " << pack.version << ", "
              << pack.questions.size() << " questions, " << pack.images.size()
              << " image(s), languages";
    for (auto& l : pack.languages) std::cout << " " << l;
    std::cout << "\n";
}

void build(const PackArgs& a, int& exit_code) {
    exercises::Pack pack = exercises::load_pack(a.dir);
    auto problems = exercises::validate_pack(pack);
    if (!problems.empty())
        throw engine::Error(problems.front() +
                            (problems.size() > 1 ? " (and " + std::to_string(problems.size() - 1) +
                                                       " more: run dflab pack validate)"
                                                 : ""));
    exercises::PackBuildOptions options{a.out, a.variants, a.force, a.per_variant, a.jobs, {}};
    if (!a.shard.empty()) options.shard = exercises::parse_shard(a.shard);
    const auto times = exercises::build_pack(pack, options, terminal_log());
    if (a.stats) print_stats(times);
    if (options.shard) {
        std::cout << "pack " << pack.id << " " << pack.version << ": shard " << a.shard << " of "
                  << a.variants << " variant(s) in " << a.out
                  << "  (then: dflab pack merge DIR SHARD... -o OUT)\n";
        exit_code = 0;
        return;
    }
    size_t checked = 0, review = 0;
    for (auto& q : pack.questions) {
        if (q.expect) ++checked;
        if (q.type == "free_text") ++review;
    }
    std::cout << "pack " << pack.id << " " << pack.version << ": " << pack.questions.size()
              << " questions (" << pack.questions.size() - review
              << " answers derived from the images, " << checked
              << " of them cross-checked with the truth manifest; " << review
              << " for manual review), " << a.variants << " variant(s)\n"
              << "  " << (fs::path(a.out) / "participant").string() << "  (hand out)\n"
              << "  " << (fs::path(a.out) / "instructor").string() << "  (keep: answer key)\n";
    if (a.per_variant)
        std::cout << "  " << (fs::path(a.out) / "participants" / "variant-K").string()
                  << "  (hand out: variant K's images only), K = 0.." << a.variants - 1 << "\n";
    exit_code = 0;
}

void merge(const PackArgs& a, int& exit_code) {
    exercises::Pack pack = exercises::load_pack(a.dir);
    std::vector<fs::path> shards(a.shards.begin(), a.shards.end());
    exercises::PackBuildOptions options;
    options.out = a.out;
    options.overwrite = a.force;
    options.per_variant = a.per_variant;
    exercises::merge_pack(pack, shards, options, terminal_log());
    std::cout << "pack " << pack.id << " " << pack.version << ": " << shards.size()
              << " shard(s) merged\n"
              << "  " << (fs::path(a.out) / "participant").string() << "  (hand out)\n"
              << "  " << (fs::path(a.out) / "instructor").string() << "  (keep: answer key)\n";
    exit_code = 0;
}

void solve(const PackArgs& a, int& exit_code) {
    std::error_code ec;
    fs::path walkthrough = fs::path(a.dir) / "instructor" / ("walkthrough." + a.language + ".md");
    if (fs::exists(fs::path(a.dir) / "instructor" / "answer-key.json", ec)) {
        std::ifstream in(walkthrough, std::ios::binary);
        if (!in)
            throw engine::Error(walkthrough.string() + ": no walkthrough in language " +
                                a.language + "; try --lang en");
        std::cout << in.rdbuf();
        exit_code = 0;
        return;
    }
    exercises::Pack pack = exercises::load_pack(a.dir);
    images::TempFolder work("dflab-pack-solve");
    std::vector<std::string> failures;
    auto solution =
        exercises::solve_pack(pack, work.path(), {a.variant}, terminal_log(), &failures);
    if (!failures.empty()) {  // every failing question, not only the first
        for (auto& f : failures) std::cerr << "dflab: " << common::one_line(f) << "\n";
        std::cerr << "dflab: " << pack.file << ": " << failures.size() << " of "
                  << pack.questions.size() << " question(s) failed in variant " << a.variant
                  << "\n";
        exit_code = 1;
        return;
    }
    std::cout << exercises::walkthrough_text(pack, solution, a.language);
    exit_code = 0;
}

void list(const PackArgs& a, int& exit_code) {
    nlohmann::json out = nlohmann::json::array();
    for (auto& dir : exercises::shipped_packs()) {
        // The folder inside the packs folder, never where dflab was built or installed.
        std::string relative = dir.filename().string();
        exercises::Pack pack = exercises::load_pack(dir);
        out.push_back({{"id", pack.id},
                       {"version", pack.version},
                       {"title", pack.title.in(a.language)},
                       {"languages", pack.languages},
                       {"difficulty", pack.difficulty},
                       {"estimated_minutes", pack.estimated_minutes},
                       {"questions", pack.questions.size()},
                       {"path", relative}});
    }
    if (a.json) {
        std::cout << out.dump(2) << "\n";
    } else {
        for (auto& p : out)
            std::cout << p["id"].get<std::string>() << "  " << p["version"].get<std::string>()
                      << "  " << p["questions"] << " questions  " << p["title"].get<std::string>()
                      << "  (" << p["path"].get<std::string>() << ")\n";
    }
    exit_code = 0;
}

}  // namespace

void register_pack(CLI::App& app, int& exit_code) {
    auto* pack = app.add_subcommand(
        "pack",
        "Exercise packs: validate, build (images, answer key, bundles), merge, solve, list "
        "(see docs/pack-format.md)");
    pack->require_subcommand(1);
    auto a = std::make_shared<PackArgs>();

    auto* v = pack->add_subcommand("validate",
                                   "Check DIR's pack.yaml and questions: schema, "
                                   "references, translations, recipes, rules");
    v->add_option("DIR", a->dir, "Pack folder (holding pack.yaml)")->required();
    v->callback([a, &exit_code] { validate(*a, exit_code); });

    auto* b = pack->add_subcommand(
        "build",
        "Build DIR's images, derive every answer with its solution, check it against "
        "the truth, and write OUT/participant and OUT/instructor");
    b->add_option("DIR", a->dir, "Pack folder")->required();
    b->add_option("-o,--output", a->out, "Output folder (must not exist unless --force)")
        ->required();
    b->add_option("--variants", a->variants,
                  "Build N variants (different answers, same exercise), 1 to 500")
        ->check(CLI::Range(1u, 500u));
    b->add_flag("--force", a->force, "Replace OUT if it exists");
    b->add_flag("--per-variant", a->per_variant,
                "Also write OUT/participants/variant-K/: a participant bundle per variant, "
                "holding only that variant's images");
    b->add_option("-j,--jobs", a->jobs,
                  "Build N variants at once, each in a process of its own (default: the number "
                  "of cores); the bundles are the same for any N")
        ->check(CLI::Range(1u, 64u));
    b->add_option("--shard", a->shard,
                  "I/N: build only the variants V with V mod N = I (0 <= I < N) into OUT, a "
                  "shard folder; then `dflab pack merge` makes the bundles (a Slurm array or a "
                  "Kubernetes indexed Job: docs/pack-format.md)");
    b->add_flag("--stats", a->stats,
                "Print on stderr where the time went: seconds per stage (image writing, E01, "
                "self-check, analysis, solutions, bundles)");
    b->callback([a, &exit_code] { build(*a, exit_code); });

    auto* m = pack->add_subcommand(
        "merge",
        "Make the bundles of a build done in shards (pack build --shard I/N, every I): the same "
        "bundles as one pack build; the shards are left as they are");
    m->add_option("DIR", a->dir, "Pack folder the shards were built from")->required();
    m->add_option("SHARD", a->shards, "Shard folders (every shard of the build)")->required();
    m->add_option("-o,--output", a->out, "Output folder (must not exist unless --force)")
        ->required();
    m->add_flag("--force", a->force, "Replace OUT if it exists");
    m->add_flag("--per-variant", a->per_variant,
                "Also write OUT/participants/variant-K/ (as pack build --per-variant)");
    m->callback([a, &exit_code] { merge(*a, exit_code); });

    auto* s = pack->add_subcommand(
        "solve",
        "Dry run: each question, its solution steps and the derived answer (DIR: a pack, "
        "built on the fly; OUT: a built pack's walkthrough)");
    s->add_option("DIR", a->dir, "Pack folder or built pack (OUT)")->required();
    s->add_option("--lang,--language", a->language, "Language of the texts (en, ru, kk)");
    s->add_option("--variant", a->variant, "Which variant to build and solve (pack folder only)");
    s->callback([a, &exit_code] { solve(*a, exit_code); });

    auto* l = pack->add_subcommand("list", "The packs shipped with dflab");
    l->add_option("--lang,--language", a->language, "Language of the titles");
    l->add_flag("--json", a->json, "JSON output");
    l->callback([a, &exit_code] { list(*a, exit_code); });
}

}  // namespace dflab::tools
