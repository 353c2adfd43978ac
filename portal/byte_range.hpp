#pragma once
// Byte ranges of a file reply (RFC 9110 section 14): the Range header read against the file's size,
// If-Range compared with the file's entity tag, and the Content-Disposition of a download.
#include <cstdint>
#include <string>
#include <string_view>

namespace dflab::portal {

struct ByteRange {
    enum class Kind {
        whole,          // no Range (or one the server ignores): 200 with the whole file
        part,           // one satisfiable range: 206 with Content-Range
        unsatisfiable,  // 416 with Content-Range: bytes */SIZE
    };
    Kind kind = Kind::whole;
    uint64_t first = 0, last = 0;  // inclusive, when kind == part

    uint64_t length() const { return last - first + 1; }
};

// Reads a Range header value ("bytes=0-499", "bytes=500-", "bytes=-500") for a file of `size`
// bytes. A value that is not a valid bytes range is ignored (whole), as RFC 9110 allows; so is a
// request for several ranges: it is answered with the whole file (no multipart replies).
ByteRange parse_range(std::string_view header, uint64_t size);

// Whether an If-Range value lets the Range apply: only an exact strong entity tag match does (a
// date never matches, since file replies carry no Last-Modified).
bool if_range_matches(std::string_view if_range, std::string_view etag);

// "attachment; filename=\"ascii fallback\"; filename*=UTF-8''percent-encoded" (RFC 6266, 5987).
std::string content_disposition(std::string_view download_name);

}  // namespace dflab::portal
