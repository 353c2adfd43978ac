#pragma once
// Artifacts: what analyzers read out of files that record a system's or a user's activity (the
// Windows registry first: computer name, USB devices, programs run, ...), one record each, kept in
// the case's `artifacts` table and printed by `dflab artifacts`. docs/artifacts.md lists the kinds
// and their fields; docs/case-database.md the table.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/analyzer.hpp"
#include "engine/file_system.hpp"

namespace dflab::engine {

// The kind of an artifact that could not be read (a corrupt hive): the reason is in its fields
// ("error"), its source is what could not be read.
inline constexpr std::string_view kUnreadableArtifact = "unreadable";

// Every kind an analyzer writes (docs/artifacts.md), `unreadable` last.
inline constexpr std::string_view kArtifactKinds[] = {
    "computer_name",
    "time_zone",
    "usb_device",
    "program_run",
    "recent_document",
    "user_account",
    "typed_path",
    "run_mru",
    "search_term",
    "autorun",
    "os_installation",
    "network_profile",
    "shell_link",
    "event",
    "exif",
    "web_visit",
    "web_download",
    "recycled_file",
    "download_origin",
    "time_mismatch",
    "prefetch",
    "sms",
    "call",
    "contact",
    "chat_message",
    "installed_app",
    "wifi_network",
    "sqlite_free_record",
    kUnreadableArtifact,
};

struct Artifact {
    std::string kind;             // computer_name, usb_device, program_run, ..., unreadable
    std::optional<int64_t> time;  // UTC seconds since 1970, when the artifact has one
    std::string time_kind;        // what `time` is: last_write, last_run, ... ("" without time)
    std::string source;           // where in the file: the key path in a hive
    nlohmann::json fields = nlohmann::json::object();  // the kind's own fields (docs/artifacts.md)
};

// The artifacts read from one entry. The entry's location is kept so that the writer and the
// command can name the file the artifacts came from.
struct ArtifactFindings : Findings {
    int partition = 0;
    std::string inode;  // as TSK prints it
    std::string path;   // the entry's bytes, as the walk gives them
    bool allocated = true;
    std::vector<Artifact> artifacts;
    size_t count() const override { return artifacts.size(); }
    size_t unreadable() const;  // how many are of kind `unreadable`
};

// The whole content of an entry the scan gave the head of (ContentNeed::Head): the head when the
// file is no longer than it, else the content read again through `fs` (only the files an artifact
// analyzer reads pay for this). Throws Error when the content ends early.
std::vector<std::byte> whole_content(const FileSystem& fs, const EntryContent& c);

// What an artifact analyzer does with a file it recognised by its head: findings located at the
// entry; a file larger than `max_bytes`, or whose content cannot be read, or that `decode` throws
// on, gives one `unreadable` artifact with source `source` ("(hive)") whose reason names the file
// and `what` it is ("hive"); else `decode(bytes, path)` gives the artifacts.
using ArtifactDecoder =
    std::function<std::vector<Artifact>(std::vector<std::byte> bytes, const std::string& path)>;
std::unique_ptr<ArtifactFindings> read_artifact_file(const FileSystem& fs, const EntryContent& c,
                                                     uint64_t max_bytes, std::string_view what,
                                                     std::string_view source,
                                                     const ArtifactDecoder& decode);

// An `unreadable` artifact: `source` could not be read because of `reason` (one line).
Artifact unreadable_artifact(std::string source, std::string reason);

// The CREATE TABLE statement of the `artifacts` table, and its indexes.
extern const char* const kArtifactsTableSql;
extern const char* const kArtifactsIndexesSql;

// Writes ArtifactFindings into `artifacts`; findings of any other type are a programming error.
std::unique_ptr<FindingsWriter> make_artifact_writer(Database& db, int64_t image_id);

// One artifact with its entry's location, the one JSON shape of `dflab artifacts --json`:
// partition, path (+ path_hex), inode, allocated, kind, time (ISO 8601 UTC or null), time_kind
// (null without time), source, fields.
nlohmann::json artifact_json(const ArtifactFindings& from, const Artifact& artifact);

}  // namespace dflab::engine
