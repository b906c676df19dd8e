// `orchsim import asl` as a user runs it: exit statuses, what it prints, the
// file it writes (or does not), --strict, and that the scenario it writes is
// one `orchsim validate`, `explain` and `run` accept.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/cli/run_orchsim.hpp"

namespace orchsim::import_cli_test {
namespace {

namespace fs = std::filesystem;
using cli_testing::orchsim;
using cli_testing::Result;
using cli_testing::scratch;
using cli_testing::slurp;

fs::path write(const fs::path& dir, const std::string& name, const std::string& text) {
  fs::create_directories(dir);
  std::ofstream(dir / name) << text;
  return dir / name;
}

constexpr const char* kMachine = R"({
  "Comment": "Summarise a document",
  "StartAt": "Is it text?",
  "States": {
    "Is it text?": {"Type": "Choice",
      "Choices": [{"Variable": "$.type", "StringEquals": "txt", "Next": "Summarise"}],
      "Default": "Unsupported"},
    "Summarise": {"Type": "Task", "Resource": "arn:aws:states:::bedrock:invokeModel",
      "Parameters": {"ModelId": "anthropic.claude-v2", "Body": {"max_tokens_to_sample": 200}},
      "Retry": [{"ErrorEquals": ["Bedrock.ThrottlingException"], "IntervalSeconds": 2,
                 "MaxAttempts": 4, "JitterStrategy": "FULL"}],
      "End": true},
    "Unsupported": {"Type": "Fail", "Error": "Unsupported"}
  }})";

constexpr const char* kNested = R"({"StartAt": "Child", "States": {
  "Child": {"Type": "Task", "Resource": "arn:aws:states:::states:startExecution.sync:2",
            "Parameters": {"StateMachineArn": "arn:aws:states:r:1:stateMachine:Inner"},
            "End": true}}})";

TEST(ImportCli, WritesAScenarioThatValidatesExplainsAndRuns) {
  const fs::path dir = scratch("import_ok");
  const fs::path asl = write(dir, "summarise.asl.json", kMachine);
  const fs::path out = dir / "summarise.json";
  const Result r = orchsim("import asl " + asl.string() + " --out " + out.string());
  ASSERT_EQ(r.status, 0) << r.err;
  // The report: how complete, what was defaulted and guessed.
  EXPECT_NE(r.out.find("fully imported"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("default mock agents (--agents supplies real ones): "
                       "\"bedrock:anthropic.claude-v2\""),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("Choices with guessed probabilities (--choices sets them): \"Is it text?\""),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("/States/Is it text?: guessed: Choice probabilities"), std::string::npos);
  const std::string text = slurp(out);
  EXPECT_EQ(text.rfind("// summarise: the AWS Step Functions state machine summarise.asl.json", 0),
            0u)
      << text.substr(0, 200);
  EXPECT_NE(text.find("// Made with: orchsim import asl "), std::string::npos);
  EXPECT_EQ(orchsim("validate " + out.string()).status, 0);
  const Result explain = orchsim("explain " + out.string());
  EXPECT_EQ(explain.status, 0);
  for (const char* state : {"Is it text?", "Summarise", "Unsupported"}) {
    EXPECT_NE(explain.out.find(state), std::string::npos) << state;
  }
  const Result run = orchsim("run " + out.string() + " --requests 200 --check-invariants -q");
  EXPECT_EQ(run.status, 0) << run.err;
}

TEST(ImportCli, ChoicesAndAgentsFilesAreUsed) {
  const fs::path dir = scratch("import_inputs");
  const fs::path asl = write(dir, "m.asl.json", kMachine);
  const fs::path choices = write(dir, "choices.json", R"(// probabilities
{"Is it text?": {"Summarise": 0.9, "Unsupported": 0.1}})");
  const fs::path agents = write(dir, "agents.json", R"({"agents": [
    {"name": "bedrock:anthropic.claude-v2", "servers": 8, "latency": {"base_ms": 700}}]})");
  const fs::path out = dir / "m.json";
  const Result r = orchsim("import asl " + asl.string() + " --choices " + choices.string() +
                           " --agents " + agents.string() + " --name mine --out " + out.string());
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out.find("guessed"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("agents from --agents: \"bedrock:anthropic.claude-v2\""), std::string::npos);
  EXPECT_NE(slurp(out).find("\"servers\": 8"), std::string::npos);
  EXPECT_NE(slurp(out).find("\"name\": \"mine\""), std::string::npos);
}

TEST(ImportCli, NotJsonIsExitTwoAndWritesNothing) {
  const fs::path dir = scratch("import_bad");
  const fs::path asl = write(dir, "t.asl.json", "{\n  \"StartAt\": ${Start}\n}\n");
  const fs::path out = dir / "t.json";
  const Result r = orchsim("import asl " + asl.string() + " --out " + out.string());
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find(asl.string() + ": /: not valid JSON: line 2, column"), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("placeholders"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("nothing written"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(out));
}

// Found by fuzz_asl_import (docs/reliability.md, bug 17): a number beyond a
// double ended in std::terminate, and nesting was unbounded.
TEST(ImportCli, ANumberBeyondADoubleOrDeepNestingIsExitTwoAndWritesNothing) {
  const fs::path dir = scratch("import_overflow");
  const fs::path out = dir / "t.json";
  const fs::path big = write(dir, "big.asl.json",
                             "{\"StartAt\": \"A\", \"States\": {\"A\": {\"Type\": \"Wait\", "
                             "\"Seconds\": 78E778, \"End\": true}}}\n");
  const Result r = orchsim("import asl " + big.string() + " --out " + out.string());
  EXPECT_EQ(r.status, 2) << r.err;
  EXPECT_NE(r.err.find("found the number 78E778 at line 1"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(out));
  const fs::path deep = write(
      dir, "deep.asl.json",
      "{\"StartAt\": \"A\", \"States\": " + std::string(100, '[') + std::string(100, ']') + "}");
  const Result d = orchsim("import asl " + deep.string() + " --out " + out.string());
  EXPECT_EQ(d.status, 2) << d.err;
  EXPECT_NE(d.err.find("nested more than 64 levels deep"), std::string::npos) << d.err;
  EXPECT_FALSE(fs::exists(out));
}

TEST(ImportCli, StrictFailsOnWhatCannotBeExpressedAndWritesNothing) {
  const fs::path dir = scratch("import_strict");
  const fs::path asl = write(dir, "n.asl.json", kNested);
  const fs::path out = dir / "n.json";
  const Result strict = orchsim("import asl " + asl.string() + " --strict --out " + out.string());
  EXPECT_EQ(strict.status, 2);
  EXPECT_NE(strict.out.find("/States/Child/Resource: unsupported: a nested execution"),
            std::string::npos)
      << strict.out;
  EXPECT_NE(strict.err.find("--strict"), std::string::npos);
  EXPECT_FALSE(fs::exists(out));
  // Without --strict: written, and said not to be a full import.
  const Result loose = orchsim("import asl " + asl.string() + " --out " + out.string());
  EXPECT_EQ(loose.status, 0) << loose.err;
  EXPECT_NE(loose.out.find("not fully imported (1 unsupported construct)"), std::string::npos);
  EXPECT_TRUE(fs::exists(out));
  // A full import passes --strict.
  const fs::path ok = write(dir, "ok.asl.json", kMachine);
  EXPECT_EQ(
      orchsim("import asl " + ok.string() + " --strict -q --out " + (dir / "ok.json").string())
          .status,
      0);
}

TEST(ImportCli, BadArgumentsAndInputsAreExitTwo) {
  const fs::path dir = scratch("import_args");
  const fs::path asl = write(dir, "m.asl.json", kMachine);
  EXPECT_EQ(orchsim("import asl " + asl.string()).status, 2);  // no --out
  EXPECT_EQ(orchsim("import").status, 2);                      // no kind
  const Result missing = orchsim("import asl " + (dir / "nope.json").string() + " --out x.json");
  EXPECT_EQ(missing.status, 2);
  EXPECT_NE(missing.err.find("cannot read"), std::string::npos);
  const fs::path choices = write(dir, "c.json", R"({"Is it txt?": {"Summarise": 1}})");
  const Result bad = orchsim("import asl " + asl.string() + " --choices " + choices.string() +
                             " --out " + (dir / "m.json").string());
  EXPECT_EQ(bad.status, 2);
  EXPECT_NE(bad.err.find(choices.string() + ": /Is it txt?: found \"Is it txt?\""),
            std::string::npos)
      << bad.err;
  EXPECT_NE(bad.err.find("did you mean \"Is it text?\"?"), std::string::npos);
  EXPECT_FALSE(fs::exists(dir / "m.json"));
}

// docs/import.md's worked example, run as written (paths from the source
// tree), prints the numbers the docs quote.
TEST(ImportCli, TheWorkedExampleRunsAsWritten) {
  const std::string src =
      std::getenv("ORCHSIM_SOURCE_DIR") ? std::getenv("ORCHSIM_SOURCE_DIR") : ".";
  const std::string examples = src + "/examples/step_functions/";
  const Result base = orchsim("run bedrock_state_machine");
  ASSERT_EQ(base.status, 0) << base.err;
  EXPECT_NE(base.out.find("completed 5887  failed 113"), std::string::npos) << base.out;
  EXPECT_NE(base.out.find("failed by cause:      rate_limited 113\n"), std::string::npos)
      << base.out;
  const fs::path dir = scratch("worked_example");
  fs::create_directories(dir);
  const std::string retry = (dir / "bedrock_retry.json").string();
  const Result imported = orchsim(
      "import asl " + examples + "bedrock-invokemodel-retry.asl.json --agents " + examples +
      "bedrock.agents.json --workload " + examples +
      "bedrock.workload.json --name bedrock_state_machine_retry --requests 6000 --out " + retry);
  ASSERT_EQ(imported.status, 0) << imported.err;
  const Result compare = orchsim(
      "compare bedrock_state_machine --against " + retry +
      " --variant 'asl_defaults:/workflow/nodes/0/retry/max_attempts=4,/workflow/nodes/0/retry/"
      "retry_on=[\"rate_limited\"]' --metric requests.success_rate --metric latency_ms.all.p50 "
      "--metric latency_ms.all.p99 --metric per_request.calls --metric per_request.cost_usd -q");
  ASSERT_EQ(compare.status, 0) << compare.err;
  for (const char* quoted : {"requests.success_rate              0.979      0.9809   0.0018998",
                             "requests.success_rate              0.979    0.999134   0.0201334     "
                             "[0.0171871, 0.0230797]",
                             "latency_ms.all.p99               4382.04       68120",
                             "per_request.calls                      1     1.19824"}) {
    EXPECT_NE(compare.out.find(quoted), std::string::npos) << quoted << "\n" << compare.out;
  }
}

// The Bedrock agent of the worked example is what its header's `orchsim fit`
// command makes from LLMPerf's measurements: its latency and output tokens are
// the fit's, not numbers typed by hand.
TEST(ImportCli, TheBedrockAgentIsTheFitOfLlmperfsMeasurements) {
  const std::string src =
      std::getenv("ORCHSIM_SOURCE_DIR") ? std::getenv("ORCHSIM_SOURCE_DIR") : ".";
  const fs::path dir = scratch("bedrock_fit");
  fs::create_directories(dir);
  const Result fit = orchsim(std::string("fit ") + ORCHSIM_SHARED_DATA +
                             "/llmperf-2023-12/bedrock_13b.json --map-error -100=success "
                             "--servers 1000 --print none -q --out " +
                             (dir / "fitted.json").string());
  ASSERT_EQ(fit.status, 0) << fit.err;
  const auto parse = [](const fs::path& p) {
    return nlohmann::json::parse(slurp(p), nullptr, true, /*ignore_comments=*/true);
  };
  const auto fitted = parse(dir / "fitted.json")["agents"][0];
  const auto shipped = parse(src + "/examples/step_functions/bedrock.agents.json")["agents"][0];
  EXPECT_EQ(shipped["latency"], fitted["latency"]);
  EXPECT_EQ(shipped["tokens"]["output_tokens"], fitted["tokens"]["output_tokens"]);
  EXPECT_EQ(shipped["servers"], fitted["servers"]);
}

}  // namespace
}  // namespace orchsim::import_cli_test
