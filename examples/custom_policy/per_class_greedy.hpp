// A routing policy written outside orchsim: per request class, the candidate
// with the best mean reward so far (the answer's confidence minus
// cost_weight x its cost; a failed attempt scores its cost alone), after
// trying each candidate `kWarmup` times. It learns from every attempt it
// chose, failures included (orchestration/policy.hpp is the manual).
#pragma once

#include <cstdint>
#include <vector>

#include "orchestration/policy.hpp"

class PerClassGreedy final : public orchsim::orchestration::RoutingPolicy {
 public:
  static constexpr std::uint64_t kWarmup = 20;

  PerClassGreedy(std::size_t candidates, std::uint32_t classes, double cost_weight)
      : n_(candidates),
        cost_weight_(cost_weight),
        sum_(candidates * classes),
        count_(sum_.size()) {}

  orchsim::orchestration::Choice choose(
      const orchsim::orchestration::DecisionContext& ctx) override {
    std::size_t best = ctx.size();
    double best_mean = 0.0;
    for (std::size_t i = 0; i < ctx.size(); ++i) {
      if (!ctx[i].eligible()) continue;  // its circuit breaker is open
      const std::size_t k = ctx.class_index * n_ + i;
      if (count_[k] < kWarmup) return {.candidate = i};
      const double mean = sum_[k] / static_cast<double>(count_[k]);
      if (best == ctx.size() || mean > best_mean) {
        best = i;
        best_mean = mean;
      }
    }
    return {.candidate = best == ctx.size() ? 0 : best};  // deterministic: probability 1
  }

  void observe(const orchsim::orchestration::AttemptOutcome& o) override {
    using orchsim::orchestration::CallEnd;
    if (o.end == CallEnd::kCancelled) return;  // a hedge that lost says nothing about the agent
    const std::size_t k = o.class_index * n_ + o.candidate;
    sum_[k] += (o.ok() ? o.confidence : 0.0) - cost_weight_ * o.cost_usd;
    ++count_[k];
  }

 private:
  std::size_t n_;
  double cost_weight_;
  std::vector<double> sum_;
  std::vector<std::uint64_t> count_;
};
