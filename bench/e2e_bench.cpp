// End-to-end: the default scenario (rag_orchestrated) through the runner,
// metrics on, with and without a full trace. Reports simulated requests per
// second (docs/performance.md, "End to end").
#include <benchmark/benchmark.h>

#include <cstdlib>

#include "eval/runner.hpp"
#include "scenarios/scenario.hpp"

namespace {

const orchsim::scenarios::Scenario& scenario() {
  static const orchsim::scenarios::Scenario s = [] {
    auto r = orchsim::scenarios::load_scenario(orchsim::scenarios::kDefaultScenario);
    if (!r.ok()) {
      std::fputs(r.diagnostics.format().c_str(), stderr);
      std::abort();
    }
    return *r.scenario;
  }();
  return s;
}

void run(benchmark::State& state, bool trace) {
  const auto requests = static_cast<std::uint64_t>(state.range(0));
  std::uint64_t seed = 1;
  for (auto _ : state) {
    orchsim::eval::RunOptions options;
    options.seed = seed++;
    options.requests = requests;
    options.trace = trace;
    options.trace_max_events = 100'000'000;
    const auto result = orchsim::eval::run_scenario(scenario(), options);
    benchmark::DoNotOptimize(result.events);
    state.counters["events_per_request"] =
        static_cast<double>(result.events) / static_cast<double>(requests);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(requests));
}

void BM_RagOrchestrated(benchmark::State& state) { run(state, false); }
void BM_RagOrchestratedWithTrace(benchmark::State& state) { run(state, true); }

BENCHMARK(BM_RagOrchestrated)->Arg(100'000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_RagOrchestratedWithTrace)->Arg(100'000)->Unit(benchmark::kMillisecond);

}  // namespace
