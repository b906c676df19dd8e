// Calendar timestamps as integer nanoseconds since the Unix epoch (UTC), for
// arrival times in traces: "2023-11-16 18:17:03.9799600" (the Azure trace),
// "2023-11-16T18:17:03.98Z" (ISO 8601). Integer arithmetic only, so the same
// text gives the same instant everywhere.
//
//   std::int64_t ns = 0;
//   if (parse_timestamp("2023-11-16 18:17:03.9799600", ns)) ...
#pragma once

#include <cstdint>
#include <string_view>

namespace orchsim::scenarios {

// YYYY-MM-DD, then 'T' or ' ', hh:mm:ss, optionally '.' and 1 to 9 digits of
// a second, optionally 'Z' or "+00:00" (other offsets are rejected rather
// than guessed); years 1678 to 2261, the instants an int64 of nanoseconds
// holds. False when the text is not such a timestamp.
bool parse_timestamp(std::string_view text, std::int64_t& ns_since_epoch);

}  // namespace orchsim::scenarios
