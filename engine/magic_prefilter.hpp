#pragma once
// A conservative prefilter in front of libmagic for text heads. libmagic's soft magic runs in two
// passes over set 0 of its compiled database: a binary pass over the top-level tests flagged
// binary (3,154 in Debian 12's magic.mgc), then, for text, a text pass over those flagged text
// (395); on text both run to the end, which is where the time goes. MagicPrefilter reads the
// compiled database (magic.mgc, format 18) once and decides, for a head of ASCII text, whether
// each pass can output anything, evaluating the tests as libmagic 5.44 does where it can and
// saying "maybe" for anything else. It answers for cookies with MAGIC_MIME_TYPE, which print no
// descriptions: a pass outputs only through an entry with a MIME type, and an entry with a
// description that matches ends the pass without output.
// When the binary pass cannot output, libmagic's answer equals that of a cookie loaded with
// text_database(); when neither pass can, that of a cookie with MAGIC_NO_CHECK_SOFT.
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

    // True only when libmagic's binary pass surely outputs nothing for this head (as its
    // magic_buffer sees it: no file behind the bytes). Heads that are not at least 2 bytes, all
    // ASCII text (0x07-0x0d, 0x1b, 0x20-0x7e), are never taken: false.
    // Not thread-safe (scratch space for regexec); one per thread, like libmagic cookies.
    bool no_binary_match(std::span<const std::byte> head) const;

    // For diagnostics: "binary pass, line N: description" (or "text pass, ...") of the first test
    // that may output for this text head ("" when none may, or the head is not taken as text).
    std::string first_possible_test(std::span<const std::byte> head) const;

    // True only when the text pass surely outputs nothing either (same conditions; the text pass
    // sees at most encoding_max bytes): with no_binary_match(), libmagic's answer equals that of
    // a cookie with MAGIC_NO_CHECK_SOFT.
    bool no_text_match(std::span<const std::byte> head) const;

    // How many top-level tests each pass has.
    size_t binary_tests() const;
    size_t text_tests() const;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace dflab::engine
