// Bad input gives errors that name the file, the JSON pointer, what was
// found and what was expected, and no scenario: a file that is not JSON (the
// shared corpus has one, a template with placeholders), a document that is
// not a state machine, transitions to no state, and bad --choices and
// --agents entries.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/asl/asl_test_support.hpp"

namespace orchsim::scenarios::asl::asl_input_test {
namespace {

using namespace testing;

// The one error of an import that must fail.
Diagnostic only_error(const ImportResult& r) {
  EXPECT_FALSE(r.ok());
  EXPECT_FALSE(r.scenario.has_value());
  EXPECT_EQ(r.errors.size(), 1u) << r.format_errors();
  return r.errors.empty() ? Diagnostic{} : r.errors.front();
}

TEST(AslInput, NotJsonSaysWhereWithTheLine) {
  const Diagnostic d = only_error(import_text("{\n  \"StartAt\": \"A\",\n  \"States\": {,}\n}"));
  EXPECT_EQ(d.file, "test.asl.json");
  EXPECT_EQ(d.pointer, "");
  EXPECT_EQ(d.message.rfind("not valid JSON: line 3, column 14: ", 0), 0u) << d.message;
  EXPECT_EQ(d.hint, "line 3: \"States\": {,}");
  EXPECT_EQ(only_error(import_text("")).message.rfind("not valid JSON: line 1, column 1", 0), 0u);
}

TEST(AslInput, TheCorpusTemplateWithPlaceholdersIsNotJson) {
  const std::filesystem::path file = std::filesystem::path(ORCHSIM_SHARED_DATA) /
                                     "step-functions-asl" /
                                     "sfn-iot-data-analytics-dataset__statemachine.asl.json";
  std::ifstream in(file);
  ASSERT_TRUE(in.good()) << file << " (../shared/data beside the repository)";
  std::stringstream text;
  text << in.rdbuf();
  const Diagnostic d = only_error(import_asl(text.str(), file.filename().string()));
  EXPECT_EQ(d.message.rfind("not valid JSON: line 10, column 33: ", 0), 0u) << d.message;
  EXPECT_NE(d.hint.find("\"Messages\": \"Messages.$\": \"$.Messages\""), std::string::npos);
  EXPECT_NE(d.hint.find("placeholders"), std::string::npos) << d.hint;
}

TEST(AslInput, NotAStateMachine) {
  EXPECT_EQ(only_error(import_text("[1, 2]")).message,
            "found an array of 2, expected a state machine (an object with StartAt and States)");
  const Diagnostic no_states = only_error(import_text(R"({"StartAt": "A"})"));
  EXPECT_EQ(no_states.pointer, "/States");
  EXPECT_EQ(no_states.message, "found nothing, expected an object of states");
  const Diagnostic start =
      only_error(import_text(R"({"StartAt": "Frist", "States": {"First": {"Type": "Succeed"}}})"));
  EXPECT_EQ(start.pointer, "/StartAt");
  EXPECT_EQ(start.message, "found \"Frist\", expected the name of one of its States");
  EXPECT_EQ(start.hint, "did you mean \"First\"?");
}

TEST(AslInput, StatesThatCannotBeRead) {
  const Diagnostic type = only_error(
      import_text(R"({"StartAt": "A", "States": {"A": {"Type": "Tsak", "End": true}}})"));
  EXPECT_EQ(type.pointer, "/States/A/Type");
  EXPECT_EQ(type.hint, "did you mean \"Task\"?");
  const Diagnostic next = only_error(import_text(R"({"StartAt": "A", "States": {
      "A": {"Type": "Pass", "Next": "Bee"}, "Be": {"Type": "Succeed"}}})"));
  EXPECT_EQ(next.pointer, "/States/A/Next");
  EXPECT_EQ(next.message, "found \"Bee\", expected the name of a state of the state machine");
  EXPECT_EQ(next.hint, "did you mean \"Be\"?");
  const Diagnostic both = only_error(import_text(R"({"StartAt": "A", "States": {
      "A": {"Type": "Pass", "Next": "B", "End": true}, "B": {"Type": "Succeed"}}})"));
  EXPECT_EQ(both.pointer, "/States/A");
  EXPECT_EQ(both.message, "found both Next and End: true, expected one of them");
  const Diagnostic resource = only_error(
      import_text(R"({"StartAt": "A", "States": {"A": {"Type": "Task", "End": true}}})"));
  EXPECT_EQ(resource.pointer, "/States/A/Resource");
  EXPECT_EQ(resource.message, "found nothing, expected the resource ARN (a string)");
  // In a branch, the pointer goes through it.
  const Diagnostic inner = only_error(import_text(R"({"StartAt": "P", "States": {
      "P": {"Type": "Parallel", "End": true, "Branches": [
        {"StartAt": "X", "States": {"X": {"Type": "Pass", "Next": "Y"}}}]}}})"));
  EXPECT_EQ(inner.pointer, "/States/P/Branches/0/States/X/Next");
}

constexpr const char* kChoice = R"({"StartAt": "Pick", "States": {
    "Pick": {"Type": "Choice", "Choices": [{"Variable": "$.a", "IsPresent": true, "Next": "Left"}],
             "Default": "Right"},
    "Left": {"Type": "Succeed"}, "Right": {"Type": "Succeed"}}})";

TEST(AslInput, BadChoicesEntriesNameTheirFile) {
  ImportOptions o;
  o.choices_file = "choices.json";
  o.choices = json(R"({"Pick": {"Lefft": 1, "Right": 1}})");
  Diagnostic d = only_error(import_text(kChoice, o));
  EXPECT_EQ(d.file, "choices.json");
  EXPECT_EQ(d.pointer, "/Pick/Lefft");
  EXPECT_EQ(d.hint, "did you mean \"Left\"?");
  o.choices = json(R"({"Pick": {"Left": -1, "Right": 1}})");
  d = only_error(import_text(kChoice, o));
  EXPECT_EQ(d.message, "found -1, expected a weight >= 0");
  o.choices = json(R"({"Pik": {"Left": 1}})");
  d = only_error(import_text(kChoice, o));
  EXPECT_EQ(d.pointer, "/Pik");
  EXPECT_EQ(d.hint, "did you mean \"Pick\"?");
  o.choices = json(R"({"Left": {"Left": 1}})");
  d = only_error(import_text(kChoice, o));
  EXPECT_NE(d.message.find("expected a Choice, a Map or a Wait"), std::string::npos);
  // Weights are normalised; a branch left out gets none.
  o.choices = json(R"({"Pick": {"Left": 3}})");
  const ImportResult r = import_text(kChoice, o);
  ASSERT_TRUE(r.full()) << r.format_errors();
  for (const Json& a : (*r.scenario)["agents"]) {
    if (a["name"] != "choice:Pick") continue;
    EXPECT_EQ(a["labels"], json(R"([{"name": "Left", "weight": 1.0},
                                    {"name": "Right", "weight": 0.0}])"));
  }
}

TEST(AslInput, AnAgentNoTaskCallsIsAnError) {
  ImportOptions o;
  o.agents_file = "agents.json";
  o.agents = json(R"({"agents": [{"name": "lambda:chekc", "latency": {"base_ms": 5}}]})");
  const Diagnostic d = only_error(import_text(R"({"StartAt": "A", "States": {
      "A": {"Type": "Task", "Resource": "arn:aws:lambda:eu-west-1:1:function:check",
            "End": true}}})",
                                              o));
  EXPECT_EQ(d.file, "agents.json");
  EXPECT_EQ(d.hint, "did you mean \"lambda:check\"?");
}

TEST(AslInput, AnAgentThatDoesNotLoadIsReportedInTheScenario) {
  ImportOptions o;
  o.agents = json(R"([{"name": "sns:publish", "latency": {"base_ms": -5}}])");
  const ImportResult r = import_text(
      R"({"StartAt": "A", "States": {"A": {"Type": "Task",
          "Resource": "arn:aws:states:::sns:publish", "End": true}}})",
      o);
  ASSERT_FALSE(r.ok());
  ASSERT_FALSE(r.errors.empty());
  EXPECT_EQ(r.errors.front().file, "test.asl.json (imported scenario)");
  EXPECT_EQ(r.errors.front().pointer.rfind("/agents/0/latency/base_ms", 0), 0u)
      << r.format_errors();
}

}  // namespace
}  // namespace orchsim::scenarios::asl::asl_input_test
