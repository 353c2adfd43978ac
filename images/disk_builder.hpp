#pragma once
// Building a recipe: each file system written on its own through a FileSystemWriter, the disk
// assembled with its partition table, data hidden outside files, then the image opened with the
// forensic engine to confirm every planted artifact (the self-check) before anything is written
// to the output folder. Outputs: NAME.raw, NAME.truth.json, optionally NAME.E01 and NAME.001...
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "images/ewf_writer.hpp"
#include "images/recipe.hpp"

namespace dflab::images {

struct BuildOptions {
    std::filesystem::path out_dir;
    bool raw = true;
    bool e01 = false;
    bool split = false;
    uint64_t split_size = 64ull << 20;  // bytes per split segment
    EwfOptions e01_options;             // segment size and compression of the E01
};

// How far a build is: the step it is in and how much of that step is done. Steps, in order:
// "writing file systems" (actions), "assembling the disk" (bytes), "hashing the image" (bytes),
// "self-check" (artifacts), "writing E01" (bytes), "writing split raw" (bytes). Nothing here is
// written into an output.
struct BuildProgress {
    std::string step;
    uint64_t done = 0, total = 0;
    std::string unit;  // "actions", "bytes" or "artifacts"
};
using BuildProgressCallback = std::function<void(const BuildProgress&)>;

struct BuildResult {
    std::filesystem::path raw, truth;
    std::vector<std::filesystem::path> e01, split;
    std::string sha256;  // of the raw image
    size_t artifacts = 0;
};

// Throws dflab::engine::Error (one line) on any failure; nothing is left in out_dir then.
BuildResult build_image(const Recipe& recipe, const BuildOptions& options,
                        const BuildProgressCallback& progress = {});

}  // namespace dflab::images
