#pragma once
// File systems: every entry of a file system, allocated and deleted, orphans included, with NTFS
// alternate data streams as entries of their own; and finding one entry by path or address.
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine/evidence.hpp"
#include "engine/volumes.hpp"

namespace dflab::engine {

// Where an entry's content lives: enough to reopen it on any handle of the same file system.
struct ContentAddress {
    uint64_t meta_addr = 0;
    std::optional<uint32_t> attr_type;  // NTFS: 128 for $DATA, 144 for $INDEX_ROOT
    std::optional<uint16_t> attr_id;
};

// NTFS: the four times of a file's $FILE_NAME attribute (type 48), the block that istat prints as
// "$FILE_NAME Attribute Values" (the attribute TSK reads them from: meta->time2.ntfs.fn_id).
// Windows sets them when the name is made or moved; timestomping tools change only the
// $STANDARD_INFORMATION times (the Entry's own), so the two disagree.
struct FileNameTimes {
    std::optional<int64_t> mtime, atime, ctime, crtime;  // seconds since the epoch, UTC
};

struct Entry {
    int partition = 0;
    std::string path;   // leading '/', e.g. "/Users/a.txt" or "/a.txt:secret" for a stream
    std::string name;   // last component (with ":stream" for a stream)
    std::string inode;  // as TSK prints it: "14", or "64-128-3" on NTFS
    ContentAddress address;
    std::string type;  // "file", "directory", "symlink", "virtual", "fifo", ... or "unknown"
    uint64_t size = 0;
    bool allocated = true;     // the name is allocated (TSK's fls marks the rest with '*')
    bool reallocated = false;  // the name is deleted but its metadata is in use again
    bool has_metadata = false;
    std::optional<int64_t> mtime, atime, ctime, crtime;  // seconds since the epoch, UTC
    uint32_t mode = 0;                                   // permission bits
    uint32_t uid = 0, gid = 0;
    // Who owns the entry, as text (engine/entry_owner.hpp; the YARA external `owner`): the uid in
    // decimal on ext and other Unix file systems ("1000"), the owner SID on NTFS
    // ("S-1-5-21-...-1001"), "" on FAT and exFAT, without metadata or when TSK cannot read it.
    std::string owner;
    std::string mode_string;                 // as fls -m prints it, e.g. "r/rrw-r--r--"
    std::optional<FileNameTimes> file_name;  // NTFS only: the $FILE_NAME times
    // FAT and exFAT only: the IANA zone the entry's local times were read in (the partition's
    // fat_zone); absent on file systems that store UTC.
    std::optional<std::string> fat_zone;
    std::string extension() const;  // lower-case, without the dot; "" when none
};

struct WalkOptions {
    bool recursive = true;
    bool include_deleted = true;
    bool include_allocated = true;
    std::string start_path = "/";  // walk below this directory only
};

// Calls `visit` for every entry of the file system, in TSK's directory order.
void walk_entries(TSK_FS_INFO* fs, const Evidence& evidence, const Partition& partition,
                  const WalkOptions& options, const std::function<void(Entry&&)>& visit);

std::vector<Entry> list_entries(TSK_FS_INFO* fs, const Evidence& evidence,
                                const Partition& partition, const WalkOptions& options = {});

// Parses "14" or "64-128-3"; throws Error on anything else.
ContentAddress parse_inode(const std::string& text);

// Describes one entry by address (no path known: path is "" unless found by path).
Entry describe_address(TSK_FS_INFO* fs, const Partition& partition, const ContentAddress& address);

// Finds an entry by path ("/dir/file", "\\dir\\file", "/file:stream"). Case-insensitive where
// the file system is (FAT, NTFS, exFAT, HFS+). Throws Error when nothing is there.
Entry find_by_path(TSK_FS_INFO* fs, const Evidence& evidence, const Partition& partition,
                   const std::string& path);

std::string format_inode(const ContentAddress& address);

// FAT stores local time without a zone, and TSK turns it into seconds with the process's time
// zone (mktime). The instant that the local time TSK read as `tsk_seconds` stands for in the
// IANA zone `zone`: the same as `fls -z ZONE` prints. A local time that happens twice (the
// clocks go back) gives the earlier instant; one the clocks skip is read with the offset before
// the change, as mktime does. Throws Error for an unknown zone.
int64_t fat_time_in_zone(int64_t tsk_seconds, const std::string& zone);

// The zones FAT file systems are read in: `all` for every partition unless `by_partition` names
// the partition's index.
struct FatZones {
    std::string all = "UTC";
    std::map<int, std::string> by_partition;
    const std::string& zone_for(int partition_index) const;
};

// Whether the partition holds FAT or exFAT (TSK's names fat12, fat16, fat32, exfat), whose times
// are read in its fat_zone.
bool holds_fat(const Partition& partition);

// Parses --fat-zone values: "ZONE" (every partition) or "N=ZONE" (partition N), each an IANA
// zone. Throws Error naming the value that is not one.
FatZones parse_fat_zones(const std::vector<std::string>& values);

// The $FILE_NAME times of an NTFS file, read from the attribute's content; none on other file
// systems or when the file has no $FILE_NAME attribute.
std::optional<FileNameTimes> file_name_times(TSK_FS_FILE* file);

}  // namespace dflab::engine
