#pragma once
// Helpers shared by the exercise-pack tests (tests/test_pack_*.cpp): copies of the intro pack to
// break on purpose, one-question solutions over a fixture image, and validator output.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "exercises/pack_loader.hpp"
#include "exercises/pack_validator.hpp"
#include "exercises/solution.hpp"
#include "images/recipe_parser.hpp"
#include "tests/oracle.hpp"
#include "tests/support/fixtures.hpp"

namespace dflab::test {

inline const std::filesystem::path kIntro =
    std::filesystem::path(DFLAB_SOURCE_DIR) / "exercises/packs/intro";

// A copy of the intro pack in a fresh folder, to break on purpose.
inline std::filesystem::path intro_copy() {
    std::filesystem::path dir = std::filesystem::path(temp_dir()) / "pack";
    std::filesystem::copy(kIntro, dir, std::filesystem::copy_options::recursive);
    return dir;
}

inline void replace_in(const std::filesystem::path& file, const std::string& from,
                       const std::string& to) {
    std::string text = read_file(file.string());
    auto at = text.find(from);
    ASSERT_NE(at, std::string::npos) << from << " not in " << file;
    text.replace(at, from.size(), to);
    write_file(file.string(), text);
}

inline std::string load_error(const std::filesystem::path& dir) {
    try {
        exercises::load_pack(dir);
    } catch (const images::RecipeError& e) {
        return e.what();
    }
    return "";
}

inline exercises::Question question(std::vector<std::pair<std::string, nlohmann::json>> steps,
                                    std::string type = "text") {
    exercises::Question q;
    q.id = "q";
    q.type = std::move(type);
    q.mark = {"q.yaml", 1, 1};
    for (auto& [verb, arg] : steps) q.solution.push_back({verb, arg, {"q.yaml", 2, 3}});
    return q;
}

inline exercises::SolveEnvironment environment(const std::string& image) {
    exercises::SolveEnvironment env;
    env.images["disk"].segments = {image};
    env.first_image = "disk";
    return env;
}

// The allocated regular files of a file system, as fls lists them (TSK's virtual $ files left out).
inline std::vector<FlsEntry> allocated_files(const std::string& image, uint64_t start = 0) {
    std::vector<FlsEntry> out;
    for (auto& f : fls(image, start))
        if (f.allocated && f.type == "r/r" && f.path.find('$') == std::string::npos)
            out.push_back(f);
    return out;
}

inline std::string solve_error(const exercises::Question& q,
                               const exercises::SolveEnvironment& env) {
    try {
        exercises::solve(q, env);
    } catch (const exercises::SolutionError& e) {
        return e.what();
    }
    return "";
}

// An analysed fixture: the case database that `dflab analyze` makes of it with `rules`.
inline exercises::SolveEnvironment analysed(const std::string& image, const std::string& args) {
    std::string db = temp_dir() + "/case.sqlite";
    auto r = test::dflab("analyze " + shell_quote(image) + " " + args + " -o " + shell_quote(db));
    if (r.exit_code != 0) throw std::runtime_error("analyze failed: " + r.err);
    auto env = environment(image);
    env.images["disk"].case_db = db;
    return env;
}

inline std::vector<std::string> validate_copy(const std::filesystem::path& dir) {
    return exercises::validate_pack(exercises::load_pack(dir));
}

inline bool any_has(const std::vector<std::string>& problems, const std::string& a,
                    const std::string& b = "") {
    for (auto& p : problems)
        if (p.find(a) != std::string::npos && p.find(b) != std::string::npos) return true;
    return false;
}

inline std::string joined(const std::vector<std::string>& problems) {
    std::string out;
    for (auto& p : problems) out += p + "\n";
    return out;
}

}  // namespace dflab::test
