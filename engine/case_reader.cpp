#include "engine/case_reader.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "engine/error.hpp"

namespace dflab::engine {

namespace fs = std::filesystem;

namespace {

std::optional<std::string> text_or_null(const Statement& s, int i) {
    if (s.column_is_null(i)) return std::nullopt;
    return s.column_text(i);
}

std::optional<int64_t> int_or_null(const Statement& s, int i) {
    if (s.column_is_null(i)) return std::nullopt;
    return s.column_int(i);
}

Database open_case(const std::string& path) {
    std::error_code ec;
    if (!fs::exists(path, ec)) throw Error(path + ": no such file");
    if (!fs::is_regular_file(path, ec)) throw Error(path + ": not a regular file");
    Database db(path, Database::Mode::ReadOnly);
    db.exec("PRAGMA query_only = 1");
    return db;
}

bool has_table(Database& db, const std::string& name) {
    auto s = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?");
    s.bind(1, std::string_view(name));
    return s.step();
}

}  // namespace

CaseReader::CaseReader(const std::string& path) : path_(path), db_(open_case(path)) {
    for (const char* table : {"case_info", "images", "partitions", "files"}) {
        if (!has_table(db_, table))
            throw Error(path + ": not a dflab case database (no " + table + " table)");
    }
    auto info = db_.prepare("SELECT key, value FROM case_info");
    while (info.step()) info_[info.column_text(0)] = info.column_text(1);
    if (info_["complete"] != "1")
        throw Error(path + ": incomplete case (case_info complete = 0); run dflab analyze again");
    has_byte_runs_ = has_table(db_, "byte_runs");

    auto img = db_.prepare(
        "SELECT path, format, segments, size, sector_size, case_number, evidence_number, "
        "examiner, description, notes, acquisition_date, stored_md5, stored_sha1 FROM images "
        "ORDER BY id LIMIT 1");
    if (!img.step()) throw Error(path + ": the case records no image");
    image_.path = img.column_text(0);
    image_.format = img.column_text(1);
    try {
        image_.segments = nlohmann::json::parse(img.column_text(2)).get<std::vector<std::string>>();
    } catch (const nlohmann::json::exception&) {
        throw Error(path + ": images.segments is not a JSON array of paths");
    }
    image_.size = img.column_int(3);
    image_.sector_size = img.column_int(4);
    image_.case_number = text_or_null(img, 5);
    image_.evidence_number = text_or_null(img, 6);
    image_.examiner = text_or_null(img, 7);
    image_.description = text_or_null(img, 8);
    image_.notes = text_or_null(img, 9);
    image_.acquisition_date = text_or_null(img, 10);
    image_.stored_md5 = text_or_null(img, 11);
    image_.stored_sha1 = text_or_null(img, 12);

    auto parts = db_.prepare(
        "SELECT \"index\", start, length, sector_size, description, kind, filesystem, "
        "analysed, block_size, fat_zone FROM partitions ORDER BY \"index\"");
    while (parts.step()) {
        CasePartition p;
        p.index = static_cast<int>(parts.column_int(0));
        p.start = parts.column_int(1);
        p.length = parts.column_int(2);
        p.sector_size = parts.column_int(3);
        p.description = parts.column_text(4);
        p.kind = parts.column_text(5);
        p.filesystem = text_or_null(parts, 6);
        p.analysed = parts.column_int(7) != 0;
        p.block_size = int_or_null(parts, 8);
        p.fat_zone = text_or_null(parts, 9);
        partitions_.push_back(std::move(p));
    }
}

std::vector<std::pair<std::optional<int>, std::string>> CaseReader::errors() {
    std::vector<std::pair<std::optional<int>, std::string>> out;
    auto s = db_.prepare("SELECT partition, message FROM errors ORDER BY id");
    while (s.step()) {
        std::optional<int> partition;
        if (!s.column_is_null(0)) partition = static_cast<int>(s.column_int(0));
        out.emplace_back(partition, s.column_text(1));
    }
    return out;
}

void CaseReader::for_each_file(int index, const std::function<void(const CaseFile&)>& visit) {
    auto files = db_.prepare(
        "SELECT id, partition, path, name, inode, type, meta_addr, size, allocated, reallocated, "
        "mtime, atime, ctime, crtime, mode, uid, gid, md5, sha1, sha256, mime, extension, "
        "content_error FROM files WHERE partition = ? ORDER BY id");
    files.bind(1, static_cast<int64_t>(index));
    std::optional<Statement> runs;
    if (has_byte_runs_)
        runs.emplace(db_.get(),
                     "SELECT file_offset, image_offset, length, kind FROM byte_runs "
                     "WHERE file_id = ? ORDER BY seq");
    while (files.step()) {
        CaseFile f;
        f.id = files.column_int(0);
        f.partition = static_cast<int>(files.column_int(1));
        f.path = files.column_text(2);
        f.name = files.column_text(3);
        f.inode = files.column_text(4);
        f.type = files.column_text(5);
        f.meta_addr = files.column_int(6);
        f.size = files.column_int(7);
        f.allocated = files.column_int(8) != 0;
        f.reallocated = files.column_int(9) != 0;
        f.mtime = text_or_null(files, 10);
        f.atime = text_or_null(files, 11);
        f.ctime = text_or_null(files, 12);
        f.crtime = text_or_null(files, 13);
        f.mode = int_or_null(files, 14);
        f.uid = int_or_null(files, 15);
        f.gid = int_or_null(files, 16);
        f.md5 = text_or_null(files, 17);
        f.sha1 = text_or_null(files, 18);
        f.sha256 = text_or_null(files, 19);
        f.mime = text_or_null(files, 20);
        f.extension = text_or_null(files, 21);
        f.content_error = text_or_null(files, 22);
        if (runs) {
            runs->bind(1, f.id);
            while (runs->step()) {
                ByteRun r;
                r.file_offset = static_cast<uint64_t>(runs->column_int(0));
                if (!runs->column_is_null(1))
                    r.image_offset = static_cast<uint64_t>(runs->column_int(1));
                r.length = static_cast<uint64_t>(runs->column_int(2));
                try {
                    r.kind = parse_kind(runs->column_text(3));
                } catch (const Error& e) {
                    throw Error(path_ + ": file " + std::to_string(f.id) + ": " + e.what());
                }
                f.runs.push_back(r);
            }
            runs->reset();
        }
        visit(f);
    }
}

void CaseReader::for_each_artifact(const std::function<void(const CaseArtifact&)>& visit) {
    if (!has_table(db_, "artifacts"))
        throw Error(path_ + ": the case has no artifacts table; run dflab analyze again");
    auto s = db_.prepare(
        "SELECT a.partition, a.path, a.path_hex, a.inode, a.kind, a.time, a.time_kind, a.source, "
        "a.fields, COALESCE(f.allocated, 1) FROM artifacts a LEFT JOIN files f ON f.id = a.file_id "
        "ORDER BY a.id");
    while (s.step()) {
        CaseArtifact a;
        a.partition = static_cast<int>(s.column_int(0));
        a.path = s.column_text(1);
        a.path_hex = text_or_null(s, 2);
        a.inode = s.column_text(3);
        a.kind = s.column_text(4);
        a.time = text_or_null(s, 5);
        a.time_kind = text_or_null(s, 6);
        a.source = s.column_text(7);
        a.fields = s.column_text(8);
        a.allocated = s.column_int(9) != 0;
        visit(a);
    }
}

void write_atomically(const std::string& output, const std::function<void(std::ostream&)>& write) {
    const fs::path target(output);
    const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
    std::error_code ec;
    if (!fs::is_directory(dir, ec))
        throw Error(output + ": folder " + dir.string() + " does not exist");
    if (fs::is_directory(target, ec)) throw Error(output + ": is a folder; give a file name");
    std::string name = ".";
    name += target.filename().string();
    name += ".partial-XXXXXX";
    std::string temp = (dir / name).string();
    const int fd = ::mkstemp(temp.data());
    if (fd < 0) throw Error(output + ": cannot write here (" + std::strerror(errno) + ")");
    ::close(fd);
    struct Remove {
        const std::string& path;
        bool keep = false;
        ~Remove() {
            std::error_code ignored;
            if (!keep) fs::remove(path, ignored);
        }
    } guard{temp, false};
    {
        std::ofstream out(temp, std::ios::binary | std::ios::trunc);
        if (!out) throw Error(output + ": cannot write (" + std::strerror(errno) + ")");
        write(out);
        out.flush();
        if (!out) throw Error(output + ": write failed (disk full?)");
    }
    // mkstemp made it 0600; an export is meant to be handed on (rw-r--r--).
    fs::permissions(temp,
                    fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read |
                        fs::perms::others_read,
                    ec);
    if (const int sync_fd = ::open(temp.c_str(), O_RDONLY); sync_fd >= 0) {
        ::fsync(sync_fd);
        ::close(sync_fd);
    }
    fs::rename(temp, target, ec);
    if (ec) throw Error(output + ": cannot move the finished file into place: " + ec.message());
    guard.keep = true;
}

}  // namespace dflab::engine
