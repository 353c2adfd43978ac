// generate: {type: jpeg, exif: {...}} in a recipe: the photo's Exif block (images/exif_block.hpp),
// each value checked at its line. `taken` is an instant like every recipe time; the camera's
// clock shows it at `offset_time` when given, else in the recipe's timezone.
#include <algorithm>
#include <chrono>
#include <cstdint>

#include "images/content_generator.hpp"
#include "images/recipe_contents.hpp"
#include "images/recipe_parser.hpp"
#include "images/recipe_text.hpp"
#include "images/recipe_values.hpp"

namespace dflab::images::recipe_detail {

namespace {

// Printable ASCII of at most 255 bytes, as Exif writes its text.
std::string exif_text(const Context& ctx, const Field& f) {
    std::string s = text_value(ctx, f);
    bool ascii = true;
    for (char c : s) ascii = ascii && c >= 0x20 && c <= 0x7e;
    if (!ascii || s.empty() || s.size() > 255)
        ctx.fail(f.mark, "'" + f.key + "' " + quote(s) +
                             " must be 1 to 255 printable ASCII characters (Exif text is ASCII)");
    return s;
}

// "43.238949", "-12.5": the value times 10^decimals, exactly; at most `decimals` decimals and 9
// digits before the point.
int64_t fixed_point(const Context& ctx, const Field& f, int decimals, int64_t limit,
                    const std::string& range) {
    const std::string s = scalar(ctx, f, "a decimal number such as 43.238949");
    size_t i = 0;
    bool negative = false;
    if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
        negative = s[0] == '-';
        i = 1;
    }
    int64_t value = 0;
    int whole = 0, fraction = -1;  // digits before the point; after it (-1: no point yet)
    bool ok = i < s.size();
    for (; ok && i < s.size(); ++i) {
        if (s[i] == '.' && fraction < 0 && whole > 0) {
            fraction = 0;
        } else if (s[i] >= '0' && s[i] <= '9' && fraction < decimals && whole <= 9) {
            value = value * 10 + (s[i] - '0');
            ++(fraction < 0 ? whole : fraction);
        } else {
            ok = false;
        }
    }
    if (!ok || whole == 0 || whole > 9 || fraction == 0)
        ctx.fail(f.mark, "'" + f.key + "' " + quote(s) + " is not a decimal number with at most " +
                             std::to_string(decimals) + " decimals; write e.g. 43.238949");
    for (int k = std::max(fraction, 0); k < decimals; ++k) value *= 10;
    if (value > limit) ctx.fail(f.mark, "'" + f.key + "' " + quote(s) + " is outside " + range);
    return negative ? -value : value;
}

// "+05:00" in seconds east of UTC.
int offset_seconds(const Context& ctx, const Field& f, std::string& text) {
    text = scalar(ctx, f, "an offset such as +05:00");
    auto digit = [&](size_t i) { return text[i] >= '0' && text[i] <= '9'; };
    const bool shape = text.size() == 6 && (text[0] == '+' || text[0] == '-') && text[3] == ':' &&
                       digit(1) && digit(2) && digit(4) && digit(5);
    const int hours = shape ? (text[1] - '0') * 10 + (text[2] - '0') : 0;
    const int minutes = shape ? (text[4] - '0') * 10 + (text[5] - '0') : 0;
    if (!shape || hours > 14 || minutes > 59)
        ctx.fail(f.mark, "'offset_time' " + quote(text) +
                             " is not an offset such as +05:00 or -03:30 (at most 14 hours); "
                             "write it in quotes");
    return (text[0] == '-' ? -1 : 1) * (hours * 3600 + minutes * 60);
}

GpsPosition parse_gps(const Context& ctx, const Field& f) {
    MapReader m(ctx, f.node, f.mark, "gps", {"latitude", "longitude", "altitude"});
    GpsPosition gps;
    gps.latitude_micro = fixed_point(
        ctx, m.need("latitude", "give it in decimal degrees, e.g. 43.238949 (south negative)"), 6,
        90'000'000, "-90 to 90 degrees");
    gps.longitude_micro = fixed_point(
        ctx, m.need("longitude", "give it in decimal degrees, e.g. 76.945465 (west negative)"), 6,
        180'000'000, "-180 to 180 degrees");
    if (const Field* a = m.find("altitude"))
        gps.altitude_cm = fixed_point(ctx, *a, 2, 100'000'00, "-100000 to 100000 metres");
    return gps;
}

}  // namespace

ExifSpec parse_exif(const Context& ctx, const Field& f) {
    MapReader m(ctx, f.node, f.mark, "exif",
                {"make", "model", "taken", "offset_time", "gps", "software", "orientation"});
    ExifSpec spec;
    spec.make = exif_text(ctx, m.need("make", "give the camera's maker, e.g. make: samsung"));
    spec.model = exif_text(ctx, m.need("model", "give the camera's model, e.g. model: SM-A525F"));
    if (const Field* s = m.find("software")) spec.software = exif_text(ctx, *s);
    const int64_t taken = time_value(ctx, m.need("taken",
                                                 "give the time the photo was taken, e.g. "
                                                 "taken: 2024-03-01T19:30:00+05:00"));
    int64_t offset = 0;
    if (const Field* o = m.find("offset_time")) {
        offset = offset_seconds(ctx, *o, spec.offset_time);
    } else {
        const date::sys_seconds instant{std::chrono::seconds{taken}};
        offset = ctx.zone->get_info(instant).offset.count();
    }
    spec.taken_local = taken + offset;
    const detail::CivilTime local = detail::civil_from_unix(spec.taken_local);
    if (local.year < 1 || local.year > 9999)
        ctx.fail(f.mark, "'taken' is outside the years 0001 to 9999 that Exif writes");
    if (const Field* g = m.find("gps")) spec.gps = parse_gps(ctx, *g);
    if (const Field* o = m.find("orientation"))
        spec.orientation = static_cast<uint16_t>(uint_value(ctx, *o, 1, 8));
    return spec;
}

}  // namespace dflab::images::recipe_detail
