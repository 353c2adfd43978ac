#pragma once
// The disk of a recipe (internal): its size, sector size and partition table, and the
// partitions laid out on it, each checked to fit, not to overlap and to suit its table.
#include <cstdint>

#include "images/recipe.hpp"
#include "images/recipe_reader.hpp"

namespace dflab::images::recipe_detail {

// Where partitions may go, in sectors.
struct Layout {
    uint64_t sectors = 0;       // of the disk
    uint64_t first_usable = 0;  // first sector a partition may use
    uint64_t end_usable = 0;    // first sector after the usable area
};

// The `disk:` section. Fills `layout`.
DiskSpec parse_disk(const Context& ctx, const Field& section, Layout& layout);

// Bytes of free space between partition `p` and what follows it (the next partition, with a
// logical one's boot record, or the end of the usable area).
uint64_t gap_after(const DiskSpec& disk, const Layout& layout, const PartitionSpec& p);

}  // namespace dflab::images::recipe_detail
