// Runs one replication of a scenario: builds the simulation, the mock agents,
// the orchestrator and the workload from a loaded Scenario, attaches the
// metrics collector (always) and the optional exporters, and runs until the
// arrivals stop and the requests in flight drain.
//
//   RunOptions options;
//   options.seed = 7;
//   RunResult result = run_scenario(scenario, options);
//   result.metrics->write_table(std::cout);
//
// Deterministic: the same scenario and seed give the same events, metrics
// and exports, byte for byte. Single-threaded; run replications in parallel
// with one run_scenario per thread.
#pragma once

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <memory>
#include <optional>

#include "eval/metastability.hpp"
#include "eval/metrics.hpp"
#include "eval/request_log.hpp"
#include "eval/timeseries.hpp"
#include "eval/trace_writer.hpp"
#include "scenarios/scenario.hpp"

namespace orchsim::eval {

struct RunOptions {
  std::optional<std::uint64_t> seed;      // overrides run.seed
  std::optional<std::uint64_t> requests;  // overrides run.requests
  std::optional<sim::Duration> duration;  // overrides run.duration
  // Overrides run.warmup: requests arriving before it are left out of the metrics.
  std::optional<sim::Duration> warmup;
  bool trace = false;  // collect a Chrome trace
  std::size_t trace_max_events = 2'000'000;
  // The decision log (eval/decision_log.hpp), streamed as JSON Lines; wrap
  // the stream in a ZstdOstream for decisions.jsonl.zst.
  std::ostream* decision_log = nullptr;
  bool decision_features = false;  // with what each policy saw (larger, slower)
  // Keep per-request detail for a bounded sample (eval/request_log.hpp).
  std::optional<RequestLogOptions> request_log;
  // One more observer of every orchestration event (validation, tools); it
  // sees the run exactly as the metrics do.
  orchestration::Observer* observer = nullptr;
  // Called now and then with the share of the run done, in [0, 1].
  std::function<void(double)> progress;
};

struct RunResult {
  std::uint64_t seed = 0;
  std::uint64_t requests_limit = 0;
  sim::Duration duration_limit = sim::Duration::zero();
  sim::Time end;  // simulated time when the run stopped
  // When arrivals stopped (request limit reached, duration over); max() when
  // they never did (the event queue ran dry first). The run ends by
  // arrivals_end + run.drain at the latest.
  sim::Time arrivals_end = sim::Time::max();
  std::uint64_t events = 0;  // kernel events run
  std::uint64_t arrived = 0, completed = 0, failed = 0, in_flight = 0;
  std::unique_ptr<MetricsCollector> metrics;
  std::unique_ptr<TimeSeriesCollector> timeseries;  // always; finalized at `end`
  std::unique_ptr<TraceWriter> trace;               // when requested
  std::unique_ptr<RequestLog> request_log;          // when requested
  // Overload that outlived an agent's fault window (metastability.hpp).
  Metastability metastability;
};

// Throws std::invalid_argument when neither a request count nor a duration
// bounds the run (an open-loop workload would never end).
RunResult run_scenario(const scenarios::Scenario& scenario, const RunOptions& options = {});

}  // namespace orchsim::eval
