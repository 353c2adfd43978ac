#pragma once
// Writing one file system into its own image file, action by action, without root and without
// mounting (mtools for FAT, mke2fs/debugfs for ext, mkntfs/libntfs-3g for NTFS). Every time stamp
// comes from the recipe's story clock, never from the machine's: the same calls give the same
// bytes.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>

#include "images/recipe.hpp"

namespace dflab::images {

class FileSystemWriter {
  public:
    virtual ~FileSystemWriter() = default;

    // Creates the empty file system in `image` (created or truncated to `size` bytes) as if at
    // `time` (UTC seconds), with the spec's label, serial/UUID and cluster size.
    virtual void format(const PartitionSpec& spec, const std::filesystem::path& image,
                        uint64_t size, int64_t time) = 0;

    // Paths are absolute inside the file system ("/Docs/a.txt"); parent folders exist (the
    // builder makes them first). `time` is when the action happens.
    virtual void make_directory(const std::string& path, int64_t time) = 0;
    virtual void write_file(const std::string& path, std::span<const std::byte> content,
                            int64_t time) = 0;
    virtual void set_times(const std::string& path, const Times& times) = 0;  // absent: unchanged
    virtual void rename(const std::string& from, const std::string& to, int64_t time) = 0;
    // Deletes the name; the content stays in its blocks (recoverable) unless `overwrite`, which
    // first fills the content's blocks with zeros.
    virtual void remove(const std::string& path, bool overwrite, int64_t time) = 0;
    // Writes the alternate data stream `path:stream` of an existing file or folder (replacing
    // one of that name). Only NTFS has them: the default throws dflab::engine::Error.
    virtual void write_stream(const std::string& path, const std::string& stream,
                              std::span<const std::byte> content, int64_t time);

    // The times the file system will really hold when asked to store `wanted` (FAT keeps even
    // seconds for mtime, the date only for atime, no ctime; ext keeps whole seconds here).
    // The truth manifest records these, and the self-check expects them.
    virtual Times stored_times(const Times& wanted) const = 0;

    // Flushes anything pending; the image file is complete afterwards. Changes may follow (the
    // builder finishes a file system to read it, then goes on); finish again after them.
    virtual void finish() = 0;
};

// A writer for the file system type.
std::unique_ptr<FileSystemWriter> make_file_system_writer(FileSystemType type);

}  // namespace dflab::images
