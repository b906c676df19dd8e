// What the results store adds to each task: one row (the metrics JSON of a
// real run and two encoded histograms, ~7 KB) written in its own
// transaction, to a file in WAL mode (synchronous=NORMAL, the default; and
// =FULL, an fsync per task) and in memory; and reading every row back to
// make summaries. docs/performance.md, "Results store"; target < 1 ms a task.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "eval/results_store.hpp"
#include "eval/task_result.hpp"

namespace {

namespace fs = std::filesystem;
using namespace orchsim;

const eval::LoadedPlan& loaded() {
  static const eval::LoadedPlan l = [] {
    eval::LoadedPlan p;
    auto r = scenarios::load_scenario(scenarios::kDefaultScenario);
    if (!r.ok()) {
      std::fputs(r.diagnostics.format().c_str(), stderr);
      std::abort();
    }
    p.plan.command = "run";
    p.plan.replications = 200'000;  // room for every iteration's row
    p.plan.limits.requests = 2000;
    p.plan.configs.push_back(eval::make_config("base", "rag_orchestrated", {}, *r.scenario));
    p.scenarios.push_back(std::move(*r.scenario));
    return p;
  }();
  return l;
}

const eval::TaskResult& row() {
  static const eval::TaskResult r = eval::run_task(loaded(), 0, "bench");
  return r;
}

std::string temp_store() {
  const fs::path p =
      fs::temp_directory_path() / ("orchsim_store_bench_" + std::to_string(::getpid()) + ".sqlite");
  return p.string();
}

void write_rows(benchmark::State& state, const std::string& path) {
  auto store = eval::ResultsStore::create(path, loaded().plan);
  if (!store.ok()) {
    state.SkipWithError(store.status().message().c_str());
    return;
  }
  eval::TaskResult r = row();
  std::uint64_t index = 0;
  for (auto _ : state) {
    r.index = index++;
    const eval::Status st = store->write(r);
    if (!st.ok()) {
      state.SkipWithError(st.message().c_str());
      break;
    }
  }
  state.counters["row_bytes"] =
      static_cast<double>(r.metrics.size() + r.latency_all.size() + r.latency_success.size());
  state.SetItemsProcessed(state.iterations());
}

void BM_StoreWriteFile(benchmark::State& state) {
  const std::string path = temp_store();
  ::unsetenv("ORCHSIM_STORE_SYNC");
  write_rows(state, path);
  for (const char* s : {"", "-wal", "-shm"}) fs::remove(path + s);
}
BENCHMARK(BM_StoreWriteFile)->Unit(benchmark::kMicrosecond);

void BM_StoreWriteFileFsync(benchmark::State& state) {
  const std::string path = temp_store();
  ::setenv("ORCHSIM_STORE_SYNC", "full", 1);
  write_rows(state, path);
  ::unsetenv("ORCHSIM_STORE_SYNC");
  for (const char* s : {"", "-wal", "-shm"}) fs::remove(path + s);
}
BENCHMARK(BM_StoreWriteFileFsync)->Unit(benchmark::kMicrosecond);

void BM_StoreWriteMemory(benchmark::State& state) {
  write_rows(state, eval::ResultsStore::kInMemory);
}
BENCHMARK(BM_StoreWriteMemory)->Unit(benchmark::kMicrosecond);

// Reading 100 rows back and turning them into per-configuration sets: what a
// summary costs per task.
void BM_StoreReadAndSummarise(benchmark::State& state) {
  eval::LoadedPlan small = loaded();
  small.plan.replications = 100;
  auto store = eval::ResultsStore::create(eval::ResultsStore::kInMemory, small.plan);
  eval::TaskResult r = row();
  for (std::uint64_t i = 0; i < 100; ++i) {
    r.index = i;
    (void)store->write(r);
  }
  for (auto _ : state) {
    auto rows = store->read_all();
    auto sets = eval::replication_sets(small.plan, *rows, "bench");
    benchmark::DoNotOptimize(sets);
  }
  state.SetItemsProcessed(state.iterations() * 100);
}
BENCHMARK(BM_StoreReadAndSummarise)->Unit(benchmark::kMillisecond);

}  // namespace
