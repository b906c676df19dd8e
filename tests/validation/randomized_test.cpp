// Property-based tests: random valid scenarios (random_scenario.hpp) go
// through the real loader, run with the invariant checker attached, and feed
// every metamorphic relation that applies to them (relations.hpp).
//
// A failure prints the seed and the whole scenario. To reproduce one seed:
//   ORCHSIM_RANDOM_SEED=<seed> build/dev/bin/validation_tests --gtest_filter='Randomized.*'
// (ORCHSIM_RANDOM_EVENTS=1 also prints every event of that run), and to try
// more scenarios than CI does:
//   ORCHSIM_RANDOM_SCENARIOS=5000 build/dev/bin/validation_tests --gtest_filter='Randomized.*'
// (docs/validation.md, "Randomized scenarios").
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <iostream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "tests/validation/random_scenario.hpp"
#include "tests/validation/relations.hpp"
#include "tests/validation/scenario_run.hpp"

namespace orchsim::validation::randomized_test {
namespace {

// CI runs this many scenarios, seeds 1 .. N: enough for every relation to
// apply many times and every feature to appear (GeneratorCoversEveryFeature),
// and a few seconds in the dev build.
constexpr std::uint64_t kScenariosInCi = 40;

std::vector<std::uint64_t> seeds() {
  if (const char* one = std::getenv("ORCHSIM_RANDOM_SEED"); one && *one) {
    return {std::stoull(one)};
  }
  std::uint64_t n = kScenariosInCi;
  if (const char* many = std::getenv("ORCHSIM_RANDOM_SCENARIOS"); many && *many) {
    n = std::stoull(many);
  }
  std::vector<std::uint64_t> out;
  for (std::uint64_t s = 1; s <= n; ++s) out.push_back(s);
  return out;
}

std::string reproduce(std::uint64_t seed, const Json& doc) {
  return fmt::format(
      "\nrandom scenario seed {} (reproduce: ORCHSIM_RANDOM_SEED={} "
      "build/dev/bin/validation_tests --gtest_filter='Randomized.*'):\n{}\n",
      seed, seed, doc.dump(2));
}

TEST(Randomized, ScenariosLoadRunAndKeepEveryInvariant) {
  std::uint64_t completed = 0;
  const std::vector<std::uint64_t> all = seeds();
  for (const std::uint64_t seed : all) {
    const Json doc = random_scenario(seed);
    // Reproducing one seed: show the scenario first, in case the run crashes.
    if (all.size() == 1) std::cout << reproduce(seed, doc) << std::flush;
    const ScenarioRun r = run_document(doc);
    // ... and, asked for, every event of the run.
    if (all.size() == 1 && std::getenv("ORCHSIM_RANDOM_EVENTS")) {
      for (const std::string& line : r.events) std::cout << line << '\n';
    }
    if (!r.ok()) {
      ADD_FAILURE() << r.error << reproduce(seed, doc);
      continue;
    }
    if (r.invariant_violation_count > 0) {
      std::string list;
      for (const std::string& v : r.invariant_violations) list += "\n  " + v;
      ADD_FAILURE() << r.invariant_violation_count << " invariant violations:" << list
                    << reproduce(seed, doc);
    }
    completed += r.result.completed;
  }
  // One scenario may fail every request; forty that all do would mean
  // the generator makes nothing that works.
  if (all.size() >= kScenariosInCi) {
    EXPECT_GT(completed, 0u) << "no random scenario completed a single request";
  }
}

TEST(Randomized, RelationsHoldOnRandomScenarios) {
  std::map<std::string, int> applied;
  const std::vector<std::uint64_t> all = seeds();
  for (const std::uint64_t seed : all) {
    const Json doc = random_scenario(seed);
    const ScenarioRun base = run_document(doc);  // the left side of most relations
    for (const Relation& relation : relations::for_any_scenario(seed)) {
      const Verdict v = evaluate(relation, doc, &base);
      applied[relation.name] += v.kind == Verdict::Kind::kHolds;
      if (v.kind == Verdict::Kind::kBroken) {
        ADD_FAILURE() << "relation " << relation.name << " broken: " << v.detail
                      << reproduce(seed, doc);
      }
    }
  }
  // A relation that never applies tests nothing: each must have held on a
  // share of the scenarios (the ones with the narrowest preconditions
  // apply least often).
  for (const auto& [name, n] : applied) {
    std::cout << "[randomized] " << name << " held on " << n << " of " << all.size()
              << " scenarios\n";
  }
  if (all.size() < kScenariosInCi) return;  // one seed being reproduced
  for (const Relation& relation : relations::for_any_scenario(0)) {
    EXPECT_GE(applied[relation.name], static_cast<int>(all.size() / 10))
        << relation.name << " applied to only " << applied[relation.name] << " of " << all.size()
        << " scenarios";
  }
}

// What a scenario document uses: every key, and "key=value" for strings.
void collect_features(const Json& j, std::set<std::string>& out) {
  if (j.is_array()) {
    for (const Json& x : j) collect_features(x, out);
    return;
  }
  if (!j.is_object()) return;
  for (auto it = j.begin(); it != j.end(); ++it) {
    out.insert(it.key());
    if (it.value().is_string()) out.insert(it.key() + "=" + it.value().get<std::string>());
    collect_features(it.value(), out);
  }
}

// What runs did: the metrics that were not zero, as "section.key".
void collect_happenings(const Json& m, std::set<std::string>& out) {
  const auto positive = [](const Json& v) { return v.is_number() && v.get<double>() > 0; };
  for (const char* key :
       {"hedges_launched", "retries_scheduled", "context_truncated", "context_summarized"}) {
    if (positive(m["events"][key])) out.insert(std::string("events.") + key);
  }
  for (const char* key : {"redirects", "fallbacks", "timeouts", "hedges", "retries"}) {
    if (positive(m["per_request"][key])) out.insert(std::string("per_request.") + key);
  }
  for (const auto& [key, v] : m["budget_exhausted"].items()) {
    if (positive(v)) out.insert("budget_exhausted." + key);
  }
  for (const Json& a : m["agents"]) {
    for (const auto& [key, v] : a["errors"].items()) {
      if (positive(v)) out.insert("errors." + key);
    }
    for (const auto& [key, v] : a["calls_ended"].items()) {
      if (positive(v)) out.insert("calls_ended." + key);
    }
    if (positive(a["breaker"]["transitions"])) out.insert("breaker.transitions");
  }
  for (const auto& [key, v] : m["requests"]["failed_by_cause"].items()) {
    out.insert("failed_by_cause." + key);
  }
  for (const auto& [key, v] : m["requests"]["completed_by_outcome"].items()) {
    out.insert("completed_by_outcome." + key);
  }
  if (positive(m["quality"]["silent_failure_rate"])) out.insert("quality.silent_failure_rate");
  if (positive(m["requests"]["in_flight"])) out.insert("requests.in_flight");
  if (positive(m["steady_state"]["excluded_warmup"])) out.insert("steady_state.excluded_warmup");
  for (const Json& w : m["sub_workflows"]) {
    if (positive(w["runs_started"])) out.insert("sub_workflows.runs");
    for (const auto& [key, v] : w["runs_ended"].items()) {
      if (positive(v)) out.insert("runs_ended." + key);
    }
  }
}

// The generator's coverage (random_scenario.hpp), checked on the scenarios
// CI runs: what they are made of, and what happened when they ran.
TEST(Randomized, GeneratorCoversEveryFeature) {
  std::set<std::string> features, happened;
  for (const std::uint64_t seed : seeds()) {
    const Json doc = random_scenario(seed);
    collect_features(doc, features);
    const ScenarioRun r = run_document(doc);
    if (r.ok()) collect_happenings(r.metrics, happened);
  }
  const std::vector<std::string> made_of = {
      // Distributions.
      "constant", "uniform", "exponential", "normal", "lognormal", "median", "mu", "stddev",
      "gamma", "weibull", "pareto", "bounded_pareto", "empirical", "empirical_cdf", "mixture",
      "shift", "truncate",
      // Agents.
      "context_window_tokens", "queue_capacity", "bulkhead_per_caller", "time_to_first_token_ms",
      "output_tokens_per_second", "prefill_ms_per_input_token", "slowdown_alpha", "transient_error",
      "permanent_error", "rate_limited", "hang", "silent_failure", "error_latency_fraction",
      "retry_after_ms", "difficulty_weight", "confidence_noise_sd", "usd_per_1k_input_tokens",
      "requests_per_minute", "tokens_per_minute", "kind=outage_fail", "kind=outage_hang",
      "kind=degraded", "judge", "labels",
      // Workloads.
      "poisson", "deterministic", "on_off", "piecewise_linear", "diurnal", "closed_loop",
      "think_time_ms", "deadline_ms", "difficulty",
      // Workflows.
      "system_prompt_tokens", "type=call", "type=gate", "type=fan_out", "type=join",
      "type=terminal", "branches", "map", "count_from_label", "policy=all", "policy=first_success",
      "policy=first_k", "policy=quorum", "policy=deadline", "merge=max", "merge=mean",
      "merge=union", "max_visits", "on_exhausted", "on_exhausted_outcome=fail",
      "on_exhausted_outcome=best_so_far", "on_failure", "on_branch_failure=fail_fast",
      "on_branch_failure=wait_all", "tolerated_failures", "tolerated_failure_percent",
      "max_concurrency",
      // Nesting.
      "workflows", "workflow", "timeout_ms", "retry_budget", "on_revisit", "from_visit", "agent",
      "set", "request", "output_tokens_factor",
      // Gate conditions.
      "always", "label_is", "confidence_below", "confidence_at_least", "verdict_pass",
      "verdict_fail", "last_failed", "error_is", "class_is", "cost_above_usd", "time_left_below_ms",
      "visits_at_least",
      // Call steps.
      "policy=static", "policy=round_robin", "policy=weighted_random", "policy=least_loaded",
      "policy=latency_ewma", "policy=p2c", "policy=cost_aware", "policy=linucb", "policy=cascade",
      "timeout_ms", "retry_on", "retry_on_timeout", "retry_on_invalid", "rules", "max_retries",
      "honour_retry_after", "preset=custom",
      "preset=temporal", "preset=step_functions", "preset=langgraph", "preset=grpc", "preset=envoy",
      "preset=polly", "shape=constant", "shape=linear", "shape=exponential", "shape=envoy",
      "jitter=none", "jitter=full", "jitter=equal", "jitter=decorrelated", "jitter=additive",
      "hedge", "validator", "fallback", "action=redirect", "action=decompose",
      "fit=truncate_oldest", "fit=drop_least_relevant", "fit=summarize", "fit=fail",
      "include_context", "output_segment=memory", "output_segment=document",
      "output_segment=tool_result", "output_relevance", "output_to_context", "input=evidence",
      "input=answer", "input=none", "judges_answer",
      // Resilience and run settings.
      "kind=unlimited", "kind=token_bucket", "kind=concurrency", "preset=resilience4j",
      "window=count", "window=time", "max_concurrency_per_agent", "warmup_s", "drain_s",
      "quality_threshold"};
  for (const std::string& f : made_of)
    EXPECT_TRUE(features.contains(f)) << "never generated: " << f;
  const std::vector<std::string> happenings = {"events.hedges_launched",
                                               "events.retries_scheduled",
                                               "events.context_truncated",
                                               "events.context_summarized",
                                               "per_request.redirects",
                                               "per_request.fallbacks",
                                               "per_request.timeouts",
                                               "budget_exhausted.retry_budget",
                                               "budget_exhausted.deadline",
                                               "budget_exhausted.loop_bound",
                                               "budget_exhausted.breaker_open",
                                               "errors.transient",
                                               "errors.rate_limited",
                                               "errors.permanent",
                                               "errors.context_overflow",
                                               "errors.overloaded",
                                               "errors.unavailable",
                                               "calls_ended.invalid",
                                               "calls_ended.timeout",
                                               "calls_ended.cancelled",
                                               "breaker.transitions",
                                               "failed_by_cause.loop_exhausted",
                                               "failed_by_cause.join_failed",
                                               "failed_by_cause.deadline_exceeded",
                                               "completed_by_outcome.best_so_far",
                                               "quality.silent_failure_rate",
                                               "requests.in_flight",
                                               "steady_state.excluded_warmup",
                                               "sub_workflows.runs",
                                               "runs_ended.success",
                                               "runs_ended.error",
                                               "runs_ended.timeout",
                                               "runs_ended.cancelled"};
  for (const std::string& h : happenings)
    EXPECT_TRUE(happened.contains(h)) << "never happened: " << h;
}

}  // namespace
}  // namespace orchsim::validation::randomized_test
