#include "eval/task_plan.hpp"

#include <gtest/gtest.h>

#include "tests/eval/eval_test_support.hpp"

namespace orchsim::eval::task_plan_test {
namespace {

TaskPlan small_plan() {
  const scenarios::Scenario s = test_support::load("learned_router");
  TaskPlan p;
  p.command = "sweep";
  p.configs.push_back(make_config("point 0", "learned_router", {{"/run/seed", "1"}}, s));
  p.configs.push_back(make_config("point 1", "learned_router", {{"/run/seed", "2"}}, s));
  p.replications = 3;
  p.first_seed = 10;
  p.limits.requests = 100;
  p.spec["grid"] = {{{"pointer", "/run/seed"}, {"values", {"1", "2"}}}};
  return p;
}

TEST(TaskPlan, TaskIndexIsConfigurationMajor) {
  const TaskPlan p = small_plan();
  ASSERT_EQ(p.size(), 6u);
  const Task t = p.task(4);
  EXPECT_EQ(t.config, 1u);
  EXPECT_EQ(t.replication, 1u);
  EXPECT_EQ(t.seed, 11u);
  EXPECT_EQ(p.task(0).seed, 10u);
}

TEST(TaskPlan, JsonRoundTripIsTheSameExperiment) {
  const TaskPlan p = small_plan();
  const auto back = plan_from_json(to_json(p), "x");
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_TRUE(plan_differences(p, *back).empty());
  EXPECT_EQ(to_json(*back).dump(), to_json(p).dump());
  EXPECT_FALSE(plan_from_json({{"format", "other"}}, "x").ok());
  EXPECT_EQ(plan_from_json({{"format", "other"}}, "x").status().code(), Status::Code::kBadInput);
}

// Found by fuzz_task_plan's review (tests/fuzz/regression/task_plan/): a
// stored plan is read from a file that anything may have written, and
// ResultsStore::open() allocates a hash per task before anything else.
TEST(TaskPlan, AStoredPlanTooLargeToRunOrWithSeedsThatWrapIsBadInput) {
  const auto refused = [](const nlohmann::ordered_json& j, const std::string& expected) {
    const auto r = plan_from_json(j, "results.sqlite");
    ASSERT_FALSE(r.ok()) << j.dump();
    EXPECT_EQ(r.status().code(), Status::Code::kBadInput);
    EXPECT_NE(r.status().message().find(expected), std::string::npos) << r.status().message();
  };
  nlohmann::ordered_json j = to_json(small_plan());
  j["replications"] = 1'000'000'000'000ULL;  // hung, then ran out of memory
  refused(j, "found 1000000000000 replications, expected 1 to 100000");
  j["replications"] = 9'223'372'036'854'775'808ULL;  // 2 configs: size() wrapped to 0
  refused(j, "expected 1 to 100000");
  j["replications"] = 2;
  j["first_seed"] = 18'446'744'073'709'551'615ULL;  // seed 2^64 - 1, then 0
  refused(j, "expected a first seed from 0 to 18446744073709551614");
  j["first_seed"] = 18'446'744'073'709'551'614ULL;  // the last that fits
  EXPECT_TRUE(plan_from_json(j, "x").ok());
  j["replications"] = 100'000;
  j["first_seed"] = 1;
  for (int i = 0; i < 99; ++i) j["configs"].push_back(j["configs"][0]);  // 101 x 100,000
  refused(j, "found 101 configurations x 100000 replications, expected 1 to 10000000 tasks");
  j = to_json(small_plan());
  j["duration_ns"] = -5;
  refused(j, "has -5 duration_ns, expected a duration >= 0");
  j = to_json(small_plan());
  j["requests"] = 9'223'372'036'854'775'808ULL;
  refused(j, "expected at most 9223372036854775807");
  j = to_json(small_plan());
  j["requests"] = 3.9e19;  // a double: converting it to uint64 was undefined (UBSan)
  refused(j, "'requests' is 3.9e+19, expected a non-negative integer");
  j = to_json(small_plan());
  j["replications"] = 2.5;
  refused(j, "'replications' is 2.5, expected a non-negative integer");
  // Found by fuzz_task_plan (CI, 0bd9dac): comparing a plan whose spec is
  // not an object threw type_error out of plan_differences.
  j = to_json(small_plan());
  j["spec"] = {1, 2};
  refused(j, "has spec [1,2], expected an object");
  j = to_json(small_plan());
  j["view"] = "x";
  refused(j, "has view \"x\", expected an object");
  EXPECT_TRUE(check_plan_size(100, 100'000, 0).ok());  // exactly 10^7 tasks
  EXPECT_FALSE(check_plan_size(0, 1, 0).ok());
}

TEST(TaskPlan, PlanTextNestedTooDeepOrWithANumberBeyondADoubleIsDiscarded) {
  EXPECT_TRUE(
      parse_plan_text(std::string(100'000, '[') + std::string(100'000, ']')).is_discarded());
  EXPECT_TRUE(parse_plan_text("{\"spec\": 1e999}").is_discarded());
  EXPECT_TRUE(parse_plan_text("{\"spec\"").is_discarded());
  EXPECT_FALSE(parse_plan_text(to_json(small_plan()).dump()).is_discarded());
}

TEST(TaskPlan, DifferencesSayWhatDiffers) {
  const TaskPlan a = small_plan();
  TaskPlan b = a;
  b.replications = 5;
  b.version = "9.9.9";
  b.configs[1].overrides = {{"/run/seed", "3"}};
  b.spec["grid"] = {{{"pointer", "/run/seed"}, {"values", {"1", "3"}}}};
  const auto d = plan_differences(a, b);
  ASSERT_EQ(d.size(), 4u);
  std::string all;
  for (const auto& line : d) all += line + "\n";
  EXPECT_NE(all.find("orchsim version: the store has \"0.1.0\", this run \"9.9.9\""),
            std::string::npos)
      << all;
  EXPECT_NE(all.find("replications: the store has 3, this run 5"), std::string::npos) << all;
  EXPECT_NE(all.find("configuration 1 (point 1) overrides: the store has /run/seed=2, this run "
                     "/run/seed=3"),
            std::string::npos)
      << all;
  EXPECT_NE(all.find("grid:"), std::string::npos) << all;
  // An edited scenario file shows as a different document hash.
  TaskPlan c = a;
  c.configs[0].scenario_hash = "0000000000000000";
  ASSERT_EQ(plan_differences(a, c).size(), 1u);
  EXPECT_NE(plan_differences(a, c)[0].find("scenario document differs"), std::string::npos);
  // The view is not part of the identity.
  TaskPlan v = a;
  v.view["metrics"] = {"quality.mean"};
  EXPECT_TRUE(plan_differences(a, v).empty());
}

TEST(TaskPlan, DocumentHashFollowsTheScenarioAfterOverrides) {
  scenarios::LoadOptions o;
  o.overrides = {{"/run/seed", "5"}};
  const auto a = scenarios::load_scenario("learned_router");
  const auto b = scenarios::load_scenario("learned_router", o);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(document_hash(a.scenario->document), document_hash(a.scenario->document));
  EXPECT_NE(document_hash(a.scenario->document), document_hash(b.scenario->document));
  EXPECT_EQ(document_hash(a.scenario->document).size(), 16u);
  const TaskPlan p = small_plan();
  EXPECT_NE(task_hash(p, p.task(0)), task_hash(p, p.task(1)));  // another seed
}

TEST(TaskPlan, ShardsSplitTasksRoundRobin) {
  EXPECT_FALSE(parse_shard("1").has_value());
  EXPECT_FALSE(parse_shard("4/4").has_value());
  EXPECT_FALSE(parse_shard("0/0").has_value());
  EXPECT_FALSE(parse_shard("a/2").has_value());
  EXPECT_FALSE(parse_shard("1/2x").has_value());
  const auto s = parse_shard("1/3");
  ASSERT_TRUE(s.has_value());
  EXPECT_FALSE(s->contains(0));
  EXPECT_TRUE(s->contains(1));
  EXPECT_TRUE(s->contains(4));
  // Every task in exactly one shard.
  for (std::uint64_t t = 0; t < 20; ++t) {
    int owners = 0;
    for (std::uint64_t i = 0; i < 3; ++i) owners += Shard{i, 3}.contains(t) ? 1 : 0;
    EXPECT_EQ(owners, 1);
  }
}

}  // namespace
}  // namespace orchsim::eval::task_plan_test
