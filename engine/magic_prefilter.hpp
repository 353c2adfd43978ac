#pragma once
// A conservative prefilter in front of libmagic for text heads. libmagic's soft magic runs twice:
// a binary pass over the top-level tests flagged binary (about 3,150 of them in Debian 12's
// magic.mgc, most of the cost on text), then, for text, a text pass over the tests flagged text.
// MagicPrefilter reads the compiled database (magic.mgc, format 18) once and answers, for a head,
// whether any binary-pass test could produce output; it evaluates the tests exactly where it can
// and says "maybe" for anything it cannot. When no binary-pass test can, libmagic's answer equals
// the answer of a database that holds only the text-pass tests (text_database()), which libmagic
// answers in microseconds.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace dflab::engine {

class MagicPrefilter {
  public:
    // Reads the compiled database at `path`; usable() is false (and the prefilter is never to be
    // consulted) when the file is missing or not of the layout this code knows.
    // `regex_max` and `encoding_max` are MAGIC_PARAM_REGEX_MAX and MAGIC_PARAM_ENCODING_MAX of
    // the cookie whose answers are to be reproduced.
    MagicPrefilter(const std::string& path, size_t regex_max, size_t encoding_max);
    ~MagicPrefilter();
    MagicPrefilter(MagicPrefilter&&) noexcept;
    MagicPrefilter& operator=(MagicPrefilter&&) noexcept;

    bool usable() const;
    // Why usable() is false ("" when it is true).
    const std::string& unusable_reason() const;

    // The database with the binary-pass groups removed (text-pass groups and the named
    // subroutines kept, in their order): to be given to magic_load_buffers, and kept alive as long
    // as the cookie that loaded it.
    const std::vector<std::byte>& text_database() const;

    // True only when no binary-pass test of the database can produce output for this head (as
    // libmagic's magic_buffer sees it: no file behind the bytes). Heads whose bytes are not all
    // ASCII text (0x07-0x0d, 0x1b, 0x20-0x7e) are never taken: false.
    // Not thread-safe (scratch space for regexec); one per thread, like libmagic cookies.
    bool no_binary_match(std::span<const std::byte> head) const;

    // For diagnostics: "line N: description" of the first binary-pass test that may produce
    // output for this text head ("" when none may, or the head is not taken as text).
    std::string first_possible_test(std::span<const std::byte> head) const;

    // True only when no text-pass test can produce output either (same conditions): then
    // libmagic's answer equals that of a cookie with MAGIC_NO_CHECK_SOFT. Meaningful only where
    // no_binary_match() is true.
    bool no_text_match(std::span<const std::byte> head) const;

    // How many top-level tests each pass has.
    size_t binary_tests() const;
    size_t text_tests() const;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace dflab::engine
