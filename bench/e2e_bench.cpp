// End-to-end: the default scenario (rag_orchestrated) through the runner,
// metrics on, with and without a full trace, and with the trace also written
// out (to a stream that only counts bytes, so the disk is not measured); and
// with the files `orchsim run --out` writes by default (the decision log
// through zstd, the request log and its kept requests), in wall time since
// the decision log has a worker thread.
// Reports simulated requests per second (docs/performance.md, "End to end").
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <ostream>
#include <streambuf>

#include "eval/request_log.hpp"
#include "eval/runner.hpp"
#include "eval/zstd_writer.hpp"
#include "scenarios/scenario.hpp"

namespace {

const orchsim::scenarios::Scenario& scenario() {
  static const orchsim::scenarios::Scenario s = [] {
    auto r = orchsim::scenarios::load_scenario(orchsim::scenarios::kDefaultScenario);
    if (!r.ok()) {
      std::fputs(r.diagnostics.format().c_str(), stderr);
      std::abort();
    }
    return *r.scenario;
  }();
  return s;
}

// A stream buffer that discards what it is given and counts the bytes: the
// formatting cost of TraceWriter::write without the file system's.
class CountingBuf final : public std::streambuf {
 public:
  std::uint64_t bytes = 0;

 protected:
  std::streamsize xsputn(const char*, std::streamsize n) override {
    bytes += static_cast<std::uint64_t>(n);
    return n;
  }
  int_type overflow(int_type c) override {
    if (!traits_type::eq_int_type(c, traits_type::eof())) ++bytes;
    return traits_type::not_eof(c);
  }
};

enum class Trace { kOff, kCollect, kCollectAndWrite };

void run(benchmark::State& state, Trace trace) {
  const auto requests = static_cast<std::uint64_t>(state.range(0));
  std::uint64_t seed = 1;
  for (auto _ : state) {
    orchsim::eval::RunOptions options;
    options.seed = seed++;
    options.requests = requests;
    options.trace = trace != Trace::kOff;
    options.trace_max_events = 100'000'000;
    const auto result = orchsim::eval::run_scenario(scenario(), options);
    benchmark::DoNotOptimize(result.events);
    state.counters["events_per_request"] =
        static_cast<double>(result.events) / static_cast<double>(requests);
    if (trace == Trace::kCollectAndWrite) {
      CountingBuf buf;
      std::ostream out(&buf);
      result.trace->write(out);
      state.counters["trace_bytes_per_request"] =
          static_cast<double>(buf.bytes) / static_cast<double>(requests);
    }
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(requests));
}

// As `orchsim run --out DIR` with its defaults, the disk aside: the decision
// log compressed (ZstdOstream), the request log keeping 2,000 sampled, 200
// slowest and 200 failed requests (RunArgs::request_sample), written out.
void run_with_default_files(benchmark::State& state) {
  const auto requests = static_cast<std::uint64_t>(state.range(0));
  std::uint64_t seed = 1;
  for (auto _ : state) {
    CountingBuf decisions_buf, requests_buf;
    std::ostream decisions_out(&decisions_buf), requests_out(&requests_buf);
    orchsim::eval::ZstdOstream compressed(decisions_out);
    const std::uint64_t this_seed = seed++;
    orchsim::eval::RunOptions options;
    options.seed = this_seed;
    options.requests = requests;
    options.decision_log = &compressed;
    options.request_log =
        orchsim::eval::RequestLogOptions{.sample = 2000, .slowest = 200, .failed = 200};
    const auto result = orchsim::eval::run_scenario(scenario(), options);
    compressed.finish();
    result.request_log->write(requests_out, nlohmann::ordered_json{{"seed", this_seed}});
    state.counters["decision_log_bytes_per_request"] =
        static_cast<double>(decisions_buf.bytes) / static_cast<double>(requests);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(requests));
}

void BM_RagOrchestrated(benchmark::State& state) { run(state, Trace::kOff); }
void BM_RagOrchestratedWithDefaultFiles(benchmark::State& state) { run_with_default_files(state); }
void BM_RagOrchestratedWithTrace(benchmark::State& state) { run(state, Trace::kCollect); }
void BM_RagOrchestratedWithTraceWritten(benchmark::State& state) {
  run(state, Trace::kCollectAndWrite);
}

BENCHMARK(BM_RagOrchestrated)->Arg(100'000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_RagOrchestratedWithTrace)->Arg(100'000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_RagOrchestratedWithTraceWritten)->Arg(100'000)->Unit(benchmark::kMillisecond);
// Wall time for both, so that the ratio compares like with like.
BENCHMARK(BM_RagOrchestrated)
    ->Name("BM_RagOrchestrated/wall")
    ->Arg(1'000'000)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_RagOrchestratedWithDefaultFiles)
    ->Arg(1'000'000)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
