// Ordered retry rules (RetryConfig::rules, Step Functions' retriers): the
// first rule that matches a failure decides, each rule keeps its own retry
// count and backoff, and a failure no rule matches is not retried. Also
// honour_retry_after: false, where the backoff alone sets the delay.
#include <gtest/gtest.h>

#include <map>

#include "orchestration/backoff.hpp"
#include "tests/orchestration/harness.hpp"

namespace orchsim::orchestration::retry_rules_test {
namespace {

using namespace sim::literals;
using mock_agents::ErrorKind;
using mock_agents::MockAgentConfig;
using testing::call_node;
using testing::Harness;
using testing::terminal;

MockAgentConfig failing(double transient, double rate_limited, double permanent = 0.0) {
  MockAgentConfig c;
  c.name = "flaky";
  c.servers = 1000;
  c.latency.base_ms = sim::Distribution::constant(10);
  c.outcomes.transient_error = transient;
  c.outcomes.rate_limited = rate_limited;
  c.outcomes.permanent_error = permanent;
  c.outcomes.error_latency_fraction = 1.0;
  c.outcomes.spontaneous_retry_after = sim::Duration::seconds(30);
  return c;
}

RetryRule rule(std::vector<ErrorKind> on, std::uint32_t max_retries, BackoffPolicy backoff) {
  RetryRule r;
  r.retry_on = std::move(on);
  r.max_retries = max_retries;
  r.backoff = backoff;
  return r;
}

BackoffPolicy constant(sim::Duration d) {
  return {BackoffShape::kConstant, Jitter::kNone, d, sim::Duration::max(), 1.0};
}
BackoffPolicy exponential(sim::Duration base, double multiplier) {
  return {BackoffShape::kExponential, Jitter::kNone, base, sim::Duration::max(), multiplier};
}

Workflow one_step(RetryConfig retry) {
  Workflow wf;
  wf.nodes = {call_node("step", {0}, 1), terminal("answered")};
  wf.nodes[0].call.retry = std::move(retry);
  return wf;
}

TEST(RetryRules, EachRuleCountsItsOwnRetriesWithItsOwnBackoff) {
  RetryConfig rc;
  rc.honour_retry_after = false;
  rc.rules = {rule({ErrorKind::kTransient}, 2, constant(100_ms)),
              rule({ErrorKind::kRateLimited}, 5, exponential(1_s, 2.0))};
  Harness h({failing(0.5, 0.5)}, one_step(rc));
  h.submit_every(400, 1_s, 100);
  h.run();
  std::map<RequestId, int> transient, limited;
  for (const RetryScheduled& e : h.obs.retries) {
    if (e.after_error == ErrorKind::kTransient) {
      EXPECT_EQ(e.delay, 100_ms);
      ++transient[e.request];
    } else {
      ASSERT_EQ(e.after_error, ErrorKind::kRateLimited);
      // The rule's own n: 1 s, 2 s, 4 s, ... whatever the other rule did,
      // and never the provider's 30 s retry-after.
      EXPECT_EQ(e.delay, sim::Duration::seconds(1) * (1 << limited[e.request]));
      ++limited[e.request];
    }
  }
  int most_transient = 0, most_limited = 0, both = 0;
  for (const auto& [request, n] : transient) {
    EXPECT_LE(n, 2);
    most_transient = std::max(most_transient, n);
    if (limited.contains(request)) ++both;
  }
  for (const auto& [request, n] : limited) {
    EXPECT_LE(n, 5);
    most_limited = std::max(most_limited, n);
  }
  // The limits are reached, and counted apart within one step.
  EXPECT_EQ(most_transient, 2);
  EXPECT_EQ(most_limited, 5);
  EXPECT_GT(both, 0);
  // A request that failed ran out of one rule: its last failure's.
  EXPECT_GT(h.orch->failed(), 0u);
}

TEST(RetryRules, TheFirstMatchingRuleDecidesAndZeroMeansNever) {
  RetryConfig rc;
  rc.rules = {rule({ErrorKind::kTransient}, 0, constant(100_ms)),
              rule({ErrorKind::kTransient, ErrorKind::kRateLimited}, 3, constant(100_ms))};
  Harness h({failing(1.0, 0.0)}, one_step(rc));
  h.submit_every(20, 1_s, 100);
  h.run();
  EXPECT_TRUE(h.obs.retries.empty());  // rule 0 takes transient and never retries it
  EXPECT_EQ(h.obs.started.size(), 20u);
  EXPECT_EQ(h.orch->failed(), 20u);
}

TEST(RetryRules, AFailureNoRuleMatchesIsNotRetried) {
  RetryConfig rc;
  rc.rules = {rule({ErrorKind::kRateLimited}, 3, constant(100_ms))};
  Harness h({failing(0.0, 0.0, 1.0)}, one_step(rc));
  h.submit_every(20, 1_s, 100);
  h.run();
  EXPECT_TRUE(h.obs.retries.empty());
  EXPECT_EQ(h.orch->failed(), 20u);
}

TEST(RetryRules, HonouringRetryAfterWaitsForIt) {
  RetryConfig rc;
  rc.max_attempts = 2;
  rc.backoff = constant(100_ms);
  rc.retry_on = {ErrorKind::kRateLimited};
  for (const bool honour : {true, false}) {
    rc.honour_retry_after = honour;
    Harness h({failing(0.0, 1.0)}, one_step(rc));
    h.submit_every(5, 1_s, 100);
    h.run();
    ASSERT_EQ(h.obs.retries.size(), 5u);
    for (const RetryScheduled& e : h.obs.retries) {
      EXPECT_EQ(e.delay, honour ? sim::Duration::seconds(30) : 100_ms) << honour;
    }
  }
}

}  // namespace
}  // namespace orchsim::orchestration::retry_rules_test
