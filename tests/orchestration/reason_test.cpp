// Reason: a format and its values print exactly what fmt::format printed
// before reasons were deferred, for every kind of reason the built-in
// policies, gates and joins give; a text (a user policy's) stays verbatim.
#include "orchestration/reason.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <limits>
#include <string>
#include <string_view>
#include <type_traits>

#include "orchestration/gate.hpp"
#include "orchestration/join.hpp"
#include "tests/orchestration/decision_fixture.hpp"

namespace orchsim::orchestration::reason_test {
namespace {

using testing::DecisionFixture;

TEST(Reason, PrintsWhatFmtPrints) {
  const double tenth = 0.1, big = 1e300, third = 1.0 / 3.0;
  const std::uint64_t huge = std::numeric_limits<std::uint64_t>::max();
  const std::int64_t low = std::numeric_limits<std::int64_t>::min();
  const std::uint32_t agent = 7;
  EXPECT_EQ(Reason::format("{} {} {}", tenth, big, third).text(),
            fmt::format("{} {} {}", tenth, big, third));
  EXPECT_EQ(Reason::format("{:.3f} < {:.3f}", third, 0.7).text(), "0.333 < 0.700");
  EXPECT_EQ(Reason::format("{} {} {} {}", huge, low, agent, -3).text(),
            fmt::format("{} {} {} {}", huge, low, agent, -3));
  EXPECT_EQ(Reason::format("{} {}", true, false).text(), "true false");
  EXPECT_EQ(Reason::format("no values, {{braces}}").text(), "no values, {braces}");
  // A string value need not end in a NUL: its length is kept.
  const std::string_view cause = std::string_view("timeout_and_more").substr(0, 7);
  EXPECT_EQ(Reason::format("step failed ({})", cause).text(), "step failed (timeout)");
  EXPECT_EQ(Reason::format("{}{}{}", cause, 1, cause).text(), "timeout1timeout");  // six slots
}

TEST(Reason, TellsWhatAnObserverMayKeep) {
  EXPECT_TRUE(Reason().empty());
  EXPECT_FALSE(Reason().deferred());
  EXPECT_FALSE(Reason::format("").empty());  // a format is a reason, even an empty one
  const Reason numbers = Reason::format("turn {}", 3);
  EXPECT_TRUE(numbers.deferred());
  EXPECT_FALSE(numbers.has_strings());
  EXPECT_TRUE(Reason::format("({})", "x").has_strings());
  EXPECT_TRUE(Reason("a text").has_strings());
  static_assert(std::is_trivially_copyable_v<Reason>);
  // A copy formats the same: the values are held, not viewed.
  Reason copy = numbers;
  EXPECT_EQ(copy.text(), "turn 3");
  std::string out = "so far: ";
  copy.append_to(out);
  EXPECT_EQ(out, "so far: turn 3");
}

TEST(Reason, AUserPolicysTextStaysVerbatim) {
  std::string owned = fmt::format("my {} reason with {{braces}}", 1);
  const Reason r = owned;  // a std::string the policy keeps
  EXPECT_FALSE(r.deferred());
  EXPECT_EQ(r.text(), "my 1 reason with {braces}");  // not read as a format
  EXPECT_EQ(Reason("a literal {}").text(), "a literal {}");
  EXPECT_EQ(Reason(std::string_view("a view")).text(), "a view");
}

// The built-in policies' reasons, pinned (the explorer shows these).
TEST(Reason, BuiltInPoliciesGiveTheirReasons) {
  DecisionFixture f(3);
  auto text = [&f](std::string_view policy, std::string_view params = "{}") {
    auto p = f.make(std::string(policy), std::string(params));
    return f.choose(*p, 1, true).reason.text();
  };
  EXPECT_EQ(text("static"), "first eligible candidate");
  EXPECT_EQ(text("round_robin"), "turn 0");
  EXPECT_EQ(text("least_loaded"), "fewest calls per server (in service + queued)");
  EXPECT_EQ(text("latency_ewma"),
            "lowest EWMA latency (ms), failures charged as a penalty latency");
  EXPECT_EQ(text("weighted_random", R"({"weights": [1, 2, 3]})"), "drawn by weight");
  EXPECT_EQ(text("cost_aware", R"({"min_confidence": 0.25})"),
            "cheapest with EWMA confidence >= 0.25");
  // Two distinct candidates drawn from the request's stream: their agents.
  const std::string p2c = text("p2c");
  unsigned a = 9, b = 9;
  ASSERT_EQ(std::sscanf(p2c.c_str(), "two choices %u and %u:", &a, &b), 2) << p2c;
  EXPECT_NE(a, b);
  EXPECT_EQ(p2c, fmt::format("two choices {} and {}: lower EWMA latency x (1 + load)", a, b));
}

TEST(Reason, GatesGiveTheirReasons) {
  GateNode gate;
  gate.rules.push_back(
      {.when = {.what = Condition::What::kConfidenceAtLeast, .value = 0.5}, .then = 3});
  gate.otherwise = 4;
  detail::GateInput in;
  in.label = 2;
  in.confidence = 0.75;
  in.verdict = true;
  Reason why;
  EXPECT_EQ(detail::evaluate_gate(gate, in, &why), 3u);
  EXPECT_EQ(why.text(), "rule 0 matched (label=2, confidence=0.750, verdict=pass, failed=false)");
  EXPECT_FALSE(why.has_strings());  // kept as it is by the request log
  in.verdict = false;
  detail::evaluate_gate(gate, in, &why);
  EXPECT_EQ(why.text(), "rule 0 matched (label=2, confidence=0.750, verdict=fail, failed=false)");
  in.confidence = 0.1234;
  EXPECT_EQ(detail::evaluate_gate(gate, in, &why), 4u);
  EXPECT_EQ(why.text(), "no rule matched (confidence=0.123)");
}

TEST(Reason, JoinsGiveTheirReasons) {
  JoinNode all;
  all.tolerated_failures = 1;
  EXPECT_EQ(detail::decide_join(all, {3, 2, 0}, false, true).why.text(),
            "2 branches failed, more than the 1 tolerated");
  EXPECT_EQ(detail::decide_join(all, {3, 3, 2}, true, true).why.text(),
            "all branches done, 1 failed (1 tolerated)");
  EXPECT_TRUE(detail::decide_join(all, {3, 3, 2}, true, false).why.empty());
  JoinNode strict;
  strict.tolerated_failures = 0;
  EXPECT_EQ(detail::decide_join(strict, {3, 1, 0}, false, false).why.text(),
            "a branch failed (join: all)");
  EXPECT_EQ(detail::decide_join(strict, {2, 2, 2}, true, false).why.text(),
            "all branches succeeded");
  JoinNode quorum;
  quorum.policy = JoinPolicy::kQuorum;
  EXPECT_EQ(detail::decide_join(quorum, {3, 2, 2}, true, true).why.text(), "quorum of 2");
  JoinNode first_k;
  first_k.policy = JoinPolicy::kFirstK;
  first_k.k = 2;
  EXPECT_EQ(detail::decide_join(first_k, {4, 2, 2}, true, true).why.text(), "first 2 successes");
}

}  // namespace
}  // namespace orchsim::orchestration::reason_test
