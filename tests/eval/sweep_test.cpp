#include "eval/sweep.hpp"

#include <gtest/gtest.h>

#include <sstream>

namespace orchsim::eval::sweep_test {
namespace {

TEST(Sweep, ParseGridKeepsJsonValuesWhole) {
  const auto a = parse_grid("/workflow/nodes/0/agents=[\"a\",\"b\"],[\"b\"]");
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->pointer, "/workflow/nodes/0/agents");
  ASSERT_EQ(a->values.size(), 2u);
  EXPECT_EQ(a->values[0], "[\"a\",\"b\"]");
  EXPECT_EQ(a->values[1], "[\"b\"]");
  EXPECT_FALSE(parse_grid("no/slash=1").has_value());
  EXPECT_FALSE(parse_grid("/a=").has_value());
  EXPECT_FALSE(parse_grid("/a=1,,2").has_value());
  EXPECT_FALSE(parse_grid("/a").has_value());
}

TEST(Sweep, CartesianProductLastAxisFastest) {
  const auto points = grid_points({{"/a", {"1", "2"}}, {"/b", {"x", "y", "z"}}});
  ASSERT_EQ(points.size(), 6u);
  EXPECT_EQ(points[0][0].second, "1");
  EXPECT_EQ(points[0][1].second, "x");
  EXPECT_EQ(points[1][1].second, "y");
  EXPECT_EQ(points[3][0].second, "2");
  EXPECT_EQ(points[3][1].second, "x");
}

TEST(Sweep, ParetoMarking) {
  // (p99, cost, quality)
  const std::vector<Objectives> pts = {
      {100, 1.0, 0.8},  // 0: frontier
      {120, 1.0, 0.8},  // 1: dominated by 0
      {200, 0.5, 0.7},  // 2: frontier (cheapest)
      {90, 2.0, 0.9},   // 3: frontier (fastest, best)
      {100, 1.0, 0.8},  // 4: equal to 0: neither dominates
      {300, 3.0, 0.6},  // 5: dominated
      {{}, 0.1, 0.99},  // 6: missing p99: never on the frontier
  };
  const std::vector<bool> f = pareto_front(pts);
  EXPECT_EQ(f, (std::vector<bool>{true, false, true, true, true, false, false}));
}

TEST(Sweep, PgrDefinition) {
  EXPECT_DOUBLE_EQ(performance_gap_recovered(0.75, 0.6, 0.9), 0.5);
  EXPECT_DOUBLE_EQ(performance_gap_recovered(0.6, 0.6, 0.9), 0.0);
  EXPECT_DOUBLE_EQ(performance_gap_recovered(0.9, 0.6, 0.9), 1.0);
  EXPECT_THROW(performance_gap_recovered(0.9, 0.6, 0.6), std::invalid_argument);
}

TEST(Sweep, RandomRouterHasApgrOneHalf) {
  // A random router's PGR equals its strong fraction.
  const std::vector<RouterPoint> random = {{0.25, 0.25}, {0.5, 0.5}, {0.75, 0.75}};
  EXPECT_NEAR(apgr(random), 0.5, 1e-12);
  EXPECT_NEAR(apgr({}), 0.5, 1e-12);  // the endpoints alone
  EXPECT_NEAR(*call_performance_threshold(random, 0.5), 0.5, 1e-12);
  EXPECT_NEAR(*call_performance_threshold(random, 0.8), 0.8, 1e-12);
}

TEST(Sweep, HandComputedApgrAndCpt) {
  // Curve (0,0) (0.2,0.6) (0.5,0.9) (1,1):
  // area = 0.2*0.3 + 0.3*0.75 + 0.5*0.95 = 0.06 + 0.225 + 0.475 = 0.76.
  const std::vector<RouterPoint> good = {{0.5, 0.9}, {0.2, 0.6}};  // unsorted on purpose
  EXPECT_NEAR(apgr(good), 0.76, 1e-12);
  // CPT(50%): on (0,0)-(0.2,0.6): 0.2 * 0.5/0.6.
  EXPECT_NEAR(*call_performance_threshold(good, 0.5), 0.2 * 0.5 / 0.6, 1e-12);
  // CPT(80%): on (0.2,0.6)-(0.5,0.9): 0.2 + 0.3 * (0.2/0.3) = 0.4.
  EXPECT_NEAR(*call_performance_threshold(good, 0.8), 0.4, 1e-12);
  EXPECT_NEAR(*call_performance_threshold(good, 0.6), 0.2, 1e-12);
  EXPECT_FALSE(call_performance_threshold(good, 1.5).has_value());
  // Fractions outside [0, 1] are clamped.
  EXPECT_NEAR(apgr({{1.2, 1.0}}), 0.5, 1e-12);
}

TEST(Sweep, StrongFractionFromMetrics) {
  RunMetrics m;
  m.requests.arrived = 200;
  m.agents.resize(2);
  m.agents[0].name = "cheap";
  m.agents[0].calls_started = 200;
  m.agents[1].name = "strong";
  m.agents[1].calls_started = 50;
  EXPECT_DOUBLE_EQ(*strong_fraction(m, "strong"), 0.25);
  EXPECT_FALSE(strong_fraction(m, "nope").has_value());
}

TEST(Sweep, CsvHasOneRowPerPointAndMarksPareto) {
  SweepResult r;
  for (int i = 0; i < 2; ++i) {
    SweepPoint p;
    p.overrides = {{"/a", std::to_string(i)}};
    std::vector<RunMetrics> reps(3);
    for (int k = 0; k < 3; ++k) {
      reps[static_cast<std::size_t>(k)].latency_all.p99 = 100 + 10 * i + k;
      reps[static_cast<std::size_t>(k)].per_request.cost_usd = 0.01;
      reps[static_cast<std::size_t>(k)].quality.mean = 0.8;
    }
    p.summaries = summarize(reps);
    r.points.push_back(std::move(p));
  }
  mark_pareto(r.points);
  EXPECT_TRUE(r.points[0].pareto);
  EXPECT_FALSE(r.points[1].pareto);
  std::ostringstream csv;
  write_sweep_csv(csv, {{"/a", {"0", "1"}}}, r);
  const std::string text = csv.str();
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 3);
  EXPECT_NE(text.find("point,/a,latency_ms.all.p50.mean"), std::string::npos);
  EXPECT_NE(text.find(",true\n"), std::string::npos);
  EXPECT_NE(text.find(",false\n"), std::string::npos);
}

}  // namespace
}  // namespace orchsim::eval::sweep_test
