#pragma once
// The case database schema (documented in docs/case-database.md). Bump kCaseSchemaVersion with
// every change to the tables below and say what changed in the docs.
#include <string>
#include <string_view>

namespace dflab::engine {

// 2: partitions.fat_zone, case_info fat_zone. 3: files.name_hex and files.path_hex; the files
// table's analyzer columns (md5, sha1, sha256, mime, extension_mismatch) come last, as the
// analyzers declare them; byte_runs. 4: artifacts (the registry analyzer's table).
inline constexpr int kCaseSchemaVersion = 4;

inline constexpr std::string_view kCaseSchema = R"sql(
CREATE TABLE case_info (
    key   TEXT PRIMARY KEY,
    value TEXT
);
CREATE TABLE images (
    id               INTEGER PRIMARY KEY,
    path             TEXT NOT NULL,
    segments         TEXT NOT NULL,      -- JSON array of the segment files (paths as given or found)
    format           TEXT NOT NULL,      -- raw, split raw, E01, VMDK, VHD
    size             INTEGER NOT NULL,   -- bytes
    sector_size      INTEGER NOT NULL,
    case_number      TEXT,
    evidence_number  TEXT,
    examiner         TEXT,
    description      TEXT,
    notes            TEXT,
    acquisition_date TEXT,               -- as libewf reports it (E01 header text)
    stored_md5       TEXT,
    stored_sha1      TEXT
);
CREATE TABLE partitions (
    id          INTEGER PRIMARY KEY,
    image_id    INTEGER NOT NULL REFERENCES images(id),
    "index"     INTEGER NOT NULL,        -- as dflab partitions and mmls number them
    start       INTEGER NOT NULL,        -- sectors
    length      INTEGER NOT NULL,        -- sectors
    sector_size INTEGER NOT NULL,
    description TEXT,
    kind        TEXT NOT NULL,           -- partition, unallocated, meta
    filesystem  TEXT,                    -- TSK name (fat16, ntfs, ext4, ...) or NULL
    analysed    INTEGER NOT NULL DEFAULT 0,
    unallocated_blocks INTEGER,          -- when unallocated space was scanned
    block_size  INTEGER,
    fat_zone    TEXT                     -- FAT/exFAT: IANA zone its local times were read in; else NULL
);
CREATE TABLE files (
    id                 INTEGER PRIMARY KEY,
    image_id           INTEGER NOT NULL REFERENCES images(id),
    partition          INTEGER NOT NULL, -- partitions."index"
    path               TEXT NOT NULL,    -- leading '/', ":stream" for NTFS streams; valid UTF-8 (U+FFFD for bytes that are not)
    name               TEXT NOT NULL,    -- valid UTF-8 likewise
    inode              TEXT NOT NULL,    -- as TSK prints it: 14 or 64-128-3
    meta_addr          INTEGER NOT NULL,
    type               TEXT NOT NULL,    -- file, directory, symlink, virtual, ...
    size               INTEGER NOT NULL,
    allocated          INTEGER NOT NULL, -- 0 for deleted names
    reallocated        INTEGER NOT NULL,
    mtime              TEXT,             -- ISO 8601 UTC (FAT: read in partitions.fat_zone), NULL when absent
    atime              TEXT,
    ctime              TEXT,
    crtime             TEXT,
    mode               INTEGER,
    uid                INTEGER,
    gid                INTEGER,
    extension          TEXT,
    -- why the content could not be read
    content_error      TEXT,
    -- the name's and the path's bytes in hex when they are not valid UTF-8; else NULL
    name_hex           TEXT,
    path_hex           TEXT
    -- then the analyzers' columns (md5, sha1, sha256, mime, extension_mismatch: engine/analyzers/)
);
CREATE TABLE errors (
    id        INTEGER PRIMARY KEY,
    image_id  INTEGER,
    partition INTEGER,
    message   TEXT NOT NULL
);
CREATE VIEW timeline AS
    SELECT mtime AS time, 'm' AS event, id AS file_id, partition, path, path_hex FROM files WHERE mtime IS NOT NULL
    UNION ALL SELECT atime, 'a', id, partition, path, path_hex FROM files WHERE atime IS NOT NULL
    UNION ALL SELECT ctime, 'c', id, partition, path, path_hex FROM files WHERE ctime IS NOT NULL
    UNION ALL SELECT crtime, 'b', id, partition, path, path_hex FROM files WHERE crtime IS NOT NULL;
)sql";

// Created when the case is complete, after the rows are in (with the analyzers' own indexes).
inline constexpr std::string_view kCaseIndexes = R"sql(
CREATE INDEX files_path ON files(path);
)sql";

// The whole schema: the tables above with the files table's analyzer columns, then each
// analyzer's own tables. Every analyzer's columns and tables are there whether or not an
// analysis enabled it, so every case has the same schema.
std::string case_schema_sql();
std::string case_indexes_sql();

}  // namespace dflab::engine
