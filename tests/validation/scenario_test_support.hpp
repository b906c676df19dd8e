// Helpers for validation tests that run whole scenarios: parse a scenario
// from text (failing the test with its diagnostics), run it with an extra
// observer, count what happened, and score a binomial share.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "eval/runner.hpp"
#include "orchestration/events.hpp"
#include "scenarios/scenario.hpp"

namespace orchsim::validation {

// A scenario from JSON text; a scenario that does not load fails the test.
inline scenarios::Scenario parse(const std::string& text,
                                 std::vector<std::pair<std::string, std::string>> overrides = {}) {
  scenarios::LoadOptions options;
  options.overrides = std::move(overrides);
  scenarios::LoadResult r = scenarios::parse_scenario(text, "test.json", options);
  EXPECT_TRUE(r.ok()) << r.diagnostics.format();
  if (!r.ok()) return scenarios::Scenario{};
  return std::move(*r.scenario);
}

inline eval::RunResult run(const scenarios::Scenario& s, std::uint64_t seed,
                           orchestration::Observer* observer = nullptr) {
  eval::RunOptions options;
  options.seed = seed;
  options.observer = observer;
  return eval::run_scenario(s, options);
}

inline nlohmann::ordered_json metrics_of(const eval::RunResult& r) { return r.metrics->to_json(); }

// 95% Wilson score interval of a binomial share.
struct Wilson {
  double lo, hi;
  bool contains(double x) const { return lo <= x && x <= hi; }
};
inline Wilson wilson(std::uint64_t successes, std::uint64_t trials) {
  constexpr double kZ = 1.959963984540054;
  const auto n = static_cast<double>(trials);
  const double ph = static_cast<double>(successes) / n;
  const double z2 = kZ * kZ;
  const double centre = (ph + z2 / (2 * n)) / (1 + z2 / n);
  const double half = kZ * std::sqrt(ph * (1 - ph) / n + z2 / (4 * n * n)) / (1 + z2 / n);
  return {centre - half, centre + half};
}

// Counts calls started by kind and by request, and the per-request counters
// the orchestrator reported when each request finished.
class CallCounter final : public orchestration::Observer {
 public:
  void on_call_started(const orchestration::CallStarted& e) override {
    ++by_kind[e.kind];
    ++by_request[e.request][e.kind];
    started.push_back(e);
  }
  void on_call_ended(const orchestration::CallEnded& e) override { ended.push_back(e); }
  void on_request_finished(const orchestration::RequestFinished& e) override {
    finished.push_back(e);
  }
  void on_routing_decision(const orchestration::RoutingDecision& e) override {
    decisions.emplace_back(e.request, e.choice);
  }
  void on_hedge_launched(const orchestration::HedgeLaunched&) override { ++hedges_launched; }
  std::uint64_t of_kind(orchestration::AttemptKind kind) const {
    const auto it = by_kind.find(kind);
    return it == by_kind.end() ? 0 : it->second;
  }

  std::map<orchestration::AttemptKind, std::uint64_t> by_kind;
  std::map<orchestration::RequestId, std::map<orchestration::AttemptKind, std::uint64_t>>
      by_request;
  std::vector<orchestration::CallStarted> started;
  std::vector<orchestration::CallEnded> ended;
  std::vector<orchestration::RequestFinished> finished;
  std::vector<std::pair<orchestration::RequestId, orchestration::AgentIndex>> decisions;
  std::uint64_t hedges_launched = 0;
};

}  // namespace orchsim::validation
