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

// Exp(1) by inverse CDF (-log u), the method before the ziggurat: kept as the
// comparison for docs/performance.md.
void BM_ExponentialDrawsInverseCdf(benchmark::State& state) {
  RandomStream s = RandomSource(1).stream("bench");
  double acc = 0;
  for (auto _ : state) {
    acc += -std::log(s.uniform_open01());
  }
  benchmark::DoNotOptimize(acc);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ExponentialDrawsInverseCdf);

void BM_ExponentialDrawsZiggurat(benchmark::State& state) {
  RandomStream s = RandomSource(1).stream("bench");
  double acc = 0;
  for (auto _ : state) {
    acc += s.standard_exponential();
  }
  benchmark::DoNotOptimize(acc);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ExponentialDrawsZiggurat);

// N(0, 1) by inverse CDF (AS241), the method before the ziggurat.
void BM_NormalDrawsInverseCdf(benchmark::State& state) {
  RandomStream s = RandomSource(1).stream("bench");
  double acc = 0;
  for (auto _ : state) {
    acc += orchsim::sim::special::normal_quantile(s.uniform_open01());
  }
  benchmark::DoNotOptimize(acc);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_NormalDrawsInverseCdf);

void BM_NormalDrawsZiggurat(benchmark::State& state) {
  RandomStream s = RandomSource(1).stream("bench");
  double acc = 0;
  for (auto _ : state) {
    acc += s.standard_normal();
  }
  benchmark::DoNotOptimize(acc);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_NormalDrawsZiggurat);

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
