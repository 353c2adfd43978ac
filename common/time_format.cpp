#include "common/time_format.hpp"

#include <date/date.h>
#include <date/tz.h>

#include <chrono>
#include <sstream>

#include "common/error.hpp"

namespace dflab::common {

namespace {

using Seconds = std::chrono::sys_seconds;

const date::time_zone* zone_or_throw(const std::string& zone) {
    try {
        return date::locate_zone(zone);
    } catch (const std::exception&) {
        throw Error("time zone '" + zone +
                    "': unknown (use an IANA name such as UTC, Europe/Moscow or Asia/Almaty)");
    }
}

}  // namespace

std::string iso_utc(int64_t seconds) {
    return date::format("%Y-%m-%dT%H:%M:%SZ", Seconds{std::chrono::seconds{seconds}});
}

std::string iso_in_zone(int64_t seconds, const std::string& zone) {
    if (zone == "UTC" || zone == "Etc/UTC" || zone == "Z") return iso_utc(seconds);
    const date::time_zone* tz = zone_or_throw(zone);
    auto zoned = date::make_zoned(tz, Seconds{std::chrono::seconds{seconds}});
    std::string s = date::format("%Y-%m-%dT%H:%M:%S%Ez", zoned);
    return s;
}

void check_time_zone(const std::string& zone) {
    if (zone == "UTC" || zone == "Z") return;
    zone_or_throw(zone);
}

int64_t parse_time(const std::string& text, const std::string& zone) {
    const char* formats_with_offset[] = {"%Y-%m-%dT%H:%M:%S%Ez", "%Y-%m-%d %H:%M:%S%Ez",
                                         "%Y-%m-%dT%H:%M:%S%z"};
    for (const char* f : formats_with_offset) {
        std::istringstream in(text);
        Seconds tp;
        in >> date::parse(f, tp);
        if (!in.fail() && in.peek() == EOF) return tp.time_since_epoch().count();
    }
    std::string body = text;
    bool utc = false;
    if (!body.empty() && (body.back() == 'Z' || body.back() == 'z')) {
        body.pop_back();
        utc = true;
    }
    const char* local_formats[] = {"%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d"};
    for (const char* f : local_formats) {
        std::istringstream in(body);
        date::local_seconds lt;
        in >> date::parse(f, lt);
        if (in.fail() || in.peek() != EOF) continue;
        if (utc || zone == "UTC" || zone == "Z") return lt.time_since_epoch().count();
        auto zoned = date::make_zoned(zone_or_throw(zone), lt, date::choose::earliest);
        return zoned.get_sys_time().time_since_epoch().count();
    }
    throw Error("time '" + text +
                "': expected ISO 8601 such as 2023-10-02 or 2023-10-02T14:03:11Z");
}

}  // namespace dflab::common
