#include "images/file_system_writer.hpp"

#include "engine/error.hpp"
#include "images/ext_writer.hpp"
#include "images/fat_writer.hpp"

namespace dflab::images {

std::unique_ptr<FileSystemWriter> make_file_system_writer(FileSystemType type) {
    switch (type) {
        case FileSystemType::Fat12:
        case FileSystemType::Fat16:
        case FileSystemType::Fat32:
            return make_fat_writer(type);
        case FileSystemType::Ext2:
        case FileSystemType::Ext3:
        case FileSystemType::Ext4:
            return make_ext_writer(type);
        case FileSystemType::Ntfs:
            break;
    }
    throw engine::Error(
        "NTFS: not supported by this version of the image builder (FAT and ext are)");
}

}  // namespace dflab::images
