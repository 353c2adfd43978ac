#pragma once
// A course (docs/curriculum.md, "The course file"): the packs of a workshop in the order they are
// taught, each with its module, day, time slot and the packs it builds on. `dflab course build`
// builds every pack and writes one index for trainers and one for participants per language.
#include <filesystem>
#include <string>
#include <vector>

#include "exercises/pack.hpp"
#include "exercises/pack_builder.hpp"

namespace dflab::exercises {

// One pack's place in the course.
struct CourseSession {
    Pack pack;                       // loaded from the folder the course names
    std::string folder;              // as written in the course file ("packs/intro")
    LocalText module;                // the workshop module it belongs to
    int day = 1;                     // 1, 2, ...
    int start_minute = -1;           // minutes after midnight; -1: no time slot
    int end_minute = -1;             // the slot's end
    bool optional = false;           // taught when time allows
    std::vector<std::string> after;  // ids of packs listed before it that come first
    SourceMark mark;
};

struct Course {
    std::string file;  // as named in messages
    std::string id;
    LocalText title, description;
    std::vector<std::string> languages;  // every text of the course and of its packs
    std::vector<CourseSession> sessions;

    const CourseSession* session(const std::string& pack_id) const;
};

// "09:30" for 570 minutes after midnight.
std::string clock_text(int minutes);

// Reads a course file and every pack it names. Throws common::SourceError (FILE:LINE:COLUMN) for
// an unknown key, a pack that does not load, a pack listed twice, an `after:` that names no pack
// listed earlier, a malformed or overlapping time slot, a day that goes back, or a course
// language one of its packs lacks.
Course load_course(const std::filesystem::path& file);

// The course shipped with dflab: course.yaml beside the packs folder (exercises/course.yaml, or
// the parent of DFLAB_PACKS).
std::filesystem::path shipped_course();

// Every problem of every pack of the course (validate_pack), one line each; empty: valid.
std::vector<std::string> validate_course(const Course& course);

struct CourseBuildOptions {
    std::filesystem::path out;
    unsigned variants = 1;
    unsigned jobs = 1;
    bool overwrite = false;
};

// Builds every pack (build_pack) and writes OUT/participant/PACK/ (each pack's participant
// bundle), OUT/instructor/PACK/ (each answer key and walkthrough), and the indexes
// OUT/participant/index.LANG.md and OUT/instructor/index.LANG.md, each folder with its SHA256SUMS.
// Everything is made beside OUT and moved into place only when complete. Throws on failure,
// leaving OUT untouched.
void build_course(const Course& course, const CourseBuildOptions& options, const PackLog& log = {});

// The indexes (Markdown) in `language`: the programme by day, then a section per pack. The
// participant's names each pack's questions and images; the trainer's adds the answer keys,
// walkthroughs and the number of variants built.
std::string participant_index(const Course& course, const std::string& language);
std::string trainer_index(const Course& course, const std::string& language, unsigned variants);

}  // namespace dflab::exercises
