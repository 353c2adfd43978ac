#pragma once
// Publishing a build: the truth manifest and the outputs the options ask for (E01, split raw)
// written beside the raw image in the build's private folder, then moved into the output folder.
// Internal to the image builder.
#include <filesystem>

#include "images/disk_builder.hpp"
#include "images/recipe.hpp"
#include "images/truth_manifest.hpp"

namespace dflab::images::detail {

// Writes NAME.truth.json and, as `options` ask, NAME.E01... and NAME.001... into `folder` (the
// folder holding `raw`, beside options.out_dir so that publishing is a rename), then moves them
// and the raw image (when options.raw), the raw image last, into options.out_dir. Reports the
// steps "writing E01" and "writing split raw" (bytes). Throws dflab::engine::Error.
BuildResult publish(const std::filesystem::path& raw, const std::filesystem::path& folder,
                    const Recipe& recipe, const BuildOptions& options, const Truth& truth,
                    const BuildProgressCallback& progress);

}  // namespace dflab::images::detail
