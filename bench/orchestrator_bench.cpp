// What the orchestrator adds to the kernel and the agents: a three-step chain
// (retrieve -> generate -> critic) with no observer attached, with the
// metrics collector, and the same three calls made directly on the agents
// without an orchestrator. The difference per request is the orchestrator's
// overhead (docs/performance.md, "Orchestrator").
#include <benchmark/benchmark.h>

#include <cmath>
#include <memory>

#include "eval/metrics.hpp"
#include "mock_agents/mock_agent.hpp"
#include "orchestration/orchestrator.hpp"

namespace {

using namespace orchsim;
using namespace orchsim::sim::literals;
namespace orch = orchsim::orchestration;

mock_agents::MockAgentConfig agent(const char* name, double median_ms) {
  mock_agents::MockAgentConfig c;
  c.name = name;
  c.servers = 10'000;
  c.latency.base_ms = sim::Distribution::lognormal_from_median_p99(median_ms, 5 * median_ms);
  c.tokens.output_tokens = sim::Distribution::constant(200);
  c.tokens.usd_per_1k_input_tokens = 0.001;
  c.outcomes.transient_error = 0.01;
  return c;
}

orch::Workflow chain() {
  orch::Workflow wf;
  const auto call = [](const char* name, orch::AgentIndex a, orch::NodeId next) {
    orch::Node n;
    n.name = name;
    n.kind = orch::NodeKind::kCall;
    n.call.agents = {a};
    n.call.retry.max_attempts = 3;
    n.call.attempt_timeout = 5_s;
    n.next = next;
    return n;
  };
  orch::Node done;
  done.name = "done";
  wf.nodes = {call("retrieve", 0, 1), call("generate", 1, 2), call("critic", 2, 3), done};
  return wf;
}

void run_chain(benchmark::State& state, bool with_metrics) {
  const int requests = static_cast<int>(state.range(0));
  const orch::Workflow wf = chain();
  std::uint64_t seed = 1;
  for (auto _ : state) {
    sim::Simulation sim;
    const sim::RandomSource rng(seed++);
    std::vector<std::unique_ptr<mock_agents::MockAgent>> agents;
    std::vector<mock_agents::Agent*> ptrs;
    for (auto c : {agent("retriever", 40), agent("generator", 800), agent("critic", 300)}) {
      agents.push_back(std::make_unique<mock_agents::MockAgent>(sim, rng, c));
      ptrs.push_back(agents.back().get());
    }
    orch::Orchestrator o(sim, rng, wf, ptrs, {});
    eval::MetricsCollector metrics(wf, {"retriever", "generator", "critic"});
    if (with_metrics) o.set_observer(&metrics);
    sim::RandomStream arrivals = rng.stream("arrivals");
    sim::Time t = sim::Time::zero();
    for (int r = 0; r < requests; ++r) {
      t += sim::Duration::from_seconds(arrivals.standard_exponential() / 200.0);
      sim.schedule_at(
          t, [&o, r] { o.submit({.id = static_cast<std::uint64_t>(r), .input_tokens = 300}); });
    }
    sim.run();
    benchmark::DoNotOptimize(o.completed());
  }
  state.SetItemsProcessed(state.iterations() * requests);
}

void BM_ChainNoObserver(benchmark::State& state) { run_chain(state, false); }
void BM_ChainWithMetrics(benchmark::State& state) { run_chain(state, true); }
BENCHMARK(BM_ChainNoObserver)->Arg(100'000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ChainWithMetrics)->Arg(100'000)->Unit(benchmark::kMillisecond);

// The same three calls per request straight on the agents, each step started
// when the previous one ends: the floor the orchestrator is compared with.
class DirectChain final : public mock_agents::CallListener {
 public:
  explicit DirectChain(std::vector<mock_agents::Agent*> agents) : agents_(std::move(agents)) {}
  void start(std::uint64_t request) {
    agents_[0]->submit({.request_id = request, .input_tokens = 300}, *this, request << 2);
  }
  void on_call_finished(mock_agents::CallId, std::uint64_t tag,
                        const mock_agents::CallOutcome&) override {
    const std::uint64_t step = (tag & 3) + 1;
    if (step < agents_.size()) {
      agents_[step]->submit({.request_id = tag >> 2, .input_tokens = 300}, *this,
                            (tag & ~std::uint64_t{3}) | step);
    } else {
      ++done;
    }
  }
  std::uint64_t done = 0;

 private:
  std::vector<mock_agents::Agent*> agents_;
};

void BM_ChainDirectOnAgents(benchmark::State& state) {
  const int requests = static_cast<int>(state.range(0));
  std::uint64_t seed = 1;
  for (auto _ : state) {
    sim::Simulation sim;
    const sim::RandomSource rng(seed++);
    std::vector<std::unique_ptr<mock_agents::MockAgent>> agents;
    std::vector<mock_agents::Agent*> ptrs;
    for (auto c : {agent("retriever", 40), agent("generator", 800), agent("critic", 300)}) {
      agents.push_back(std::make_unique<mock_agents::MockAgent>(sim, rng, c));
      ptrs.push_back(agents.back().get());
    }
    DirectChain chain(ptrs);
    sim::RandomStream arrivals = rng.stream("arrivals");
    sim::Time t = sim::Time::zero();
    for (int r = 0; r < requests; ++r) {
      t += sim::Duration::from_seconds(arrivals.standard_exponential() / 200.0);
      sim.schedule_at(t, [&chain, r] { chain.start(static_cast<std::uint64_t>(r)); });
    }
    sim.run();
    benchmark::DoNotOptimize(chain.done);
  }
  state.SetItemsProcessed(state.iterations() * requests);
}
BENCHMARK(BM_ChainDirectOnAgents)->Arg(100'000)->Unit(benchmark::kMillisecond);

}  // namespace
