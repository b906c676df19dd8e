// Speed of `orchsim fit` on a million samples (docs/performance.md,
// "Calibration"): one quantity through every family (fit, KS, quantiles),
// each family alone, and a whole CSV of 10^6 calls (read, group, derive,
// fit four quantities, synthesise the agent). The target: under 5 s.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "scenarios/calibration/calibrate.hpp"
#include "scenarios/calibration/model_selection.hpp"
#include "sim/distribution.hpp"
#include "sim/random.hpp"

namespace {

namespace cal = orchsim::calibration;
using orchsim::sim::Distribution;

std::vector<double> draw(const Distribution& d, std::size_t n) {
  orchsim::sim::RandomStream s = orchsim::sim::RandomSource(1).stream("fit_bench");
  std::vector<double> out(n);
  for (double& x : out) x = d.sample(s);
  return out;
}

// A TTFT-like sample: a lognormal body with a 3% slow mode.
const std::vector<double>& million() {
  static const std::vector<double> v = draw(
      Distribution::mixture(
          {0.97, 0.03}, {Distribution::lognormal(5.5, 0.35), Distribution::lognormal(7.5, 0.6)}),
      1'000'000);
  return v;
}

void BM_FitQuantityEveryFamily(benchmark::State& state) {
  const auto& v = million();
  for (auto _ : state) {
    const cal::QuantityFit q = cal::fit_quantity("ttft_ms", cal::Sample::of(v), {});
    benchmark::DoNotOptimize(q.selected);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(v.size()));
}
BENCHMARK(BM_FitQuantityEveryFamily)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();

void BM_FitFamily(benchmark::State& state) {
  const cal::Sample s = cal::Sample::of(million());
  const auto family = static_cast<cal::Family>(state.range(0));
  state.SetLabel(std::string(cal::to_string(family)));
  for (auto _ : state) {
    const cal::FamilyFit f = cal::fit_family(family, s);
    benchmark::DoNotOptimize(f.aic);
  }
}
BENCHMARK(BM_FitFamily)
    ->DenseRange(0, 5)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(3)
    ->UseRealTime();

// 10^6 calls of one model: latency, TTFT, input and output tokens, 1% 429s.
std::string million_call_csv() {
  const std::filesystem::path p = std::filesystem::temp_directory_path() /
                                  ("orchsim_fit_bench_" + std::to_string(::getpid()) + ".csv");
  std::ofstream out(p);
  out << "model,latency_ms,ttft_ms,input_tokens,output_tokens,error\n";
  orchsim::sim::RandomStream s = orchsim::sim::RandomSource(2).stream("csv");
  const auto ttft = Distribution::lognormal(5.5, 0.35);
  const auto per_token = Distribution::gamma(20, 0.6);
  const auto outputs = Distribution::lognormal(5, 0.8);
  const auto inputs = Distribution::lognormal(6.5, 1.0);
  for (int i = 0; i < 1'000'000; ++i) {
    const auto in = static_cast<long>(inputs.sample(s)) + 1;
    const auto n = static_cast<long>(outputs.sample(s)) + 1;
    const double first = ttft.sample(s) + 0.02 * static_cast<double>(in);
    if (s.uniform01() < 0.01) {
      out << "m,50,,,,429\n";
      continue;
    }
    out << "m," << first + static_cast<double>(n) * per_token.sample(s) << ',' << first << ',' << in
        << ',' << n << ",\n";
  }
  return p.string();
}

// The file, removed when the program ends.
struct TemporaryCsv {
  std::string path = million_call_csv();
  ~TemporaryCsv() { std::filesystem::remove(path); }
};

void BM_CalibrateCsvMillionCalls(benchmark::State& state) {
  static const TemporaryCsv csv;
  const std::string& path = csv.path;
  cal::FitOptions options;
  options.inputs = {path};
  for (auto _ : state) {
    const auto r = cal::calibrate(options);
    if (!r.ok()) state.SkipWithError(r.error().format().c_str());
    benchmark::DoNotOptimize(r.ok());
  }
  state.SetItemsProcessed(state.iterations() * 1'000'000);
}
BENCHMARK(BM_CalibrateCsvMillionCalls)->Unit(benchmark::kMillisecond)->Iterations(2)->UseRealTime();

}  // namespace
