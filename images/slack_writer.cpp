#include "images/slack_writer.hpp"

#include <optional>

#include "engine/error.hpp"
#include "engine/evidence.hpp"
#include "engine/file_system.hpp"
#include "engine/tsk_access.hpp"  // data runs of our own trusted images
#include "engine/volumes.hpp"
#include "images/image_file.hpp"

namespace dflab::images {

namespace fs = std::filesystem;
using engine::Error;

namespace {

// The image byte that holds byte `at` of the attribute's content, following its data runs;
// nothing when that byte is not in a plain (allocated, not sparse) run.
std::optional<uint64_t> image_byte(const TSK_FS_ATTR& attr, uint64_t block_size, uint64_t at) {
    const uint64_t block = at / block_size;
    for (const TSK_FS_ATTR_RUN* run = attr.nrd.run; run; run = run->next) {
        if (block < run->offset || block >= run->offset + run->len) continue;
        if (run->flags != TSK_FS_ATTR_RUN_FLAG_NONE) return std::nullopt;
        return (run->addr + (block - run->offset)) * block_size + at % block_size;
    }
    return std::nullopt;
}

}  // namespace

SlackPlace find_slack(const fs::path& image, std::string_view path, std::string_view where) {
    const std::string prefix = std::string(where) + ": slack: " + std::string(path) + ": ";
    auto evidence = engine::Evidence::open({image.string()});
    auto partition = engine::file_system_partitions(evidence).front();
    const engine::FileSystem file_system(evidence, partition);
    TSK_FS_INFO* tsk = engine::tsk_handle(file_system);
    engine::Entry entry = [&] {
        try {
            return file_system.find(path);
        } catch (const Error& e) {
            throw Error(prefix + "not found in the file system (" + e.what() + ")");
        }
    }();
    if (entry.type != "file") throw Error(prefix + "not a regular file");
    engine::TskFile file(tsk_fs_file_open_meta(tsk, nullptr, entry.address.meta_addr));
    const TSK_FS_ATTR* attr = file ? tsk_fs_file_attr_get(file.get()) : nullptr;
    if (!attr || attr->size <= 0) {
        engine::take_tsk_error();
        throw Error(prefix + "the file is empty: it has no cluster and so no slack");
    }
    if (attr->flags & TSK_FS_ATTR_RES)
        throw Error(prefix + "the content is resident in the file's metadata record: no slack");
    if (!(attr->flags & TSK_FS_ATTR_NONRES) || (attr->flags & (TSK_FS_ATTR_COMP | TSK_FS_ATTR_ENC)))
        throw Error(prefix + "the content is compressed or encrypted: its slack is not plain");

    SlackPlace place;
    place.inode = entry.inode;
    place.file_size = static_cast<uint64_t>(attr->size);
    const auto allocated = static_cast<uint64_t>(attr->nrd.allocsize);
    place.capacity = allocated > place.file_size ? allocated - place.file_size : 0;
    if (place.capacity == 0)
        throw Error(prefix + "the content (" + std::to_string(place.file_size) +
                    " bytes) fills its last cluster exactly: no slack");
    const uint64_t block_size = tsk->block_size;
    const auto first = image_byte(*attr, block_size, place.file_size);
    const auto last = image_byte(*attr, block_size, allocated - 1);
    // The slack lies in the last cluster, which is contiguous; a gap means a layout we do not
    // understand, so refuse rather than write somewhere else.
    if (!first || !last || *last - *first != place.capacity - 1)
        throw Error(prefix + "the file's last cluster is not in one plain run");
    place.offset = *first;
    return place;
}

SlackPlace write_slack(const fs::path& image, std::string_view path,
                       std::span<const std::byte> data, std::string_view where) {
    SlackPlace place = find_slack(image, path, where);
    if (data.empty()) throw Error(std::string(where) + ": slack: no data to write");
    if (data.size() > place.capacity)
        throw Error(std::string(where) + ": slack: " + std::to_string(data.size()) +
                    " bytes do not fit in the " + std::to_string(place.capacity) +
                    " bytes of slack after " + std::string(path) + " (" +
                    std::to_string(place.file_size) + " bytes)");
    write_at(image, place.offset, data);
    return place;
}

}  // namespace dflab::images
