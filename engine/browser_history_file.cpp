#include "engine/browser_history_file.hpp"

#include <nlohmann/json.hpp>

#include <cctype>
#include <set>

#include "engine/error.hpp"
#include "engine/sqlite.hpp"
#include "engine/untrusted_sqlite.hpp"

namespace dflab::engine {

namespace {

constexpr int64_t kWebKitToUnixSeconds = 11644473600;  // 1601-01-01 to 1970-01-01
constexpr int64_t kLatest = 253402300799;              // 9999-12-31 23:59:59 UTC

std::optional<std::string> text_or_none(const Statement& s, int i) {
    if (s.column_is_null(i)) return std::nullopt;
    return s.column_text(i);
}

std::optional<int64_t> int_or_none(const Statement& s, int i) {
    if (s.column_is_null(i)) return std::nullopt;
    return s.column_int(i);
}

std::optional<int64_t> from_webkit(int64_t us) {
    if (us <= 0) return std::nullopt;
    const int64_t t = us / 1000000 - kWebKitToUnixSeconds;
    if (t > kLatest) return std::nullopt;
    return t;
}

std::optional<int64_t> from_prtime(int64_t us) {
    if (us <= 0 || us / 1000000 > kLatest) return std::nullopt;
    return us / 1000000;
}

std::optional<int64_t> from_unix_ms(int64_t ms) {
    if (ms <= 0 || ms / 1000 > kLatest) return std::nullopt;
    return ms / 1000;
}

std::string chrome_transition(int64_t transition) {
    const auto core = static_cast<size_t>(transition & 0xFF);
    return core < std::size(kChromeTransitions) ? std::string(kChromeTransitions[core])
                                                : std::to_string(core);
}

std::string firefox_transition(int64_t type) {
    static constexpr const char* kTypes[] = {
        "link",     "typed",       "bookmark", "embed", "redirect_permanent", "redirect_temporary",
        "download", "framed_link", "reload"};
    return type >= 1 && type <= 9 ? kTypes[type - 1] : std::to_string(type);
}

// The visits a query gives as (url, title, visit count, time, transition, from url), by time.
struct VisitQuery {
    const char* sql;
    std::optional<int64_t> (*time)(int64_t);
    std::string (*transition)(int64_t);
};

std::vector<WebVisit> visits_of(sqlite3* db, const VisitQuery& q) {
    std::vector<WebVisit> out;
    Statement s(db, q.sql);
    while (s.step())
        out.push_back({s.column_text(0), text_or_none(s, 1), s.column_int(2),
                       q.time(s.column_int(3)), q.transition(s.column_int(4)), text_or_none(s, 5)});
    return out;
}

const VisitQuery kChromeVisits = {
    "SELECT u.url, u.title, u.visit_count, v.visit_time, v.transition, fu.url "
    "FROM visits v JOIN urls u ON u.id = v.url "
    "LEFT JOIN visits fv ON fv.id = v.from_visit AND v.from_visit != 0 "
    "LEFT JOIN urls fu ON fu.id = fv.url ORDER BY v.visit_time, v.id",
    from_webkit, chrome_transition};

const VisitQuery kFirefoxVisits = {
    "SELECT p.url, p.title, p.visit_count, v.visit_date, v.visit_type, fp.url "
    "FROM moz_historyvisits v JOIN moz_places p ON p.id = v.place_id "
    "LEFT JOIN moz_historyvisits fv ON fv.id = v.from_visit AND v.from_visit != 0 "
    "LEFT JOIN moz_places fp ON fp.id = fv.place_id ORDER BY v.visit_date, v.id",
    from_prtime, firefox_transition};

// A download state's name from `names` (null: no name), else its number.
std::string state_name(int64_t state, std::span<const char* const> names) {
    if (state >= 0 && static_cast<uint64_t>(state) < names.size() && names[state])
        return names[state];
    return std::to_string(state);
}

// Chrome's history::DownloadState (3 was a bug's value, never written now).
constexpr const char* kChromeStates[] = {"in_progress", "complete", "cancelled", nullptr,
                                         "interrupted"};
// Firefox's nsIDownloadManager states, as downloads/metaData keeps them.
constexpr const char* kFirefoxStates[] = {"in_progress", "complete", "failed", "cancelled",
                                          "paused"};

std::vector<WebDownload> chrome_downloads(sqlite3* db) {
    const bool chains = sqlite_table_names(db).count("downloads_url_chains") != 0;
    const std::string sql =
        std::string("SELECT ") +
        (chains ? "(SELECT c.url FROM downloads_url_chains c WHERE c.id = d.id "
                  "ORDER BY c.chain_index DESC LIMIT 1)"
                : "NULL") +
        ", d.referrer, d.target_path, d.received_bytes, d.total_bytes, d.state, d.start_time, "
        "d.end_time, " +
        (sqlite_has_column(db, "downloads", "mime_type") ? "d.mime_type" : "NULL") +
        " FROM downloads d ORDER BY d.start_time, d.id";
    std::vector<WebDownload> out;
    Statement s(db, sql);
    while (s.step()) {
        WebDownload d;
        d.url = s.column_text(0);
        d.referrer = text_or_none(s, 1);
        if (d.referrer && d.referrer->empty()) d.referrer.reset();
        d.target_path = s.column_text(2);
        d.received_bytes = int_or_none(s, 3);
        d.total_bytes = int_or_none(s, 4);
        d.state = state_name(s.column_int(5), kChromeStates);
        d.start = from_webkit(s.column_int(6));
        d.end = from_webkit(s.column_int(7));
        d.mime_type = text_or_none(s, 8);
        if (d.mime_type && d.mime_type->empty()) d.mime_type.reset();
        out.push_back(std::move(d));
    }
    return out;
}

int hex_digit(char ch) {
    if (ch >= '0' && ch <= '9') return ch - '0';
    if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
    return -1;
}

// C:\Users\anna\Downloads\a b.exe for file:///C:/Users/anna/Downloads/a%20b.exe; a path of a
// system with / (Linux, Android) stays as it is; what is not a file: URI is kept.
std::string path_of_file_uri(const std::string& uri) {
    if (uri.rfind("file://", 0) != 0) return uri;
    std::string path;
    for (size_t i = 7; i < uri.size(); ++i) {
        int hi = 0, lo = 0;
        if (uri[i] == '%' && i + 2 < uri.size() && (hi = hex_digit(uri[i + 1])) >= 0 &&
            (lo = hex_digit(uri[i + 2])) >= 0) {
            path += static_cast<char>(hi * 16 + lo);
            i += 2;
        } else {
            path += uri[i];
        }
    }
    const bool drive = path.size() >= 3 && path[0] == '/' &&
                       std::isalpha(static_cast<unsigned char>(path[1])) && path[2] == ':';
    if (!drive) return path;
    path.erase(0, 1);
    for (char& ch : path)
        if (ch == '/') ch = '\\';
    return path;
}

std::vector<WebDownload> firefox_downloads(sqlite3* db) {
    const std::set<std::string> tables = sqlite_table_names(db);
    if (!tables.count("moz_annos") || !tables.count("moz_anno_attributes")) return {};
    Statement s(db,
                "SELECT p.url, d.content, d.dateAdded, "
                "(SELECT m.content FROM moz_annos m JOIN moz_anno_attributes ma "
                " ON ma.id = m.anno_attribute_id AND ma.name = 'downloads/metaData' "
                " WHERE m.place_id = p.id), "
                // the referrer: where the download's visit came from (its latest visit of type
                // download up to a minute after the destination was recorded)
                "(SELECT r.url FROM moz_historyvisits v LEFT JOIN moz_historyvisits fv "
                " ON fv.id = v.from_visit LEFT JOIN moz_places r ON r.id = fv.place_id "
                " WHERE v.place_id = p.id AND v.visit_type = 7 "
                " AND v.visit_date <= d.dateAdded + 60000000 "
                " ORDER BY v.visit_date DESC, v.id DESC LIMIT 1) "
                "FROM moz_annos d JOIN moz_anno_attributes da ON da.id = d.anno_attribute_id "
                "AND da.name = 'downloads/destinationFileURI' "
                "JOIN moz_places p ON p.id = d.place_id ORDER BY d.dateAdded, d.id");
    std::vector<WebDownload> out;
    while (s.step()) {
        WebDownload d;
        d.url = s.column_text(0);
        d.target_path = path_of_file_uri(s.column_text(1));
        d.start = from_prtime(s.column_int(2));
        d.referrer = text_or_none(s, 4);
        d.state = "unknown";
        // {"state":1,"deleted":false,"endTime":<ms>,"fileSize":<bytes>}; a damaged one is skipped.
        const nlohmann::json meta = nlohmann::json::parse(s.column_text(3), nullptr, false);
        if (meta.is_object()) {
            if (auto it = meta.find("state"); it != meta.end() && it->is_number_integer())
                d.state = state_name(it->get<int64_t>(), kFirefoxStates);
            if (auto it = meta.find("endTime"); it != meta.end() && it->is_number_integer())
                d.end = from_unix_ms(it->get<int64_t>());
            if (auto it = meta.find("fileSize"); it != meta.end() && it->is_number_integer())
                d.received_bytes = d.total_bytes = it->get<int64_t>();
        }
        out.push_back(std::move(d));
    }
    return out;
}

}  // namespace

std::optional<BrowserHistory> read_browser_history(std::span<std::byte> bytes,
                                                   const std::string& name) {
    check_sqlite_header(bytes, name);
    const UntrustedSqlite db(bytes, name);
    BrowserHistory out;
    try {
        const std::set<std::string> tables = sqlite_table_names(db.get());
        auto half = [&](const char* one, const char* other) {
            if (tables.count(one) && !tables.count(other))
                throw Error(std::string("has the table ") + one + " but not " + other +
                            ": not a whole browser history");
        };
        half("urls", "visits");
        half("visits", "urls");
        half("moz_places", "moz_historyvisits");
        half("moz_historyvisits", "moz_places");
        if (tables.count("urls"))
            out.family = BrowserFamily::Chromium;
        else if (tables.count("moz_places"))
            out.family = BrowserFamily::Firefox;
        else
            return std::nullopt;
        if (const std::string complaint = db.quick_check(); !complaint.empty())
            throw Error("SQLite's quick check fails: " + complaint);
        const bool chromium = out.family == BrowserFamily::Chromium;
        out.visits = visits_of(db.get(), chromium ? kChromeVisits : kFirefoxVisits);
    } catch (const std::exception& e) {
        if (db.budget_spent())
            throw Error(name + ": reading the history exceeds SQLite's work budget (" +
                        std::to_string(kSqliteWorkBudget) + " steps)");
        throw Error(name + ": " + common::one_line(e.what()));
    }
    try {
        if (out.family == BrowserFamily::Firefox)
            out.downloads = firefox_downloads(db.get());
        else if (sqlite_table_names(db.get()).count("downloads"))
            out.downloads = chrome_downloads(db.get());
    } catch (const std::exception& e) {  // an older or damaged downloads table: the visits stay
        out.downloads_problem = name + ": downloads: " + common::one_line(e.what());
    }
    return out;
}

}  // namespace dflab::engine
