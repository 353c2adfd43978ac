// Chrome History and Firefox places.sqlite from visits and downloads (images/browser_history.hpp):
// the schemas as the browsers create them (Chrome's history database at version 70, Firefox's
// places at schema 75), the rows as SQL statements with quoted literals, and the file written by
// detail::sqlite_file_bytes (no clock, no randomness but the seed's).
#include "images/browser_history.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <map>

#include "engine/error.hpp"
#include "images/content_generator.hpp"

namespace dflab::images {

using engine::Error;

namespace {

constexpr int64_t kWebKitToUnixSeconds = 11644473600;  // 1601-01-01 to 1970-01-01
constexpr int64_t kLatest = 253402300799;              // 9999-12-31 23:59:59 UTC

// A SQL string literal; a NUL would end the statement's C string early, so it is refused.
std::string literal(std::string_view text, const std::string& what) {
    if (text.find('\0') != std::string_view::npos) throw Error(what + " holds a NUL character");
    std::string out = "'";
    for (char ch : text) {
        out += ch;
        if (ch == '\'') out += '\'';
    }
    return out + "'";
}

int64_t checked_seconds(int64_t t, const std::string& what) {
    if (t < -kWebKitToUnixSeconds || t > kLatest)
        throw Error(what + ": the time is outside 1601-01-01 to 9999-12-31");
    return t;
}

int64_t webkit_time(int64_t t, const std::string& what) {
    return (checked_seconds(t, what) + kWebKitToUnixSeconds) * 1000000;
}

int64_t pr_time(int64_t t, const std::string& what) {
    return checked_seconds(t, what) * 1000000;
}

unsigned transition_number(const BrowserVisit& v, const std::string& what) {
    const auto* it = std::find(std::begin(engine::kChromeTransitions),
                               std::end(engine::kChromeTransitions), v.transition);
    if (it == std::end(engine::kChromeTransitions))
        throw Error(what + ": unknown transition '" + v.transition + "'");
    return static_cast<unsigned>(it - std::begin(engine::kChromeTransitions));
}

std::string visit_name(size_t i) {
    return "visit " + std::to_string(i + 1);
}
std::string download_name(size_t i) {
    return "download " + std::to_string(i + 1);
}

// A version 4 UUID's text from the seed, as Chrome gives each download.
std::string uuid_text(detail::Prng& prng) {
    uint64_t hi = prng.next(), lo = prng.next();
    hi = (hi & ~uint64_t{0xF000}) | 0x4000;
    lo = (lo & ~(uint64_t{3} << 62)) | (uint64_t{2} << 62);
    char text[40];
    std::snprintf(text, sizeof text, "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(hi >> 32),
                  static_cast<unsigned>((hi >> 16) & 0xFFFF), static_cast<unsigned>(hi & 0xFFFF),
                  static_cast<unsigned>(lo >> 48),
                  static_cast<unsigned long long>(lo & 0xFFFFFFFFFFFFull));
    return text;
}

// Twelve characters of URL-safe base64 from the seed, as Firefox's GUIDs of places.
std::string places_guid(detail::Prng& prng) {
    static constexpr char kAlphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string out;
    for (int i = 0; i < 12; ++i) out += kAlphabet[prng.below(64)];
    return out;
}

// The distinct URLs in first-seen order, each with the indexes of its visits.
struct UrlRow {
    std::string url, title;
    std::vector<size_t> visits;
};

std::vector<UrlRow> url_rows(const std::vector<BrowserVisit>& visits) {
    std::vector<UrlRow> rows;
    std::map<std::string, size_t> index;
    for (size_t i = 0; i < visits.size(); ++i) {
        auto [it, added] = index.emplace(visits[i].url, rows.size());
        if (added) rows.push_back({visits[i].url, visits[i].title, {}});
        if (!visits[i].title.empty()) rows[it->second].title = visits[i].title;  // the latest
        rows[it->second].visits.push_back(i);
    }
    return rows;
}

const char* const kChromeSchema[] = {
    "CREATE TABLE meta(key LONGVARCHAR NOT NULL UNIQUE PRIMARY KEY, value LONGVARCHAR)",
    "CREATE TABLE urls(id INTEGER PRIMARY KEY AUTOINCREMENT,url LONGVARCHAR,title "
    "LONGVARCHAR,visit_count INTEGER DEFAULT 0 NOT NULL,typed_count INTEGER DEFAULT 0 NOT "
    "NULL,last_visit_time INTEGER NOT NULL,hidden INTEGER DEFAULT 0 NOT NULL)",
    "CREATE TABLE visits(id INTEGER PRIMARY KEY AUTOINCREMENT,url INTEGER NOT NULL,visit_time "
    "INTEGER NOT NULL,from_visit INTEGER,external_referrer_url TEXT,transition INTEGER DEFAULT 0 "
    "NOT NULL,segment_id INTEGER,visit_duration INTEGER DEFAULT 0 NOT "
    "NULL,incremented_omnibox_typed_score BOOLEAN DEFAULT FALSE NOT NULL,opener_visit "
    "INTEGER,originator_cache_guid TEXT,originator_visit_id INTEGER,originator_from_visit "
    "INTEGER,originator_opener_visit INTEGER,is_known_to_sync BOOLEAN DEFAULT FALSE NOT "
    "NULL,consider_for_ntp_most_visited BOOLEAN DEFAULT FALSE NOT NULL,visited_link_id INTEGER "
    "DEFAULT 0 NOT NULL,app_id TEXT)",
    "CREATE TABLE visit_source(id INTEGER PRIMARY KEY,source INTEGER NOT NULL)",
    "CREATE TABLE keyword_search_terms (keyword_id INTEGER NOT NULL,url_id INTEGER NOT "
    "NULL,term LONGVARCHAR NOT NULL,normalized_term LONGVARCHAR NOT NULL)",
    "CREATE TABLE downloads (id INTEGER PRIMARY KEY,guid VARCHAR NOT NULL,current_path "
    "LONGVARCHAR NOT NULL,target_path LONGVARCHAR NOT NULL,start_time INTEGER NOT "
    "NULL,received_bytes INTEGER NOT NULL,total_bytes INTEGER NOT NULL,state INTEGER NOT "
    "NULL,danger_type INTEGER NOT NULL,interrupt_reason INTEGER NOT NULL,hash BLOB NOT "
    "NULL,end_time INTEGER NOT NULL,opened INTEGER NOT NULL,last_access_time INTEGER NOT "
    "NULL,transient INTEGER NOT NULL,referrer VARCHAR NOT NULL,site_url VARCHAR NOT "
    "NULL,embedder_download_data VARCHAR NOT NULL,tab_url VARCHAR NOT NULL,tab_referrer_url "
    "VARCHAR NOT NULL,http_method VARCHAR NOT NULL,by_ext_id VARCHAR NOT NULL,by_ext_name "
    "VARCHAR NOT NULL,by_web_app_id VARCHAR NOT NULL,etag VARCHAR NOT NULL,last_modified "
    "VARCHAR NOT NULL,mime_type VARCHAR(255) NOT NULL,original_mime_type VARCHAR(255) NOT NULL)",
    "CREATE TABLE downloads_url_chains (id INTEGER NOT NULL,chain_index INTEGER NOT NULL,url "
    "LONGVARCHAR NOT NULL, PRIMARY KEY (id, chain_index) )",
    "CREATE TABLE downloads_slices (download_id INTEGER NOT NULL,offset INTEGER NOT "
    "NULL,received_bytes INTEGER NOT NULL,finished INTEGER NOT NULL DEFAULT 0,PRIMARY KEY "
    "(download_id, offset) )",
    "CREATE TABLE segments (id INTEGER PRIMARY KEY,name VARCHAR,url_id INTEGER NON NULL)",
    "CREATE TABLE segment_usage (id INTEGER PRIMARY KEY,segment_id INTEGER NOT NULL,time_slot "
    "INTEGER NOT NULL,visit_count INTEGER DEFAULT 0 NOT NULL)",
    "CREATE INDEX urls_url_index ON urls (url)",
    "CREATE INDEX visits_url_index ON visits (url)",
    "CREATE INDEX visits_from_index ON visits (from_visit)",
    "CREATE INDEX visits_time_index ON visits (visit_time)",
    "CREATE INDEX segments_name ON segments(name)",
    "CREATE INDEX segments_url_id ON segments(url_id)",
    "CREATE INDEX segment_usage_time_slot_segment_id ON segment_usage(time_slot, segment_id)",
    "CREATE INDEX segments_usage_seg_id ON segment_usage(segment_id)",
    "CREATE INDEX keyword_search_terms_index1 ON keyword_search_terms (keyword_id, "
    "normalized_term)",
    "CREATE INDEX keyword_search_terms_index2 ON keyword_search_terms (url_id)",
    "CREATE INDEX keyword_search_terms_index3 ON keyword_search_terms (term)",
    "INSERT INTO meta VALUES('mmap_status','-1'),('version','70'),('last_compatible_version',"
    "'16')",
};

constexpr unsigned kChainStart = 0x10000000, kChainEnd = 0x20000000, kFromAddressBar = 0x02000000;

}  // namespace

std::vector<std::byte> build_chrome_history(const BrowserHistorySpec& spec,
                                            const GenerationContext& context) {
    std::vector<std::string> sql(std::begin(kChromeSchema), std::end(kChromeSchema));
    const std::vector<UrlRow> urls = url_rows(spec.visits);
    for (size_t u = 0; u < urls.size(); ++u) {
        int64_t last = 0, typed = 0;
        for (size_t i : urls[u].visits) {
            last = std::max(last, webkit_time(spec.visits[i].time, visit_name(i)));
            typed += spec.visits[i].transition == "typed";
        }
        const std::string what = visit_name(urls[u].visits.front());
        sql.push_back(
            "INSERT INTO urls(id,url,title,visit_count,typed_count,last_visit_time,"
            "hidden) VALUES(" +
            std::to_string(u + 1) + "," + literal(urls[u].url, what + " url") + "," +
            literal(urls[u].title, what + " title") + "," + std::to_string(urls[u].visits.size()) +
            "," + std::to_string(typed) + "," + std::to_string(last) + ",0)");
        for (size_t i : urls[u].visits) {
            const BrowserVisit& v = spec.visits[i];
            unsigned transition = transition_number(v, visit_name(i)) | kChainStart | kChainEnd;
            if (v.transition == "typed" || v.transition == "generated")
                transition |= kFromAddressBar;
            sql.push_back(
                "INSERT INTO visits(id,url,visit_time,from_visit,transition,segment_id,"
                "visit_duration) VALUES(" +
                std::to_string(i + 1) + "," + std::to_string(u + 1) + "," +
                std::to_string(webkit_time(v.time, visit_name(i))) + ",0," +
                std::to_string(transition) + ",0,0)");
        }
    }
    detail::Prng prng(context.seed, context.purpose, "chrome downloads");
    for (size_t i = 0; i < spec.downloads.size(); ++i) {
        const BrowserDownload& d = spec.downloads[i];
        const std::string what = download_name(i);
        const std::string id = std::to_string(i + 1);
        const std::string path = literal(d.target_path, what + " target_path");
        const std::string referrer = literal(d.referrer, what + " referrer");
        const std::string mime = literal(d.mime_type, what + " mime_type");
        sql.push_back("INSERT INTO downloads VALUES(" + id + ",'" + uuid_text(prng) + "'," + path +
                      "," + path + "," + std::to_string(webkit_time(d.start, what)) + "," +
                      std::to_string(d.size) + "," + std::to_string(d.size) + ",1,0,0,X''," +
                      std::to_string(webkit_time(d.end, what)) + ",0,0,0," + referrer + ",'','', " +
                      referrer + ",'','','','','','',''," + mime + "," + mime + ")");
        sql.push_back("INSERT INTO downloads_url_chains VALUES(" + id + ",0," +
                      literal(d.url, what + " url") + ")");
    }
    return detail::sqlite_file_bytes(sql, context, "chrome_history");
}

namespace {

const char* const kFirefoxSchema[] = {
    "PRAGMA user_version=75",
    "CREATE TABLE moz_origins ( id INTEGER PRIMARY KEY, prefix TEXT NOT NULL, host TEXT NOT "
    "NULL, frecency INTEGER NOT NULL, recalc_frecency INTEGER NOT NULL DEFAULT 0, alt_frecency "
    "INTEGER, recalc_alt_frecency INTEGER NOT NULL DEFAULT 0, UNIQUE (prefix, host) )",
    "CREATE TABLE moz_places (   id INTEGER PRIMARY KEY, url LONGVARCHAR, title LONGVARCHAR, "
    "rev_host LONGVARCHAR, visit_count INTEGER DEFAULT 0, hidden INTEGER DEFAULT 0 NOT NULL, "
    "typed INTEGER DEFAULT 0 NOT NULL, frecency INTEGER DEFAULT -1 NOT NULL, last_visit_date "
    "INTEGER , guid TEXT, foreign_count INTEGER DEFAULT 0 NOT NULL, url_hash INTEGER DEFAULT 0 "
    "NOT NULL , description TEXT, preview_image_url TEXT, site_name TEXT, origin_id INTEGER "
    "REFERENCES moz_origins(id), recalc_frecency INTEGER NOT NULL DEFAULT 0, alt_frecency "
    "INTEGER, recalc_alt_frecency INTEGER NOT NULL DEFAULT 0)",
    "CREATE TABLE moz_historyvisits (  id INTEGER PRIMARY KEY, from_visit INTEGER, place_id "
    "INTEGER, visit_date INTEGER, visit_type INTEGER, session INTEGER, source INTEGER DEFAULT 0 "
    "NOT NULL, triggeringPlaceId INTEGER)",
    "CREATE TABLE moz_inputhistory (  place_id INTEGER NOT NULL, input LONGVARCHAR NOT NULL, "
    "use_count INTEGER, PRIMARY KEY (place_id, input))",
    "CREATE TABLE moz_anno_attributes (  id INTEGER PRIMARY KEY, name VARCHAR(32) UNIQUE NOT "
    "NULL)",
    "CREATE TABLE moz_annos (  id INTEGER PRIMARY KEY, place_id INTEGER NOT NULL, "
    "anno_attribute_id INTEGER, content LONGVARCHAR, flags INTEGER DEFAULT 0, expiration "
    "INTEGER DEFAULT 0, type INTEGER DEFAULT 0, dateAdded INTEGER DEFAULT 0, lastModified "
    "INTEGER DEFAULT 0)",
    "CREATE TABLE moz_keywords (  id INTEGER PRIMARY KEY AUTOINCREMENT, keyword TEXT UNIQUE, "
    "place_id INTEGER, post_data TEXT)",
    "CREATE INDEX moz_places_url_hashindex ON moz_places (url_hash)",
    "CREATE INDEX moz_places_hostindex ON moz_places (rev_host)",
    "CREATE INDEX moz_places_visitcount ON moz_places (visit_count)",
    "CREATE INDEX moz_places_frecencyindex ON moz_places (frecency)",
    "CREATE INDEX moz_places_lastvisitdateindex ON moz_places (last_visit_date)",
    "CREATE UNIQUE INDEX moz_places_guid_uniqueindex ON moz_places (guid)",
    "CREATE INDEX moz_places_originidindex ON moz_places (origin_id)",
    "CREATE INDEX moz_historyvisits_placedateindex ON moz_historyvisits (place_id, visit_date)",
    "CREATE INDEX moz_historyvisits_fromindex ON moz_historyvisits (from_visit)",
    "CREATE INDEX moz_historyvisits_dateindex ON moz_historyvisits (visit_date)",
    "CREATE UNIQUE INDEX moz_annos_placeattributeindex ON moz_annos (place_id, "
    "anno_attribute_id)",
    "INSERT INTO moz_anno_attributes(id,name) VALUES(1,'downloads/destinationFileURI'),"
    "(2,'downloads/metaData')",
};

// Firefox's visit types (nsINavHistoryService TRANSITION_*) for Chrome's core transitions.
int firefox_visit_type(const std::string& transition) {
    if (transition == "typed" || transition == "generated" || transition == "keyword" ||
        transition == "keyword_generated")
        return 2;
    if (transition == "auto_bookmark") return 3;
    if (transition == "auto_subframe") return 4;
    if (transition == "manual_subframe") return 8;
    if (transition == "reload") return 9;
    return 1;  // link, auto_toplevel, form_submit
}
constexpr int kFirefoxDownload = 7;

// "https://" and "www.example.com" of a URL; "about:" and "" without an authority.
std::pair<std::string, std::string> origin_of(const std::string& url) {
    const size_t colon = url.find(':');
    if (colon == std::string::npos) return {"", ""};
    if (url.compare(colon, 3, "://") != 0) return {url.substr(0, colon + 1), ""};
    const size_t host = colon + 3;
    const size_t end = std::min(url.find_first_of("/?#", host), url.size());
    return {url.substr(0, host), url.substr(host, end - host)};
}

// moz_places.rev_host: the host without its port, reversed, lower case, with a final dot.
std::string reversed_host(std::string host) {
    host = host.substr(0, host.find(':'));
    std::transform(host.begin(), host.end(), host.begin(),
                   [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
    std::reverse(host.begin(), host.end());
    return host + ".";
}

// "file:///C:/Users/anna/Downloads/a%20b.exe" for C:\Users\anna\Downloads\a b.exe, as Firefox
// writes a download's destination; a path starting with / gives file:///that/path.
std::string file_uri(const std::string& path) {
    std::string out = "file://";
    if (path.empty() || path[0] != '/') out += '/';
    for (unsigned char ch : path) {
        if (ch == '\\') ch = '/';
        if (std::isalnum(ch) ||
            std::string_view("/:-._~").find(static_cast<char>(ch)) != std::string_view::npos) {
            out += static_cast<char>(ch);
        } else {
            char hex[4];
            std::snprintf(hex, sizeof hex, "%%%02X", ch);
            out += hex;
        }
    }
    return out;
}

}  // namespace

std::vector<std::byte> build_firefox_places(const BrowserHistorySpec& spec,
                                            const GenerationContext& context) {
    std::vector<std::string> sql(std::begin(kFirefoxSchema), std::end(kFirefoxSchema));
    detail::Prng prng(context.seed, context.purpose, "firefox places");
    std::map<std::pair<std::string, std::string>, size_t> origins;
    std::map<std::string, size_t> places;  // url -> moz_places.id
    auto place_of = [&](const std::string& url, const std::string& title, const std::string& what,
                        int64_t visits, int64_t typed, int64_t last) {
        const auto origin = origin_of(url);
        auto [o, new_origin] = origins.emplace(origin, origins.size() + 1);
        if (new_origin)
            sql.push_back("INSERT INTO moz_origins(id,prefix,host,frecency) VALUES(" +
                          std::to_string(o->second) + "," + literal(origin.first, what + " url") +
                          "," + literal(origin.second, what + " url") + ",100)");
        const size_t id = places.size() + 1;
        places.emplace(url, id);
        sql.push_back(
            "INSERT INTO moz_places(id,url,title,rev_host,visit_count,hidden,typed,"
            "frecency,last_visit_date,guid,origin_id) VALUES(" +
            std::to_string(id) + "," + literal(url, what + " url") + "," +
            (title.empty() ? "NULL" : literal(title, what + " title")) + "," +
            literal(reversed_host(origin.second), what + " url") + "," + std::to_string(visits) +
            ",0," + std::to_string(typed) + ",100," + std::to_string(last) + ",'" +
            places_guid(prng) + "'," + std::to_string(o->second) + ")");
        return id;
    };
    const std::vector<UrlRow> urls = url_rows(spec.visits);
    for (const UrlRow& u : urls) {
        int64_t last = 0, typed = 0, counted = 0;
        for (size_t i : u.visits) {
            last = std::max(last, pr_time(spec.visits[i].time, visit_name(i)));
            const int type = firefox_visit_type(spec.visits[i].transition);
            typed |= type == 2;
            counted += type != 4 && type != 8 && type != 9;  // Firefox counts neither
        }
        place_of(u.url, u.title, visit_name(u.visits.front()), counted, typed, last);
    }
    struct VisitRow {
        int64_t date;
        size_t place;
        int type;
        size_t from = 0;  // the id of the visit it came from
    };
    std::vector<VisitRow> rows;
    for (size_t i = 0; i < spec.visits.size(); ++i) {
        const BrowserVisit& v = spec.visits[i];
        transition_number(v, visit_name(i));  // checks the name
        rows.push_back(
            {pr_time(v.time, visit_name(i)), places.at(v.url), firefox_visit_type(v.transition)});
    }
    std::vector<std::string> annos;
    for (size_t i = 0; i < spec.downloads.size(); ++i) {
        const BrowserDownload& d = spec.downloads[i];
        const std::string what = download_name(i);
        const int64_t start = pr_time(d.start, what), end = pr_time(d.end, what);
        auto found = places.find(d.url);
        const size_t place =
            found != places.end() ? found->second : place_of(d.url, "", what, 0, 0, start);
        // The download's visit comes from the referrer's latest visit at or before it.
        VisitRow row{start, place, kFirefoxDownload};
        if (auto r = places.find(d.referrer); r != places.end())
            for (size_t v = 0; v < rows.size(); ++v)
                if (rows[v].place == r->second && rows[v].type != kFirefoxDownload &&
                    rows[v].date <= start)
                    row.from = v + 1;
        rows.push_back(row);
        const nlohmann::json meta = {
            {"state", 1}, {"deleted", false}, {"endTime", end / 1000}, {"fileSize", d.size}};
        // Firefox keeps one download per URL (the annotations' unique index): the last one.
        auto anno = [&](int attribute, const std::string& content, int64_t added) {
            annos.push_back(
                "INSERT OR REPLACE INTO moz_annos(place_id,anno_attribute_id,content,"
                "flags,expiration,type,dateAdded,lastModified) VALUES(" +
                std::to_string(place) + "," + std::to_string(attribute) + "," + content +
                ",0,4,3," + std::to_string(added) + "," + std::to_string(added) + ")");
        };
        anno(1, literal(file_uri(d.target_path), what + " target_path"), start);
        anno(2, literal(meta.dump(), what), end);
    }
    for (size_t v = 0; v < rows.size(); ++v)
        sql.push_back(
            "INSERT INTO moz_historyvisits(id,from_visit,place_id,visit_date,"
            "visit_type,session,source) VALUES(" +
            std::to_string(v + 1) + "," + std::to_string(rows[v].from) + "," +
            std::to_string(rows[v].place) + "," + std::to_string(rows[v].date) + "," +
            std::to_string(rows[v].type) + ",0,0)");
    sql.insert(sql.end(), annos.begin(), annos.end());
    return detail::sqlite_file_bytes(sql, context, "firefox_places", 32768);
}

}  // namespace dflab::images
