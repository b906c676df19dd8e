// static: the first eligible candidate (the first of all when none is).
#include "orchestration/policies/builtin.hpp"
#include "orchestration/policies/candidate_scores.hpp"

namespace orchsim::orchestration::policies {
namespace {

class Static final : public RoutingPolicy {
 public:
  PolicyHooks hooks() const override {
    PolicyHooks h = hooks_of<Static>();
    h.first_eligible = true;  // choose() below, without side effects
    return h;
  }
  Choice choose(const DecisionContext& ctx) override {
    std::size_t c = 0;
    while (c < ctx.size() && !ctx[c].eligible()) ++c;
    if (c == ctx.size()) c = 0;
    if (!ctx.explain()) return {.candidate = c};
    scores_.resize(ctx.size());
    for (std::size_t i = 0; i < ctx.size(); ++i) scores_[i] = static_cast<double>(i);
    return {
        .candidate = c, .scores = scores_, .reason = Reason::format("first eligible candidate")};
  }

 private:
  std::vector<double> scores_;
};

}  // namespace

void register_static(PolicyRegistry& r) {
  r.add({.name = "static",
         .summary = "the first eligible candidate, in the order the node lists them",
         .params = "",
         .builtin = true},
        [](PolicyParams& p, NodeSpec&) -> std::unique_ptr<RoutingPolicy> {
          p.finish();
          return std::make_unique<Static>();
        });
}

}  // namespace orchsim::orchestration::policies
