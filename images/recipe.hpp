#pragma once
// A recipe: the declarative description of one evidence disk image (docs/recipe-format.md).
// The parser (recipe_parser.hpp) turns YAML into these structures, resolving the seeded variant
// values, so that builders never see YAML and every value is already checked.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "common/source_error.hpp"
#include "images/browser_history.hpp"
#include "images/event_log.hpp"
#include "images/exif_block.hpp"
#include "images/prefetch.hpp"
#include "images/registry_hive.hpp"
#include "images/shell_link.hpp"

namespace dflab::images {

// Where a value came from in the recipe, for error messages: "recipe.yaml:12:7".
using common::SourceMark;

enum class FileSystemType { Fat12, Fat16, Fat32, Ntfs, Ext2, Ext3, Ext4 };
enum class PartitionTable { None, Mbr, Gpt };

struct PartitionSpec {
    std::string id;  // referred to by actions ("p1")
    FileSystemType filesystem = FileSystemType::Fat32;
    std::optional<uint64_t> start;  // sectors; default: after the previous one, 1 MiB aligned
    uint64_t size = 0;              // bytes
    std::string label;
    std::optional<std::string> serial;     // FAT volume id (8 hex), NTFS serial (16 hex), ext UUID
    std::optional<uint32_t> cluster_size;  // bytes (FAT/NTFS cluster, ext block size)
    bool logical = false;                  // MBR: inside the extended partition
    bool delete_entry = false;             // remove its table entry after building (FS stays)
    std::optional<std::string> type_code;  // MBR type byte ("0c") or GPT type GUID; default by FS
    // FAT: the IANA zone of the machine that writes it (FAT stores local time in that zone);
    // the partition's `timezone`, else the recipe's. Empty for NTFS and ext (they store UTC).
    std::string timezone;
    SourceMark mark;
};

struct DiskSpec {
    uint64_t size = 0;  // bytes
    uint32_t sector_size = 512;
    PartitionTable table = PartitionTable::Mbr;
    std::vector<PartitionSpec> partitions;  // for PartitionTable::None exactly one
};

struct CaseMetadata {  // written into E01 output
    std::string case_number, evidence_number, examiner, description, notes;
    std::optional<int64_t> acquisition_time;  // UTC seconds
};

// What a file's content is made of. Text is UTF-8 (Cyrillic and Kazakh included).
struct TextContent {
    std::string text;
};
struct Base64Content {
    std::string base64;
};
struct AssetContent {
    std::string path;
};  // resolved, inside the pack folder
struct RandomContent {
    uint64_t size = 0;
};  // seeded pseudo-random bytes
// A key of a generated registry hive; without its own time it takes the action's.
struct RegistryKeyContent {
    HiveKey key;
    bool has_time = false;  // key.last_write was given
};
// A generated shell link; the target's times not given take the action's.
struct ShellLinkContent {
    ShellLinkSpec spec;
    bool has_created = false, has_accessed = false, has_modified = false;
};
// An event of a generated event log; without its own time it takes the action's.
struct EventLogEventContent {
    EventRecordSpec record;
    bool has_time = false;
};
// A generated prefetch file; without run times it records one run at the action's time, and the
// volume without a creation time takes the action's.
struct PrefetchContent {
    PrefetchSpec spec;
    bool has_last_run = false, has_run_count = false, has_volume_created = false;
};
struct GeneratedContent {
    std::string type;  // jpeg, png, pdf, zip, sqlite, registry, lnk, evtx, prefetch
    std::map<std::string, std::string> options;  // e.g. width, height, text, title, root
    std::vector<std::pair<std::string, std::string>> members;  // zip: name -> text
    std::vector<std::string> sql;                   // sqlite: statements (schema and rows)
    std::vector<RegistryKeyContent> registry_keys;  // registry: the keys, in the given order
    ShellLinkContent shell_link;                    // lnk
    std::vector<EventLogEventContent> events;       // evtx: the records, in the given order
    std::optional<ExifSpec> exif;                   // jpeg: the Exif block (APP1)
    BrowserHistorySpec browser_history;             // chrome_history, firefox_places
    PrefetchContent prefetch;                       // prefetch
};
using Content =
    std::variant<TextContent, Base64Content, AssetContent, RandomContent, GeneratedContent>;

struct Times {  // UTC seconds; absent: the action's time
    std::optional<int64_t> mtime, atime, ctime, crtime;
};

// Actions, applied in order; each at its own time (the story's clock).
struct MakeDirectory {
    std::string path;
};
struct WriteFile {
    std::string path;
    Content content;
    std::optional<std::string> artifact_id;  // listed in the truth manifest under this id
};
struct SetTimes {
    std::string path;
    Times times;
};
struct Rename {
    std::string from, to;
};
struct Delete {
    std::string path;
    bool overwrite = false;
};  // overwrite: wipe the content first
struct WriteSlack {
    std::string path;
    Content content;
    std::optional<std::string> artifact_id;
};
struct WriteStream {  // NTFS alternate data stream
    std::string path, stream;
    Content content;
    std::optional<std::string> artifact_id;
};
// Deleting into the Recycle Bin (NTFS): the file at `path` moves to `recycled`
// (/$Recycle.Bin/SID/$Rxxxxxx.ext) and `info` ($Ixxxxxx.ext) records it (images/recycle_bin.hpp).
// The parser makes the folders first (MakeDirectory actions).
struct RecycleFile {
    std::string path, recycled, info;
    std::string original_path;  // what $I holds: C:\Users\anna\plan.docx
    unsigned version = 2;
};
// Data outside any file: in a file system's unallocated space, in the gap after a partition, or
// at an absolute byte offset of the disk.
struct HideData {
    enum class Where { Unallocated, Gap, Offset } where = Where::Offset;
    std::string partition;  // Unallocated, Gap
    uint64_t offset = 0;    // Offset: absolute; Unallocated/Gap: from the start of the area
    // split: {after, gap}: the first `split_after` bytes, then `split_gap` bytes of the area left
    // as they are, then the rest (a file its file system had stored in two pieces).
    std::optional<uint64_t> split_after;
    uint64_t split_gap = 0;
    Content content;
    std::optional<std::string> artifact_id;
};

using ActionKind = std::variant<MakeDirectory, WriteFile, SetTimes, Rename, Delete, WriteSlack,
                                WriteStream, HideData, RecycleFile>;

struct Action {
    ActionKind kind;
    std::string partition;  // id; empty for HideData (it names its own)
    int64_t time = 0;       // UTC seconds when it happens
    SourceMark mark;
};

struct Recipe {
    std::string name;    // output base name
    std::string folder;  // the folder the recipe lives in (assets are resolved inside it)
    uint64_t seed = 0;
    unsigned variant = 0;
    std::string timezone = "UTC";  // the story's zone; times in the recipe are read in it
    CaseMetadata case_metadata;
    DiskSpec disk;
    std::vector<Action> actions;
    std::map<std::string, std::string> variables;  // resolved ${name} values for this variant
};

}  // namespace dflab::images
