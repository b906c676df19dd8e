// Every built-in scenario runs end to end through eval::run_scenario: the
// request counts add up (in the result and in the metrics JSON), something
// completes, and a run is a pure function of the scenario and the seed.
#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "eval/runner.hpp"
#include "scenarios/scenario.hpp"
#include "tests/eval/eval_test_support.hpp"

namespace orchsim::eval::library_run_test {
namespace {

constexpr std::uint64_t kRequests = 400;

using test_support::load;

RunResult run(const scenarios::Scenario& s, std::uint64_t seed) {
  RunOptions options;
  options.seed = seed;
  options.requests = kRequests;
  return run_scenario(s, options);
}

// The built-in scenarios, loaded once for the whole suite.
const std::map<std::string, scenarios::Scenario>& library() {
  static const std::map<std::string, scenarios::Scenario> loaded = [] {
    std::map<std::string, scenarios::Scenario> out;
    for (const std::string& name : scenarios::library_names()) out.emplace(name, load(name));
    return out;
  }();
  return loaded;
}

TEST(LibraryRun, TheLibraryIsThere) {
  const auto names = scenarios::library_names();
  EXPECT_GE(names.size(), 10u);
  EXPECT_EQ(library().size(), names.size());
}

TEST(LibraryRun, EveryScenarioRunsAndItsCountsAddUp) {
  for (const auto& [name, scenario] : library()) {
    SCOPED_TRACE(name);
    const RunResult r = run(scenario, 1);
    EXPECT_EQ(r.seed, 1u);
    EXPECT_EQ(r.requests_limit, kRequests);
    EXPECT_EQ(r.arrived, kRequests);
    EXPECT_EQ(r.arrived, r.completed + r.failed + r.in_flight);
    EXPECT_GT(r.completed, 0u);
    EXPECT_GT(r.events, 0u);
    ASSERT_NE(r.metrics, nullptr);
    const auto json = r.metrics->to_json();
    const auto& req = json.at("requests");
    EXPECT_EQ(req.at("arrived").get<std::uint64_t>(), r.arrived);
    EXPECT_EQ(req.at("completed").get<std::uint64_t>(), r.completed);
    EXPECT_EQ(req.at("failed").get<std::uint64_t>(), r.failed);
    EXPECT_EQ(req.at("in_flight").get<std::uint64_t>(), r.in_flight);
    EXPECT_EQ(req.at("finished").get<std::uint64_t>(), r.completed + r.failed);
    // The outcome and cause breakdowns account for every finished request.
    std::uint64_t by_outcome = 0, by_cause = 0;
    for (const auto& [outcome, n] : req.at("completed_by_outcome").items()) {
      by_outcome += n.get<std::uint64_t>();
    }
    for (const auto& [cause, n] : req.at("failed_by_cause").items())
      by_cause += n.get<std::uint64_t>();
    EXPECT_EQ(by_outcome, r.completed);
    EXPECT_EQ(by_cause, r.failed);
    EXPECT_EQ(json.at("latency_ms").at("all").at("count").get<std::uint64_t>(),
              r.completed + r.failed);
  }
}

TEST(LibraryRun, SameSeedSameMetricsAnotherSeedOthers) {
  for (const auto& [name, scenario] : library()) {
    SCOPED_TRACE(name);
    const std::string first = run(scenario, 1).metrics->to_json().dump();
    const std::string again = run(scenario, 1).metrics->to_json().dump();
    EXPECT_EQ(first, again) << "the same seed must give the same metrics, byte for byte";
    const std::string other = run(scenario, 2).metrics->to_json().dump();
    EXPECT_NE(first, other) << "another seed should meet another world";
  }
}

}  // namespace
}  // namespace orchsim::eval::library_run_test
