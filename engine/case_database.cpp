#include "engine/case_database.hpp"

#include <nlohmann/json.hpp>

#include "engine/case_schema.hpp"
#include "engine/error.hpp"
#include "engine/file_system.hpp"
#include "engine/time_format.hpp"

namespace dflab::engine {

namespace {

std::optional<std::string> iso(const std::optional<int64_t>& t) {
    if (!t) return std::nullopt;
    return iso_utc(*t);
}

std::optional<std::string> header(const EvidenceInfo& info, const std::string& key) {
    if (!info.acquisition) return std::nullopt;
    auto it = info.acquisition->headers.find(key);
    if (it == info.acquisition->headers.end()) return std::nullopt;
    return it->second;
}

std::optional<std::string> non_empty(const std::string& s) {
    if (s.empty()) return std::nullopt;
    return s;
}

}  // namespace

void create_case(const std::string& path) {
    Database db(path, Database::Mode::Create);
    Transaction t(db);
    db.exec(kCaseSchema);
    auto put = db.prepare("INSERT INTO case_info(key, value) VALUES (?, ?)");
    put.bind(1, std::string_view("schema_version"))
        .bind(2, std::to_string(kCaseSchemaVersion))
        .run();
    put.bind(1, std::string_view("created_by")).bind(2, std::string_view("dflab 0.1.0")).run();
    put.bind(1, std::string_view("complete")).bind(2, std::string_view("0")).run();
    t.commit();
}

int64_t record_image(Database& db, const std::string& path, const EvidenceInfo& info,
                     const VolumeLayout& layout) {
    Transaction t(db);
    auto ins = db.prepare(
        "INSERT INTO images(path, segments, format, size, sector_size, case_number, "
        "evidence_number, "
        "examiner, description, notes, acquisition_date, stored_md5, stored_sha1) "
        "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)");
    ins.bind(1, std::string_view(path))
        .bind(2, nlohmann::json(info.segments).dump())
        .bind(3, std::string_view(info.format))
        .bind(4, static_cast<int64_t>(info.size))
        .bind(5, static_cast<int64_t>(info.sector_size))
        .bind(6, header(info, "case_number"))
        .bind(7, header(info, "evidence_number"))
        .bind(8, header(info, "examiner_name"))
        .bind(9, header(info, "description"))
        .bind(10, header(info, "notes"))
        .bind(11, header(info, "acquiry_date"))
        .bind(12, info.acquisition ? info.acquisition->stored_md5 : std::nullopt)
        .bind(13, info.acquisition ? info.acquisition->stored_sha1 : std::nullopt);
    ins.run();
    int64_t image_id = db.last_insert_id();
    auto part = db.prepare(
        "INSERT INTO partitions(image_id, \"index\", start, length, sector_size, description, "
        "kind, filesystem, fat_zone) "
        "VALUES (?,?,?,?,?,?,?,?,?)");
    for (const auto& p : layout.partitions) {
        part.bind(1, image_id)
            .bind(2, static_cast<int64_t>(p.index))
            .bind(3, static_cast<int64_t>(p.start))
            .bind(4, static_cast<int64_t>(p.length))
            .bind(5, static_cast<int64_t>(p.sector_size))
            .bind(6, std::string_view(p.description))
            .bind(7, std::string_view(p.kind))
            .bind(8, p.filesystem)
            .bind(9, holds_fat(p) ? std::optional<std::string>(p.fat_zone) : std::nullopt);
        part.run();
    }
    t.commit();
    return image_id;
}

void record_fat_zone(Database& db, const std::string& zone) {
    auto put = db.prepare("INSERT OR REPLACE INTO case_info(key, value) VALUES ('fat_zone', ?)");
    put.bind(1, std::string_view(zone)).run();
}

void record_error(Database& db, std::optional<int64_t> image_id, std::optional<int> partition,
                  const std::string& message) {
    auto ins = db.prepare("INSERT INTO errors(image_id, partition, message) VALUES (?,?,?)");
    ins.bind(1, image_id)
        .bind(2, partition ? std::optional<int64_t>(*partition) : std::nullopt)
        .bind(3, std::string_view(message));
    ins.run();
}

void finish_case(Database& db) {
    Transaction t(db);
    db.exec(kCaseIndexes);
    db.exec("UPDATE case_info SET value = '1' WHERE key = 'complete'");
    t.commit();
}

struct CaseWriter::Impl {
    Database db;
    Transaction transaction;
    int64_t image_id;
    int partition;
    const std::vector<KeywordTerm>& terms;
    Statement file_insert, yara_insert, string_insert, hit_insert;

    Impl(const std::string& path, int64_t image, int part, const std::vector<KeywordTerm>& t)
        : db(path, Database::Mode::ReadWrite),
          transaction((db.exec("PRAGMA synchronous=OFF"), db)),
          image_id(image),
          partition(part),
          terms(t),
          file_insert(
              db.get(),
              "INSERT INTO files(image_id, partition, path, name, inode, meta_addr, type, size, "
              "allocated, reallocated, mtime, atime, ctime, crtime, mode, uid, gid, md5, sha1, "
              "sha256, mime, extension, extension_mismatch, content_error) "
              "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"),
          yara_insert(
              db.get(),
              "INSERT INTO yara_matches(image_id, partition, file_id, rule, namespace, tags, meta, "
              "image_offset, block, string_matches) VALUES (?,?,?,?,?,?,?,?,?,?)"),
          string_insert(
              db.get(),
              "INSERT INTO yara_strings(match_id, identifier, offset, length) VALUES (?,?,?,?)"),
          hit_insert(db.get(),
                     "INSERT INTO keyword_hits(image_id, partition, file_id, term, is_regex, "
                     "offset, length, "
                     "encoding, text, block) VALUES (?,?,?,?,?,?,?,?,?,?)") {}

    void yara(const YaraMatch& m, std::optional<int64_t> file_id,
              std::optional<int64_t> image_offset, std::optional<int64_t> block) {
        std::string tags;
        for (const auto& t : m.tags) tags += (tags.empty() ? "" : " ") + t;
        nlohmann::json meta = nlohmann::json::object();
        for (const auto& [k, v] : m.meta) meta[k] = v;
        yara_insert.bind(1, image_id)
            .bind(2, static_cast<int64_t>(partition))
            .bind(3, file_id)
            .bind(4, std::string_view(m.rule))
            .bind(5, std::string_view(m.rule_namespace))
            .bind(6, std::string_view(tags))
            .bind(7, meta.dump())
            .bind(8, image_offset)
            .bind(9, block)
            .bind(10, static_cast<int64_t>(m.string_matches));
        yara_insert.run();
        int64_t match_id = db.last_insert_id();
        for (const auto& s : m.strings) {
            string_insert.bind(1, match_id)
                .bind(2, std::string_view(s.identifier))
                .bind(3, static_cast<int64_t>(s.offset))
                .bind(4, static_cast<int64_t>(s.length));
            string_insert.run();
        }
    }

    void hit(const KeywordHit& h, std::optional<int64_t> file_id, std::optional<int64_t> block) {
        const auto& term = terms.at(h.term);
        hit_insert.bind(1, image_id)
            .bind(2, static_cast<int64_t>(partition))
            .bind(3, file_id)
            .bind(4, std::string_view(term.text))
            .bind(5, static_cast<int64_t>(term.regex))
            .bind(6, static_cast<int64_t>(h.offset))
            .bind(7, static_cast<int64_t>(h.length))
            .bind(8, std::string_view(h.encoding))
            .bind(9, std::string_view(h.text))
            .bind(10, block);
        hit_insert.run();
    }
};

CaseWriter::CaseWriter(const std::string& path, int64_t image_id, int partition,
                       const std::vector<KeywordTerm>& terms)
    : impl_(std::make_unique<Impl>(path, image_id, partition, terms)) {}
CaseWriter::~CaseWriter() = default;

void CaseWriter::file(FileScan&& f) {
    const Entry& e = f.entry;
    auto& s = impl_->file_insert;
    s.bind(1, impl_->image_id)
        .bind(2, static_cast<int64_t>(e.partition))
        .bind(3, std::string_view(e.path))
        .bind(4, std::string_view(e.name))
        .bind(5, std::string_view(e.inode))
        .bind(6, static_cast<int64_t>(e.address.meta_addr))
        .bind(7, std::string_view(e.type))
        .bind(8, static_cast<int64_t>(e.size))
        .bind(9, static_cast<int64_t>(e.allocated))
        .bind(10, static_cast<int64_t>(e.reallocated))
        .bind(11, iso(e.mtime))
        .bind(12, iso(e.atime))
        .bind(13, iso(e.ctime))
        .bind(14, iso(e.crtime))
        .bind(15, static_cast<int64_t>(e.mode))
        .bind(16, static_cast<int64_t>(e.uid))
        .bind(17, static_cast<int64_t>(e.gid))
        .bind(18, non_empty(f.digests.md5))
        .bind(19, non_empty(f.digests.sha1))
        .bind(20, non_empty(f.digests.sha256))
        .bind(21, non_empty(f.mime))
        .bind(22, non_empty(e.extension()))
        .bind(23, f.scanned && f.error.empty() ? std::optional<int64_t>(f.extension_mismatch)
                                               : std::nullopt)
        .bind(24, non_empty(f.error));
    s.run();
    const int64_t file_id = impl_->db.last_insert_id();
    for (const auto& m : f.yara) impl_->yara(m, file_id, std::nullopt, std::nullopt);
    for (const auto& h : f.hits) impl_->hit(h, file_id, std::nullopt);
}

void CaseWriter::unallocated(const UnallocatedSummary& summary) {
    auto s = impl_->db.prepare(
        "UPDATE partitions SET unallocated_blocks = ?, block_size = ? WHERE image_id = ? AND "
        "\"index\" = ?");
    s.bind(1, static_cast<int64_t>(summary.blocks))
        .bind(2, static_cast<int64_t>(summary.block_size))
        .bind(3, impl_->image_id)
        .bind(4, static_cast<int64_t>(summary.partition));
    s.run();
}

void CaseWriter::unallocated_finding(UnallocatedFinding&& f) {
    if (f.yara) {
        impl_->yara(*f.yara, std::nullopt, static_cast<int64_t>(f.image_offset),
                    static_cast<int64_t>(f.block));
    }
    if (f.hit) impl_->hit(*f.hit, std::nullopt, static_cast<int64_t>(f.block));
}

void CaseWriter::problem(int partition, const std::string& message) {
    record_error(impl_->db, impl_->image_id, partition, message);
}

void CaseWriter::commit() {
    auto s = impl_->db.prepare(
        "UPDATE partitions SET analysed = 1 WHERE image_id = ? AND \"index\" = ?");
    s.bind(1, impl_->image_id).bind(2, static_cast<int64_t>(impl_->partition));
    s.run();
    impl_->transaction.commit();
}

}  // namespace dflab::engine
