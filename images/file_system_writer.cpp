#include "images/file_system_writer.hpp"

#include "engine/error.hpp"
#include "images/ext_writer.hpp"
#include "images/fat_writer.hpp"
#include "images/ntfs_writer.hpp"

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
            return make_ntfs_writer();
    }
    throw engine::Error("image builder: unknown file system type");
}

void FileSystemWriter::write_stream(const std::string& path, const std::string& stream,
                                    std::span<const std::byte>, int64_t) {
    throw engine::Error("stream " + path + ":" + stream +
                        ": alternate data streams exist only on NTFS");
}

}  // namespace dflab::images
