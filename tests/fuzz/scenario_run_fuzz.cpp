// Fuzz target: what the scenario loader accepts, run for a few requests,
// with its report and summary table. The loader's checks are the contract
// the simulator relies on; a scenario that loads and then crashes, hangs,
// leaks or trips UBSan in the orchestrator, an agent or the metrics is a bug
// in one or the other. The run is watched by the invariant checker of
// `orchsim run --check-invariants` (every request and call ends once,
// counters count what happened, ...): a violation aborts, as a crash does.
// The decision log is written with the policies' features. Inputs as for
// fuzz_scenario (leading `// set:` lines become overrides), so the two
// share seeds and a dictionary.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>

#include "eval/invariant_checker.hpp"
#include "eval/report.hpp"
#include "eval/runner.hpp"
#include "scenarios/scenario.hpp"
#include "tests/fuzz/set_header.hpp"

namespace {

// Enough for retries, hedges, fan-outs and breakers to happen; few enough
// that one input runs in milliseconds.
constexpr std::uint64_t kRequests = 12;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace orchsim;
  const std::string text(reinterpret_cast<const char*>(data), size);
  scenarios::LoadOptions options;
  options.overrides = fuzzing::leading_sets(text);
  const scenarios::LoadResult r = scenarios::parse_scenario(text, "fuzz/scenario.json", options);
  if (!r.ok()) return 0;
  eval::RunOptions run;
  run.requests = kRequests;
  run.duration = sim::Duration::zero();  // the request count alone ends arrivals
  run.request_log = eval::RequestLogOptions{.sample = 4, .slowest = 2, .failed = 2};
  std::ostringstream decisions;
  run.decision_log = &decisions;
  run.decision_features = true;
  eval::InvariantChecker checker(r.scenario->workflow, r.scenario->choreography.has_value());
  run.observer = &checker;
  const eval::RunResult result = eval::run_scenario(*r.scenario, run);  // throws: a bug
  checker.finish(result, r.scenario->run.drain);
  if (!checker.ok()) {
    for (const std::string& v : checker.violations()) std::fprintf(stderr, "%s\n", v.c_str());
    std::abort();
  }
  std::ostringstream out;
  out << eval::make_report(*r.scenario, result).dump();
  eval::write_summary_table(out, *r.scenario, result);
  return 0;
}
