#include "exercises/pack_checks.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <type_traits>
#include <variant>

#include "common/prerequisites.hpp"
#include "common/time_format.hpp"
#include "images/recipe_parser.hpp"

namespace dflab::exercises::detail {

namespace {

using images::FileSystemType;
using images::Recipe;

// What a question may refer to in one recipe (variant 0) and whether its story runs forward in
// every variant.
struct RecipeFacts {
    std::string recipe;                                     // as named in messages
    std::map<std::string, std::string> artifact_partition;  // artifact id -> partition id
    std::map<std::string, FileSystemType> filesystems;      // partition id -> type
    std::set<std::string> variables;
    size_t partitions = 0;
};

std::string list_text(const std::set<std::string>& items) {
    std::string out;
    for (auto& i : items) out += (out.empty() ? "" : ", ") + i;
    return out.empty() ? "none" : out;
}

template <typename Map>
std::set<std::string> keys_of(const Map& map) {
    std::set<std::string> out;
    for (auto& [k, _] : map) out.insert(k);
    return out;
}

RecipeFacts facts_of(const Recipe& recipe, const std::string& display) {
    RecipeFacts f;
    f.recipe = display;
    for (auto& p : recipe.disk.partitions) f.filesystems[p.id] = p.filesystem;
    f.partitions = recipe.disk.partitions.size();
    for (auto& [name, _] : recipe.variables) f.variables.insert(name);
    for (auto& a : recipe.actions) {
        std::visit(
            [&](const auto& k) {
                using K = std::decay_t<decltype(k)>;
                if constexpr (std::is_same_v<K, images::HideData>) {
                    if (k.artifact_id) f.artifact_partition[*k.artifact_id] = k.partition;
                } else if constexpr (std::is_same_v<K, images::WriteFile> ||
                                     std::is_same_v<K, images::WriteSlack> ||
                                     std::is_same_v<K, images::WriteStream>) {
                    if (k.artifact_id) f.artifact_partition[*k.artifact_id] = a.partition;
                }
            },
            a.kind);
    }
    return f;
}

// The first action of the story that happens before the one written above it.
std::optional<std::string> backwards_in(const Recipe& recipe, unsigned variant) {
    for (size_t i = 1; i < recipe.actions.size(); ++i) {
        const auto& before = recipe.actions[i - 1];
        const auto& now = recipe.actions[i];
        if (now.time < before.time)
            return now.mark.str() + ": the story goes back in time" +
                   (variant ? " in variant " + std::to_string(variant) : std::string()) +
                   ": this action is at " + common::iso_utc(now.time) + ", before the one at " +
                   before.mark.str() + " (" + common::iso_utc(before.time) +
                   "); actions happen in the order they are written, so reorder them or change "
                   "'at:' (and the ranges of the time variables it uses)";
    }
    return std::nullopt;
}

// Every recipe checked in every variant: parse errors and a story that goes back in time, each
// problem once, with the first variant that shows it.
std::map<std::string, RecipeFacts> check_recipes(const Pack& pack,
                                                 std::vector<std::string>& problems) {
    std::map<std::string, RecipeFacts> facts;
    for (auto& image : pack.images) {
        const std::string path = image.recipe.string();
        for (unsigned v = 0; v < kCheckedVariants; ++v) {
            try {
                Recipe recipe = images::parse_recipe(path, {v});
                if (v == 0) facts.emplace(image.id, facts_of(recipe, path));
                if (auto problem = backwards_in(recipe, v)) {
                    problems.push_back(*problem);  // once, with the first variant that shows it
                    break;
                }
            } catch (const std::exception& e) {
                problems.push_back(v == 0
                                       ? std::string(e.what())
                                       : e.what() + std::string(" (in variant ") +
                                             std::to_string(v) + ", from the recipe's variables)");
                break;
            }
        }
    }
    return facts;
}

// What a step leaves: one value, a list, or either (sql).
enum class Kind { Single, List, Either };

std::string kind_problem(const Step& step, const Step* previous, Kind kind) {
    if (kind != Kind::Single || !previous) return "";
    const bool needs_list = step.verb == "where" || step.verb == "one" || step.verb == "count" ||
                            step.verb == "unique" || step.verb == "sort";
    if (!needs_list) return "";
    std::string hint = previous->verb == "find"
                           ? "find without all: true already gives exactly one entry (or "
                             "fails); add all: true to find, or remove '" +
                                 step.verb + "'"
                           : "remove '" + step.verb + "', or use a step that gives a list";
    return "'" + step.verb + "' needs a list, but '" + previous->verb +
           "' gives a single value, which cannot be anything but unique; " + hint;
}

Kind kind_after(const Step& step, Kind before) {
    const std::string& v = step.verb;
    if (v == "partitions" || v == "yara" || v == "search" || v == "timeline" || v == "artifacts" ||
        v == "carved" || v == "where" || v == "unique" || v == "sort")
        return Kind::List;
    if (v == "find")
        return step.argument.is_object() && step.argument.value("all", false) == true
                   ? Kind::List
                   : Kind::Single;
    if (v == "sql") return Kind::Either;
    if (v == "field" || v == "map") return before;
    return Kind::Single;  // image, image_hash, partition, filesystem, hash, read, one, count, ...
}

const std::set<std::string>& artifact_fields() {
    static const std::set<std::string> fields = {
        "id",     "kind",     "partition", "path",     "inode",    "allocated",
        "size",   "sha256",   "mtime",     "atime",    "ctime",    "crtime",
        "offset", "fn_mtime", "fn_atime",  "fn_ctime", "fn_crtime"};
    return fields;
}

void check_expect(const Question& q, const std::string& image, const RecipeFacts& facts,
                  std::vector<std::string>& problems) {
    const Expectation& x = *q.expect;
    const std::string where = x.mark.str() + ": question " + q.id + ": expect: ";
    if (!x.variable.empty()) {
        if (!facts.variables.count(x.variable))
            problems.push_back(where + "the recipe " + facts.recipe + " of image " + image +
                               " has no variable '" + x.variable +
                               "'; its variables: " + list_text(facts.variables));
        return;
    }
    if (!x.artifacts.empty()) {
        for (auto& id : x.artifacts) {
            auto it = facts.artifact_partition.find(id);
            if (it == facts.artifact_partition.end()) {
                problems.push_back(
                    where + "the recipe " + facts.recipe + " of image " + image +
                    " defines no artifact '" + id + "'; give an action 'id: " + id +
                    "' or use one of: " + list_text(keys_of(facts.artifact_partition)));
                continue;
            }
            if (x.field.starts_with("fn_")) {
                auto fs = facts.filesystems.find(it->second);
                if (fs == facts.filesystems.end() || fs->second != FileSystemType::Ntfs)
                    problems.push_back(where + "artifact '" + id +
                                       "' is not on NTFS, so it has "
                                       "no $FILE_NAME times (" +
                                       x.field + ")");
            }
        }
        if (!artifact_fields().count(x.field))
            problems.push_back(where + "artifacts have no field '" + x.field +
                               "'; fields: " + list_text(artifact_fields()));
        return;
    }
    if (x.partition) {
        static const std::set<std::string> fields = {"index", "start", "filesystem", "id",
                                                     "table_entry"};
        if (!fields.count(x.field))
            problems.push_back(where + "partitions have no field '" + x.field +
                               "'; fields: " + list_text(fields));
        return;
    }
    static const std::set<std::string> image_fields = {"sha256", "size", "partitions"};
    if (!image_fields.count(x.field))
        problems.push_back(where + "the image has no field '" + x.field +
                           "'; fields: " + list_text(image_fields) +
                           " (or name an artifact, a partition or a variable)");
}

// The ${NAME}s of a pattern.
std::vector<std::string> pattern_variables(const std::string& pattern) {
    std::vector<std::string> names;
    for (size_t at = pattern.find("${"); at != std::string::npos; at = pattern.find("${", at + 2)) {
        size_t close = pattern.find('}', at);
        if (close == std::string::npos) break;
        names.push_back(pattern.substr(at + 2, close - at - 2));
    }
    return names;
}

void check_steps(const Pack& pack, const Question& q,
                 const std::map<std::string, RecipeFacts>& facts,
                 std::vector<std::string>& problems) {
    std::string image = pack.images.front().id;
    Kind kind = Kind::Either;
    const Step* previous = nullptr;
    auto facts_of_image = [&]() -> const RecipeFacts* {
        auto it = facts.find(image);
        return it == facts.end() ? nullptr : &it->second;
    };
    for (const Step& step : q.solution) {
        const std::string where =
            step.mark.str() + ": question " + q.id + ": step '" + step.text() + "': ";
        if (step.verb == "image" && step.argument.is_string())
            image = step.argument.get<std::string>();
        if (auto p = kind_problem(step, previous, kind); !p.empty()) problems.push_back(where + p);
        if (step.verb == "hash" && kind == Kind::List)
            problems.push_back(where + "hash needs one file, but '" + previous->verb +
                               "' gives a list; pick one first (one, or find without all)");
        const RecipeFacts* f = facts_of_image();
        if (step.verb == "one" && previous && previous->verb == "partitions" && f &&
            f->partitions > 1)
            problems.push_back(where + "the image " + image + " has " +
                               std::to_string(f->partitions) +
                               " partitions, so 'one' after 'partitions' can never be unique; "
                               "filter first (where: {filesystem: ...}) or use partition: N");
        if (step.verb == "variable" && f && !f->variables.count(step.argument.get<std::string>()))
            problems.push_back(where + "the recipe " + f->recipe + " of image " + image +
                               " has no variable '" + step.argument.get<std::string>() +
                               "'; its variables: " + list_text(f->variables));
        kind = kind_after(step, kind);
        previous = &step;
    }
    const RecipeFacts* f = facts_of_image();
    if (q.type == "regex" && q.options.is_object() && q.options.contains("pattern") &&
        q.options["pattern"].is_string() && f)
        for (auto& name : pattern_variables(q.options["pattern"].get<std::string>()))
            if (!f->variables.count(name))
                problems.push_back(
                    q.mark.str() + ": question " + q.id + ": the pattern names ${" + name +
                    "}, but the recipe " + f->recipe + " of image " + image +
                    " has no such variable; its variables: " + list_text(f->variables));
    if (q.type == "choice" && !q.solution.empty() && q.solution.back().verb == "map") {
        for (auto& [value, result] : q.solution.back().argument.items()) {
            std::string id = result.is_string() ? result.get<std::string>() : result.dump();
            if (std::find(q.choices.begin(), q.choices.end(), id) == q.choices.end())
                problems.push_back(q.solution.back().mark.str() + ": question " + q.id +
                                   ": map gives '" + id + "' for '" + value +
                                   "', which is not a choice id; choices: " +
                                   list_text({q.choices.begin(), q.choices.end()}));
        }
    }
    if (q.expect && f) {
        std::string expect_image = q.expect->image.empty() ? image : q.expect->image;
        auto it = facts.find(expect_image);
        if (it != facts.end()) check_expect(q, expect_image, it->second, problems);
    }
}

}  // namespace

void check_recipes_and_steps(const Pack& pack, std::vector<std::string>& problems) {
    auto facts = check_recipes(pack, problems);
    for (auto& q : pack.questions) check_steps(pack, q, facts, problems);
}

void check_prerequisite_cycles(const Pack& pack, std::vector<std::string>& problems) {
    std::vector<common::Prerequisites> graph;
    for (auto& q : pack.questions) graph.push_back({q.id, q.prerequisites});
    for (auto& cycle : common::prerequisite_cycles(graph)) {
        const Question* first = pack.question(cycle.front());
        problems.push_back(first->mark.str() + ": question " + first->id + ": " +
                           common::prerequisite_cycle_problem(cycle));
    }
}

}  // namespace dflab::exercises::detail
