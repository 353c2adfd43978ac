#pragma once
// Time formatting and parsing live in common/time_format.hpp; the engine keeps its names for them.
#include "common/time_format.hpp"

namespace dflab::engine {

using common::check_time_zone;
using common::iso_in_zone;
using common::iso_utc;
using common::parse_time;

}  // namespace dflab::engine
