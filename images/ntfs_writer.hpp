#pragma once
// The NTFS writer: mkntfs makes the file system (ntfs_format.hpp) and the libntfs-3g library
// changes it, on the image file itself, without root and without mounting it in the system.
//
// Reproducibility: mkntfs runs under faketime at the story's time (its times and the random
// numbers it seeds from the clock follow), the serial is the spec's or derived from the recipe,
// and every time stamp libntfs-3g writes from the machine's clock is replaced with the story's
// before the inode is written back. Names are looked up without regard to case, like Windows.
//
// Semantics, as Windows would leave them:
// - make_directory / write_file: $STANDARD_INFORMATION and the $FILE_NAME attribute in the new
//   record hold the action time in all four fields (created, modified, MFT changed, accessed);
//   the parent folder's modified and MFT-changed times become the action time. Small files stay
//   resident in their MFT record, as on Windows.
// - write_stream: a named $DATA attribute (created, or replaced); the file's modified and
//   MFT-changed times become the action time ($FILE_NAME unchanged).
// - set_times: $STANDARD_INFORMATION only ($FILE_NAME unchanged, as SetFileTime does).
// - rename: the same MFT record under the new name; its MFT-changed time and both parents'
//   modified and MFT-changed times become the action time; the new $FILE_NAME takes the file's
//   $STANDARD_INFORMATION times.
// - remove: the name leaves the index, the MFT record and its clusters are freed but not cleared,
//   so TSK's icat of the record still gives the content; with overwrite, the clusters (or the
//   resident value) of every $DATA attribute are zeroed first. The record's times stay.
// - The copy of each name in its parent folder's index holds the $STANDARD_INFORMATION times
//   (as libntfs-3g and Windows keep it when a file changes).
// - Writing to a path that exists, or renaming onto one, is an error.
//
// stored_times(): NTFS keeps 100 ns steps, so whole seconds are stored exactly.
// finish() unmounts the volume cleanly (not dirty); a later change mounts it again.
#include <memory>

#include "images/file_system_writer.hpp"
#include "images/recipe.hpp"

namespace dflab::images {

std::unique_ptr<FileSystemWriter> make_ntfs_writer();

}  // namespace dflab::images
