// Writes small measurement files for reader tests, in a folder private to
// the test process (ctest runs tests in parallel).
#pragma once

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace orchsim::calibration::testing {

inline std::string scratch_file(const std::string& name, const std::string& content) {
  const std::filesystem::path dir = std::filesystem::temp_directory_path() /
                                    ("orchsim_calibration_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::filesystem::path p = dir / name;
  std::ofstream(p, std::ios::binary) << content;
  return p.string();
}

}  // namespace orchsim::calibration::testing
