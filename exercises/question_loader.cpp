#include "exercises/question_loader.hpp"

#include <algorithm>

#include "common/text.hpp"
#include "engine/artifact.hpp"
#include "engine/carving/carver.hpp"
#include "exercises/pack_loader.hpp"
#include "exercises/yaml_file.hpp"

namespace dflab::exercises {

const std::vector<std::pair<std::string, std::string>>& solution_verbs() {
    static const std::vector<std::pair<std::string, std::string>> verbs = {
        {"image",
         "image: ID - open a pack image; the value is its facts (format, size, E01 case "
         "metadata)"},
        {"image_hash", "image_hash: md5|sha1|sha256|all - hash of the whole media"},
        {"partitions", "partitions - the partitions that hold a file system, as a list"},
        {"partition", "partition: N - select the partition with index N (as dflab partitions)"},
        {"filesystem", "filesystem - facts of the selected file system (type, block size, ...)"},
        {"find",
         "find: {path|name|inode|deleted|type|contains|sha256|all} - entries of the selected "
         "file system"},
        {"hash", "hash: md5|sha1|sha256|all - hash of the entry's content"},
        {"read", "read: {offset, length, as: text|hex} - bytes at an image offset"},
        {"yara",
         "yara: RULE or {rule, metadata_files} - what the rule matched in the analysed image "
         "(files and offsets)"},
        {"search",
         "search: TERM or {term, regex, metadata_files} - keyword hits in the analysed image"},
        {"timeline",
         "timeline: {from, to, event, file_name} - file system events in a time window "
         "(NTFS $FILE_NAME times included)"},
        {"artifacts",
         "artifacts: KIND or {kind, source} - the artifacts of that kind in the analysed image, "
         "one row each: kind, time, time_kind, source, path, inode, partition and the kind's "
         "fields (docs/artifacts.md)"},
        {"sql", "sql: SELECT ... - read-only query over the case database"},
        {"carved",
         "carved: TYPE, all or {type} - the files carved from the analysed image's unallocated "
         "space (the pack image needs carve: true), one row each: partition, image_offset, "
         "length, type, subtype, sha256, md5, fragment_count, fragments, validation and the "
         "Exif fields of a photo (docs/carving.md)"},
        {"field", "field: NAME - a field of the value (of each item of a list)"},
        {"where",
         "where: {FIELD: VALUE or {OP: VALUE}, ...} - the items of a list whose fields equal "
         "these (OP: = != < <= > >= in, not in, prefix, not prefix)"},
        {"map",
         "map: {VALUE: RESULT, ...} - the value (each item of a list) replaced by its result"},
        {"variable", "variable: NAME - the recipe variable's value in this variant"},
        {"one", "one - the single item of a list (an error if there are none or several)"},
        {"count", "count - the number of items of a list"},
        {"unique", "unique - a list without repeated items, sorted"},
        {"sort", "sort - a list sorted"}};
    return verbs;
}

}  // namespace dflab::exercises

namespace dflab::exercises::detail {

namespace {

using common::join;
using common::quote;
using common::trim;
using common::yaml::bool_value;
using common::yaml::id_value;
using common::yaml::item_field;
using common::yaml::kind_of;
using common::yaml::list_value;
using common::yaml::scalar;
using common::yaml::uint_value;

double points_value(const Source& ctx, const Field& f) {
    std::string s = trim(scalar(ctx, f, "a number of points"));
    char* end = nullptr;
    double v = std::strtod(s.c_str(), &end);
    if (s.empty() || *end != '\0' || !(v >= 0) || v > 1e6)
        ctx.fail(f.mark,
                 "'" + f.key + "' must be a number of points from 0 to 1000000, not " + quote(s));
    return v;
}

// The keys each verb's map argument may have (verbs not listed take a single value or nothing).
const std::vector<std::string>* map_keys(const std::string& verb) {
    static const std::map<std::string, std::vector<std::string>> keys = {
        {"find", {"path", "name", "inode", "deleted", "type", "contains", "sha256", "all"}},
        {"read", {"offset", "length", "as"}},
        {"yara", {"rule", "metadata_files"}},
        {"search", {"term", "regex", "metadata_files"}},
        {"timeline", {"from", "to", "event", "file_name"}},
        {"artifacts", {"kind", "source"}},
        {"carved", {"type"}},
        {"where", {"*"}},
        {"map", {"*"}}};
    auto it = keys.find(verb);
    return it == keys.end() ? nullptr : &it->second;
}

// The operators a `where` condition may use: {FIELD: {OP: VALUE}}.
const std::vector<std::string>& where_operators() {
    static const std::vector<std::string> ops = {
        "=", "!=", "<", ">", "<=", ">=", "in", "not in", "prefix", "not prefix"};
    return ops;
}

void check_where_condition(const Source& ctx, const Field& condition) {
    if (!condition.node.IsMap()) return;  // {FIELD: VALUE}: equality
    MapReader ops(ctx, condition.node, condition.mark, "the condition on '" + condition.key + "'",
                  where_operators());
    if (ops.fields().empty())
        ctx.fail(condition.mark, "the condition on '" + condition.key +
                                     "' is empty; write {OP: VALUE} with OP one of " +
                                     join(where_operators()));
    for (auto& op : ops.fields()) {
        bool list = op.key == "in" || op.key == "not in";
        if (list && !op.node.IsSequence())
            ctx.fail(op.mark, "'" + op.key + "' takes a list of values, e.g. [a, b]");
        if (!list && op.node.IsSequence())
            ctx.fail(op.mark, "'" + op.key + "' takes one value; use 'in' for a list");
        if (op.node.IsMap()) {
            MapReader ref(ctx, op.node, op.mark, "a field reference", {"field"});
            scalar(ctx, ref.need("field", "name the other field: {field: NAME}"), "a field name");
        }
    }
}

bool takes_nothing(const std::string& verb) {
    return verb == "partitions" || verb == "filesystem" || verb == "one" || verb == "count" ||
           verb == "unique" || verb == "sort";
}

Step parse_step(const Source& ctx, const Field& item) {
    Step step;
    step.mark = item.mark;
    std::vector<std::string> verbs;
    for (auto& [v, _] : solution_verbs()) verbs.push_back(v);
    if (item.node.IsScalar()) {
        step.verb = trim(item.node.Scalar());
        if (std::find(verbs.begin(), verbs.end(), step.verb) == verbs.end())
            ctx.fail(item.mark,
                     "unknown solution step " + quote(step.verb) + "; steps: " + join(verbs));
        if (!takes_nothing(step.verb))
            ctx.fail(item.mark,
                     "the step '" + step.verb + "' needs a value; write '" + step.verb + ": ...'");
        return step;
    }
    MapReader r(ctx, item.node, item.mark, "a solution step", verbs);
    if (r.fields().size() != 1)
        ctx.fail(item.mark, "a solution step has exactly one verb, found " +
                                std::to_string(r.fields().size()) +
                                "; put each step on its own '- ' line");
    const Field& f = r.fields().front();
    step.verb = f.key;
    step.mark = f.key_mark;
    if (takes_nothing(step.verb)) {
        if (!f.node.IsNull())
            ctx.fail(f.mark,
                     "the step '" + step.verb + "' takes no value; write '- " + step.verb + "'");
        return step;
    }
    if (f.node.IsNull()) ctx.fail(f.key_mark, "the step '" + step.verb + "' needs a value");
    const auto* keys = map_keys(step.verb);
    if (f.node.IsMap()) {
        if (!keys) ctx.fail(f.mark, "the step '" + step.verb + "' takes a single value, not a map");
        MapReader args(ctx, f.node, f.mark, "the step '" + step.verb + "'", *keys);
        if (step.verb == "find" && args.fields().empty())
            ctx.fail(
                f.mark,
                "find needs at least one of path, name, inode, deleted, type, contains or sha256");
        if (step.verb == "read" && (!args.find("offset") || !args.find("length")))
            ctx.fail(f.mark, "read needs offset and length (bytes)");
        for (auto& a : args.fields()) {
            if (a.key == "deleted" || a.key == "all" || a.key == "regex" ||
                a.key == "metadata_files" || a.key == "file_name")
                bool_value(ctx, a);
            if (step.verb == "where") check_where_condition(ctx, a);
            if (a.key == "offset" || a.key == "length")
                uint_value(ctx, a, a.key == "length" ? 1 : 0,
                           a.key == "length" ? 1u << 20 : std::numeric_limits<int64_t>::max());
        }
    } else if (!f.node.IsScalar()) {
        ctx.fail(f.mark, "the step '" + step.verb + "' takes " +
                             (keys ? "a single value or a map" : "a single value") + ", not " +
                             kind_of(f.node));
    } else if (keys && step.verb != "search" && step.verb != "yara" && step.verb != "where" &&
               step.verb != "artifacts" && step.verb != "carved") {
        ctx.fail(f.mark, "the step '" + step.verb + "' takes a map: {" + join(*keys) + "}");
    }
    // Single values stay text (an image id "1" is a name), except a partition's index.
    step.argument = f.node.IsScalar() && step.verb != "partition"
                        ? nlohmann::json(trim(f.node.Scalar()))
                        : json_value(f.node);
    if (f.node.IsMap()) {  // words stay words: a name "2024" or a term "123" is text
        const YAML::Node& args = f.node;
        for (const char* key : {"path", "name", "inode", "contains", "sha256", "term", "rule", "as",
                                "from", "to", "event"}) {
            const YAML::Node value = args[key];
            if (value.IsDefined() && value.IsScalar()) step.argument[key] = value.Scalar();
        }
        for (const char* key : {"kind", "source"})
            if (step.verb == "artifacts" && args[key].IsDefined() && args[key].IsScalar())
                step.argument[key] = args[key].Scalar();
        if (step.verb == "carved" && args["type"].IsDefined() && args["type"].IsScalar())
            step.argument["type"] = args["type"].Scalar();
    }
    if ((step.verb == "hash" || step.verb == "image_hash") &&
        !(step.argument == "md5" || step.argument == "sha1" || step.argument == "sha256" ||
          step.argument == "all"))
        ctx.fail(f.mark, step.verb + " must be md5, sha1, sha256 or all");
    if (step.verb == "search" && step.argument.is_object() && !step.argument.contains("term"))
        ctx.fail(f.mark, "search needs term: the keyword to look for");
    if (step.verb == "artifacts") {
        const nlohmann::json& k = step.argument.is_object()
                                      ? step.argument.value("kind", nlohmann::json())
                                      : step.argument;
        const std::string kind = k.is_string() ? k.get<std::string>() : "";
        if (kind.empty())
            ctx.fail(f.mark, "artifacts needs kind: an artifact kind, e.g. usb_device");
        if (step.argument.is_object() && step.argument.contains("source") &&
            !step.argument["source"].is_string())
            ctx.fail(f.mark, "artifacts: source is one text, where in the file (a key path)");
        if (std::find(std::begin(engine::kArtifactKinds), std::end(engine::kArtifactKinds), kind) ==
            std::end(engine::kArtifactKinds)) {
            std::vector<std::string> kinds(std::begin(engine::kArtifactKinds),
                                           std::end(engine::kArtifactKinds));
            ctx.fail(f.mark, "unknown artifact kind " + quote(kind) + "; kinds: " + join(kinds));
        }
    }
    if (step.verb == "carved") {
        const nlohmann::json& t = step.argument.is_object()
                                      ? step.argument.value("type", nlohmann::json())
                                      : step.argument;
        std::vector<std::string> types = {"all"};
        for (const auto& c : engine::carving::carved_types()) types.emplace_back(c.name);
        const std::string type = t.is_string() ? t.get<std::string>() : "";
        if (std::find(types.begin(), types.end(), type) == types.end())
            ctx.fail(f.mark, "carved needs a type: " + join(types));
    }
    if (step.verb == "yara" && step.argument.is_object() && !step.argument.contains("rule"))
        ctx.fail(f.mark, "yara needs rule: the name of the YARA rule");
    if (step.verb == "map") {
        if (!f.node.IsMap() || f.node.size() == 0)
            ctx.fail(f.mark, "map takes a map of values to results, e.g. {ext4: b, FAT32: a}");
        for (auto& [k, v] : step.argument.items())  // results are words: a choice id "1" is text
            if (!v.is_string()) v = v.dump();
    }
    if (step.verb == "variable") id_value(ctx, f, "a variable name of the recipe", "variable name");
    if (step.verb == "partition" && !step.argument.is_number_integer())
        ctx.fail(f.mark,
                 "partition must be the partition's index (a whole number) as "
                 "dflab partitions prints it");
    return step;
}

Expectation parse_expect(const Source& ctx, const Field& f) {
    MapReader r(ctx, f.node, f.mark, "'expect'",
                {"image", "artifact", "artifacts", "partition", "field", "variable"});
    Expectation e;
    e.mark = f.mark;
    if (auto v = r.get("image")) e.image = id_value(ctx, *v, "an image id", "image id");
    if (auto v = r.get("artifact")) e.artifacts.push_back(id_value(ctx, *v, "an id", "artifact"));
    if (auto v = r.get("artifacts")) e.artifacts = string_list(ctx, *v, "artifact ids");
    if (auto v = r.get("partition")) e.partition = static_cast<int>(uint_value(ctx, *v, 0, 1000));
    if (auto v = r.get("variable")) {
        e.variable = id_value(ctx, *v, "a variable name of the recipe", "variable name");
        if (r.get("field") || r.get("artifact") || r.get("artifacts") || r.get("partition"))
            ctx.fail(f.mark,
                     "expect: {variable: NAME} compares with the recipe variable alone; remove "
                     "field, artifact and partition");
        return e;
    }
    e.field = trim(scalar(ctx,
                          r.need("field",
                                 "say which field of the truth to compare, e.g. "
                                 "field: sha256"),
                          "a field name"));
    return e;
}

}  // namespace

Question load_question(const std::filesystem::path& path, const std::string& display) {
    auto file = read_yaml(path, display, "question file");
    const Source& ctx = file->ctx;
    MapReader r(
        ctx, file->root, ctx.at(file->root.Mark()), "the question",
        {"id", "title", "text", "points", "type", "options", "choices", "hints", "prerequisites",
         "attempts", "penalty", "walkthrough", "rubric", "solution", "expect"});
    Question q;
    q.file = display;
    q.mark = r.mark();
    q.id = id_value(ctx, r.need("id", "give the question an id such as image-hash"), "an id",
                    "question id");
    q.title = local_text(ctx, r.need("title", "write a short title per language"));
    q.text = local_text(ctx, r.need("text", "write what the participant must find"));
    q.points = points_value(ctx, r.need("points", "say how many points it gives"));
    Field type = r.need("type", "say the answer type: " + join(answer_types()));
    q.type = common::yaml::keyword_value(ctx, type, "an answer type");
    const auto& types = answer_types();
    if (std::find(types.begin(), types.end(), q.type) == types.end())
        ctx.fail(type.mark, "unknown answer type " + quote(q.type) + "; use one of " + join(types));
    q.options = nlohmann::json::object();
    if (auto f = r.get("options")) {
        if (!f->node.IsMap()) ctx.fail(f->mark, "'options' must be a map of grading options");
        q.options = json_value(f->node, /*decimals=*/true);
    }
    if (q.type == "set" && !q.options.contains("element_type"))
        ctx.fail(type.mark,
                 "a set question needs options: {element_type: ...} (the type of "
                 "each item)");
    if (auto f = r.get("choices")) {
        const YAML::Node& list = list_value(ctx, *f, "a list of choices");
        for (size_t i = 0; i < list.size(); ++i) {
            Field item = item_field(ctx, *f, i);
            MapReader c(ctx, item.node, item.mark, "a choice", {"id", "text"});
            std::string id =
                id_value(ctx, c.need("id", "give the choice an id"), "an id", "choice id");
            q.choices.push_back(id);
            q.choice_texts[id] = local_text(ctx, c.need("text", "write the choice's text"));
        }
    }
    if (q.type == "choice" && q.choices.size() < 2)
        ctx.fail(type.mark, "a choice question needs at least two choices: [{id, text}, ...]");
    if (auto f = r.get("hints")) {
        const YAML::Node& list = list_value(ctx, *f, "a list of hints");
        for (size_t i = 0; i < list.size(); ++i) {
            Field item = item_field(ctx, *f, i);
            MapReader h(ctx, item.node, item.mark, "a hint", {"cost", "text"});
            Hint hint;
            if (auto c = h.get("cost")) hint.cost = points_value(ctx, *c);
            hint.text = local_text(ctx, h.need("text", "write the hint"));
            q.hints.push_back(std::move(hint));
        }
    }
    if (auto f = r.get("prerequisites")) q.prerequisites = string_list(ctx, *f, "question ids");
    if (auto f = r.get("attempts")) q.max_attempts = static_cast<int>(uint_value(ctx, *f, 0, 1000));
    if (auto f = r.get("penalty")) q.wrong_attempt_penalty = points_value(ctx, *f);
    if (auto f = r.get("walkthrough")) q.walkthrough = local_text(ctx, *f);
    if (auto f = r.get("rubric")) q.rubric = local_text(ctx, *f);
    if (auto f = r.get("solution")) {
        const YAML::Node& list = list_value(ctx, *f, "a list of steps");
        for (size_t i = 0; i < list.size(); ++i)
            q.solution.push_back(parse_step(ctx, item_field(ctx, *f, i)));
    }
    if (q.type != "free_text" && q.solution.empty())
        ctx.fail(r.mark(), "question " + quote(q.id) +
                               " has no solution; write the steps that derive its answer from "
                               "the image (solution: [...]), see docs/pack-format.md");
    if (auto f = r.get("expect")) q.expect = parse_expect(ctx, *f);
    return q;
}

}  // namespace dflab::exercises::detail
