#include "exercises/pack_loader.hpp"

#include <algorithm>
#include <set>

#include "common/error.hpp"
#include "common/input_file.hpp"
#include "common/text.hpp"
#include "common/time_format.hpp"
#include "exercises/question_loader.hpp"
#include "exercises/yaml_file.hpp"

namespace dflab::exercises {

namespace fs = std::filesystem;
using namespace detail;
using common::join;
using common::quote;
using common::SourceError;
using common::trim;
using common::yaml::id_value;
using common::yaml::item_field;
using common::yaml::keyword_value;
using common::yaml::list_value;
using common::yaml::scalar;
using common::yaml::text_value;

namespace {

// "90min", "1h30min", "2h" or a number of minutes.
int minutes_value(const Source& ctx, const Field& f) {
    std::string s = trim(scalar(ctx, f, "a duration such as 90min or 1h30min"));
    int total = 0;
    size_t i = 0;
    bool any = false;
    while (i < s.size()) {
        size_t j = i;
        while (j < s.size() && s[j] >= '0' && s[j] <= '9') ++j;
        auto n = common::parse_int<int>(s.substr(i, j - i));
        size_t k = j;
        while (k < s.size() && std::isalpha(static_cast<unsigned char>(s[k]))) ++k;
        std::string unit = s.substr(j, k - j);
        if (!n || (unit != "h" && unit != "min" && !(unit.empty() && k == s.size())) || *n > 10000)
            ctx.fail(f.mark, "'" + f.key + "' is not a duration: " + quote(s) +
                                 "; write e.g. 90min, 1h30min or 2h");
        total += unit == "h" ? *n * 60 : *n;
        any = true;
        i = k;
        while (i < s.size() && s[i] == ' ') ++i;
    }
    if (!any) ctx.fail(f.mark, "'" + f.key + "' is empty; write e.g. 90min");
    return total;
}

PackImage parse_image(const Source& ctx, const Field& item, const fs::path& folder) {
    MapReader r(ctx, item.node, item.mark, "an image",
                {"id", "recipe", "formats", "fat_zone", "carve"});
    PackImage image;
    image.mark = item.mark;
    image.id = id_value(ctx, r.need("id", "give the image an id such as usb"), "an id", "image id");
    Field recipe = r.need("recipe", "name the recipe file, e.g. images/usb.yaml");
    image.recipe = pack_path(ctx, recipe, folder);
    image.formats = {"raw"};
    if (auto f = r.get("formats")) {
        image.formats = string_list(ctx, *f, "formats (raw, e01, split)");
        for (auto& fmt : image.formats)
            if (fmt != "raw" && fmt != "e01" && fmt != "split")
                ctx.fail(f->mark, "unknown image format " + quote(fmt) + "; use raw, e01, split");
    }
    if (auto f = r.get("fat_zone")) {  // the zone solutions read FAT local times in
        image.fat_zone = trim(scalar(ctx, *f, "a time zone name such as Asia/Almaty"));
        try {
            common::check_time_zone(image.fat_zone);
        } catch (const common::Error&) {
            ctx.fail(f->mark, "unknown time zone " + quote(image.fat_zone) +
                                  "; use an IANA name such as Asia/Almaty, Europe/Moscow or UTC");
        }
    }
    if (auto f = r.get("carve")) {
        const std::string v = keyword_value(ctx, *f, "true, false or every-offset");
        if (v != "true" && v != "false" && v != "every-offset")
            ctx.fail(f->mark, "'carve' must be true, false or every-offset, not " + quote(v) +
                                  "; fix the value");
        image.carve = v != "false";
        image.carve_every_offset = v == "every-offset";
    }
    return image;
}

}  // namespace

Pack load_pack(const fs::path& where) {
    std::error_code ec;
    fs::path file = fs::is_directory(where, ec) ? where / "pack.yaml" : where;
    std::string display = file.string();
    auto yaml = read_yaml(file, display, "pack file");
    const Source& ctx = yaml->ctx;
    MapReader r(ctx, yaml->root, ctx.at(yaml->root.Mark()), "pack.yaml",
                {"id", "version", "title", "description", "authors", "module", "difficulty",
                 "estimated_time", "languages", "date_order", "images", "rules", "questions"});
    Pack pack;
    pack.file = display;
    pack.folder = fs::canonical(fs::absolute(file).parent_path(), ec);
    pack.id = id_value(ctx, r.need("id", "give the pack an id such as intro"), "an id", "pack id");
    pack.version = trim(
        scalar(ctx, r.need("version", "write a version such as 1.0.0"), "a version such as 1.0.0"));
    pack.title = local_text(ctx, r.need("title", "write the pack's title per language"));
    pack.description = local_text(ctx, r.need("description", "describe the scenario per language"));
    if (auto f = r.get("authors")) pack.authors = string_list(ctx, *f, "author names");
    if (auto f = r.get("module")) pack.module = text_value(ctx, *f);
    if (auto f = r.get("difficulty")) {
        pack.difficulty = keyword_value(ctx, *f, "beginner, intermediate or advanced");
        if (pack.difficulty != "beginner" && pack.difficulty != "intermediate" &&
            pack.difficulty != "advanced")
            ctx.fail(f->mark, "difficulty must be beginner, intermediate or advanced, not " +
                                  quote(pack.difficulty));
    }
    if (auto f = r.get("estimated_time")) pack.estimated_minutes = minutes_value(ctx, *f);
    pack.languages = {"en"};
    if (auto f = r.get("languages")) pack.languages = string_list(ctx, *f, "language codes");
    if (auto f = r.get("date_order")) {
        pack.date_order = trim(scalar(ctx, *f, "DMY, MDY or YMD"));
        if (pack.date_order != "DMY" && pack.date_order != "MDY" && pack.date_order != "YMD")
            ctx.fail(f->mark,
                     "date_order must be DMY, MDY or YMD (how participants write "
                     "02/10/2023), not " +
                         quote(pack.date_order));
    }
    Field images = r.need("images", "list the evidence images: [{id, recipe, formats}]");
    const YAML::Node& image_list = list_value(ctx, images, "a list of images");
    for (size_t i = 0; i < image_list.size(); ++i) {
        PackImage image = parse_image(ctx, item_field(ctx, images, i), pack.folder);
        if (pack.image(image.id))
            ctx.fail(image.mark, "image id " + quote(image.id) + " appears twice; rename one");
        pack.images.push_back(std::move(image));
    }
    if (pack.images.empty()) ctx.fail(images.mark, "a pack needs at least one image");
    if (auto f = r.get("rules")) {
        const YAML::Node& rules = list_value(ctx, *f, "a list of YARA rule files");
        for (size_t i = 0; i < rules.size(); ++i) {
            // The YARA compiler opens the file itself: a pipe or device would make it wait or
            // grow, so only a regular file within the limit is passed on.
            Field item = item_field(ctx, *f, i);
            fs::path rule_file = pack_path(ctx, item, pack.folder);
            const std::string rel = quote(trim(common::yaml::scalar(ctx, item, "a path")));
            if (!fs::is_regular_file(rule_file, ec))
                ctx.fail(item.mark, rel +
                                        " is not a regular file (a folder, device or pipe); "
                                        "name a YARA rule file");
            if (fs::file_size(rule_file, ec) > kLargestRuleFile)
                ctx.fail(item.mark, rel + " is larger than " + common::size_text(kLargestRuleFile) +
                                        "; not a YARA rule file");
            pack.rules.push_back(std::move(rule_file));
        }
    }
    Field questions = r.need("questions", "list the question files, e.g. [questions/01.yaml]");
    const YAML::Node& qlist = list_value(ctx, questions, "a list of question files");
    for (size_t i = 0; i < qlist.size(); ++i) {
        Field item = item_field(ctx, questions, i);
        fs::path qfile = pack_path(ctx, item, pack.folder);
        std::string rel = trim(scalar(ctx, item, "a question file"));
        Question q = load_question(qfile, (fs::path(display).parent_path() / rel).string());
        if (pack.question(q.id))
            ctx.fail(item.mark, "question id " + quote(q.id) + " is used twice; rename one");
        pack.questions.push_back(std::move(q));
    }
    if (pack.questions.empty()) ctx.fail(questions.mark, "a pack needs at least one question");
    // References between questions and to images.
    for (auto& q : pack.questions) {
        for (auto& p : q.prerequisites)
            if (!pack.question(p) || p == q.id)
                throw SourceError(q.mark, "question " + quote(q.id) + " has the prerequisite " +
                                              quote(p) +
                                              ", which is not another question of "
                                              "the pack");
        for (auto& s : q.solution)
            if (s.verb == "image" && !pack.image(s.argument.get<std::string>()))
                throw SourceError(
                    s.mark, "no image " + quote(s.argument.get<std::string>()) +
                                " in the pack; images: " + [&] {
                                    std::vector<std::string> ids;
                                    for (auto& i : pack.images) ids.push_back(i.id);
                                    return join(ids);
                                }());
        if (q.expect && !q.expect->image.empty() && !pack.image(q.expect->image))
            throw SourceError(q.expect->mark,
                              "no image " + quote(q.expect->image) + " in the pack");
    }
    return pack;
}

}  // namespace dflab::exercises
