#pragma once
// The two bundles of a built pack (docs/pack-format.md, "Bundles"): what participants get and
// what only instructors see, each with a SHA256SUMS list that `sha256sum -c` checks.
#include <filesystem>
#include <nlohmann/json.hpp>

#include "exercises/pack_builder.hpp"

namespace dflab::exercises {

// Questions in every language, the images (moved out of the build folder), rules, a findings
// template; nothing that reveals an answer or a solution.
void write_participant_bundle(const Pack& pack, const PackSolution& solution,
                              const std::filesystem::path& dir);

// The participant bundle of one variant (`pack build --per-variant`): the same files as the shared
// bundle `shared` (written by write_participant_bundle), but only `variant`'s images, in images/,
// hard-linked to the shared bundle's where the file system allows (else copied), and a findings
// template with the variant filled in.
void write_variant_bundle(const Pack& pack, const PackSolution& solution, unsigned variant,
                          const std::filesystem::path& shared, const std::filesystem::path& dir);

// answer-key.json, walkthroughs per language, truth manifests.
void write_instructor_bundle(const Pack& pack, const PackSolution& solution,
                             const nlohmann::json& key, const std::filesystem::path& dir);

// The walkthrough of the solved pack in `language` (Markdown), as `pack solve` prints it.
std::string walkthrough_text(const Pack& pack, const PackSolution& solution,
                             const std::string& language);

// Writes DIR/SHA256SUMS for every file below DIR (sorted, relative paths, sha256sum's format).
void write_checksums(const std::filesystem::path& dir);

}  // namespace dflab::exercises
