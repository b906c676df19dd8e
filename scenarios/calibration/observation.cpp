#include "scenarios/calibration/observation.hpp"

#include <utility>

namespace orchsim::calibration {

std::string_view to_string(Outcome outcome) {
  switch (outcome) {
    case Outcome::kSuccess:
      return "success";
    case Outcome::kRateLimited:
      return "rate_limited";
    case Outcome::kTransient:
      return "transient";
    case Outcome::kPermanent:
      return "permanent";
    case Outcome::kHang:
      return "hang";
  }
  return "unknown";
}

std::uint32_t Measurements::intern(const Label& label) {
  const auto [it, added] =
      label_index_.try_emplace(label, static_cast<std::uint32_t>(labels.size()));
  if (added) labels.push_back(label);
  return it->second;
}

std::uint32_t Measurements::add_source(std::string path, std::string format) {
  sources.push_back(Source{.path = std::move(path), .format = std::move(format)});
  return static_cast<std::uint32_t>(sources.size() - 1);
}

}  // namespace orchsim::calibration
