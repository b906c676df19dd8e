// Choosing a family, deriving the agent model's quantities from calls, and
// writing an agent the scenario loader accepts.
#include <gtest/gtest.h>

#include <cmath>

#include "scenarios/calibration/agent_quantities.hpp"
#include "scenarios/calibration/agent_synthesis.hpp"
#include "scenarios/calibration/calibrate.hpp"
#include "scenarios/calibration/fit_report.hpp"
#include "scenarios/calibration/model_selection.hpp"
#include "scenarios/scenario.hpp"
#include "sim/random.hpp"

namespace orchsim::calibration::selection_test {
namespace {

std::vector<double> draw(const sim::Distribution& d, std::size_t n, std::uint64_t seed) {
  sim::RandomStream s = sim::RandomSource(seed).stream("selection");
  std::vector<double> out(n);
  for (double& x : out) x = d.sample(s);
  return out;
}

TEST(Selection, FewValuesGetTheEmpiricalWithAWarning) {
  const QuantityFit q =
      fit_quantity("ttft_ms", Sample::of(draw(sim::Distribution::lognormal(5, 0.3), 29, 1)), {});
  EXPECT_EQ(q.chosen().fit.family, Family::kEmpirical);
  ASSERT_EQ(q.warnings.size(), 1u);
  EXPECT_NE(q.warnings[0].find("only 29 values (fewer than 30)"), std::string::npos);
}

TEST(Selection, LognormalDataChooseLognormalOrAnEquallyGoodFamily) {
  const QuantityFit q =
      fit_quantity("x", Sample::of(draw(sim::Distribution::lognormal(5, 0.5), 5000, 2)), {});
  EXPECT_EQ(q.chosen().fit.family, Family::kLognormal) << q.reason;
  EXPECT_TRUE(q.chosen().adequate);
  for (const CandidateFit& c : q.candidates) {
    if (c.fit.ok && c.fit.family != Family::kEmpirical) {
      EXPECT_GE(c.fit.aic, q.chosen().fit.aic);
    }
  }
}

TEST(Selection, NoAdequateFamilyFallsBackToEmpirical) {
  // Two far-apart modes: no single family (nor the tail mixture) is within the bar.
  const auto bimodal = sim::Distribution::mixture(
      {0.5, 0.5}, {sim::Distribution::normal(100, 3), sim::Distribution::normal(1000, 30)});
  const QuantityFit q = fit_quantity("x", Sample::of(draw(bimodal, 2000, 3)), {});
  EXPECT_EQ(q.chosen().fit.family, Family::kEmpirical);
  EXPECT_EQ(q.reason, "no fitted family within the bar: the empirical distribution");
  SelectionOptions plain;
  plain.quantile_guard = false;
  const QuantityFit aic = fit_quantity("x", Sample::of(draw(bimodal, 2000, 3)), plain);
  EXPECT_NE(aic.chosen().fit.family, Family::kEmpirical);
  EXPECT_EQ(aic.reason, "lowest AIC");
}

TEST(Selection, WithoutEmpiricalTheBestFitIsKeptWithAWarning) {
  SelectionOptions o;
  o.families = {Family::kLognormal, Family::kGamma};
  const auto bimodal = sim::Distribution::mixture(
      {0.5, 0.5}, {sim::Distribution::normal(100, 3), sim::Distribution::normal(1000, 30)});
  const QuantityFit q = fit_quantity("x", Sample::of(draw(bimodal, 2000, 4)), o);
  EXPECT_EQ(q.candidates.size(), 2u);
  EXPECT_FALSE(q.warnings.empty());
}

// --- Quantities from calls -----------------------------------------------------

Measurements synthetic_calls() {
  Measurements m;
  const std::uint32_t src = m.add_source("synthetic.csv", "csv");
  const std::uint32_t label = m.intern(Label{.provider = "p", .model = "m", .source = src});
  for (int i = 0; i < 200; ++i) {
    Observation o;
    o.label = label;
    const double in = 100.0 + 50.0 * (i % 40);
    const double out = 10.0 + 5.0 * (i % 37);
    o.input_tokens = static_cast<std::int64_t>(in);
    o.output_tokens = static_cast<std::int64_t>(out);
    o.ttft_ms = 100.0 + (i % 7) + 0.5 * in;  // prefill 0.5 ms per input token
    o.latency_ms = *o.ttft_ms + 10.0 * out;  // 10 ms per output token
    m.observations.push_back(o);
  }
  for (int i = 0; i < 20; ++i) {
    Observation o;
    o.label = label;
    o.outcome = i < 15 ? Outcome::kRateLimited : Outcome::kHang;
    o.error_code = i < 15 ? "429" : "timeout";
    o.latency_ms = i < 15 ? 0.0 : 30000.0;
    if (i < 15) o.retry_after_ms = 1000.0 + 100.0 * i;
    m.observations.push_back(o);
  }
  return m;
}

TEST(Quantities, PrefillInterTokenAndErrorsFromCalls) {
  const Measurements m = synthetic_calls();
  const auto groups = group_observations(m, GroupBy{});
  ASSERT_EQ(groups.size(), 1u);
  EXPECT_EQ(groups[0].name, "p / m");
  EXPECT_EQ(groups[0].agent_name, "p_m");
  const DerivedQuantities d = derive_quantities(m, groups[0]);
  EXPECT_TRUE(d.prefill_identified);
  EXPECT_NEAR(d.prefill_ms_per_input_token, 0.5, 1e-9);
  ASSERT_TRUE(d.ttft_ms);
  EXPECT_NEAR(d.ttft_ms->min(), 100.0, 1e-9);
  EXPECT_NEAR(d.ttft_ms->max(), 106.0, 1e-9);
  ASSERT_TRUE(d.inter_token_ms);
  EXPECT_NEAR(d.inter_token_ms->min(), 10.0, 1e-9);
  EXPECT_NEAR(d.inter_token_ms->max(), 10.0, 1e-9);
  EXPECT_TRUE(d.inter_token_ms->is_weighted());
  EXPECT_EQ(d.calls, 220u);
  EXPECT_EQ(d.outcomes[static_cast<int>(Outcome::kRateLimited)], 15u);
  EXPECT_EQ(d.outcomes[static_cast<int>(Outcome::kHang)], 5u);
  EXPECT_DOUBLE_EQ(*d.retry_after_ms, 1700.0);  // the median of 1000..2400
  EXPECT_DOUBLE_EQ(*d.client_timeout_ms, 30000.0);
  EXPECT_DOUBLE_EQ(*d.error_latency_fraction, 0.0);  // 429s came back at once
}

TEST(Quantities, WithoutTtftTheSlopeOfLatencyOnTokensIsTheDecodeTime) {
  Measurements m;
  const std::uint32_t src = m.add_source("lat.csv", "csv");
  const std::uint32_t label = m.intern(Label{.source = src});
  for (int i = 0; i < 100; ++i) {
    Observation o;
    o.label = label;
    o.output_tokens = 20 + 3 * i;
    o.latency_ms = 300.0 + (i % 5) + 20.0 * static_cast<double>(*o.output_tokens);
    m.observations.push_back(o);
  }
  const auto groups = group_observations(m, GroupBy{});
  const DerivedQuantities d = derive_quantities(m, groups[0]);
  ASSERT_TRUE(d.inter_token_constant_ms);
  EXPECT_NEAR(*d.inter_token_constant_ms, 20.0, 1e-9);
  EXPECT_NEAR(d.ttft_ms->min(), 300.0, 1e-6);
  EXPECT_FALSE(d.inter_token_ms);
}

TEST(Quantities, WilsonInterval) {
  const auto ci = wilson_interval(130, 150);
  EXPECT_NEAR(ci[0], 0.80304, 1e-4);
  EXPECT_NEAR(ci[1], 0.91202, 1e-4);
  EXPECT_EQ(wilson_interval(0, 150)[0], 0.0);
  EXPECT_EQ(wilson_interval(150, 150)[1], 1.0);
}

TEST(Synthesis, TheAgentLoadsAsAScenarioAgentWithTheMeasuredRates) {
  const Measurements m = synthetic_calls();
  FitOptions options;
  options.command = "orchsim fit synthetic.csv";
  const auto groups = group_observations(m, options.group_by);
  GroupFit g = fit_group(m, groups[0], options);
  const auto agent = synthesize_agent(g, options, m.sources);
  ASSERT_TRUE(agent);
  EXPECT_NE((*agent)["//"].get<std::string>().find("orchsim fit synthetic.csv"), std::string::npos);
  EXPECT_NE((*agent)["//"].get<std::string>().find("synthetic.csv: 220 calls, 200 succeeded"),
            std::string::npos);
  EXPECT_DOUBLE_EQ((*agent)["outcomes"]["rate_limited"].get<double>(),
                   round_significant(15.0 / 220));
  EXPECT_DOUBLE_EQ((*agent)["outcomes"]["hang"].get<double>(), round_significant(5.0 / 220));
  EXPECT_DOUBLE_EQ((*agent)["outcomes"]["retry_after_ms"].get<double>(), 1700.0);
  EXPECT_DOUBLE_EQ((*agent)["latency"]["prefill_ms_per_input_token"].get<double>(), 0.5);
  g.agent = agent;
  FitReport report;
  report.sources = m.sources;
  report.groups.push_back(g);
  const std::string text = scenario_document(report, ScenarioOptions{});
  const scenarios::LoadResult loaded = scenarios::parse_scenario(text, "fitted.json");
  ASSERT_TRUE(loaded.ok()) << loaded.diagnostics.format() << text;
  const scenarios::Scenario& s = *loaded.scenario;
  ASSERT_EQ(s.agents.size(), 1u);
  EXPECT_EQ(s.agents[0].name, "p_m");
  EXPECT_DOUBLE_EQ(s.agents[0].latency.prefill_ms_per_input_token, 0.5);
  EXPECT_EQ(s.agents[0].outcomes.spontaneous_retry_after, sim::Duration::milliseconds(1700));
  // Calls hang, so the call node has the measured client timeout.
  EXPECT_NE(text.find("\"timeout_ms\": 30000"), std::string::npos);
  // The agents file is valid JSON with comments, holding the same agent.
  const auto doc = nlohmann::ordered_json::parse(agents_document(report), nullptr, true, true);
  EXPECT_EQ(doc["agents"][0], *agent);
}

}  // namespace
}  // namespace orchsim::calibration::selection_test
