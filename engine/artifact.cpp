#include "engine/artifact.hpp"

#include <algorithm>

#include "common/utf8.hpp"
#include "engine/content.hpp"
#include "engine/error.hpp"
#include "engine/file_type.hpp"
#include "engine/time_format.hpp"
#include "engine/tsk_access.hpp"

namespace dflab::engine {

namespace {

std::string dump(const nlohmann::json& j) {
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

class ArtifactWriter : public FindingsWriter {
  public:
    ArtifactWriter(Database& db, int64_t image_id)
        : image_id_(image_id),
          insert_(db.prepare("INSERT INTO artifacts(image_id, partition, file_id, inode, path, "
                             "path_hex, kind, time, time_kind, source, fields) "
                             "VALUES (?,?,?,?,?,?,?,?,?,?,?)")) {}

    void write(std::optional<int64_t> file_id, const Findings& findings) override {
        const auto& f = dynamic_cast<const ArtifactFindings&>(findings);
        const std::string path = common::to_display_utf8(f.path);
        const std::optional<std::string> path_hex = common::hex_if_not_utf8(f.path);
        for (const Artifact& a : f.artifacts) {
            std::optional<std::string> time, time_kind;
            if (a.time) {
                time = iso_utc(*a.time);
                time_kind = a.time_kind;
            }
            insert_.bind(1, image_id_)
                .bind(2, static_cast<int64_t>(f.partition))
                .bind(3, file_id)
                .bind(4, std::string_view(f.inode))
                .bind(5, std::string_view(path))
                .bind(6, path_hex)
                .bind(7, std::string_view(a.kind))
                .bind(8, time)
                .bind(9, time_kind)
                .bind(10, common::to_display_utf8(a.source))
                .bind(11, dump(a.fields));
            insert_.run();
        }
    }

  private:
    int64_t image_id_;
    Statement insert_;
};

}  // namespace

const char* const kArtifactsTableSql = R"sql(
CREATE TABLE artifacts (
    id        INTEGER PRIMARY KEY,
    image_id  INTEGER NOT NULL REFERENCES images(id),
    partition INTEGER NOT NULL,
    file_id   INTEGER REFERENCES files(id),  -- the file the artifact was read from
    inode     TEXT NOT NULL,             -- that file's, as TSK prints it
    path      TEXT NOT NULL,             -- that file's path, valid UTF-8
    path_hex  TEXT,                      -- the path's bytes in hex when not UTF-8; else NULL
    kind      TEXT NOT NULL,             -- computer_name, usb_device, ..., unreadable (docs/artifacts.md)
    time      TEXT,                      -- ISO 8601 UTC, NULL when the artifact has none
    time_kind TEXT,                      -- what time is: last_write, last_run, ...; NULL without time
    source    TEXT NOT NULL,             -- where in the file: the key path in a hive
    fields    TEXT NOT NULL              -- JSON object: the kind's fields
);
)sql";

const char* const kArtifactsIndexesSql =
    "CREATE INDEX artifacts_kind ON artifacts(kind);\n"
    "CREATE INDEX artifacts_file ON artifacts(file_id);\n";

size_t ArtifactFindings::unreadable() const {
    return static_cast<size_t>(std::count_if(artifacts.begin(), artifacts.end(), [](const auto& a) {
        return a.kind == kUnreadableArtifact;
    }));
}

Artifact unreadable_artifact(std::string source, std::string reason) {
    Artifact a;
    a.kind = std::string(kUnreadableArtifact);
    a.source = std::move(source);
    a.fields["error"] = std::move(reason);
    return a;
}

std::unique_ptr<FindingsWriter> make_artifact_writer(Database& db, int64_t image_id) {
    return std::make_unique<ArtifactWriter>(db, image_id);
}

nlohmann::json artifact_json(const ArtifactFindings& from, const Artifact& a) {
    nlohmann::json j = nlohmann::json::object();
    j["partition"] = from.partition;
    common::set_text(j, "path", from.path);
    j["inode"] = from.inode;
    j["allocated"] = from.allocated;
    j["kind"] = a.kind;
    if (a.time) {
        j["time"] = iso_utc(*a.time);
        j["time_kind"] = a.time_kind;
    } else {
        j["time"] = nullptr;
        j["time_kind"] = nullptr;
    }
    common::set_text(j, "source", a.source);
    j["fields"] = a.fields;
    return j;
}

std::vector<std::byte> whole_content(const FileSystem& fs, const EntryContent& c) {
    if (c.data.size() >= c.entry.size || c.data.size() < FileTypeDetector::kHeadBytes)
        return {c.data.begin(), c.data.end()};
    ContentReader reader = fs.content(c.entry.address);
    std::vector<std::byte> bytes(static_cast<size_t>(reader.size()));
    size_t got = 0;
    while (got < bytes.size()) {
        const size_t n = reader.read(got, std::span(bytes).subspan(got));
        if (n == 0) break;
        got += n;
    }
    if (got < c.entry.size)
        throw Error(c.entry.path + ": content ended after " + std::to_string(got) + " of " +
                    std::to_string(c.entry.size) + " bytes");
    bytes.resize(got);
    return bytes;
}

std::unique_ptr<ArtifactFindings> read_artifact_file(const FileSystem& fs, const EntryContent& c,
                                                     uint64_t max_bytes, std::string_view what,
                                                     std::string_view source,
                                                     const ArtifactDecoder& decode) {
    auto f = std::make_unique<ArtifactFindings>();
    f->partition = c.entry.partition;
    f->inode = c.entry.inode;
    f->path = c.entry.path;
    f->allocated = c.entry.allocated;
    if (c.entry.size > max_bytes) {
        f->artifacts.push_back(unreadable_artifact(
            std::string(source), c.entry.path + ": " + std::to_string(c.entry.size) +
                                     " bytes, more than the largest " + std::string(what) +
                                     " read (" + std::to_string(max_bytes) + ")"));
        return f;
    }
    try {
        f->artifacts = decode(whole_content(fs, c), c.entry.path);
    } catch (const std::exception& e) {  // a read error, a file the library refuses, no memory
        tsk_error_reset();
        f->artifacts.push_back(
            unreadable_artifact(std::string(source), common::one_line(e.what())));
    }
    return f;
}

}  // namespace dflab::engine
