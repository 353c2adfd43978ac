#include "images/hidden_data.hpp"

#include <string>

#include "engine/error.hpp"
#include "engine/evidence.hpp"
#include "engine/file_system.hpp"
#include "engine/unallocated.hpp"
#include "engine/volumes.hpp"
#include "images/image_file.hpp"

namespace dflab::images {

namespace fs = std::filesystem;
using engine::Error;

namespace {

// A generated document's size is known only now: split must leave bytes in both fragments.
void check_split(std::string_view where, const HideData& hide, uint64_t size) {
    if (hide.split_after && *hide.split_after >= size)
        throw Error(std::string(where) + ": hide: split: after (" +
                    std::to_string(*hide.split_after) +
                    " bytes) leaves nothing for the second fragment of " + std::to_string(size) +
                    " bytes; make it smaller");
}

uint64_t span_of(const HideData& hide, uint64_t size) {
    return size + (hide.split_after ? hide.split_gap : 0);
}

}  // namespace

Extents hide_in_unallocated(const fs::path& fs_image, const HideData& hide,
                            std::span<const std::byte> bytes, std::string_view where,
                            std::string_view partition_id) {
    // Our own image, just written: parsed in-process.
    auto evidence = engine::Evidence::open({fs_image.string()});
    auto part = engine::file_system_partitions(evidence).front();
    auto space = engine::UnallocatedSpace::map(engine::FileSystem(evidence, part));
    check_split(where, hide, bytes.size());
    const uint64_t span = span_of(hide, bytes.size());
    if (span > space.size() || hide.offset > space.size() - span) {
        throw Error(std::string(where) + ": hide: " + std::to_string(span) + " bytes at offset " +
                    std::to_string(hide.offset) + " do not fit in the " +
                    std::to_string(space.size()) + " unallocated bytes of partition " +
                    std::string(partition_id));
    }
    // Where byte `i` of the data goes in the free area: after the gap once split.
    auto area_offset = [&](uint64_t i) {
        return hide.offset + i + (hide.split_after && i >= *hide.split_after ? hide.split_gap : 0);
    };
    // Written run by run, so data longer than one free run continues in the next free block.
    uint64_t done = 0;
    Extents extents;
    while (done < bytes.size()) {
        const uint64_t at = space.image_offset(area_offset(done));
        uint64_t run = 1;
        while (done + run < bytes.size() && space.image_offset(area_offset(done + run)) == at + run)
            ++run;
        write_at(fs_image, at, bytes.subspan(done, run));
        extents.emplace_back(at, run);
        done += run;
    }
    return extents;
}

Extents hide_on_disk(const fs::path& raw, const HideData& hide, std::span<const std::byte> bytes,
                     uint64_t at, uint64_t disk_size, std::string_view where) {
    check_split(where, hide, bytes.size());
    const uint64_t span = span_of(hide, bytes.size());
    if (span > disk_size || at > disk_size - span)
        throw Error(std::string(where) + ": hide: data beyond the end of the disk");
    Extents extents{{at, bytes.size()}};
    if (hide.split_after)
        extents = {{at, *hide.split_after},
                   {at + *hide.split_after + hide.split_gap, bytes.size() - *hide.split_after}};
    uint64_t done = 0;
    for (auto [offset, length] : extents) {
        write_at(raw, offset, bytes.subspan(done, length));
        done += length;
    }
    return extents;
}

}  // namespace dflab::images
