// Solution steps over the case database that `dflab analyze` made of the image: YARA matches,
// keyword hits, the timeline, artifacts, carved files, and read-only SQL.
#include <algorithm>
#include <tuple>

#include "common/error.hpp"
#include "common/time_format.hpp"
#include "common/utf8.hpp"
#include "engine/file_system.hpp"
#include "engine/volumes.hpp"
#include "exercises/solution_state.hpp"

namespace dflab::exercises::detail {

namespace {

nlohmann::json column_value(const common::Statement& st, int i) {
    common::SqlValue v = st.column(i);
    if (auto* n = std::get_if<int64_t>(&v)) return *n;
    if (auto* d = std::get_if<double>(&v)) return *d;
    if (auto* t = std::get_if<std::string>(&v)) return *t;
    return nullptr;
}

// Every row as an object of its columns.
nlohmann::json rows(common::Statement& st) {
    nlohmann::json list = nlohmann::json::array();
    while (st.step()) {
        nlohmann::json row = nlohmann::json::object();
        for (int i = 0; i < st.columns(); ++i) row[st.column_name(i)] = column_value(st, i);
        list.push_back(std::move(row));
    }
    return list;
}

// A file row of the case: fields of an entry found with `find` (docs/entry-format.md), with the
// hashes.
constexpr const char* kFileColumns =
    "f.partition, f.path, f.path_hex, f.name, f.name_hex, f.inode, f.type, f.size, "
    "f.allocated = 1 AS allocated, f.allocated = 0 AS deleted, f.mtime, f.atime, f.ctime, "
    "f.crtime, f.md5, f.sha1, f.sha256";

// Rows as entries have them: booleans as booleans, and path_hex / name_hex only where the name
// is not UTF-8 (the case holds NULL).
void booleans(nlohmann::json& list) {
    for (auto& row : list) {
        for (const char* key : {"allocated", "deleted"})
            if (row.contains(key) && row[key].is_number()) row[key] = row[key].get<int64_t>() != 0;
        for (const char* key : {"path_hex", "name_hex"})
            if (row.contains(key) && row[key].is_null()) row.erase(key);
    }
}

// yara: and search: with metadata_files: false leave out the file-system metadata files.
void leave_out_metadata_files(nlohmann::json& list, const Step& step) {
    if (!step.argument.is_object() || step.argument.value("metadata_files", true)) return;
    nlohmann::json kept = nlohmann::json::array();
    for (auto& row : list)
        if (!is_metadata_file(row)) kept.push_back(row);
    list = kept;
}

// The $FILE_NAME times of the NTFS file systems of the image as timeline rows (one per file or
// folder, not per stream), in [from, to], of `event` when given.
void add_file_name_events(SolutionState& s, const std::string& from, const std::string& to,
                          const std::string& event, nlohmann::json& rows_out) {
    for (auto& part : engine::file_system_partitions(s.open_evidence())) {
        if (part.filesystem.value_or("") != "ntfs") continue;
        const engine::FileSystem fs(s.open_evidence(), part);
        fs.walk({}, [&](engine::Entry&& e) {
            if (!e.file_name || e.name.find(':') != std::string::npos) return;
            const std::pair<const char*, const std::optional<int64_t>*> times[] = {
                {"m", &e.file_name->mtime},
                {"a", &e.file_name->atime},
                {"c", &e.file_name->ctime},
                {"b", &e.file_name->crtime}};
            for (auto& [letter, t] : times) {
                if (!*t || (!event.empty() && event != letter)) continue;
                std::string when = common::iso_utc(**t);
                if (when < from || when > to) continue;
                nlohmann::json row{{"time", when},
                                   {"event", letter},
                                   {"partition", part.index},
                                   {"file_name", true}};
                common::set_text(row, "path", e.path);  // + path_hex when not UTF-8
                rows_out.push_back(std::move(row));
            }
        });
    }
}

}  // namespace

void step_yara(SolutionState& s, const Step& step) {
    auto st = s.need_case().prepare(
        std::string("SELECT ") + kFileColumns +
        ", m.image_offset, m.string_matches FROM yara_matches m LEFT JOIN files f ON f.id = "
        "m.file_id WHERE m.rule = ? ORDER BY f.partition, f.path, m.image_offset");
    st.bind(1, step.argument.is_object() ? step.argument["rule"].get<std::string>()
                                         : step.argument.get<std::string>());
    s.value = rows(st);
    booleans(s.value);
    leave_out_metadata_files(s.value, step);
}

void step_search(SolutionState& s, const Step& step) {
    std::string term = step.argument.is_object() ? step.argument["term"].get<std::string>()
                                                 : step.argument.get<std::string>();
    auto st = s.need_case().prepare(
        std::string("SELECT ") + kFileColumns +
        ", k.offset, k.encoding, k.text, CASE WHEN k.file_id IS NULL THEN k.offset END AS "
        "image_offset FROM keyword_hits k LEFT JOIN files f ON f.id = k.file_id WHERE k.term = ? "
        "ORDER BY f.partition, f.path, k.offset");
    st.bind(1, term);
    s.value = rows(st);
    booleans(s.value);
    leave_out_metadata_files(s.value, step);
}

void step_timeline(SolutionState& s, const Step& step) {
    const nlohmann::json& a = step.argument;
    std::string from = a.contains("from") ? common::iso_utc(common::parse_time(a["from"])) : "";
    std::string to = a.contains("to") ? common::iso_utc(common::parse_time(a["to"])) : "~";
    std::string sql =
        "SELECT t.time, t.event, t.partition, t.path, t.path_hex FROM timeline t WHERE t.time >= ? "
        "AND "
        "t.time <= ?";
    if (a.contains("event")) sql += " AND t.event = ?";
    sql += " ORDER BY t.time, t.path, t.event";
    auto st = s.need_case().prepare(sql);
    st.bind(1, from).bind(2, to);
    if (a.contains("event")) st.bind(3, a["event"].get<std::string>());
    nlohmann::json list = rows(st);
    for (auto& row : list) {
        row["file_name"] = false;
        if (row["path_hex"].is_null()) row.erase("path_hex");
    }
    if (a.value("file_name", true)) add_file_name_events(s, from, to, a.value("event", ""), list);
    std::vector<nlohmann::json> sorted(list.begin(), list.end());
    auto key = [](const nlohmann::json& r) {
        return std::tuple(r["time"].get<std::string>(),
                          r["path"].is_string() ? r["path"].get<std::string>() : "",
                          r["event"].get<std::string>(), r["file_name"].get<bool>());
    };
    std::stable_sort(
        sorted.begin(), sorted.end(),
        [&](const nlohmann::json& x, const nlohmann::json& y) { return key(x) < key(y); });
    s.value = sorted;
}

// The artifacts of a kind (and source, when given) as rows: the artifacts table's columns, then
// every field of the artifact (nested values as JSON text; a field named like a column is left
// out: read it with sql). Ordered by partition, path, time, source.
void step_artifacts(SolutionState& s, const Step& step) {
    const nlohmann::json& a = step.argument;
    const std::string kind = a.is_object() ? a["kind"].get<std::string>() : a.get<std::string>();
    const bool by_source = a.is_object() && a.contains("source");
    std::string sql =
        "SELECT kind, time, time_kind, source, path, path_hex, inode, partition, fields FROM "
        "artifacts WHERE kind = ?";
    if (by_source) sql += " AND source = ?";
    sql += " ORDER BY partition, path, time, source, id";
    auto st = s.need_case().prepare(sql);
    st.bind(1, kind);
    if (by_source) st.bind(2, a["source"].get<std::string>());
    nlohmann::json list = rows(st);
    for (auto& row : list) {
        if (row["path_hex"].is_null()) row.erase("path_hex");
        nlohmann::json fields =
            nlohmann::json::parse(row["fields"].get<std::string>(), nullptr, false);
        row.erase("fields");
        if (!fields.is_object())
            throw StepError("the case's artifact of " + row["path"].get<std::string>() +
                            " has fields that are not a JSON object");
        for (auto& [key, value] : fields.items()) {
            if (row.contains(key)) continue;
            row[key] = value.is_structured()
                           ? nlohmann::json(value.dump(-1, ' ', false,
                                                       nlohmann::json::error_handler_t::replace))
                           : value;
        }
    }
    s.value = list;
}

// The carved files of a type (or all) as rows, in image order: carved_files' columns, the number
// of fragments, then the fields of a photo's Exif (null for a file without; exif_error for a
// damaged block).
void step_carved(SolutionState& s, const Step& step) {
    if (!s.image().carved)
        throw StepError("carved: the image " + s.image_id +
                        " was not carved; add carve: true to it in pack.yaml");
    const nlohmann::json& a = step.argument;
    const std::string type = a.is_object() ? a["type"].get<std::string>() : a.get<std::string>();
    std::string sql =
        "SELECT partition, image_offset, length, type, subtype, sha256, md5, fragments, "
        "validation, exif FROM carved_files";
    if (type != "all") sql += " WHERE type = ?";
    sql += " ORDER BY image_offset, id";
    auto st = s.need_case().prepare(sql);
    if (type != "all") st.bind(1, type);
    nlohmann::json list = rows(st);
    static const char* const kExifFields[] = {
        "make",         "model",         "software",     "taken",       "offset_time", "taken_utc",
        "gps_latitude", "gps_longitude", "gps_altitude", "orientation", "width",       "height"};
    for (auto& row : list) {
        const nlohmann::json fragments =
            nlohmann::json::parse(row["fragments"].get<std::string>(), nullptr, false);
        row["fragment_count"] = fragments.is_array() ? fragments.size() : 0;
        nlohmann::json exif = nlohmann::json::object();
        if (row["exif"].is_string())
            exif = nlohmann::json::parse(row["exif"].get<std::string>(), nullptr, false);
        row.erase("exif");
        for (const char* key : kExifFields)
            row[key] = exif.is_object() && exif.contains(key) ? exif[key] : nlohmann::json();
        if (exif.is_object() && exif.contains("error")) row["exif_error"] = exif["error"];
    }
    s.value = list;
}

void step_sql(SolutionState& s, const Step& step) {
    common::Database& db = s.need_case();
    std::string sql = step.argument.get<std::string>();
    auto st = db.prepare(sql);
    if (!sqlite3_stmt_readonly(st.get()))
        throw StepError("sql must only read (SELECT); the case database is never changed");
    nlohmann::json list = rows(st);
    int columns = st.columns();
    if (columns == 1) {
        nlohmann::json values = nlohmann::json::array();
        for (auto& row : list) values.push_back(row.begin().value());
        s.value = values.size() == 1 ? values.front() : values;
    } else {
        s.value = list;
    }
}

}  // namespace dflab::exercises::detail
