#include "images/exif_block.hpp"

#include <libexif/exif-data.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <span>

#include "engine/error.hpp"
#include "images/content_generator.hpp"

namespace dflab::images {

using engine::Error;

namespace {

constexpr ExifByteOrder kOrder = EXIF_BYTE_ORDER_INTEL;
constexpr size_t kMaxApp1Payload = 65533;  // a segment's length field counts itself: 65535 - 2
constexpr size_t kMaxText = 255;

struct ExifDataUnref {
    void operator()(ExifData* d) const { exif_data_unref(d); }
};
using ExifDataPtr = std::unique_ptr<ExifData, ExifDataUnref>;

struct ExifMemUnref {
    void operator()(ExifMem* m) const { exif_mem_unref(m); }
};

struct EntryUnref {
    void operator()(ExifEntry* e) const { exif_entry_unref(e); }
};

// Tags are ints: libexif #defines the GPS tags outside the ExifTag enumeration.
// Adds one entry of `format` holding `bytes` (already in kOrder) to `ifd`. The entry's data is
// allocated with libexif's default allocator, which is what exif_entry_new gives the entry to
// free it with.
void put(ExifData* data, ExifIfd ifd, int tag, ExifFormat format, unsigned long components,
         std::span<const unsigned char> bytes) {
    std::unique_ptr<ExifEntry, EntryUnref> entry(exif_entry_new());
    std::unique_ptr<ExifMem, ExifMemUnref> mem(exif_mem_new_default());
    if (!entry || !mem) throw Error("exif: libexif: out of memory");
    auto* copy = static_cast<unsigned char*>(exif_mem_alloc(mem.get(), bytes.size()));
    if (!copy) throw Error("exif: libexif: out of memory");
    std::memcpy(copy, bytes.data(), bytes.size());
    entry->tag = static_cast<ExifTag>(tag);  // GPS tags are #defined ints
    entry->format = format;
    entry->components = components;
    entry->size = static_cast<unsigned int>(bytes.size());
    entry->data = copy;
    exif_content_add_entry(data->ifd[ifd], entry.get());  // the IFD holds its own reference
}

void put_ascii(ExifData* data, ExifIfd ifd, int tag, const std::string& text) {
    std::vector<unsigned char> bytes(text.begin(), text.end());
    bytes.push_back(0);
    put(data, ifd, tag, EXIF_FORMAT_ASCII, bytes.size(), bytes);
}

void put_undefined(ExifData* data, ExifIfd ifd, int tag, std::span<const unsigned char> b) {
    put(data, ifd, tag, EXIF_FORMAT_UNDEFINED, b.size(), b);
}

void put_short(ExifData* data, ExifIfd ifd, int tag, uint16_t value) {
    std::array<unsigned char, 2> b{};
    exif_set_short(b.data(), kOrder, value);
    put(data, ifd, tag, EXIF_FORMAT_SHORT, 1, b);
}

void put_long(ExifData* data, ExifIfd ifd, int tag, uint32_t value) {
    std::array<unsigned char, 4> b{};
    exif_set_long(b.data(), kOrder, value);
    put(data, ifd, tag, EXIF_FORMAT_LONG, 1, b);
}

void put_rationals(ExifData* data, ExifIfd ifd, int tag, std::span<const ExifRational> r) {
    std::vector<unsigned char> b(8 * r.size());
    for (size_t i = 0; i < r.size(); ++i) exif_set_rational(b.data() + 8 * i, kOrder, r[i]);
    put(data, ifd, tag, EXIF_FORMAT_RATIONAL, r.size(), b);
}

void check_text(const std::string& what, const std::string& text) {
    if (text.size() > kMaxText)
        throw Error("exif: " + what + " is longer than " + std::to_string(kMaxText) + " bytes");
    for (char c : text)
        if (c < 0x20 || c > 0x7e)
            throw Error("exif: " + what + " '" + text +
                        "' holds a character that is not printable ASCII (Exif text is ASCII)");
}

// "+05:00" or "-03:30", hours 00 to 14, minutes 00 to 59.
bool is_offset(const std::string& s) {
    auto digit = [&](size_t i) { return s[i] >= '0' && s[i] <= '9'; };
    if (s.size() != 6 || (s[0] != '+' && s[0] != '-') || s[3] != ':') return false;
    if (!digit(1) || !digit(2) || !digit(4) || !digit(5)) return false;
    const int hours = (s[1] - '0') * 10 + (s[2] - '0');
    const int minutes = (s[4] - '0') * 10 + (s[5] - '0');
    return hours <= 14 && minutes <= 59;
}

// "YYYY:MM:DD HH:MM:SS", as Exif writes times.
std::string exif_time(int64_t local) {
    const detail::CivilTime t = detail::civil_from_unix(local);
    if (t.year < 1 || t.year > 9999)
        throw Error("exif: the time taken is outside the years 0001 to 9999 that Exif writes");
    char text[32];
    std::snprintf(text, sizeof text, "%04d:%02d:%02d %02d:%02d:%02d", static_cast<int>(t.year),
                  t.month, t.day, t.hour, t.minute, t.second);
    return text;
}

// Degrees, minutes and seconds (to 1/10000 s) of a value in millionths of a degree: exact, since
// a millionth of a degree is 36 ten-thousandths of a second.
std::array<ExifRational, 3> degrees_minutes_seconds(int64_t micro) {
    const uint64_t units = static_cast<uint64_t>(micro < 0 ? -micro : micro) * 36;  // 1/10000 s
    constexpr uint64_t kPerMinute = 60 * 10000, kPerDegree = 60 * kPerMinute;
    return {ExifRational{static_cast<ExifLong>(units / kPerDegree), 1},
            ExifRational{static_cast<ExifLong>(units % kPerDegree / kPerMinute), 1},
            ExifRational{static_cast<ExifLong>(units % kPerMinute), 10000}};
}

void put_gps(ExifData* data, const GpsPosition& gps) {
    if (gps.latitude_micro < -90'000'000 || gps.latitude_micro > 90'000'000)
        throw Error("exif: GPS latitude is outside -90 to 90 degrees");
    if (gps.longitude_micro < -180'000'000 || gps.longitude_micro > 180'000'000)
        throw Error("exif: GPS longitude is outside -180 to 180 degrees");
    constexpr ExifIfd kGps = EXIF_IFD_GPS;
    const std::array<unsigned char, 4> version = {2, 3, 0, 0};
    put(data, kGps, EXIF_TAG_GPS_VERSION_ID, EXIF_FORMAT_BYTE, version.size(), version);
    put_ascii(data, kGps, EXIF_TAG_GPS_LATITUDE_REF, gps.latitude_micro < 0 ? "S" : "N");
    put_rationals(data, kGps, EXIF_TAG_GPS_LATITUDE, degrees_minutes_seconds(gps.latitude_micro));
    put_ascii(data, kGps, EXIF_TAG_GPS_LONGITUDE_REF, gps.longitude_micro < 0 ? "W" : "E");
    put_rationals(data, kGps, EXIF_TAG_GPS_LONGITUDE, degrees_minutes_seconds(gps.longitude_micro));
    if (gps.altitude_cm) {
        const int64_t cm = *gps.altitude_cm;
        if (cm < -100'000'00 || cm > 100'000'00)
            throw Error("exif: GPS altitude is outside -100000 to 100000 metres");
        const std::array<unsigned char, 1> below = {static_cast<unsigned char>(cm < 0 ? 1 : 0)};
        put(data, kGps, EXIF_TAG_GPS_ALTITUDE_REF, EXIF_FORMAT_BYTE, 1, below);
        const ExifRational altitude{static_cast<ExifLong>(cm < 0 ? -cm : cm), 100};
        put_rationals(data, kGps, EXIF_TAG_GPS_ALTITUDE, std::span(&altitude, 1));
    }
}

}  // namespace

std::vector<std::byte> build_exif_block(const ExifSpec& spec) {
    check_text("make", spec.make);
    check_text("model", spec.model);
    check_text("software", spec.software);
    if (!spec.offset_time.empty() && !is_offset(spec.offset_time))
        throw Error("exif: offset time '" + spec.offset_time +
                    "' is not an offset such as +05:00 or -03:30 (at most 14 hours)");
    if (spec.orientation && (*spec.orientation < 1 || *spec.orientation > 8))
        throw Error("exif: orientation " + std::to_string(*spec.orientation) +
                    " is not one of Exif's 1 to 8");
    const std::string taken = exif_time(spec.taken_local);

    ExifDataPtr data(exif_data_new());
    if (!data) throw Error("exif: libexif: out of memory");
    // Only what is put here is written: no entries libexif would add (some with today's date).
    exif_data_unset_option(data.get(), EXIF_DATA_OPTION_FOLLOW_SPECIFICATION);
    exif_data_set_byte_order(data.get(), kOrder);
    exif_data_set_data_type(data.get(), EXIF_DATA_TYPE_COMPRESSED);
    ExifData* d = data.get();

    constexpr ExifIfd k0 = EXIF_IFD_0, kExif = EXIF_IFD_EXIF;
    if (!spec.make.empty()) put_ascii(d, k0, EXIF_TAG_MAKE, spec.make);
    if (!spec.model.empty()) put_ascii(d, k0, EXIF_TAG_MODEL, spec.model);
    if (spec.orientation) put_short(d, k0, EXIF_TAG_ORIENTATION, *spec.orientation);
    const std::array<ExifRational, 1> dpi = {ExifRational{72, 1}};
    put_rationals(d, k0, EXIF_TAG_X_RESOLUTION, dpi);
    put_rationals(d, k0, EXIF_TAG_Y_RESOLUTION, dpi);
    put_short(d, k0, EXIF_TAG_RESOLUTION_UNIT, 2);  // inches
    if (!spec.software.empty()) put_ascii(d, k0, EXIF_TAG_SOFTWARE, spec.software);
    put_ascii(d, k0, EXIF_TAG_DATE_TIME, taken);      // not edited since: modified when taken
    put_short(d, k0, EXIF_TAG_YCBCR_POSITIONING, 1);  // centred

    const std::array<unsigned char, 4> exif_version = {'0', '2', '3', '1'};  // OffsetTime*: 2.31
    put_undefined(d, kExif, EXIF_TAG_EXIF_VERSION, exif_version);
    put_ascii(d, kExif, EXIF_TAG_DATE_TIME_ORIGINAL, taken);
    put_ascii(d, kExif, EXIF_TAG_DATE_TIME_DIGITIZED, taken);
    if (!spec.offset_time.empty()) {
        put_ascii(d, kExif, EXIF_TAG_OFFSET_TIME, spec.offset_time);
        put_ascii(d, kExif, EXIF_TAG_OFFSET_TIME_ORIGINAL, spec.offset_time);
        put_ascii(d, kExif, EXIF_TAG_OFFSET_TIME_DIGITIZED, spec.offset_time);
    }
    const std::array<unsigned char, 4> components = {1, 2, 3, 0};  // Y, Cb, Cr
    put_undefined(d, kExif, EXIF_TAG_COMPONENTS_CONFIGURATION, components);
    const std::array<unsigned char, 4> flashpix_version = {'0', '1', '0', '0'};
    put_undefined(d, kExif, EXIF_TAG_FLASH_PIX_VERSION, flashpix_version);
    put_short(d, kExif, EXIF_TAG_COLOR_SPACE, 1);  // sRGB
    if (spec.width) put_long(d, kExif, EXIF_TAG_PIXEL_X_DIMENSION, spec.width);
    if (spec.height) put_long(d, kExif, EXIF_TAG_PIXEL_Y_DIMENSION, spec.height);
    if (spec.gps) put_gps(d, *spec.gps);

    unsigned char* saved = nullptr;
    unsigned int size = 0;
    exif_data_save_data(d, &saved, &size);
    // Allocated with libexif's default allocator (calloc).
    std::unique_ptr<unsigned char, decltype(&std::free)> owned(saved, &std::free);
    if (!saved || size < 6 || std::memcmp(saved, "Exif\0\0", 6) != 0)
        throw Error("exif: libexif could not write the Exif block");
    if (size > kMaxApp1Payload)
        throw Error("exif: the Exif block is " + std::to_string(size) +
                    " bytes, more than a JPEG segment holds (" + std::to_string(kMaxApp1Payload) +
                    ")");
    const auto* begin = reinterpret_cast<const std::byte*>(saved);
    return {begin, begin + size};
}

}  // namespace dflab::images
