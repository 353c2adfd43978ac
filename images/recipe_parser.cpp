// The recipe parser: reads the YAML with yaml-cpp and walks it top-down (the recipe, its case,
// disk and actions), every key checked against a fixed schema. The pieces it uses are in the
// other recipe_* files: values (sizes, times, paths), variables (the seeded values and ${name}),
// contents, the disk layout and the story (the actions replayed on a model of each file system,
// so that a story that cannot happen is reported at its line and column). docs/recipe-format.md
// is the reference.
#include "images/recipe_parser.hpp"

#include <date/tz.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <limits>
#include <set>

#include "common/utf16.hpp"
#include "images/recipe_contents.hpp"
#include "images/recipe_disk.hpp"
#include "images/recipe_reader.hpp"
#include "images/recipe_story.hpp"
#include "images/recipe_text.hpp"
#include "images/recipe_values.hpp"
#include "images/recipe_variables.hpp"
#include "images/recycle_bin.hpp"

namespace dflab::images {

using namespace recipe_detail;

namespace {

namespace fs = std::filesystem;

// The `actions:` list, in order: each action's keys checked for its verb, its time taken from the
// story's clock, and its effect checked against the story so far.
class ActionParser {
  public:
    ActionParser(const Context& ctx, Recipe& recipe, const Layout& layout)
        : ctx_(ctx), recipe_(recipe), layout_(layout), story_(ctx, recipe.disk.partitions) {}

    void parse(const Field& section, std::optional<int64_t> start) {
        static const std::vector<std::string> verbs = {
            "mkdir", "write", "touch", "rename", "delete", "slack", "stream", "hide", "recycle"};
        std::vector<std::string> all = {"at",     "partition",       "id",    "to",    "overwrite",
                                        "name",   "offset",          "mtime", "atime", "ctime",
                                        "crtime", "downloaded_from", "sid",   "drive", "version"};
        all.insert(all.end(), verbs.begin(), verbs.end());
        all.insert(all.end(), kContentKeys.begin(), kContentKeys.end());
        clock_ = start;

        const YAML::Node& list = list_value(ctx_, section, "a list of actions");
        for (size_t i = 0; i < list.size(); ++i) {
            Field item = item_field(ctx_, section, i);
            std::string what = "action " + std::to_string(i + 1);
            MapReader r(ctx_, item.node, item.mark, what, {"*"});
            std::vector<const Field*> found = r.find_each(verbs);
            if (found.empty()) {
                r.only(all, what, true);
                ctx_.fail(item.mark, what + " does nothing; give it one of: " + join(verbs));
            }
            if (found.size() > 1)
                ctx_.fail(found[1]->key_mark, what + " does two things, '" + found[0]->key +
                                                  "' and '" + found[1]->key +
                                                  "'; split it into two actions");
            const Field& vf = *found[0];
            const std::string verb = vf.key;
            std::vector<std::string> allowed = {"at", "partition", verb};
            auto add = [&](std::initializer_list<const char*> keys) {
                for (const char* k : keys) allowed.push_back(k);
            };
            auto add_content = [&] {
                allowed.push_back("id");
                allowed.insert(allowed.end(), kContentKeys.begin(), kContentKeys.end());
            };
            if (verb == "write" || verb == "slack") add_content();
            if (verb == "write") add({"downloaded_from"});
            if (verb == "recycle") add({"sid", "drive", "version"});
            if (verb == "touch") add({"mtime", "atime", "ctime", "crtime"});
            if (verb == "rename") add({"to"});
            if (verb == "delete") add({"overwrite"});
            if (verb == "stream") add({"name"}), add_content();
            if (verb == "hide") add({"offset", "split"}), add_content();
            what += " (" + verb + ")";
            r.only(allowed, what);

            Action a;
            a.mark = item.mark;
            if (const Field* f = r.find("at")) clock_ = time_value(ctx_, *f);
            if (!clock_)
                ctx_.fail(item.mark, what +
                                         " needs a time; add at: 2024-03-01T10:00:00 (later "
                                         "actions default to the previous one's time) or a "
                                         "start: time at the top of the recipe");
            a.time = *clock_;
            if (verb == "hide") {
                a.kind = parse_hide(r, vf, what);
            } else {
                const PartitionSpec& p = pick_partition(r, what);
                a.partition = p.id;
                a.kind = parse_file_action(r, vf, what, p);
            }
            const Action like = {{}, a.partition, a.time, a.mark};
            for (auto& k : before_)
                recipe_.actions.push_back(
                    Action{std::move(k), like.partition, like.time, like.mark});
            recipe_.actions.push_back(std::move(a));
            for (auto& k : after_)
                recipe_.actions.push_back(
                    Action{std::move(k), like.partition, like.time, like.mark});
            before_.clear();
            after_.clear();
        }
    }

  private:
    // An action on a path of partition `p`: every verb but hide.
    ActionKind parse_file_action(const MapReader& r, const Field& vf, const std::string& what,
                                 const PartitionSpec& p) {
        const std::string& verb = vf.key;
        std::string path = fs_path(ctx_, vf, p.filesystem);
        if (verb == "mkdir") {
            story_.make_directory(p, path, vf.mark);
            return MakeDirectory{path};
        }
        if (verb == "write") {
            story_.check_file_path(p, path, vf.mark);
            auto id = artifact(r);
            ParsedContent c = parse_content(ctx_, r, what);
            story_.write_file(p, path, c);
            if (const Field* f = r.find("downloaded_from")) {
                if (p.filesystem != FileSystemType::Ntfs)
                    ctx_.fail(f->key_mark,
                              "downloaded_from writes a Zone.Identifier stream, and "
                              "streams exist only on NTFS; use an NTFS partition");
                after_.push_back(WriteStream{
                    path, "Zone.Identifier", TextContent{zone_identifier_text(ctx_, *f)}, {}});
            }
            return WriteFile{path, std::move(c.content), id};
        }
        if (verb == "recycle") return parse_recycle(r, vf, p, path);
        if (verb == "touch") {
            story_.existing(p, path, vf.mark);
            SetTimes st{path, {}};
            if (const Field* f = r.find("mtime")) st.times.mtime = time_value(ctx_, *f);
            if (const Field* f = r.find("atime")) st.times.atime = time_value(ctx_, *f);
            if (const Field* f = r.find("ctime")) st.times.ctime = time_value(ctx_, *f);
            if (const Field* f = r.find("crtime")) st.times.crtime = time_value(ctx_, *f);
            return st;
        }
        if (verb == "rename") {
            story_.existing(p, path, vf.mark);
            Field tf = r.need("to", "give the new path, e.g. to: /Documents/new.txt");
            std::string to = fs_path(ctx_, tf, p.filesystem);
            story_.rename(p, path, to, tf.mark);
            return Rename{path, to};
        }
        if (verb == "delete") {
            story_.existing(p, path, vf.mark);
            Delete d{path, false};
            std::optional<SourceMark> overwrite;
            if (const Field* f = r.find("overwrite")) {
                d.overwrite = bool_value(ctx_, *f);
                if (d.overwrite) overwrite = f->mark;
            }
            story_.remove(p, path, vf.mark, overwrite);
            return d;
        }
        if (verb == "slack") {
            story_.check_slack(p, path, vf.mark);
            auto id = artifact(r);
            ParsedContent c = parse_content(ctx_, r, what);
            story_.check_fits(p, c, p.cluster_size.value_or(64 * kKiB), "one cluster");
            return WriteSlack{path, std::move(c.content), id};
        }
        // stream
        if (p.filesystem != FileSystemType::Ntfs)
            ctx_.fail(vf.mark, "alternate data streams exist only on NTFS, and partition '" + p.id +
                                   "' is " + file_system_name(p.filesystem) +
                                   "; use an NTFS partition");
        story_.existing(p, path, vf.mark);
        Field nf = r.need("name", "give the stream's name, e.g. name: Zone.Identifier");
        std::string stream = text_value(ctx_, nf);
        if (stream.empty() || stream.find_first_of(std::string(":/\\\0", 4)) != std::string::npos ||
            count_chars(stream) > 255)
            ctx_.fail(nf.mark, "stream name " + quote(stream) +
                                   " must be 1 to 255 characters without : / \\; fix it");
        auto id = artifact(r);
        ParsedContent c = parse_content(ctx_, r, what);
        story_.check_fits(p, c, p.size, "the partition");
        return WriteStream{path, stream, std::move(c.content), id};
    }

    // recycle: the file moves to /$Recycle.Bin/SID/$R<name><.ext> and $I<name><.ext> records it;
    // the two folders are made first when they are not there yet.
    RecycleFile parse_recycle(const MapReader& r, const Field& vf, const PartitionSpec& p,
                              const std::string& path) {
        if (p.filesystem != FileSystemType::Ntfs)
            ctx_.fail(vf.mark,
                      "the Recycle Bin written here is NTFS's ($Recycle.Bin), and "
                      "partition '" +
                          p.id + "' is " + file_system_name(p.filesystem) +
                          "; use an NTFS partition");
        if (story_.existing(p, path, vf.mark).dir)
            ctx_.fail(vf.mark, quote(path) + " is a folder; recycle takes a file");
        if (fold_case(path).starts_with("/$recycle.bin/"))
            ctx_.fail(vf.mark, quote(path) + " is in the Recycle Bin already; delete it instead");
        Field sf = r.need("sid",
                          "give the owner's SID, e.g. sid: S-1-5-21-1004336348-1177238915-"
                          "682003330-1001 (the Recycle Bin has a folder per user)");
        const std::string sid = trim(scalar(ctx_, sf, "a SID"));
        if (!sid.starts_with("S-1-") || sid.size() > 184 ||
            sid.find_first_not_of("0123456789-", 4) != std::string::npos ||
            sid.find("--") != std::string::npos || sid.back() == '-')
            ctx_.fail(sf.mark, quote(sid) + " is not a SID; write it as S-1-5-21-...-1001");
        std::string drive = "C";
        if (const Field* f = r.find("drive")) {
            drive = trim(scalar(ctx_, *f, "a drive letter"));
            if (drive.size() != 1 || !std::isalpha(static_cast<unsigned char>(drive[0])))
                ctx_.fail(f->mark,
                          "drive " + quote(drive) + " is not a drive letter; use C, D, ...");
            drive[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(drive[0])));
        }
        RecycleFile k;
        k.path = path;
        if (const Field* f = r.find("version"))
            k.version = static_cast<unsigned>(uint_value(ctx_, *f, 1, 2));
        k.original_path = drive + ":" + path;
        std::replace(k.original_path.begin(), k.original_path.end(), '/', '\\');
        if (k.version == 1 && common::utf16_units(k.original_path) > 259)
            ctx_.fail(vf.mark,
                      "a version 1 $I file holds paths of at most 259 characters; "
                      "use version: 2 or a shorter path");
        const std::string name = path.substr(path.rfind('/') + 1);
        const size_t dot = name.rfind('.');
        const std::string extension = dot == std::string::npos || dot == 0 ? "" : name.substr(dot);
        const std::string bin = "/$Recycle.Bin", folder = bin + "/" + sid;
        for (const std::string& f : {bin, folder}) {
            if (story_.exists(p, f)) continue;
            story_.make_directory(p, f, vf.mark);
            before_.push_back(MakeDirectory{f});
        }
        // A file of the same path recycled before has the first name: the next one is drawn.
        for (unsigned n = 0; n == 0 || story_.exists(p, k.recycled) || story_.exists(p, k.info);
             ++n) {
            const std::string code = recycle_bin_name(
                recipe_.seed, p.id + ":" + path + (n ? "#" + std::to_string(n) : ""));
            k.recycled = folder + "/$R" + code + extension;
            k.info = folder + "/$I" + code + extension;
        }
        story_.rename(p, path, k.recycled, vf.mark);
        story_.write_file(p, k.info, ParsedContent{TextContent{}, 544, vf.mark});
        return k;
    }

    HideData parse_hide(const MapReader& r, const Field& vf, const std::string& what) {
        HideData h;
        std::string where = keyword_value(ctx_, vf, "unallocated, gap or offset");
        const Field* off = r.find("offset");
        if (where == "offset") {
            h.where = HideData::Where::Offset;
            if (const Field* f = r.find("partition"))
                ctx_.fail(f->key_mark,
                          "hide: offset is an absolute position on the disk and takes "
                          "no partition; remove it");
            Field of = r.need("offset", "give the byte offset on the disk, e.g. offset: 1MiB");
            h.offset = size_value(ctx_, of);
        } else if (where == "unallocated" || where == "gap") {
            h.where = where == "gap" ? HideData::Where::Gap : HideData::Where::Unallocated;
            h.partition = pick_partition(r, what).id;
            if (off) h.offset = size_value(ctx_, *off);
        } else {
            ctx_.fail(vf.mark, "cannot hide in " + quote(where) +
                                   "; use unallocated (a file system's free space), gap (after a "
                                   "partition) or offset (an absolute byte offset)");
        }
        h.artifact_id = artifact(r);
        ParsedContent c = parse_content(ctx_, r, what);
        uint64_t size = c.size.value_or(0);
        if (const Field* f = r.find("split")) {
            MapReader m(ctx_, f->node, f->mark, "split", {"after", "gap"});
            const Field after =
                m.need("after", "give the first fragment's size, e.g. after: 24KiB");
            const Field gap =
                m.need("gap", "give the bytes between the fragments, e.g. gap: 64KiB");
            h.split_after = size_value(ctx_, after);
            h.split_gap = size_value(ctx_, gap);
            if (*h.split_after == 0 || (c.size && *h.split_after >= size))
                ctx_.fail(after.mark,
                          "split: after must leave bytes in both fragments; give 1 to " +
                              std::to_string(size > 0 ? size - 1 : 0) + " bytes (the content is " +
                              std::to_string(size) + ")");
            if (h.split_gap == 0)
                ctx_.fail(gap.mark,
                          "split: gap must be at least one byte; give the bytes between "
                          "the fragments, e.g. gap: 64KiB");
            size += h.split_gap;  // the area the two fragments span
        }
        auto too_big = [&](const std::string& area, uint64_t room) {
            ctx_.fail(c.mark, "the content (" + bytes_text(size) + ") at offset " +
                                  std::to_string(h.offset) + " does not fit in " + area + " (" +
                                  bytes_text(room) + "); make it smaller or move it");
        };
        if (h.where == HideData::Where::Offset) {
            if (h.offset > recipe_.disk.size || size > recipe_.disk.size - h.offset)
                too_big("the disk", recipe_.disk.size);
        } else {
            const PartitionSpec& p = *find_partition(h.partition);
            uint64_t room = p.size;
            std::string area = "partition '" + p.id + "'";
            if (h.where == HideData::Where::Gap) {
                room = gap_after(recipe_.disk, layout_, p);
                area = "the gap after partition '" + p.id + "'";
                if (room == 0)
                    ctx_.fail(vf.mark, "there is no gap after partition '" + p.id +
                                           "'; leave free space after it (give the next partition "
                                           "a later start, or make the disk bigger)");
            }
            if (h.offset > room || size > room - h.offset) too_big(area, room);
        }
        h.content = std::move(c.content);
        return h;
    }

    const PartitionSpec* find_partition(const std::string& id) const {
        for (auto& p : recipe_.disk.partitions)
            if (p.id == id) return &p;
        return nullptr;
    }

    // The action's partition: named, or the only one.
    const PartitionSpec& pick_partition(const MapReader& r, const std::string& what) const {
        std::vector<std::string> ids;
        for (auto& p : recipe_.disk.partitions) ids.push_back(p.id);
        if (const Field* f = r.find("partition")) {
            std::string id = scalar(ctx_, *f, "a partition id");
            if (const PartitionSpec* p = find_partition(id)) return *p;
            ctx_.fail(f->mark,
                      "unknown partition " + quote(id) + "; the partitions are: " + join(ids));
        }
        if (ids.size() == 1) return recipe_.disk.partitions.front();
        ctx_.fail(r.mark(), what + " needs partition: (the disk has several: " + join(ids) + ")");
    }

    // The action's artifact id, if it has one; each is used once.
    std::optional<std::string> artifact(const MapReader& r) {
        const Field* f = r.find("id");
        if (!f) return std::nullopt;
        std::string id = id_value(ctx_, *f, "an artifact id", "artifact id");
        if (!artifacts_.insert(id).second)
            ctx_.fail(f->mark, "artifact id " + quote(id) + " is used twice; give each its own id");
        return id;
    }

    const Context& ctx_;
    Recipe& recipe_;
    const Layout& layout_;
    Story story_;
    std::set<std::string> artifacts_;
    std::optional<int64_t> clock_;
    // Actions that one recipe action stands for, before it (the Recycle Bin's folders) and after
    // it (a downloaded file's Zone.Identifier stream).
    std::vector<ActionKind> before_, after_;
};

CaseMetadata parse_case(const Context& ctx, const Field& section) {
    MapReader r(
        ctx, section.node, section.mark, "case",
        {"case_number", "evidence_number", "examiner", "description", "notes", "acquisition_time"});
    CaseMetadata c;
    if (auto f = r.get("case_number")) c.case_number = text_value(ctx, *f);
    if (auto f = r.get("evidence_number")) c.evidence_number = text_value(ctx, *f);
    if (auto f = r.get("examiner")) c.examiner = text_value(ctx, *f);
    if (auto f = r.get("description")) c.description = text_value(ctx, *f);
    if (auto f = r.get("notes")) c.notes = text_value(ctx, *f);
    if (auto f = r.get("acquisition_time")) c.acquisition_time = time_value(ctx, *f);
    return c;
}

}  // namespace

Recipe parse_recipe(const std::string& path, const ParseOptions& options) {
    Context ctx;
    ctx.file = path;
    std::error_code ec;
    if (fs::is_directory(path, ec))
        throw RecipeError(path, "is a folder, not a recipe; name the .yaml file");
    YAML::Node root = common::yaml::parse_source_file(ctx, path, kLargestRecipe, "recipe");
    if (!root.IsDefined() || root.IsNull())
        throw RecipeError(SourceMark{path, 1, 1},
                          "the recipe is empty; it needs at least disk: (see "
                          "docs/recipe-format.md)");
    ctx.folder = fs::canonical(fs::absolute(path).parent_path(), ec);
    if (ec) throw RecipeError(path, "cannot resolve the recipe's folder: " + ec.message());

    MapReader top(ctx, root, ctx.at(root.Mark()), "the recipe",
                  {"name", "seed", "timezone", "start", "case", "variables", "disk", "actions"});
    Recipe recipe;
    recipe.folder = ctx.folder.string();
    recipe.variant = options.variant;
    if (auto f = top.get("seed"))
        recipe.seed = uint_value(ctx, *f, 0, std::numeric_limits<uint64_t>::max());
    ctx.zone = date::locate_zone("UTC");
    if (auto f = top.get("timezone")) {
        recipe.timezone = trim(scalar(ctx, *f, "a time zone name such as Asia/Almaty"));
        try {
            ctx.zone = date::locate_zone(recipe.timezone);
            ctx.zone_name = recipe.timezone;
        } catch (const std::exception&) {
            ctx.fail(f->mark, "unknown time zone " + quote(recipe.timezone) +
                                  "; use an IANA name such as Asia/Almaty, Europe/Moscow or UTC");
        }
    }
    if (auto f = top.get("variables"))
        ctx.variables = parse_variables(ctx, *f, recipe.seed, options.variant);
    recipe.variables = ctx.variables;
    ctx.substitute = true;

    recipe.name = fs::path(path).stem().string();
    if (auto f = top.get("name")) {
        recipe.name = trim(scalar(ctx, *f, "a name"));
        if (!is_identifier(recipe.name, "._-") || recipe.name[0] == '.')
            ctx.fail(f->mark, "name " + quote(recipe.name) +
                                  " names the output files; use letters, digits, '.', '_' and "
                                  "'-' (not starting with '.')");
    }
    std::optional<int64_t> start;
    if (auto f = top.get("start")) start = time_value(ctx, *f);
    if (auto f = top.get("case")) recipe.case_metadata = parse_case(ctx, *f);
    Layout layout;
    recipe.disk =
        parse_disk(ctx, top.need("disk", "describe the disk: size, table and partitions"), layout);
    if (auto f = top.get("actions")) {
        ActionParser actions(ctx, recipe, layout);
        actions.parse(*f, start);
    }
    return recipe;
}

}  // namespace dflab::images
