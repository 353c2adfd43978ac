#pragma once
// The Exif metadata of a photo, written with libexif (Debian's libexif-dev) into the APP1
// segment a camera or phone puts right after a JPEG's SOI: the camera's make and model, the
// software, the orientation, the time the photo was taken on the camera's clock (DateTimeOriginal,
// with OffsetTimeOriginal when the offset is known) and where (the GPS IFD: latitude, longitude
// and altitude as rationals with their N/S, E/W and sea-level references). Little-endian ("II"),
// as phones write it. The same spec gives the same bytes: nothing is taken from the clock.
// Readers that check these blocks: exiftool, the engine's exif analyzer (engine/exif_reader.hpp).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace dflab::images {

// A position, fixed-point so that what is written is exactly what the recipe says.
struct GpsPosition {
    int64_t latitude_micro = 0;   // millionths of a degree, north positive (-90..90 degrees)
    int64_t longitude_micro = 0;  // millionths of a degree, east positive (-180..180 degrees)
    std::optional<int64_t> altitude_cm;  // centimetres above sea level, negative below
};

struct ExifSpec {
    std::string make, model;  // IFD0 Make and Model; empty: not written
    std::string software;     // IFD0 Software; empty: not written
    // The time taken on the camera's clock: local calendar seconds since 1970 (the wall-clock
    // time read as if it were UTC), written as DateTimeOriginal and DateTimeDigitized.
    int64_t taken_local = 0;
    std::string offset_time;  // "+05:00": OffsetTimeOriginal and OffsetTimeDigitized; empty: none
    std::optional<GpsPosition> gps;
    std::optional<uint16_t> orientation;  // 1..8
    uint32_t width = 0, height = 0;       // PixelXDimension, PixelYDimension; 0: not written
};

// The APP1 payload: "Exif\0\0" and the TIFF structure (IFD0, the Exif IFD, the GPS IFD), at most
// 65533 bytes. Throws Error naming the field that cannot be written (not ASCII, too long, a
// time out of Exif's years 0001 to 9999, an orientation outside 1..8, an offset not "+HH:MM").
std::vector<std::byte> build_exif_block(const ExifSpec& spec);

}  // namespace dflab::images
