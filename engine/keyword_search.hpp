#pragma once
// Keyword search: literal and regular-expression terms, matched in ASCII/UTF-8 and in UTF-16LE,
// case-insensitive for Latin and Cyrillic (Unicode case folding), in arbitrary binary data.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace dflab::engine {

struct KeywordTerm {
    std::string text;  // UTF-8
    bool regex = false;
};

struct KeywordHit {
    size_t term = 0;       // index into the searcher's terms
    uint64_t offset = 0;   // base_offset + byte offset of the first matched byte
    uint32_t length = 0;   // matched length in bytes
    std::string encoding;  // "utf-8" or "utf-16le"
    std::string text;      // the matched text, converted to UTF-8
};

class KeywordSearcher {
  public:
    // Compiles every term; throws Error "term 'X': <what is wrong>" for a bad regular expression
    // (e.g. "term 'a(b': missing closing parenthesis at offset 3") or an empty term.
    // Literal terms match literally; regex terms use PCRE2 syntax with Unicode properties. Unless
    // case_sensitive, matching uses Unicode case folding (Latin, Cyrillic, ...).
    explicit KeywordSearcher(std::vector<KeywordTerm> terms, bool case_sensitive = false);
    ~KeywordSearcher();
    KeywordSearcher(KeywordSearcher&&) noexcept;
    KeywordSearcher& operator=(KeywordSearcher&&) noexcept;

    const std::vector<KeywordTerm>& terms() const;

    // The longest match, in bytes, that the search reports (a bound callers use to overlap
    // chunks; hits are never longer). A longer match is reported capped: its first
    // kMaxMatchBytes bytes (cut back to a whole character), and the search for further hits of
    // that term resumes after the end of the whole match.
    static constexpr size_t kMaxMatchBytes = 4096;

    // Every hit in data, sorted by offset, then term, then encoding. Thread-safe (const).
    // Per term and encoding, hits are the non-empty, non-overlapping matches from left to right;
    // UTF-16LE is searched at even and at odd byte offsets. Invalid UTF-8/UTF-16 in data never
    // matches but does not stop the search. Hits that start at or beyond `report_limit` (a
    // chunk's overlap with the next one) are left out, so overlapping chunks do not report a hit
    // twice. A regex that exceeds PCRE2's backtracking limits (catastrophic backtracking) gives
    // up: that term has no further hits in this data and encoding.
    std::vector<KeywordHit> search(std::span<const std::byte> data, uint64_t base_offset = 0,
                                   size_t report_limit = SIZE_MAX) const;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace dflab::engine
