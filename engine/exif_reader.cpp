#include "engine/exif_reader.hpp"

#include <libexif/exif-data.h>
#include <libexif/exif-log.h>

#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <memory>

#include "engine/error.hpp"
#include "engine/time_format.hpp"

namespace dflab::engine {

namespace {

struct ExifDataUnref {
    void operator()(ExifData* d) const { exif_data_unref(d); }
};
struct ExifLogUnref {
    void operator()(ExifLog* l) const { exif_log_unref(l); }
};

// What libexif reported while loading: its first complaint about the data, if any.
struct LoadLog {
    std::string corrupt;
    bool no_memory = false;
};

void on_log(ExifLog*, ExifLogCode code, const char* domain, const char* format, va_list args,
            void* data) {
    auto* log = static_cast<LoadLog*>(data);
    if (code == EXIF_LOG_CODE_NO_MEMORY) log->no_memory = true;
    if (code != EXIF_LOG_CODE_CORRUPT_DATA || !log->corrupt.empty()) return;
    char text[256];
    std::vsnprintf(text, sizeof text, format, args);
    log->corrupt = std::string(domain ? domain : "libexif") + ": " + text;
}

uint16_t be16(std::span<const std::byte> b, size_t at) {
    return static_cast<uint16_t>(std::to_integer<unsigned>(b[at]) << 8 |
                                 std::to_integer<unsigned>(b[at + 1]));
}

// One open ExifData, read through its byte order.
class Block {
  public:
    explicit Block(ExifData* d) : d_(d), order_(exif_data_get_byte_order(d)) {}

    ExifEntry* entry(ExifIfd ifd, int tag) const {
        return exif_content_get_entry(d_->ifd[ifd], static_cast<ExifTag>(tag));
    }

    std::optional<std::string> text(ExifIfd ifd, int tag) const {
        const ExifEntry* e = entry(ifd, tag);
        if (!e || e->format != EXIF_FORMAT_ASCII || !e->data) return std::nullopt;
        const auto* p = reinterpret_cast<const char*>(e->data);
        std::string s(p, strnlen(p, e->size));
        while (!s.empty() && s.back() == ' ') s.pop_back();
        if (s.empty()) return std::nullopt;
        return s;
    }

    // A SHORT, or a LONG where Exif allows either.
    std::optional<uint32_t> number(ExifIfd ifd, int tag) const {
        const ExifEntry* e = entry(ifd, tag);
        if (!e || !e->data || e->components < 1) return std::nullopt;
        if (e->format == EXIF_FORMAT_SHORT && e->size >= 2) return exif_get_short(e->data, order_);
        if (e->format == EXIF_FORMAT_LONG && e->size >= 4) return exif_get_long(e->data, order_);
        return std::nullopt;
    }

    std::optional<uint8_t> byte(ExifIfd ifd, int tag) const {
        const ExifEntry* e = entry(ifd, tag);
        if (!e || !e->data || e->format != EXIF_FORMAT_BYTE || e->size < 1) return std::nullopt;
        return e->data[0];
    }

    // The sum of `n` rationals, each divided by 60 once more than the one before (degrees,
    // minutes, seconds; n = 1 for a single value). Nothing when a denominator is 0.
    std::optional<double> sexagesimal(ExifIfd ifd, int tag, unsigned n) const {
        const ExifEntry* e = entry(ifd, tag);
        if (!e || !e->data || e->format != EXIF_FORMAT_RATIONAL || e->components < n ||
            e->size < 8 * n)
            return std::nullopt;
        double value = 0, scale = 1;
        for (unsigned i = 0; i < n; ++i, scale *= 60) {
            const ExifRational r = exif_get_rational(e->data + 8 * i, order_);
            if (r.denominator == 0) return std::nullopt;
            value += double(r.numerator) / double(r.denominator) / scale;
        }
        return value;
    }

  private:
    ExifData* d_;
    ExifByteOrder order_;
};

double rounded(double v, double places) {
    return std::round(v * places) / places;
}

// A GPS coordinate signed by its reference ('N'/'E' positive, 'S'/'W' negative); nothing without
// a valid reference: the sign is not guessed.
std::optional<double> coordinate(const Block& b, int tag, int ref_tag, char positive,
                                 char negative) {
    const std::optional<double> v = b.sexagesimal(EXIF_IFD_GPS, tag, 3);
    const std::optional<std::string> ref = b.text(EXIF_IFD_GPS, ref_tag);
    if (!v || !ref || ref->size() != 1) return std::nullopt;
    if ((*ref)[0] == positive) return rounded(*v, 1e6);
    if ((*ref)[0] == negative) return rounded(-*v, 1e6);
    return std::nullopt;
}

bool is_digits(const std::string& s, size_t from, size_t count) {
    for (size_t i = from; i < from + count; ++i)
        if (s[i] < '0' || s[i] > '9') return false;
    return true;
}

// "YYYY:MM:DD HH:MM:SS" at "+05:00" in UTC seconds; nothing when either is not of that shape or
// not a real time.
std::optional<int64_t> utc_of(const std::string& taken, const std::string& offset) {
    if (taken.size() != 19 || taken[4] != ':' || taken[7] != ':' || taken[10] != ' ' ||
        taken[13] != ':' || taken[16] != ':' || !is_digits(taken, 0, 4) ||
        !is_digits(taken, 5, 2) || !is_digits(taken, 8, 2) || !is_digits(taken, 11, 2) ||
        !is_digits(taken, 14, 2) || !is_digits(taken, 17, 2))
        return std::nullopt;
    if (offset.size() != 6 || (offset[0] != '+' && offset[0] != '-') || offset[3] != ':' ||
        !is_digits(offset, 1, 2) || !is_digits(offset, 4, 2))
        return std::nullopt;
    const std::string iso = taken.substr(0, 4) + "-" + taken.substr(5, 2) + "-" +
                            taken.substr(8, 2) + "T" + taken.substr(11) + offset;
    try {
        return parse_time(iso);
    } catch (const Error&) {  // month 13, day 0, an hour 25: written, but not a time
        return std::nullopt;
    }
}

// What is wrong with IFD0's directory in `block` ("Exif\0\0", then TIFF), or "" when its entry
// count and entries fit. libexif reads a directory that does not fit as far as the data goes,
// taking whatever follows for entries; exiftool rejects it ("Bad IFD0 directory"), so does dflab.
std::string ifd0_problem(std::span<const std::byte> block) {
    constexpr size_t kTiff = 6;
    if (block.size() < kTiff + 8) return "no TIFF header";
    auto at = [&](size_t i) { return std::to_integer<uint32_t>(block[kTiff + i]); };
    const bool intel = at(0) == 'I' && at(1) == 'I';
    if (!intel && !(at(0) == 'M' && at(1) == 'M')) return "no byte order mark (II or MM)";
    auto u16 = [&](size_t i) { return intel ? at(i) | at(i + 1) << 8 : at(i) << 8 | at(i + 1); };
    auto u32 = [&](size_t i) {
        return intel ? u16(i) | u16(i + 2) << 16 : u16(i) << 16 | u16(i + 2);
    };
    const size_t tiff_size = block.size() - kTiff;
    const size_t ifd0 = u32(4);
    if (ifd0 < 8 || ifd0 > tiff_size - 2)
        return "IFD0 at " + std::to_string(ifd0) + ", outside the " + std::to_string(tiff_size) +
               " bytes of TIFF data";
    const size_t count = u16(ifd0);
    if (count == 0) return "IFD0 has no entries";
    if (2 + 12 * count > tiff_size - ifd0)
        return "IFD0 holds " + std::to_string(count) + " entries, more than fit in the " +
               std::to_string(tiff_size) + " bytes of TIFF data";
    return "";
}

}  // namespace

std::optional<ExifBlock> find_exif_block(std::span<const std::byte> head) {
    auto at = [&](size_t i) { return std::to_integer<unsigned>(head[i]); };
    if (head.size() < 4 || at(0) != 0xFF || at(1) != 0xD8) return std::nullopt;
    size_t pos = 2;
    while (pos < kExifSearchBytes && pos + 4 <= head.size()) {
        if (at(pos) != 0xFF) return std::nullopt;  // not a marker: not a JPEG we can walk
        if (at(pos + 1) == 0xFF) {                 // a fill byte before the marker
            ++pos;
            continue;
        }
        const unsigned marker = at(pos + 1);
        if (marker == 0xDA || marker == 0xD9) return std::nullopt;   // image data, or the end
        if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {  // markers without a length
            pos += 2;
            continue;
        }
        const size_t length = be16(head, pos + 2);  // counts itself, not the marker
        if (length < 2) return std::nullopt;
        const size_t payload = pos + 4;
        if (marker == 0xE1 && length >= 8 && payload + 6 <= head.size() &&
            std::memcmp(head.data() + payload, "Exif\0\0", 6) == 0)
            return ExifBlock{head.subspan(payload, std::min(length - 2, head.size() - payload)),
                             length - 2, payload};
        pos += 2 + length;
    }
    return std::nullopt;
}

ExifMetadata read_exif(const ExifBlock& block, const std::string& name) {
    auto fail = [&](const std::string& why) -> ExifMetadata {
        throw Error(name + ": damaged Exif block: " + why);
    };
    if (block.bytes.size() < block.declared)
        return fail("the file ends " + std::to_string(block.bytes.size()) + " bytes into it, of " +
                    std::to_string(block.declared));
    if (const std::string why = ifd0_problem(block.bytes); !why.empty()) return fail(why);
    std::unique_ptr<ExifData, ExifDataUnref> data(exif_data_new());
    std::unique_ptr<ExifLog, ExifLogUnref> log(exif_log_new());
    if (!data || !log) throw Error(name + ": libexif: out of memory");
    LoadLog messages;
    exif_log_set_func(log.get(), on_log, &messages);
    exif_data_log(data.get(), log.get());
    // Read what is there: no entries added by libexif's fixing (some with today's date).
    exif_data_unset_option(data.get(), EXIF_DATA_OPTION_FOLLOW_SPECIFICATION);
    exif_data_load_data(data.get(), reinterpret_cast<const unsigned char*>(block.bytes.data()),
                        static_cast<unsigned int>(block.bytes.size()));
    if (messages.no_memory) throw Error(name + ": libexif: out of memory");
    if (!messages.corrupt.empty()) return fail(common::one_line(messages.corrupt));
    if (data->ifd[EXIF_IFD_0]->count == 0) return fail("no IFD0 entry libexif knows");

    const Block b(data.get());
    ExifMetadata m;
    m.make = b.text(EXIF_IFD_0, EXIF_TAG_MAKE);
    m.model = b.text(EXIF_IFD_0, EXIF_TAG_MODEL);
    m.software = b.text(EXIF_IFD_0, EXIF_TAG_SOFTWARE);
    if (const auto o = b.number(EXIF_IFD_0, EXIF_TAG_ORIENTATION))
        m.orientation = static_cast<uint16_t>(*o);
    m.taken = b.text(EXIF_IFD_EXIF, EXIF_TAG_DATE_TIME_ORIGINAL);
    m.offset_time = b.text(EXIF_IFD_EXIF, EXIF_TAG_OFFSET_TIME_ORIGINAL);
    if (m.taken && m.offset_time) m.taken_utc = utc_of(*m.taken, *m.offset_time);
    m.width = b.number(EXIF_IFD_EXIF, EXIF_TAG_PIXEL_X_DIMENSION);
    m.height = b.number(EXIF_IFD_EXIF, EXIF_TAG_PIXEL_Y_DIMENSION);
    m.latitude = coordinate(b, EXIF_TAG_GPS_LATITUDE, EXIF_TAG_GPS_LATITUDE_REF, 'N', 'S');
    m.longitude = coordinate(b, EXIF_TAG_GPS_LONGITUDE, EXIF_TAG_GPS_LONGITUDE_REF, 'E', 'W');
    if (const auto alt = b.sexagesimal(EXIF_IFD_GPS, EXIF_TAG_GPS_ALTITUDE, 1)) {
        const bool below = b.byte(EXIF_IFD_GPS, EXIF_TAG_GPS_ALTITUDE_REF).value_or(0) == 1;
        m.altitude = rounded(below ? -*alt : *alt, 100);
    }
    return m;
}

}  // namespace dflab::engine
