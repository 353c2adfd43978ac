#pragma once
// The case database schema (documented in docs/case-database.md). Bump kCaseSchemaVersion with
// every change to the tables below and say what changed in the docs.
#include <string_view>

namespace dflab::engine {

inline constexpr int kCaseSchemaVersion = 3;  // 2: partitions.fat_zone, case_info fat_zone
                                              // 3: files.name_hex, files.path_hex

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
    md5                TEXT,             -- NULL for entries without content
    sha1               TEXT,
    sha256             TEXT,
    mime               TEXT,
    extension          TEXT,
    extension_mismatch INTEGER,
    content_error      TEXT,             -- why the content could not be read
    name_hex           TEXT,             -- the name's bytes in hex when they are not valid UTF-8; else NULL
    path_hex           TEXT              -- the path's bytes in hex likewise
);
CREATE TABLE yara_matches (
    id        INTEGER PRIMARY KEY,
    image_id  INTEGER NOT NULL REFERENCES images(id),
    partition INTEGER NOT NULL,
    file_id   INTEGER REFERENCES files(id),  -- NULL for unallocated space
    rule      TEXT NOT NULL,
    namespace TEXT NOT NULL,
    tags      TEXT NOT NULL,             -- space-separated
    meta      TEXT NOT NULL,             -- JSON object
    string_matches INTEGER NOT NULL,     -- all string matches; yara_strings keeps the first 100 of each string
    image_offset INTEGER,                -- unallocated space: image byte offset of the first match
    block     INTEGER                    -- unallocated space: file system block
);
CREATE TABLE yara_strings (
    match_id   INTEGER NOT NULL REFERENCES yara_matches(id),
    identifier TEXT NOT NULL,
    offset     INTEGER NOT NULL,         -- in the file, or the image byte offset in unallocated space
    length     INTEGER NOT NULL
);
CREATE TABLE keyword_hits (
    id        INTEGER PRIMARY KEY,
    image_id  INTEGER NOT NULL REFERENCES images(id),
    partition INTEGER NOT NULL,
    file_id   INTEGER REFERENCES files(id),  -- NULL for unallocated space
    term      TEXT NOT NULL,
    is_regex  INTEGER NOT NULL,
    offset    INTEGER NOT NULL,          -- in the file, or the image byte offset in unallocated space
    length    INTEGER NOT NULL,
    encoding  TEXT NOT NULL,             -- utf-8 or utf-16le
    text      TEXT NOT NULL,
    block     INTEGER                    -- unallocated space: file system block
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

// Created when the case is complete, after the rows are in.
inline constexpr std::string_view kCaseIndexes = R"sql(
CREATE INDEX files_path ON files(path);
CREATE INDEX files_md5 ON files(md5);
CREATE INDEX files_sha256 ON files(sha256);
CREATE INDEX yara_matches_file ON yara_matches(file_id);
CREATE INDEX yara_strings_match ON yara_strings(match_id);
CREATE INDEX keyword_hits_file ON keyword_hits(file_id);
)sql";

}  // namespace dflab::engine
