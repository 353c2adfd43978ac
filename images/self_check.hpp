#pragma once
// The self-check of a build: the finished disk image opened with the forensic engine, as a
// participant's tools would open it, and every planted artifact confirmed there before anything
// is published. Internal to the image builder.
#include <filesystem>

#include "images/disk_builder.hpp"
#include "images/recipe.hpp"
#include "images/truth_manifest.hpp"

namespace dflab::images::detail {

// Confirms every artifact of `truth` in `raw`, the disk image built from `recipe`: hidden and
// slack data by the bytes at their image offset (slack also as the file's content with slack),
// files and streams by content SHA-256 and times, found by path when allocated and by address
// when deleted. Completes `truth` meanwhile: its partitions as the engine numbers them, each
// artifact's partition index and each allocated artifact's inode. Throws dflab::engine::Error
// ("self-check: ...") at the first difference. Reports the step "self-check" (artifacts).
void self_check(const std::filesystem::path& raw, const Recipe& recipe, Truth& truth,
                const BuildProgressCallback& progress);

}  // namespace dflab::images::detail
