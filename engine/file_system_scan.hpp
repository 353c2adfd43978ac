#pragma once
// Finds file systems by their signatures anywhere in an image, as TSK's sigfind or TestDisk do,
// so that file systems behind a damaged or wiped partition table can still be reached (then read
// with --offset SECTOR).
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "engine/evidence.hpp"

namespace dflab::engine {

struct FoundFileSystem {
    uint64_t start = 0;     // in sectors from the start of the image
    uint64_t length = 0;    // in sectors, as the file system's own size says
    std::string type;       // TSK's name: "fat16", "ntfs", "ext4", ...
    std::string signature;  // what was found: "FAT boot sector", "NTFS boot sector", ...
};

// Reads the whole image once. Every sector is checked for a FAT, exFAT or NTFS boot sector and
// for an ext2/3/4 superblock 1024 bytes in; a candidate counts only when TSK opens a file system
// there, and candidates inside a file system already found (its backup boot sector or
// superblocks) are skipped. `progress` receives bytes read so far and the image size.
std::vector<FoundFileSystem> scan_for_file_systems(
    const Evidence& evidence, const std::function<void(uint64_t, uint64_t)>& progress = {});

}  // namespace dflab::engine
