#include <gtest/gtest.h>

#include "mock_agents/mock_agent.hpp"
#include "tests/mock_agents/test_listener.hpp"

namespace orchsim::mock_agents {
namespace {

using namespace sim::literals;
using testing::RecordingListener;

sim::Time at(sim::Duration d) { return sim::Time::zero() + d; }

MockAgentConfig agent_with(FaultWindow w) {
  MockAgentConfig c;
  c.name = "flaky";
  c.servers = 100;
  c.latency.base_ms = sim::Distribution::constant(100);
  c.faults = {w};
  return c;
}

// Submits one call per listed instant; returns outcomes in submission order.
std::vector<CallOutcome> submit_at(const MockAgentConfig& c, std::vector<sim::Time> times) {
  sim::Simulation sim;
  MockAgent agent(sim, sim::RandomSource(1), c);
  RecordingListener l;
  for (std::size_t i = 0; i < times.size(); ++i) {
    sim.schedule_at(times[i], [&agent, &l, i] { agent.submit({.request_id = i}, l, i); });
  }
  sim.run_until(at(1_h));
  std::vector<CallOutcome> out(times.size());
  for (const auto& f : l.finished) out[f.tag] = f.outcome;
  return out;
}

TEST(FaultSchedule, OutageAppliesExactlyWithinItsWindow) {
  const auto c = agent_with({.kind = FaultWindow::Kind::kOutageFail, .start = at(10_s), .end = at(20_s)});
  const auto o = submit_at(c, {at(10_s) - 1_ns, at(10_s), at(20_s) - 1_ns, at(20_s), at(9_s)});
  // In service when the outage starts: fails exactly at the start.
  EXPECT_EQ(o[0].error, ErrorKind::kUnavailable);
  EXPECT_EQ(o[0].finished, at(10_s));
  EXPECT_EQ(o[1].error, ErrorKind::kUnavailable);
  EXPECT_EQ(o[1].finished, at(10_s));
  EXPECT_EQ(o[2].error, ErrorKind::kUnavailable);
  EXPECT_EQ(o[3].status, CallStatus::kSuccess);  // recovered exactly at the end
  EXPECT_EQ(o[3].finished, at(20_s) + 100_ms);
  EXPECT_EQ(o[4].status, CallStatus::kSuccess);  // finished before the outage
}

TEST(FaultSchedule, HangingOutageSilencesCallsInFlight) {
  const auto c = agent_with({.kind = FaultWindow::Kind::kOutageHang, .start = at(10_s), .end = at(20_s)});
  const auto o = submit_at(
      c, {at(10_s) - 50_ms, at(15_s), at(20_s), at(10_s) - 100_ms - 1_ns, at(10_s) - 100_ms});
  EXPECT_EQ(o[0].finished, sim::Time{});  // never answered
  EXPECT_EQ(o[1].finished, sim::Time{});
  EXPECT_EQ(o[2].status, CallStatus::kSuccess);
  EXPECT_EQ(o[3].finished, at(10_s) - 1_ns);  // answered just before the outage
  EXPECT_EQ(o[3].status, CallStatus::kSuccess);
  // [start, end): at the start instant the outage is in force, so a reply due
  // exactly then is lost (the boundary event runs before same-instant replies).
  EXPECT_EQ(o[4].finished, sim::Time{});
}

TEST(FaultSchedule, DegradationMultipliesLatencyAndAddsErrorsInsideTheWindowOnly) {
  auto c = agent_with({.kind = FaultWindow::Kind::kDegraded, .start = at(10_s), .end = at(20_s),
                       .latency_factor = 3.0, .extra_error_rate = 0.0});
  const auto o = submit_at(c, {at(10_s) - 1_ns, at(10_s), at(20_s) - 1_ns, at(20_s)});
  EXPECT_EQ(o[0].finished - o[0].service_started, 100_ms);
  EXPECT_EQ(o[1].finished - o[1].service_started, 300_ms);
  EXPECT_EQ(o[2].finished - o[2].service_started, 300_ms);
  EXPECT_EQ(o[3].finished - o[3].service_started, 100_ms);

  c.faults[0].extra_error_rate = 0.3;
  c.servers = 100'000;  // no queueing: every call starts service when submitted
  std::vector<sim::Time> times;
  for (int i = 0; i < 20'000; ++i) times.push_back(at(10_s + sim::Duration::microseconds(i)));
  for (int i = 0; i < 20'000; ++i) times.push_back(at(30_s + sim::Duration::microseconds(i)));
  const auto many = submit_at(c, times);
  int inside = 0, outside = 0;
  for (int i = 0; i < 20'000; ++i) inside += many[i].error == ErrorKind::kTransient;
  for (int i = 20'000; i < 40'000; ++i) outside += many[i].error == ErrorKind::kTransient;
  EXPECT_NEAR(inside / 20'000.0, 0.3, 0.015);
  EXPECT_EQ(outside, 0);
}

}  // namespace
}  // namespace orchsim::mock_agents
