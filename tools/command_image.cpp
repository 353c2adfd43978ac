// dflab image build RECIPE -o DIR: a reproducible evidence image and its ground truth.
#include <iostream>
#include <memory>

#include "engine/error.hpp"
#include "images/disk_builder.hpp"
#include "images/recipe_parser.hpp"
#include "tools/command_support.hpp"
#include "tools/commands.hpp"
#include "tools/progress_bar.hpp"

namespace dflab::tools {

namespace {

struct ImageBuildArgs {
    std::string recipe;
    std::string out_dir;
    unsigned variant = 0;
    std::vector<std::string> formats{"raw"};
    std::string e01_segment_size = "1500MiB";
    std::string e01_compression = "fast";
};

// One bar per build step, on stderr when it is a terminal (ProgressBar draws nothing otherwise).
class BuildProgressBar {
  public:
    void operator()(const images::BuildProgress& p) {
        if (p.step != step_) {
            bar_.reset();  // clears the previous step's bar
            bar_ = std::make_unique<ProgressBar>("dflab image: " + p.step);
            step_ = p.step;
        }
        bar_->update(engine::Progress{p.done, p.total, p.unit});
    }
    void finish() {
        bar_.reset();
        step_.clear();
    }

  private:
    std::string step_;
    std::unique_ptr<ProgressBar> bar_;
};

images::EwfOptions e01_options(const ImageBuildArgs& a) {
    images::EwfOptions o;
    const auto size = images::parse_size(a.e01_segment_size);
    if (!size || *size < images::kMinimumEwfSegmentSize)
        throw engine::Error("--e01-segment-size '" + a.e01_segment_size +
                            "': give a size of at least 1MiB, e.g. 650MiB or 2GiB");
    o.segment_size = *size;
    if (a.e01_compression == "none")
        o.compression = images::EwfCompression::None;
    else if (a.e01_compression == "fast")
        o.compression = images::EwfCompression::Fast;
    else if (a.e01_compression == "best")
        o.compression = images::EwfCompression::Best;
    else
        throw engine::Error("--e01-compression '" + a.e01_compression +
                            "': use none, fast or best");
    return o;
}

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
    build->add_option("--e01-segment-size", a->e01_segment_size,
                      "Largest E01 segment file (NAME.E01, NAME.E02, ...); default 1500MiB");
    build->add_option("--e01-compression", a->e01_compression,
                      "E01 deflate compression: none, fast (default) or best");
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
        o.e01_options = e01_options(*a);
        images::Recipe recipe = [&] {
            try {
                return images::parse_recipe(a->recipe, {a->variant});
            } catch (const images::RecipeError& e) {
                throw engine::Error(e.what());
            }
        }();
        BuildProgressBar bar;
        auto r = images::build_image(recipe, o, std::ref(bar));
        bar.finish();
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
