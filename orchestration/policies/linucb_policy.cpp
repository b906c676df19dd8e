// linucb: a contextual bandit (LinUCB with disjoint arms, Li et al. 2010)
// over the request's features: a bias, input tokens / 1000, and the class
// one-hot. It learns from every attempt it chose, failures included (a
// failure's reward is the reward config's `failure`, 0 by default, minus
// what the attempt cost), not only from the steps that succeeded.
#include "orchestration/linucb.hpp"
#include "orchestration/policies/builtin.hpp"
#include "orchestration/policies/candidate_scores.hpp"
#include "orchestration/policies/reward.hpp"

namespace orchsim::orchestration::policies {
namespace {

class LinUcbPolicy final : public RoutingPolicy {
 public:
  PolicyHooks hooks() const override { return hooks_of<LinUcbPolicy>(); }
  LinUcbPolicy(std::size_t arms, std::uint32_t classes, double alpha, Reward reward)
      : classes_(classes),
        bandit_(arms, classes + 2, alpha),
        reward_(reward),
        x_(Eigen::VectorXd::Zero(static_cast<Eigen::Index>(classes + 2))) {}

  Choice choose(const DecisionContext& ctx) override {
    set_features(ctx.class_index, ctx.input_tokens);
    const std::size_t c = argmin(
        ctx, [&](std::size_t i) { return -bandit_.ucb(i, x_); },
        ctx.explain() ? &scores_ : nullptr);
    return {.candidate = c,
            .scores = scores_of(ctx, scores_),
            .reason = Reason::format("highest upper confidence bound (scores are -UCB)")};
  }

  void observe(const AttemptOutcome& o) override {
    const std::optional<double> r = reward_(o);
    if (!r || o.candidate >= bandit_.arms()) return;
    set_features(o.class_index, o.request_input_tokens);
    bandit_.update(o.candidate, x_, *r);
  }

 private:
  void set_features(std::uint32_t class_index, std::int64_t input_tokens) {
    x_.setZero();
    x_[0] = 1.0;
    x_[1] = static_cast<double>(input_tokens) / 1000.0;
    if (class_index < classes_) x_[2 + class_index] = 1.0;
  }
  std::uint32_t classes_;
  LinUcb bandit_;
  Reward reward_;
  Eigen::VectorXd x_;
  std::vector<double> scores_;
};

}  // namespace

void register_linucb(PolicyRegistry& r) {
  r.add({.name = "linucb",
         .summary = "contextual bandit (LinUCB) over class, input tokens and a bias; learns "
                    "from every attempt's reward",
         .params = "exploration (1), cost_weight (10: the reward's default cost_per_usd), "
                   "reward {quality, signal, failure, cost_per_usd, latency_per_s}",
         .builtin = true},
        [](PolicyParams& p, NodeSpec& node) -> std::unique_ptr<RoutingPolicy> {
          const double alpha = p.number("exploration", 1.0, {0.0, kInf});
          const double cost_weight = p.number("cost_weight", 10.0, {0.0, kInf});
          const Reward reward = Reward::read(p, cost_weight);
          p.finish();
          // A step without agents is refused by the loader, which still builds
          // the policy to check its parameters: one arm keeps that check from
          // failing on a bandit of none (the loader names the empty list).
          return std::make_unique<LinUcbPolicy>(std::max<std::size_t>(1, node.size()),
                                                std::max<std::uint32_t>(1, node.class_count), alpha,
                                                reward);
        });
}

}  // namespace orchsim::orchestration::policies
