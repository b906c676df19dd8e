// p2c: the power of two choices (Mitzenmacher): two distinct eligible
// candidates drawn uniformly, the one with the lower EWMA latency x (1 + load)
// wins, as Finagle's and Envoy's balancers do.
#include <fmt/format.h>

#include "orchestration/policies/builtin.hpp"
#include "orchestration/policies/candidate_scores.hpp"

namespace orchsim::orchestration::policies {
namespace {

class PowerOfTwo final : public RoutingPolicy {
 public:
  PolicyHooks hooks() const override { return hooks_of<PowerOfTwo>(); }
  Choice choose(const DecisionContext& ctx) override {
    const std::size_t n = ctx.size();
    pool_.clear();
    for (std::size_t i = 0; i < n; ++i) {
      if (ctx[i].eligible()) pool_.push_back(i);
    }
    if (pool_.empty()) {
      for (std::size_t i = 0; i < n; ++i) pool_.push_back(i);
    }
    scores_.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
      const Candidate c = ctx[i];
      const double load = static_cast<double>(c.in_service() + c.queued()) / c.servers();
      scores_[i] = (c.observations() == 0 ? 0.0 : c.ewma_latency_ms()) * (1.0 + load);
    }
    if (pool_.size() == 1) {
      return {.candidate = pool_[0],
              .scores = scores_of(ctx, scores_),
              .reason = Reason::format("only eligible candidate")};
    }
    const std::size_t ia = ctx.random().below(pool_.size());
    std::size_t ib = ctx.random().below(pool_.size() - 1);
    if (ib >= ia) ++ib;  // two distinct candidates, uniformly
    const std::size_t a = pool_[ia], b = pool_[ib];
    const std::size_t pick = scores_[b] < scores_[a] ? b : a;
    // Propensity: over the m(m-1) equally likely ordered pairs, the share
    // whose winner is `pick`.
    std::size_t wins = 0;
    for (const std::size_t x : pool_) {
      for (const std::size_t y : pool_) {
        if (x != y && (scores_[y] < scores_[x] ? y : x) == pick) ++wins;
      }
    }
    const double m = static_cast<double>(pool_.size());
    Choice choice{.candidate = pick, .probability = static_cast<double>(wins) / (m * (m - 1))};
    if (ctx.explain()) {
      choice.scores = scores_;
      choice.reason = Reason::format("two choices {} and {}: lower EWMA latency x (1 + load)",
                                     ctx[a].agent(), ctx[b].agent());
    }
    return choice;
  }

 private:
  std::vector<std::size_t> pool_;
  std::vector<double> scores_;
};

}  // namespace

void register_power_of_two(PolicyRegistry& r) {
  r.add({.name = "p2c",
         .summary = "power of two choices: two random eligible candidates, the lower EWMA latency "
                    "x (1 + load) wins",
         .params = "",
         .builtin = true},
        [](PolicyParams& p, NodeSpec&) -> std::unique_ptr<RoutingPolicy> {
          p.finish();
          return std::make_unique<PowerOfTwo>();
        });
}

}  // namespace orchsim::orchestration::policies
