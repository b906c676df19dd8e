// The orchsim command as a user runs it: exit statuses, output files, golden
// output and determinism, through the real executable.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zstd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <utility>

#include "tests/cli/run_orchsim.hpp"

namespace orchsim::cli_test {
namespace {

// A zstd frame's content (the decision log is written compressed).
std::string unzstd(const std::string& frame) {
  std::string out, chunk(1 << 16, '\0');
  ZSTD_DStream* d = ZSTD_createDStream();
  ZSTD_inBuffer in{frame.data(), frame.size(), 0};
  while (in.pos < in.size) {
    ZSTD_outBuffer o{chunk.data(), chunk.size(), 0};
    if (ZSTD_isError(ZSTD_decompressStream(d, &o, &in))) break;
    out.append(chunk.data(), o.pos);
  }
  ZSTD_freeDStream(d);
  return out;
}

namespace fs = std::filesystem;

using cli_testing::orchsim;
using cli_testing::Result;
using cli_testing::scratch;
using cli_testing::slurp;

std::string source_dir() {
  const char* s = std::getenv("ORCHSIM_SOURCE_DIR");
  return s ? s : ".";
}

TEST(Cli, HelpListsSubcommandsWithExamples) {
  const Result r = orchsim("--help");
  EXPECT_EQ(r.status, 0);
  for (const char* word : {"run", "validate", "list", "explain", "Examples"}) {
    EXPECT_NE(r.out.find(word), std::string::npos) << word;
  }
  const Result run_help = orchsim("run --help");
  EXPECT_EQ(run_help.status, 0);
  EXPECT_NE(run_help.out.find("--set"), std::string::npos);
  EXPECT_NE(run_help.out.find("Examples"), std::string::npos);
}

TEST(Cli, RunWithoutAScenarioRunsTheDefault) {
  const Result r = orchsim("run --requests 300 --format json");
  ASSERT_EQ(r.status, 0) << r.err;
  const auto report = nlohmann::json::parse(r.out);
  EXPECT_EQ(report["scenario"]["name"], "rag_orchestrated");
  EXPECT_EQ(report["run"]["arrived"], 300);
  EXPECT_EQ(report["schema_version"], 1);
}

TEST(Cli, UnknownScenarioIsBadInputWithASuggestion) {
  const Result r = orchsim("run rag_orchestratd");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("did you mean \"rag_orchestrated\"?"), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty());
}

TEST(Cli, SetOverridesAValueAndRejectsABadPointer) {
  const Result r =
      orchsim("run --requests 200 --format json --set /run/seed=5 --set /agents/2/servers=4");
  ASSERT_EQ(r.status, 0) << r.err;
  const auto report = nlohmann::json::parse(r.out);
  EXPECT_EQ(report["run"]["seed"], 5);
  const Result bad = orchsim("run --requests 200 --set /agents/2/servrs=4");
  EXPECT_EQ(bad.status, 2);
  EXPECT_NE(bad.err.find("/agents/2/servrs"), std::string::npos) << bad.err;
  const Result malformed = orchsim("run --set agents=4");
  EXPECT_EQ(malformed.status, 2);
}

TEST(Cli, InvalidScenarioWritesNothingAndExitsTwo) {
  const fs::path dir = scratch("invalid");
  fs::create_directories(dir);
  const fs::path file = dir / "broken.json";
  std::ofstream(file) << R"({"version": 1, "name": "x", "agents": [{"name": "a", "servrs": 2,
      "latency": {"base_ms": {"lognormal": {"median": 10, "p99": 5}}}}],
      "workload": {"arrivals": {"poisson": {"rate_per_s": -1}}},
      "workflow": {"nodes": [{"name": "n", "type": "call", "agents": ["b"], "next": "m"}]}})";
  const fs::path out = dir / "results";
  const Result r = orchsim("run " + file.string() + " --out " + out.string());
  EXPECT_EQ(r.status, 2);
  EXPECT_FALSE(fs::exists(out)) << "no output folder for an invalid scenario";
  // Every problem at once, each with the file and its pointer.
  for (const char* expected :
       {"/agents/0/servrs", "did you mean \"servers\"?", "/agents/0/latency/base_ms",
        "/workload/arrivals/poisson/rate_per_s", "/workflow/nodes/0/agents/0"}) {
    EXPECT_NE(r.err.find(expected), std::string::npos) << expected << "\n" << r.err;
  }
  EXPECT_NE(r.err.find(file.string()), std::string::npos);
}

TEST(Cli, RequestsAndDurationAreExclusiveAndDurationsAreChecked) {
  EXPECT_EQ(orchsim("run --requests 10 --duration 5s").status, 2);
  EXPECT_EQ(orchsim("run --duration fast").status, 2);
  const Result r = orchsim("run --duration 20s --format json");
  ASSERT_EQ(r.status, 0) << r.err;
  const auto report = nlohmann::json::parse(r.out);
  EXPECT_EQ(report["run"]["duration_limit_s"], 20.0);
  EXPECT_GT(report["run"]["arrived"].get<int>(), 300);  // ~20 req/s for 20 s
}

TEST(Cli, OutWritesEveryFileAndTheTraceIsValidTraceEventFormat) {
  const fs::path out = scratch("out");
  const Result r = orchsim("run --requests 300 --trace -q --out " + out.string());
  ASSERT_EQ(r.status, 0) << r.err;
  for (const char* f :
       {"report.json", "metrics.csv", "decisions.jsonl.zst", "requests.jsonl", "trace.json"}) {
    EXPECT_TRUE(fs::exists(out / f)) << f;
  }
  for (const auto& entry : fs::directory_iterator(out)) {
    EXPECT_EQ(entry.path().string().find(".tmp"), std::string::npos) << "temporary left behind";
  }
  // Decision log: zstd-compressed JSON Lines, a header then one line per request.
  std::istringstream decisions(unzstd(slurp(out / "decisions.jsonl.zst")));
  std::string line;
  ASSERT_TRUE(std::getline(decisions, line));
  EXPECT_EQ(nlohmann::json::parse(line)["orchsim"], "decisions");
  int lines = 0;
  while (std::getline(decisions, line)) {
    const auto j = nlohmann::json::parse(line);
    EXPECT_TRUE(j.contains("r") && j.contains("d") && j.contains("ok"));
    ++lines;
  }
  EXPECT_EQ(lines, 300);
  // Trace: required fields, and timestamps never go back on a track.
  const auto trace = nlohmann::json::parse(slurp(out / "trace.json"));
  ASSERT_TRUE(trace["traceEvents"].is_array());
  std::map<std::pair<int, int>, double> last_ts;
  int slices = 0;
  for (const auto& e : trace["traceEvents"]) {
    ASSERT_TRUE(e.contains("ph") && e.contains("pid"));
    const std::string ph = e["ph"];
    if (ph == "M") continue;
    ASSERT_TRUE(e.contains("ts") && e.contains("name")) << e.dump();
    const double ts = e["ts"];
    const auto track = std::make_pair(e["pid"].get<int>(), e.value("tid", 0));
    if (ph == "X") {
      ++slices;
      EXPECT_TRUE(e.contains("dur") && e.contains("tid") && e.contains("args"));
      EXPECT_GE(ts, last_ts[track]) << "non-decreasing per track";
      last_ts[track] = ts;
    }
  }
  EXPECT_GT(slices, 1000);
}

TEST(Cli, SameSeedSameBytes) {
  const fs::path a = scratch("same_a"), b = scratch("same_b");
  ASSERT_EQ(orchsim("run --requests 1500 --seed 3 --trace -q --out " + a.string()).status, 0);
  ASSERT_EQ(orchsim("run --requests 1500 --seed 3 --trace -q --out " + b.string()).status, 0);
  for (const char* f :
       {"report.json", "metrics.csv", "decisions.jsonl.zst", "requests.jsonl", "trace.json"}) {
    EXPECT_EQ(slurp(a / f), slurp(b / f)) << f;
  }
  const fs::path c = scratch("same_c");
  ASSERT_EQ(orchsim("run --requests 1500 --seed 4 -q --out " + c.string()).status, 0);
  EXPECT_NE(slurp(a / "report.json"), slurp(c / "report.json"));
}

TEST(Cli, NoDecisionsLeavesOutTheDecisionLogAndRemovesAnOldOne) {
  const fs::path out = scratch("no_decisions");
  ASSERT_EQ(orchsim("run --requests 300 --seed 2 --trace -q --out " + out.string()).status, 0);
  ASSERT_TRUE(fs::exists(out / "decisions.jsonl.zst"));
  const std::string report = slurp(out / "report.json");
  const std::string requests = slurp(out / "requests.jsonl");
  // Same run without the log (and without --trace): neither file of the
  // earlier run may stay beside the new report.
  const Result r = orchsim("run --requests 300 --seed 2 --no-decisions --out " + out.string());
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_FALSE(fs::exists(out / "decisions.jsonl.zst"));
  EXPECT_FALSE(fs::exists(out / "trace.json"));
  EXPECT_EQ(r.err.find("decisions.jsonl"), std::string::npos) << r.err;
  // The other outputs do not depend on whether decisions are logged.
  EXPECT_EQ(slurp(out / "report.json"), report);
  EXPECT_EQ(slurp(out / "requests.jsonl"), requests);
}

TEST(Cli, RequestSampleSizesTheRequestLogAndZeroRemovesAnOldOne) {
  const fs::path out = scratch("request_sample");
  ASSERT_EQ(orchsim("run --requests 400 --request-sample 50 -q --out " + out.string()).status, 0);
  std::ifstream in(out / "requests.jsonl");
  std::string header;
  ASSERT_TRUE(std::getline(in, header));
  const auto h = nlohmann::json::parse(header);
  EXPECT_EQ(h["schema"], "orchsim.requests");
  EXPECT_EQ(h["selection"]["sample"], 50);
  EXPECT_EQ(h["selection"]["slowest"], 5);  // a tenth of the sample
  EXPECT_EQ(h["finished"], 400);
  std::size_t lines = 0;
  for (std::string line; std::getline(in, line);) ++lines;
  EXPECT_EQ(lines, h["kept"].get<std::size_t>());
  EXPECT_GE(lines, 50u);
  EXPECT_LE(lines, 60u);  // at most sample + slowest + failed
  in.close();
  // Without a request log, a requests.jsonl left by the earlier run would pass for this run's.
  ASSERT_EQ(orchsim("run --requests 400 --request-sample 0 -q --out " + out.string()).status, 0);
  EXPECT_FALSE(fs::exists(out / "requests.jsonl"));
  EXPECT_TRUE(fs::exists(out / "report.json"));
}

// The default scenario at a fixed seed must produce exactly this report. A
// change here means results changed: regenerate deliberately with
//   build/dev/bin/orchsim run rag_orchestrated --requests 3000 --seed 11 -q --out /tmp/g
//   cp /tmp/g/report.json tests/cli/golden/rag_orchestrated_report.json
TEST(Cli, DefaultScenarioReportIsByteIdenticalToTheGolden) {
  const fs::path out = scratch("golden");
  ASSERT_EQ(
      orchsim("run rag_orchestrated --requests 3000 --seed 11 -q --out " + out.string()).status, 0);
  const std::string golden = slurp(source_dir() + "/tests/cli/golden/rag_orchestrated_report.json");
  ASSERT_FALSE(golden.empty());
  EXPECT_EQ(slurp(out / "report.json"), golden);
}

// Workflows at depth (sub-workflows three layers deep, each retrying the
// one below) give the same bytes in every build type: the dev and release
// presets both check this golden. Regenerate deliberately with
//   build/dev/bin/orchsim run nested_retries --requests 3000 --seed 5 -q --out /tmp/n
//   cp /tmp/n/report.json tests/cli/golden/nested_retries_report.json
TEST(Cli, NestedRetriesReportIsByteIdenticalToTheGolden) {
  const fs::path out = scratch("golden_nested");
  ASSERT_EQ(orchsim("run nested_retries --requests 3000 --seed 5 -q --out " + out.string()).status,
            0);
  const std::string golden = slurp(source_dir() + "/tests/cli/golden/nested_retries_report.json");
  ASSERT_FALSE(golden.empty());
  EXPECT_EQ(slurp(out / "report.json"), golden);
}

// The request log's lines are written as they go (JsonWriter), with the
// bytes nlohmann's dump() wrote for them before: these goldens were made by
// the ordered_json writer it replaced (the binary of 1226664). Between them
// they hold sub-workflow runs (nested_retries), hedges, fan-out branches,
// budget and retry events (query_fanout) and context fitting. Regenerate
// deliberately with (one line)
//   build/dev/bin/orchsim run SCENARIO --requests 3000 --seed SEED -q
//     --request-sample 10 --no-decisions --out /tmp/r
//   cp /tmp/r/requests.jsonl tests/cli/golden/SCENARIO_requests.jsonl
TEST(Cli, RequestLogsAreByteIdenticalToTheGoldens) {
  for (const auto& [scenario, seed] : {std::pair{"rag_orchestrated", 11},
                                       {"nested_retries", 5},
                                       {"hedged_requests", 3},
                                       {"query_fanout", 3},
                                       {"timeout_fallback_decompose", 3}}) {
    SCOPED_TRACE(scenario);
    const fs::path out = scratch(std::string("golden_requests_") + scenario);
    ASSERT_EQ(orchsim(fmt::format("run {} --requests 3000 --seed {} -q --request-sample 10 "
                                  "--no-decisions --out {}",
                                  scenario, seed, out.string()))
                  .status,
              0);
    const std::string golden =
        slurp(source_dir() + "/tests/cli/golden/" + scenario + "_requests.jsonl");
    ASSERT_FALSE(golden.empty());
    EXPECT_EQ(slurp(out / "requests.jsonl"), golden);
  }
}

TEST(Cli, WarmupIsLeftOutAndOneRunGetsABatchMeansInterval) {
  const Result r = orchsim("run --requests 4000 --warmup 30s --format json");
  ASSERT_EQ(r.status, 0) << r.err;
  const auto report = nlohmann::json::parse(r.out);
  const auto& m = report["metrics"];
  const auto& steady = m["steady_state"];
  EXPECT_EQ(steady["warmup_ms"], 30000.0);
  const int excluded = steady["excluded_warmup"];
  EXPECT_GT(excluded, 400);  // ~20 req/s for 30 s
  // Every request is either measured or excluded as warm-up.
  EXPECT_EQ(m["requests"]["arrived"].get<int>() + excluded, report["run"]["arrived"].get<int>());
  // The batch-means interval brackets its own mean and sits near the overall mean.
  const double low = steady["ci95_low_ms"], high = steady["ci95_high_ms"],
               mean = steady["latency_mean_ms"];
  EXPECT_LT(low, mean);
  EXPECT_LT(mean, high);
  EXPECT_NEAR(mean, m["latency_ms"]["all"]["mean"].get<double>(), 0.1 * mean);
  EXPECT_EQ(orchsim("run --warmup soon").status, 2);
}

TEST(Cli, ValidateListAndExplain) {
  const Result v = orchsim("validate " + source_dir() +
                           "/scenarios/library/rag_orchestrated.json rag_orchestrated");
  EXPECT_EQ(v.status, 0) << v.err;
  EXPECT_NE(v.out.find("ok"), std::string::npos);
  const Result l = orchsim("list");
  EXPECT_EQ(l.status, 0);
  EXPECT_NE(l.out.find("rag_orchestrated"), std::string::npos);
  const Result e = orchsim("explain rag_orchestrated --format both");
  EXPECT_EQ(e.status, 0);
  EXPECT_NE(e.out.find("check_retrieval"), std::string::npos);
  EXPECT_NE(e.out.find("digraph"), std::string::npos);
  EXPECT_EQ(orchsim("validate no_such_scenario").status, 2);
}

}  // namespace
}  // namespace orchsim::cli_test
