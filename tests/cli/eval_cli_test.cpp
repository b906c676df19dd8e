// The evaluation commands through the real executable: run --replications,
// compare, sweep, baseline and check (exit statuses, files, determinism).
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "tests/cli/run_orchsim.hpp"

namespace orchsim::eval_cli_test {
namespace {

namespace fs = std::filesystem;

using cli_testing::orchsim;
using cli_testing::Result;
using cli_testing::scratch;
using cli_testing::slurp;

constexpr const char* kSmall = " --requests 250 -R 3 -q";

TEST(EvalCli, EveryCommandHasHelpWithExamples) {
  for (const char* cmd : {"compare", "sweep", "search", "baseline", "check"}) {
    const Result r = orchsim(std::string(cmd) + " --help");
    EXPECT_EQ(r.status, 0) << cmd;
    EXPECT_NE(r.out.find("Examples"), std::string::npos) << cmd;
  }
  EXPECT_NE(orchsim("run --help").out.find("--replications"), std::string::npos);
}

TEST(EvalCli, RunReplicationsSameBytesWhateverTheJobs) {
  const Result one = orchsim(std::string("run learned_router --format json --jobs 1") + kSmall);
  const Result four = orchsim(std::string("run learned_router --format json --jobs 4") + kSmall);
  ASSERT_EQ(one.status, 0) << one.err;
  ASSERT_EQ(four.status, 0) << four.err;
  EXPECT_EQ(one.out, four.out);
  const auto j = nlohmann::json::parse(one.out);
  EXPECT_EQ(j["replications"], 3);
  EXPECT_EQ(j["seeds"], nlohmann::json::array({1, 2, 3}));
  const auto& p99 = j["metrics"]["latency_ms.all.p99"];
  EXPECT_LE(p99["ci_low"].get<double>(), p99["mean"].get<double>());
  EXPECT_GE(p99["ci_high"].get<double>(), p99["mean"].get<double>());
  const Result table = orchsim(std::string("run learned_router") + kSmall);
  ASSERT_EQ(table.status, 0);
  EXPECT_NE(table.out.find("ci95_low"), std::string::npos);
  EXPECT_EQ(orchsim("run learned_router -R 0").status, 2);
}

TEST(EvalCli, NestedWorkflowsSameBytesWhateverTheJobs) {
  // Sub-workflows three deep with retries at each layer, and the default
  // scenario's on_revisit loop: replications on 1 or 4 threads agree.
  for (const char* scenario : {"nested_retries", "rag_orchestrated"}) {
    SCOPED_TRACE(scenario);
    const std::string base = std::string("run ") + scenario + " --format json" + kSmall;
    const Result one = orchsim(base + " --jobs 1");
    const Result four = orchsim(base + " --jobs 4");
    ASSERT_EQ(one.status, 0) << one.err;
    ASSERT_EQ(four.status, 0) << four.err;
    EXPECT_EQ(one.out, four.out);
  }
}

TEST(EvalCli, CompareReportsPairedDifferences) {
  const Result r = orchsim(
      std::string("compare learned_router --variant cheap:/workflow/nodes/0/routing/policy=static "
                  "--format json") +
      kSmall);
  ASSERT_EQ(r.status, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["variants"].size(), 1u);
  EXPECT_EQ(j["variants"][0]["name"], "cheap");
  const auto& cost = j["variants"][0]["metrics"]["per_request.cost_usd"];
  EXPECT_LT(cost["diff_mean"].get<double>(), 0.0);
  EXPECT_LT(cost["diff_ci_high"].get<double>(), 0.0);
  EXPECT_TRUE(cost["significant"].get<bool>());
  EXPECT_TRUE(cost.contains("width_ratio"));
  const Result table = orchsim(
      std::string(
          "compare learned_router --variant cheap:/workflow/nodes/0/routing/policy=static") +
      kSmall);
  ASSERT_EQ(table.status, 0) << table.err;
  EXPECT_NE(table.out.find("paired ci95"), std::string::npos);
  EXPECT_EQ(orchsim("compare learned_router --variant nocolon").status, 2);
  EXPECT_EQ(orchsim("compare learned_router").status, 2);
  EXPECT_EQ(
      orchsim("compare learned_router --variant x:/no/such/key=1 --requests 50 -R 2 -q").status, 2);
}

// One command compares the orchestrated scenario with its choreographed twin
// (docs/choreography.md): latency, success, cost, duplicated work, silent
// failures caught and requests stuck without an owner, in the table too.
TEST(EvalCli, CompareAgainstTheChoreographedTwinReportsWhatCoordinationBuys) {
  const std::string twin = "rag_choreographed";  // a built-in name, or a file
  const std::string flaky_critic = " --set /agents/3/outcomes/transient_error=0.2";
  const Result r = orchsim("compare rag_orchestrated --against " + twin + flaky_critic +
                           " --requests 1500 -R 2 -q --format json");
  ASSERT_EQ(r.status, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["variants"].size(), 1u);
  EXPECT_EQ(j["variants"][0]["name"], "rag_choreographed");
  const auto& m = j["variants"][0]["metrics"];
  for (const char* key : {"latency_ms.all.mean", "latency_ms.all.p99", "requests.success_rate",
                          "per_request.cost_usd", "coordination.cost_per_request_usd",
                          "coordination.duplicated_calls", "coordination.silent_caught",
                          "coordination.stuck_requests"}) {
    EXPECT_TRUE(m.contains(key)) << key;
  }
  EXPECT_EQ(m["coordination.stuck_requests"]["base_mean"].get<double>(), 0.0);
  EXPECT_GT(m["coordination.stuck_requests"]["diff_mean"].get<double>(), 0.0);
  EXPECT_LT(m["requests.success_rate"]["diff_mean"].get<double>(), 0.0);
  const Result table = orchsim("compare rag_orchestrated --against " + twin + flaky_critic +
                               " --requests 1500 -R 2 -q");
  ASSERT_EQ(table.status, 0) << table.err;
  for (const char* row : {"coordination.stuck_requests", "coordination.duplicated_calls",
                          "coordination.silent_caught", "requests.success_rate"}) {
    EXPECT_NE(table.out.find(row), std::string::npos) << row << " missing from\n" << table.out;
  }
}

TEST(EvalCli, ExplainListsAChoreographysSubscriptions) {
  const Result r = orchsim("explain rag_choreographed");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("choreography (no orchestrator"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("on answer -> critic -> checked (pass) / rejected (fail)"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(r.out.find("workflow (entry"), std::string::npos) << r.out;
}

TEST(EvalCli, SweepWritesCsvAndJsonWithRouterMetrics) {
  const fs::path out = scratch("sweep");
  const Result r = orchsim(
      "sweep model_cascade --grid /workflow/nodes/0/routing/accept_confidence=0.5,0.9 --strong "
      "strong_model --weak-set /workflow/nodes/0/routing/accept_confidence=0 --strong-set "
      "/workflow/nodes/0/routing/policy=static --requests 250 -R 2 -q --out " +
      out.string());
  ASSERT_EQ(r.status, 0) << r.err;
  const std::string csv = slurp(out / "sweep.csv");
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 3);
  EXPECT_NE(csv.find("pareto,strong_fraction,pgr"), std::string::npos);
  const auto j = nlohmann::json::parse(slurp(out / "sweep.json"));
  ASSERT_EQ(j["points"].size(), 2u);
  EXPECT_TRUE(j["router"]["apgr"].is_number());
  const double low = j["points"][0]["strong_fraction"].get<double>();
  const double high = j["points"][1]["strong_fraction"].get<double>();
  EXPECT_LT(low, high);  // a higher accept threshold escalates more
  EXPECT_NE(r.out.find("APGR"), std::string::npos);
  EXPECT_EQ(orchsim("sweep model_cascade --grid bad --out " + out.string()).status, 2);
  EXPECT_EQ(
      orchsim("sweep model_cascade --grid /a=1 --strong strong_model --out " + out.string()).status,
      2);
}

TEST(EvalCli, BaselineThenCheckCatchesARegression) {
  const fs::path dir = scratch("baseline");
  fs::create_directories(dir);
  const std::string base = (dir / "base.json").string();
  const Result b = orchsim("baseline learned_router --requests 250 -R 3 -q --out " + base);
  ASSERT_EQ(b.status, 0) << b.err;
  const auto bj = nlohmann::json::parse(slurp(base));
  EXPECT_EQ(bj["format"], "orchsim-baseline");
  EXPECT_TRUE(bj["metrics"]["latency_ms.all.p99"]["ci_low"].is_number());

  const Result same = orchsim("check --baseline " + base + " -q");
  EXPECT_EQ(same.status, 0) << same.out << same.err;
  EXPECT_NE(same.out.find("check passed"), std::string::npos);

  // Always the strong model: dearer and slower; check must say so and exit 1.
  const std::string junit = (dir / "check.xml").string();
  const Result worse =
      orchsim("check learned_router --baseline " + base +
              " -q --set '/workflow/nodes/0/agents=[\"strong_model\"]' --junit " + junit);
  EXPECT_EQ(worse.status, 1) << worse.out << worse.err;
  EXPECT_NE(worse.out.find("per_request.cost_usd regressed"), std::string::npos) << worse.out;
  const std::string xml = slurp(junit);
  EXPECT_NE(xml.find("<testsuites"), std::string::npos);
  EXPECT_NE(xml.find("<failure"), std::string::npos);

  // A generous tolerance lets the same change through.
  const Result loose =
      orchsim("check learned_router --baseline " + base +
              " -q --set '/workflow/nodes/0/agents=[\"strong_model\"]'"
              " --tolerance per_request.cost_usd=rel:1 --tolerance latency_ms.all.mean=rel:1"
              " --tolerance latency_ms.all.p50=rel:1 --tolerance latency_ms.all.p99=rel:1");
  EXPECT_EQ(loose.status, 0) << loose.out << loose.err;

  EXPECT_EQ(orchsim("check --baseline " + base + " --tolerance x=pct:1").status, 2);
  EXPECT_EQ(orchsim("check --baseline " + base + " --tolerance no.such=abs:1").status, 2);
  EXPECT_EQ(orchsim("check --baseline " + (dir / "missing.json").string()).status, 2);
  std::ofstream(dir / "bad.json") << "{\"format\": \"something else\"}";
  EXPECT_EQ(orchsim("check --baseline " + (dir / "bad.json").string()).status, 2);
}

}  // namespace
}  // namespace orchsim::eval_cli_test
