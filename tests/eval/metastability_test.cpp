// The metastability detector on runs whose story is known: retry_storm's
// 25 s degradation with unlimited nested retries never ends (the retries
// keep the backend saturated), with a token-bucket retry budget the backlog
// drains some seconds after the fault, and runs without a fault window have
// no trigger to outlive.
#include "eval/metastability.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "eval/report.hpp"
#include "eval/runner.hpp"
#include "scenarios/scenario.hpp"

namespace orchsim::eval::metastability_test {
namespace {

using namespace sim::literals;
using Overrides = std::vector<std::pair<std::string, std::string>>;

RunResult run(const std::string& name, const Overrides& overrides = {}) {
  scenarios::LoadOptions o;
  o.overrides = overrides;
  const scenarios::LoadResult loaded = scenarios::load_scenario(name, o);
  EXPECT_TRUE(loaded.ok()) << loaded.diagnostics.format();
  return run_scenario(*loaded.scenario, {});
}

const sim::Time k60s = sim::Time::zero() + 60_s, k85s = sim::Time::zero() + 85_s;

TEST(Metastability, ARetryStormWithoutABudgetOutlivesItsTriggerAndDoesNotRecover) {
  const RunResult r = run("retry_storm");
  const Metastability& m = r.metastability;
  ASSERT_EQ(m.episodes.size(), 1u);
  const MetastabilityEpisode& e = m.episodes[0];
  EXPECT_EQ(e.trigger.start, k60s);
  EXPECT_EQ(e.trigger.end, k85s);
  EXPECT_EQ(e.trigger.agents, std::vector<std::string>{"llm_backend"});
  ASSERT_TRUE(e.onset.has_value());
  EXPECT_GE(*e.onset, k60s - m.window);  // the window the fault starts in, or the next
  EXPECT_LT(*e.onset, k60s + m.window);
  EXPECT_TRUE(e.sustained);
  EXPECT_FALSE(e.recovery.has_value());
  EXPECT_TRUE(m.detected());
  // 2 calls a request before the fault; up to 20 with every retry taken.
  EXPECT_NEAR(m.baseline_calls_per_request, 2.0, 0.1);
  EXPECT_GT(e.peak_retry_amplification, 5.0);
  EXPECT_LE(e.peak_retry_amplification, 10.5);
}

TEST(Metastability, ATokenBucketLetsTheBacklogDrainAndTheRecoveryIsTimed) {
  const RunResult r = run("retry_storm", {{"/resilience/retry_budget/kind", "token_bucket"}});
  const Metastability& m = r.metastability;
  ASSERT_EQ(m.episodes.size(), 1u);
  const MetastabilityEpisode& e = m.episodes[0];
  ASSERT_TRUE(e.onset.has_value());
  EXPECT_TRUE(e.sustained);  // the queue outlives the fault by more than a window
  ASSERT_TRUE(e.recovery.has_value());
  EXPECT_TRUE(m.detected());
  const sim::Duration recovery = *e.recovery - e.trigger.end;
  EXPECT_GT(recovery, m.window);
  EXPECT_LT(recovery, 60_s);
  EXPECT_LT(e.peak_retry_amplification, 1.5);  // the budget stops the storm
}

TEST(Metastability, RagOrchestratedHasNoTriggerAndNothingIsDetected) {
  const RunResult r = run("rag_orchestrated");
  EXPECT_TRUE(r.metastability.episodes.empty());
  EXPECT_FALSE(r.metastability.detected());
  EXPECT_EQ(summary_line(r.metastability), "");
}

TEST(Metastability, LoadThatRisesAboveCapacityAndFallsIsNoTrigger) {
  // retry_storm's backend without its fault, the load rising from 16 to 24
  // requests/s (above the ~21/s its 48 servers serve) for 30 s and back.
  const RunResult r = run(
      "retry_storm",
      {{"/agents/0/faults", "[]"},
       {"/resilience/retry_budget/kind", "token_bucket"},
       {"/workload/arrivals",
        R"({"piecewise_linear": {"points": [[0, 16], [60, 16], [65, 24], [95, 24], [100, 16], [400, 16]]}})"}});
  const nlohmann::ordered_json m = r.metrics->to_json();
  EXPECT_GT(m["agents"][0]["max_queue_length"].get<int>(), 48);  // the load did overload it
  EXPECT_TRUE(r.metastability.episodes.empty());
  EXPECT_FALSE(r.metastability.detected());
}

TEST(Metastability, OverlappingFaultWindowsAreOneTrigger) {
  const RunResult r = run(
      "retry_storm", {{"/agents/0/faults",
                       R"([{"kind": "degraded", "start_s": 60, "end_s": 85, "latency_factor": 3.0},
                {"kind": "degraded", "start_s": 80, "end_s": 90, "latency_factor": 2.0}])"},
                      {"/resilience/retry_budget/kind", "token_bucket"}});
  ASSERT_EQ(r.metastability.episodes.size(), 1u);
  const Trigger& t = r.metastability.episodes[0].trigger;
  EXPECT_EQ(t.start, k60s);
  EXPECT_EQ(t.end, sim::Time::zero() + 90_s);
  EXPECT_EQ(t.agents, std::vector<std::string>{"llm_backend"});
}

TEST(Metastability, TheReportAndTheSummarySayIt) {
  const RunResult r = run("retry_storm");
  scenarios::LoadResult loaded = scenarios::load_scenario("retry_storm");
  const nlohmann::ordered_json report = make_report(*loaded.scenario, r);
  const auto& j = report["metastability"];
  EXPECT_EQ(j["detected"], true);
  EXPECT_EQ(j["window_ms"], r.metastability.window.milliseconds_f());
  ASSERT_EQ(j["episodes"].size(), 1u);
  EXPECT_EQ(j["episodes"][0]["trigger_start_ms"], 60000.0);
  EXPECT_EQ(j["episodes"][0]["trigger_end_ms"], 85000.0);
  EXPECT_EQ(j["episodes"][0]["recovered"], false);
  EXPECT_TRUE(j["episodes"][0]["recovery_ms"].is_null());
  std::ostringstream table;
  write_summary_table(table, *loaded.scenario, r);
  EXPECT_NE(table.str().find("Metastability  trigger 60.0-85.0 s (llm_backend): overload from"),
            std::string::npos);
  EXPECT_NE(table.str().find("did not recover"), std::string::npos);
}

}  // namespace
}  // namespace orchsim::eval::metastability_test
