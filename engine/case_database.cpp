#include "engine/case_database.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "common/utf8.hpp"
#include "engine/analyzers/registry.hpp"
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

void bind_value(Statement& s, int index, const SqlValue& v) {
    std::visit(
        [&](const auto& x) {
            if constexpr (std::is_same_v<std::decay_t<decltype(x)>, std::string>)
                s.bind(index, std::string_view(x));
            else
                s.bind(index, x);
        },
        v);
}

std::optional<std::string> non_empty(const std::string& s) {
    if (s.empty()) return std::nullopt;
    return s;
}

}  // namespace

void create_case(const std::string& path) {
    Database db(path, Database::Mode::Create);
    Transaction t(db);
    db.exec(case_schema_sql());
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
        .bind(2, nlohmann::json(info.segments)
                     .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace))
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
        .bind(3, common::to_display_utf8(message));
    ins.run();
}

void finish_case(Database& db) {
    Transaction t(db);
    db.exec(case_indexes_sql());
    db.exec("UPDATE case_info SET value = '1' WHERE key = 'complete'");
    t.commit();
}

// Rows are committed every kCommitEvery files, so a partition whose analysis stops half-way (a
// parser crash in the child) keeps what was found before it; only commit() marks it analysed.
constexpr size_t kCommitEvery = 20000;

struct CaseWriter::Impl {
    Database db;
    std::optional<Transaction> transaction;
    int64_t image_id;
    int partition;
    const std::vector<std::unique_ptr<Analyzer>>& analyzers;
    size_t column_count = 0;           // the analyzers' columns in `files`, all of them
    std::vector<size_t> first_column;  // per enabled analyzer: where its columns start
    std::vector<std::unique_ptr<FindingsWriter>> writers;  // per enabled analyzer, or null
    std::optional<Statement> file_insert;
    std::vector<SqlValue> values, own;
    size_t since_commit = 0;

    Impl(const std::string& path, int64_t image, int part,
         const std::vector<std::unique_ptr<Analyzer>>& enabled)
        : db(path, Database::Mode::ReadWrite),
          image_id(image),
          partition(part),
          analyzers(enabled) {
        db.exec("PRAGMA synchronous=OFF");
        transaction.emplace(db);
        std::string columns =
            "image_id, partition, path, name, inode, meta_addr, type, size, allocated, "
            "reallocated, mtime, atime, ctime, crtime, mode, uid, gid, extension, content_error, "
            "name_hex, path_hex";
        const size_t base = 21;
        std::vector<std::pair<std::string, size_t>> starts;  // registration name -> first column
        for (const auto& r : analyzer_registry()) {
            starts.emplace_back(r.name, column_count);
            for (const auto& c : r.columns) {
                columns += ", " + c.name;
                ++column_count;
            }
        }
        for (const auto& a : analyzers) {
            auto it = std::find_if(starts.begin(), starts.end(),
                                   [&](const auto& s) { return s.first == a->name(); });
            if (it == starts.end())
                throw Error("analyzer '" + std::string(a->name()) + "' is not registered");
            first_column.push_back(it->second);
            writers.push_back(a->writer(db, image_id, partition));
        }
        std::string marks;
        for (size_t i = 0; i < base + column_count; ++i) marks += i ? ",?" : "?";
        file_insert.emplace(db.get(), "INSERT INTO files(" + columns + ") VALUES (" + marks + ")");
    }

    void maybe_commit() {
        if (++since_commit < kCommitEvery) return;
        transaction->commit();
        transaction.emplace(db);
        since_commit = 0;
    }
};

CaseWriter::CaseWriter(const std::string& path, int64_t image_id, int partition,
                       const std::vector<std::unique_ptr<Analyzer>>& analyzers)
    : impl_(std::make_unique<Impl>(path, image_id, partition, analyzers)) {}
CaseWriter::~CaseWriter() = default;

void CaseWriter::file(FileScan&& f) {
    const Entry& e = f.entry;
    auto& s = *impl_->file_insert;
    s.bind(1, impl_->image_id)
        .bind(2, static_cast<int64_t>(e.partition))
        .bind(3, common::to_display_utf8(e.path))
        .bind(4, common::to_display_utf8(e.name))
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
        .bind(18, non_empty(common::to_display_utf8(e.extension())))
        .bind(19, non_empty(common::to_display_utf8(f.error)))
        .bind(20, common::hex_if_not_utf8(e.name))
        .bind(21, common::hex_if_not_utf8(e.path));
    auto& values = impl_->values;
    values.assign(impl_->column_count, nullptr);
    auto& own = impl_->own;  // kept between files: no allocation per row
    for (size_t i = 0; i < f.findings.size() && i < impl_->first_column.size(); ++i) {
        if (!f.findings[i]) continue;
        own.clear();
        f.findings[i]->columns(own);
        for (size_t c = 0; c < own.size(); ++c) values.at(impl_->first_column[i] + c) = own[c];
    }
    for (size_t c = 0; c < values.size(); ++c) bind_value(s, static_cast<int>(22 + c), values[c]);
    s.run();
    const int64_t file_id = impl_->db.last_insert_id();
    for (size_t i = 0; i < f.findings.size() && i < impl_->writers.size(); ++i)
        if (f.findings[i] && impl_->writers[i]) impl_->writers[i]->write(file_id, *f.findings[i]);
    // An analysis that could not finish on this entry is a problem of the case, not only a
    // property of the file: analyze reports it and exits with 2.
    if (f.incomplete)
        record_error(impl_->db, impl_->image_id, e.partition, e.path + ": " + f.error);
    impl_->maybe_commit();
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
    if (!f.findings || f.analyzer >= impl_->writers.size() || !impl_->writers[f.analyzer]) return;
    impl_->writers[f.analyzer]->write(std::nullopt, *f.findings);
}

void CaseWriter::problem(int partition, const std::string& message) {
    record_error(impl_->db, impl_->image_id, partition, message);
}

void CaseWriter::commit() {
    auto s = impl_->db.prepare(
        "UPDATE partitions SET analysed = 1 WHERE image_id = ? AND \"index\" = ?");
    s.bind(1, impl_->image_id).bind(2, static_cast<int64_t>(impl_->partition));
    s.run();
    impl_->transaction->commit();
}

}  // namespace dflab::engine
