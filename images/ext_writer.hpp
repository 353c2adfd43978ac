#pragma once
// The ext writer (ext2, ext3, ext4): mke2fs makes the file system and debugfs changes it, on the
// image file itself, without root and without mounting.
//
// Reproducibility: both tools run with a fixed environment (TZ=UTC, LC_ALL=C.UTF-8, a private
// mke2fs.conf, E2FSPROGS_FAKE_TIME = the story's time), every feature and layout parameter is
// given explicitly (-O none,..., -b, -I 256, -i, -E hash_seed, root_owner, lazy_itable_init=0,
// nodiscard), the UUID is the spec's serial or derived from the partition id, and the directory
// hash seed is derived from the UUID. Every inode time is set explicitly (seconds, nanoseconds 0).
//
// Semantics, as the Linux kernel would leave them:
// - make_directory / write_file: the new inode's atime, mtime, ctime and crtime are the action
//   time (files: mode 0644, directories 0755, owner 0:0); the parent's mtime and ctime too.
// - rename: the same inode under the new name (the old entry stays in the old directory as a
//   deleted name); the inode's ctime and both parents' mtime and ctime become the action time.
//   A directory moved elsewhere gets its ".." fixed and both parents' link counts adjusted.
// - remove: the name is unlinked, the inode freed (links 0, dtime and ctime = action time), its
//   blocks freed but not cleared: block pointers and content stay, so the file is recoverable.
//   With overwrite, the data blocks are filled with zeros first.
// - Writing to a path that exists, or renaming onto one, is an error.
//
// stored_times(): ext keeps whole seconds here. All three use 256-byte inodes, so crtime and the
// extra epoch bits (times up to 2446) are in every inode; but The Sleuth Kit reads crtime only on
// ext4, so for ext2 and ext3 crtime is reported absent (it is still written, as the action time).
// Times before 1970 are stored as Linux does; TSK reads them as unsigned (a TSK limitation).
//
// Commands are batched: debugfs runs once per batch, when finish() is called, when the data
// blocks of a file are needed (remove with overwrite) or when a batch grows large. An error in
// any action of a batch is reported naming that action.
// finish() runs the pending batch: the image is complete; a later change starts a new batch.
#include <filesystem>
#include <memory>

#include "images/file_system_writer.hpp"
#include "images/recipe.hpp"

namespace dflab::images {

// A writer for ext2, ext3 or ext4; throws dflab::engine::Error for any other type.
std::unique_ptr<FileSystemWriter> make_ext_writer(FileSystemType type);

// write_file with the content of the host file `source` (a pack asset), which debugfs then reads
// itself instead of a temporary copy (same result: mode 0644, owner 0:0, the action's times).
// Returns false, doing nothing, when `writer` is not an ext writer or debugfs cannot name
// `source` (a line break in its path); the caller then writes the bytes as usual.
bool write_ext_file_from(FileSystemWriter& writer, const std::string& path,
                         const std::filesystem::path& source, int64_t time);

}  // namespace dflab::images
