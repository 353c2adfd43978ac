#pragma once
// Volumes: the partition table (MBR with extended/logical, GPT, ...) or a bare file system, with
// the unallocated gaps between partitions, and which file system each one holds.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/evidence.hpp"

namespace dflab::engine {

struct Partition {
    int index = 0;            // the slot number mmls prints; a bare file system is 0
    uint64_t start = 0;       // in sectors
    uint64_t length = 0;      // in sectors
    std::string description;  // as the partition table describes it
    std::string kind;         // "partition", "unallocated" (a gap) or "meta" (the table itself)
    std::optional<std::string>
        filesystem;  // TSK's name ("ntfs", "fat16", "ext4", ...) if one opens here
    uint32_t sector_size = 512;

    // Where the file system begins, in sectors from the start of the image: `start`, unless the
    // file system was found further into an unallocated gap (a deleted partition-table entry).
    std::optional<uint64_t> filesystem_start;

    // FAT (and exFAT) store local time without a zone: the IANA zone their times are read in
    // (docs/engine.md, "FAT times"). Other file systems store UTC and ignore it.
    std::string fat_zone = "UTC";

    uint64_t byte_offset() const { return filesystem_start.value_or(start) * sector_size; }
    uint64_t byte_length() const { return length * sector_size; }
};

struct VolumeLayout {
    std::string scheme;  // "dos", "gpt", ... or "none" for a bare file system
    std::vector<Partition> partitions;
};

// Lists every slot of the volume system (partitions, gaps, table entries) and probes each
// partition and gap for a file system. Throws Error when neither a volume system nor a file
// system is found.
//
// With `offset` (in sectors, as TSK's `-o`), the partition table is not read at all: the layout
// is one file system starting there (scheme "offset", index 0, to the end of the image), which is
// how an intact file system behind a damaged partition table is reached. Throws Error when the
// offset lies outside the image or no file system opens there.
VolumeLayout read_volume_layout(const Evidence& evidence,
                                std::optional<uint64_t> offset = std::nullopt);

// The partitions that hold a file system, optionally only the one with `index`, or only the one
// at `offset` (see read_volume_layout). Throws Error naming the image when `index` is given but
// holds no file system.
std::vector<Partition> file_system_partitions(const Evidence& evidence,
                                              std::optional<int> index = std::nullopt,
                                              std::optional<uint64_t> offset = std::nullopt);

// The TSK name of the file system that opens at `byte_offset` ("fat16", "ext4", "ntfs", ...) and
// its length in bytes, or nullopt. Where a FAT, exFAT, NTFS or ext signature is (see
// file_system_signature.hpp) TSK opens that family only; elsewhere, with Probing::Any, TSK's
// autodetection tries every type it knows (HFS+, ISO 9660, UFS, YAFFS2, APFS, ...), which can
// read far into the image, so places that are only guesses (gaps between partitions) are probed
// with Probing::Signature.
struct FileSystemProbe {
    std::string type;
    uint64_t length = 0;
};
enum class FileSystemProbing { Any, Signature };
std::optional<FileSystemProbe> probe_file_system(
    const Evidence& evidence, uint64_t byte_offset,
    FileSystemProbing probing = FileSystemProbing::Any);

}  // namespace dflab::engine
