#include <benchmark/benchmark.h>

#include <cmath>

#include "sim/distribution.hpp"
#include "sim/random.hpp"

namespace {

using orchsim::sim::Distribution;
using orchsim::sim::RandomSource;
using orchsim::sim::RandomStream;

// One draw per iteration from a single stream, summed so none is optimised away.
template <class Draw>
void run_draws(benchmark::State& state, Draw draw) {
  RandomStream s = RandomSource(1).stream("bench");
  double acc = 0;
  for (auto _ : state) {
    acc += draw(s);
  }
  benchmark::DoNotOptimize(acc);
  state.SetItemsProcessed(state.iterations());
}

void BM_UniformDraws(benchmark::State& state) {
  run_draws(state, [](RandomStream& s) { return s.uniform01(); });
}
BENCHMARK(BM_UniformDraws);

// Exp(1) and N(0, 1) by inverse CDF (-log u, AS241), the methods before the
// ziggurat, kept as the comparison for docs/performance.md.
void BM_ExponentialDrawsInverseCdf(benchmark::State& state) {
  run_draws(state, [](RandomStream& s) { return -std::log(s.uniform_open01()); });
}
BENCHMARK(BM_ExponentialDrawsInverseCdf);

void BM_ExponentialDrawsZiggurat(benchmark::State& state) {
  run_draws(state, [](RandomStream& s) { return s.standard_exponential(); });
}
BENCHMARK(BM_ExponentialDrawsZiggurat);

void BM_NormalDrawsInverseCdf(benchmark::State& state) {
  run_draws(state, [](RandomStream& s) {
    return orchsim::sim::special::normal_quantile(s.uniform_open01());
  });
}
BENCHMARK(BM_NormalDrawsInverseCdf);

void BM_NormalDrawsZiggurat(benchmark::State& state) {
  run_draws(state, [](RandomStream& s) { return s.standard_normal(); });
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
