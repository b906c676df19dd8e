// The built-in bedrock_state_machine is what the command in docs/import.md
// makes from the shared corpus's Bedrock state machine: regenerating it gives
// the scenario as shipped (the file's `//` header aside).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/asl/asl_test_support.hpp"

namespace orchsim::scenarios::asl::asl_builtin_test {
namespace {

namespace fs = std::filesystem;
using testing::json;

fs::path source_dir() {
  const char* root = std::getenv("ORCHSIM_SOURCE_DIR");
  return root && *root ? fs::path(root) : fs::path(".");
}

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  EXPECT_TRUE(in.good()) << p;
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

Json read_json(const fs::path& p) { return Json::parse(read(p), nullptr, true, true); }

TEST(AslBuiltIn, BedrockStateMachineIsWhatTheDocumentedCommandMakes) {
  const fs::path examples = source_dir() / "examples" / "step_functions";
  ImportOptions o;
  o.agents = read_json(examples / "bedrock.agents.json");
  o.workload = read_json(examples / "bedrock.workload.json");
  o.name = "bedrock_state_machine";
  o.requests = 6000;
  o.description =
      "An AWS Step Functions state machine calling an LLM on Bedrock (aws-samples "
      "bedrock-invokemodel, no Retry), imported as is: Llama 2 13B fitted to LLMPerf's Bedrock "
      "measurements by orchsim fit, a 200-a-minute quota and a 2-minute burst to 360 a minute. "
      "docs/import.md compares it with a Retry.";
  const fs::path asl = fs::path(ORCHSIM_SHARED_DATA) / "step-functions-asl" /
                       "bedrock-invokemodel__StateMachine.asl.json";
  const ImportResult r = import_asl(read(asl), asl.filename().string(), o);
  ASSERT_TRUE(r.full()) << r.format_errors() << r.report("bedrock");
  EXPECT_TRUE(r.summary.defaulted_agents.empty());
  const Json shipped =
      read_json(source_dir() / "scenarios" / "library" / "bedrock_state_machine.json");
  EXPECT_EQ(*r.scenario, shipped) << "regenerate it with the command in docs/import.md";
}

TEST(AslBuiltIn, TheBetterRetryOfTheWorkedExampleIsTwoRetryRules) {
  const fs::path examples = source_dir() / "examples" / "step_functions";
  ImportOptions o;
  o.agents = read_json(examples / "bedrock.agents.json");
  const ImportResult r =
      import_asl(read(examples / "bedrock-invokemodel-retry.asl.json"), "retry.asl.json", o);
  ASSERT_TRUE(r.full()) << r.format_errors();
  const Json& retry = (*r.scenario)["workflow"]["nodes"][0]["retry"];
  EXPECT_EQ(retry["honour_retry_after"], false);
  ASSERT_EQ(retry["rules"].size(), 2u);
  EXPECT_EQ(retry["rules"][0], json(R"({"retry_on": ["rate_limited"], "retry_on_timeout": false,
      "max_retries": 8, "backoff": {"preset": "step_functions", "shape": "exponential",
      "jitter": "full", "base_ms": 2000.0, "multiplier": 2.0, "cap_ms": 60000.0}})"));
  // States.TaskFailed, but throttling is the first rule's: the other kinds, no timeout.
  EXPECT_EQ(retry["rules"][1]["retry_on"],
            json(R"(["transient", "permanent", "context_overflow", "overloaded", "unavailable"])"));
  EXPECT_EQ(retry["rules"][1]["max_retries"], 2);
}

}  // namespace
}  // namespace orchsim::scenarios::asl::asl_builtin_test
