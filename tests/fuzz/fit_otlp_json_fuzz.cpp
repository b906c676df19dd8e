// Fuzz target: `orchsim fit --format otlp_json` (scenarios/calibration), see fit_input.hpp.
#include "tests/fuzz/fit_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return orchsim::fuzz::fit_input(data, size, orchsim::calibration::InputFormat::kOtlpJson,
                                  ".jsonl");
}
