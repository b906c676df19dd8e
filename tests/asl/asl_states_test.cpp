// Every ASL state type imported and run, with conservation (every request
// ends once; the invariant checker finds nothing), and the semantics each
// mapping promises: Catch order, Choice probabilities, Parallel's failure
// semantics, Map's item count, MaxConcurrency and tolerance, Wait's delay,
// node names that are the state names.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>

#include "tests/asl/asl_test_support.hpp"

namespace orchsim::scenarios::asl::asl_states_test {
namespace {

using namespace testing;
using orchestration::CallEnd;

// Every state type: Pass, Task (with Retry and Catch), Choice (a loop back
// through a Wait), Parallel, Map (MaxConcurrency, a tolerance, a Fail and a
// Succeed inside), Succeed, Fail.
constexpr const char* kEveryState = R"({
  "Comment": "every state type",
  "StartAt": "Prepare",
  "States": {
    "Prepare": {"Type": "Pass", "Result": {"x": 1}, "Next": "Call model"},
    "Call model": {"Type": "Task", "Resource": "arn:aws:states:::bedrock:invokeModel",
      "Parameters": {"ModelId": "anthropic.claude-v2", "Body": {"max_tokens_to_sample": 300}},
      "Retry": [{"ErrorEquals": ["Bedrock.ThrottlingException"], "IntervalSeconds": 1,
                 "MaxAttempts": 3, "JitterStrategy": "FULL"}],
      "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Give up"}],
      "Next": "Good enough?"},
    "Good enough?": {"Type": "Choice",
      "Choices": [{"Variable": "$.ok", "BooleanEquals": true, "Next": "Fan out"}],
      "Default": "Wait a bit"},
    "Wait a bit": {"Type": "Wait", "Seconds": 2, "Next": "Call model"},
    "Fan out": {"Type": "Parallel",
      "Branches": [
        {"StartAt": "Summarise", "States": {
          "Summarise": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                        "Parameters": {"FunctionName": "summarise"}, "End": true}}},
        {"StartAt": "Per item", "States": {
          "Per item": {"Type": "Map", "ItemsPath": "$.items", "MaxConcurrency": 2,
            "ToleratedFailureCount": 1, "End": true,
            "ItemProcessor": {"StartAt": "Check item", "States": {
              "Check item": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                             "Parameters": {"FunctionName": "check"}, "Next": "Item ok?"},
              "Item ok?": {"Type": "Choice",
                "Choices": [{"Variable": "$.bad", "BooleanEquals": true, "Next": "Bad item"}],
                "Default": "Item done"},
              "Bad item": {"Type": "Fail", "Error": "BadItem"},
              "Item done": {"Type": "Succeed"}}}}}}],
      "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Give up"}],
      "Next": "Done"},
    "Done": {"Type": "Succeed"},
    "Give up": {"Type": "Fail", "Error": "GaveUp"}
  }})";

ImportOptions every_state_options() {
  ImportOptions o;
  o.agents = Json::array({agent("bedrock:anthropic.claude-v2", 500), agent("lambda:summarise", 300),
                          agent("lambda:check", 100)});
  o.choices = json(R"({"Good enough?": {"Fan out": 0.7, "Wait a bit": 0.3},
                       "Per item": {"items": 4},
                       "Item ok?": {"Bad item": 0.1, "Item done": 0.9}})");
  return o;
}

TEST(AslStates, EveryStateTypeImportsFullyWithTheStateNames) {
  const ImportResult r = import_text(kEveryState, every_state_options());
  ASSERT_TRUE(r.ok()) << r.format_errors();
  EXPECT_TRUE(r.full()) << r.report("test");
  EXPECT_EQ(r.summary.states, 13u);
  EXPECT_EQ(r.summary.states_by_type.size(), 8u);  // all eight types
  EXPECT_TRUE(r.summary.defaulted_agents.empty());
  EXPECT_TRUE(r.summary.guessed_choices.empty());
  std::set<std::string> names;
  for (const Json& n : (*r.scenario)["workflow"]["nodes"]) names.insert(n["name"]);
  for (const char* state :
       {"Prepare", "Call model", "Good enough?", "Wait a bit", "Fan out", "Summarise", "Per item",
        "Check item", "Item ok?", "Bad item", "Item done", "Done", "Give up"}) {
    EXPECT_TRUE(names.contains(state)) << state;
  }
  EXPECT_EQ((*r.scenario)["workflow"]["entry"], "Prepare");
}

TEST(AslStates, EveryStateTypeRunsAndEveryRequestEndsOnce) {
  constexpr std::uint64_t kRequests = 3000;
  const ImportResult r = import_text(kEveryState, every_state_options());
  ASSERT_TRUE(r.ok()) << r.format_errors();
  const auto ran = run(*r.scenario, kRequests);
  expect_conserved(*ran, kRequests);
  // Choice: 70% to the fan-out, 30% round the loop through the Wait.
  const double out = static_cast<double>(ran->edge("Good enough?", "Fan out"));
  const double loop = static_cast<double>(ran->edge("Good enough?", "Wait a bit"));
  EXPECT_NEAR(out / (out + loop), 0.7, 0.02);
  // Every request leaves the loop once, to the fan-out.
  EXPECT_EQ(ran->entered("Fan out"), kRequests);
  // Map: 4 items a visit, each checked once; a Map that failed stopped
  // starting items (the tolerance was exceeded).
  EXPECT_LE(ran->entered("Check item"), 4 * kRequests);
  EXPECT_GE(ran->entered("Check item"), 4 * (kRequests - ran->rec.outcomes["GaveUp"]));
  // The Map fails when 2 or more of its 4 items are bad (1 tolerated):
  // P = 1 - 0.9^4 - 4 (0.1) 0.9^3 = 0.0523; the Parallel's Catch sends it to Give up.
  EXPECT_NEAR(static_cast<double>(ran->rec.outcomes["GaveUp"]) / kRequests, 0.0523, 0.012);
  EXPECT_EQ(ran->rec.outcomes["GaveUp"] + ran->rec.outcomes["succeeded"], kRequests);
  // Wait: a request that went round the loop took at least its 2 s more.
  std::map<orchestration::RequestId, int> waits;
  const auto wait_node = ran->node("Wait a bit");
  for (const auto& e : ran->rec.started) {
    if (e.node == wait_node) ++waits[e.request];
  }
  for (const auto& [request, n] : waits) {
    EXPECT_GE(ran->rec.latency.at(request), sim::Duration::seconds(2 * n)) << request;
  }
  EXPECT_GT(waits.size(), kRequests / 5);
  // MaxConcurrency 2: never more than two items of a request in flight.
  const auto check = ran->node("Check item");
  std::map<orchestration::RequestId, std::vector<std::pair<sim::Time, int>>> at;
  for (const auto& e : ran->rec.started) {
    if (e.node == check) at[e.request].push_back({e.at, +1});
  }
  for (const auto& e : ran->rec.ended) {
    if (e.node == check) at[e.request].push_back({e.at, -1});
  }
  int most = 0;
  for (auto& [request, list] : at) {
    std::sort(list.begin(), list.end());
    int now = 0;
    for (const auto& [t, d] : list) most = std::max(most, now += d);
  }
  EXPECT_EQ(most, 2);
}

// A Task whose agent fails (kind) or hangs, with Catch entries in order.
std::string caught(const std::string& catchers) {
  return R"({"StartAt": "Call", "States": {
    "Call": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
             "Parameters": {"FunctionName": "f"}, "TimeoutSeconds": 1, "End": true,
             "Catch": )" +
         catchers + R"(},
    "TimedOut": {"Type": "Fail", "Error": "TimedOut"},
    "Errored": {"Type": "Fail", "Error": "Errored"}}})";
}

std::map<std::string, std::uint64_t> outcomes_of(const std::string& asl, Json outcomes) {
  outcomes["error_latency_fraction"] = 1.0;
  ImportOptions o;
  o.agents = Json::array({agent("lambda:f", 10, std::move(outcomes))});
  const ImportResult r = import_text(asl, o);
  EXPECT_TRUE(r.full()) << r.format_errors() << r.report("test");
  if (!r.ok()) return {};
  const auto ran = run(*r.scenario, 40);
  expect_conserved(*ran, 40);
  return ran->rec.outcomes;
}

TEST(AslStates, CatchersAreTriedInOrderAndTheFirstMatchDecides) {
  const std::string timeout_first = caught(R"([
      {"ErrorEquals": ["States.Timeout"], "Next": "TimedOut"},
      {"ErrorEquals": ["States.ALL"], "Next": "Errored"}])");
  EXPECT_EQ(outcomes_of(timeout_first, {{"hang", 1.0}})["TimedOut"], 40u);
  EXPECT_EQ(outcomes_of(timeout_first, {{"transient_error", 1.0}})["Errored"], 40u);
  // States.TaskFailed first takes every error but the timeout.
  const std::string task_failed_first = caught(R"([
      {"ErrorEquals": ["States.TaskFailed"], "Next": "Errored"},
      {"ErrorEquals": ["States.ALL"], "Next": "TimedOut"}])");
  EXPECT_EQ(outcomes_of(task_failed_first, {{"permanent_error", 1.0}})["Errored"], 40u);
  EXPECT_EQ(outcomes_of(task_failed_first, {{"hang", 1.0}})["TimedOut"], 40u);
  // By error name: throttling to one state, the rest to another.
  const std::string by_name = caught(R"([
      {"ErrorEquals": ["Lambda.TooManyRequestsException"], "Next": "TimedOut"},
      {"ErrorEquals": ["States.ALL"], "Next": "Errored"}])");
  EXPECT_EQ(outcomes_of(by_name, {{"rate_limited", 1.0}, {"retry_after_ms", 0}})["TimedOut"], 40u);
  EXPECT_EQ(outcomes_of(by_name, {{"transient_error", 1.0}})["Errored"], 40u);
  // What no catcher matches fails the execution.
  const std::string only_errors =
      caught(R"([{"ErrorEquals": ["States.TaskFailed"], "Next": "Errored"}])");
  EXPECT_EQ(outcomes_of(only_errors, {{"hang", 1.0}})["uncaught_error"], 40u);
}

TEST(AslStates, RetriesComeBeforeCatchers) {
  ImportOptions o;
  o.agents = Json::array(
      {agent("lambda:f", 10, {{"transient_error", 1.0}, {"error_latency_fraction", 1.0}})});
  const ImportResult r = import_text(R"({"StartAt": "Call", "States": {
    "Call": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
             "Parameters": {"FunctionName": "f"}, "End": true,
             "Retry": [{"ErrorEquals": ["States.ALL"], "MaxAttempts": 2}],
             "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Handled"}]},
    "Handled": {"Type": "Succeed"}}})",
                                     o);
  ASSERT_TRUE(r.ok()) << r.format_errors();
  const auto ran = run(*r.scenario, 30);
  expect_conserved(*ran, 30);
  EXPECT_EQ(ran->rec.started.size(), 90u);  // 1 + 2 retries each, then caught
  EXPECT_EQ(ran->rec.outcomes["succeeded"], 30u);
}

// Two branches: one fails after `fail_ms`, the other takes 10 s.
std::string parallel(double fail_s, const std::string& catchers) {
  return R"({"StartAt": "Both", "States": {
    "Both": {"Type": "Parallel", "Next": "Done", )" +
         (catchers.empty() ? std::string() : R"("Catch": )" + catchers + ",") +
         R"("Branches": [
        {"StartAt": "Breaks", "States": {"Breaks": {"Type": "Wait", "Seconds": )" +
         std::to_string(fail_s) + R"(, "Next": "Broken"},
                                          "Broken": {"Type": "Fail", "Error": "Broken"}}},
        {"StartAt": "Slow", "States": {"Slow": {"Type": "Wait", "Seconds": 10, "End": true}}}]},
    "Done": {"Type": "Succeed"},
    "Recovered": {"Type": "Succeed"}}})";
}

TEST(AslStates, OneFailedBranchFailsTheParallelAtOnceUnlessCaught) {
  {
    const ImportResult r = import_text(parallel(1, ""));
    ASSERT_TRUE(r.ok()) << r.format_errors();
    const auto ran = run(*r.scenario, 20);
    expect_conserved(*ran, 20);
    EXPECT_EQ(ran->result.failed, 20u);
    for (const auto& [request, latency] : ran->rec.latency) {
      EXPECT_EQ(latency, sim::Duration::seconds(1));  // the slow branch is cancelled
    }
    int cancelled = 0;
    for (const auto& e : ran->rec.ended) cancelled += e.end == CallEnd::kCancelled;
    EXPECT_EQ(cancelled, 20);
  }
  const ImportResult r =
      import_text(parallel(1, R"([{"ErrorEquals": ["States.ALL"], "Next": "Recovered"}])"));
  ASSERT_TRUE(r.full()) << r.report("test");
  const auto ran = run(*r.scenario, 20);
  expect_conserved(*ran, 20);
  EXPECT_EQ(ran->result.completed, 20u);
  EXPECT_EQ(ran->edge("Both (join)", "Recovered"), 20u);
}

TEST(AslStates, ACatcherOfAFailStatesErrorNameRoutesByIt) {
  // The quorum and either-or patterns: a branch's Fail state names the outcome.
  const std::string asl = R"({"StartAt": "Race", "States": {
    "Race": {"Type": "Parallel", "Next": "Neither",
      "Catch": [{"ErrorEquals": ["SecondWon"], "Next": "Second"},
                {"ErrorEquals": ["FirstWon"], "Next": "First"}],
      "Branches": [
        {"StartAt": "One", "States": {"One": {"Type": "Wait", "Seconds": S1, "Next": "Won 1"},
                                      "Won 1": {"Type": "Fail", "Error": "FirstWon"}}},
        {"StartAt": "Two", "States": {"Two": {"Type": "Wait", "Seconds": S2, "Next": "Won 2"},
                                      "Won 2": {"Type": "Fail", "Error": "SecondWon"}}}]},
    "Neither": {"Type": "Succeed"},
    "First": {"Type": "Succeed"},
    "Second": {"Type": "Fail", "Error": "Second"}}})";
  const auto with = [&](int s1, int s2) {
    std::string text = asl;
    text.replace(text.find("S1"), 2, std::to_string(s1));
    text.replace(text.find("S2"), 2, std::to_string(s2));
    const ImportResult r = import_text(text);
    EXPECT_TRUE(r.full()) << r.format_errors() << r.report("test");
    auto ran = run(*r.scenario, 20);
    expect_conserved(*ran, 20);
    return ran;
  };
  const auto first = with(1, 2);
  EXPECT_EQ(first->edge("Race (catch)", "First"), 20u);
  EXPECT_EQ(first->rec.outcomes["succeeded"], 20u);
  const auto second = with(3, 2);
  EXPECT_EQ(second->edge("Race (catch)", "Second"), 20u);
  EXPECT_EQ(second->rec.outcomes["Second"], 20u);
}

TEST(AslStates, ChoiceProbabilitiesDefaultToAnEqualShareAndEverythingIsListed) {
  const ImportResult r = import_text(R"({"StartAt": "Pick", "States": {
    "Pick": {"Type": "Choice", "Choices": [
        {"Variable": "$.a", "IsPresent": true, "Next": "A"},
        {"Variable": "$.b", "IsPresent": true, "Next": "B"},
        {"Variable": "$.c", "IsPresent": true, "Next": "A"}], "Default": "C"},
    "A": {"Type": "Succeed"}, "B": {"Type": "Succeed"}, "C": {"Fail": 1, "Type": "Fail"}}})");
  ASSERT_TRUE(r.ok()) << r.format_errors();
  EXPECT_EQ(r.summary.guessed_choices, std::vector<std::string>{"Pick"});
  // An unknown field of C is reported, not dropped silently.
  EXPECT_FALSE(r.full());
  bool listed = false;
  for (const Finding& f : r.findings.items()) {
    listed = listed || (f.kind == FindingKind::kGuessed && f.pointer == "/States/Pick");
    if (f.kind == FindingKind::kUnsupported) {
      EXPECT_EQ(f.pointer, "/States/C/Fail");
    }
  }
  EXPECT_TRUE(listed);
  const auto ran = run(*r.scenario, 4000);
  expect_conserved(*ran, 4000);
  // Rules and Default count once each: A has two rules of four.
  EXPECT_NEAR(static_cast<double>(ran->edge("Pick", "A")) / 4000, 0.5, 0.025);
  EXPECT_NEAR(static_cast<double>(ran->edge("Pick", "B")) / 4000, 0.25, 0.025);
  EXPECT_NEAR(static_cast<double>(ran->edge("Pick", "C")) / 4000, 0.25, 0.025);
}

TEST(AslStates, AMapItemCountCanBeADistribution) {
  ImportOptions o;
  o.choices = json(R"({"Each": {"items": {"2": 1, "6": 1}}})");
  const ImportResult r = import_text(R"({"StartAt": "Each", "States": {
    "Each": {"Type": "Map", "End": true, "ItemProcessor": {"StartAt": "Do", "States": {
      "Do": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage", "End": true}}}}}})",
                                     o);
  ASSERT_TRUE(r.full()) << r.format_errors() << r.report("test");
  const auto ran = run(*r.scenario, 2000);
  expect_conserved(*ran, 2000);
  std::map<orchestration::RequestId, int> per;
  for (const auto& e : ran->rec.started) {
    if (e.node == ran->node("Do")) ++per[e.request];
  }
  int two = 0, six = 0;
  for (const auto& [request, n] : per) {
    EXPECT_TRUE(n == 2 || n == 6) << n;
    two += n == 2;
    six += n == 6;
  }
  EXPECT_NEAR(two / 2000.0, 0.5, 0.04);
  EXPECT_EQ(two + six, 2000);
}

TEST(AslStates, ANameUsedAgainInABranchGetsItsScope) {
  const ImportResult r = import_text(R"({"StartAt": "Fan", "States": {
    "Fan": {"Type": "Parallel", "Next": "Done", "Branches": [
      {"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}},
      {"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}}]},
    "Done": {"Type": "Succeed"}}})");
  ASSERT_TRUE(r.full()) << r.format_errors();
  std::set<std::string> names;
  for (const Json& n : (*r.scenario)["workflow"]["nodes"]) names.insert(n["name"]);
  EXPECT_TRUE(names.contains("Done"));
  EXPECT_TRUE(names.contains("Done (Fan, branch 1)"));
  EXPECT_TRUE(names.contains("Done (Fan, branch 2)"));
  const auto ran = run(*r.scenario, 10);
  expect_conserved(*ran, 10);
}

TEST(AslStates, ANestedExecutionIsReportedAsUnsupported) {
  const ImportResult r = import_text(R"({"StartAt": "Child", "States": {
    "Child": {"Type": "Task", "Resource": "arn:aws:states:::states:startExecution.sync:2",
              "Parameters": {"StateMachineArn": "arn:aws:states:r:1:stateMachine:Inner"},
              "End": true}}})");
  ASSERT_TRUE(r.ok()) << r.format_errors();
  EXPECT_FALSE(r.full());
  ASSERT_EQ(r.findings.count(FindingKind::kUnsupported), 1u);
  for (const Finding& f : r.findings.items()) {
    if (f.kind != FindingKind::kUnsupported) continue;
    EXPECT_EQ(f.pointer, "/States/Child/Resource");
    EXPECT_NE(f.instead.find("states:startExecution.sync:Inner"), std::string::npos) << f.instead;
  }
  const auto ran = run(*r.scenario, 10);  // still runs, as a call of the child's duration
  expect_conserved(*ran, 10);
}

TEST(AslStates, ALoopIsBoundedAndLeavesByTheChoicesExit) {
  // A poll loop whose Choice never says done (probability 0): the bound ends it.
  ImportOptions o;
  o.choices = json(R"({"Done?": {"Finish": 0, "Poll": 1}})");
  o.agents = Json::array({agent("dynamodb:getItem", 20)});
  const ImportResult r = import_text(R"({"StartAt": "Poll", "States": {
    "Poll": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:getItem", "Next": "Done?"},
    "Done?": {"Type": "Choice", "Choices": [{"Variable": "$.done", "BooleanEquals": true,
                                             "Next": "Finish"}], "Default": "Poll"},
    "Finish": {"Type": "Succeed"}}})",
                                     o);
  ASSERT_TRUE(r.full()) << r.format_errors();
  bool bounded = false;
  for (const Finding& f : r.findings.items()) {
    bounded = bounded || (f.kind == FindingKind::kApproximated && f.pointer == "/States/Done?");
  }
  EXPECT_TRUE(bounded) << r.report("test");
  const auto ran = run(*r.scenario, 10);
  expect_conserved(*ran, 10);
  EXPECT_EQ(ran->rec.outcomes["succeeded"], 10u);
  // Entered once, then once more after each of the gate's 100 visits.
  EXPECT_EQ(ran->entered("Poll"), 10u * 101);
}

}  // namespace
}  // namespace orchsim::scenarios::asl::asl_states_test
