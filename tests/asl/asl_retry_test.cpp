// Step Functions' Retry, imported and run: the delays are exactly
//   min(MaxDelaySeconds, IntervalSeconds * BackoffRate^(n-1)) before retry n,
// uniform in [0, that] with JitterStrategy FULL; the defaults are 1 s, 3
// attempts, rate 2.0; MaxAttempts 0 never retries; the first matching retrier
// decides, each keeping its own count; States.ALL must be last and alone; a
// provider's retry-after changes nothing (Step Functions does not read it).
#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include "tests/asl/asl_test_support.hpp"

namespace orchsim::scenarios::asl::asl_retry_test {
namespace {

using namespace testing;
using mock_agents::ErrorKind;

// One Task calling lambda:f, with this Retry (and other fields).
std::string task(const std::string& retry, const std::string& extra = "") {
  return R"({"StartAt": "Call", "States": {"Call": {"Type": "Task",
    "Resource": "arn:aws:states:::lambda:invoke", "Parameters": {"FunctionName": "f"},)" +
         extra + (retry.empty() ? "" : R"("Retry": )" + retry + ",") + R"("End": true}}})";
}

ImportOptions with_agent(Json outcomes, double latency_ms = 10) {
  outcomes["error_latency_fraction"] = 1.0;
  if (!outcomes.contains("retry_after_ms")) outcomes["retry_after_ms"] = 0;
  ImportOptions o;
  o.agents = Json::array({agent("lambda:f", latency_ms, std::move(outcomes))});
  return o;
}
ImportOptions always_failing() { return with_agent({{"transient_error", 1.0}}); }

// Each request's retry delays, in order.
std::map<orchestration::RequestId, std::vector<sim::Duration>> delays(const Ran& r) {
  std::map<orchestration::RequestId, std::vector<sim::Duration>> out;
  for (const auto& e : r.rec.retries) out[e.request].push_back(e.delay);
  return out;
}

// The ASL formula, in whole nanoseconds.
sim::Duration formula(double interval_s, double rate, int n, double cap_s = 1e300) {
  const double s = std::min(cap_s, interval_s * std::pow(rate, n - 1));
  return sim::Duration::nanoseconds(std::llround(s * 1e9));
}

std::unique_ptr<Ran> import_and_run(const std::string& asl, ImportOptions options,
                                    std::uint64_t requests = 50) {
  const ImportResult r = import_text(asl, std::move(options));
  EXPECT_TRUE(r.ok()) << r.format_errors();
  if (!r.ok()) return std::make_unique<Ran>();
  EXPECT_TRUE(r.full()) << r.report("test");
  auto ran = run(*r.scenario, requests);
  expect_conserved(*ran, requests);
  return ran;
}

TEST(AslRetry, DelayIsIntervalTimesBackoffRateToTheNMinusOne) {
  const auto r = import_and_run(
      task(R"([{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 3, "MaxAttempts": 4,
               "BackoffRate": 1.5}])"),
      always_failing());
  ASSERT_EQ(delays(*r).size(), 50u);
  for (const auto& [request, d] : delays(*r)) {
    ASSERT_EQ(d.size(), 4u) << request;
    for (int n = 1; n <= 4; ++n) EXPECT_EQ(d[n - 1], formula(3, 1.5, n)) << "retry " << n;
  }
  EXPECT_EQ(r->result.failed, 50u);
  EXPECT_EQ(r->rec.started.size(), 50u * 5);  // MaxAttempts counts retries: 1 + 4 calls
}

TEST(AslRetry, MaxDelaySecondsCapsEveryDelay) {
  const auto r = import_and_run(
      task(R"([{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 3, "MaxAttempts": 5,
               "BackoffRate": 2, "MaxDelaySeconds": 10}])"),
      always_failing());
  for (const auto& [request, d] : delays(*r)) {
    ASSERT_EQ(d.size(), 5u);
    const std::vector<double> want = {3, 6, 10, 10, 10};
    for (int n = 1; n <= 5; ++n) {
      EXPECT_EQ(d[n - 1], formula(3, 2, n, 10)) << "retry " << n;
      EXPECT_EQ(d[n - 1], sim::Duration::from_seconds(want[n - 1])) << "retry " << n;
    }
  }
}

TEST(AslRetry, DefaultsAreOneSecondThreeRetriesRateTwoNoJitter) {
  const auto r = import_and_run(task(R"([{"ErrorEquals": ["States.ALL"]}])"), always_failing());
  for (const auto& [request, d] : delays(*r)) {
    ASSERT_EQ(d.size(), 3u);
    EXPECT_EQ(d[0], sim::Duration::seconds(1));
    EXPECT_EQ(d[1], sim::Duration::seconds(2));
    EXPECT_EQ(d[2], sim::Duration::seconds(4));
  }
}

TEST(AslRetry, FullJitterIsUniformBetweenZeroAndTheDelay) {
  constexpr std::uint64_t kRequests = 2000;
  const auto r = import_and_run(
      task(R"([{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 2, "MaxAttempts": 3,
               "BackoffRate": 2, "MaxDelaySeconds": 6, "JitterStrategy": "FULL"}])"),
      always_failing(), kRequests);
  std::vector<double> sum(3, 0.0), below_half(3, 0.0);
  for (const auto& [request, d] : delays(*r)) {
    ASSERT_EQ(d.size(), 3u);
    for (int n = 1; n <= 3; ++n) {
      const sim::Duration most = formula(2, 2, n, 6);
      EXPECT_GE(d[n - 1], sim::Duration::zero());
      EXPECT_LE(d[n - 1], most);
      sum[n - 1] += d[n - 1].seconds_f() / most.seconds_f();
      below_half[n - 1] += d[n - 1] < most / 2 ? 1.0 : 0.0;
    }
  }
  // U(0, 1) after scaling: mean 1/2 (sd of the mean 0.0065), half below 1/2.
  for (int n = 0; n < 3; ++n) {
    EXPECT_NEAR(sum[n] / kRequests, 0.5, 0.03) << "retry " << n + 1;
    EXPECT_NEAR(below_half[n] / kRequests, 0.5, 0.04) << "retry " << n + 1;
  }
}

TEST(AslRetry, MaxAttemptsZeroNeverRetries) {
  const auto r = import_and_run(task(R"([{"ErrorEquals": ["States.ALL"], "MaxAttempts": 0}])"),
                                always_failing());
  EXPECT_TRUE(r->rec.retries.empty());
  EXPECT_EQ(r->rec.started.size(), 50u);
  EXPECT_EQ(r->result.failed, 50u);
}

TEST(AslRetry, ATaskWithoutRetryIsNeverRetried) {
  const auto r = import_and_run(task(""), always_failing());
  EXPECT_TRUE(r->rec.retries.empty());
  EXPECT_EQ(r->rec.started.size(), 50u);
}

TEST(AslRetry, TheFirstMatchingRetrierDecides) {
  const std::string asl = task(R"([
      {"ErrorEquals": ["Lambda.TooManyRequestsException"], "MaxAttempts": 0},
      {"ErrorEquals": ["States.ALL"], "MaxAttempts": 2, "IntervalSeconds": 1}])");
  // Throttled: the first retrier takes it, and never retries.
  const auto throttled = import_and_run(asl, with_agent({{"rate_limited", 1.0}}));
  EXPECT_TRUE(throttled->rec.retries.empty());
  // Any other error: the second.
  const auto other = import_and_run(asl, always_failing());
  for (const auto& [request, d] : delays(*other)) EXPECT_EQ(d.size(), 2u);
}

TEST(AslRetry, EachRetrierKeepsItsOwnCountAndBackoff) {
  constexpr std::uint64_t kRequests = 400;
  const auto r =
      import_and_run(task(R"([
      {"ErrorEquals": ["Lambda.ServiceException"], "IntervalSeconds": 1, "MaxAttempts": 2,
       "BackoffRate": 2},
      {"ErrorEquals": ["Lambda.TooManyRequestsException"], "IntervalSeconds": 10,
       "MaxAttempts": 3, "BackoffRate": 3}])"),
                     with_agent({{"transient_error", 0.5}, {"rate_limited", 0.5}}), kRequests);
  std::map<orchestration::RequestId, int> transient, limited;
  int most_transient = 0, most_limited = 0;
  for (const auto& e : r->rec.retries) {
    if (e.after_error == ErrorKind::kTransient) {
      const int n = ++transient[e.request];
      EXPECT_EQ(e.delay, formula(1, 2, n));
      most_transient = std::max(most_transient, n);
    } else {
      ASSERT_EQ(e.after_error, ErrorKind::kRateLimited);
      const int n = ++limited[e.request];
      EXPECT_EQ(e.delay, formula(10, 3, n));
      most_limited = std::max(most_limited, n);
    }
  }
  EXPECT_EQ(most_transient, 2);
  EXPECT_EQ(most_limited, 3);
}

TEST(AslRetry, StatesTaskFailedDoesNotMatchATimeoutAndStatesTimeoutDoes) {
  const std::string timeout = R"("TimeoutSeconds": 1,)";
  const auto slow = [] { return with_agent(Json::object(), 5000); };
  const auto task_failed = import_and_run(
      task(R"([{"ErrorEquals": ["States.TaskFailed"], "MaxAttempts": 3}])", timeout), slow());
  EXPECT_TRUE(task_failed->rec.retries.empty());
  EXPECT_EQ(task_failed->rec.outcomes.at("timeout"), 50u);
  const auto on_timeout = import_and_run(
      task(R"([{"ErrorEquals": ["States.Timeout"], "MaxAttempts": 2}])", timeout), slow());
  for (const auto& [request, d] : delays(*on_timeout)) {
    ASSERT_EQ(d.size(), 2u);
    EXPECT_EQ(d[0], sim::Duration::seconds(1));
    EXPECT_EQ(d[1], sim::Duration::seconds(2));
  }
}

TEST(AslRetry, AProvidersRetryAfterDoesNotChangeTheDelay) {
  const auto r = import_and_run(
      task(R"([{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 2, "MaxAttempts": 2}])"),
      with_agent({{"rate_limited", 1.0}, {"retry_after_ms", 30000}}));
  for (const auto& [request, d] : delays(*r)) {
    ASSERT_EQ(d.size(), 2u);
    EXPECT_EQ(d[0], sim::Duration::seconds(2));
    EXPECT_EQ(d[1], sim::Duration::seconds(4));
  }
}

TEST(AslRetry, StatesAllMustBeAloneAndLast) {
  const ImportResult not_last = import_text(task(R"([
      {"ErrorEquals": ["States.ALL"], "MaxAttempts": 1},
      {"ErrorEquals": ["States.Timeout"], "MaxAttempts": 1}])"));
  ASSERT_FALSE(not_last.ok());
  EXPECT_FALSE(not_last.scenario.has_value());
  ASSERT_EQ(not_last.errors.size(), 1u) << not_last.format_errors();
  EXPECT_EQ(not_last.errors[0].pointer, "/States/Call/Retry/0/ErrorEquals/0");
  EXPECT_NE(not_last.errors[0].message.find("last"), std::string::npos);

  const ImportResult not_alone =
      import_text(task(R"([{"ErrorEquals": ["States.Timeout", "States.ALL"], "MaxAttempts": 1}])"));
  ASSERT_EQ(not_alone.errors.size(), 1u) << not_alone.format_errors();
  EXPECT_EQ(not_alone.errors[0].pointer, "/States/Call/Retry/0/ErrorEquals/1");
  EXPECT_NE(not_alone.errors[0].message.find("alone"), std::string::npos);

  // The same rule for catchers.
  const ImportResult catcher = import_text(R"({"StartAt": "A", "States": {
    "A": {"Type": "Task", "Resource": "arn:aws:states:::sns:publish", "End": true,
          "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "B"},
                    {"ErrorEquals": ["States.Timeout"], "Next": "B"}]},
    "B": {"Type": "Succeed"}}})");
  ASSERT_EQ(catcher.errors.size(), 1u) << catcher.format_errors();
  EXPECT_EQ(catcher.errors[0].pointer, "/States/A/Catch/0/ErrorEquals/0");
}

TEST(AslRetry, BadRetrierFieldsSayWhatWasFoundAndExpected) {
  const ImportResult r = import_text(task(R"([{"ErrorEquals": ["States.ALL"],
      "MaxAttempts": -1, "IntervalSeconds": 0.5, "BackoffRate": 0.5, "JitterStrategy": "SOME"}])"));
  ASSERT_EQ(r.errors.size(), 4u) << r.format_errors();
  std::map<std::string, std::string> by_pointer;
  for (const auto& e : r.errors) by_pointer[e.pointer] = e.message;
  EXPECT_EQ(by_pointer["/States/Call/Retry/0/MaxAttempts"],
            "found -1, expected a whole number from 0 to 99999999");
  EXPECT_EQ(by_pointer["/States/Call/Retry/0/IntervalSeconds"],
            "found 0.5, expected a whole number of seconds from 1 to 99999999");
  EXPECT_EQ(by_pointer["/States/Call/Retry/0/BackoffRate"], "found 0.5, expected a number >= 1.0");
  EXPECT_EQ(by_pointer["/States/Call/Retry/0/JitterStrategy"],
            "found \"SOME\", expected \"FULL\" or \"NONE\"");
}

// Whole numbers past 99999999 (the largest TimeoutSeconds and IntervalSeconds
// Step Functions accepts) are refused, not narrowed, wrapped or scaled to an
// infinite number of milliseconds (UBSan: MaxAttempts + 1 wrapped at 2^64,
// a ToleratedFailureCount of 2^64 converted from double).
TEST(AslRetry, NumbersPastTheLimitAreRefusedWithTheirPointer) {
  const std::string huge = "18446744073709551615";
  const ImportResult retry =
      import_text(task(R"([{"ErrorEquals": ["States.ALL"], "MaxAttempts": )" + huge +
                           R"(, "IntervalSeconds": )" + huge + "}]",
                       R"("TimeoutSeconds": 100000000,)"));
  std::map<std::string, std::string> by_pointer;
  for (const auto& e : retry.errors) by_pointer[e.pointer] = e.message;
  EXPECT_EQ(by_pointer["/States/Call/Retry/0/MaxAttempts"],
            "found " + huge + ", expected a whole number from 0 to 99999999");
  EXPECT_EQ(by_pointer["/States/Call/Retry/0/IntervalSeconds"],
            "found " + huge + ", expected a whole number of seconds from 1 to 99999999");
  EXPECT_EQ(by_pointer["/States/Call/TimeoutSeconds"],
            "found 100000000, expected a whole number from 1 to 99999999");
  EXPECT_EQ(retry.errors.size(), 3u) << retry.format_errors();

  const ImportResult wait = import_text(R"({"StartAt": "W", "States": {
      "W": {"Type": "Wait", "Seconds": 1e306, "Next": "M"},
      "M": {"Type": "Map", "ToleratedFailureCount": )" +
                                        huge + R"(, "ItemProcessor": {
        "StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}, "End": true}}})");
  by_pointer.clear();
  for (const auto& e : wait.errors) by_pointer[e.pointer] = e.message;
  EXPECT_EQ(by_pointer["/States/W/Seconds"],
            "found 1e+306, expected a number of seconds from 0 to 99999999");
  EXPECT_EQ(by_pointer["/States/M/ToleratedFailureCount"],
            "found " + huge + ", expected a whole number from 0 to 99999999");
}

}  // namespace
}  // namespace orchsim::scenarios::asl::asl_retry_test
