#pragma once
// The one JSON shape of a file system entry, written by `dflab ls --json` and by the `find` step of
// pack solutions (and so in answer keys); `dflab hash`, `yara` and `search` carry its path fields.
// Documented in docs/entry-format.md; the case database's files table holds the same fields.
//
//   partition    integer        partition index, as dflab partitions / mmls number it
//   path         string         display text (valid UTF-8): "/Docs/report.txt", "/a.txt:stream"
//   path_hex     string         only when the path's bytes are not valid UTF-8: those bytes in hex
//   name         string         display text of the last component
//   name_hex     string         only when the name's bytes are not valid UTF-8
//   inode        string         as TSK prints it: "14", "64-128-3"
//   type         string         file, directory, symlink, virtual, ..., unknown
//   size         integer        bytes
//   allocated    boolean        false for a deleted name
//   deleted      boolean        !allocated
//   reallocated  boolean        deleted name whose metadata is in use again
//   mtime atime ctime crtime           string|null  ISO 8601 UTC (FAT: read in fat_zone)
//   fn_mtime fn_atime fn_ctime fn_crtime  string|null  NTFS $FILE_NAME times; null elsewhere
//   mode         integer        permission bits (420 = 0644)
//   uid gid      integer
//   fat_zone     string         FAT and exFAT only: the IANA zone local times were read in
//
// Display text replaces each ill-formed UTF-8 subpart of a name with U+FFFD (common/utf8.hpp);
// the _hex field keeps the exact bytes TSK read, the bytes `fls` prints.
#include <nlohmann/json.hpp>

#include <optional>

#include "engine/file_system.hpp"

namespace dflab::engine {

// ISO 8601 UTC, or null.
nlohmann::json time_json(const std::optional<int64_t>& t);

// The entry in the shape above.
nlohmann::json entry_json(const Entry& e);

// Only the location fields: partition, path (+ path_hex), inode, allocated. For records about an
// entry (a hash, a YARA match, a keyword hit) that do not repeat all of it.
nlohmann::json entry_location_json(const Entry& e);

}  // namespace dflab::engine
