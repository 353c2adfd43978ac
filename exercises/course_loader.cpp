// Reading a course file (docs/curriculum.md, "The course file") and the packs it names.
#include <algorithm>
#include <cstdlib>

#include "common/text.hpp"
#include "exercises/course.hpp"
#include "exercises/pack_loader.hpp"
#include "exercises/pack_validator.hpp"
#include "exercises/yaml_file.hpp"

namespace dflab::exercises {

namespace fs = std::filesystem;
using namespace detail;
using common::join;
using common::quote;
using common::SourceError;
using common::trim;
using common::yaml::bool_value;
using common::yaml::id_value;
using common::yaml::item_field;
using common::yaml::list_value;
using common::yaml::scalar;
using common::yaml::uint_value;

namespace {

// "09:30" as minutes after midnight, or -1.
int clock_minutes(std::string_view s) {
    if (s.size() != 5 || s[2] != ':') return -1;
    for (size_t i : {0u, 1u, 3u, 4u})
        if (s[i] < '0' || s[i] > '9') return -1;
    const int hours = (s[0] - '0') * 10 + (s[1] - '0');
    const int minutes = (s[3] - '0') * 10 + (s[4] - '0');
    if (hours > 23 || minutes > 59) return -1;
    return hours * 60 + minutes;
}

// "09:00-10:30": the slot's start and end.
void parse_slot(const Source& ctx, const Field& f, CourseSession& s) {
    const std::string text = trim(scalar(ctx, f, "a time slot such as 09:00-10:30"));
    const size_t dash = text.find('-');
    const int start = dash == std::string::npos ? -1 : clock_minutes(trim(text.substr(0, dash)));
    const int end = dash == std::string::npos ? -1 : clock_minutes(trim(text.substr(dash + 1)));
    if (start < 0 || end < 0)
        ctx.fail(f.mark, "'time' is not a time slot: " + quote(text) +
                             "; write the start and end, e.g. 09:00-10:30");
    if (end <= start) ctx.fail(f.mark, "the time slot " + quote(text) + " ends before it starts");
    s.start_minute = start;
    s.end_minute = end;
}

CourseSession parse_session(const Source& ctx, const Field& item, const fs::path& folder) {
    MapReader r(ctx, item.node, item.mark, "a course entry",
                {"pack", "module", "day", "time", "optional", "after"});
    CourseSession s;
    s.mark = item.mark;
    Field pack = r.need("pack", "name the pack's folder, e.g. packs/intro");
    s.folder = trim(scalar(ctx, pack, "a pack folder"));
    const fs::path pack_folder = pack_path(ctx, pack, folder);
    std::error_code ec;
    if (!fs::is_regular_file(pack_folder / "pack.yaml", ec))
        ctx.fail(pack.mark, quote(s.folder) + " holds no pack.yaml; name a pack folder");
    s.pack = load_pack(pack_folder);
    s.module = local_text(ctx, r.need("module", "name the workshop module per language"));
    s.day = static_cast<int>(uint_value(ctx, r.need("day", "give the day, 1 or 2"), 1, 30));
    if (auto f = r.get("optional")) s.optional = bool_value(ctx, *f);
    if (auto f = r.get("time"))
        parse_slot(ctx, *f, s);
    else if (!s.optional)
        ctx.fail(item.mark, "the course entry " + quote(s.folder) +
                                " has no 'time'; give its slot (09:00-10:30) or mark it "
                                "optional: true");
    if (auto f = r.get("after")) s.after = string_list(ctx, *f, "pack ids");
    return s;
}

void check_text(const Course& course, const LocalText& text, const std::string& what) {
    for (auto& lang : course.languages)
        if (!text.by_language.count(lang))
            throw SourceError(text.mark,
                              what + " has no " + lang + " text; add a line '" + lang + ": ...'");
}

// The order of the programme: days never go back, slots on one day never overlap, and `after:`
// names packs listed earlier.
void check_order(const Course& course) {
    const CourseSession* previous = nullptr;  // the last session with a time slot
    for (size_t i = 0; i < course.sessions.size(); ++i) {
        const CourseSession& s = course.sessions[i];
        if (i > 0 && s.day < course.sessions[i - 1].day)
            throw SourceError(s.mark, "pack " + quote(s.pack.id) + " is on day " +
                                          std::to_string(s.day) + ", after a pack of day " +
                                          std::to_string(course.sessions[i - 1].day) +
                                          "; list the packs in the order they are taught");
        if (s.start_minute >= 0) {
            if (previous && previous->day == s.day && s.start_minute < previous->end_minute)
                throw SourceError(s.mark, "pack " + quote(s.pack.id) + " starts at " +
                                              clock_text(s.start_minute) + ", before pack " +
                                              quote(previous->pack.id) + " ends (" +
                                              clock_text(previous->end_minute) + ") on day " +
                                              std::to_string(s.day));
            previous = &s;
        }
        for (auto& id : s.after) {
            auto earlier = std::find_if(course.sessions.begin(), course.sessions.begin() + i,
                                        [&](const CourseSession& e) { return e.pack.id == id; });
            if (earlier != course.sessions.begin() + i) continue;
            const bool later = course.session(id) != nullptr;
            throw SourceError(
                s.mark, "pack " + quote(s.pack.id) + " comes after " + quote(id) +
                            (later ? ", which the course lists later; list " + quote(id) + " first"
                                   : ", which is not a pack of the course"));
        }
    }
}

}  // namespace

std::string clock_text(int minutes) {
    char t[24];
    std::snprintf(t, sizeof t, "%02d:%02d", minutes / 60, minutes % 60);
    return t;
}

const CourseSession* Course::session(const std::string& pack_id) const {
    for (auto& s : sessions)
        if (s.pack.id == pack_id) return &s;
    return nullptr;
}

Course load_course(const fs::path& file) {
    const std::string display = file.string();
    auto yaml = read_yaml(file, display, "course file");
    const Source& ctx = yaml->ctx;
    MapReader r(ctx, yaml->root, ctx.at(yaml->root.Mark()), "the course file",
                {"id", "title", "description", "languages", "packs"});
    Course course;
    course.file = display;
    std::error_code ec;
    const fs::path folder = fs::canonical(fs::absolute(file).parent_path(), ec);
    course.id =
        id_value(ctx, r.need("id", "give the course an id such as cica-df"), "an id", "course id");
    course.title = local_text(ctx, r.need("title", "write the course's title per language"));
    course.description = local_text(ctx, r.need("description", "describe the course per language"));
    course.languages = {"en"};
    if (auto f = r.get("languages")) course.languages = string_list(ctx, *f, "language codes");
    Field packs = r.need("packs", "list the packs in the order they are taught");
    const YAML::Node& list = list_value(ctx, packs, "a list of packs");
    for (size_t i = 0; i < list.size(); ++i) {
        Field item = item_field(ctx, packs, i);
        CourseSession s = parse_session(ctx, item, folder);
        if (course.session(s.pack.id))
            ctx.fail(item.mark, "pack " + quote(s.pack.id) + " is listed twice; list it once");
        for (auto& lang : course.languages)
            if (std::find(s.pack.languages.begin(), s.pack.languages.end(), lang) ==
                s.pack.languages.end())
                ctx.fail(item.mark, "pack " + quote(s.pack.id) + " has no " + lang +
                                        " texts (its languages: " + join(s.pack.languages) +
                                        "), but the course is taught in " + join(course.languages));
        course.sessions.push_back(std::move(s));
    }
    if (course.sessions.empty()) ctx.fail(packs.mark, "a course needs at least one pack");
    check_text(course, course.title, "the course's title");
    check_text(course, course.description, "the course's description");
    for (auto& s : course.sessions) check_text(course, s.module, "pack " + s.pack.id + "'s module");
    check_order(course);
    return course;
}

fs::path shipped_course() {
    const char* env = std::getenv("DFLAB_PACKS");
    fs::path packs = env && *env ? fs::path(env) : fs::path(DFLAB_PACKS_DIR);
    packs = packs.lexically_normal();
    if (packs.filename().empty()) packs = packs.parent_path();  // "exercises/packs/"
    return packs.parent_path() / "course.yaml";
}

std::vector<std::string> validate_course(const Course& course) {
    std::vector<std::string> problems;
    for (auto& s : course.sessions)
        for (auto& p : validate_pack(s.pack)) problems.push_back(p);
    return problems;
}

}  // namespace dflab::exercises
