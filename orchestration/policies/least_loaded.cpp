// least_loaded: the candidate with the fewest calls per server (in service
// plus queued, as a load balancer sees them); ties to the earlier one.
#include "orchestration/policies/builtin.hpp"
#include "orchestration/policies/candidate_scores.hpp"

namespace orchsim::orchestration::policies {
namespace {

class LeastLoaded final : public RoutingPolicy {
 public:
  PolicyHooks hooks() const override { return hooks_of<LeastLoaded>(); }
  Choice choose(const DecisionContext& ctx) override {
    const std::size_t c = argmin(
        ctx,
        [&](std::size_t i) {
          const Candidate a = ctx[i];
          return static_cast<double>(a.in_service() + a.queued()) / a.servers();
        },
        ctx.explain() ? &scores_ : nullptr);
    return {.candidate = c,
            .scores = scores_of(ctx, scores_),
            .reason = Reason::format("fewest calls per server (in service + queued)")};
  }

 private:
  std::vector<double> scores_;
};

}  // namespace

void register_least_loaded(PolicyRegistry& r) {
  r.add({.name = "least_loaded",
         .summary = "fewest calls per server (in service + queued)",
         .params = "",
         .builtin = true},
        [](PolicyParams& p, NodeSpec&) -> std::unique_ptr<RoutingPolicy> {
          p.finish();
          return std::make_unique<LeastLoaded>();
        });
}

}  // namespace orchsim::orchestration::policies
