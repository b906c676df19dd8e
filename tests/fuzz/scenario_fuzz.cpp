// Fuzz target: the scenario loader, --set overrides included.
//
// The input is scenario text; leading `// set: /pointer=value` lines become
// overrides (set_header.hpp). Beyond "no crash, no sanitizer report": a
// scenario that loads must load again from its own document (overrides
// applied, comments gone).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "scenarios/scenario.hpp"
#include "tests/fuzz/set_header.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace orchsim::scenarios;
  const std::string text(reinterpret_cast<const char*>(data), size);
  LoadOptions options;
  options.overrides = orchsim::fuzzing::leading_sets(text);
  const LoadResult r = parse_scenario(text, "fuzz/scenario.json", options);
  if (!r.ok()) {
    (void)r.diagnostics.format();
    return 0;
  }
  const LoadResult again = parse_scenario(r.scenario->document.dump(), "fuzz/scenario.json");
  if (!again.ok()) std::abort();  // a loaded scenario's own document must load
  return 0;
}
