#pragma once
// The ground truth of a built image (NAME.truth.json, documented in docs/truth-manifest.md): what
// was planted where, as the recipe meant it and the file system stored it.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "images/recipe.hpp"

namespace dflab::images {

struct TruthArtifact {
    std::string id;
    std::string kind = "file";  // file, stream, hidden
    std::string partition_id;   // recipe id
    int partition = -1;         // index as `dflab partitions` numbers it; -1 for disk offsets
    std::string path;   // inside the file system ("/a.txt", "/a.txt:stream"); "" for hidden data
    std::string inode;  // as TSK prints it
    bool allocated = true;
    uint64_t size = 0;
    std::string sha256;
    Times times;  // as stored by the file system
    // NTFS files: the times of the $FILE_NAME attribute (set when the name is made or moved,
    // untouched by a change of times), written as fn_mtime, fn_atime, fn_ctime, fn_crtime.
    std::optional<Times> file_name_times;
    std::optional<uint64_t> image_offset;  // hidden data: absolute byte offset in the image
    // Hidden data stored in more than one piece (split, or longer than a free run): the image
    // extents in data order, {offset, length}; empty when it is one piece.
    std::vector<std::pair<uint64_t, uint64_t>> fragments;
};

struct TruthPartition {
    int index = 0;
    uint64_t start = 0;  // sectors
    std::string id, filesystem;
    bool table_entry = true;  // false when the recipe deleted its table entry
    // FAT: the IANA zone its local times were written in (read them in it: fls -z, --fat-zone);
    // absent for file systems that store UTC. The artifacts' times stay UTC instants.
    std::optional<std::string> fat_zone;
};

struct Truth {
    std::string recipe, name;
    unsigned variant = 0;
    uint64_t seed = 0;
    std::string timezone;
    std::string sha256;
    uint64_t size = 0;
    std::vector<TruthPartition> partitions;
    std::vector<TruthArtifact> artifacts;
    std::vector<std::pair<std::string, std::string>> variables;
};

std::string truth_json(const Truth& truth);  // pretty-printed, keys in a fixed order

}  // namespace dflab::images
