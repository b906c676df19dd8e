// round_robin: candidates in turn; an ineligible candidate's turn passes to
// the next eligible one, and the next turn starts after the one chosen.
#include <fmt/format.h>

#include "orchestration/policies/builtin.hpp"
#include "orchestration/policies/candidate_scores.hpp"

namespace orchsim::orchestration::policies {
namespace {

class RoundRobin final : public RoutingPolicy {
 public:
  PolicyHooks hooks() const override { return hooks_of<RoundRobin>(); }
  Choice choose(const DecisionContext& ctx) override {
    const std::size_t n = ctx.size();
    const std::size_t start = next_ % n;
    const std::size_t c = argmin(
        ctx, [&](std::size_t i) { return static_cast<double>((i + n - start) % n); },
        ctx.explain() ? &scores_ : nullptr);
    next_ = c + 1;
    if (!ctx.explain()) return {.candidate = c};
    return {.candidate = c, .scores = scores_, .reason = Reason::format("turn {}", start)};
  }

 private:
  std::size_t next_ = 0;
  std::vector<double> scores_;
};

}  // namespace

void register_round_robin(PolicyRegistry& r) {
  r.add({.name = "round_robin",
         .summary = "candidates in turn, skipping those whose breaker is open",
         .params = "",
         .builtin = true},
        [](PolicyParams& p, NodeSpec&) -> std::unique_ptr<RoutingPolicy> {
          p.finish();
          return std::make_unique<RoundRobin>();
        });
}

}  // namespace orchsim::orchestration::policies
