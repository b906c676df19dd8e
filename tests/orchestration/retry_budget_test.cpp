// Retry budgets: gRPC retry throttling (token bucket, thousandths of a token)
// and Envoy's retry budget (retries in flight <= max(percent of active, floor)).
#include "orchestration/retry_budget.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <stdexcept>

namespace orchsim::orchestration::retry_budget_test {
namespace {

// ---- gRPC token bucket ----

TEST(RetryBudgetGrpc, StartsFullAndAllowsRetries) {
  RetryBudget b(RetryBudgetConfig::grpc(10, 0.1));
  EXPECT_EQ(b.tokens(), 10.0);
  EXPECT_TRUE(b.allow_retry());
}

TEST(RetryBudgetGrpc, EachFailureTakesOneTokenAndRetriesStopAtHalf) {
  RetryBudget b(RetryBudgetConfig::grpc(10, 0.1));
  for (int i = 1; i <= 4; ++i) {
    b.on_failure();
    EXPECT_EQ(b.tokens(), 10.0 - i);
    EXPECT_TRUE(b.allow_retry()) << "after " << i << " failures";
  }
  b.on_failure();  // 5 tokens: not > 10/2
  EXPECT_EQ(b.tokens(), 5.0);
  EXPECT_FALSE(b.allow_retry());
}

TEST(RetryBudgetGrpc, OneSuccessAboveHalfReopensRetries) {
  RetryBudget b(RetryBudgetConfig::grpc(10, 0.1));
  for (int i = 0; i < 5; ++i) b.on_failure();
  ASSERT_FALSE(b.allow_retry());
  b.on_success();  // 5.1 > 5
  EXPECT_EQ(b.tokens(), 5.1);
  EXPECT_TRUE(b.allow_retry());
  b.on_failure();  // 4.1
  EXPECT_EQ(b.tokens(), 4.1);
  EXPECT_FALSE(b.allow_retry());
}

TEST(RetryBudgetGrpc, TokensAreExactThousandthsWithoutDrift) {
  // Ten successes of 0.1 must add exactly one token (no floating-point drift).
  RetryBudget b(RetryBudgetConfig::grpc(10, 0.1));
  for (int i = 0; i < 6; ++i) b.on_failure();  // 4
  for (int i = 0; i < 10; ++i) b.on_success();
  EXPECT_EQ(b.tokens(), 5.0);
  EXPECT_FALSE(b.allow_retry());  // exactly half is not enough
  b.on_success();
  EXPECT_EQ(b.tokens(), 5.1);
  EXPECT_TRUE(b.allow_retry());
}

TEST(RetryBudgetGrpc, SuccessesAreCappedAtMaxTokens) {
  RetryBudget b(RetryBudgetConfig::grpc(3, 0.8));
  b.on_success();
  EXPECT_EQ(b.tokens(), 3.0);
  b.on_failure();
  b.on_success();  // 2 + 0.8
  EXPECT_EQ(b.tokens(), 2.8);
  b.on_success();  // 3.6 -> capped
  EXPECT_EQ(b.tokens(), 3.0);
}

TEST(RetryBudgetGrpc, FailuresNeverTakeTokensBelowZero) {
  RetryBudget b(RetryBudgetConfig::grpc(2, 0.5));
  for (int i = 0; i < 10; ++i) b.on_failure();
  EXPECT_EQ(b.tokens(), 0.0);
  b.on_success();
  EXPECT_EQ(b.tokens(), 0.5);  // recovery starts from zero, not from -8
}

TEST(RetryBudgetGrpc, OddMaxTokensThresholdIsStrictlyAboveHalf) {
  // maxTokens 3: allowed while tokens > 1.5.
  RetryBudget b(RetryBudgetConfig::grpc(3, 0.5));
  b.on_failure();  // 2
  EXPECT_TRUE(b.allow_retry());
  b.on_failure();  // 1
  EXPECT_FALSE(b.allow_retry());
  b.on_success();  // 1.5: not > 1.5
  EXPECT_EQ(b.tokens(), 1.5);
  EXPECT_FALSE(b.allow_retry());
  b.on_success();  // 2.0
  EXPECT_TRUE(b.allow_retry());
}

TEST(RetryBudgetGrpc, TokenRatioKeepsThreeDecimalPlacesAsGrpcDoes) {
  // gRPC parses tokenRatio to thousandths and ignores further digits.
  RetryBudget b(RetryBudgetConfig::grpc(10, 0.1239));
  b.on_failure();
  b.on_success();
  EXPECT_DOUBLE_EQ(b.tokens(), 9.123);
  RetryBudget c(RetryBudgetConfig::grpc(10, 0.001));
  c.on_failure();
  c.on_success();
  EXPECT_DOUBLE_EQ(c.tokens(), 9.001);
}

TEST(RetryBudgetGrpc, TheBucketIgnoresRetriesInFlight) {
  RetryBudget b(RetryBudgetConfig::grpc(10, 0.1));
  for (int i = 0; i < 100; ++i) b.retry_started();
  EXPECT_TRUE(b.allow_retry());
  EXPECT_EQ(b.retries_in_flight(), 100u);
}

TEST(RetryBudgetGrpc, InvalidConfigurationsThrow) {
  EXPECT_THROW(RetryBudget(RetryBudgetConfig::grpc(0, 0.1)), std::invalid_argument);
  EXPECT_THROW(RetryBudget(RetryBudgetConfig::grpc(-1, 0.1)), std::invalid_argument);
  EXPECT_THROW(RetryBudget(RetryBudgetConfig::grpc(1000.5, 0.1)), std::invalid_argument);
  EXPECT_THROW(RetryBudget(RetryBudgetConfig::grpc(10, 0)), std::invalid_argument);
  EXPECT_THROW(RetryBudget(RetryBudgetConfig::grpc(10, 1.5)), std::invalid_argument);
  EXPECT_THROW(RetryBudget(RetryBudgetConfig::grpc(std::nan(""), 0.1)), std::invalid_argument);
  EXPECT_THROW(RetryBudget(RetryBudgetConfig::grpc(10, std::nan(""))), std::invalid_argument);
  // A ratio below one thousandth is zero at gRPC's precision: gRPC rejects it.
  EXPECT_THROW(RetryBudget(RetryBudgetConfig::grpc(10, 0.0004)), std::invalid_argument);
  EXPECT_NO_THROW(RetryBudget(RetryBudgetConfig::grpc(1000, 1)));
  EXPECT_NO_THROW(RetryBudget(RetryBudgetConfig::grpc(0.5, 0.001)));
}

// ---- Envoy concurrency budget ----

TEST(RetryBudgetEnvoy, DefaultsAreTwentyPercentWithAFloorOfThree) {
  const RetryBudgetConfig c = RetryBudgetConfig::envoy();
  EXPECT_EQ(c.kind, RetryBudgetConfig::Kind::kConcurrency);
  EXPECT_EQ(c.budget_percent, 20.0);
  EXPECT_EQ(c.min_retry_concurrency, 3u);
}

TEST(RetryBudgetEnvoy, FloorOfThreeRetriesInFlightWithFewActiveRequests) {
  RetryBudget b(RetryBudgetConfig::envoy());
  for (int i = 0; i < 5; ++i) b.request_started();  // 20% of 5 = 1 < 3
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(b.allow_retry()) << i << " in flight";
    b.retry_started();
  }
  EXPECT_FALSE(b.allow_retry());  // 3 in flight: a fourth would exceed max(1, 3)
  b.retry_finished();
  EXPECT_TRUE(b.allow_retry());
}

TEST(RetryBudgetEnvoy, TwentyPercentOfActiveRequestsAboveTheFloor) {
  RetryBudget b(RetryBudgetConfig::envoy());
  for (int i = 0; i < 50; ++i) b.request_started();  // 20% of 50 = 10
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(b.allow_retry()) << i << " in flight";
    b.retry_started();
  }
  EXPECT_FALSE(b.allow_retry());
  // Fractional budgets round down, as Envoy's integer resource limit does: 20% of 54 = 10.8.
  for (int i = 0; i < 4; ++i) b.request_started();
  EXPECT_FALSE(b.allow_retry());
  b.request_started();  // 20% of 55 = 11
  EXPECT_TRUE(b.allow_retry());
  // Fewer active requests shrink the budget (down to the floor).
  for (int i = 0; i < 55; ++i) b.request_finished();
  EXPECT_FALSE(b.allow_retry());
  for (int i = 0; i < 8; ++i) b.retry_finished();  // 2 in flight < 3
  EXPECT_TRUE(b.allow_retry());
}

TEST(RetryBudgetEnvoy, CustomPercentAndFloor) {
  RetryBudget b(RetryBudgetConfig::envoy(50.0, 0));
  EXPECT_FALSE(b.allow_retry());  // nothing active, no floor
  b.request_started();
  EXPECT_FALSE(b.allow_retry());  // 50% of 1 = 0.5 -> 0
  b.request_started();
  EXPECT_TRUE(b.allow_retry());  // 50% of 2 = 1
  b.retry_started();
  EXPECT_FALSE(b.allow_retry());
}

TEST(RetryBudgetEnvoy, IgnoresSuccessesAndFailures) {
  RetryBudget b(RetryBudgetConfig::envoy());
  for (int i = 0; i < 100; ++i) b.on_failure();
  EXPECT_TRUE(b.allow_retry());
}

TEST(RetryBudgetEnvoy, CountersNeverGoBelowZero) {
  RetryBudget b(RetryBudgetConfig::envoy());
  b.retry_finished();
  b.request_finished();
  EXPECT_EQ(b.retries_in_flight(), 0u);
  for (int i = 0; i < 3; ++i) b.retry_started();
  EXPECT_FALSE(b.allow_retry());
}

TEST(RetryBudgetEnvoy, InvalidPercentThrows) {
  EXPECT_THROW(RetryBudget(RetryBudgetConfig::envoy(-1.0)), std::invalid_argument);
  EXPECT_THROW(RetryBudget(RetryBudgetConfig::envoy(100.5)), std::invalid_argument);
  EXPECT_THROW(RetryBudget(RetryBudgetConfig::envoy(std::nan(""))), std::invalid_argument);
  EXPECT_NO_THROW(RetryBudget(RetryBudgetConfig::envoy(0.0)));
  EXPECT_NO_THROW(RetryBudget(RetryBudgetConfig::envoy(100.0)));
}

// ---- Common ----

TEST(RetryBudget, UnlimitedAlwaysAllows) {
  RetryBudget b(RetryBudgetConfig::unlimited());
  for (int i = 0; i < 1000; ++i) {
    b.on_failure();
    b.retry_started();
  }
  EXPECT_TRUE(b.allow_retry());
  EXPECT_TRUE(b.admit_retry());
  EXPECT_EQ(b.denied(), 0u);
}

TEST(RetryBudget, DeniedCountsAdmitRetryRefusalsOnly) {
  RetryBudget b(RetryBudgetConfig::grpc(4, 0.5));
  EXPECT_TRUE(b.admit_retry());
  EXPECT_EQ(b.denied(), 0u);
  b.on_failure();
  b.on_failure();                 // 2 of 4: throttled
  EXPECT_FALSE(b.allow_retry());  // asking is not a denial
  EXPECT_EQ(b.denied(), 0u);
  EXPECT_FALSE(b.admit_retry());
  EXPECT_FALSE(b.admit_retry());
  EXPECT_EQ(b.denied(), 2u);
  b.on_success();  // 2.5
  EXPECT_TRUE(b.admit_retry());
  EXPECT_EQ(b.denied(), 2u);
  EXPECT_EQ(b.retries_in_flight(), 0u);  // admitting does not start the retry
}

TEST(RetryBudget, AdmitRetryCountsEnvoyDenialsToo) {
  RetryBudget b(RetryBudgetConfig::envoy());
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(b.admit_retry());
    b.retry_started();
  }
  EXPECT_FALSE(b.admit_retry());
  EXPECT_EQ(b.denied(), 1u);
}

}  // namespace
}  // namespace orchsim::orchestration::retry_budget_test
