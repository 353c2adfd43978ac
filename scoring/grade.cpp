// Grading one answer: what is common to every type (empty, enormous or binary submissions, a list
// where one answer is expected, choices), then the type's normaliser and comparison.
#include "scoring/grade.hpp"

#include <algorithm>

#include "common/error.hpp"
#include "scoring/answer_types.hpp"

namespace dflab::scoring {

using common::Message;

namespace {

constexpr size_t largest_answer = 64 * 1024;

Grade not_understood(Message message) {
    return {Verdict::incorrect, 0, "", common::render("en", message), false, std::move(message)};
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
        throw common::Error("question " + q.id + ": the answer key has no answer for variant " +
                            std::to_string(variant));
    return it->second;
}

struct Understood {
    const AnswerType* type = nullptr;
    Normalised normalised;
    Message refusal;  // set when the submission is refused before normalising
};

Understood understand(const KeyQuestion& q, const nlohmann::json& submitted,
                      std::string_view date_order) {
    Understood u;
    u.type = find_answer_type(q.type);
    if (!u.type) throw common::Error("question " + q.id + ": unknown answer type '" + q.type + "'");
    size_t bytes = 0;
    bool binary = false;
    measure(submitted, bytes, binary);
    if (bytes > largest_answer) {
        u.refusal = Message::of("grade.refused.too_large");
        return u;
    }
    if (binary) {
        u.refusal = Message::of("grade.refused.binary");
        return u;
    }
    if (blank(submitted)) {
        u.refusal = Message::of("grade.refused.blank");
        return u;
    }
    const nlohmann::json* value = &submitted;
    if (submitted.is_array() && u.type != &set_answer) {
        if (submitted.size() != 1) {
            u.refusal =
                Message::of("grade.refused.several", {{"count", std::to_string(submitted.size())}});
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
            u.normalised = {false, "",
                            Message::of("grade.choice.unknown",
                                        {{"value", u.normalised.value}, {"choices", list}})};
        }
    }
    return u;
}

Grade judge(const KeyQuestion& q, const Understood& u, const nlohmann::json& expected,
            std::string_view date_order) {
    if (!u.refusal.empty()) return not_understood(u.refusal);
    if (!u.normalised.ok)
        return not_understood(
            Message::of("grade.not_understood", {{"problem", u.normalised.problem}}));
    if (u.type == &free_text_answer) {
        Message recorded = Message::of("grade.pending_review");
        return {Verdict::pending_review,        0,    u.normalised.value,
                common::render("en", recorded), true, recorded};
    }
    Context ctx{q.options, date_order};
    Comparison c;
    try {
        c = u.type->compare(u.normalised, expected, ctx);
    } catch (const nlohmann::json::exception&) {  // a key not checked by load_answer_key
        throw common::Error("question " + q.id + ": the answer key's answer is not a valid " +
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
    static constexpr const char* keys[] = {"grade.correct", "grade.partial", "grade.incorrect",
                                           "grade.incorrect"};
    static constexpr const char* keys_with_note[] = {
        "grade.correct_note", "grade.partial_note", "grade.incorrect_note", "grade.incorrect_note"};
    const int v = static_cast<int>(g.verdict);
    const common::MessageArg value = u.normalised.shown.empty()
                                         ? common::MessageArg(shown)
                                         : common::MessageArg(u.normalised.shown);
    g.message = c.note.empty()
                    ? Message::of(keys[v], {{"value", value}})
                    : Message::of(keys_with_note[v], {{"value", value}, {"note", c.note}});
    g.feedback = common::render("en", g.message);
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
