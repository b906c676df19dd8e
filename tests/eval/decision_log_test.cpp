#include "eval/decision_log.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "tests/eval/eval_test_support.hpp"

namespace orchsim::eval {
namespace {

using namespace sim::literals;

orchestration::Workflow test_workflow() {
  return test_support::workflow_of({"retrieve", "check", "answer"}, "");
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

void feed(DecisionLog& log) {
  const std::vector<orchestration::RoutingCandidate> candidates = {
      {0, 12.3, true}, {1, std::numeric_limits<double>::infinity(), false}};
  log.on_routing_decision({sim::Time::zero() + sim::Duration::nanoseconds(12'345'678), 17, 0, "p2c",
                           &candidates, 0, "lower ewma \"latency\""});
  log.on_flow_decision({sim::Time::zero() + 20_ms, 17, 1, 2, "confidence >= 0.7"});
  log.on_flow_decision({sim::Time::zero() + 21_ms, 18, 1, orchestration::kNoNode, "loop bound"});
}

TEST(DecisionLogTest, OneParsableLinePerDecision) {
  const auto workflow = test_workflow();
  std::ostringstream out;
  DecisionLog log(out, workflow, {"fast", "slow"});
  feed(log);
  EXPECT_EQ(log.lines(), 3u);
  const auto lines = lines_of(out.str());
  ASSERT_EQ(lines.size(), 3u);

  const auto route = nlohmann::json::parse(lines[0]);
  EXPECT_DOUBLE_EQ(route["t_ms"].get<double>(), 12.345678);
  EXPECT_EQ(route["request"], 17);
  EXPECT_EQ(route["node"], "retrieve");
  EXPECT_EQ(route["kind"], "route");
  EXPECT_EQ(route["policy"], "p2c");
  ASSERT_EQ(route["inputs"].size(), 2u);
  EXPECT_EQ(route["inputs"][0]["agent"], "fast");
  EXPECT_DOUBLE_EQ(route["inputs"][0]["score"].get<double>(), 12.3);
  EXPECT_EQ(route["inputs"][0]["eligible"], true);
  EXPECT_TRUE(route["inputs"][1]["score"].is_null());  // not finite
  EXPECT_EQ(route["inputs"][1]["eligible"], false);
  EXPECT_EQ(route["choice"], "fast");
  EXPECT_EQ(route["reason"], "lower ewma \"latency\"");

  const auto flow = nlohmann::json::parse(lines[1]);
  EXPECT_EQ(flow["kind"], "flow");
  EXPECT_EQ(flow["node"], "check");
  EXPECT_EQ(flow["choice"], "answer");
  EXPECT_FALSE(flow.contains("inputs"));
  EXPECT_FALSE(flow.contains("policy"));
  const auto end = nlohmann::json::parse(lines[2]);
  EXPECT_TRUE(end["choice"].is_null());
  EXPECT_EQ(end["reason"], "loop bound");
}

TEST(DecisionLogTest, FixedKeyOrderAndFormatting) {
  const auto workflow = test_workflow();
  std::ostringstream out;
  DecisionLog log(out, workflow, {"fast", "slow"});
  feed(log);
  const auto lines = lines_of(out.str());
  EXPECT_EQ(lines[0],
            R"({"t_ms":12.345678,"request":17,"node":"retrieve","kind":"route","policy":"p2c",)"
            R"("inputs":[{"agent":"fast","score":12.300000,"eligible":true},)"
            R"({"agent":"slow","score":null,"eligible":false}],"choice":"fast",)"
            R"("reason":"lower ewma \"latency\""})");
  EXPECT_EQ(lines[1],
            R"({"t_ms":20.000000,"request":17,"node":"check","kind":"flow","choice":"answer",)"
            R"("reason":"confidence >= 0.7"})");
  // Same events, same bytes.
  std::ostringstream again;
  DecisionLog log2(again, workflow, {"fast", "slow"});
  feed(log2);
  EXPECT_EQ(again.str(), out.str());
}

}  // namespace
}  // namespace orchsim::eval
