// dflab course validate|build|show: a workshop's packs in order (exercises/course.yaml), built
// together, with a programme for trainers and one for participants in each language.
#include <unistd.h>

#include <algorithm>
#include <iostream>
#include <memory>
#include <thread>

#include "common/error.hpp"
#include "common/text.hpp"
#include "exercises/course.hpp"
#include "tools/commands.hpp"

namespace dflab::tools {

namespace fs = std::filesystem;

namespace {

struct CourseArgs {
    std::string file, out, language = "en";
    unsigned variants = 1;
    unsigned jobs = std::max(1u, std::thread::hardware_concurrency());
    bool force = false;
};

exercises::Course load(const CourseArgs& a) {
    return exercises::load_course(a.file.empty() ? exercises::shipped_course() : fs::path(a.file));
}

// Build steps on stderr, only on a terminal (logs and pipes stay quiet and deterministic).
exercises::PackLog terminal_log() {
    if (!::isatty(STDERR_FILENO)) return {};
    return [](const std::string& line) { std::cerr << "dflab course: " << line << "\n"; };
}

void validate(const CourseArgs& a, int& exit_code) {
    exercises::Course course = load(a);
    auto problems = exercises::validate_course(course);
    for (auto& p : problems) std::cout << common::one_line(p) << "\n";
    if (!problems.empty()) {
        std::cerr << "dflab: " << course.file << ": " << problems.size()
                  << " problem(s); the course does not validate\n";
        exit_code = 1;
        return;
    }
    size_t questions = 0;
    for (auto& s : course.sessions) questions += s.pack.questions.size();
    std::cout << course.file << ": valid: course " << course.id << ", " << course.sessions.size()
              << " packs, " << questions << " questions, languages";
    for (auto& l : course.languages) std::cout << " " << l;
    std::cout << "\n";
    exit_code = 0;
}

void build(const CourseArgs& a, int& exit_code) {
    exercises::Course course = load(a);
    auto problems = exercises::validate_course(course);
    if (!problems.empty())
        throw common::Error(problems.front() +
                            (problems.size() > 1 ? " (and " + std::to_string(problems.size() - 1) +
                                                       " more: run dflab course validate)"
                                                 : ""));
    exercises::CourseBuildOptions options{a.out, a.variants, a.jobs, a.force};
    exercises::build_course(course, options, terminal_log());
    std::cout << "course " << course.id << ": " << course.sessions.size() << " packs, "
              << a.variants << " variant(s)\n"
              << "  " << (fs::path(a.out) / "participant").string()
              << "  (hand out: index.LANG.md and a folder per pack)\n"
              << "  " << (fs::path(a.out) / "instructor").string()
              << "  (keep: index.LANG.md, answer keys, walkthroughs)\n";
    exit_code = 0;
}

void show(const CourseArgs& a, int& exit_code) {
    exercises::Course course = load(a);
    const std::string& lang = a.language;
    if (std::find(course.languages.begin(), course.languages.end(), lang) == course.languages.end())
        throw common::Error(course.file + ": the course has no " + a.language +
                            " texts; its languages: " + common::join(course.languages));
    std::cout << exercises::participant_index(course, lang);
    exit_code = 0;
}

}  // namespace

void register_course(CLI::App& app, int& exit_code) {
    auto* course = app.add_subcommand(
        "course",
        "A workshop's packs in order: validate them, build them all with a programme for "
        "trainers and participants, show the programme (see docs/curriculum.md)");
    course->require_subcommand(1);
    auto a = std::make_shared<CourseArgs>();
    const std::string file_help =
        "Course file (default: the course shipped with dflab, exercises/course.yaml)";

    auto* v = course->add_subcommand("validate", "Check the course file and every pack it names");
    v->add_option("COURSE", a->file, file_help);
    v->callback([a, &exit_code] { validate(*a, exit_code); });

    auto* b = course->add_subcommand(
        "build",
        "Build every pack of the course and write OUT/participant (each pack's participant "
        "bundle, index.LANG.md) and OUT/instructor (answer keys, walkthroughs, index.LANG.md)");
    b->add_option("COURSE", a->file, file_help);
    b->add_option("-o,--output", a->out, "Output folder (must not exist unless --force)")
        ->required();
    b->add_option("--variants", a->variants,
                  "Build N variants of every pack (one per participant), 1 to 500")
        ->check(CLI::Range(1u, 500u));
    b->add_option("-j,--jobs", a->jobs,
                  "Build N variants at once, each in a process of its own (default: the number "
                  "of cores)")
        ->check(CLI::Range(1u, 64u));
    b->add_flag("--force", a->force, "Replace OUT if it exists");
    b->callback([a, &exit_code] { build(*a, exit_code); });

    auto* s = course->add_subcommand("show", "Print the programme (the participants' index)");
    s->add_option("COURSE", a->file, file_help);
    s->add_option("--lang,--language", a->language, "Language of the texts (en, ru, kk)");
    s->callback([a, &exit_code] { show(*a, exit_code); });
}

}  // namespace dflab::tools
