#include <gtest/gtest.h>

#include <optional>
#include <vector>

#include "mock_agents/mock_agent.hpp"
#include "tests/mock_agents/test_listener.hpp"

namespace orchsim::mock_agents::fault_schedule_test {
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
  const auto c =
      agent_with({.kind = FaultWindow::Kind::kOutageFail, .start = at(10_s), .end = at(20_s)});
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
  const auto c =
      agent_with({.kind = FaultWindow::Kind::kOutageHang, .start = at(10_s), .end = at(20_s)});
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

TEST(FaultSchedule, EndBoundIsGivenOnlyWhenNothingCanHangTheCall) {
  // Four servers, 100 ms calls, a hanging outage over [10 s, 20 s) and a
  // failing one over [30 s, 40 s). Call 1 queues behind four others; every
  // other call is in service when asked, so its bound is withheld (or not)
  // for the outage alone.
  MockAgentConfig c =
      agent_with({.kind = FaultWindow::Kind::kOutageHang, .start = at(10_s), .end = at(20_s)});
  c.servers = 4;
  c.faults.push_back({.kind = FaultWindow::Kind::kOutageFail, .start = at(30_s), .end = at(40_s)});
  sim::Simulation sim;
  MockAgent agent(sim, sim::RandomSource(1), c);
  RecordingListener l;
  constexpr std::size_t kCalls = 7;
  constexpr std::uint64_t kFiller = 100;  // tags of calls that only fill servers
  std::vector<std::optional<sim::Time>> bound(kCalls);
  std::vector<std::uint32_t> queued_at_submit(kCalls);
  std::vector<CallId> ids(kCalls);
  const auto submit = [&](std::size_t i) {
    ids[i] = agent.submit({.request_id = i}, l, i);
    queued_at_submit[i] = agent.queued();
    bound[i] = agent.end_bound(ids[i]);
  };
  sim.schedule_at(at(1_s), [&] {
    submit(0);
    for (std::uint64_t f = 0; f < 3; ++f) agent.submit({.request_id = kFiller + f}, l, kFiller + f);
    submit(1);  // all four servers busy: queued
  });
  sim.schedule_at(at(10_s) - 50_ms, [&] { submit(2); });   // would end inside the outage
  sim.schedule_at(at(10_s) - 100_ms, [&] { submit(3); });  // would end at its first instant
  sim.schedule_at(at(15_s), [&] { submit(4); });           // hung by the outage in force
  // The hung calls hold three servers until abandoned.
  sim.schedule_at(at(25_s), [&] {
    for (std::size_t i : {2, 3, 4}) EXPECT_TRUE(agent.cancel(ids[i]).was_active) << i;
  });
  sim.schedule_at(at(30_s) - 50_ms, [&] { submit(5); });  // failed early by the outage
  sim.schedule_at(at(50_s), [&] { submit(6); });
  sim.run_until(at(1_h));

  std::vector<CallOutcome> o(kCalls);
  for (const auto& f : l.finished) {
    if (f.tag < kCalls) o[f.tag] = f.outcome;
  }
  EXPECT_EQ(queued_at_submit[1], 1u);
  for (std::size_t i : {0, 2, 3, 4, 5, 6}) EXPECT_EQ(queued_at_submit[i], 0u) << i;
  EXPECT_EQ(bound[0], at(1_s) + 100_ms);
  EXPECT_EQ(o[0].finished, at(1_s) + 100_ms);
  EXPECT_EQ(bound[1], std::nullopt);  // queued: its start is not known yet
  EXPECT_EQ(o[1].finished, at(1_s) + 200_ms);
  EXPECT_EQ(bound[2], std::nullopt);
  EXPECT_EQ(bound[3], std::nullopt);
  EXPECT_EQ(bound[4], std::nullopt);
  // The withheld bounds were right to be withheld: these never answered.
  EXPECT_EQ(o[2].finished, sim::Time{});
  EXPECT_EQ(o[3].finished, sim::Time{});
  EXPECT_EQ(o[4].finished, sim::Time{});
  // A failing outage only brings the end forward: the bound still holds.
  EXPECT_EQ(bound[5], at(30_s) + 50_ms);
  EXPECT_EQ(o[5].error, ErrorKind::kUnavailable);
  EXPECT_LE(o[5].finished, *bound[5]);
  EXPECT_EQ(bound[6], at(50_s) + 100_ms);
  EXPECT_EQ(o[6].finished, at(50_s) + 100_ms);
  EXPECT_EQ(agent.end_bound(ids[6]), std::nullopt);  // ended: no such call any more
}

TEST(FaultSchedule, DegradationMultipliesLatencyAndAddsErrorsInsideTheWindowOnly) {
  auto c = agent_with({.kind = FaultWindow::Kind::kDegraded,
                       .start = at(10_s),
                       .end = at(20_s),
                       .latency_factor = 3.0,
                       .extra_error_rate = 0.0});
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
}  // namespace orchsim::mock_agents::fault_schedule_test
