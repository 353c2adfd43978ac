#pragma once
// A compiled PCRE2 pattern (RAII over pcre2_code and pcre2_match_data) with bounded matching:
// match and depth limits make catastrophic patterns fail fast instead of running for minutes.
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace dflab::scoring {

class Pattern {
  public:
    enum class Result { match, no_match, too_complex };

    // Throws dflab::common::Error with PCRE2's message and the offset for a bad pattern.
    Pattern(std::string_view pattern, bool case_sensitive);
    ~Pattern();
    Pattern(Pattern&&) noexcept;
    Pattern& operator=(Pattern&&) noexcept;

    // Whether `subject` (UTF-8) matches in full, from its first to its last character.
    Result full_match(std::string_view subject) const;

  private:
    struct Handles;
    std::unique_ptr<Handles> handles_;
};

}  // namespace dflab::scoring
