// latency_ewma: the candidate with the lowest moving average of its attempts'
// latency, untried candidates first. Failures are charged, as peak-EWMA
// balancers (Finagle, Linkerd) charge them: an error or a timeout counts as
// at least failure_penalty_ms, so an agent that fails fast does not look fast.
#include "orchestration/policies/builtin.hpp"
#include "orchestration/policies/candidate_scores.hpp"

namespace orchsim::orchestration::policies {
namespace {

class LatencyEwma final : public RoutingPolicy {
 public:
  PolicyHooks hooks() const override { return hooks_of<LatencyEwma>(); }
  LatencyEwma(std::size_t candidates, double alpha, double penalty_ms)
      : ewma_(candidates, 0.0), samples_(candidates, 0), alpha_(alpha), penalty_ms_(penalty_ms) {}

  Choice choose(const DecisionContext& ctx) override {
    const std::size_t c = argmin(
        ctx, [&](std::size_t i) { return samples_[i] == 0 ? -1.0 : ewma_[i]; },
        ctx.explain() ? &scores_ : nullptr);
    return {.candidate = c,
            .scores = scores_of(ctx, scores_),
            .reason =
                Reason::format("lowest EWMA latency (ms), failures charged as a penalty latency")};
  }

  void observe(const AttemptOutcome& o) override {
    if (o.end == CallEnd::kCancelled || o.candidate >= ewma_.size()) return;
    double ms = o.latency.milliseconds_f();
    if (o.end == CallEnd::kError || o.end == CallEnd::kTimeout) ms = std::max(ms, penalty_ms_);
    double& e = ewma_[o.candidate];
    e = samples_[o.candidate]++ == 0 ? ms : e + alpha_ * (ms - e);
  }

 private:
  std::vector<double> ewma_;
  std::vector<std::uint64_t> samples_;
  double alpha_, penalty_ms_;
  std::vector<double> scores_;
};

}  // namespace

void register_latency_ewma(PolicyRegistry& r) {
  r.add({.name = "latency_ewma",
         .summary = "lowest EWMA latency of its own attempts (untried first); errors and "
                    "timeouts count as at least failure_penalty_ms",
         .params = "ewma_alpha (0.2), failure_penalty_ms (10000)",
         .builtin = true},
        [](PolicyParams& p, NodeSpec& node) -> std::unique_ptr<RoutingPolicy> {
          const double alpha = p.number("ewma_alpha", 0.2, {1e-6, 1.0});
          const double penalty = p.number("failure_penalty_ms", 10'000.0, {0.0, 1e9});
          p.finish();
          return std::make_unique<LatencyEwma>(node.size(), alpha, penalty);
        });
}

}  // namespace orchsim::orchestration::policies
