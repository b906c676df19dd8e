// weighted_random: draws a candidate with probability proportional to its
// weight, among the eligible ones.
#include <fmt/format.h>

#include <algorithm>

#include "orchestration/policies/builtin.hpp"
#include "orchestration/policies/candidate_scores.hpp"

namespace orchsim::orchestration::policies {
namespace {

class WeightedRandom final : public RoutingPolicy {
 public:
  PolicyHooks hooks() const override { return hooks_of<WeightedRandom>(); }
  explicit WeightedRandom(std::vector<double> w) : weights_(std::move(w)) {}

  Choice choose(const DecisionContext& ctx) override {
    const std::size_t n = ctx.size();
    // Draw among the eligible candidates by weight. If none is eligible, among
    // all of them; if the eligible ones all weigh nothing, among those evenly
    // (an ineligible candidate is never chosen while an eligible one exists).
    bool any_eligible = false;
    double eligible_total = 0;
    for (std::size_t i = 0; i < n; ++i) {
      if (!ctx[i].eligible()) continue;
      any_eligible = true;
      eligible_total += std::max(0.0, weight_of(i));
    }
    const bool even = any_eligible && !(eligible_total > 0);
    const auto in_pool = [&](std::size_t i) { return !any_eligible || ctx[i].eligible(); };
    const auto weight = [&](std::size_t i) { return even ? 1.0 : std::max(0.0, weight_of(i)); };
    double total = 0;
    for (std::size_t i = 0; i < n; ++i) total += in_pool(i) ? weight(i) : 0.0;
    double u = ctx.random().uniform01() * total;
    std::size_t pick = n;
    std::size_t last = n;  // the last one that can be drawn: u can round up to the top
    for (std::size_t i = 0; i < n; ++i) {
      if (!in_pool(i) || !(weight(i) > 0)) continue;
      last = i;
      if (pick == n && u < weight(i)) pick = i;
      u -= weight(i);
    }
    double probability = 1.0;  // every weight zero: the last candidate, deterministically
    if (pick == n) pick = last == n ? n - 1 : last;  // u rounded up past the top: the last
    if (last != n) probability = weight(pick) / total;
    if (!ctx.explain()) return {.candidate = pick, .probability = probability};
    scores_.resize(n);
    for (std::size_t i = 0; i < n; ++i) scores_[i] = weight_of(i);
    return {.candidate = pick,
            .probability = probability,
            .scores = scores_,
            .reason = even ? Reason::format("eligible candidates weigh nothing: drawn evenly")
                           : Reason::format("drawn by weight")};
  }

 private:
  double weight_of(std::size_t i) const { return i < weights_.size() ? weights_[i] : 0.0; }
  std::vector<double> weights_;
  std::vector<double> scores_;
};

}  // namespace

void register_weighted_random(PolicyRegistry& r) {
  r.add({.name = "weighted_random",
         .summary = "a random candidate, drawn with probability proportional to its weight",
         .params = "weights (one number >= 0 per agent; required)",
         .builtin = true},
        [](PolicyParams& p, NodeSpec& node) -> std::unique_ptr<RoutingPolicy> {
          std::vector<double> w = p.numbers("weights", {0.0, kInf});
          if (!p.has("weights")) {
            p.problem("weights", "missing, expected an array of numbers, one per agent");
          } else if (w.size() != node.size()) {
            p.problem("weights", fmt::format("found {} weights, expected one per agent ({})",
                                             w.size(), node.size()));
          }
          p.finish();
          return std::make_unique<WeightedRandom>(std::move(w));
        });
}

}  // namespace orchsim::orchestration::policies
