// Metamorphic relations: two runs with the same seed that must agree, because
// of common random numbers (every draw is keyed by what it is about,
// docs/design.md) and because of what the docs promise a setting does.
//
// A relation makes the two scenarios from one (a JSON document), runs both
// through the real loader with the invariant checker attached, and compares
// them. The same relation runs on hand-written scenarios
// (metamorphic_*_test.cpp, each with a control showing it can fail) and on
// random ones (randomized_test.cpp); docs/validation.md has the table.
//
//   const Relation r = relations::hedge_never_fires();
//   const Verdict v = evaluate(r, scenario_document);
//   EXPECT_EQ(v.kind, Verdict::Kind::kHolds) << v.detail;
//
// "The same run" means: the same events (EventRecorder lines) and the same
// metrics JSON, but for the keys a relation names as legitimately different.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "tests/validation/scenario_run.hpp"

namespace orchsim::validation {

struct Verdict {
  enum class Kind { kHolds, kBroken, kNotApplicable };
  Kind kind = Kind::kHolds;
  std::string detail;  // what broke, or why the relation did not apply
};

// The two scenarios a relation compares.
struct ScenarioPair {
  Json left, right;
};

struct Relation {
  std::string name;
  // The pair made from a scenario, or nullopt when the relation says nothing
  // about it (e.g. prices scale costs only if no decision reads a cost).
  std::function<std::optional<ScenarioPair>(const Json& doc)> make;
  // Compares the two runs, both loaded, run and free of invariant violations.
  std::function<Verdict(const ScenarioRun& left, const ScenarioRun& right)> check;
};

// Makes the pair, runs both sides, and checks them. A side that does not
// load, throws or breaks an invariant breaks the relation. `doc_run`, when
// given, is a run of `doc` itself, reused for a left side equal to `doc`
// (most relations change only the right side).
Verdict evaluate(const Relation& relation, const Json& doc, const ScenarioRun* doc_run = nullptr);

// The same run: the same events, the same money on each, and the same
// metrics but for the pointers in `ignored` (json_difference's patterns).
Verdict same_run(const ScenarioRun& left, const ScenarioRun& right,
                 const std::vector<std::string>& ignored = {});

// "Never" for times: longer than any run here lasts (about three years).
inline constexpr double kNeverMs = 1e11;

namespace relations {

// Settings that must change nothing (the same run, byte for byte).
Relation same_seed_twice();
Relation hedge_never_fires(double delay_ms = kNeverMs);
Relation timeout_never_fires(double timeout_ms = kNeverMs);
Relation deadline_never_reached(double deadline_ms = kNeverMs);
Relation time_budget_never_reached(double budget_ms = kNeverMs);
Relation max_visits_never_reached(std::int64_t bound = 1'000'000);
Relation validator_never_flags(double true_positive_rate = 0, double false_positive_rate = 0);
Relation breaker_never_opens(std::int64_t minimum_calls = 1'000'000'000);
// Tokens per minute too only where the test knows the tokens a run takes
// (a bucket is charged a call's whole drawn output, billed or not).
Relation rate_limits_never_reached(std::int64_t per_minute = 150'000'000, bool tokens_too = false);
Relation bulkheads_never_full(std::int64_t size = 1'000'000);
Relation retry_budget_never_binding(std::int64_t floor = 10'000'000);
Relation neutral_degradation(double latency_factor = 1, double extra_error_rate = 0);
Relation outage_after_the_run(double start_s = kNeverMs / 1000);
Relation unused_agent();
Relation retries_without_failures(int max_attempts = 3);
Relation fit_policy_with_ample_windows(const std::string& fit,
                                       std::int64_t window = 1'000'000'000'000);
Relation never_matching_gate_rules(double confidence_below = 0);

// Two spellings of one behaviour.
Relation weighted_one_zero_is_static(double second_weight = 0);
Relation join_policy_spellings();
Relation agent_order_is_irrelevant();
Relation pass_through_gate_adds_only_edges();

// Settings that change only what they are about.
Relation quality_threshold_moves_only_pass_rates(double threshold);
Relation warmup_changes_no_event(double warmup_s);
Relation prices_doubled_double_every_cost(double factor = 2);
Relation arrival_times_do_not_change_requests(double interval_ms = 1e7);

// Every relation above that can be tried on any scenario, with the
// parameters the randomized test uses (`pick` varies the choices: the fit
// policy compared, the threshold, ...).
std::vector<Relation> for_any_scenario(std::uint64_t pick);

}  // namespace relations
}  // namespace orchsim::validation
