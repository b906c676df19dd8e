// A fan-out's max_concurrency (Step Functions' Map MaxConcurrency): at most
// that many branches run at once, the next starting when one ends, and the
// join's policy and tolerances count every branch.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "tests/orchestration/harness.hpp"

namespace orchsim::orchestration::fan_out_concurrency_test {
namespace {

using namespace sim::literals;
using mock_agents::MockAgentConfig;
using testing::at;
using testing::call_node;
using testing::Harness;
using testing::terminal;

MockAgentConfig worker(double permanent_error = 0.0) {
  MockAgentConfig c;
  c.name = "worker";
  c.servers = 1000;
  c.latency.base_ms = sim::Distribution::constant(100);
  c.outcomes.permanent_error = permanent_error;
  c.outcomes.error_latency_fraction = 1.0;
  return c;
}

// fan_out(map: item x count, at most `limit` at once) -> join(all) -> answered.
Workflow map_of(std::uint32_t count, std::uint32_t limit) {
  Workflow wf;
  Node fan;
  fan.name = "fan";
  fan.kind = NodeKind::kFanOut;
  fan.fan_out.map_entry = 1;
  fan.fan_out.map_count = count;
  fan.fan_out.max_concurrency = limit;
  fan.fan_out.join = 2;
  Node join;
  join.name = "join";
  join.kind = NodeKind::kJoin;
  join.next = 3;
  wf.nodes = {fan, call_node("item", {0}, 2), join, terminal("answered")};
  return wf;
}

// The most calls of one request in flight at once, and its latency.
struct Shape {
  int most_at_once = 0;
  sim::Duration latency;
};
std::map<RequestId, Shape> shapes(const Harness& h) {
  std::map<RequestId, std::vector<std::pair<sim::Time, int>>> events;
  for (const CallStarted& e : h.obs.started) events[e.request].push_back({e.at, +1});
  for (const CallEnded& e : h.obs.ended) events[e.request].push_back({e.at, -1});
  std::map<RequestId, Shape> out;
  for (auto& [request, list] : events) {
    std::sort(list.begin(), list.end());  // at one instant, ends (-1) before starts
    int now = 0;
    for (const auto& [t, d] : list) {
      now += d;
      out[request].most_at_once = std::max(out[request].most_at_once, now);
    }
  }
  for (const RequestFinished& f : h.obs.finished) out[f.request].latency = f.latency;
  return out;
}

TEST(FanOutConcurrency, AtMostTheLimitRunAndTheNextStartsWhenOneEnds) {
  for (const auto& [limit, expected_ms] : std::vector<std::pair<std::uint32_t, std::int64_t>>{
           {0, 100}, {1, 500}, {2, 300}, {5, 100}, {9, 100}}) {
    Harness h({worker()}, map_of(5, limit));
    h.submit_every(10, 10_s, 100);
    h.run();
    EXPECT_EQ(h.orch->completed(), 10u);
    for (const auto& [request, shape] : shapes(h)) {
      EXPECT_EQ(shape.most_at_once, limit == 0 ? 5 : static_cast<int>(std::min(limit, 5u)))
          << "limit " << limit;
      EXPECT_EQ(shape.latency, sim::Duration::milliseconds(expected_ms)) << "limit " << limit;
    }
    EXPECT_EQ(h.calls_at(1).size(), 10u);
    for (const auto& [request, n] : h.calls_at(1)) EXPECT_EQ(n, 5);
  }
}

TEST(FanOutConcurrency, AFailureBeyondTheToleranceStopsTheBranchesNotYetStarted) {
  Harness h({worker(1.0)}, map_of(6, 2));
  h.submit_every(10, 10_s, 100);
  h.run();
  EXPECT_EQ(h.orch->failed(), 10u);
  for (const auto& [request, n] : h.calls_at(1))
    EXPECT_EQ(n, 2);  // the first two, then the join failed
}

TEST(FanOutConcurrency, ToleratedFailuresCountEveryBranch) {
  Workflow wf = map_of(6, 2);
  wf.nodes[2].join.tolerated_failures = 6;
  Harness h({worker(1.0)}, wf);
  h.submit_every(10, 10_s, 100);
  h.run();
  EXPECT_EQ(h.orch->completed(), 10u);
  for (const auto& [request, n] : h.calls_at(1)) EXPECT_EQ(n, 6);
  for (const auto& [request, shape] : shapes(h)) {
    EXPECT_EQ(shape.most_at_once, 2);
    EXPECT_EQ(shape.latency, 300_ms);
  }
}

// Branches that end at once (straight to the join) start the next from
// inside the fan-out; each starts once, with or without a limit.
TEST(FanOutConcurrency, BranchesThatEndAtOnceStartEachOnce) {
  for (const std::uint32_t limit : {0u, 1u, 2u, 7u}) {
    Workflow wf = map_of(5, limit);
    wf.nodes[0].fan_out.map_entry = 2;  // the join itself: the branch ends where it starts
    wf.nodes[1].name = "unused";
    wf.nodes[0].fan_out.branches = {1};  // and one branch that calls, first
    Harness h({worker()}, wf);
    h.submit_every(10, 10_s, 100);
    h.run();
    EXPECT_EQ(h.orch->completed(), 10u) << "limit " << limit;
    EXPECT_EQ(h.calls_at(1).size(), 10u);
  }
}

}  // namespace
}  // namespace orchsim::orchestration::fan_out_concurrency_test
