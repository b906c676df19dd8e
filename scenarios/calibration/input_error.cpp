#include "scenarios/calibration/input_error.hpp"

namespace orchsim::calibration {

std::string InputError::format() const {
  std::string out = file;
  if (line > 0) out += ":" + std::to_string(line);
  out += ": ";
  if (!pointer.empty()) out += pointer + ": ";
  out += message;
  return out;
}

}  // namespace orchsim::calibration
