#pragma once
// Making an empty NTFS file system for the NTFS writer: mkntfs on the image file, run under
// faketime so that the times it stamps (and the random numbers it seeds from the time) are the
// story's, then the volume serial number patched into both boot sectors.
#include <cstdint>
#include <filesystem>

#include "images/recipe.hpp"

namespace dflab::images::ntfs {

// The default cluster size (4 KiB, as Windows chooses for volumes from 7 MiB to 16 TiB).
constexpr uint32_t kDefaultClusterSize = 4096;
constexpr uint32_t kSectorSize = 512;

// The serial number: the spec's 16 hex digits, or one derived from what the recipe says about
// the volume (the same recipe, the same serial). Throws naming the recipe spot when malformed.
uint64_t volume_serial(const PartitionSpec& spec, uint64_t size, int64_t time);

// Creates `image` (`size` bytes) holding an empty NTFS file system as made at `time`.
void make_ntfs(const PartitionSpec& spec, const std::filesystem::path& image, uint64_t size,
               int64_t time);

}  // namespace dflab::images::ntfs
