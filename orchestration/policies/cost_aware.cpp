// cost_aware: the cheapest candidate (EWMA cost per call) among those whose
// EWMA confidence reaches min_confidence; the most confident when none does.
#include <fmt/format.h>

#include "orchestration/policies/builtin.hpp"
#include "orchestration/policies/candidate_scores.hpp"

namespace orchsim::orchestration::policies {
namespace {

class CostAware final : public RoutingPolicy {
 public:
  PolicyHooks hooks() const override { return hooks_of<CostAware>(); }
  explicit CostAware(double min_confidence) : min_confidence_(min_confidence) {}

  Choice choose(const DecisionContext& ctx) override {
    bool any_good = false;
    for (std::size_t i = 0; i < ctx.size(); ++i) {
      any_good = any_good || (ctx[i].eligible() && ctx[i].ewma_confidence() >= min_confidence_);
    }
    const std::size_t c = argmin(
        ctx,
        [&](std::size_t i) {
          const Candidate a = ctx[i];
          if (!any_good) return -a.ewma_confidence();
          return a.ewma_confidence() >= min_confidence_ ? a.ewma_cost_usd() : kInf;
        },
        ctx.explain() ? &scores_ : nullptr);
    if (!ctx.explain()) return {.candidate = c};
    return {.candidate = c,
            .scores = scores_,
            .reason = any_good
                          ? Reason::format("cheapest with EWMA confidence >= {}", min_confidence_)
                          : Reason::format("none confident enough: most confident")};
  }

 private:
  double min_confidence_;
  std::vector<double> scores_;
};

}  // namespace

void register_cost_aware(PolicyRegistry& r) {
  r.add({.name = "cost_aware",
         .summary = "cheapest candidate whose EWMA confidence reaches min_confidence (else the "
                    "most confident)",
         .params = "min_confidence (0)",
         .builtin = true},
        [](PolicyParams& p, NodeSpec&) -> std::unique_ptr<RoutingPolicy> {
          const double min_confidence = p.number("min_confidence", 0.0, {0.0, 1.0});
          p.finish();
          return std::make_unique<CostAware>(min_confidence);
        });
}

}  // namespace orchsim::orchestration::policies
