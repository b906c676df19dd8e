// p2c's propensity: the probability it reports for its pick is the share of
// the m(m-1) equally likely ordered pairs of distinct eligible candidates
// whose winner is that pick (the first drawn wins a tie). Checked against
// shares enumerated by hand for 3 and 4 candidates, with distinct and tied
// scores, and against the frequencies of the actual draws.
#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "tests/orchestration/decision_fixture.hpp"

namespace orchsim::orchestration::p2c_propensity_test {
namespace {

using testing::chi_square;
using testing::choice_counts;
using testing::DecisionFixture;

struct Case {
  std::string name;
  std::vector<double> latency_ms;  // one per candidate, all tried
  std::vector<bool> eligible;
  std::vector<double> share;  // the enumerated share of each candidate
};

// Each case's shares, by enumeration of the ordered pairs (a, b), a drawn
// first: b wins if strictly better, else a.
const std::vector<Case>& cases() {
  static const std::vector<Case> all = {
      // Ranks 0 < 1 < 2: the best wins its 4 pairs of 6, the middle 2, the worst none.
      {"three distinct", {10, 20, 30}, {true, true, true}, {4.0 / 6, 2.0 / 6, 0.0}},
      {"three distinct, shuffled", {30, 10, 20}, {true, true, true}, {0.0, 4.0 / 6, 2.0 / 6}},
      // A tied pair wins against the third both ways, and against each other
      // when drawn first: 2 + 1 of 6 each.
      {"three, the best two tied", {10, 10, 30}, {true, true, true}, {3.0 / 6, 3.0 / 6, 0.0}},
      {"three, the worst two tied", {10, 30, 30}, {true, true, true}, {4.0 / 6, 1.0 / 6, 1.0 / 6}},
      {"three tied", {20, 20, 20}, {true, true, true}, {2.0 / 6, 2.0 / 6, 2.0 / 6}},
      // Four distinct: 6, 4, 2, 0 of 12.
      {"four distinct",
       {40, 10, 30, 20},
       {true, true, true, true},
       {0.0, 6.0 / 12, 2.0 / 12, 4.0 / 12}},
      {"four, the middle two tied",
       {10, 20, 20, 30},
       {true, true, true, true},
       {6.0 / 12, 3.0 / 12, 3.0 / 12, 0.0}},
      {"four, two tied pairs",
       {10, 30, 10, 30},
       {true, true, true, true},
       {5.0 / 12, 1.0 / 12, 5.0 / 12, 1.0 / 12}},
      {"four tied", {5, 5, 5, 5}, {true, true, true, true}, {0.25, 0.25, 0.25, 0.25}},
      // Only the eligible are drawn: three of four, as "three distinct".
      {"four, one out", {10, 5, 20, 30}, {true, false, true, true}, {4.0 / 6, 0.0, 2.0 / 6, 0.0}},
  };
  return all;
}

void set_up(DecisionFixture& f, const Case& c) {
  for (AgentIndex i = 0; i < c.latency_ms.size(); ++i) f.tried(i, c.latency_ms[i]);
  f.eligible = c.eligible;
}

TEST(P2cPropensity, EveryPickReportsItsEnumeratedShare) {
  for (const Case& c : cases()) {
    SCOPED_TRACE(c.name);
    DecisionFixture f(c.latency_ms.size());
    set_up(f, c);
    auto p = f.make("p2c");
    for (RequestId r = 0; r < 300; ++r) {
      const Choice choice = f.choose(*p, r, r % 2 == 0);
      ASSERT_GT(c.share[choice.candidate], 0.0) << "picked candidate " << choice.candidate;
      EXPECT_DOUBLE_EQ(choice.probability, c.share[choice.candidate]) << "request " << r;
    }
  }
}

TEST(P2cPropensity, FrequenciesMatchTheReportedShares) {
  constexpr std::uint64_t kDraws = 24'000;
  for (const Case& c : cases()) {
    SCOPED_TRACE(c.name);
    DecisionFixture f(c.latency_ms.size());
    set_up(f, c);
    auto p = f.make("p2c");
    const std::vector<std::uint64_t> counts = choice_counts(f, *p, kDraws);
    std::vector<std::uint64_t> drawn;
    std::vector<double> share;
    for (std::size_t i = 0; i < counts.size(); ++i) {
      if (c.share[i] == 0.0) {
        EXPECT_EQ(counts[i], 0u) << "candidate " << i;
      } else {
        drawn.push_back(counts[i]);
        share.push_back(c.share[i]);
      }
    }
    // At most 3 degrees of freedom: P(chi2 > 16.27) = 0.001.
    EXPECT_LT(chi_square(drawn, share, kDraws), 16.27);
  }
}

TEST(P2cPropensity, LoadBreaksOrMakesTies) {
  // Scores are EWMA latency x (1 + calls per server): 10 x (1 + 1) ties 20 x 1.
  DecisionFixture f(3);
  f.tried(0, 10);
  f.tried(1, 20);
  f.tried(2, 40);
  f.fakes[0].set_load(1, 0, 1);
  auto p = f.make("p2c");
  for (RequestId r = 0; r < 100; ++r) {
    const Choice c = f.choose(*p, r);
    ASSERT_NE(c.candidate, 2u);
    EXPECT_DOUBLE_EQ(c.probability, 3.0 / 6);
  }
}

}  // namespace
}  // namespace orchsim::orchestration::p2c_propensity_test
