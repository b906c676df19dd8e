// The reward the learning policies take from one attempt: each quality
// signal, failures, no reward for a cancelled attempt, and the cost and
// latency weights, as exact values; and the "reward" parameters it reads.
#include "orchestration/policies/reward.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace orchsim::orchestration::policies::reward_test {
namespace {

using namespace sim::literals;
using Json = nlohmann::ordered_json;

AttemptOutcome answered(double confidence, bool verdict_pass = false, double oracle = 0.0) {
  AttemptOutcome o;
  o.end = CallEnd::kSuccess;
  o.confidence = confidence;
  o.verdict_pass = verdict_pass;
  o.oracle_quality = oracle;
  return o;
}

// What a failed attempt may still show: the orchestrator fills these only
// for answers, but the reward must not read them for a failure anyway.
AttemptOutcome ended(CallEnd end) {
  AttemptOutcome o = answered(0.9, true, 0.9);
  o.end = end;
  return o;
}

Reward read(const std::string& params_json, double cost_default = 0.0) {
  const Json params = Json::parse(params_json);
  PolicyParams p(&params, "/params");
  Reward r = Reward::read(p, cost_default);
  p.finish();
  for (const ParamProblem& x : p.problems()) ADD_FAILURE() << x.pointer << ": " << x.message;
  return r;
}

TEST(Reward, DefaultsToTheReportedConfidence) {
  const Reward r = read("{}");
  EXPECT_EQ(r(answered(0.8, false, 0.1)), 0.8);
  EXPECT_EQ(r(answered(0.0, true, 1.0)), 0.0);
}

TEST(Reward, EachQualitySignal) {
  const Reward verdict = read(R"({"reward": {"signal": "verdict"}})");
  EXPECT_EQ(verdict(answered(0.2, true, 0.3)), 1.0);
  EXPECT_EQ(verdict(answered(0.9, false, 0.9)), 0.0);
  const Reward oracle = read(R"({"reward": {"signal": "oracle"}})");
  EXPECT_EQ(oracle(answered(0.9, true, 0.25)), 0.25);
  const Reward confidence = read(R"({"reward": {"signal": "confidence"}})");
  EXPECT_EQ(confidence(answered(0.6, true, 0.25)), 0.6);
}

TEST(Reward, TheQualityWeightScalesTheSignal) {
  EXPECT_EQ(read(R"({"reward": {"quality": 2}})")(answered(0.75)), 1.5);
  EXPECT_EQ(read(R"({"reward": {"quality": -1, "signal": "verdict"}})")(answered(0.1, true)), -1.0);
}

TEST(Reward, AFailureIsWorthTheFailureValue) {
  const Reward zero = read("{}");
  const Reward penalised = read(R"({"reward": {"failure": -0.5, "quality": 3}})");
  for (const CallEnd end : {CallEnd::kError, CallEnd::kTimeout, CallEnd::kInvalid}) {
    SCOPED_TRACE(to_string(end));
    EXPECT_EQ(zero(ended(end)), 0.0);
    EXPECT_EQ(penalised(ended(end)), -0.5);  // not scaled by the quality weight
  }
}

TEST(Reward, ACancelledAttemptHasNoReward) {
  EXPECT_EQ(read("{}")(ended(CallEnd::kCancelled)), std::nullopt);
  const Reward costly = read(R"({"reward": {"failure": -1, "cost_per_usd": 5}})");
  AttemptOutcome o = ended(CallEnd::kCancelled);
  o.cost_usd = 0.1;
  EXPECT_EQ(costly(o), std::nullopt);
}

TEST(Reward, CostAndLatencyAreSubtracted) {
  const Reward r = read(R"({"reward": {"cost_per_usd": 10, "latency_per_s": 0.5}})");
  AttemptOutcome o = answered(0.9);
  o.cost_usd = 0.02;
  o.latency = 1500_ms;
  // 0.9 - 10 x 0.02 - 0.5 x 1.5
  EXPECT_DOUBLE_EQ(*r(o), 0.9 - 0.2 - 0.75);
  // A failure pays them too.
  AttemptOutcome f = ended(CallEnd::kError);
  f.cost_usd = 0.01;
  f.latency = 2_s;
  EXPECT_DOUBLE_EQ(*r(f), 0.0 - 0.1 - 1.0);
}

TEST(Reward, ThePolicysCostWeightIsTheDefault) {
  AttemptOutcome o = answered(0.9);
  o.cost_usd = 0.05;
  EXPECT_DOUBLE_EQ(*read("{}", 10.0)(o), 0.4);
  EXPECT_DOUBLE_EQ(*read(R"({"reward": {"cost_per_usd": 2}})", 10.0)(o), 0.8);
  EXPECT_DOUBLE_EQ(*read("{}", 0.0)(o), 0.9);
}

TEST(Reward, BadParametersAreProblemsAtTheirPointers) {
  const Json params = Json::parse(
      R"({"reward": {"qualty": 1, "signal": "verdit", "cost_per_usd": -1, "failure": "x"}})");
  PolicyParams p(&params, "/params");
  const Reward r = Reward::read(p, 3.0);
  p.finish();
  ASSERT_EQ(p.problems().size(), 4u);
  EXPECT_EQ(p.problems()[0].pointer, "/params/reward/signal");
  EXPECT_EQ(p.problems()[0].hint, "did you mean \"verdict\"?");
  EXPECT_EQ(p.problems()[1].pointer, "/params/reward/failure");
  EXPECT_EQ(p.problems()[2].pointer, "/params/reward/cost_per_usd");
  EXPECT_EQ(p.problems()[3].pointer, "/params/reward/qualty");
  EXPECT_EQ(p.problems()[3].hint, "did you mean \"quality\"?");
  // The defaults stand in for the bad values.
  EXPECT_EQ(r.signal, Reward::Signal::kConfidence);
  EXPECT_EQ(r.cost_per_usd, 3.0);
  EXPECT_EQ(r.failure, 0.0);
  const Json not_object = Json::parse(R"({"reward": 1})");
  PolicyParams q(&not_object, "/params");
  (void)Reward::read(q, 0.0);
  ASSERT_EQ(q.problems().size(), 1u);
  EXPECT_EQ(q.problems()[0].pointer, "/params/reward");
}

}  // namespace
}  // namespace orchsim::orchestration::policies::reward_test
