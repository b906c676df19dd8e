// A plan read back from a results store is checked against what its
// command's summaries read before they read it: a missing or mistyped key,
// or fewer rows than the summaries index, is bad input naming the key, not
// an exception out of nlohmann or std::vector::at.
#include "eval/plan_check.hpp"

#include <gtest/gtest.h>

#include <string>

namespace orchsim::eval::plan_check_test {
namespace {

using J = nlohmann::ordered_json;

// [[pointer, value]], as plans keep overrides (a braced list would be an object).
J pairs(const char* pointer, const char* value) { return J::array({J::array({pointer, value})}); }

TaskPlan with_configs(const std::string& command, std::size_t configs) {
  TaskPlan p;
  p.command = command;
  for (std::size_t i = 0; i < configs; ++i) {
    TaskConfig c;
    c.label = std::to_string(i);
    p.configs.push_back(std::move(c));
  }
  return p;
}

TaskPlan compare_plan() {
  TaskPlan p = with_configs("compare", 2);
  p.spec["sets"] = J::array();
  p.spec["variants"] = {{{"name", "fast"}, {"overrides", pairs("/run/seed", "2")}}};
  p.view["metrics"] = J::array();
  p.view["all_metrics"] = false;
  return p;
}

TaskPlan sweep_plan() {
  TaskPlan p = with_configs("sweep", 4);
  p.spec["scenario_name"] = "s";
  p.spec["sets"] = J::array();
  p.spec["grid"] = {{{"pointer", "/run/seed"}, {"values", {"1", "2"}}}};
  p.spec["router"] = {{"strong_agent", "big"},
                      {"weak_overrides", pairs("/a", "1")},
                      {"strong_overrides", pairs("/a", "2")},
                      {"quality_metric", "quality.mean"}};
  return p;
}

// The message of the refusal, which must be bad input; "" when accepted.
std::string refusal(const TaskPlan& plan, std::size_t sets) {
  const Status st = check_summary_inputs(plan, sets);
  if (st.ok()) return "";
  EXPECT_EQ(st.code(), Status::Code::kBadInput) << st.message();
  return st.message();
}

TEST(PlanCheck, WhatTheCommandLineMakesPasses) {
  EXPECT_EQ(refusal(compare_plan(), 2), "");
  EXPECT_EQ(refusal(sweep_plan(), 4), "");
  EXPECT_EQ(refusal(with_configs("run", 1), 1), "");
  EXPECT_EQ(refusal(with_configs("search", 1), 0), "");  // summarised by the search itself
}

TEST(PlanCheck, AMissingOrMistypedKeyIsNamedWithWhatWasFound) {
  TaskPlan p = compare_plan();
  p.spec["variants"][0].erase("name");
  EXPECT_EQ(refusal(p, 2),
            "the stored compare plan is incomplete: /spec/variants/0/name: found nothing, "
            "expected a string");
  p = compare_plan();
  p.view["metrics"] = "p99";
  EXPECT_EQ(refusal(p, 2),
            "the stored compare plan is incomplete: /view/metrics: found \"p99\", expected an "
            "array of metric names");
  p = compare_plan();
  p.spec["variants"] = J::array();  // the table would read the first variant's comparisons
  EXPECT_NE(refusal(p, 1).find("/spec/variants: found an array of 0"), std::string::npos);
  p = sweep_plan();
  p.spec["router"]["weak_overrides"] = J::array({J::array({"/a"})});
  EXPECT_NE(refusal(p, 4).find("/spec/router/weak_overrides: found an array of 1"),
            std::string::npos)
      << refusal(p, 4);
  TaskPlan check = with_configs("check", 1);
  check.spec["baseline"] = J::object();
  check.spec["tolerances"] = {{"quality.mean", 0.01}};
  EXPECT_NE(refusal(check, 1).find("/spec/tolerances/quality.mean: found 0.01"), std::string::npos)
      << refusal(check, 1);
}

TEST(PlanCheck, FewerRowsThanTheSummariesReadIsBadInput) {
  // A grid of 2 points and the router's 2 references: 4 configurations.
  EXPECT_EQ(refusal(sweep_plan(), 3),
            "the stored sweep plan does not match its rows: its summaries read 4 "
            "configurations, the store has 3");
  TaskPlan huge = sweep_plan();
  huge.spec["grid"] = J::array();
  for (int i = 0; i < 40; ++i) {  // 2^40 points: counted without overflow
    huge.spec["grid"].push_back({{"pointer", "/p"}, {"values", {"1", "2"}}});
  }
  EXPECT_NE(refusal(huge, 4).find("does not match its rows"), std::string::npos);
  EXPECT_NE(refusal(with_configs("baseline", 1), 0).find("its summaries read 1"),
            std::string::npos);
}

}  // namespace
}  // namespace orchsim::eval::plan_check_test
