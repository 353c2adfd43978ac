#pragma once
// File systems: every entry of a file system, allocated and deleted, orphans included, with NTFS
// alternate data streams as entries of their own; and finding one entry by path or address.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
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

// A directory the walk could not read: what it cost is that directory's entries (and those below
// it); everything else of the file system is still visited.
struct WalkError {
    int partition = 0;
    std::optional<uint64_t> address;  // the directory's metadata address, when known
    std::string path;                 // the directory, e.g. "/photos" ("/" for the root)
    std::string message;              // what TSK said, one line
};

// What describes a file system as a whole (TSK's fsstat header).
struct FileSystemInfo {
    std::string type;  // TSK's name: "ext4", "fat16", "ntfs", ...
    uint32_t block_size = 0;
    uint64_t block_count = 0, first_block = 0, last_block = 0;
    uint64_t root_address = 0;  // the root directory's metadata address
    std::string volume_id;      // hex: FAT/NTFS serial as fsstat shows it, ext UUID
    uint64_t byte_offset = 0;   // where the file system starts in the image
};

struct ReadOptions {
    bool slack = false;  // read up to the allocated size, not just the file size
};

class ContentReader;  // engine/content.hpp

// One file system of an image: opens its own TSK handle on `evidence`, which must outlive it.
// Move-only. Reads through one handle are serialised by TSK: give each thread its own
// FileSystem (on its own Evidence::reopen()).
class FileSystem {
  public:
    // Throws Error naming the image and partition when no file system opens there.
    FileSystem(const Evidence& evidence, const Partition& partition);
    FileSystem(FileSystem&&) noexcept;
    FileSystem& operator=(FileSystem&&) noexcept;
    ~FileSystem();

    const Partition& partition() const;
    const std::string& image_name() const;  // the evidence's name, for messages
    FileSystemInfo info() const;
    // Whether names compare without case (FAT, NTFS, exFAT, HFS+, ISO 9660).
    bool case_insensitive() const;

    // Visits every entry in TSK's directory order (what fls prints), orphans under
    // /$OrphanFiles. A directory that cannot be read is reported to `on_error` (once, naming its
    // path and address, right after its own entry) and the walk goes on; without `on_error`
    // the first such error throws Error. Only allocated directories are reported: a deleted one
    // whose contents are gone is skipped silently, as fls does. Throws Error when the start
    // directory is not one; when it cannot be read it is the WalkError (or the Error).
    void walk(const WalkOptions& options, const std::function<void(Entry&&)>& visit,
              const std::function<void(const WalkError&)>& on_error = {}) const;
    // The entries walk() visits, as a list.
    std::vector<Entry> list(const WalkOptions& options = {},
                            const std::function<void(const WalkError&)>& on_error = {}) const;

    // Finds an entry by path ("/dir/file", "\\dir\\file", "/file:stream"), preferring an
    // allocated entry to a deleted one of the same name. Case-insensitive where the file system
    // is. Throws Error naming image, partition and path when nothing is there.
    Entry find(std::string_view path) const;

    // Describes one entry by address (no path known: path is "").
    Entry describe(const ContentAddress& address) const;

    // The attribute TSK reads when given only the metadata address (what `icat IMAGE ENTRY`
    // reads): its type and id, or none (no metadata, or no content attribute).
    std::optional<ContentAddress> default_attribute(uint64_t meta_addr) const;

    // A reader of the entry's content (engine/content.hpp). Throws Error when the address has no
    // metadata or no such attribute.
    ContentReader content(const ContentAddress& address, ReadOptions options = {}) const;

  private:
    struct Impl;
    friend struct FileSystemAccess;
    std::unique_ptr<Impl> impl_;
};

// "IMAGE: partition N: directory /path (inode 12): cannot read: MESSAGE", the line that tools
// print (after "dflab: ") for each WalkError.
std::string format_walk_error(const std::string& image_name, const WalkError& error);

// Parses "14" or "64-128-3"; throws Error on anything else.
ContentAddress parse_inode(const std::string& text);

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

}  // namespace dflab::engine
