// `dflab course build`: every pack of a course built, its bundles gathered under one folder for
// participants and one for instructors, and an index of the programme in each language.
#include <fstream>
#include <sstream>

#include "common/error.hpp"
#include "common/messages.hpp"
#include "exercises/bundle_writer.hpp"
#include "exercises/course.hpp"
#include "images/temp_folder.hpp"

namespace dflab::exercises {

namespace fs = std::filesystem;

namespace {

// The indexes' words come from the message catalogues (keys course.*, common/messages/).
std::string label(const std::string& lang, std::string_view key) {
    return common::translate(lang, std::string("course.") + std::string(key));
}

std::string number_text(double p) {
    std::ostringstream s;
    s << p;
    return s.str();
}

double points_of(const Pack& pack) {
    double total = 0;
    for (auto& q : pack.questions) total += q.points;
    return total;
}

std::string slot_text(const CourseSession& s, const std::string& lang) {
    std::string text = s.start_minute >= 0
                           ? clock_text(s.start_minute) + "-" + clock_text(s.end_minute)
                           : std::string();
    if (s.optional) text += (text.empty() ? "" : " ") + ("(" + label(lang, "optional") + ")");
    return text;
}

// "1 h 30 min" in `lang`'s words.
std::string duration_text(int minutes, const std::string& lang) {
    if (minutes <= 0) return "-";
    std::string text;
    if (minutes >= 60)
        text = common::format(label(lang, "hours"), {{"n", std::to_string(minutes / 60)}});
    if (minutes % 60) {
        if (!text.empty()) text += " ";
        text += common::format(label(lang, "minutes"), {{"n", std::to_string(minutes % 60)}});
    }
    return text;
}

// A table cell: no line breaks, no column bar.
std::string cell(std::string text) {
    for (char& c : text)
        if (c == '\n' || c == '\r') c = ' ';
    std::string out;
    for (char c : text) out += c == '|' ? std::string("\\|") : std::string(1, c);
    return out;
}

// The programme: a table per day.
void programme(const Course& course, const std::string& lang, std::ostringstream& md) {
    int day = 0;
    for (auto& s : course.sessions) {
        if (s.day != day) {
            day = s.day;
            md << "## " << common::format(label(lang, "day"), {{"n", std::to_string(day)}})
               << "\n\n| " << label(lang, "time") << " | " << label(lang, "pack") << " | "
               << label(lang, "module") << " | " << label(lang, "level") << " | "
               << label(lang, "duration") << " | " << label(lang, "questions") << " | "
               << label(lang, "points") << " | " << label(lang, "after") << " |\n"
               << "|---|---|---|---|---|---|---|---|\n";
        }
        std::string after;
        for (auto& id : s.after)
            after += (after.empty() ? "" : ", ") + ("[`" + id + "`](#" + id + ")");
        md << "| " << slot_text(s, lang) << " | [" << cell(s.pack.title.in(lang)) << "](#"
           << s.pack.id << ") | " << cell(s.module.in(lang)) << " | "
           << (s.pack.difficulty.empty() ? "-" : label(lang, "level." + s.pack.difficulty)) << " | "
           << duration_text(s.pack.estimated_minutes, lang) << " | " << s.pack.questions.size()
           << " | " << number_text(points_of(s.pack)) << " | " << (after.empty() ? "-" : after)
           << " |\n";
        const bool last = &s == &course.sessions.back() || (&s + 1)->day != day;
        if (last) md << "\n";
    }
    size_t questions = 0;
    double points = 0;
    for (auto& s : course.sessions) {
        questions += s.pack.questions.size();
        points += points_of(s.pack);
    }
    md << common::format(label(lang, "total"), {{"packs", std::to_string(course.sessions.size())},
                                                {"questions", std::to_string(questions)},
                                                {"points", number_text(points)}})
       << "\n\n";
}

std::string heading(const Course& course, const std::string& lang, std::string_view which) {
    return "# " + course.title.in(lang) + " - " + label(lang, which) + "\n\n" +
           course.description.in(lang) + "\n\n";
}

// "<a id="intro"></a>" keeps the anchor the same in every language.
std::string pack_heading(const CourseSession& s, const std::string& lang) {
    return "<a id=\"" + s.pack.id + "\"></a>\n\n### " + s.pack.title.in(lang) + " (`" + s.pack.id +
           "`)\n\n" + s.pack.description.in(lang) + "\n\n";
}

void write_text(const fs::path& path, const std::string& text) {
    fs::create_directories(path.parent_path());
    std::ofstream out(path, std::ios::binary);
    out << text;
    if (!out.flush()) throw common::Error(path.string() + ": cannot write");
}

}  // namespace

std::string participant_index(const Course& course, const std::string& lang) {
    std::ostringstream md;
    md << heading(course, lang, "participant_index");
    programme(course, lang, md);
    md << "## " << label(lang, "packs") << "\n\n";
    for (auto& s : course.sessions)
        md << pack_heading(s, lang) << "- " << label(lang, "questions_file") << ": `" << s.pack.id
           << "/questions." << lang << ".md`\n"
           << "- " << label(lang, "images") << ": `" << s.pack.id << "/images/`\n"
           << "- " << label(lang, "findings") << ": `" << s.pack.id << "/findings-template." << lang
           << ".yaml`\n\n";
    return md.str();
}

std::string trainer_index(const Course& course, const std::string& lang, unsigned variants) {
    std::ostringstream md;
    md << heading(course, lang, "trainer_index")
       << common::format(common::translate_plural(lang, "course.variants", variants),
                         {{"n", std::to_string(variants)}})
       << "\n\n";
    programme(course, lang, md);
    md << "## " << label(lang, "packs") << "\n\n";
    for (auto& s : course.sessions)
        md << pack_heading(s, lang) << "- " << label(lang, "answer_key") << ": `" << s.pack.id
           << "/answer-key.json`\n"
           << "- " << label(lang, "walkthrough") << ": `" << s.pack.id << "/walkthrough." << lang
           << ".md`\n"
           << "- " << label(lang, "hand_out") << ": `../participant/" << s.pack.id << "/`\n\n";
    return md.str();
}

void build_course(const Course& course, const CourseBuildOptions& options, const PackLog& log) {
    const fs::path out = checked_output_folder(options.out, options.overwrite);
    images::TempFolder staging("." + out.filename().string() + ".partial", out.parent_path());
    const fs::path made = staging.path() / "course";
    for (auto& s : course.sessions) {
        if (log) log("pack " + s.pack.id);
        PackBuildOptions pack_options;
        pack_options.out = staging.path() / "packs" / s.pack.id;
        pack_options.variants = options.variants;
        pack_options.jobs = options.jobs;
        build_pack(s.pack, pack_options, log);
        fs::create_directories(made / "participant");
        fs::create_directories(made / "instructor");
        fs::rename(pack_options.out / "participant", made / "participant" / s.pack.id);
        fs::rename(pack_options.out / "instructor", made / "instructor" / s.pack.id);
    }
    for (auto& lang : course.languages) {
        write_text(made / "participant" / ("index." + lang + ".md"),
                   participant_index(course, lang));
        write_text(made / "instructor" / ("index." + lang + ".md"),
                   trainer_index(course, lang, options.variants));
    }
    write_checksums(made / "participant");
    write_checksums(made / "instructor");
    std::error_code ec;
    if (fs::exists(out, ec)) fs::remove_all(out);
    fs::rename(made, out);
}

}  // namespace dflab::exercises
