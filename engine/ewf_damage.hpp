#pragma once
// The structure of EWF (E01) segment files, read without libewf, to name the damage that makes
// libewf refuse a set: which segment, and what is wrong in it. Layout as libyal documents it
// ("Expert Witness Compression Format (EWF)"): a 13-byte segment header (the EVF signature, 0x01,
// the segment number, 0x0000), then a chain of sections, each a 76-byte descriptor (type, offset
// of the next section, size, Adler-32 of the first 72 bytes) followed by its data; the chain of
// every segment but the last ends in a "next" section, the last one's in "done".
#include <optional>
#include <string>
#include <vector>

namespace dflab::engine {

// True when `path` begins with the EVF signature "EVF\x09\x0d\x0a\xff\x00" (an E01 segment).
bool has_evf_signature(const std::string& path);

// The first damage found walking `segments` (the set in order, as libewf_glob finds it), as
// "segment NAME is truncated: ..." (NAME: the file name, without its directory); nullopt when
// the section chains are whole and the hash and digest sections match their checksums.
std::optional<std::string> find_ewf_damage(const std::vector<std::string>& segments);

// The segment files of the set: those given, or, given only the first, those libewf_glob finds
// (up to the first one missing).
std::vector<std::string> ewf_segment_files(const std::vector<std::string>& paths);

// Why a set whose first segment has the EVF signature did not open as an E01, as one line
// naming the image, the damaged segment and libewf's reason (`tsk_reason`: what TSK said, for
// when libewf itself opens the set). Implemented with libewf in acquisition_metadata.cpp.
std::string explain_unopenable_ewf(const std::vector<std::string>& paths,
                                   const std::string& tsk_reason);

}  // namespace dflab::engine
