#pragma once
// Partition tables for a recipe's disk, written with sfdisk (MBR, extended and logical entries)
// and sgdisk (GPT) on the image file, with identifiers derived from the recipe's seed.
#include <filesystem>
#include <string>

#include "images/recipe.hpp"

namespace dflab::images {

// Writes the table of `disk` into `image` (already `disk.size` bytes long).
void write_partition_table(const DiskSpec& disk, uint64_t seed, const std::filesystem::path& image);

// Removes the table entries of partitions marked `delete_entry` (their file systems stay).
void delete_partition_entries(const DiskSpec& disk, const std::filesystem::path& image);

// A GUID derived from the seed and a name ("8-4-4-4-12" upper-case hex, version 4 layout).
std::string derived_guid(uint64_t seed, const std::string& name);

}  // namespace dflab::images
