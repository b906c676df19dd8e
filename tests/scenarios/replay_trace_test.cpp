// Replaying traffic with its attributes: the formats a trace may have, the
// rate scale, binding classes, what the workload makes of it, and every bad
// row refused with its line.
#include "scenarios/replay_trace.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <string>

#include "scenarios/scenario.hpp"
#include "scenarios/timestamp.hpp"
#include "scenarios/workload.hpp"
#include "sim/simulation.hpp"

namespace orchsim::scenarios::replay_trace_test {
namespace {

using namespace sim::literals;

std::string fixture(const std::string& name) {
  const char* root = std::getenv("ORCHSIM_SOURCE_DIR");
  return std::string(root ? root : ".") + "/tests/scenarios/data/" + name;
}

std::string write_temp(const std::string& name, const std::string& bytes) {
  const std::string path = ::testing::TempDir() + "orchsim_replay_trace_" + name;
  std::ofstream(path, std::ios::binary) << bytes;
  return path;
}

std::string load_error(const std::string& path, double scale = 1.0) {
  try {
    load_replay_trace(path, scale);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  ADD_FAILURE() << "no error for " << path;
  return "";
}

TEST(ReplayTrace, OneValuePerLineReadsAsBeforeAndScales) {
  const ReplayTrace plain = load_replay_trace(fixture("replay_ok.csv"));
  const ReplayArrivals legacy = load_replay_csv(fixture("replay_ok.csv"));
  EXPECT_EQ(plain.arrivals.offsets, legacy.offsets);
  EXPECT_FALSE(plain.has_attributes());
  const ReplayTrace fast = load_replay_trace(fixture("replay_ok.csv"), 2.0);
  ASSERT_EQ(fast.arrivals.offsets.size(), legacy.offsets.size());
  for (std::size_t i = 0; i < legacy.offsets.size(); ++i) {
    EXPECT_EQ(fast.arrivals.offsets[i],
              sim::Duration::nanoseconds(legacy.offsets[i].count_ns() / 2));
  }
}

// Found by fuzz_replay_trace: 11e300 ms read as the largest time, then a
// rate_scale of 0.5 doubled it past int64 and the offset wrapped around to a
// negative time (std::invalid_argument from the arrival process, uncaught).
TEST(ReplayTrace, ArrivalsBeyondTheSimulatorsTimeAreRefusedScaledOrNot) {
  const std::string one_column = write_temp("huge.csv", "arrival_ms\n0\n1.5\n11e300\n");
  EXPECT_NE(load_error(one_column, 0.5).find("huge.csv:4: found 1.1e+301 ms, expected at most"),
            std::string::npos)
      << load_error(one_column, 0.5);
  const std::string stretched = write_temp("stretched.csv", "arrival_ms\n0\n9e12\n");
  EXPECT_NO_THROW(load_replay_trace(stretched, 1.0));
  EXPECT_NE(load_error(stretched, 0.5).find("stretched.csv: arrival 2: found an arrival 9e+12 ms"),
            std::string::npos)
      << load_error(stretched, 0.5);
  const std::string columns = write_temp("columns.csv", "arrival_ms,input_tokens\n0,5\n9e12,5\n");
  EXPECT_NE(load_error(columns, 0.5).find("columns.csv:3: found an arrival 9e+12 ms after the first"),
            std::string::npos)
      << load_error(columns, 0.5);
}

// Found by fuzz_replay_trace (CI, 0bd9dac): timestamps reach from 1678 to
// 2261, and the offset of the last from the first overflowed int64 (UBSan)
// before the rate scale could refuse it.
TEST(ReplayTrace, TimestampsFurtherApartThanTheSimulatorsTimeAreRefused) {
  const std::string far =
      write_temp("far.csv",
                 "TIMESTAMP,ContextTokens,GeneratedTokens\n1678-01-01 00:00:01,10,10\n"
                 "2261-12-31 23:59:59,10,10\n");
  EXPECT_NE(load_error(far).find("far.csv:3: found an arrival more than 292 years after the first"),
            std::string::npos)
      << load_error(far);
  const std::string near = write_temp(
      "near.csv", "timestamp,input_tokens\n1970-01-01 00:00:00,5\n2261-12-31 00:00:00,5\n");
  EXPECT_NO_THROW(load_replay_trace(near, 1.0));  // 292 years apart, less a day: fits
}

TEST(ReplayTrace, NamedColumnsCarryTokensAndClasses) {
  const ReplayTrace t = load_replay_trace(fixture("replay_attributes.csv"), 2.0);
  ASSERT_EQ(t.arrivals.offsets.size(), 4u);
  EXPECT_EQ(t.arrivals.offsets[1], 1250_us);  // 2.5 ms at twice the speed
  EXPECT_EQ(t.arrivals.offsets[3], 20_ms);
  EXPECT_EQ(t.input_tokens, (std::vector<std::int64_t>{120, 900, -1, 60}));
  EXPECT_EQ(t.output_tokens, (std::vector<std::int64_t>{40, -1, 15, 8}));
  EXPECT_EQ(t.class_names, (std::vector<std::string>{"faq", "research", "", "faq"}));
  EXPECT_EQ(t.lines, (std::vector<std::size_t>{3, 4, 5, 6}));
  const auto bound = bind_replay(t, {"research", "faq"});
  const auto& a = std::get<ReplayAttributes>(bound);
  EXPECT_EQ(a.class_index, (std::vector<std::uint32_t>{1, 0, ReplayAttributes::kNoClass, 1}));
  const auto unknown = bind_replay(t, {"chat"});
  EXPECT_EQ(std::get<std::string>(unknown),
            fixture("replay_attributes.csv") +
                ":3: found class 'faq', expected one of the workload's classes (chat)");
}

TEST(ReplayTrace, TheAzureTraceAsItIs) {
  const std::string path =
      std::string(ORCHSIM_SHARED_DATA) + "/azure-llm-2023/AzureLLMInferenceTrace_code.csv";
  const ReplayTrace t = load_replay_trace(path);
  ASSERT_EQ(t.arrivals.offsets.size(), 8819u);
  EXPECT_EQ(t.arrivals.offsets[0], sim::Duration::zero());
  // 18:17:03.9799600 -> 18:17:04.0319600: 52 ms exactly.
  EXPECT_EQ(t.arrivals.offsets[1], 52_ms);
  EXPECT_EQ(t.input_tokens[0], 4808);
  EXPECT_EQ(t.output_tokens[0], 10);
  std::int64_t last = 0, first = 0;
  ASSERT_TRUE(parse_timestamp("2023-11-16 19:14:19.9280160", last));
  ASSERT_TRUE(parse_timestamp("2023-11-16 18:17:03.9799600", first));
  EXPECT_EQ(t.arrivals.offsets.back().count_ns(), last - first);
  EXPECT_TRUE(t.class_names.empty());
}

TEST(ReplayTrace, ADeviceOrAFolderIsNotATrace) {
  // The trace is read whole before its format is known: /dev/zero never
  // ended (load_replay_csv refused it, but is no longer asked first).
  for (const char* path : {"/dev/zero", "/"}) {
    try {
      (void)load_replay_trace(path);
      ADD_FAILURE() << path << ": accepted";
    } catch (const std::runtime_error& e) {
      EXPECT_EQ(std::string(e.what()),
                std::string(path) + ": not a regular file, expected a CSV file of arrivals");
    }
  }
}

TEST(ReplayTrace, BadRowsNameTheirLine) {
  EXPECT_EQ(load_error(write_temp("a.csv", "arrival_ms,input_token\n0,5\n")),
            ::testing::TempDir() +
                "orchsim_replay_trace_a.csv:1: found the column 'input_token', expected one of "
                "arrival_ms, arrival_s, timestamp, input_tokens, output_tokens, class (did you "
                "mean 'input_tokens'?); other columns are ignored");
  EXPECT_NE(load_error(write_temp("b.csv", "arrival_ms,input_tokens\n0,5\n10,x\n"))
                .find("b.csv:3: found 'x' in the input_tokens column, expected a whole number"),
            std::string::npos);
  EXPECT_NE(load_error(write_temp("c.csv", "arrival_ms,class\n5,a\n1,a\n"))
                .find("c.csv:3: found an arrival before the one on line 2"),
            std::string::npos);
  EXPECT_NE(load_error(write_temp("d.csv", "arrival_ms,arrival_s\n5,1\n"))
                .find("found 2 arrival columns"),
            std::string::npos);
  EXPECT_NE(
      load_error(write_temp("e.csv", "input_tokens,class\n5,a\n")).find("found 0 arrival columns"),
      std::string::npos);
  EXPECT_NE(
      load_error(
          write_temp("f.csv", "TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:17:03,5\n"))
          .find("f.csv:2: found 2 fields, expected 3"),
      std::string::npos);
  EXPECT_NE(load_error(write_temp("g.csv", "TIMESTAMP,ContextTokens,GeneratedTokens\nnow,5,6\n"))
                .find("g.csv:2: found 'now' in the TIMESTAMP column"),
            std::string::npos);
  EXPECT_NE(load_error(fixture("replay_ok.csv"), 0.0).find("rate_scale 0 must be > 0"),
            std::string::npos);
}

// The workload takes request i's class, input and output tokens from entry i,
// and still draws the rest from the request's own stream.
TEST(ReplayTrace, TheWorkloadUsesTheTracesAttributes) {
  const std::string scenario = R"({
    "version": 1, "name": "replay",
    "agents": [{"name": "g", "latency": {"base_ms": 10}, "tokens": {"output_tokens": 5, "output_tokens_from_request": true}}],
    "workload": {"arrivals": {"replay": {"file": ")" +
                               fixture("replay_attributes.csv") + R"("}},
                 "classes": [{"name": "research", "input_tokens": 7}, {"name": "faq", "input_tokens": 9}]},
    "workflow": {"entry": "call", "nodes": [{"name": "call", "type": "call", "agents": ["g"], "next": "done"},
                                             {"name": "done", "type": "terminal", "success": true}]}})";
  const LoadResult r = parse_scenario(scenario, "replay.json");
  ASSERT_TRUE(r.ok()) << r.diagnostics.format();
  ASSERT_TRUE(r.scenario->workload.replay);
  sim::Simulation sim;
  struct Sink : RequestSink {
    std::vector<RequestSpec> seen;
    void on_request(const RequestSpec& s) override { seen.push_back(s); }
  } sink;
  WorkloadConfig w = r.scenario->workload;
  Workload workload(sim, sim::RandomSource(1), w, sink);
  workload.start();
  sim.run();
  ASSERT_EQ(sink.seen.size(), 4u);
  EXPECT_EQ(sink.seen[0].class_index, 1u);
  EXPECT_EQ(sink.seen[0].input_tokens, 120);
  EXPECT_EQ(sink.seen[0].output_tokens, 40);
  EXPECT_EQ(sink.seen[1].class_index, 0u);
  EXPECT_EQ(sink.seen[1].output_tokens, -1);  // blank: the agent draws
  EXPECT_EQ(sink.seen[2].input_tokens, w.classes[sink.seen[2].class_index].name == "faq" ? 9 : 7);
  EXPECT_EQ(sink.seen[3].arrival, sim::Time::zero() + 40_ms);
  // Without the attributes the same requests have the same difficulty.
  w.replay.reset();
  Workload plain(sim, sim::RandomSource(1), w, sink);
  for (std::uint64_t i = 0; i < 4; ++i) {
    if (plain.describe(i).class_index == sink.seen[i].class_index) {
      EXPECT_EQ(plain.describe(i).difficulty, sink.seen[i].difficulty) << i;
    }
  }
}

TEST(ReplayTrace, AnUnknownClassInTheTraceIsALoaderError) {
  const std::string scenario = R"({
    "version": 1, "name": "replay",
    "agents": [{"name": "g", "latency": {"base_ms": 10}}],
    "workload": {"arrivals": {"replay": {"file": ")" +
                               fixture("replay_attributes.csv") + R"("}},
                 "classes": [{"name": "chat"}]},
    "workflow": {"entry": "call", "nodes": [{"name": "call", "type": "call", "agents": ["g"], "next": "done"},
                                             {"name": "done", "type": "terminal", "success": true}]}})";
  const LoadResult r = parse_scenario(scenario, "replay.json");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.diagnostics.format().find("/workload/arrivals/replay/file: " +
                                        fixture("replay_attributes.csv") + ":3: found class 'faq'"),
            std::string::npos)
      << r.diagnostics.format();
}

}  // namespace
}  // namespace orchsim::scenarios::replay_trace_test
