#include "tests/validation/relations.hpp"

#include <fmt/format.h>

#include "tests/validation/relation_support.hpp"

namespace orchsim::validation {

Verdict same_run(const ScenarioRun& left, const ScenarioRun& right,
                 const std::vector<std::string>& ignored) {
  if (std::string d = lines_difference(left.events, right.events); !d.empty()) {
    return relations::broken("the events differ: " + d);
  }
  for (std::size_t i = 0; i < left.costs.size(); ++i) {
    if (!relations::same_cost(left.costs[i], right.costs[i])) {
      return relations::broken(fmt::format("event {} costs {} against {}: {}", i, left.costs[i],
                                           right.costs[i], left.events[i]));
    }
  }
  if (std::string d = json_difference(left.metrics, right.metrics, ignored); !d.empty()) {
    return relations::broken("the metrics differ at " + d);
  }
  return relations::holds();
}

Verdict evaluate(const Relation& relation, const Json& doc, const ScenarioRun* doc_run) {
  const std::optional<ScenarioPair> pair = relation.make(doc);
  if (!pair) return relations::not_applicable("not made for this scenario");
  std::optional<ScenarioRun> own;
  if (doc_run == nullptr || pair->left != doc) own.emplace(run_document(pair->left));
  const ScenarioRun& left = own ? *own : *doc_run;
  if (!left.ok()) return relations::broken("left side: " + left.error);
  const ScenarioRun right = run_document(pair->right);
  if (!right.ok()) return relations::broken("right side: " + right.error);
  for (const ScenarioRun* side : {&left, &right}) {
    if (side->invariant_violation_count > 0) {
      return relations::broken(
          fmt::format("{} side breaks {} invariants, first: {}", side == &left ? "left" : "right",
                      side->invariant_violation_count, side->invariant_violations.front()));
    }
  }
  return relation.check(left, right);
}

namespace relations {

std::vector<Relation> for_any_scenario(std::uint64_t pick) {
  static const char* const kFits[] = {"drop_least_relevant", "summarize", "fail"};
  return {same_seed_twice(),
          hedge_never_fires(),
          timeout_never_fires(),
          deadline_never_reached(),
          time_budget_never_reached(),
          max_visits_never_reached(),
          validator_never_flags(),
          breaker_never_opens(),
          rate_limits_never_reached(),
          bulkheads_never_full(),
          retry_budget_never_binding(),
          neutral_degradation(),
          outage_after_the_run(),
          unused_agent(),
          retries_without_failures(),
          fit_policy_with_ample_windows(kFits[pick % 3]),
          never_matching_gate_rules(),
          weighted_one_zero_is_static(),
          join_policy_spellings(),
          agent_order_is_irrelevant(),
          pass_through_gate_adds_only_edges(),
          quality_threshold_moves_only_pass_rates(pick % 2 == 0 ? 0.3 : 0.95),
          warmup_changes_no_event(5.0 + static_cast<double>(pick % 7)),
          prices_doubled_double_every_cost(),
          arrival_times_do_not_change_requests()};
}

}  // namespace relations
}  // namespace orchsim::validation
