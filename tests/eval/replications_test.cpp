#include "eval/replications.hpp"

#include <gtest/gtest.h>

#include "eval/baseline.hpp"
#include "eval/comparison.hpp"

namespace orchsim::eval::replications_test {
namespace {

scenarios::Scenario load(const std::vector<std::pair<std::string, std::string>>& overrides = {}) {
  scenarios::LoadOptions o;
  o.overrides = overrides;
  scenarios::LoadResult r = scenarios::load_scenario("learned_router", o);
  EXPECT_TRUE(r.ok()) << r.diagnostics.format();
  return std::move(*r.scenario);
}

ReplicationOptions options(unsigned jobs) {
  ReplicationOptions o;
  o.replications = 4;
  o.jobs = jobs;
  o.seed = 11;
  o.requests = 250;
  return o;
}

TEST(Replications, SameBytesWhateverTheJobs) {
  const scenarios::Scenario s = load();
  const ReplicationSet one = run_replications(s, options(1));
  const ReplicationSet four = run_replications(s, options(4));
  ASSERT_EQ(one.metrics.size(), 4u);
  EXPECT_EQ(one.seeds, (std::vector<std::uint64_t>{11, 12, 13, 14}));
  EXPECT_EQ(four.seeds, one.seeds);
  for (std::size_t i = 0; i < 4; ++i) EXPECT_TRUE(one.metrics[i] == four.metrics[i]) << i;
  EXPECT_EQ(summaries_to_json(summarize(one.metrics)).dump(),
            summaries_to_json(summarize(four.metrics)).dump());
  EXPECT_EQ(latency_to_json(one.latency_all).dump(), latency_to_json(four.latency_all).dump());
  EXPECT_EQ(one.latency_all.count(), 4u * 250u);
  // Different seeds give different worlds.
  EXPECT_NE(one.metrics[0].latency_all.p99, one.metrics[1].latency_all.p99);
}

TEST(Replications, SummaryCiContainsTheMeanAndEachMetricIsFlattened) {
  const ReplicationSet set = run_replications(load(), options(2));
  const std::vector<MetricSummary> s = summarize(set.metrics);
  const MetricSummary* p99 = find_metric(s, "latency_ms.all.p99");
  ASSERT_NE(p99, nullptr);
  EXPECT_EQ(p99->ci.n, 4u);
  EXPECT_TRUE(p99->ci.has_interval());
  EXPECT_LT(p99->ci.low(), p99->ci.mean);
  EXPECT_GT(p99->ci.high(), p99->ci.mean);
  double lo = 1e300, hi = -1e300;
  for (const double v : p99->values) {
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  EXPECT_GE(p99->ci.mean, lo);
  EXPECT_LE(p99->ci.mean, hi);
  // Constant metrics have a zero-width interval.
  const MetricSummary* threshold = find_metric(s, "quality_threshold");
  ASSERT_NE(threshold, nullptr);
  EXPECT_EQ(threshold->ci.half_width, 0.0);
  EXPECT_NE(find_metric(s, "agents.strong_model.calls_started"), nullptr);
  EXPECT_NE(find_metric(s, "per_request.cost_usd"), nullptr);
}

TEST(Replications, FlattenKeysArraysByTheirStringFields) {
  const nlohmann::ordered_json j = {{"a", {{"b", 1}, {"c", nullptr}, {"d", "text"}}},
                                    {"edges", {{{"from", "start"}, {"to", "x"}, {"count", 3}}}},
                                    {"list", {5, 6}}};
  const auto flat = flatten_numeric(j);
  ASSERT_EQ(flat.size(), 4u);
  EXPECT_EQ(flat[0].first, "a.b");
  EXPECT_EQ(flat[1].first, "edges.start->x.count");
  EXPECT_EQ(flat[1].second, 3.0);
  EXPECT_EQ(flat[2].first, "list.0");
  EXPECT_EQ(flat[3].first, "list.1");
}

TEST(Comparison, PairedCiIsNarrowerOnCommonRandomNumbers) {
  const ReplicationSet base = run_replications(load(), options(2));
  const ReplicationSet cheap =
      run_replications(load({{"/workflow/nodes/0/routing/policy", "static"}}), options(2));
  const std::vector<MetricComparison> c = compare(base.metrics, cheap.metrics);
  const MetricComparison* cost = nullptr;
  for (const auto& m : c) {
    if (m.name == "per_request.cost_usd") cost = &m;
  }
  ASSERT_NE(cost, nullptr);
  EXPECT_EQ(cost->pairs, 4u);
  EXPECT_LT(cost->paired.mean, 0.0);  // always-cheap costs less
  EXPECT_TRUE(cost->significant());
  EXPECT_NEAR(cost->paired.mean, cost->variant_mean - cost->base_mean, 1e-12);
}

TEST(Baseline, RoundTripAndRegression) {
  const ReplicationSet base = run_replications(load(), options(2));
  const std::vector<MetricSummary> s = summarize(base.metrics);
  const nlohmann::ordered_json b = make_baseline({"learned_router", {}, 11, 4, 250}, s);
  const StatusOr<BaselineInfo> info = baseline_info(b);
  ASSERT_TRUE(info.ok()) << info.status().message();
  EXPECT_EQ(info->seed, 11u);
  EXPECT_EQ(info->replications, 4u);
  EXPECT_EQ(*info->requests, 250u);
  EXPECT_TRUE(check_against_baseline(b, s, default_tolerances())->passed());
  const ReplicationSet strong =
      run_replications(load({{"/workflow/nodes/0/agents", "[\"strong_model\"]"}}), options(2));
  const CheckReport rep =
      check_against_baseline(b, summarize(strong.metrics), default_tolerances()).value();
  EXPECT_FALSE(rep.passed());
  bool cost_regressed = false;
  for (const auto& m : rep.metrics) {
    if (m.name == "per_request.cost_usd") cost_regressed = m.status == "regressed";
  }
  EXPECT_TRUE(cost_regressed);
  EXPECT_EQ(baseline_info(nlohmann::ordered_json{{"format", "x"}}).status().code(),
            Status::Code::kBadInput);
  auto tol = parse_tolerance("latency_ms.all.p99=abs:10");
  ASSERT_TRUE(tol.has_value());
  EXPECT_EQ(tol->second.kind, Tolerance::Kind::kAbsolute);
  EXPECT_FALSE(parse_tolerance("x=pct:3").has_value());
  EXPECT_FALSE(parse_tolerance("x=rel:-1").has_value());
  EXPECT_EQ(check_against_baseline(b, s, {{"no.such.metric", {}}}).status().code(),
            Status::Code::kBadInput);
}

}  // namespace
}  // namespace orchsim::eval::replications_test
