// `orchsim fit` as a user runs it: files written whole, a scenario that
// validates and runs, the same bytes twice, and bad input refused with the
// file and line, exit 2 and nothing written.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/cli/run_orchsim.hpp"

namespace orchsim::fit_cli_test {
namespace {

namespace fs = std::filesystem;
using cli_testing::orchsim;
using cli_testing::Result;
using cli_testing::scratch;
using cli_testing::slurp;

const std::string kLlmperf = std::string(ORCHSIM_SHARED_DATA) + "/llmperf-2023-12/";
const std::string kAzure =
    std::string(ORCHSIM_SHARED_DATA) + "/azure-llm-2023/AzureLLMInferenceTrace_code.csv";

TEST(FitCli, WritesAgentsReportAndAScenarioThatRuns) {
  const fs::path dir = scratch("fit_ok");
  fs::create_directories(dir);
  const Result r = orchsim("fit " + kLlmperf + "groq_70b.json " + kLlmperf + "together_70b.json" +
                           " --group-by file --out " + (dir / "agents.json").string() +
                           " --report " + (dir / "fit.json").string() + " --scenario " +
                           (dir / "s.json").string() + " --policy least_loaded");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("groq_70b -> agent groq_70b"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("ttft_ms: n 150"), std::string::npos);
  const auto agents =
      nlohmann::json::parse(slurp(dir / "agents.json"), nullptr, true, /*ignore_comments=*/true);
  ASSERT_EQ(agents["agents"].size(), 2u);
  EXPECT_EQ(agents["agents"][0]["name"], "groq_70b");
  EXPECT_NE(slurp(dir / "agents.json").find("// Fitted agents, made by: orchsim fit "),
            std::string::npos);
  const auto report = nlohmann::json::parse(slurp(dir / "fit.json"));
  EXPECT_EQ(report["format"], "orchsim_fit_report");
  EXPECT_EQ(report["version"], 1);
  const auto& q = report["groups"][0]["quantities"][0];
  EXPECT_EQ(q["name"], "ttft_ms");
  EXPECT_EQ(q["families"].size(), 6u);
  EXPECT_EQ(q["families"][0]["quantile_pairs"].size(), 103u);
  const Result v = orchsim("validate " + (dir / "s.json").string());
  EXPECT_EQ(v.status, 0) << v.out << v.err;
  const Result run = orchsim("run " + (dir / "s.json").string() + " --requests 300 --format json");
  EXPECT_EQ(run.status, 0) << run.err;
}

TEST(FitCli, SameInputSameBytes) {
  const fs::path a = scratch("fit_a"), b = scratch("fit_b");
  fs::create_directories(a);
  fs::create_directories(b);
  for (const fs::path& d : {a, b}) {
    const Result r =
        orchsim("fit " + kLlmperf + "bedrock_13b.json --out " + (d / "agents.json").string() +
                " --report " + (d / "fit.json").string() + " --print json");
    ASSERT_EQ(r.status, 0) << r.err;
  }
  EXPECT_EQ(slurp(a / "agents.json"), slurp(b / "agents.json"));
  EXPECT_EQ(slurp(a / "fit.json"), slurp(b / "fit.json"));
}

TEST(FitCli, MalformedInputIsExitTwoWithTheLineAndNothingWritten) {
  const fs::path dir = scratch("fit_bad");
  fs::create_directories(dir);
  const fs::path csv = dir / "calls.csv";
  std::ofstream(csv) << "latency_ms,ttft_ms,vendor\n100,20,x\n120,abc,y\n";
  const Result r =
      orchsim("fit " + kLlmperf + "groq_70b.json " + csv.string() + " --out " +
              (dir / "agents.json").string() + " --report " + (dir / "fit.json").string());
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find(csv.string() + ":3: found 'abc' in column ttft_ms, expected a number >= 0"),
            std::string::npos)
      << r.err;
  EXPECT_FALSE(fs::exists(dir / "agents.json"));
  EXPECT_FALSE(fs::exists(dir / "fit.json"));
}

TEST(FitCli, UnknownCsvColumnsAreListed) {
  const fs::path dir = scratch("fit_columns");
  fs::create_directories(dir);
  const fs::path csv = dir / "calls.csv";
  std::ofstream out(csv);
  out << "latency_ms,ttft_ms,output_tokens,vendor,region\n";
  for (int i = 0; i < 40; ++i) out << 500 + 10 * i << "," << 100 + i << "," << 20 + i << ",x,eu\n";
  out.close();
  const Result r = orchsim("fit " + csv.string());
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("unknown columns (ignored): vendor, region"), std::string::npos) << r.out;
}

TEST(FitCli, BadOptionsAreExitTwo) {
  EXPECT_EQ(orchsim("fit " + kLlmperf + "groq_70b.json --group-by vendor").status, 2);
  EXPECT_EQ(orchsim("fit " + kLlmperf + "groq_70b.json --map-error 429=slow").status, 2);
  EXPECT_EQ(orchsim("fit " + kLlmperf + "groq_70b.json --families normal").status, 2);
  EXPECT_EQ(orchsim("fit " + kLlmperf + "groq_70b.json --max-error 0.1,0.1").status, 2);
  const Result forced = orchsim("fit " + kLlmperf + "groq_70b.json --format azure");
  EXPECT_EQ(forced.status, 2);
  EXPECT_NE(forced.err.find(":1: found the header '['"), std::string::npos) << forced.err;
  EXPECT_EQ(orchsim("fit /nonexistent.json").status, 2);
}

TEST(FitCli, AzureTraceFitsArrivalsAndTokensButNoAgent) {
  const fs::path dir = scratch("fit_azure");
  fs::create_directories(dir);
  const Result none = orchsim("fit " + kAzure + " --out " + (dir / "x.json").string());
  EXPECT_EQ(none.status, 2);
  EXPECT_NE(none.err.find("no latency"), std::string::npos) << none.err;
  const Result r = orchsim("fit " + kAzure + " --arrivals --rate-scale 10 --out " +
                           (dir / "workload.json").string());
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("index of dispersion of counts"), std::string::npos) << r.out;
  const auto doc =
      nlohmann::json::parse(slurp(dir / "workload.json"), nullptr, true, /*ignore_comments=*/true);
  EXPECT_TRUE(doc["agents"].empty());
  EXPECT_TRUE(doc["workload"]["arrivals"].is_object());
  EXPECT_TRUE(doc["workload"]["classes"][0]["input_tokens"].is_object());
}

TEST(FitCli, CheckReproducesTheMeasurements) {
  const Result r = orchsim("fit " + kLlmperf + "lepton_7b.json --check --check-requests 5000");
  ASSERT_EQ(r.status, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("model check: 5 users in a closed loop"), std::string::npos);
  EXPECT_NE(r.out.find("  ok"), std::string::npos);
}

TEST(FitCli, HelpShowsFit) {
  const Result r = orchsim("fit --help");
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.out.find("--group-by"), std::string::npos);
  EXPECT_NE(r.out.find("docs/calibration.md"), std::string::npos);
}

}  // namespace
}  // namespace orchsim::fit_cli_test
