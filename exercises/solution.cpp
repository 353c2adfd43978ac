#include "exercises/solution.hpp"

#include <algorithm>
#include <fstream>
#include <map>
#include <set>

#include "common/error.hpp"
#include "engine/file_system.hpp"
#include "exercises/answer_form.hpp"
#include "exercises/solution_state.hpp"

namespace dflab::exercises {

namespace detail {

const BuiltImage& SolutionState::image() const {
    auto it = env.images.find(image_id);
    if (it == env.images.end()) throw StepError("no built image " + image_id);
    return it->second;
}

engine::Evidence& SolutionState::open_evidence() {
    if (!evidence) evidence = engine::Evidence::open(image().segments);
    return *evidence;
}

const engine::Partition& SolutionState::need_partition() {
    if (!partition) {
        auto parts = engine::file_system_partitions(open_evidence());
        if (parts.size() != 1) {
            std::string list;
            for (auto& p : parts) list += (list.empty() ? "" : ", ") + std::to_string(p.index);
            throw StepError("the image has " + std::to_string(parts.size()) +
                            " file systems (partitions " + list +
                            "); choose one first with partition: N");
        }
        partition = parts.front();
        partition->fat_zone = image().fat_zone;
    }
    return *partition;
}

const engine::FileSystem& SolutionState::need_fs() {
    if (!fs) fs.emplace(open_evidence(), need_partition());
    return *fs;
}

common::Database& SolutionState::need_case() {
    if (!case_db) {
        const auto& path = image().case_db;
        if (path.empty()) throw StepError("the image was not analysed");
        case_db =
            std::make_unique<common::Database>(path.string(), common::Database::Mode::ReadOnly);
        case_db->exec("PRAGMA query_only = ON");
    }
    return *case_db;
}

const nlohmann::json& SolutionState::truth() {
    if (truth_manifest.is_null()) {
        const auto& path = image().truth;
        std::ifstream in(path);
        if (path.empty() || !in)
            throw StepError("image " + image_id + " has no truth manifest to read variables from");
        truth_manifest = nlohmann::json::parse(in);
    }
    return truth_manifest;
}

}  // namespace detail

namespace {

using namespace detail;

const std::map<std::string, StepFunction>& steps() {
    static const std::map<std::string, StepFunction> table = {{"image", step_image},
                                                              {"image_hash", step_image_hash},
                                                              {"partitions", step_partitions},
                                                              {"partition", step_partition},
                                                              {"filesystem", step_filesystem},
                                                              {"find", step_find},
                                                              {"hash", step_hash},
                                                              {"read", step_read},
                                                              {"yara", step_yara},
                                                              {"search", step_search},
                                                              {"timeline", step_timeline},
                                                              {"artifacts", step_artifacts},
                                                              {"sql", step_sql},
                                                              {"carved", step_carved},
                                                              {"field", step_field},
                                                              {"where", step_where},
                                                              {"one", step_one},
                                                              {"count", step_count},
                                                              {"unique", step_unique},
                                                              {"sort", step_sort},
                                                              {"map", step_map},
                                                              {"variable", step_variable}};
    return table;
}

// The partitions of the entries in `value` (an entry or a list of them).
void remember_partitions(const nlohmann::json& value, std::set<int>& partitions) {
    auto one = [&](const nlohmann::json& v) {
        if (v.is_object() && v.contains("path") && v.contains("partition") &&
            v["partition"].is_number_integer())
            partitions.insert(v["partition"].get<int>());
    };
    if (value.is_array()) {
        for (auto& item : value) one(item);
    } else {
        one(value);
    }
}

nlohmann::json implied_options(const Question& q, SolutionState& state,
                               const std::set<int>& partitions) {
    nlohmann::json implied = nlohmann::json::object();
    bool path = q.type == "path" || (q.type == "set" && q.options.is_object() &&
                                     q.options.value("element_type", "") == "path");
    if (!path || partitions.size() != 1) return implied;
    int index = *partitions.begin();
    auto parts = engine::file_system_partitions(state.open_evidence(), index);
    std::string fs = parts.front().filesystem.value_or("");
    implied["case_sensitive"] = fs.rfind("ext", 0) == 0;
    implied["partition"] = index;
    if (q.type == "set") return nlohmann::json{{"element_options", implied}};
    return implied;
}

// An NTFS address (entry-type-id) as the key holds it: with whether the entry alone names the
// same attribute (TSK's default attribute, what `icat IMAGE ENTRY` reads), so that grading
// accepts the bare entry only then (docs/answer-key.md). Other addresses stay strings.
nlohmann::json inode_key_form(const nlohmann::json& answer, SolutionState& state) {
    if (!answer.is_string() || !state.fs) return answer;
    engine::ContentAddress address = engine::parse_inode(answer.get<std::string>());
    if (!address.attr_type || !address.attr_id) return answer;
    const auto chosen = state.fs->default_attribute(address.meta_addr);
    const bool alone =
        chosen && chosen->attr_type == address.attr_type && chosen->attr_id == address.attr_id;
    return {{"address", answer}, {"default_attribute", alone}};
}

nlohmann::json with_inode_key_forms(const Question& q, const nlohmann::json& answer,
                                    SolutionState& state) {
    if (q.type == "inode") return inode_key_form(answer, state);
    if (q.type != "set" || !q.options.is_object() ||
        q.options.value("element_type", "") != "inode" || !answer.is_array())
        return answer;
    nlohmann::json out = nlohmann::json::array();
    for (const auto& item : answer) out.push_back(inode_key_form(item, state));
    return out;
}

// A regex question's pattern with each ${NAME} replaced by the recipe variable's value in this
// variant, escaped so that it matches only itself.
std::string pattern_of_variant(const std::string& pattern, SolutionState& state) {
    if (pattern.find("${") == std::string::npos) return pattern;
    std::string out;
    for (size_t i = 0; i < pattern.size();) {
        size_t open = pattern.find("${", i);
        if (open == std::string::npos) {
            out += pattern.substr(i);
            break;
        }
        size_t close = pattern.find('}', open);
        if (close == std::string::npos) throw StepError("the pattern has '${' without '}'");
        out += pattern.substr(i, open - i);
        std::string name = pattern.substr(open + 2, close - open - 2);
        const nlohmann::json& vars = state.truth().value("variables", nlohmann::json::object());
        if (!vars.contains(name))
            throw StepError("the pattern names ${" + name + "}, which the recipe does not define");
        std::string value =
            vars[name].is_string() ? vars[name].get<std::string>() : vars[name].dump();
        for (char c : value) {
            if (std::string_view("\\^$.|?*+()[]{}/").find(c) != std::string_view::npos) out += '\\';
            out += c;
        }
        i = close + 1;
    }
    return out;
}

nlohmann::json read_truth(const std::filesystem::path& path) {
    std::ifstream in(path);
    if (!in) throw common::Error(path.string() + ": cannot read the truth manifest");
    return nlohmann::json::parse(in);
}

}  // namespace

Solved solve(const Question& question, const SolveEnvironment& env) {
    Solved out;
    std::string where = question.mark.str() + ": question " + question.id;
    SolutionState state{question, env, env.first_image, {}, {}, {}, {}, nullptr, {}};
    std::set<int> partitions;  // of the entries the steps went through
    for (const Step& step : question.solution) {
        try {
            steps().at(step.verb)(state, step);
        } catch (const common::Interrupted&) {
            throw;  // the user stopped the run: not this step's failure
        } catch (const std::exception& e) {
            throw SolutionError(step.mark.str() + ": question " + question.id + ": step '" +
                                short_text(step.text()) + "': " + e.what());
        }
        out.trace.push_back({step.text(), short_text(state.value)});
        remember_partitions(state.value, partitions);
    }
    out.implied_options = implied_options(question, state, partitions);
    // The question as this variant grades it: a regex pattern's ${NAME}s filled in, for the
    // derived answer and for the truth's alike.
    Question variant = question;
    try {
        if (question.type == "regex" && question.options.is_object() &&
            question.options.contains("pattern") && question.options["pattern"].is_string())
            variant.options["pattern"] =
                pattern_of_variant(question.options["pattern"].get<std::string>(), state);
        out.answer = answer_form(variant, state.value);
    } catch (const std::exception& e) {
        throw SolutionError(where + ": the solution's value " + short_text(state.value) +
                            " is not a " + question.type + " answer: " + e.what());
    }
    if (question.expect) {
        const Expectation& x = *question.expect;
        std::string image = x.image.empty() ? state.image_id : x.image;
        auto it = env.images.find(image);
        if (it == env.images.end())
            throw SolutionError(x.mark.str() + ": question " + question.id + ": no image " + image);
        nlohmann::json truth_value;
        try {
            Question relaxed = variant;  // a truth holds SHA-256 whatever the question asks
            if (relaxed.type == "hash") relaxed.options["algorithm"] = "any";
            truth_value = answer_form(relaxed, expected_value(x, read_truth(it->second.truth)));
        } catch (const std::exception& e) {
            throw SolutionError(x.mark.str() + ": question " + question.id +
                                ": expect: " + e.what());
        }
        if (!answers_agree(variant, out.answer, truth_value))
            throw SolutionError(x.mark.str() + ": question " + question.id +
                                ": the solution derived " + short_text(out.answer) +
                                " but the truth manifest of image " + image + " says " +
                                short_text(truth_value) + "; fix the solution or the recipe");
    }
    out.answer = with_inode_key_forms(question, out.answer, state);
    return out;
}

std::vector<engine::KeywordTerm> search_terms(const std::vector<Question>& questions) {
    std::vector<engine::KeywordTerm> terms;
    for (auto& q : questions)
        for (auto& s : q.solution)
            if (s.verb == "search") {
                engine::KeywordTerm t;
                t.text = s.argument.is_object() ? s.argument["term"].get<std::string>()
                                                : s.argument.get<std::string>();
                t.regex = s.argument.is_object() && s.argument.value("regex", false);
                if (std::none_of(terms.begin(), terms.end(),
                                 [&](auto& x) { return x.text == t.text && x.regex == t.regex; }))
                    terms.push_back(t);
            }
    return terms;
}

}  // namespace dflab::exercises
