#pragma once
// Data hidden outside files (the recipe action `hide`): in a file system's unallocated space,
// after a partition (in the gap before the next one) or at an offset of the disk, whole or split
// in two fragments with untouched bytes between them (split: {after, gap}).
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include "images/recipe.hpp"

namespace dflab::images {

// Where hidden bytes went: (offset, length) pieces in the data's order.
using Extents = std::vector<std::pair<uint64_t, uint64_t>>;

// Writes `bytes` into the unallocated space of the finished file system image `fs_image` (a file
// system at byte 0), from byte `hide.offset` of that space, counted over the free blocks in
// order; data longer than one free run continues in the next. Returns file system offsets.
// Throws dflab::engine::Error, prefixed with `where`, when the bytes do not fit or the split
// leaves nothing for its second fragment.
Extents hide_in_unallocated(const std::filesystem::path& fs_image, const HideData& hide,
                            std::span<const std::byte> bytes, std::string_view where,
                            std::string_view partition_id);

// Writes `bytes` into the disk image `raw` at byte `at` (the second fragment after the split's
// gap); throws when they would end beyond `disk_size`. Returns disk offsets.
Extents hide_on_disk(const std::filesystem::path& raw, const HideData& hide,
                     std::span<const std::byte> bytes, uint64_t at, uint64_t disk_size,
                     std::string_view where);

}  // namespace dflab::images
