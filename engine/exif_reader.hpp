#pragma once
// The Exif metadata of a JPEG photo read with libexif (Debian's libexif-dev) from bytes in
// memory: the APP1 segment that starts "Exif\0\0" is found among the JPEG's first segments, and
// libexif reads the TIFF structure inside it (IFD0, the Exif IFD, the GPS IFD). Every libexif
// handle is owned here; what libexif reports as corrupt data becomes one Error naming the file.
// JPEG only: Exif in TIFF-based raw files (DNG, CR2, NEF), HEIF or PNG is not looked for.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace dflab::engine {

// Where the Exif block is looked for: a segment that starts in the file's first 64 KiB. A
// segment holds at most 65533 bytes, so it ends within kExifSearchBytes + 65535.
inline constexpr size_t kExifSearchBytes = 64 * 1024;

// The APP1 Exif payload ("Exif\0\0" and the TIFF structure) found in a file's first bytes.
struct ExifBlock {
    std::span<const std::byte> bytes;  // cut at the end of what was searched
    size_t declared = 0;               // the payload's size by the segment's length
    size_t offset = 0;                 // where the payload starts in the file
};

// The JPEG SOI at the start of `head`, then the segments before the image data: the first APP1
// that starts within kExifSearchBytes and whose payload starts "Exif\0\0". Nothing when `head`
// is not a JPEG or has no such segment.
std::optional<ExifBlock> find_exif_block(std::span<const std::byte> head);

// What the Exif block says, as written. Absent: not in the block (or not of the type Exif
// gives it, e.g. a GPS latitude without its N/S reference).
struct ExifMetadata {
    std::optional<std::string> make, model, software;  // trailing spaces removed; maybe not UTF-8
    std::optional<std::string> taken;           // DateTimeOriginal, "YYYY:MM:DD HH:MM:SS", local
    std::optional<std::string> offset_time;     // OffsetTimeOriginal, "+05:00"
    std::optional<int64_t> taken_utc;           // UTC seconds: `taken` at `offset_time`, both valid
    std::optional<double> latitude, longitude;  // decimal degrees, north and east positive
    std::optional<double> altitude;             // metres, negative below sea level
    std::optional<uint16_t> orientation;
    std::optional<uint32_t> width, height;  // PixelXDimension, PixelYDimension
};

// Throws Error "NAME: damaged Exif block: ..." when the file ends inside the block, when IFD0's
// directory does not fit in the block or holds no entry, or when libexif reports corrupt data
// (an unknown byte order, an Exif or GPS IFD pointer past the end). An entry whose value lies
// past the end is left out, as libexif and exiftool leave it out, and the rest is read.
ExifMetadata read_exif(const ExifBlock& block, const std::string& name);

}  // namespace dflab::engine
