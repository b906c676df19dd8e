// What a routing policy written outside orchsim costs against the same logic
// as a built-in (docs/performance.md, "Policies"). The user policy is
// least_loaded written against the public header only (orchestration/
// policy.hpp, no builtin helpers), registered in a layered registry as a
// user would; both run learned_router on the same seeds, so they make the
// same decisions and the difference is the price of being a user policy.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "eval/runner.hpp"
#include "orchestration/policy_registry.hpp"
#include "scenarios/scenario.hpp"

namespace {

namespace orch = orchsim::orchestration;

class UserLeastLoaded final : public orch::RoutingPolicy {
 public:
  orch::Choice choose(const orch::DecisionContext& ctx) override {
    std::size_t best = ctx.size();
    double best_load = 0.0;
    for (std::size_t i = 0; i < ctx.size(); ++i) {
      const orch::Candidate c = ctx[i];
      if (!c.eligible()) continue;
      const double load = static_cast<double>(c.in_service() + c.queued()) / c.servers();
      if (best == ctx.size() || load < best_load) {
        best = i;
        best_load = load;
      }
    }
    return {.candidate = best == ctx.size() ? 0 : best};
  }
};

const orch::PolicyRegistry& user_registry() {
  static const auto registry = [] {
    auto r = std::make_unique<orch::PolicyRegistry>(&orch::PolicyRegistry::global());
    r->add({.name = "user_least_loaded",
            .summary = "least_loaded, written as a user would",
            .params = ""},
           [](orch::PolicyParams& p, orch::NodeSpec&) -> std::unique_ptr<orch::RoutingPolicy> {
             p.finish();
             return std::make_unique<UserLeastLoaded>();
           });
    return r;
  }();
  return *registry;
}

orchsim::scenarios::Scenario load(const std::string& policy) {
  orchsim::scenarios::LoadOptions o;
  o.overrides = {{"/workflow/nodes/0/routing/policy", policy}};
  o.policies = &user_registry();
  auto r = orchsim::scenarios::load_scenario("learned_router", o);
  if (!r.ok()) {
    std::fputs(r.diagnostics.format().c_str(), stderr);
    std::abort();
  }
  return *r.scenario;
}

void run(benchmark::State& state, const orchsim::scenarios::Scenario& s) {
  const auto requests = static_cast<std::uint64_t>(state.range(0));
  std::uint64_t seed = 1;
  for (auto _ : state) {
    orchsim::eval::RunOptions options;
    options.seed = seed++;
    options.requests = requests;
    const auto result = orchsim::eval::run_scenario(s, options);
    benchmark::DoNotOptimize(result.events);
  }
  state.counters["requests_per_s"] = benchmark::Counter(
      static_cast<double>(requests) * static_cast<double>(state.iterations()),
      benchmark::Counter::kIsRate);
}

void BM_BuiltinLeastLoaded(benchmark::State& state) {
  static const auto s = load("least_loaded");
  run(state, s);
}
void BM_UserLeastLoaded(benchmark::State& state) {
  static const auto s = load("user_least_loaded");
  run(state, s);
}

}  // namespace

BENCHMARK(BM_BuiltinLeastLoaded)->Arg(100'000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_UserLeastLoaded)->Arg(100'000)->Unit(benchmark::kMillisecond);
