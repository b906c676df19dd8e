// Callbacks or C++20 coroutines for simulation processes? Both models run the
// same workload on the same kernel: each request is a process that waits three
// times (queue, service, reply) and then ends. See docs/design.md.
#include <benchmark/benchmark.h>

#include <coroutine>
#include <cstdint>
#include <exception>

#include "sim/random.hpp"
#include "sim/simulation.hpp"

namespace {

using orchsim::sim::Duration;
using orchsim::sim::RandomSource;
using orchsim::sim::RandomStream;
using orchsim::sim::Simulation;

Duration draw(RandomStream& rng) {
  return Duration::nanoseconds(static_cast<std::int64_t>(rng.uniform01() * 1e6) + 1);
}

// --- Coroutine style: one frame per request, resumed by events. ------------
struct Process {
  struct promise_type {
    Process get_return_object() { return {}; }
    std::suspend_never initial_suspend() noexcept { return {}; }
    std::suspend_never final_suspend() noexcept { return {}; }  // frame freed at the end
    void return_void() {}
    void unhandled_exception() { std::terminate(); }
  };
};

struct Sleep {
  Simulation& sim;
  Duration d;
  bool await_ready() const { return false; }
  void await_suspend(std::coroutine_handle<> h) const {
    sim.schedule_after(d, [h] { h.resume(); });
  }
  void await_resume() const {}
};

Process request_coroutine(Simulation& sim, RandomStream& rng, std::uint64_t& done) {
  co_await Sleep{sim, draw(rng)};
  co_await Sleep{sim, draw(rng)};
  co_await Sleep{sim, draw(rng)};
  ++done;
}

void BM_RequestsAsCoroutines(benchmark::State& state) {
  Simulation sim;
  RandomStream rng = RandomSource(1).stream("style");
  std::uint64_t done = 0;
  const auto concurrent = static_cast<int>(state.range(0));
  for (auto _ : state) {
    for (int i = 0; i < concurrent; ++i) request_coroutine(sim, rng, done);
    sim.run();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(done));
}
BENCHMARK(BM_RequestsAsCoroutines)->Arg(1'000);

// --- Callback style: the request's state lives in the model, events carry ids.
struct RequestModel {
  Simulation& sim;
  RandomStream& rng;
  std::uint64_t done = 0;
  void stage(std::uint32_t remaining) {
    if (remaining == 0) {
      ++done;
      return;
    }
    sim.schedule_after(draw(rng), [this, remaining] { stage(remaining - 1); });
  }
};

void BM_RequestsAsCallbacks(benchmark::State& state) {
  Simulation sim;
  RandomStream rng = RandomSource(1).stream("style");
  RequestModel model{sim, rng};
  const auto concurrent = static_cast<int>(state.range(0));
  for (auto _ : state) {
    for (int i = 0; i < concurrent; ++i) model.stage(3);
    sim.run();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(model.done));
}
BENCHMARK(BM_RequestsAsCallbacks)->Arg(1'000);

}  // namespace
