// Calls per second through one MockAgent: submit -> queue -> service ->
// outcome -> listener, with Poisson arrivals at ~80% utilisation of an
// 8-server agent, lognormal latency (mean 50 ms, sd 40 ms), token-priced
// output and a few percent of errors and silent failures. Every call draws
// from its own keyed stream, as in a real run. See docs/performance.md.
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdint>

#include "mock_agents/mock_agent.hpp"
#include "sim/distribution.hpp"
#include "sim/random.hpp"
#include "sim/simulation.hpp"

namespace {

using orchsim::mock_agents::CallId;
using orchsim::mock_agents::CallListener;
using orchsim::mock_agents::CallOutcome;
using orchsim::mock_agents::CallRequest;
using orchsim::mock_agents::MockAgent;
using orchsim::mock_agents::MockAgentConfig;
using orchsim::sim::Distribution;
using orchsim::sim::Duration;
using orchsim::sim::RandomSource;
using orchsim::sim::RandomStream;
using orchsim::sim::Simulation;

constexpr double kMeanServiceMs = 50.0;

MockAgentConfig bench_config(std::uint32_t servers) {
  MockAgentConfig cfg;
  cfg.name = "generator";
  cfg.role = "generator";
  cfg.servers = servers;
  cfg.latency.base_ms = Distribution::lognormal_from_mean_stddev(kMeanServiceMs, 40.0);
  cfg.outcomes.transient_error = 0.02;
  cfg.outcomes.permanent_error = 0.005;
  cfg.outcomes.rate_limited = 0.005;
  cfg.outcomes.silent_failure = 0.01;
  cfg.tokens.output_tokens = Distribution::lognormal_from_median_p99(200.0, 900.0);
  cfg.tokens.usd_per_1k_input_tokens = 0.003;
  cfg.tokens.usd_per_1k_output_tokens = 0.015;
  return cfg;
}

struct Counter final : CallListener {
  std::uint64_t finished = 0;
  std::uint64_t errors = 0;
  void on_call_finished(CallId, std::uint64_t, const CallOutcome& outcome) override {
    ++finished;
    errors += outcome.status != orchsim::mock_agents::CallStatus::kSuccess;
  }
};

// Poisson arrivals: each arrival submits one call and schedules the next.
struct Arrivals {
  Simulation& sim;
  MockAgent& agent;
  Counter& listener;
  RandomStream rng;
  double mean_gap_ns;
  std::uint64_t next_request = 0;
  void arrive() {
    CallRequest r;
    r.request_id = next_request++;
    r.input_tokens = 1000;
    r.difficulty = 0.5;
    agent.submit(r, listener, r.request_id);
    const auto gap = static_cast<std::int64_t>(rng.standard_exponential() * mean_gap_ns);
    sim.schedule_after(Duration::nanoseconds(gap), [this] { arrive(); });
  }
};

void BM_MockAgentCalls(benchmark::State& state) {
  const auto servers = static_cast<std::uint32_t>(state.range(0));
  const double utilisation = 0.8;
  Simulation sim;
  const RandomSource rng(1);
  MockAgent agent(sim, rng, bench_config(servers));
  Counter listener;
  const double mean_gap_ns = kMeanServiceMs * 1e6 / (utilisation * servers);
  Arrivals arrivals{sim, agent, listener, rng.stream("arrivals"), mean_gap_ns};
  arrivals.arrive();
  // Warm up to the steady state, then run slices of ~1000 arrivals.
  const Duration slice = Duration::nanoseconds(static_cast<std::int64_t>(1000 * mean_gap_ns));
  sim.run_until(sim.now() + 10 * slice);
  const std::uint64_t start = listener.finished;
  for (auto _ : state) {
    sim.run_until(sim.now() + slice);
  }
  const std::uint64_t calls = listener.finished - start;
  state.SetItemsProcessed(static_cast<std::int64_t>(calls));
  state.counters["calls"] = static_cast<double>(calls);
  state.counters["busy"] = static_cast<double>(agent.in_service()) / servers;
  state.counters["err%"] =
      100.0 * static_cast<double>(listener.errors) / static_cast<double>(listener.finished);
}
BENCHMARK(BM_MockAgentCalls)->Arg(8)->Arg(64);

}  // namespace
