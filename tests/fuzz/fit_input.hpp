// The body of the `orchsim fit` fuzz targets (fit_<format>_fuzz.cpp): the
// input is written to a file of its own and given to calibrate() with the
// format fixed, as `orchsim fit FILE --format F --arrivals` reads it: the
// reader, grouping, every family fitted to every quantity, the arrival fits,
// and the table, JSON report, agents file and scenario written from the fit.
//
// Beyond "no crash, no sanitizer report": a refused input has a message, and
// what is written from a fit parses as JSON (the agents file and scenario
// with their comments).
#pragma once

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

#include "scenarios/calibration/calibrate.hpp"
#include "scenarios/calibration/fit_report.hpp"

namespace orchsim::fuzz {

inline int fit_input(const std::uint8_t* data, std::size_t size, calibration::InputFormat format,
                     const char* extension) {
  namespace cal = calibration;
  namespace fs = std::filesystem;
  static const std::string path =
      (fs::temp_directory_path() / ("orchsim_fuzz_fit_" + std::to_string(::getpid()) + extension))
          .string();
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  cal::FitOptions options;
  options.inputs = {path};
  options.format = format;
  options.arrivals = true;
  const cal::Result<cal::FitReport> r = cal::calibrate(options);
  if (!r.ok()) {
    if (r.error().format().empty()) std::abort();
  } else {
    std::ostringstream table;
    cal::write_table(r.value(), table);
    (void)cal::report_json(r.value()).dump();
    const std::string agents = cal::agents_document(r.value());
    using J = nlohmann::ordered_json;
    if (J::parse(agents, nullptr, false, /*ignore_comments=*/true).is_discarded()) std::abort();
    try {
      const std::string scenario = cal::scenario_document(r.value(), cal::ScenarioOptions{});
      if (J::parse(scenario, nullptr, false, /*ignore_comments=*/true).is_discarded()) {
        std::abort();
      }
    } catch (const std::invalid_argument& e) {
      // No agent to build a scenario around (an Azure trace has no latency):
      // `orchsim fit --scenario` reports this message and exits 2.
      if (std::string(e.what()).empty()) std::abort();
    }
  }
  std::error_code ec;
  fs::remove(path, ec);
  return 0;
}

}  // namespace orchsim::fuzz
