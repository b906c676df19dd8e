// Routing policies driven directly, without a simulation: a DecisionContext
// over fake agents whose load, prices, windows and learned signals a test
// sets, and policies made through the registry as a scenario makes them.
//
//   DecisionFixture f(3);                       // agents a0, a1, a2; all candidates
//   f.fakes[1].set_load(2, 1, 1);
//   auto p = f.make("least_loaded");
//   EXPECT_EQ(f.choose(*p).candidate, 0u);
//   EXPECT_EQ(f.choose(*p, /*request=*/2, /*explain=*/true).reason, "...");
//
// Each request number keys its own random stream (DecisionContext::random()),
// so varying the request gives independent draws.
#pragma once

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "mock_agents/agent.hpp"
#include "orchestration/policy.hpp"
#include "orchestration/policy_registry.hpp"
#include "sim/random.hpp"

namespace orchsim::orchestration::testing {

// An agent that only reports what a router may read.
class FakeAgent final : public mock_agents::Agent {
 public:
  explicit FakeAgent(std::string name = "fake") : name_(std::move(name)) {}

  std::string_view name() const override { return name_; }
  std::string_view role() const override { return "fake"; }
  std::int64_t context_window_tokens() const override { return window_; }
  mock_agents::CallId submit(const mock_agents::CallRequest&, mock_agents::CallListener&,
                             std::uint64_t) override {
    ADD_FAILURE() << "a routing policy must not submit calls";
    return 0;
  }
  Cancellation cancel(mock_agents::CallId) override {
    ADD_FAILURE() << "a routing policy must not cancel calls";
    return {};
  }
  std::uint32_t in_service() const override { return in_service_; }
  std::uint32_t queued() const override { return queued_; }
  std::uint32_t servers() const override { return servers_; }
  double usd_per_1k_input_tokens() const override { return usd_in_; }
  double usd_per_1k_output_tokens() const override { return usd_out_; }
  double rate_limit_headroom(sim::Time) const override { return headroom_; }

  void set_load(std::uint32_t in_service, std::uint32_t queued, std::uint32_t servers) {
    in_service_ = in_service;
    queued_ = queued;
    servers_ = servers;
  }
  void set_prices(double usd_per_1k_input, double usd_per_1k_output) {
    usd_in_ = usd_per_1k_input;
    usd_out_ = usd_per_1k_output;
  }
  void set_window(std::int64_t tokens) { window_ = tokens; }
  void set_headroom(double share) { headroom_ = share; }

 private:
  std::string name_;
  std::uint32_t in_service_ = 0, queued_ = 0, servers_ = 1;
  double usd_in_ = 0.0, usd_out_ = 0.0, headroom_ = 1.0;
  std::int64_t window_ = 128'000;
};

// n agents named a0, a1, ...; all of them candidates, in index order,
// eligible and untried.
struct DecisionFixture {
  explicit DecisionFixture(std::size_t n, std::uint64_t seed = 1)
      : signals(n), eligible(n, true), rng(seed) {
    fakes.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
      names.push_back(fmt::format("a{}", i));
      fakes.emplace_back(names.back());
      candidates.push_back(static_cast<AgentIndex>(i));
    }
    for (FakeAgent& a : fakes) agents.push_back(&a);
  }
  DecisionFixture(const DecisionFixture&) = delete;
  DecisionFixture& operator=(const DecisionFixture&) = delete;

  // The policy `name` with `params` (a JSON object's text) for a node
  // serving `classes` request classes, made as the orchestrator makes it. A
  // factory that adds candidates (a cascade's tiers) adds them here too.
  std::unique_ptr<RoutingPolicy> make(std::string_view name, std::string_view params = {},
                                      std::uint32_t classes = 1) {
    return make(RoutingConfig::named(std::string(name), params), classes);
  }
  std::unique_ptr<RoutingPolicy> make(const RoutingConfig& routing, std::uint32_t classes = 1) {
    std::vector<ParamProblem> problems;
    auto policy = make_node_policy(routing, "answer", candidates, names, classes,
                                   PolicyRegistry::global(), problems);
    for (const ParamProblem& p : problems) {
      ADD_FAILURE() << routing.policy << ": " << p.pointer << ": " << p.message << " " << p.hint;
    }
    eligible.resize(candidates.size(), true);
    class_count = classes;
    return policy;
  }

  // A decision for request `request` (of class `class_index`).
  DecisionContext decision(RequestId request = 1, bool explain = false,
                           std::uint32_t class_index = 0) const {
    DecisionContext ctx;
    ctx.now = sim::Time::zero();
    ctx.request = request;
    ctx.class_index = class_index;
    ctx.class_count = class_count;
    ctx.input_tokens = input_tokens;
    ctx.node = 0;
    ctx.node_name = "answer";
    ctx.set_sources({.candidates = &candidates,
                     .eligible = &eligible,
                     .agents = &agents,
                     .signals = &signals,
                     .breakers = &breakers,
                     .rng = &rng,
                     .stream_variant = 0},
                    explain);
    return ctx;
  }
  Choice choose(RoutingPolicy& p, RequestId request = 1, bool explain = false,
                std::uint32_t class_index = 0) const {
    return p.choose(decision(request, explain, class_index));
  }

  // The agent as the orchestrator's shared signals would show it after
  // `samples` calls.
  void tried(AgentIndex agent, double latency_ms, std::uint64_t samples = 5) {
    signals[agent].ewma_latency_ms = latency_ms;
    signals[agent].samples = samples;
  }
  void set_quality(AgentIndex agent, double confidence, double cost_usd) {
    signals[agent].ewma_confidence = confidence;
    signals[agent].ewma_cost_usd = cost_usd;
    signals[agent].samples = 10;
  }

  std::vector<std::string> names;
  std::vector<FakeAgent> fakes;
  std::vector<mock_agents::Agent*> agents;
  std::vector<AgentSignals> signals;
  std::vector<AgentIndex> candidates;
  std::vector<bool> eligible;
  std::vector<const CircuitBreaker*> breakers;  // none: every breaker reads closed
  sim::RandomSource rng;
  std::uint32_t class_count = 1;
  std::int64_t input_tokens = 500;
};

// An attempt's outcome, as the orchestrator tells it: `candidate` answered
// (kSuccess) with `confidence`, or ended otherwise.
inline AttemptOutcome outcome(std::size_t candidate, CallEnd end, double confidence = 0.0,
                              std::uint32_t class_index = 0) {
  AttemptOutcome o;
  o.class_index = class_index;
  o.candidate = candidate;
  o.agent = static_cast<AgentIndex>(candidate);
  o.end = end;
  o.error = end == CallEnd::kError ? ErrorKind::kTransient : ErrorKind::kNone;
  o.confidence = confidence;
  return o;
}

// Chi-square statistic of observed counts against expected shares.
inline double chi_square(const std::vector<std::uint64_t>& observed,
                         const std::vector<double>& share, std::uint64_t n) {
  double chi2 = 0;
  for (std::size_t i = 0; i < observed.size(); ++i) {
    const double expected = share[i] * static_cast<double>(n);
    const double d = static_cast<double>(observed[i]) - expected;
    chi2 += d * d / expected;
  }
  return chi2;
}

// Counts of the candidates `p` chooses over requests 0..n-1.
inline std::vector<std::uint64_t> choice_counts(const DecisionFixture& f, RoutingPolicy& p,
                                                std::uint64_t n, RequestId first = 0) {
  std::vector<std::uint64_t> counts(f.candidates.size(), 0);
  for (std::uint64_t i = 0; i < n; ++i) ++counts[f.choose(p, first + i).candidate];
  return counts;
}

// The first value of the decision's random stream once `p` has decided:
// equal to the first value of a fresh context's stream iff `p` drew nothing
// from it.
inline std::uint64_t stream_after(const DecisionFixture& f, RoutingPolicy& p, RequestId request,
                                  bool explain) {
  const DecisionContext ctx = f.decision(request, explain);
  (void)p.choose(ctx);
  return ctx.random().next_u64();
}
inline std::uint64_t fresh_stream(const DecisionFixture& f, RequestId request) {
  return f.decision(request).random().next_u64();
}

}  // namespace orchsim::orchestration::testing
