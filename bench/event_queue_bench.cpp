// The classic hold model: with N events pending, repeatedly take the earliest
// and schedule one at now + Exp(mean 1 ms). Reports hold operations per second.
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdint>
#include <queue>
#include <vector>

#include "sim/random.hpp"
#include "sim/simulation.hpp"

namespace {

using orchsim::sim::Duration;
using orchsim::sim::RandomSource;
using orchsim::sim::RandomStream;
using orchsim::sim::Simulation;

// Exp(mean) in integer nanoseconds, inline so the RNG is part of the hold cost
// exactly as in the textbook model.
std::int64_t exp_ns(RandomStream& rng, double mean_ns) {
  return static_cast<std::int64_t>(rng.standard_exponential() * mean_ns);
}

void BM_HoldModel(benchmark::State& state) {
  const auto pending = static_cast<std::size_t>(state.range(0));
  Simulation sim;
  RandomStream rng = RandomSource(1).stream("hold");
  struct Hold {
    Simulation* sim;
    RandomStream* rng;
    void operator()() const {
      sim->schedule_after(Duration::nanoseconds(exp_ns(*rng, 1e6)), *this);
    }
  };
  for (std::size_t i = 0; i < pending; ++i) {
    sim.schedule_after(Duration::nanoseconds(exp_ns(rng, 1e6)), Hold{&sim, &rng});
  }
  // Warm up so the queue reaches its steady-state shape.
  for (std::size_t i = 0; i < 2 * pending; ++i) sim.step();
  for (auto _ : state) {
    sim.step();
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["pending"] = static_cast<double>(sim.pending_events());
}
BENCHMARK(BM_HoldModel)->Arg(1'000)->Arg(10'000)->Arg(100'000)->Arg(1'000'000);

// The same hold loop through Simulation::run_until (clock updates included).
void BM_HoldModelThroughRunLoop(benchmark::State& state) {
  const auto pending = static_cast<std::size_t>(state.range(0));
  Simulation sim;
  RandomStream rng = RandomSource(1).stream("hold");
  std::uint64_t holds = 0;
  struct Hold {
    Simulation* sim;
    RandomStream* rng;
    std::uint64_t* holds;
    void operator()() const {
      ++*holds;
      sim->schedule_after(Duration::nanoseconds(exp_ns(*rng, 1e6)), *this);
    }
  };
  for (std::size_t i = 0; i < pending; ++i) {
    sim.schedule_after(Duration::nanoseconds(exp_ns(rng, 1e6)), Hold{&sim, &rng, &holds});
  }
  // A slice of simulated time that holds ~1000 events.
  const Duration slice =
      Duration::nanoseconds(static_cast<std::int64_t>(1e6 * 1000.0 / static_cast<double>(pending)));
  for (auto _ : state) {
    sim.run_until(sim.now() + slice);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(holds));
}
BENCHMARK(BM_HoldModelThroughRunLoop)->Arg(10'000)->Arg(1'000'000);

// Baseline for docs/performance.md: std::priority_queue of (time, sequence).
void BM_HoldModelStdPriorityQueue(benchmark::State& state) {
  const auto pending = static_cast<std::size_t>(state.range(0));
  struct Entry {
    std::int64_t time;
    std::uint64_t seq;
    bool operator>(const Entry& o) const { return time != o.time ? time > o.time : seq > o.seq; }
  };
  std::priority_queue<Entry, std::vector<Entry>, std::greater<>> q;
  RandomStream rng = RandomSource(1).stream("hold");
  std::uint64_t seq = 0;
  for (std::size_t i = 0; i < pending; ++i) q.push({exp_ns(rng, 1e6), seq++});
  for (auto _ : state) {
    const Entry e = q.top();
    q.pop();
    q.push({e.time + exp_ns(rng, 1e6), seq++});
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_HoldModelStdPriorityQueue)->Arg(10'000)->Arg(1'000'000);

// The timeout pattern: every call arms a timeout, the reply comes first and
// cancels it. One iteration = schedule reply + schedule timeout + cancel + run.
void BM_ScheduleCancelChurn(benchmark::State& state) {
  const auto pending = static_cast<std::size_t>(state.range(0));
  Simulation sim;
  RandomStream rng = RandomSource(2).stream("churn");
  for (std::size_t i = 0; i < pending; ++i) {
    sim.schedule_after(Duration::nanoseconds(exp_ns(rng, 1e9)), [] {});
  }
  for (auto _ : state) {
    const auto timeout = sim.schedule_after(Duration::seconds(30), [] {});
    sim.schedule_after(Duration::nanoseconds(exp_ns(rng, 1e3)), [] {});
    sim.cancel(timeout);
    sim.step();
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ScheduleCancelChurn)->Arg(1'000)->Arg(100'000);

}  // namespace
