#pragma once
// Building a pack's variants in pieces (docs/pack-format.md, "Variants at scale"): `pack build
// --shard I/N` builds and solves the variants V with V mod N = I into a shard folder, and `pack
// merge` turns the shards of one build into the same bundles `pack build` writes on its own, byte
// for byte. `pack build --jobs N` does the same on one machine with N processes.
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "exercises/pack.hpp"
#include "exercises/pack_builder.hpp"

namespace dflab::exercises {

// ShardSpec is in pack_builder.hpp. "I/N" with 0 <= I < N <= 500; throws Error "--shard TEXT: ..."
// otherwise.
ShardSpec parse_shard(std::string_view text);

// The variants of 0 .. variants-1 that shard `spec` builds: I, I+N, I+2N, ... (none when I >=
// variants).
std::vector<unsigned> shard_variants(unsigned variants, ShardSpec spec);

// SHA-256 over every file of the pack (its folder, recipes and rules) and the dflab binary that
// builds it: shards merge only when they were built from the same pack by the same program.
std::string pack_fingerprint(const Pack& pack);

// Writes DIR/shard.json for `solution`, whose images are below DIR (solve_pack's work folder),
// and removes the case databases, which no bundle holds.
void write_shard(const Pack& pack, const PackSolution& solution, unsigned variants, ShardSpec spec,
                 const std::string& fingerprint, const std::filesystem::path& dir);

// The shards' solutions as one, their image paths absolute inside each shard. Throws Error (one
// line naming the shard folder) when a shard is not one, is of another pack, pack version or
// build program, or when the shards are of different builds or do not hold every variant of
// 0 .. V-1 exactly once. `variants` receives V.
PackSolution read_shards(const Pack& pack, const std::vector<std::filesystem::path>& dirs,
                         const std::string& fingerprint, unsigned& variants);

}  // namespace dflab::exercises
