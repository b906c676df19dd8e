// orchsim search's parts: the parameter and constraint syntax, the unit
// coordinates, the TPE densities, and the search itself on objectives whose
// optimum is known, so the assertions are exact numbers, not "it ran".
#include "eval/search.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <set>

#include "eval/search_space.hpp"
#include "eval/tpe.hpp"

namespace orchsim::eval::search_test {
namespace {

SearchParameter param(const std::string& spec) {
  auto p = parse_search_parameter(spec);
  EXPECT_TRUE(p.ok()) << p.status().message();
  return p.ok() ? *p : SearchParameter{};
}

TEST(SearchSpace, ParsesEachKindOfParameter) {
  const SearchParameter real = param("/a/b=0.2..0.9");
  EXPECT_EQ(real.pointer, "/a/b");
  EXPECT_EQ(real.kind, SearchParameter::Kind::kReal);
  EXPECT_EQ(real.lo, 0.2);
  EXPECT_EQ(real.hi, 0.9);
  EXPECT_EQ(param("/x=log:100..8000").kind, SearchParameter::Kind::kLogReal);
  EXPECT_EQ(param("/x=int:-2..5").lo, -2);
  const SearchParameter cat = param("/p=static,cascade,\"a,b\"");
  EXPECT_EQ(cat.kind, SearchParameter::Kind::kCategorical);
  EXPECT_EQ(cat.choices, (std::vector<std::string>{"static", "cascade", "\"a,b\""}));
  // A list with a range-looking string inside brackets stays a choice.
  EXPECT_EQ(param("/p=[1..2],[3]").kind, SearchParameter::Kind::kCategorical);
}

TEST(SearchSpace, RefusesMalformedParametersSayingWhatWasExpected) {
  for (const char* bad : {"a=1..2", "/a", "/a=", "/a=2..1", "/a=1..1", "/a=x..2", "/a=log:0..5",
                          "/a=int:0.5..3", "/a=int:a,b", "/a=only", "/a=x,,y", "/a=1..inf"}) {
    auto p = parse_search_parameter(bad);
    ASSERT_FALSE(p.ok()) << bad;
    EXPECT_EQ(p.status().code(), Status::Code::kBadInput);
    EXPECT_NE(p.status().message().find(bad), std::string::npos) << p.status().message();
    EXPECT_NE(p.status().message().find("expected"), std::string::npos);
  }
}

TEST(SearchSpace, UnitCoordinatesMapToOverrideText) {
  EXPECT_EQ(value_text(param("/a=0..1"), 0.25), "0.25");
  EXPECT_EQ(value_text(param("/a=10..20"), 1.0), "20");
  // The geometric middle of [200, 8000] is sqrt(1.6e6) = 1264.911...
  EXPECT_EQ(value_text(param("/a=log:200..8000"), 0.5), "1264.91");
  EXPECT_EQ(value_text(param("/a=log:200..8000"), 0.0), "200");
  // [1, 3]: three equal cells of [0, 1].
  const SearchParameter n = param("/n=int:1..3");
  EXPECT_EQ(value_text(n, 0.0), "1");
  EXPECT_EQ(value_text(n, 0.3333), "1");
  EXPECT_EQ(value_text(n, 0.3334), "2");
  EXPECT_EQ(value_text(n, 0.9999), "3");
  EXPECT_EQ(value_text(n, 1.0), "3");
  const SearchParameter c = param("/c=x,y,z");
  EXPECT_EQ(value_text(c, 2.0), "z");
  const auto o = point_overrides({n, c}, {0.5, 1.0});
  EXPECT_EQ(o, (std::vector<std::pair<std::string, std::string>>{{"/n", "2"}, {"/c", "y"}}));
}

TEST(SearchSpace, ConstraintsParseAndMeasureRelativeViolation) {
  auto c = parse_search_constraint("per_request.cost_usd<=0.01");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->metric, "per_request.cost_usd");
  EXPECT_TRUE(c->at_most);
  EXPECT_DOUBLE_EQ(violation(*c, 0.009), 0.0);
  EXPECT_DOUBLE_EQ(violation(*c, 0.01), 0.0);
  EXPECT_DOUBLE_EQ(violation(*c, 0.012), 0.2);
  EXPECT_TRUE(std::isinf(violation(*c, std::nan(""))));
  auto q = parse_search_constraint("quality.mean>=0.8");
  ASSERT_TRUE(q.ok());
  EXPECT_FALSE(q->at_most);
  EXPECT_DOUBLE_EQ(violation(*q, 0.6), 0.25);
  EXPECT_EQ(describe(*q), "quality.mean >= 0.8");
  for (const char* bad : {"cost", "cost<0.1", "<=3", "cost<=x", "cost>=1e999"})
    EXPECT_FALSE(parse_search_constraint(bad).ok()) << bad;
}

TEST(SearchRungs, AreTheFullCountDividedByEtaDownToTheFloor) {
  EXPECT_EQ(search_rungs(20000, 740, 3), (std::vector<std::uint64_t>{740, 2222, 6666, 20000}));
  EXPECT_EQ(search_rungs(20000, 741, 3), (std::vector<std::uint64_t>{2222, 6666, 20000}));
  EXPECT_EQ(search_rungs(100, 200, 3), (std::vector<std::uint64_t>{100}));
  EXPECT_EQ(search_rungs(1000, 1, 10), (std::vector<std::uint64_t>{1, 10, 100, 1000}));
}

// The Parzen density is a density on [0, 1]: it integrates to 1 (midpoint
// rule, 20,000 cells), with or without points.
TEST(Tpe, ParzenDensityIntegratesToOneOnTheUnitInterval) {
  for (const std::vector<double>& centers : std::vector<std::vector<double>>{
           {}, {0.5}, {0.0, 1.0}, {0.1, 0.12, 0.13, 0.9}, {0.999, 0.998, 0.3}}) {
    double sum = 0.0;
    const int cells = 20000;
    for (int i = 0; i < cells; ++i)
      sum += std::exp(parzen_log_density(centers, (i + 0.5) / cells)) / cells;
    EXPECT_NEAR(sum, 1.0, 1e-6) << centers.size();
  }
}

TEST(Tpe, ProposesWhereTheGoodPointsAreDenseAndTheRestAreNot) {
  const std::vector<SearchParameter> space = {param("/x=0..1"), param("/c=a,b,c")};
  // Good points near x = 0.2 with choice 1; the rest spread elsewhere with choice 0 or 2.
  std::vector<std::vector<double>> ranked = {{0.2, 1}, {0.21, 1}, {0.19, 1}};
  for (int i = 0; i < 12; ++i) ranked.push_back({0.4 + 0.05 * i, static_cast<double>(2 * (i % 2))});
  sim::RandomStream rng = sim::RandomSource(7).stream("tpe-test");
  int near = 0, choice_one = 0;
  for (int i = 0; i < 50; ++i) {
    const std::vector<double> x = propose_tpe(space, ranked, rng);
    ASSERT_GE(x[0], 0.0);
    ASSERT_LE(x[0], 1.0);
    near += std::fabs(x[0] - 0.2) < 0.1;
    choice_one += x[1] == 1.0;
  }
  EXPECT_GE(near, 45);
  EXPECT_GE(choice_one, 45);
}

// A synthetic evaluator: each metric is a function of the candidate's
// coordinates, with a bias that shrinks with the request count (a short run
// is a noisier, biased view) and a CI of ±1% of the value.
struct Synthetic {
  std::function<std::vector<std::pair<std::string, double>>(const std::vector<double>&,
                                                            std::uint64_t)>
      metrics;
  std::uint64_t runs = 0;
  std::vector<std::uint64_t> requests_seen;

  SearchEvaluator evaluator() {
    return [this](const std::vector<const SearchCandidate*>& cs, std::uint64_t requests, unsigned,
                  unsigned) -> StatusOr<std::vector<std::vector<MetricSummary>>> {
      std::vector<std::vector<MetricSummary>> out;
      for (const SearchCandidate* c : cs) {
        ++runs;
        requests_seen.push_back(requests);
        std::vector<MetricSummary> ms;
        for (const auto& [name, v] : metrics(c->point, requests)) {
          MetricSummary m;
          m.name = name;
          m.ci.n = 3;
          m.ci.mean = v;
          m.ci.half_width = std::fabs(v) * 0.01;
          ms.push_back(m);
        }
        out.push_back(std::move(ms));
      }
      return out;
    };
  }
};

// max −(x − 0.7)², with a low-fidelity bias that points the wrong way.
Synthetic parabola() {
  Synthetic s;
  s.metrics = [](const std::vector<double>& x, std::uint64_t requests) {
    const double bias = 300.0 / static_cast<double>(requests) * (x[0] - 0.7);
    return std::vector<std::pair<std::string, double>>{
        {"score", -(x[0] - 0.7) * (x[0] - 0.7) + bias}, {"other", 1.0}};
  };
  return s;
}

SearchSettings small_settings() {
  SearchSettings s;
  s.full_requests = 2700;
  s.min_requests = 100;  // rungs 100, 300, 900, 2700
  s.eta = 3;
  s.brackets = 8;
  s.replications = 2;
  s.seed = 11;
  return s;
}

TEST(Search, RunsHyperbandBracketsWithTheDocumentedSizesAndCounts) {
  Synthetic f = parabola();
  const SearchSettings settings = small_settings();
  auto r = run_search({param("/x=0..1")}, {"score", true}, {}, settings, f.evaluator());
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->rungs, (std::vector<std::uint64_t>{100, 300, 900, 2700}));
  EXPECT_EQ(r->brackets_run, 8u);
  // Per cycle of 4 brackets: 27+9+3+1 candidates from rung 0; 12+4+1 from
  // rung 1; 6+2 from rung 2; 4 at full fidelity.
  std::map<std::pair<unsigned, unsigned>, int> per_rung;
  for (const SearchEvaluation& e : r->evaluations) ++per_rung[{e.bracket % 4, e.rung}];
  const std::map<std::pair<unsigned, unsigned>, int> expected = {
      {{0, 0}, 54}, {{0, 1}, 18}, {{0, 2}, 6},  {{0, 3}, 2}, {{1, 1}, 24},
      {{1, 2}, 8},  {{1, 3}, 2},  {{2, 2}, 12}, {{2, 3}, 4}, {{3, 3}, 8}};
  EXPECT_EQ(per_rung, expected);
  EXPECT_EQ(r->candidates.size(), 2u * (27 + 12 + 6 + 4));
  // Requests: each cycle is 27·100 + 9·300 + 3·900 + 2700 + 12·300 + 4·900 + 2700
  // + 6·900 + 2·2700 + 4·2700 = 42,300, times 2 replications, twice; nothing is
  // reused in a continuous space.
  EXPECT_EQ(r->requests_simulated, 2u * 2u * 42300u);
  std::uint64_t from_evaluator = 0;
  for (std::uint64_t n : f.requests_seen) from_evaluator += n * settings.replications;
  EXPECT_EQ(from_evaluator, r->requests_simulated);
}

TEST(Search, FindsTheOptimumOfAKnownObjectiveAndRanksTheBest) {
  Synthetic f = parabola();
  auto r = run_search({param("/x=0..1")}, {"score", true}, {}, small_settings(), f.evaluator());
  ASSERT_TRUE(r.ok());
  ASSERT_FALSE(r->best.empty());
  const SearchEvaluation& best = r->evaluations[r->best.front()];
  EXPECT_EQ(best.requests, 2700u);
  EXPECT_NEAR(r->candidates[best.candidate].point[0], 0.7, 0.02);
  for (std::size_t i = 1; i < r->best.size(); ++i) {
    EXPECT_GE(r->evaluations[r->best[i - 1]].metrics[0].ci.mean,
              r->evaluations[r->best[i]].metrics[0].ci.mean);
  }
  // The model proposed some of the later brackets' candidates.
  int from_model = 0;
  for (const SearchCandidate& c : r->candidates) from_model += c.from_model;
  EXPECT_GT(from_model, 20);
}

TEST(Search, AConstrainedOptimumLiesOnTheBoundaryAndNoInfeasibleResultRanksFirst) {
  // max x subject to cost = x² <= 0.25: the optimum is x = 0.5.
  Synthetic f;
  f.metrics = [](const std::vector<double>& x, std::uint64_t) {
    return std::vector<std::pair<std::string, double>>{{"x", x[0]}, {"cost", x[0] * x[0]}};
  };
  auto c = parse_search_constraint("cost<=0.25");
  auto r = run_search({param("/x=0..1")}, {"x", true}, {*c}, small_settings(), f.evaluator());
  ASSERT_TRUE(r.ok());
  const SearchEvaluation& best = r->evaluations[r->best.front()];
  EXPECT_TRUE(best.feasible());
  EXPECT_LE(best.metrics[0].ci.mean, 0.5);
  EXPECT_GE(best.metrics[0].ci.mean, 0.48);
  bool seen_infeasible = false;
  for (std::size_t i : r->best) {
    seen_infeasible = seen_infeasible || !r->evaluations[i].feasible();
    if (seen_infeasible) {
      EXPECT_FALSE(r->evaluations[i].feasible());
    }
  }
}

TEST(Search, TheParetoSetHoldsExactlyTheUndominatedFullFidelityResults) {
  // max x with cost (x − 0.3)², minimized: a trade-off above x = 0.3, and
  // x < 0.3 is beaten by 0.6 − x when that was run.
  Synthetic f;
  f.metrics = [](const std::vector<double>& x, std::uint64_t) {
    return std::vector<std::pair<std::string, double>>{{"x", x[0]},
                                                       {"cost", (x[0] - 0.3) * (x[0] - 0.3)}};
  };
  auto c = parse_search_constraint("cost<=10");
  auto r = run_search({param("/x=0..1")}, {"x", true}, {*c}, small_settings(), f.evaluator());
  ASSERT_TRUE(r.ok());
  ASSERT_FALSE(r->pareto.empty());
  std::set<std::size_t> front(r->pareto.begin(), r->pareto.end());
  for (std::size_t i = 0; i < r->evaluations.size(); ++i) {
    const SearchEvaluation& a = r->evaluations[i];
    if (a.rung != 3) {
      EXPECT_FALSE(front.contains(i));
      continue;
    }
    bool dominated = false;
    for (const SearchEvaluation& b : r->evaluations) {
      if (b.rung != 3) continue;
      const double ax = a.metrics[0].ci.mean, bx = b.metrics[0].ci.mean;
      const double ac = a.metrics[1].ci.mean, bc = b.metrics[1].ci.mean;
      dominated = dominated || (bx >= ax && bc <= ac && (bx > ax || bc < ac));
    }
    EXPECT_EQ(front.contains(i), !dominated) << i;
  }
}

TEST(Search, IsDeterministicAndSensitiveToItsSeed) {
  Synthetic a = parabola(), b = parabola(), c = parabola();
  SearchSettings s = small_settings();
  auto ra = run_search({param("/x=0..1"), param("/k=u,v")}, {"score", true}, {}, s, a.evaluator());
  auto rb = run_search({param("/x=0..1"), param("/k=u,v")}, {"score", true}, {}, s, b.evaluator());
  s.seed = 12;
  auto rc = run_search({param("/x=0..1"), param("/k=u,v")}, {"score", true}, {}, s, c.evaluator());
  ASSERT_TRUE(ra.ok() && rb.ok() && rc.ok());
  ASSERT_EQ(ra->candidates.size(), rb->candidates.size());
  for (std::size_t i = 0; i < ra->candidates.size(); ++i)
    EXPECT_EQ(ra->candidates[i].overrides, rb->candidates[i].overrides);
  EXPECT_NE(ra->candidates[0].overrides, rc->candidates[0].overrides);
}

TEST(Search, AConfigurationRunsOnceARungAndItsRepeatsCostNothing) {
  Synthetic f;
  f.metrics = [](const std::vector<double>& x, std::uint64_t) {
    return std::vector<std::pair<std::string, double>>{{"score", x[0]}};
  };
  SearchSettings s = small_settings();
  s.brackets = 4;
  auto r = run_search({param("/c=a,b")}, {"score", true}, {}, s, f.evaluator());
  ASSERT_TRUE(r.ok());
  // Two configurations × four rungs at most.
  EXPECT_LE(f.runs, 8u);
  std::uint64_t expected = 0;
  for (std::uint64_t n : f.requests_seen) expected += n * s.replications;
  EXPECT_EQ(r->requests_simulated, expected);
  std::size_t fresh = 0;
  for (const SearchEvaluation& e : r->evaluations) fresh += !e.reused;
  EXPECT_EQ(fresh, f.runs);
  ASSERT_EQ(r->best.size(), 2u);  // the two distinct configurations, once each
  EXPECT_EQ(r->candidates[r->evaluations[r->best[0]].candidate].overrides.front().second, "b");
}

TEST(Search, ABudgetStopsBeforeTheBracketThatWouldPassIt) {
  Synthetic f = parabola();
  SearchSettings s = small_settings();
  s.brackets = 100;
  s.budget_requests = 2 * 2 * 42300;  // two cycles
  auto r = run_search({param("/x=0..1")}, {"score", true}, {}, s, f.evaluator());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->brackets_run, 8u);
  EXPECT_EQ(r->requests_simulated, 2u * 2u * 42300u);
}

TEST(Search, AnUnknownMetricIsBadInputWithAHint) {
  Synthetic f = parabola();
  auto r = run_search({param("/x=0..1")}, {"scroe", true}, {}, small_settings(), f.evaluator());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kBadInput);
  EXPECT_NE(r.status().message().find("'scroe'"), std::string::npos);
  EXPECT_NE(r.status().message().find("did you mean 'score'"), std::string::npos);
  auto c = parse_search_constraint("cots<=1");
  auto r2 = run_search({param("/x=0..1")}, {"score", true}, {*c}, small_settings(), f.evaluator());
  ASSERT_FALSE(r2.ok());
  EXPECT_NE(r2.status().message().find("'cots'"), std::string::npos);
}

TEST(Search, TheEvaluatorsFailureStopsTheSearchAsIs) {
  int calls = 0;
  SearchEvaluator failing = [&](const std::vector<const SearchCandidate*>&, std::uint64_t, unsigned,
                                unsigned) -> StatusOr<std::vector<std::vector<MetricSummary>>> {
    ++calls;
    return Status::runtime("disk full");
  };
  auto r = run_search({param("/x=0..1")}, {"score", true}, {}, small_settings(), failing);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "disk full");
  EXPECT_EQ(calls, 1);
}

}  // namespace
}  // namespace orchsim::eval::search_test
