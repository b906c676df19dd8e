// Fuzz target: `orchsim import asl` (scenarios/asl), an AWS Step Functions
// state machine as a scenario.
//
// Beyond "no crash, no sanitizer report": an import that succeeds gives a
// scenario file, header included, that the scenario loader accepts as it is
// (the importer's promise: what it writes, `orchsim run` reads), and its
// report of findings can always be printed.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "scenarios/asl/import.hpp"
#include "scenarios/scenario.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace orchsim::scenarios;
  const std::string text(reinterpret_cast<const char*>(data), size);
  const asl::ImportResult r = asl::import_asl(text, "fuzz.asl.json");
  (void)r.report("fuzz.asl.json");
  if (!r.ok()) {
    (void)r.format_errors();
    return 0;
  }
  const std::string document = r.document("fuzz.asl.json", "orchsim import asl fuzz.asl.json");
  if (!parse_scenario(document, "fuzz/imported.json").ok()) std::abort();
  return 0;
}
