// epsilon_greedy: with probability epsilon a uniformly random eligible
// candidate (exploration), otherwise the one with the highest mean reward so
// far, untried candidates first (ties to the earlier one).
#include <fmt/format.h>

#include <array>

#include "orchestration/policies/arm_stats.hpp"
#include "orchestration/policies/builtin.hpp"
#include "orchestration/policies/candidate_scores.hpp"
#include "orchestration/policies/reward.hpp"

namespace orchsim::orchestration::policies {
namespace {

class EpsilonGreedy final : public RoutingPolicy {
 public:
  PolicyHooks hooks() const override { return hooks_of<EpsilonGreedy>(); }
  EpsilonGreedy(std::size_t candidates, std::uint32_t classes, bool per_class, double epsilon,
                Reward reward)
      : arms_(candidates, classes, per_class), epsilon_(epsilon), reward_(reward) {}

  Choice choose(const DecisionContext& ctx) override {
    // Greedy: the highest mean (lowest negated mean), untried first.
    const std::size_t greedy = argmin(
        ctx,
        [&](std::size_t i) {
          const ArmStats& a = arms_.read(ctx.class_index, i);
          return a.pulls == 0 ? -kInf : -a.mean();
        },
        ctx.explain() ? &scores_ : nullptr);
    pool_.clear();
    const bool any = any_eligible(ctx);
    for (std::size_t i = 0; i < ctx.size(); ++i) {
      if (!any || ctx[i].eligible()) pool_.push_back(i);
    }
    const bool explore = ctx.random().uniform01() < epsilon_;
    const std::size_t pick = explore ? pool_[ctx.random().below(pool_.size())] : greedy;
    const double share = epsilon_ / static_cast<double>(pool_.size());
    return {.candidate = pick,
            .probability = (pick == greedy ? 1.0 - epsilon_ : 0.0) + share,
            .scores = scores_of(ctx, scores_),
            .reason = explore ? Reason::format("explore: uniformly random")
                              : Reason::format("exploit: highest mean reward (scores are -mean)")};
  }

  void observe(const AttemptOutcome& o) override {
    if (!arms_.valid(o.class_index, o.candidate)) return;
    const std::optional<double> r = reward_(o);
    if (!r) return;
    ArmStats& a = arms_.at(o.class_index, o.candidate);
    ++a.pulls;
    a.reward_sum += *r;
  }

 private:
  ArmTable arms_;
  double epsilon_;
  Reward reward_;
  std::vector<std::size_t> pool_;
  std::vector<double> scores_;
};

}  // namespace

void register_epsilon_greedy(PolicyRegistry& r) {
  r.add({.name = "epsilon_greedy",
         .summary = "highest mean reward so far, a uniformly random candidate with probability "
                    "epsilon",
         .params = "epsilon (0.1), per_class (false), reward {quality, signal, failure, "
                   "cost_per_usd (0), latency_per_s}",
         .builtin = true},
        [](PolicyParams& p, NodeSpec& node) -> std::unique_ptr<RoutingPolicy> {
          const double epsilon = p.number("epsilon", 0.1, {0.0, 1.0});
          const bool per_class = p.boolean("per_class", false);
          const Reward reward = Reward::read(p, 0.0);
          p.finish();
          return std::make_unique<EpsilonGreedy>(node.size(),
                                                 std::max<std::uint32_t>(1, node.class_count),
                                                 per_class, epsilon, reward);
        });
}

}  // namespace orchsim::orchestration::policies
