#pragma once
// The FAT writer (FAT12, FAT16, FAT32): mkfs.fat makes the file system and mtools changes it, on
// the image file itself, without root and without mounting. Time stamps that the tools cannot set
// (creation time to the second, times of an existing entry) are patched into the 32-byte
// directory entry, found through The Sleuth Kit's FAT inode number. FAT stores local time without
// a zone: every time is written as the local time in the partition's zone (PartitionSpec::
// timezone, the story's zone unless the partition gives its own), as the machine would.
#include <memory>

#include "images/file_system_writer.hpp"
#include "images/recipe.hpp"

namespace dflab::images {

// A writer for FAT12, FAT16 or FAT32; throws dflab::engine::Error for any other type.
std::unique_ptr<FileSystemWriter> make_fat_writer(FileSystemType type);

}  // namespace dflab::images
