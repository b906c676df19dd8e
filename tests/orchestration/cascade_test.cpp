// cascade: the tier a step has escalated to (ctx.escalations), cheapest
// first; accepts() declines an answer below accept_confidence except at the
// last tier; tiers the node does not list become candidates.
#include <gtest/gtest.h>

#include <cstddef>
#include <string>
#include <vector>

#include "tests/orchestration/decision_fixture.hpp"

namespace orchsim::orchestration::cascade_test {
namespace {

using testing::DecisionFixture;
using testing::outcome;

Choice choose_at(const DecisionFixture& f, RoutingPolicy& p, std::uint32_t escalations,
                 bool explain = false, AttemptKind kind = AttemptKind::kFirst) {
  DecisionContext ctx = f.decision(1, explain);
  ctx.escalations = escalations;
  ctx.kind = kind;
  return p.choose(ctx);
}

AttemptOutcome answer(double confidence, std::uint32_t escalations) {
  AttemptOutcome o = outcome(0, CallEnd::kSuccess, confidence);
  o.escalations = escalations;
  return o;
}

TEST(Cascade, ChoosesTheTierOfTheEscalationsSoFar) {
  DecisionFixture f(3);
  auto p = f.make("cascade", R"({"tiers": ["a2", "a0", "a1"]})");
  EXPECT_EQ(choose_at(f, *p, 0).candidate, 2u);
  EXPECT_EQ(choose_at(f, *p, 1).candidate, 0u);
  EXPECT_EQ(choose_at(f, *p, 2).candidate, 1u);
  EXPECT_EQ(choose_at(f, *p, 7).candidate, 1u);  // past the last: the last
  EXPECT_EQ(choose_at(f, *p, 0).probability, 1.0);
  // Retries stay on the tier: only escalations move it.
  EXPECT_EQ(choose_at(f, *p, 1, false, AttemptKind::kRetry).candidate, 0u);
  EXPECT_EQ(f.candidates, (std::vector<AgentIndex>{0, 1, 2}));
}

TEST(Cascade, TiersTheNodeDoesNotListBecomeCandidates) {
  DecisionFixture f(3);
  f.candidates = {1};
  auto p = f.make("cascade", R"({"tiers": ["a0", "a1", "a2"]})");
  EXPECT_EQ(f.candidates, (std::vector<AgentIndex>{1, 0, 2}));
  EXPECT_EQ(choose_at(f, *p, 0).candidate, 1u);  // a0, added second
  EXPECT_EQ(choose_at(f, *p, 1).candidate, 0u);
  EXPECT_EQ(choose_at(f, *p, 2).candidate, 2u);
}

TEST(Cascade, DeclinesUnsureAnswersBeforeTheLastTier) {
  DecisionFixture f(3);
  auto p = f.make("cascade", R"({"tiers": ["a0", "a1", "a2"], "accept_confidence": 0.7})");
  EXPECT_FALSE(p->accepts(answer(0.69, 0)));
  EXPECT_TRUE(p->accepts(answer(0.7, 0)));  // at the threshold: accepted
  EXPECT_TRUE(p->accepts(answer(0.95, 0)));
  EXPECT_FALSE(p->accepts(answer(0.1, 1)));
  EXPECT_TRUE(p->accepts(answer(0.1, 2)));  // the last tier's answer is always kept
  EXPECT_TRUE(p->accepts(answer(0.0, 5)));
}

TEST(Cascade, OneTierAcceptsEverything) {
  DecisionFixture f(2);
  auto p = f.make("cascade", R"({"tiers": ["a1"]})");
  EXPECT_TRUE(p->accepts(answer(0.0, 0)));
  EXPECT_EQ(choose_at(f, *p, 0).candidate, 1u);
}

TEST(Cascade, TheDefaultThresholdIsSevenTenths) {
  DecisionFixture f(2);
  auto p = f.make("cascade", R"({"tiers": ["a0", "a1"]})");
  EXPECT_FALSE(p->accepts(answer(0.69, 0)));
  EXPECT_TRUE(p->accepts(answer(0.70, 0)));
}

TEST(Cascade, ReasonsSayTheTierAndWhyItEscalated) {
  DecisionFixture f(3);
  auto p = f.make("cascade", R"({"tiers": ["a0", "a1", "a2"], "accept_confidence": 0.7})");
  EXPECT_EQ(choose_at(f, *p, 0, true).reason, "tier 0 of 3 (cheapest first)");
  ASSERT_FALSE(p->accepts(answer(0.42, 0)));
  const Choice c = choose_at(f, *p, 1, true, AttemptKind::kCascade);
  EXPECT_EQ(c.reason, "confidence 0.420 < 0.700: escalate to tier 1");
  EXPECT_TRUE(c.scores.empty());
  // A retry at that tier is not an escalation.
  EXPECT_EQ(choose_at(f, *p, 1, true, AttemptKind::kRetry).reason, "tier 1 of 3 (cheapest first)");
  // Quiet: no reason.
  EXPECT_TRUE(choose_at(f, *p, 1, false, AttemptKind::kCascade).reason.empty());
}

TEST(Cascade, ReadsTheFlatTiersOfFormatVersion1) {
  DecisionFixture f(2);
  RoutingConfig c = RoutingConfig::named("cascade");
  c.legacy = std::make_shared<const nlohmann::ordered_json>(
      nlohmann::ordered_json::parse(R"({"tiers": ["a1", "a0"], "accept_confidence": 0.5})"));
  auto p = f.make(c);
  EXPECT_EQ(choose_at(f, *p, 0).candidate, 1u);
  EXPECT_TRUE(p->accepts(answer(0.5, 0)));
}

TEST(Cascade, NeedsTiersOfKnownAgents) {
  const std::vector<std::string> names = {"cheap", "strong"};
  struct Bad {
    const char* params;
    const char* pointer;
    const char* hint;
  };
  for (const Bad& bad : {Bad{"", "/n/tiers", ""}, Bad{R"({"tiers": []})", "/n/params/tiers", ""},
                         Bad{R"({"tiers": "cheap"})", "/n/params/tiers", ""},
                         Bad{R"({"tiers": ["cheap", "strnog"]})", "/n/params/tiers/1",
                             "did you mean \"strong\"?"}}) {
    SCOPED_TRACE(bad.params);
    std::vector<AgentIndex> candidates = {0};
    std::vector<ParamProblem> problems;
    RoutingConfig c = RoutingConfig::named("cascade", bad.params);
    c.pointer = "/n";
    (void)make_node_policy(c, "answer", candidates, names, 1, PolicyRegistry::global(), problems);
    ASSERT_EQ(problems.size(), 1u);
    EXPECT_EQ(problems[0].pointer, bad.pointer);
    EXPECT_EQ(problems[0].hint, bad.hint);
  }
}

}  // namespace
}  // namespace orchsim::orchestration::cascade_test
