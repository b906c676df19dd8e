#include "cli/duration_arg.hpp"

#include <charconv>
#include <cmath>

namespace orchsim::cli {

std::optional<sim::Duration> parse_duration(const std::string& text) {
  double value = 0;
  const char* begin = text.data();
  const char* end = text.data() + text.size();
  const auto [rest, ec] = std::from_chars(begin, end, value);
  if (ec != std::errc() || rest == begin || !std::isfinite(value) || value < 0) return std::nullopt;
  const std::string unit(rest, end);
  double seconds = 0;
  if (unit.empty() || unit == "s") {
    seconds = value;
  } else if (unit == "ms") {
    seconds = value * 1e-3;
  } else if (unit == "us") {
    seconds = value * 1e-6;
  } else if (unit == "ns") {
    seconds = value * 1e-9;
  } else if (unit == "min" || unit == "m") {
    seconds = value * 60;
  } else if (unit == "h") {
    seconds = value * 3600;
  } else {
    return std::nullopt;
  }
  return sim::Duration::from_seconds(seconds);
}

}  // namespace orchsim::cli
