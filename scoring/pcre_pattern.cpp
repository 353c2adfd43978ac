// PCRE2 with limits: see pcre_pattern.hpp.
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "common/error.hpp"
#include "scoring/pcre_pattern.hpp"

namespace dflab::scoring {

namespace {

// Backtracking steps and nesting depth allowed per match: far more than any sane answer pattern
// needs on a 64 KiB answer, far less than a catastrophic pattern would use.
constexpr uint32_t match_limit = 1'000'000;
constexpr uint32_t depth_limit = 10'000;

struct CodeFree {
    void operator()(pcre2_code* p) const { pcre2_code_free(p); }
};
struct MatchContextFree {
    void operator()(pcre2_match_context* p) const { pcre2_match_context_free(p); }
};
struct MatchDataFree {
    void operator()(pcre2_match_data* p) const { pcre2_match_data_free(p); }
};

std::string message(int code) {
    PCRE2_UCHAR buffer[256];
    int n = pcre2_get_error_message(code, buffer, sizeof buffer);
    return n < 0 ? "error " + std::to_string(code)
                 : std::string(reinterpret_cast<const char*>(buffer), static_cast<size_t>(n));
}

}  // namespace

struct Pattern::Handles {
    std::unique_ptr<pcre2_code, CodeFree> code;
    std::unique_ptr<pcre2_match_context, MatchContextFree> context;
};

Pattern::Pattern(std::string_view pattern, bool case_sensitive) : handles_(new Handles) {
    uint32_t flags = PCRE2_UTF | PCRE2_UCP;
    if (!case_sensitive) flags |= PCRE2_CASELESS;
    int error = 0;
    PCRE2_SIZE offset = 0;
    handles_->code.reset(pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                                       flags, &error, &offset, nullptr));
    if (!handles_->code)
        throw common::Error("pattern does not compile at offset " + std::to_string(offset) + ": " +
                            message(error));
    handles_->context.reset(pcre2_match_context_create(nullptr));
    if (!handles_->context) throw common::Error("out of memory for a PCRE2 match context");
    pcre2_set_match_limit(handles_->context.get(), match_limit);
    pcre2_set_depth_limit(handles_->context.get(), depth_limit);
}

Pattern::~Pattern() = default;
Pattern::Pattern(Pattern&&) noexcept = default;
Pattern& Pattern::operator=(Pattern&&) noexcept = default;

Pattern::Result Pattern::full_match(std::string_view subject) const {
    std::unique_ptr<pcre2_match_data, MatchDataFree> data(
        pcre2_match_data_create_from_pattern(handles_->code.get(), nullptr));
    if (!data) throw common::Error("out of memory for PCRE2 match data");
    int rc = pcre2_match(handles_->code.get(), reinterpret_cast<PCRE2_SPTR>(subject.data()),
                         subject.size(), 0, PCRE2_ANCHORED | PCRE2_ENDANCHORED, data.get(),
                         handles_->context.get());
    if (rc >= 0) return Result::match;
    if (rc == PCRE2_ERROR_NOMATCH) return Result::no_match;
    if (rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT || rc == PCRE2_ERROR_HEAPLIMIT)
        return Result::too_complex;
    // Anything else (e.g. invalid UTF-8, which grade.cpp refuses before) is no match.
    return Result::no_match;
}

}  // namespace dflab::scoring
