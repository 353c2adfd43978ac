// Grading one answer: what is common to every type (empty, enormous or binary submissions, a list
// where one answer is expected, choices), then the type's normaliser and comparison.
#include "scoring/grade.hpp"

#include <algorithm>

#include "engine/error.hpp"
#include "scoring/answer_types.hpp"

namespace dflab::scoring {

namespace {

constexpr size_t largest_answer = 64 * 1024;

Grade not_understood(std::string feedback) {
    return {Verdict::incorrect, 0, "", std::move(feedback), false};
}

// Total size of the strings in `value`, and whether any is not UTF-8 or holds a NUL.
void measure(const nlohmann::json& value, size_t& bytes, bool& binary) {
    if (value.is_string()) {
        const auto& s = value.get_ref<const std::string&>();
        bytes += s.size();
        if (s.find('\0') != std::string::npos || !valid_utf8(s)) binary = true;
    } else if (value.is_array() || value.is_object()) {
        for (const auto& item : value) measure(item, bytes, binary);
        bytes += value.size();
    } else {
        bytes += 8;
    }
}

bool blank(const nlohmann::json& value) {
    if (value.is_null()) return true;
    if (value.is_string()) return trim_and_fold_spaces(value.get<std::string>()).empty();
    if (value.is_array()) return std::all_of(value.begin(), value.end(), blank);
    return false;
}

const nlohmann::json& expected_answer(const KeyQuestion& q, int variant) {
    auto it = q.answers.find(variant);
    if (it == q.answers.end())
        throw engine::Error("question " + q.id + ": the answer key has no answer for variant " +
                            std::to_string(variant));
    return it->second;
}

struct Understood {
    const AnswerType* type = nullptr;
    Normalised normalised;
    std::string refusal;  // set when the submission is refused before normalising
};

Understood understand(const KeyQuestion& q, const nlohmann::json& submitted,
                      std::string_view date_order) {
    Understood u;
    u.type = find_answer_type(q.type);
    if (!u.type) throw engine::Error("question " + q.id + ": unknown answer type '" + q.type + "'");
    size_t bytes = 0;
    bool binary = false;
    measure(submitted, bytes, binary);
    if (bytes > largest_answer) {
        u.refusal = "the answer is larger than 64 KiB and was not read.";
        return u;
    }
    if (binary) {
        u.refusal = "the answer holds binary data (a NUL byte or invalid UTF-8) and was not read.";
        return u;
    }
    if (blank(submitted)) {
        u.refusal = "no answer was given.";
        return u;
    }
    const nlohmann::json* value = &submitted;
    if (submitted.is_array() && u.type != &set_answer) {
        if (submitted.size() != 1) {
            u.refusal =
                "one answer was expected, " + std::to_string(submitted.size()) + " were given.";
            return u;
        }
        value = &submitted[0];
    }
    Context ctx{q.options, date_order};
    u.normalised = u.type->normalise(*value, ctx);
    if (u.normalised.ok && u.type == &choice_answer && !q.choices.empty()) {
        std::string given = fold_case(u.normalised.value);
        bool known = std::any_of(q.choices.begin(), q.choices.end(),
                                 [&](const std::string& c) { return fold_case(c) == given; });
        if (!known) {
            std::string list;
            for (const auto& c : q.choices) list += (list.empty() ? "" : ", ") + c;
            u.normalised = {
                false, "", "'" + u.normalised.value + "' is not one of the choices (" + list + ")"};
        }
    }
    return u;
}

Grade judge(const KeyQuestion& q, const Understood& u, const nlohmann::json& expected,
            std::string_view date_order) {
    if (!u.refusal.empty()) return not_understood("Not understood: " + u.refusal);
    if (!u.normalised.ok) return not_understood("Not understood: " + u.normalised.problem + ".");
    if (u.type == &free_text_answer)
        return {Verdict::pending_review, 0, u.normalised.value,
                "Recorded for review by an instructor."};
    Context ctx{q.options, date_order};
    Comparison c;
    try {
        c = u.type->compare(u.normalised, expected, ctx);
    } catch (const nlohmann::json::exception&) {  // a key not checked by load_answer_key
        throw engine::Error("question " + q.id + ": the answer key's answer is not a valid " +
                            q.type + " answer");
    }
    Grade g;
    g.normalised = u.normalised.value;
    g.fraction = std::clamp(c.fraction, 0.0, 1.0);
    g.verdict = g.fraction >= 1   ? Verdict::correct
                : g.fraction <= 0 ? Verdict::incorrect
                                  : Verdict::partial;
    std::string shown =
        g.normalised.size() > 200 ? g.normalised.substr(0, 200) + "…" : g.normalised;
    static constexpr const char* words[] = {"Correct", "Partly correct", "Incorrect", ""};
    g.feedback = std::string(words[static_cast<int>(g.verdict)]) + ": understood as " + shown +
                 (c.note.empty() ? "" : "; " + c.note) + ".";
    return g;
}

}  // namespace

std::string_view to_string(Verdict v) {
    switch (v) {
        case Verdict::correct:
            return "correct";
        case Verdict::partial:
            return "partial";
        case Verdict::incorrect:
            return "incorrect";
        case Verdict::pending_review:
            return "pending_review";
    }
    return "incorrect";
}

Grade grade_answer(const KeyQuestion& q, const nlohmann::json& submitted, int variant,
                   std::string_view date_order) {
    const nlohmann::json& expected = expected_answer(q, variant);
    return judge(q, understand(q, submitted, date_order), expected, date_order);
}

std::vector<int> matching_other_variants(const KeyQuestion& q, const nlohmann::json& submitted,
                                         int variant, std::string_view date_order) {
    std::vector<int> matches;
    if (q.type == "free_text") return matches;
    Understood u = understand(q, submitted, date_order);
    if (!u.refusal.empty() || !u.normalised.ok) return matches;
    if (judge(q, u, expected_answer(q, variant), date_order).verdict == Verdict::correct)
        return matches;
    for (const auto& [other, expected] : q.answers)
        if (other != variant && judge(q, u, expected, date_order).verdict == Verdict::correct)
            matches.push_back(other);
    return matches;
}

}  // namespace dflab::scoring
