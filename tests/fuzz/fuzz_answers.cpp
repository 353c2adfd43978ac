// Fuzzing harness: every answer type's normaliser, comparison and key check
// (scoring/answer_types.hpp), as grading meets what participants type. The first byte chooses the
// answer type and the date order; up to the first newline is the question's options (JSON; when
// not an object, none), the rest is the submission: JSON when it parses, else a string. The
// submission is also compared with itself and checked as a key answer, since keys are text too.
// As grading does (scoring/grade.cpp refuses binary submissions before any type sees them), only
// text that is valid UTF-8 without NUL bytes reaches the types.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include <nlohmann/json.hpp>

#include "scoring/answer_types.hpp"
#include "tests/fuzz/fuzz_input.hpp"

namespace {

using namespace dflab::scoring;

const AnswerType* const kTypes[] = {
    &text_answer,    &regex_answer, &choice_answer, &hash_answer,
    &integer_answer, &size_answer,  &offset_answer, &timestamp_answer,
    &path_answer,    &inode_answer, &set_answer,    &free_text_answer,
};
constexpr std::string_view kDateOrders[] = {"DMY", "MDY", "YMD"};

nlohmann::json parsed(std::string_view text, bool object_only) {
    nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded() || (object_only && !j.is_object()))
        return object_only ? nlohmann::json::object() : nlohmann::json(std::string(text));
    return j;
}

// What grade.cpp lets through to the types: every string valid UTF-8 without a NUL byte.
bool text_only(const nlohmann::json& j) {
    if (j.is_string()) {
        const auto& s = j.get_ref<const std::string&>();
        return s.find('\0') == std::string::npos && valid_utf8(s);
    }
    if (j.is_object() || j.is_array()) {
        for (auto it = j.begin(); it != j.end(); ++it) {
            if (j.is_object() && !text_only(nlohmann::json(it.key()))) return false;
            if (!text_only(*it)) return false;
        }
    }
    return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    const AnswerType& type = *kTypes[data[0] % std::size(kTypes)];
    const std::string_view date_order = kDateOrders[(data[0] / std::size(kTypes)) % 3];
    const std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
    const size_t newline = rest.find('\n');
    const nlohmann::json options = parsed(rest.substr(0, newline), true);
    const nlohmann::json submitted = parsed(
        newline == std::string_view::npos ? std::string_view{} : rest.substr(newline + 1), false);
    if (!text_only(options) || !text_only(submitted)) return 0;
    dflab::fuzz::handled([&] {
        const Context context{options, date_order};
        const Normalised n = type.normalise(submitted, context);
        if (n.ok && type.check_key(submitted, options).empty())
            (void)type.compare(n, submitted, context);  // as grade.cpp: only what normalise took
    });
    return 0;
}
