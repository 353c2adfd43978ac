#include "images/recipe_story.hpp"

#include <vector>

#include "images/recipe_text.hpp"
#include "images/recipe_values.hpp"

namespace dflab::images::recipe_detail {

namespace {

std::string parent_of(const std::string& p) {
    size_t i = p.rfind('/');
    return i == 0 ? "/" : p.substr(0, i);
}

// `a` is `b` or inside it (both are keys: the same case folding applied).
bool at_or_below(const std::string& a, const std::string& b) {
    return a.size() >= b.size() && a.compare(0, b.size(), b) == 0 &&
           (a.size() == b.size() || a[b.size()] == '/');
}

}  // namespace

Tree::Tree(bool fold) : fold_(fold) {
    entries_["/"] = Entry{true, 0};
}

Entry* Tree::find(const std::string& p) {
    auto it = entries_.find(key(p));
    return it == entries_.end() ? nullptr : &it->second;
}

bool Tree::has_children(const std::string& p) const {
    std::string k = key(p), prefix = k == "/" ? "/" : k + "/";
    for (auto it = entries_.lower_bound(prefix); it != entries_.end(); ++it) {
        if (it->first.compare(0, prefix.size(), prefix) != 0) break;
        if (it->first != k) return true;
    }
    return false;
}

bool Tree::inside(const std::string& p, const std::string& folder) const {
    std::string a = key(p), b = key(folder);
    return a.size() > b.size() && at_or_below(a, b);
}

void Tree::rename(const std::string& from, const std::string& to) {
    std::string f = key(from), t = key(to);
    std::vector<std::pair<std::string, Entry>> moved;
    for (auto it = entries_.begin(); it != entries_.end();) {
        if (at_or_below(it->first, f)) {
            moved.emplace_back(t + it->first.substr(f.size()), it->second);
            it = entries_.erase(it);
        } else {
            ++it;
        }
    }
    for (auto& [k, e] : moved) entries_[k] = e;
}

uint64_t Tree::used() const {
    uint64_t total = 0;
    for (auto& [k, e] : entries_)
        if (!e.dir && e.size) total += *e.size;
    return total;
}

std::string Tree::key(const std::string& p) const {
    return fold_ ? fold_case(p) : p;
}

Story::Story(const Context& ctx, const std::vector<PartitionSpec>& partitions) : ctx_(ctx) {
    for (auto& p : partitions) trees_.emplace(p.id, Tree(has_windows_names(p.filesystem)));
}

void Story::make_directory(const PartitionSpec& p, const std::string& path,
                           const SourceMark& mark) {
    Tree& t = trees_.at(p.id);
    if (t.find(path))
        ctx_.fail(mark,
                  quote(path) + " already exists in partition '" + p.id + "'; remove this mkdir");
    check_parent_folder(p, path, mark);
    t.put(path, Entry{true, 0});
}

void Story::check_file_path(const PartitionSpec& p, const std::string& path,
                            const SourceMark& mark) {
    check_parent_folder(p, path, mark);
    if (Entry* e = trees_.at(p.id).find(path); e && e->dir)
        ctx_.fail(mark, quote(path) + " is a folder; write to a file path");
}

void Story::write_file(const PartitionSpec& p, const std::string& path, const ParsedContent& c) {
    check_fits(p, c, p.size, "the partition");
    Tree& t = trees_.at(p.id);
    t.put(path, Entry{false, c.size});
    if (t.used() > p.size)
        ctx_.fail(c.mark, "the files in partition '" + p.id + "' now add up to " +
                              bytes_text(t.used()) + ", more than its " + bytes_text(p.size) +
                              ": a file that does not fit; make "
                              "the partition bigger or the files smaller");
}

const Entry& Story::existing(const PartitionSpec& p, const std::string& path,
                             const SourceMark& mark) {
    Entry* e = trees_.at(p.id).find(path);
    if (!e)
        ctx_.fail(mark, quote(path) + " does not exist at this point in partition '" + p.id +
                            "'; create it in an earlier action (actions run in order)");
    return *e;
}

void Story::rename(const PartitionSpec& p, const std::string& from, const std::string& to,
                   const SourceMark& to_mark) {
    Tree& t = trees_.at(p.id);
    if (t.find(to) && to != from)
        ctx_.fail(to_mark, quote(to) + " already exists in partition '" + p.id +
                               "'; delete it first or pick another name");
    if (t.inside(to, from))
        ctx_.fail(to_mark, "cannot move " + quote(from) + " into itself; fix 'to'");
    check_parent_folder(p, to, to_mark);
    t.rename(from, to);
}

void Story::remove(const PartitionSpec& p, const std::string& path, const SourceMark& mark,
                   const std::optional<SourceMark>& overwrite) {
    Tree& t = trees_.at(p.id);
    const Entry& e = existing(p, path, mark);
    if (e.dir && t.has_children(path))
        ctx_.fail(mark,
                  "the folder " + quote(path) + " is not empty; delete what is inside it first");
    if (e.dir && overwrite)
        ctx_.fail(*overwrite,
                  "only files have content to overwrite; remove overwrite: for the folder " +
                      quote(path));
    t.erase(path);
}

void Story::check_slack(const PartitionSpec& p, const std::string& path, const SourceMark& mark) {
    const Entry& e = existing(p, path, mark);
    if (e.dir) ctx_.fail(mark, quote(path) + " is a folder; slack needs a file");
    if (e.size && *e.size == 0)
        ctx_.fail(mark, quote(path) +
                            " is empty and so has no slack; write "
                            "content into it first");
}

void Story::check_fits(const PartitionSpec& p, const ParsedContent& c, uint64_t room,
                       const std::string& where) const {
    if (c.size && *c.size > room)
        ctx_.fail(c.mark, "the content is " + bytes_text(*c.size) + ", more than " + where +
                              " holds (" + bytes_text(room) +
                              "): a file that does not fit in partition '" + p.id +
                              "'; make the partition bigger or the content smaller");
}

void Story::check_parent_folder(const PartitionSpec& p, const std::string& path,
                                const SourceMark& mark) {
    std::string parent = parent_of(path);
    Entry* e = trees_.at(p.id).find(parent);
    if (!e)
        ctx_.fail(mark, "the folder " + quote(parent) + " does not exist at this point in " +
                            "partition '" + p.id + "'; add a mkdir action before this one");
    if (!e->dir)
        ctx_.fail(mark, quote(parent) + " is a file, so it cannot hold " + quote(path) +
                            "; fix the path");
}

}  // namespace dflab::images::recipe_detail
