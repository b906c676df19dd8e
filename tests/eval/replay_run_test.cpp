// Replaying the Azure LLM trace through a whole run: exactly its request
// count, its input and output token totals (a generating agent producing
// each request's own count), and its inter-arrival quantiles.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <string>
#include <vector>

#include "eval/runner.hpp"
#include "orchestration/events.hpp"
#include "scenarios/csv_line.hpp"
#include "scenarios/scenario.hpp"
#include "scenarios/timestamp.hpp"

namespace orchsim::eval::replay_run_test {
namespace {

const std::string kAzure =
    std::string(ORCHSIM_SHARED_DATA) + "/azure-llm-2023/AzureLLMInferenceTrace_code.csv";

struct Recorder final : orchestration::Observer {
  std::vector<sim::Time> arrivals;
  std::int64_t input_tokens = 0, output_tokens = 0;
  std::uint64_t calls = 0;
  void on_request_arrived(const orchestration::RequestArrived& e) override {
    arrivals.push_back(e.at);
  }
  void on_call_ended(const orchestration::CallEnded& e) override {
    ++calls;
    input_tokens += e.input_tokens;
    output_tokens += e.output_tokens;
  }
};

double quantile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  const double r = p * static_cast<double>(v.size() - 1);
  const auto i = static_cast<std::size_t>(r);
  return i + 1 >= v.size() ? v.back() : v[i] + (r - static_cast<double>(i)) * (v[i + 1] - v[i]);
}

std::string scenario(double rate_scale) {
  return R"({"version": 1, "name": "azure_replay", "run": {"requests": 1000000},
    "agents": [{"name": "coder", "servers": 100000, "context_window_tokens": 1000000,
                "latency": {"base_ms": 50, "inter_token_ms": 20},
                "tokens": {"output_tokens": 100, "output_tokens_from_request": true}}],
    "workload": {"arrivals": {"replay": {"file": ")" +
         kAzure + R"(", "rate_scale": )" + std::to_string(rate_scale) + R"(}}},
    "workflow": {"entry": "generate", "nodes": [
      {"name": "generate", "type": "call", "agents": ["coder"], "next": "done"},
      {"name": "done", "type": "terminal", "success": true}]}})";
}

TEST(ReplayRun, AzureTraceRequestsTokensAndInterArrivals) {
  // The oracle, straight from the file.
  std::ifstream in(kAzure);
  std::string line;
  std::getline(in, line);  // header
  std::vector<std::int64_t> stamps;
  std::int64_t in_total = 0, out_total = 0;
  std::vector<std::string> f;
  while (std::getline(in, line)) {
    ASSERT_FALSE(scenarios::split_csv_line(line, f));
    std::int64_t ns = 0;
    ASSERT_TRUE(scenarios::parse_timestamp(f[0], ns));
    stamps.push_back(ns);
    in_total += std::stoll(f[1]);
    out_total += std::stoll(f[2]);
  }
  ASSERT_EQ(stamps.size(), 8819u);

  for (const double scale : {1.0, 4.0}) {
    SCOPED_TRACE(scale);
    const scenarios::LoadResult loaded = scenarios::parse_scenario(scenario(scale), "azure.json");
    ASSERT_TRUE(loaded.ok()) << loaded.diagnostics.format();
    Recorder recorder;
    RunOptions options;
    options.observer = &recorder;
    const RunResult r = run_scenario(*loaded.scenario, options);
    EXPECT_EQ(r.arrived, 8819u);
    EXPECT_EQ(r.completed, 8819u);
    EXPECT_EQ(recorder.calls, 8819u);
    EXPECT_EQ(recorder.input_tokens, in_total);
    EXPECT_EQ(recorder.output_tokens, out_total);
    ASSERT_EQ(recorder.arrivals.size(), stamps.size());
    std::vector<double> measured, replayed;
    for (std::size_t i = 1; i < stamps.size(); ++i) {
      measured.push_back(static_cast<double>(stamps[i] - stamps[i - 1]) * 1e-6 / scale);
      replayed.push_back((recorder.arrivals[i] - recorder.arrivals[i - 1]).milliseconds_f());
    }
    for (double p : {0.1, 0.5, 0.9, 0.99, 0.999}) {
      // Exact up to the rounding of a scaled offset to the nanosecond.
      EXPECT_NEAR(quantile(replayed, p), quantile(measured, p), 2e-6) << p;
    }
    EXPECT_EQ((recorder.arrivals.back() - recorder.arrivals.front()).count_ns(),
              std::llround(static_cast<double>(stamps.back() - stamps.front()) / scale));
  }
}

}  // namespace
}  // namespace orchsim::eval::replay_run_test
