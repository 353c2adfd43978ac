#pragma once
// The Mark of the Web analyzer: every NTFS stream entry named `Zone.Identifier` (the walk gives
// "/Downloads/setup.exe:Zone.Identifier", names compared without case), which Windows writes on a
// file that came from the Internet, is read as INI text and gives one `download_origin` artifact:
// the zone (3 = Internet) and, from Windows 10 on, the page that linked the download and the URL
// it came from. A stream that cannot be read is an `unreadable` artifact of that stream.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "engine/artifact.hpp"

namespace dflab::engine {

// Windows writes a few hundred bytes; larger streams of the name are unreadable, not read.
inline constexpr uint64_t kMaxZoneIdentifierBytes = 64 * 1024;

// Whether the entry's path names a Zone.Identifier stream (ends with ":Zone.Identifier").
bool is_zone_identifier_path(const std::string& path);

// The artifacts of the stream text `bytes` (UTF-8, with or without its BOM, or UTF-16LE with its
// BOM; CRLF or LF lines) of the stream at `path`: one `download_origin`, or one `unreadable`
// (source "(zone identifier)") when there is no [ZoneTransfer] section or its ZoneId is not a
// number.
std::vector<Artifact> read_zone_identifier_artifacts(std::span<const std::byte> bytes,
                                                     const std::string& path);

// "Local machine", "Local intranet", "Trusted", "Internet", "Restricted" for zones 0 to 4; ""
// for any other.
std::string zone_name(int64_t zone);

}  // namespace dflab::engine
