#include "exercises/bundle_writer.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <sstream>

#include "common/error.hpp"
#include "common/messages.hpp"
#include "engine/hashes.hpp"

namespace dflab::exercises {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// The bundles' own words come from the message catalogues (keys bundle.*, common/messages/).
std::string label(const std::string& language, std::string_view key) {
    return common::translate(language, std::string("bundle.") + std::string(key));
}

// The plural form for `amount`: a whole number picks its own form, a fraction the form of 2
// ("2.5 балла", "2.5 points").
long long plural_count(double amount) {
    double whole = std::floor(amount);
    return whole == amount ? static_cast<long long>(whole) : 2;
}

std::string number_text(double p) {
    std::ostringstream s;
    s << p;
    return s.str();
}

// "5 points", "5 баллов", "5 ұпай".
std::string points_text(const std::string& lang, double p) {
    return common::format(common::translate_plural(lang, "bundle.points", plural_count(p)),
                          {{"n", number_text(p)}});
}

std::string question_heading(const std::string& lang, int n, const LocalText& title) {
    return common::format(label(lang, "question"),
                          {{"n", std::to_string(n)}, {"title", title.in(lang)}});
}

void write_file(const fs::path& path, const std::string& text) {
    fs::create_directories(path.parent_path());
    std::ofstream out(path, std::ios::binary);
    out << text;
    if (!out.flush()) throw common::Error(path.string() + ": cannot write");
}

// "images/" or "images/variant-K/" inside the participant bundle.
fs::path image_folder(const PackSolution& solution, unsigned variant) {
    return solution.variants.size() == 1
               ? fs::path("images")
               : fs::path("images") / ("variant-" + std::to_string(variant));
}

json participant_questions(const Pack& pack) {
    json list = json::array();
    for (auto& q : pack.questions) {
        json choices = json::array();
        for (auto& c : q.choices)
            choices.push_back({{"id", c}, {"text", q.choice_texts.at(c).by_language}});
        json hints = json::array();
        for (auto& h : q.hints) hints.push_back({{"cost", h.cost}});
        json item = {{"id", q.id},
                     {"title", q.title.by_language},
                     {"text", q.text.by_language},
                     {"type", q.type},
                     {"points", q.points},
                     {"choices", choices},
                     {"hints", hints},
                     {"prerequisites", q.prerequisites},
                     {"max_attempts", q.max_attempts}};
        if (q.type == "set") item["element_type"] = q.options.value("element_type", "text");
        list.push_back(item);
    }
    return list;
}

std::string questions_markdown(const Pack& pack, const std::string& lang) {
    std::ostringstream md;
    md << "# " << pack.title.in(lang) << "\n\n" << pack.description.in(lang) << "\n\n";
    if (pack.estimated_minutes)
        md << common::format(
                  common::translate_plural(lang, "bundle.minutes", pack.estimated_minutes),
                  {{"n", std::to_string(pack.estimated_minutes)}})
           << "\n\n";
    int n = 0;
    for (auto& q : pack.questions) {
        md << "## " << question_heading(lang, ++n, q.title) << " (`" << q.id << "`, "
           << points_text(lang, q.points) << ")\n\n"
           << q.text.in(lang) << "\n\n"
           << "- " << label(lang, "answer_type") << ": `" << q.type
           << (q.type == "set" ? " of " + q.options.value("element_type", "text") : "") << "`\n";
        if (!q.choices.empty()) {
            md << "- " << label(lang, "choices") << ":\n";
            for (auto& c : q.choices)
                md << "  - `" << c << "`: " << q.choice_texts.at(c).in(lang) << "\n";
        }
        if (!q.prerequisites.empty()) {
            md << "- " << label(lang, "prerequisites") << ":";
            for (auto& p : q.prerequisites) md << " `" << p << "`";
            md << "\n";
        }
        if (q.max_attempts) md << "- " << label(lang, "attempts") << ": " << q.max_attempts << "\n";
        md << "\n";
    }
    return md.str();
}

// `text` as a YAML single-quoted scalar: nothing is escaped inside but the quote, doubled.
std::string single_quoted(std::string_view text) {
    std::string out = "'";
    for (char c : text) out += c == '\'' ? std::string("''") : std::string(1, c);
    return out + "'";
}

// `text` on one comment line.
std::string comment_text(std::string text) {
    std::replace(text.begin(), text.end(), '\n', ' ');
    std::replace(text.begin(), text.end(), '\r', ' ');
    return text;
}

// The findings file to fill in, its comments and question titles in `lang`; `variant` is the
// variant's number when the bundle holds one. Values are single-quoted scalars, so that a Windows
// path needs no escaping (docs/findings-format.md).
std::string findings_template(const Pack& pack, unsigned variant, const std::string& lang) {
    std::ostringstream y;
    y << "# " << comment_text(label(lang, "findings.intro")) << "\n"
      << "# " << comment_text(label(lang, "findings.quoting")) << "\n"
      << "pack: " << single_quoted(pack.id) << "\n"
      << "participant: 'YOUR-ID'   # " << comment_text(label(lang, "findings.participant")) << "\n"
      << "variant: " << variant << "   # " << comment_text(label(lang, "findings.variant")) << "\n"
      << "answers:\n";
    int n = 0;
    for (auto& q : pack.questions) {
        y << "  # " << comment_text(question_heading(lang, ++n, q.title)) << "\n";
        if (q.type == "set")
            y << "  # " << comment_text(label(lang, "findings.list")) << "\n"
              << "  " << q.id << ": []\n";
        else
            y << "  " << q.id << ": ''\n";
    }
    return y.str();
}

void move_file(const fs::path& from, const fs::path& to) {
    fs::create_directories(to.parent_path());
    fs::rename(from, to);
}

// A hard link to `from` at `to` (the same bytes without a second copy), or a copy where the file
// system has no hard links or `to` is on another one.
void link_or_copy(const fs::path& from, const fs::path& to) {
    fs::create_directories(to.parent_path());
    std::error_code ec;
    fs::create_hard_link(from, to, ec);
    if (ec) fs::copy_file(from, to, fs::copy_options::overwrite_existing);
}

// Everything of a participant bundle but the images, which `images` (pack.json's list) names.
void write_participant_files(const Pack& pack, const json& images, unsigned template_variant,
                             const fs::path& dir) {
    json rules = json::array();
    for (auto& r : pack.rules) {
        fs::path rel = fs::path("rules") / r.filename();
        fs::create_directories((dir / rel).parent_path());
        fs::copy_file(r, dir / rel, fs::copy_options::overwrite_existing);
        rules.push_back(rel.generic_string());
    }
    json manifest = {{"format", "dflab-pack"},
                     {"format_version", 1},
                     {"id", pack.id},
                     {"version", pack.version},
                     {"title", pack.title.by_language},
                     {"description", pack.description.by_language},
                     {"authors", pack.authors},
                     {"module", pack.module},
                     {"difficulty", pack.difficulty},
                     {"estimated_minutes", pack.estimated_minutes},
                     {"languages", pack.languages},
                     {"date_order", pack.date_order},
                     {"images", images},
                     {"rules", rules},
                     {"questions", participant_questions(pack)}};
    write_file(dir / "pack.json", manifest.dump(2) + "\n");
    std::vector<std::string> languages = pack.languages;
    for (auto& q : pack.questions)
        for (auto& [lang, _] : q.text.by_language)
            if (std::find(languages.begin(), languages.end(), lang) == languages.end())
                languages.push_back(lang);
    for (auto& lang : languages)
        write_file(dir / ("questions." + lang + ".md"), questions_markdown(pack, lang));
    // findings-template.yaml in the pack's first language, and one per language of the pack.
    write_file(
        dir / "findings-template.yaml",
        findings_template(pack, template_variant, languages.empty() ? "en" : languages.front()));
    for (auto& lang : pack.languages)
        write_file(dir / ("findings-template." + lang + ".yaml"),
                   findings_template(pack, template_variant, lang));
    write_checksums(dir);
}

}  // namespace

void write_participant_bundle(const Pack& pack, const PackSolution& solution, const fs::path& dir) {
    json images = json::array();
    for (unsigned v : solution.variants)
        for (auto& image : pack.images) {
            const BuiltImage& built = solution.images.at(v).at(image.id);
            json files = json::array();
            for (auto& seg : built.segments) {
                fs::path rel = image_folder(solution, v) / fs::path(seg).filename();
                move_file(seg, dir / rel);
                files.push_back(rel.generic_string());
            }
            images.push_back({{"id", image.id}, {"variant", v}, {"files", files}});
        }
    write_participant_files(pack, images, solution.variants.front(), dir);
}

void write_variant_bundle(const Pack& pack, const PackSolution& solution, unsigned variant,
                          const fs::path& shared, const fs::path& dir) {
    json images = json::array();
    for (auto& image : pack.images) {
        const BuiltImage& built = solution.images.at(variant).at(image.id);
        json files = json::array();
        for (auto& seg : built.segments) {
            fs::path name = fs::path(seg).filename();
            fs::path rel = fs::path("images") / name;
            link_or_copy(shared / image_folder(solution, variant) / name, dir / rel);
            files.push_back(rel.generic_string());
        }
        images.push_back({{"id", image.id}, {"variant", variant}, {"files", files}});
    }
    write_participant_files(pack, images, variant, dir);
}

std::string walkthrough_text(const Pack& pack, const PackSolution& solution,
                             const std::string& lang) {
    std::ostringstream md;
    md << "# " << pack.title.in(lang) << " — " << label(lang, "walkthrough") << "\n\n";
    int n = 0;
    unsigned first = solution.variants.front();
    for (auto& q : pack.questions) {
        const Solved& s = solution.solved.at(first).at(q.id);
        md << "## " << question_heading(lang, ++n, q.title) << " (`" << q.id << "`, " << q.type
           << ", " << points_text(lang, q.points) << ")\n\n"
           << q.text.in(lang) << "\n\n";
        if (!s.trace.empty()) {
            md << "**" << label(lang, "steps") << "**\n\n";
            for (auto& t : s.trace) md << "- `" << t.step << "` → `" << t.value << "`\n";
            md << "\n";
        }
        md << "**" << label(lang, "answer") << "**: `" << s.answer.dump() << "`\n\n";
        if (solution.variants.size() > 1) {
            md << "| " << label(lang, "variant") << " | " << label(lang, "answer")
               << " |\n|---|---|\n";
            for (unsigned v : solution.variants)
                md << "| " << v << " | `" << solution.solved.at(v).at(q.id).answer.dump()
                   << "` |\n";
            md << "\n";
        }
        if (!q.walkthrough.empty()) md << q.walkthrough.in(lang) << "\n\n";
        if (!q.rubric.empty())
            md << "**" << label(lang, "rubric") << "**: " << q.rubric.in(lang) << "\n\n";
        if (!q.hints.empty()) {
            md << "**" << label(lang, "hints") << "**\n\n";
            for (auto& h : q.hints)
                md << "- (" << points_text(lang, h.cost) << ") " << h.text.in(lang) << "\n";
            md << "\n";
        }
    }
    return md.str();
}

void write_instructor_bundle(const Pack& pack, const PackSolution& solution, const json& key,
                             const fs::path& dir) {
    write_file(dir / "answer-key.json", key.dump(2) + "\n");
    std::vector<std::string> languages = pack.languages;
    for (auto& lang : languages)
        write_file(dir / ("walkthrough." + lang + ".md"), walkthrough_text(pack, solution, lang));
    for (unsigned v : solution.variants)
        for (auto& image : pack.images) {
            const BuiltImage& built = solution.images.at(v).at(image.id);
            fs::path rel =
                fs::path("truth") / ("variant-" + std::to_string(v)) / (image.id + ".truth.json");
            fs::create_directories((dir / rel).parent_path());
            fs::copy_file(built.truth, dir / rel, fs::copy_options::overwrite_existing);
        }
    write_checksums(dir);
}

void write_checksums(const fs::path& dir) {
    std::vector<fs::path> files;
    for (auto& e : fs::recursive_directory_iterator(dir))
        if (e.is_regular_file() && e.path().filename() != "SHA256SUMS")
            files.push_back(fs::relative(e.path(), dir));
    std::sort(files.begin(), files.end());
    std::ostringstream sums;
    std::vector<std::byte> buffer(1 << 20);
    for (auto& rel : files) {
        std::ifstream in(dir / rel, std::ios::binary);
        engine::Hasher hasher(engine::kSha256);
        while (in) {
            in.read(reinterpret_cast<char*>(buffer.data()),
                    static_cast<std::streamsize>(buffer.size()));
            hasher.update(std::span(buffer.data(), static_cast<size_t>(in.gcount())));
        }
        sums << hasher.finish().sha256 << "  " << rel.generic_string() << "\n";
    }
    write_file(dir / "SHA256SUMS", sums.str());
}

}  // namespace dflab::exercises
