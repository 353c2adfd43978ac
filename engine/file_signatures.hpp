#pragma once
// MIME types decided from a few leading bytes, for the common evidence types whose answer is
// certain: the same answer `file --mime-type` (libmagic 5.44) gives, without running its hundreds
// of soft-magic tests. Everything else is left to libmagic (see FileTypeDetector).
#include <cstddef>
#include <span>
#include <string_view>

namespace dflab::engine {

// The MIME type of content starting with `head` when a signature settles it ("image/png"), or ""
// when it does not (unknown content, too few bytes to be sure, or a type libmagic refines, such
// as ZIP into docx/jar/apk). `head` is the whole of what libmagic would be given.
std::string_view signature_mime(std::span<const std::byte> head);

}  // namespace dflab::engine
