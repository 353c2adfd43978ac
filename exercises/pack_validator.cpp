#include "exercises/pack_validator.hpp"

#include <algorithm>
#include <cstdlib>

#include "engine/yara_rules.hpp"
#include "exercises/pack_checks.hpp"
#include "images/recipe_parser.hpp"

namespace dflab::exercises {

namespace fs = std::filesystem;

namespace {

void check_text(const Pack& pack, const LocalText& text, const std::string& what,
                std::vector<std::string>& problems) {
    if (text.empty()) return;
    for (auto& lang : pack.languages)
        if (!text.by_language.count(lang))
            problems.push_back(text.mark.str() + ": " + what + " has no " + lang +
                               " text; add a line '" + lang + ": ...'");
}

}  // namespace

std::vector<std::string> validate_pack(const Pack& pack) {
    std::vector<std::string> problems;
    check_text(pack, pack.title, "the pack's title", problems);
    check_text(pack, pack.description, "the pack's description", problems);
    for (auto& q : pack.questions) {
        std::string who = "question " + q.id + ": ";
        check_text(pack, q.title, who + "the title", problems);
        check_text(pack, q.text, who + "the text", problems);
        for (auto& [id, text] : q.choice_texts)
            check_text(pack, text, who + "choice " + id, problems);
        for (size_t i = 0; i < q.hints.size(); ++i)
            check_text(pack, q.hints[i].text, who + "hint " + std::to_string(i + 1), problems);
        if (q.type == "regex" && !q.options.contains("pattern"))
            problems.push_back(q.mark.str() + ": " + who +
                               "a regex question needs options: {pattern: ...}");
        if (q.type == "free_text" && q.rubric.empty())
            problems.push_back(q.mark.str() + ": " + who +
                               "a free-text question needs a rubric for the instructor");
    }
    // The recipes in every variant, what expect: and the steps name in them, prerequisites.
    detail::check_recipes_and_steps(pack, problems);
    detail::check_prerequisite_cycles(pack, problems);
    if (!pack.rules.empty()) {
        std::vector<std::string> rules;
        for (auto& r : pack.rules) rules.push_back(r.string());
        try {
            engine::YaraRules::compile(rules);
        } catch (const std::exception& e) {
            problems.push_back(e.what());
        }
    }
    return problems;
}

std::vector<fs::path> shipped_packs() {
    const char* env = std::getenv("DFLAB_PACKS");
    fs::path root = env && *env ? fs::path(env) : fs::path(DFLAB_PACKS_DIR);
    std::vector<fs::path> packs;
    std::error_code ec;
    for (auto& e : fs::directory_iterator(root, ec))
        if (e.is_directory() && fs::exists(e.path() / "pack.yaml")) packs.push_back(e.path());
    std::sort(packs.begin(), packs.end());
    return packs;
}

}  // namespace dflab::exercises
