#include <benchmark/benchmark.h>

#include <cmath>

#include "sim/distribution.hpp"
#include "sim/random.hpp"

namespace {

using orchsim::sim::Distribution;
using orchsim::sim::RandomSource;
using orchsim::sim::RandomStream;

void BM_UniformDraws(benchmark::State& state) {
  RandomStream s = RandomSource(1).stream("bench");
  double acc = 0;
  for (auto _ : state) {
    acc += s.uniform01();
  }
  benchmark::DoNotOptimize(acc);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_UniformDraws);

void BM_ExponentialDrawsInline(benchmark::State& state) {
  RandomStream s = RandomSource(1).stream("bench");
  double acc = 0;
  for (auto _ : state) {
    acc += -std::log(s.uniform_open01());
  }
  benchmark::DoNotOptimize(acc);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ExponentialDrawsInline);

void BM_DistributionSample(benchmark::State& state) {
  RandomStream s = RandomSource(1).stream("bench");
  const Distribution d = state.range(0) == 0   ? Distribution::exponential(1.0)
                         : state.range(0) == 1 ? Distribution::lognormal_from_median_p99(100, 900)
                                               : Distribution::gamma(2.5, 1.0);
  double acc = 0;
  for (auto _ : state) {
    acc += d.sample(s);
  }
  benchmark::DoNotOptimize(acc);
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(d.describe());
}
BENCHMARK(BM_DistributionSample)->Arg(0)->Arg(1)->Arg(2);

// Common random numbers: a fresh keyed stream per (agent, request, attempt).
void BM_KeyedStreamFirstDraw(benchmark::State& state) {
  RandomSource src(1);
  std::uint64_t request = 0;
  double acc = 0;
  for (auto _ : state) {
    RandomStream s = src.stream(std::uint64_t{3}, request++, std::uint64_t{0});
    acc += s.uniform01();
  }
  benchmark::DoNotOptimize(acc);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_KeyedStreamFirstDraw);

}  // namespace
