// thompson: Thompson sampling. The Bernoulli model keeps a Beta posterior of
// each candidate's success probability (success: the attempt was answered,
// with at least min_confidence); the Gaussian model keeps a normal posterior
// of each candidate's mean reward (the reward config, noise_sd known). Each
// decision draws one sample per eligible candidate from its posterior and
// takes the largest. Its propensity has no closed form: when explaining, it
// is estimated from 256 further posterior draws on a side stream, so the
// simulation itself does not depend on whether anyone reads it.
#include <array>
#include <cmath>
#include <limits>

#include "orchestration/policies/arm_stats.hpp"
#include "orchestration/policies/builtin.hpp"
#include "orchestration/policies/candidate_scores.hpp"
#include "orchestration/policies/reward.hpp"
#include "sim/distribution.hpp"

namespace orchsim::orchestration::policies {
namespace {

struct ThompsonConfig {
  bool gaussian = false;
  double prior_alpha = 1.0, prior_beta = 1.0, min_confidence = 0.0;
  double noise_sd = 0.25, prior_sd = 1.0;
  Reward reward;
};

class Thompson final : public RoutingPolicy {
 public:
  PolicyHooks hooks() const override { return hooks_of<Thompson>(); }
  Thompson(std::size_t candidates, std::uint32_t classes, bool per_class, ThompsonConfig c)
      : arms_(candidates, classes, per_class), c_(c) {}

  Choice choose(const DecisionContext& ctx) override {
    const std::size_t pick = draw(ctx, ctx.random(), &scores_);
    Choice choice{.candidate = pick,
                  .scores = scores_of(ctx, scores_),
                  .reason = c_.gaussian
                                ? Reason::format("largest draw from each normal reward posterior")
                                : Reason::format("largest draw from each Beta success posterior")};
    if (ctx.explain()) {
      sim::RandomStream side = ctx.side_stream("thompson-propensity");
      constexpr int kDraws = 256;
      int same = 0;
      for (int k = 0; k < kDraws; ++k) same += draw(ctx, side, nullptr) == pick ? 1 : 0;
      choice.probability = std::max(1, same) / static_cast<double>(kDraws);
    } else {
      choice.probability = std::numeric_limits<double>::quiet_NaN();  // not estimated
    }
    return choice;
  }

  void observe(const AttemptOutcome& o) override {
    if (!arms_.valid(o.class_index, o.candidate)) return;
    const std::optional<double> r = c_.reward(o);
    if (!r) return;  // cancelled: nothing learned
    ArmStats& a = arms_.at(o.class_index, o.candidate);
    ++a.pulls;
    a.reward_sum += *r;
    if (o.ok() && o.confidence >= c_.min_confidence) ++a.successes;
  }

 private:
  std::size_t draw(const DecisionContext& ctx, sim::RandomStream& s, std::vector<double>* out) {
    if (out) out->assign(ctx.size(), 0.0);
    const bool any = any_eligible(ctx);
    std::size_t best = 0;
    double best_value = -kInf;
    for (std::size_t i = 0; i < ctx.size(); ++i) {
      if (any && !ctx[i].eligible()) continue;
      const ArmStats& a = arms_.read(ctx.class_index, i);
      double v;
      if (c_.gaussian) {
        const double precision = 1.0 / (c_.prior_sd * c_.prior_sd) +
                                 static_cast<double>(a.pulls) / (c_.noise_sd * c_.noise_sd);
        const double mean = a.reward_sum / (c_.noise_sd * c_.noise_sd) / precision;
        v = mean + s.standard_normal() / std::sqrt(precision);
      } else {
        const double x =
            sim::sample_standard_gamma(s, c_.prior_alpha + static_cast<double>(a.successes));
        const double y = sim::sample_standard_gamma(
            s, c_.prior_beta + static_cast<double>(a.pulls - a.successes));
        v = x / (x + y);
      }
      if (out) (*out)[i] = v;
      if (v > best_value) {
        best_value = v;
        best = i;
      }
    }
    return best;
  }

  ArmTable arms_;
  ThompsonConfig c_;
  std::vector<double> scores_;
};

}  // namespace

void register_thompson(PolicyRegistry& r) {
  r.add({.name = "thompson",
         .summary = "Thompson sampling: Beta-Bernoulli on success, or Gaussian on the reward",
         .params = "model (bernoulli | gaussian), prior_alpha (1), prior_beta (1), "
                   "min_confidence (0), noise_sd (0.25), prior_sd (1), per_class (false), "
                   "reward {quality, signal, failure, cost_per_usd (0), latency_per_s}",
         .builtin = true},
        [](PolicyParams& p, NodeSpec& node) -> std::unique_ptr<RoutingPolicy> {
          ThompsonConfig c;
          static constexpr std::array<std::string_view, 2> kModels = {"bernoulli", "gaussian"};
          c.gaussian = p.choice("model", "bernoulli", kModels) == "gaussian";
          c.prior_alpha = p.number("prior_alpha", 1.0, {1e-6, 1e6});
          c.prior_beta = p.number("prior_beta", 1.0, {1e-6, 1e6});
          c.min_confidence = p.number("min_confidence", 0.0, {0.0, 1.0});
          c.noise_sd = p.number("noise_sd", 0.25, {1e-9, 1e6});
          c.prior_sd = p.number("prior_sd", 1.0, {1e-9, 1e6});
          const bool per_class = p.boolean("per_class", false);
          c.reward = Reward::read(p, 0.0);
          p.finish();
          return std::make_unique<Thompson>(
              node.size(), std::max<std::uint32_t>(1, node.class_count), per_class, c);
        });
}

}  // namespace orchsim::orchestration::policies
