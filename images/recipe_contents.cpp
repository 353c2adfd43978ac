#include "images/recipe_contents.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <set>

#include "common/input_file.hpp"
#include "engine/error.hpp"
#include "images/recipe_parser.hpp"
#include "images/recipe_text.hpp"
#include "images/recipe_values.hpp"

namespace dflab::images::recipe_detail {

namespace {

namespace fs = std::filesystem;

std::optional<uint64_t> base64_size(const std::string& s) {
    if (s.size() % 4) return std::nullopt;
    size_t pad = 0;
    for (size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        if (c == '=') {
            if (i + 2 < s.size()) return std::nullopt;
            ++pad;
            continue;
        }
        bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                  c == '+' || c == '/';
        if (!ok || pad) return std::nullopt;
    }
    return s.size() / 4 * 3 - pad;
}

// A relative path with / and without . or .. parts, as zip member names must be.
bool is_plain_relative_path(const std::string& name) {
    bool bad = name.empty() || name[0] == '/' || name.find('\\') != std::string::npos ||
               name.find('\0') != std::string::npos;
    for (size_t p = 0, q; !bad && p <= name.size(); p = q + 1) {
        q = std::min(name.find('/', p), name.size());
        std::string part = name.substr(p, q - p);
        bad = part == ".." || part == "." || (part.empty() && q != name.size());
    }
    return !bad;
}

void parse_zip_members(const Context& ctx, const MapReader& g, GeneratedContent& out) {
    Field mf = g.need("members", "list the files inside, e.g. members: [{name: a.txt, text: hi}]");
    const YAML::Node& list = list_value(ctx, mf, "a list of {name, text}");
    if (list.size() == 0) ctx.fail(mf.mark, "a zip needs at least one member; add one");
    std::set<std::string> names;
    for (size_t i = 0; i < list.size(); ++i) {
        Field item = item_field(ctx, mf, i);
        MapReader m(ctx, item.node, item.mark, "zip member " + std::to_string(i + 1),
                    {"name", "text"});
        Field nf = m.need("name", "give the member's path inside the zip, e.g. name: a.txt");
        std::string name = text_value(ctx, nf);
        if (!is_plain_relative_path(name))
            ctx.fail(nf.mark, "zip member name " + quote(name) +
                                  " must be a relative path with / and without . or ..; fix it");
        if (!names.insert(name).second)
            ctx.fail(nf.mark, "zip member " + quote(name) + " is listed twice; keep one");
        Field xf = m.need("text", "give the member's text content");
        out.members.emplace_back(name, text_value(ctx, xf));
    }
}

// The statements run on an in-memory database now, so that a typo is reported at its line.
void parse_sql(const Context& ctx, const MapReader& g, GeneratedContent& out) {
    Field sf =
        g.need("sql", "list the SQL statements that build the database (CREATE TABLE, INSERT)");
    const YAML::Node& list = list_value(ctx, sf, "a list of SQL statements");
    if (list.size() == 0)
        ctx.fail(sf.mark, "'sql' is empty; add CREATE TABLE and INSERT statements");
    sqlite3* raw = nullptr;
    sqlite3_open(":memory:", &raw);
    std::unique_ptr<sqlite3, decltype(&sqlite3_close)> db(raw, &sqlite3_close);
    for (size_t i = 0; i < list.size(); ++i) {
        Field item = item_field(ctx, sf, i);
        std::string sql = text_value(ctx, item);
        char* error = nullptr;
        if (sqlite3_exec(db.get(), sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
            std::string message = error ? error : "unknown error";
            sqlite3_free(error);
            ctx.fail(item.mark, "SQL statement " + std::to_string(i + 1) + " fails: " + message +
                                    "; fix the statement");
        }
        out.sql.push_back(sql);
    }
}

GeneratedContent parse_generate(const Context& ctx, const Field& f) {
    // The options each generator takes (images/generate_<type>.cpp); checked here so that a
    // mistake is reported at its line.
    MapReader g(ctx, f.node, f.mark, "generate",
                {"type",      "width",         "height",       "quality",
                 "comment",   "text",          "title",        "author",
                 "members",   "sql",           "keep_deleted", "root",
                 "file_name", "keys",          "target",       "drive",
                 "serial",    "label",         "size",         "created",
                 "accessed",  "modified",      "attributes",   "working_directory",
                 "arguments", "relative_path", "machine",      "channel",
                 "computer",  "events",        "exif",         "visits",
                 "downloads", "executable",    "hash",         "run_count",
                 "last_run",  "files",         "volume"});
    GeneratedContent out;
    Field tf = g.need("type",
                      "one of jpeg, png, pdf, zip, sqlite, registry, lnk, evtx, chrome_history, "
                      "firefox_places, prefetch");
    out.type = keyword_value(ctx, tf, "a document type");
    std::vector<std::string> allowed;
    if (out.type == "jpeg")
        allowed = {"type", "width", "height", "quality", "comment", "exif"};
    else if (out.type == "png")
        allowed = {"type", "width", "height", "comment"};
    else if (out.type == "pdf")
        allowed = {"type", "title", "author", "text"};
    else if (out.type == "zip")
        allowed = {"type", "members"};
    else if (out.type == "sqlite")
        allowed = {"type", "sql", "keep_deleted"};
    else if (out.type == "registry")
        allowed = {"type", "root", "file_name", "keys"};
    else if (out.type == "lnk")
        allowed = {"type",    "target",    "drive",         "serial",           "label",
                   "size",    "created",   "accessed",      "modified",         "attributes",
                   "machine", "arguments", "relative_path", "working_directory"};
    else if (out.type == "evtx")
        allowed = {"type", "channel", "computer", "events"};
    else if (out.type == "chrome_history" || out.type == "firefox_places")
        allowed = {"type", "visits", "downloads"};
    else if (out.type == "prefetch")
        allowed = {"type", "executable", "hash", "run_count", "last_run", "files", "volume"};
    else
        ctx.fail(tf.mark, "cannot generate " + quote(out.type) +
                              "; use jpeg, png, pdf, zip, sqlite, registry, lnk, evtx, "
                              "chrome_history, firefox_places or prefetch");
    g.only(allowed, "generate (" + out.type + ")");
    for (const char* key : {"width", "height"})
        if (const Field* x = g.find(key))
            out.options[key] = std::to_string(uint_value(ctx, *x, 1, 8192));
    if (const Field* x = g.find("quality"))
        out.options["quality"] = std::to_string(uint_value(ctx, *x, 1, 100));
    for (const char* key : {"comment", "text", "title", "author"})
        if (const Field* x = g.find(key)) out.options[key] = text_value(ctx, *x);
    if (out.type == "zip") parse_zip_members(ctx, g, out);
    if (out.type == "sqlite") parse_sql(ctx, g, out);
    if (const Field* x = g.find("keep_deleted"))
        if (bool_value(ctx, *x)) out.options["keep_deleted"] = "true";
    if (out.type == "registry") parse_registry_keys(ctx, g, out);
    if (out.type == "lnk") parse_shell_link(ctx, g, out);
    if (out.type == "evtx") parse_event_log(ctx, g, out);
    if (const Field* x = g.find("exif")) out.exif = parse_exif(ctx, *x);
    if (out.type == "chrome_history" || out.type == "firefox_places")
        parse_browser_history(ctx, g, out);
    if (out.type == "prefetch") parse_prefetch(ctx, g, out);
    return out;
}

// An asset: a regular file inside the recipe's folder, by its resolved path.
std::string asset_path(const Context& ctx, const Field& f) {
    std::string rel = text_value(ctx, f);
    fs::path rp(rel);
    if (rel.empty() || rp.is_absolute() || rel.find('\0') != std::string::npos)
        ctx.fail(f.mark, "asset " + quote(rel) +
                             " must be a path relative to the recipe's "
                             "folder; write e.g. assets/photo.jpg");
    std::error_code ec;
    fs::path full = fs::weakly_canonical(ctx.folder / rp, ec);
    if (ec)
        ctx.fail(f.mark,
                 "cannot resolve asset " + quote(rel) + ": " + ec.message() + "; fix the path");
    auto [mine, theirs] =
        std::mismatch(ctx.folder.begin(), ctx.folder.end(), full.begin(), full.end());
    if (mine != ctx.folder.end())
        ctx.fail(f.mark, "asset " + quote(rel) + " is a path that escapes the pack folder " +
                             quote(ctx.folder.string()) +
                             "; keep assets inside the recipe's folder");
    if (!fs::exists(full, ec))
        ctx.fail(f.mark, "asset " + quote(rel) + " does not exist (looked for " +
                             quote(full.string()) + "); add the file or fix the path");
    if (!fs::is_regular_file(full, ec))
        ctx.fail(f.mark, "asset " + quote(rel) +
                             " is not a regular file (a folder, device or pipe); name a file");
    if (fs::file_size(full, ec) > kLargestAsset)
        ctx.fail(f.mark, "asset " + quote(rel) + " is larger than " +
                             common::size_text(kLargestAsset) + "; use a smaller file");
    return full.string();
}

}  // namespace

ParsedContent parse_content(const Context& ctx, const MapReader& r, const std::string& what) {
    std::vector<const Field*> found = r.find_each(kContentKeys);
    if (found.empty())
        ctx.fail(r.mark(), what + " needs its content: one of " + join(kContentKeys));
    if (found.size() > 1)
        ctx.fail(found[1]->key_mark, what + " has two contents, '" + found[0]->key + "' and '" +
                                         found[1]->key + "'; keep one");
    const Field& f = *found[0];
    ParsedContent out;
    out.mark = f.mark;
    if (f.key == "text") {
        TextContent t{text_value(ctx, f)};
        out.size = t.text.size();
        out.content = std::move(t);
    } else if (f.key == "base64") {
        std::string s = scalar(ctx, f, "base64 text");
        s.erase(
            std::remove_if(s.begin(), s.end(),
                           [](char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }),
            s.end());
        out.size = base64_size(s);
        if (!out.size)
            ctx.fail(f.mark,
                     "'base64' is not valid base64 (A-Z, a-z, 0-9, +, /, padded with = "
                     "to a multiple of 4); fix it or use text:");
        out.content = Base64Content{s};
    } else if (f.key == "asset") {
        std::string path = asset_path(ctx, f);
        std::error_code ec;
        out.size = fs::file_size(path, ec);
        out.content = AssetContent{path};
    } else if (f.key == "random") {
        MapReader m(ctx, f.node, f.mark, "random", {"size"});
        RandomContent rc{
            size_value(ctx, m.need("size", "give the number of bytes, e.g. size: 4KiB"))};
        out.size = rc.size;
        out.content = rc;
    } else {
        out.content = parse_generate(ctx, f);
    }
    return out;
}

}  // namespace dflab::images::recipe_detail
