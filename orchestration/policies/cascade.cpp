// cascade: cheap-first escalation (FrugalGPT). The first attempt of a step
// goes to the first tier; an answer whose confidence is below
// accept_confidence is declined (accepts() returns false) and the step asks
// again, getting the next tier. The last tier's answer is always accepted.
// Every tier called is paid for. Tiers that the node does not list among its
// agents are added to its candidates.
#include <fmt/format.h>

#include "orchestration/policies/builtin.hpp"
#include "orchestration/policies/candidate_scores.hpp"

namespace orchsim::orchestration::policies {
namespace {

class Cascade final : public RoutingPolicy {
 public:
  PolicyHooks hooks() const override { return hooks_of<Cascade>(); }
  Cascade(std::vector<std::size_t> tiers, double accept)
      : tiers_(std::move(tiers)), accept_(accept) {}

  Choice choose(const DecisionContext& ctx) override {
    const std::size_t tier = std::min<std::size_t>(ctx.escalations, tiers_.size() - 1);
    if (!ctx.explain()) return {.candidate = tiers_[tier]};
    return {.candidate = tiers_[tier],
            .reason = ctx.kind == AttemptKind::kCascade
                          ? Reason::format("confidence {:.3f} < {:.3f}: escalate to tier {}",
                                           declined_, accept_, tier)
                          : Reason::format("tier {} of {} (cheapest first)", tier, tiers_.size())};
  }

  bool accepts(const AttemptOutcome& o) override {
    if (o.confidence >= accept_ || o.escalations + 1 >= tiers_.size()) return true;
    declined_ = o.confidence;
    return false;
  }

 private:
  std::vector<std::size_t> tiers_;
  double accept_;
  double declined_ = 0.0;  // the confidence just declined, for the next reason
};

}  // namespace

void register_cascade(PolicyRegistry& r) {
  r.add({.name = "cascade",
         .summary = "cheap tiers first: escalate while the answer's confidence is below "
                    "accept_confidence (FrugalGPT); every tier called is paid for",
         .params = "tiers (agent names, cheapest first; required), accept_confidence (0.7)",
         .builtin = true},
        [](PolicyParams& p, NodeSpec& node) -> std::unique_ptr<RoutingPolicy> {
          std::vector<std::size_t> tiers = p.candidate_list("tiers", node, /*add_missing=*/true);
          const double accept = p.number("accept_confidence", 0.7, {0.0, 1.0});
          if (!p.has("tiers")) {
            p.problem("tiers", "missing, expected the cascade's agents, cheapest first");
          } else if (tiers.empty() && p.ok()) {
            p.problem("tiers",
                      "found an empty array, expected the cascade's agents, cheapest first");
          }
          p.finish();
          if (tiers.empty()) tiers.push_back(0);  // only when reporting problems
          return std::make_unique<Cascade>(std::move(tiers), accept);
        });
}

}  // namespace orchsim::orchestration::policies
