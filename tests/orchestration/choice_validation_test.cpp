// The orchestrator checks every Choice a policy makes: a candidate out of
// range, a probability outside (0, 1], or scores that are not one number
// per candidate stop the run with a message naming the policy, the node and
// the request. A user policy, registered under a test name, makes each
// mistake on demand.
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <limits>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "mock_agents/mock_agent.hpp"
#include "orchestration/policy_registry.hpp"
#include "tests/orchestration/harness.hpp"

namespace orchsim::orchestration::choice_validation_test {
namespace {

using namespace sim::literals;
using testing::at;
using testing::call_node;
using testing::Harness;
using testing::terminal;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// What the policies of the current test were told.
struct Told {
  int chosen = 0, observed = 0, finished = 0;
};
Told told;

// Picks candidate 0 correctly ("ok") or makes the mistake `mode` names.
class Mistaken final : public RoutingPolicy {
 public:
  explicit Mistaken(std::string mode) : mode_(std::move(mode)) {}
  Choice choose(const DecisionContext& ctx) override {
    ++told.chosen;
    Choice c{.candidate = 0};
    if (mode_ == "candidate") c.candidate = ctx.size();
    if (mode_ == "zero") c.probability = 0.0;
    if (mode_ == "negative") c.probability = -0.5;
    if (mode_ == "above_one") c.probability = 1.5;
    if (mode_ == "nan_probability") c.probability = kNaN;
    if (mode_ == "nan_score") scores_ = {0.5, kNaN};
    if (mode_ == "score_count") scores_ = {0.5};
    if (mode_ == "ok") scores_ = {0.5, std::numeric_limits<double>::infinity()};
    c.scores = scores_;
    return c;
  }
  void observe(const AttemptOutcome&) override { ++told.observed; }
  void request_finished(const RequestOutcome&) override { ++told.finished; }

 private:
  std::string mode_;
  std::vector<double> scores_;
};

constexpr std::string_view kPolicy = "test_mistaken_choice";

void register_once() {
  static const bool registered = [] {
    PolicyInfo info;
    info.name = kPolicy;
    info.summary = "makes the mistake it is told to";
    PolicyRegistry::global().add(std::move(info),
                                 [](PolicyParams& p, NodeSpec&) -> std::unique_ptr<RoutingPolicy> {
                                   static constexpr std::array<std::string_view, 8> kModes = {
                                       "ok",        "candidate",       "zero",      "negative",
                                       "above_one", "nan_probability", "nan_score", "score_count"};
                                   std::string mode = p.choice("mode", "ok", kModes);
                                   p.finish();
                                   return std::make_unique<Mistaken>(std::move(mode));
                                 });
    return true;
  }();
  (void)registered;
}

mock_agents::MockAgentConfig agent(const std::string& name) {
  mock_agents::MockAgentConfig c;
  c.name = name;
  c.latency.base_ms = sim::Distribution::constant(10);
  return c;
}

// Two agents behind node "answer" routed by the mistaken policy.
std::unique_ptr<Harness> harness(std::string_view mode) {
  register_once();
  told = {};
  Workflow wf;
  wf.name = "validation";
  wf.nodes = {call_node("answer", {0, 1}, 1), terminal("answered")};
  wf.nodes[0].call.routing =
      RoutingConfig::named(std::string(kPolicy), fmt::format(R"({{"mode": "{}"}})", mode));
  return std::make_unique<Harness>(
      std::vector<mock_agents::MockAgentConfig>{agent("first"), agent("second")}, wf);
}

// The message the run stopped with, or "" if it ran to the end.
std::string stop_message(Harness& h) {
  h.submit_at(at(0_s), {.id = 42, .input_tokens = 100});
  try {
    h.sim.run();
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

TEST(ChoiceValidation, AGoodChoiceRuns) {
  auto h = harness("ok");
  h->submit_every(5, 1_s, 100);
  h->run();
  EXPECT_EQ(h->orch->completed(), 5u);
  // Told every attempt and every request, once.
  EXPECT_EQ(told.chosen, 5);
  EXPECT_EQ(told.observed, 5);
  EXPECT_EQ(told.finished, 5);
}

TEST(ChoiceValidation, ACandidateOutOfRangeStopsTheRun) {
  auto h = harness("candidate");
  EXPECT_EQ(stop_message(*h),
            "routing policy \"test_mistaken_choice\" at node \"answer\", request 42: chose "
            "candidate 2, expected one in [0, 2)");
  EXPECT_EQ(told.chosen, 1);
  EXPECT_EQ(told.observed, 0);
}

TEST(ChoiceValidation, AProbabilityOutsideTheUnitIntervalStopsTheRun) {
  for (const auto& [mode, shown] : std::vector<std::pair<std::string_view, std::string_view>>{
           {"zero", "0"}, {"negative", "-0.5"}, {"above_one", "1.5"}}) {
    SCOPED_TRACE(mode);
    auto h = harness(mode);
    EXPECT_EQ(stop_message(*h),
              fmt::format("routing policy \"test_mistaken_choice\" at node \"answer\", request "
                          "42: gave probability {}, expected one in (0, 1]",
                          shown));
  }
}

TEST(ChoiceValidation, ANaNScoreOrAWrongNumberOfScoresStopsTheRun) {
  for (const auto& [mode, count] :
       std::vector<std::pair<std::string_view, int>>{{"nan_score", 2}, {"score_count", 1}}) {
    SCOPED_TRACE(mode);
    auto h = harness(mode);
    EXPECT_EQ(stop_message(*h),
              fmt::format("routing policy \"test_mistaken_choice\" at node \"answer\", request "
                          "42: gave {} scores (a NaN among them?), expected none or 2 numbers",
                          count));
  }
}

TEST(ChoiceValidation, ANaNProbabilityIsAcceptedOnlyWhenNobodyReadsIt) {
  // A propensity that is costly to estimate (thompson's) may be left
  // unknown when no observer asks for explanations.
  auto explained = harness("nan_probability");
  EXPECT_EQ(stop_message(*explained),
            "routing policy \"test_mistaken_choice\" at node \"answer\", request 42: gave "
            "probability nan, expected one in (0, 1]");
  auto quiet = harness("nan_probability");
  quiet->orch->set_observer(nullptr);
  EXPECT_EQ(stop_message(*quiet), "");
  EXPECT_EQ(quiet->orch->completed(), 1u);
}

}  // namespace
}  // namespace orchsim::orchestration::choice_validation_test
