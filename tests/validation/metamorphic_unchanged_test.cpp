// Metamorphic relations, part 1: settings that must change nothing, and two
// spellings of one behaviour. Each relation (relations.hpp) runs on a
// hand-written scenario that exercises it; most tests end with a control,
// the same relation pushed past its precondition, which must then see a
// difference (so the comparison is not vacuous). docs/validation.md has the
// table of relations and why each holds.
#include <gtest/gtest.h>

#include "tests/validation/metamorphic_scenarios.hpp"
#include "tests/validation/relations.hpp"

namespace orchsim::validation::metamorphic_unchanged_test {
namespace {

void expect_holds(const Relation& relation, const Json& doc) {
  const Verdict v = evaluate(relation, doc);
  EXPECT_EQ(v.kind, Verdict::Kind::kHolds) << relation.name << ": " << v.detail;
}

// The control: past its precondition the relation must see a difference.
void expect_broken(const Relation& relation, const Json& doc) {
  const Verdict v = evaluate(relation, doc);
  EXPECT_EQ(v.kind, Verdict::Kind::kBroken)
      << relation.name << " saw no difference where there is one (" << v.detail << ")";
}

TEST(Metamorphic, SameSeedTwiceIsTheSameRun) {
  expect_holds(relations::same_seed_twice(), bases::pipeline());
  // Control: another seed is another run.
  Json other = bases::pipeline();
  other["run"]["seed"] = 12;
  const ScenarioRun a = run_document(bases::pipeline());
  const ScenarioRun b = run_document(other);
  EXPECT_EQ(same_run(a, b).kind, Verdict::Kind::kBroken);
}

TEST(Metamorphic, AHedgeWhoseDelayExceedsEveryLatencyChangesNothing) {
  expect_holds(relations::hedge_never_fires(), bases::pipeline());
  expect_holds(relations::hedge_never_fires(), bases::fan_out("all"));
  expect_broken(relations::hedge_never_fires(/*delay_ms=*/100), bases::pipeline());
}

TEST(Metamorphic, ATimeoutLongerThanEveryCallChangesNothing) {
  expect_holds(relations::timeout_never_fires(), bases::pipeline());
  expect_broken(relations::timeout_never_fires(/*timeout_ms=*/200), bases::pipeline());
}

TEST(Metamorphic, ADeadlineNoRequestReachesChangesNothing) {
  expect_holds(relations::deadline_never_reached(), bases::pipeline());
  expect_broken(relations::deadline_never_reached(/*deadline_ms=*/400), bases::pipeline());
}

TEST(Metamorphic, ATimeBudgetNoStepExceedsChangesNothing) {
  expect_holds(relations::time_budget_never_reached(), bases::pipeline());
  expect_broken(relations::time_budget_never_reached(/*budget_ms=*/100), bases::pipeline());
}

TEST(Metamorphic, AVisitBoundNoRequestReachesChangesNothing) {
  expect_holds(relations::max_visits_never_reached(), bases::pipeline());
  // Control: the critic loop visits generate more than once; a bound of one cuts it.
  expect_broken(relations::max_visits_never_reached(/*bound=*/1), bases::pipeline());
}

TEST(Metamorphic, AValidatorThatNeverFlagsIsNoValidator) {
  expect_holds(relations::validator_never_flags(), bases::pipeline());
  expect_broken(relations::validator_never_flags(/*true_positive_rate=*/1), bases::pipeline());
}

TEST(Metamorphic, ABreakerThatNeverOpensChangesNothing) {
  expect_holds(relations::breaker_never_opens(), bases::pipeline());
  expect_broken(relations::breaker_never_opens(/*minimum_calls=*/5), bases::pipeline());
}

TEST(Metamorphic, RateLimitsNeverReachedChangeNothing) {
  // The pipeline's agents see a few hundred calls and well under 10^7 tokens.
  expect_holds(relations::rate_limits_never_reached(150'000'000, /*tokens_too=*/true),
               bases::pipeline());
  expect_broken(relations::rate_limits_never_reached(/*per_minute=*/30), bases::pipeline());
}

TEST(Metamorphic, BulkheadsAndQueueCapsNeverFullChangeNothing) {
  expect_holds(relations::bulkheads_never_full(), bases::pipeline());
  expect_broken(relations::bulkheads_never_full(/*size=*/1), bases::pipeline());
}

TEST(Metamorphic, ARetryBudgetThatAlwaysAdmitsIsNoBudget) {
  expect_holds(relations::retry_budget_never_binding(), bases::pipeline());
  // Control: 0% of active requests and no floor admits no retry at all.
  expect_broken(relations::retry_budget_never_binding(/*floor=*/0), bases::pipeline());
}

TEST(Metamorphic, ADegradationThatDegradesNothingChangesNothing) {
  expect_holds(relations::neutral_degradation(), bases::pipeline());
  expect_broken(relations::neutral_degradation(/*latency_factor=*/2), bases::pipeline());
  expect_broken(relations::neutral_degradation(1, /*extra_error_rate=*/0.2), bases::pipeline());
}

TEST(Metamorphic, AnOutageAfterTheRunChangesNothing) {
  expect_holds(relations::outage_after_the_run(), bases::pipeline());
  expect_broken(relations::outage_after_the_run(/*start_s=*/5), bases::pipeline());
}

TEST(Metamorphic, AnUnusedAgentAddsOnlyItsOwnEmptyRow) {
  expect_holds(relations::unused_agent(), bases::pipeline());
  expect_holds(relations::unused_agent(), bases::fan_out("quorum"));
}

TEST(Metamorphic, WithoutFailuresOneOrThreeAttemptsAreTheSameRun) {
  expect_holds(relations::retries_without_failures(3), bases::pipeline());
  expect_holds(relations::retries_without_failures(3), bases::fan_out("all"));
  // Control: with its failures, the pipeline does retry.
  Json once = bases::pipeline(), thrice = bases::pipeline();
  once["workflow"]["nodes"][1]["retry"]["max_attempts"] = 1;
  EXPECT_EQ(same_run(run_document(once), run_document(thrice)).kind, Verdict::Kind::kBroken);
}

TEST(Metamorphic, EveryFitPolicyIsTheSameWhenEverythingFits) {
  for (const char* fit : {"drop_least_relevant", "summarize", "fail"}) {
    SCOPED_TRACE(fit);
    expect_holds(relations::fit_policy_with_ample_windows(fit), bases::pipeline());
    // Control: with windows that some contexts exceed, the policies differ.
    expect_broken(relations::fit_policy_with_ample_windows(fit, /*window=*/1500),
                  bases::pipeline());
  }
}

TEST(Metamorphic, GateRulesThatCannotMatchChangeNothing) {
  expect_holds(relations::never_matching_gate_rules(), bases::pipeline());
  // Control: "confidence below 1" matches nearly always.
  expect_broken(relations::never_matching_gate_rules(/*confidence_below=*/1), bases::pipeline());
}

TEST(Metamorphic, WeightedRandomWithWeightsOneAndZeroIsStatic) {
  expect_holds(relations::weighted_one_zero_is_static(), bases::pipeline());
  expect_broken(relations::weighted_one_zero_is_static(/*second_weight=*/1), bases::pipeline());
}

TEST(Metamorphic, JoinPoliciesSpelledAsFirstKAreTheSame) {
  // all = first_k(n), first_success = first_k(1), quorum = first_k(n/2 + 1),
  // with branches that fail: each decides at the same event.
  for (const char* policy : {"all", "first_success", "quorum"}) {
    SCOPED_TRACE(policy);
    expect_holds(relations::join_policy_spellings(), bases::fan_out(policy));
  }
  // Control: first_k(n - 1) is not all.
  const ScenarioRun all = run_document(bases::fan_out("all"));
  const ScenarioRun four_of_five = run_document(bases::fan_out("first_k", 4));
  EXPECT_EQ(same_run(all, four_of_five).kind, Verdict::Kind::kBroken);
}

TEST(Metamorphic, ADeadlineJoinNoBranchOutlastsIsAllWhenNoBranchFails) {
  // Without failures, a join that waits for every branch or for a deadline
  // none reaches ends at the same event. (With a failure, "all" gives up at
  // once and "deadline" waits for the others: not the same.)
  Json all = bases::fan_out("all"), deadline = bases::fan_out("deadline");
  for (Json* doc : {&all, &deadline}) (*doc)["agents"][1].erase("outcomes");
  expect_holds({"deadline_join_is_all",
                [&](const Json&) {
                  return std::optional<ScenarioPair>({all, deadline});
                },
                [](const ScenarioRun& l, const ScenarioRun& r) { return same_run(l, r); }},
               Json());
  // Control: with failures they differ.
  EXPECT_EQ(
      same_run(run_document(bases::fan_out("all")), run_document(bases::fan_out("deadline"))).kind,
      Verdict::Kind::kBroken);
}

TEST(Metamorphic, TheOrderAgentsAreListedInChangesNothing) {
  expect_holds(relations::agent_order_is_irrelevant(), bases::pipeline());
  expect_holds(relations::agent_order_is_irrelevant(), bases::fan_out("first_k", 2));
  // Control: an agent's draws are keyed by its name, so renaming one is a
  // different world (while reordering is not).
  Json renamed = bases::pipeline();
  renamed["agents"][1]["name"] = "generator2";
  renamed["workflow"]["nodes"][1]["agents"][0] = "generator2";
  EXPECT_EQ(same_run(run_document(bases::pipeline()), run_document(renamed)).kind,
            Verdict::Kind::kBroken);
}

TEST(Metamorphic, AGateThatOnlyPassesAddsOnlyEdges) {
  expect_holds(relations::pass_through_gate_adds_only_edges(), bases::pipeline());
  expect_holds(relations::pass_through_gate_adds_only_edges(), bases::fan_out("all"));
}

TEST(Metamorphic, TheQualityThresholdMovesOnlyThePassRates) {
  for (const double threshold : {0.0, 0.3, 0.7, 0.71, 1.0}) {
    SCOPED_TRACE(threshold);
    expect_holds(relations::quality_threshold_moves_only_pass_rates(threshold), bases::pipeline());
  }
}

TEST(Metamorphic, AWarmupChangesWhatIsCountedNotWhatHappens) {
  expect_holds(relations::warmup_changes_no_event(5), bases::pipeline());
  expect_holds(relations::warmup_changes_no_event(30), bases::fan_out("all"));
}

TEST(Metamorphic, DoubledPricesDoubleEveryCostExactly) {
  expect_holds(relations::prices_doubled_double_every_cost(), bases::pipeline());
  expect_holds(relations::prices_doubled_double_every_cost(), bases::fan_out("quorum"));
  // The relation does not apply where a decision reads a cost...
  // (a request that has spent more than ~ its median cost skips the critic's loop)
  Json reads_cost = bases::pipeline();
  Json& rules = reads_cost["workflow"]["nodes"][3]["rules"];
  const Json rule = {{"if", {{"cost_above_usd", 0.006}}}, {"then", "done"}};
  rules.insert(rules.begin(), rule);
  EXPECT_EQ(evaluate(relations::prices_doubled_double_every_cost(), reads_cost).kind,
            Verdict::Kind::kNotApplicable);
  // ... because there doubled prices change what happens.
  Json doubled = reads_cost;
  for (Json& a : doubled["agents"]) {
    for (const char* key : {"usd_per_1k_input_tokens", "usd_per_1k_output_tokens"}) {
      if (a["tokens"].contains(key)) a["tokens"][key] = 2 * a["tokens"][key].get<double>();
    }
  }
  const ScenarioRun a = run_document(reads_cost), b = run_document(doubled);
  EXPECT_NE(lines_difference(a.events, b.events), "");
}

TEST(Metamorphic, WhenRequestsShareNothingTheirArrivalTimesChangeNothingForThem) {
  // The relation takes away all that requests share (queues, load-aware
  // routing, breakers, budgets, limits, faults): then each request meets the
  // same world whether it arrives among others or alone.
  Json weighted = bases::pipeline();
  weighted["workflow"]["nodes"][1]["routing"] = {{"policy", "weighted_random"},
                                                 {"weights", {3, 1}}};
  expect_holds(relations::arrival_times_do_not_change_requests(), weighted);
  expect_holds(relations::arrival_times_do_not_change_requests(/*interval_ms=*/20),
               bases::fan_out("first_success"));
  // Control: on one server requests queue behind each other, and what each
  // went through depends on when it came.
  Json queued = bases::pipeline();
  queued["agents"][1]["servers"] = 1;
  Json spaced = queued;
  spaced["workload"]["arrivals"] = {{"deterministic", {{"interval_ms", 1e7}}}};
  EXPECT_NE(per_request_events(run_document(queued).events),
            per_request_events(run_document(spaced).events));
}

}  // namespace
}  // namespace orchsim::validation::metamorphic_unchanged_test
