#pragma once
// File types by signature (a table of certain signatures, then libmagic), and whether an entry's
// extension lies about its type.
#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <string_view>

namespace dflab::engine {

// libmagic handles, a prefilter in front of them for text, and a memory of recent answers; not
// thread-safe, so one per thread.
class FileTypeDetector {
  public:
    FileTypeDetector();  // throws Error when the magic database cannot be loaded
    ~FileTypeDetector();
    FileTypeDetector(FileTypeDetector&&) noexcept;
    FileTypeDetector& operator=(FileTypeDetector&&) noexcept;

    // MIME type of the content's first bytes ("application/pdf"); "inode/x-empty" when empty.
    std::string mime_type(std::span<const std::byte> head);

    // How many leading bytes mime_type() looks at; callers pass at most this much.
    static constexpr size_t kHeadBytes = 256 * 1024;

    // Which way the heads that reached libmagic went (engine/magic_prefilter.hpp): plain ASCII
    // text that no binary-pass test can match is typed by the text-pass tests alone, or, when no
    // text-pass test can match either, with soft magic off; all else by libmagic whole.
    struct Counters {
        size_t full_libmagic = 0;
        size_t text_pass_only = 0;
        size_t no_soft_magic = 0;
    };
    Counters counters() const;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// True when the extension claims a type the content is not, or the content is of a well-known
// type that never carries this extension (e.g. a JPEG named notes.txt, a PDF named photo.jpg).
// Unknown types and missing extensions are never a mismatch.
bool extension_mismatch(std::string_view extension, std::string_view mime);

// The same rule for an entry by its name. A named stream ("report.jpg:Zone.Identifier", an NTFS
// alternate data stream) is judged by its own name, never by its host file's extension: a
// Zone.Identifier's text is not a disguised JPEG.
bool name_extension_mismatch(std::string_view name, std::string_view mime);

}  // namespace dflab::engine
