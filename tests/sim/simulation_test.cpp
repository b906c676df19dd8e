#include "sim/simulation.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace orchsim::sim::simulation_test {
namespace {

TEST(Simulation, ClockAdvancesToEachEvent) {
  Simulation sim;
  std::vector<Time> seen;
  sim.schedule_after(5_ms, [&] {
    seen.push_back(sim.now());
    sim.schedule_after(10_ms, [&] { seen.push_back(sim.now()); });
  });
  sim.schedule_at(Time::zero() + 1_ms, [&] { seen.push_back(sim.now()); });
  sim.run();
  EXPECT_EQ(seen, (std::vector<Time>{Time::zero() + 1_ms, Time::zero() + 5_ms,
                                     Time::zero() + 15_ms}));
  EXPECT_EQ(sim.now(), Time::zero() + 15_ms);
  EXPECT_EQ(sim.events_run(), 3u);
}

TEST(Simulation, RunUntilStopsAtTheLimitAndSetsTheClock) {
  Simulation sim;
  std::string ran;
  sim.schedule_at(Time::zero() + 10_ms, [&] { ran += "a"; });
  sim.schedule_at(Time::zero() + 20_ms, [&] { ran += "b"; });
  sim.schedule_at(Time::zero() + 30_ms, [&] { ran += "c"; });
  sim.run_until(Time::zero() + 20_ms);  // inclusive
  EXPECT_EQ(ran, "ab");
  EXPECT_EQ(sim.now(), Time::zero() + 20_ms);
  sim.run_until(Time::zero() + 25_ms);
  EXPECT_EQ(sim.now(), Time::zero() + 25_ms);
  // The clock is at 25 ms; scheduling before the pending 30 ms event is fine.
  sim.schedule_after(1_ms, [&] { ran += "x"; });
  sim.run();
  EXPECT_EQ(ran, "abxc");
}

TEST(Simulation, StopEndsTheRunAfterTheCurrentEvent) {
  Simulation sim;
  std::string ran;
  sim.schedule_at(Time::zero() + 1_ms, [&] { ran += "a"; sim.stop(); });
  sim.schedule_at(Time::zero() + 1_ms, [&] { ran += "b"; });
  sim.schedule_at(Time::zero() + 2_ms, [&] { ran += "c"; });
  sim.run();
  EXPECT_EQ(ran, "a");
  EXPECT_EQ(sim.now(), Time::zero() + 1_ms);
  EXPECT_EQ(sim.pending_events(), 2u);
  sim.run();  // resumes
  EXPECT_EQ(ran, "abc");
}

TEST(Simulation, SchedulingInThePastThrows) {
  Simulation sim;
  sim.schedule_at(Time::zero() + 10_ms, [] {});
  sim.run();
  EXPECT_THROW(sim.schedule_at(Time::zero() + 9_ms, [] {}), std::invalid_argument);
  EXPECT_THROW(sim.schedule_after(-(1_ns), [] {}), std::invalid_argument);
}

TEST(Simulation, TimeoutCancelledByCompletionNeverFires) {
  Simulation sim;
  bool timed_out = false;
  bool completed = false;
  EventId timeout = sim.schedule_after(100_ms, [&] { timed_out = true; }, kPriorityLate);
  sim.schedule_after(40_ms, [&] {
    completed = true;
    EXPECT_TRUE(sim.cancel(timeout));
  });
  sim.run();
  EXPECT_TRUE(completed);
  EXPECT_FALSE(timed_out);
  EXPECT_EQ(sim.now(), Time::zero() + 40_ms);  // the cancelled event does not move the clock
}

TEST(Simulation, ReplyAtTheDeadlineBeatsALatePriorityTimeout) {
  Simulation sim;
  std::string ran;
  sim.schedule_after(100_ms, [&] { ran += "timeout"; }, kPriorityLate);
  sim.schedule_after(100_ms, [&] { ran += "reply,"; });
  sim.run();
  EXPECT_EQ(ran, "reply,timeout");
}

TEST(Simulation, LargeCapturesFallBackToTheHeapAndStillRun) {
  Simulation sim;
  std::array<std::int64_t, 16> big{};  // 128 bytes: larger than the inline buffer
  big[15] = 99;
  std::int64_t seen = 0;
  sim.schedule_after(1_ms, [big, &seen] { seen = big[15]; });
  sim.run();
  EXPECT_EQ(seen, 99);
}

}  // namespace
}  // namespace orchsim::sim::simulation_test
