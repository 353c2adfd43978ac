#include "images/publish.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "engine/error.hpp"
#include "images/ewf_writer.hpp"

namespace dflab::images::detail {

namespace fs = std::filesystem;
using engine::Error;

namespace {

using Report = std::function<void(const std::string& step, uint64_t done, uint64_t total)>;

// When the evidence was acquired: the recipe's case.acquisition_time, else the story's last
// action (never the build's clock).
int64_t acquisition_time(const Recipe& recipe) {
    if (recipe.case_metadata.acquisition_time) return *recipe.case_metadata.acquisition_time;
    int64_t last = 0;
    for (const auto& a : recipe.actions) last = std::max(last, a.time);
    return last;
}

// FOLDER/NAME.001, NAME.002, ...: the raw image of `size` bytes cut into pieces of `piece` bytes.
std::vector<fs::path> split_raw(const fs::path& raw, uint64_t size, uint64_t piece,
                                const fs::path& folder, const std::string& name,
                                const Report& report) {
    if (piece == 0 || (size + piece - 1) / piece > 999)
        throw Error("split: " + std::to_string(size) + " bytes in pieces of " +
                    std::to_string(piece) + " would need more than 999 pieces");
    report("writing split raw", 0, size);
    std::vector<fs::path> split;
    std::ifstream in(raw, std::ios::binary);
    std::vector<char> buf(4 << 20);
    uint64_t done = 0;
    while (done < size) {
        char suffix[8];
        std::snprintf(suffix, sizeof suffix, ".%03u", static_cast<unsigned>(done / piece + 1));
        const fs::path file = folder / (name + suffix);
        std::ofstream out(file, std::ios::binary | std::ios::trunc);
        const uint64_t end = std::min(size, done + piece);
        while (done < end) {
            const auto n = static_cast<std::streamsize>(std::min<uint64_t>(buf.size(), end - done));
            if (!in.read(buf.data(), n) || !out.write(buf.data(), n))
                throw Error(file.string() + ": split failed at byte " + std::to_string(done));
            done += static_cast<uint64_t>(n);
            report("writing split raw", done, size);
        }
        out.close();
        if (!out) throw Error(file.string() + ": cannot write");
        split.push_back(file);
    }
    return split;
}

}  // namespace

BuildResult publish(const fs::path& raw, const fs::path& folder, const Recipe& recipe,
                    const BuildOptions& options, const Truth& truth,
                    const BuildProgressCallback& progress) {
    const Report report = [&](const std::string& step, uint64_t done, uint64_t total) {
        if (progress) progress(BuildProgress{step, done, total, "bytes"});
    };
    const fs::path truth_file = folder / (recipe.name + ".truth.json");
    std::ofstream(truth_file) << truth_json(truth);

    BuildResult result;
    result.sha256 = truth.sha256;
    result.artifacts = truth.artifacts.size();
    std::vector<fs::path> made{truth_file}, e01;
    if (options.e01) {
        const auto& c = recipe.case_metadata;
        EwfMetadata meta{c.case_number, c.evidence_number,        c.examiner,  c.description,
                         c.notes,       acquisition_time(recipe), truth.sha256};
        EwfOptions ewf = options.e01_options;
        ewf.bytes_per_sector = recipe.disk.sector_size;
        report("writing E01", 0, truth.size);
        auto written =
            write_ewf(raw, folder / recipe.name, meta, ewf,
                      [&](uint64_t done, uint64_t total) { report("writing E01", done, total); });
        e01.assign(written.segments.begin(), written.segments.end());
        made.insert(made.end(), e01.begin(), e01.end());
    }
    if (options.split) {
        auto split = split_raw(raw, truth.size, options.split_size, folder, recipe.name, report);
        made.insert(made.end(), split.begin(), split.end());
    }
    if (options.raw) made.push_back(raw);
    // Everything is complete: move into the output folder, the raw image last.
    for (const auto& f : made) {
        const fs::path target = options.out_dir / f.filename();
        fs::rename(f, target);
        if (f == raw)
            result.raw = target;
        else if (f == truth_file)
            result.truth = target;
        else if (std::find(e01.begin(), e01.end(), f) != e01.end())
            result.e01.push_back(target);
        else
            result.split.push_back(target);
    }
    std::sort(result.e01.begin(), result.e01.end());
    std::sort(result.split.begin(), result.split.end());
    return result;
}

}  // namespace dflab::images::detail
