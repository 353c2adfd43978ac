#pragma once
// Time stamps as examiners read them: ISO 8601 in UTC, or in a named IANA time zone.
#include <cstdint>
#include <optional>
#include <string>

namespace dflab::common {

// "2023-10-02T14:03:11Z"
std::string iso_utc(int64_t seconds);

// "2023-10-02T17:03:11+03:00" in the IANA zone `zone` ("UTC" gives the 'Z' form).
// Throws Error for an unknown zone.
std::string iso_in_zone(int64_t seconds, const std::string& zone);

// Checks that `zone` names an IANA time zone; throws Error naming it otherwise.
void check_time_zone(const std::string& zone);

// Parses "2023-10-02", "2023-10-02T14:03:11", with optional "Z" or "+03:00"; a time without an
// offset is read in `zone`. Throws Error naming the text when it is not such a time.
int64_t parse_time(const std::string& text, const std::string& zone = "UTC");

}  // namespace dflab::common
