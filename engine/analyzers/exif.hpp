#pragma once
// The exif analyzer: every file that starts as a JPEG with an Exif APP1 segment among its first
// segments (engine/exif_reader.hpp), whatever its name (DCIM/Camera/IMG_0001.jpg, a renamed
// copy, a deleted photo), gives one `exif` artifact in the case's `artifacts` table: the camera,
// the time taken on its clock and where. A damaged Exif block is an `unreadable` artifact of that
// file; a JPEG without Exif gives nothing. JPEG only: TIFF-based raw files, HEIF and PNG are not
// read.
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "engine/artifact.hpp"
#include "engine/exif_reader.hpp"

namespace dflab::engine {

// The artifacts of the Exif block `block` of the file `name`: one `exif`, or one `unreadable`
// (source "(exif)") when the block is damaged.
std::vector<Artifact> read_exif_artifacts(const ExifBlock& block, const std::string& name);

// A carved file's Exif as the exif artifact's fields ({"error": ...} for a damaged block), for
// the carve manifest and carved_files.exif; nullopt when `data` is not a JPEG with an Exif block.
// `name` names the file in an error.
std::optional<nlohmann::json> carved_exif(std::span<const std::byte> data, const std::string& name);

}  // namespace dflab::engine
