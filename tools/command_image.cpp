// dflab image build RECIPE -o DIR: a reproducible evidence image and its ground truth.
#include <iostream>
#include <memory>

#include "engine/error.hpp"
#include "images/disk_builder.hpp"
#include "images/recipe_parser.hpp"
#include "tools/command_support.hpp"
#include "tools/commands.hpp"

namespace dflab::tools {

namespace {

struct ImageBuildArgs {
    std::string recipe;
    std::string out_dir;
    unsigned variant = 0;
    std::vector<std::string> formats{"raw"};
};

}  // namespace

void register_image(CLI::App& app, int& exit_code) {
    auto* image =
        app.add_subcommand("image", "Evidence images from recipes (see docs/recipe-format.md)");
    image->require_subcommand(1);
    auto a = std::make_shared<ImageBuildArgs>();
    auto* build = image->add_subcommand(
        "build",
        "Build RECIPE into DIR: NAME.raw (byte for byte the same for the same recipe, seed and "
        "variant), NAME.truth.json, and on request an E01 and split raw. The image is checked "
        "against the recipe with the forensic engine before anything is written to DIR");
    build->add_option("RECIPE", a->recipe, "Recipe file (YAML)")->required();
    build->add_option("-o,--output", a->out_dir, "Output folder")->required();
    build->add_option("--variant", a->variant,
                      "Participant variant: other seeded values, same exercise");
    build->add_option("--format", a->formats, "raw, e01, split (comma-separated; default raw)")
        ->delimiter(',');
    build->callback([a, &exit_code] {
        images::BuildOptions o;
        o.out_dir = a->out_dir;
        o.raw = false;
        for (const auto& f : a->formats) {
            if (f == "raw")
                o.raw = true;
            else if (f == "e01")
                o.e01 = true;
            else if (f == "split")
                o.split = true;
            else
                throw engine::Error("--format '" + f + "': use raw, e01 or split");
        }
        images::Recipe recipe = [&] {
            try {
                return images::parse_recipe(a->recipe, {a->variant});
            } catch (const images::RecipeError& e) {
                throw engine::Error(e.what());
            }
        }();
        auto r = images::build_image(recipe, o, [](const std::string& step) {
            if (isatty(2)) std::cerr << "dflab image: " << step << "\n";
        });
        std::cout << "image:     " << (o.raw ? r.raw.string() : std::string("(raw not kept)"))
                  << "\n"
                  << "sha256:    " << r.sha256 << "\n"
                  << "truth:     " << r.truth.string() << " (" << r.artifacts
                  << " artifacts, self-check passed)\n";
        for (const auto& f : r.e01) std::cout << "e01:       " << f.string() << "\n";
        for (const auto& f : r.split) std::cout << "split:     " << f.string() << "\n";
        exit_code = 0;
    });
}

}  // namespace dflab::tools
