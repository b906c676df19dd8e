#include "eval/metrics.hpp"

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "eval/run_metrics_text.hpp"
#include "tests/eval/eval_test_support.hpp"

namespace orchsim::eval::metrics_test {
namespace {

using namespace sim::literals;
using orchestration::AttemptKind;
using orchestration::BreakerState;
using orchestration::BudgetExhausted;
using orchestration::CallEnd;
using orchestration::ErrorKind;
using orchestration::kNoNode;

orchestration::Workflow test_workflow() {
  return test_support::workflow_of({"retrieve", "generate", "check", "done"});
}

using test_support::at;

orchestration::RequestFinished finished(orchestration::RequestId id, std::uint32_t klass,
                                        bool success, std::string_view outcome,
                                        sim::Duration latency, double quality) {
  orchestration::RequestFinished e{};
  e.at = at(latency);
  e.request = id;
  e.class_index = klass;
  e.success = success;
  e.outcome = outcome;
  e.latency = latency;
  e.quality = quality;
  return e;
}

orchestration::CallEnded call_ended(orchestration::AgentIndex agent, CallEnd end, ErrorKind error,
                                    sim::Duration queue_wait, sim::Duration duration) {
  orchestration::CallEnded e{};
  e.at = at(duration);
  e.agent = agent;
  e.end = end;
  e.error = error;
  e.started = sim::Time::zero();
  e.duration = duration;
  e.queue_wait = queue_wait;
  e.input_tokens = 10;
  e.output_tokens = 5;
  e.cost_usd = 0.001;
  return e;
}

// The scenario every test below feeds: 4 arrivals, 3 finished (2 answered,
// 1 deadline), calls on two agents, breaker flaps, edges and decisions.
class MetricsCollectorTest : public ::testing::Test {
 protected:
  MetricsCollectorTest() : m(workflow, {"fast", "slow"}, {"simple", "complex"}, 0.7) {}

  void feed() {
    for (orchestration::RequestId id = 1; id <= 4; ++id) {
      m.on_request_arrived({sim::Time::zero(), id, 0, 100, at(1_s)});
    }
    auto r1 = finished(1, 0, true, "answered", 100_ms, 0.9);
    r1.cost_usd = 0.01;
    r1.input_tokens = 100;
    r1.output_tokens = 50;
    r1.calls = 2;
    r1.retries = 1;
    m.on_request_finished(r1);
    auto r2 = finished(2, 1, true, "answered", 200_ms, 0.5);
    r2.answer_silent_failure = true;
    r2.cost_usd = 0.03;
    r2.input_tokens = 300;
    r2.output_tokens = 150;
    r2.calls = 3;
    r2.hedges = 1;
    r2.timeouts = 1;
    m.on_request_finished(r2);
    auto r3 = finished(3, 0, false, "deadline_exceeded", 400_ms, 0.0);
    r3.cost_usd = 0.02;
    r3.input_tokens = 200;
    r3.calls = 1;
    r3.fallbacks = 1;
    r3.redirects = 1;
    m.on_request_finished(r3);

    for (int i = 0; i < 3; ++i) {
      m.on_call_started(
          {sim::Time::zero(), 1, 0, 0, 0, static_cast<std::uint64_t>(i), AttemptKind::kFirst, 10});
    }
    m.on_call_started({sim::Time::zero(), 1, 0, 1, 0, 7, AttemptKind::kHedge, 10});
    m.on_call_ended(call_ended(0, CallEnd::kSuccess, ErrorKind::kNone, 1_ms, 10_ms));
    m.on_call_ended(call_ended(0, CallEnd::kError, ErrorKind::kTransient, 0_ms, 5_ms));
    m.on_call_ended(call_ended(0, CallEnd::kTimeout, ErrorKind::kNone, 3_ms, 30_ms));
    m.on_call_ended(call_ended(1, CallEnd::kCancelled, ErrorKind::kNone, 0_ms, 2_ms));

    m.on_breaker_changed({at(100_ms), 0, BreakerState::kClosed, BreakerState::kOpen});
    m.on_breaker_changed({at(150_ms), 0, BreakerState::kOpen, BreakerState::kHalfOpen});
    m.on_breaker_changed({at(160_ms), 0, BreakerState::kHalfOpen, BreakerState::kOpen});

    m.on_node_entered({sim::Time::zero(), 1, kNoNode, 0});
    m.on_node_entered({sim::Time::zero(), 2, kNoNode, 0});
    m.on_node_entered({sim::Time::zero(), 1, 0, 1});
    m.on_node_entered({sim::Time::zero(), 2, 0, 1});
    m.on_node_entered({sim::Time::zero(), 1, 1, 2});
    m.on_node_entered({sim::Time::zero(), 1, 2, 1});
    const std::vector<orchestration::RoutingCandidate> candidates = {{0, 1.0, true},
                                                                     {1, 2.0, true}};
    m.on_routing_decision({sim::Time::zero(), 1, 0, "p2c", &candidates, 1, "lower"});
    m.on_routing_decision({sim::Time::zero(), 2, 0, "p2c", &candidates, 0, "lower"});
    m.on_routing_decision({sim::Time::zero(), 3, 0, "p2c", &candidates, 0, "lower"});

    m.on_budget_exhausted({sim::Time::zero(), 3, 0, BudgetExhausted::Kind::kDeadline});
    m.on_budget_exhausted({sim::Time::zero(), 3, 0, BudgetExhausted::Kind::kDeadline});
    m.on_budget_exhausted({sim::Time::zero(), 3, 0, BudgetExhausted::Kind::kRetryBudget});

    m.finalize(at(200_ms), {{"fast", 2, 200_ms, 4}, {"slow", 1, 50_ms, 0}});
  }

  orchestration::Workflow workflow = test_workflow();
  MetricsCollector m;
};

// The collector remembers the last outcome's counter; a name that changes,
// even in the same buffer, must still be counted under its own name.
TEST(MetricsCollectorOutcomes, EveryOutcomeIsCountedUnderItsNameHoweverTheyAlternate) {
  const orchestration::Workflow workflow = test_workflow();
  MetricsCollector m(workflow, {"fast"});
  std::string name = "answered";
  const std::vector<std::pair<std::string, bool>> ends = {
      {"answered", true},  {"answered", true}, {"escalated", true}, {"answered", true},
      {"deadline", false}, {"stuck", false},   {"deadline", false}, {"escalated", true}};
  orchestration::RequestId id = 0;
  for (const auto& [outcome, success] : ends) {
    name.assign(outcome);  // the same buffer every time: only its text changes
    m.on_request_finished(finished(id++, 0, success, name, 10_ms, 0.9));
  }
  const auto j = m.to_json()["requests"];
  EXPECT_EQ(j["completed_by_outcome"].dump(), R"({"answered":3,"escalated":2})");
  EXPECT_EQ(j["failed_by_cause"].dump(), R"({"deadline":2,"stuck":1})");
  EXPECT_EQ(m.coordination().stuck, 1u);

  // A copy, and a collector moved from and into, count in their own maps.
  MetricsCollector copy = m;
  MetricsCollector moved = std::move(m);
  m = MetricsCollector(workflow, {"fast"});
  for (MetricsCollector* c : {&copy, &moved, &m}) {
    name.assign("answered");
    c->on_request_finished(finished(id++, 0, true, name, 10_ms, 0.9));
  }
  EXPECT_EQ(copy.requests().completed_by_outcome.at("answered"), 4u);
  EXPECT_EQ(moved.requests().completed_by_outcome.at("answered"), 4u);
  EXPECT_EQ(m.requests().completed_by_outcome.at("answered"), 1u);
  EXPECT_EQ(m.requests().completed_by_outcome.size(), 1u);
}

TEST_F(MetricsCollectorTest, CountsRequestsByOutcomeAndCause) {
  feed();
  const auto j = m.to_json();
  const auto& r = j["requests"];
  EXPECT_EQ(r["arrived"], 4);
  EXPECT_EQ(r["finished"], 3);
  EXPECT_EQ(r["completed"], 2);
  EXPECT_EQ(r["failed"], 1);
  EXPECT_EQ(r["in_flight"], 1);
  EXPECT_DOUBLE_EQ(r["success_rate"].get<double>(), 0.666667);
  EXPECT_DOUBLE_EQ(r["throughput_rps"].get<double>(), 10.0);  // 2 in 0.2 s
  EXPECT_EQ(r["completed_by_outcome"].dump(), R"({"answered":2})");
  EXPECT_EQ(r["failed_by_cause"].dump(), R"({"deadline_exceeded":1})");
}

TEST_F(MetricsCollectorTest, LatencyMeanAndQuantiles) {
  feed();
  const auto j = m.to_json();
  const auto& all = j["latency_ms"]["all"];
  EXPECT_EQ(all["count"], 3);
  EXPECT_DOUBLE_EQ(all["mean"].get<double>(), 233.3333);
  EXPECT_DOUBLE_EQ(all["min"].get<double>(), 100.0);
  EXPECT_DOUBLE_EQ(all["max"].get<double>(), 400.0);
  EXPECT_NEAR(all["p50"].get<double>(), 200.0, 200.0 / 256);  // rank 2
  EXPECT_DOUBLE_EQ(all["p99"].get<double>(), 400.0);          // rank 3 = max, exact
  const auto& success = j["latency_ms"]["success"];
  EXPECT_EQ(success["count"], 2);
  EXPECT_DOUBLE_EQ(success["mean"].get<double>(), 150.0);
  EXPECT_DOUBLE_EQ(success["p50"].get<double>(), 100.0);  // rank 1 = min, exact
  EXPECT_DOUBLE_EQ(success["p999"].get<double>(), 200.0);
}

TEST_F(MetricsCollectorTest, QualityPassRateAndSilentFailures) {
  feed();
  const auto q = m.to_json()["quality"];
  EXPECT_DOUBLE_EQ(q["mean"].get<double>(), 0.7);
  EXPECT_DOUBLE_EQ(q["pass_rate"].get<double>(), 0.5);  // 0.9 passes 0.7, 0.5 does not
  EXPECT_DOUBLE_EQ(q["pass_rate_of_finished"].get<double>(), 0.333333);
  EXPECT_DOUBLE_EQ(q["silent_failure_rate"].get<double>(), 0.5);
}

TEST_F(MetricsCollectorTest, PerRequestMeans) {
  feed();
  const auto p = m.to_json()["per_request"];
  EXPECT_DOUBLE_EQ(p["input_tokens"].get<double>(), 200.0);
  EXPECT_DOUBLE_EQ(p["output_tokens"].get<double>(), 66.6667);
  EXPECT_DOUBLE_EQ(p["cost_usd"].get<double>(), 0.02);
  EXPECT_DOUBLE_EQ(p["calls"].get<double>(), 2.0);
  for (const char* key : {"retries", "hedges", "timeouts", "fallbacks", "redirects"}) {
    EXPECT_DOUBLE_EQ(p[key].get<double>(), 0.3333) << key;
  }
}

TEST_F(MetricsCollectorTest, PerClass) {
  feed();
  const auto c = m.to_json()["classes"];
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[0]["name"], "simple");
  EXPECT_EQ(c[0]["count"], 2);
  EXPECT_DOUBLE_EQ(c[0]["success_rate"].get<double>(), 0.5);
  EXPECT_DOUBLE_EQ(c[0]["latency_p50_ms"].get<double>(), 100.0);
  EXPECT_DOUBLE_EQ(c[0]["latency_p99_ms"].get<double>(), 400.0);
  EXPECT_DOUBLE_EQ(c[0]["quality_mean"].get<double>(), 0.9);
  EXPECT_DOUBLE_EQ(c[0]["cost_mean_usd"].get<double>(), 0.015);
  EXPECT_EQ(c[1]["name"], "complex");
  EXPECT_DOUBLE_EQ(c[1]["success_rate"].get<double>(), 1.0);
  EXPECT_DOUBLE_EQ(c[1]["quality_mean"].get<double>(), 0.5);
}

TEST_F(MetricsCollectorTest, PerAgent) {
  feed();
  const auto a = m.to_json()["agents"];
  ASSERT_EQ(a.size(), 2u);
  const auto& fast = a[0];
  EXPECT_EQ(fast["name"], "fast");
  EXPECT_EQ(fast["calls_started"], 3);
  EXPECT_EQ(fast["calls_ended"].dump(),
            R"({"success":1,"invalid":0,"error":1,"timeout":1,"cancelled":0})");
  EXPECT_EQ(fast["errors"]["transient"], 1);
  EXPECT_EQ(fast["errors"]["overloaded"], 0);
  EXPECT_DOUBLE_EQ(fast["queue_wait_ms"]["mean"].get<double>(), 1.3333);
  EXPECT_DOUBLE_EQ(fast["queue_wait_ms"]["p99"].get<double>(), 3.0);
  EXPECT_NEAR(fast["duration_ms"]["p50"].get<double>(), 10.0, 10.0 / 256);
  EXPECT_DOUBLE_EQ(fast["duration_ms"]["p99"].get<double>(), 30.0);
  EXPECT_EQ(fast["input_tokens"], 30);
  EXPECT_EQ(fast["output_tokens"], 15);
  EXPECT_DOUBLE_EQ(fast["cost_usd"].get<double>(), 0.003);
  EXPECT_EQ(fast["breaker"]["transitions"], 3);
  // Open 100..150 ms, then 160 ms until the end at 200 ms.
  EXPECT_DOUBLE_EQ(fast["breaker"]["open_ms"].get<double>(), 90.0);
  EXPECT_EQ(fast["servers"], 2);
  EXPECT_DOUBLE_EQ(fast["utilisation"].get<double>(), 0.5);
  EXPECT_EQ(fast["max_queue_length"], 4);
  const auto& slow = a[1];
  EXPECT_EQ(slow["calls_ended"]["cancelled"], 1);
  EXPECT_DOUBLE_EQ(slow["utilisation"].get<double>(), 0.25);
  EXPECT_DOUBLE_EQ(slow["breaker"]["open_ms"].get<double>(), 0.0);
}

TEST_F(MetricsCollectorTest, RoutingEdgesAndDecisions) {
  feed();
  EXPECT_EQ(m.edge_count(kNoNode, 0), 2u);
  EXPECT_EQ(m.edge_count(2, 1), 1u);
  EXPECT_EQ(m.edge_count(1, 0), 0u);
  EXPECT_EQ(m.decision_count(0, 0), 2u);
  const auto routing = m.to_json()["routing"];
  EXPECT_EQ(routing["edges"].dump(), R"([{"from":"start","to":"retrieve","count":2},)"
                                     R"({"from":"retrieve","to":"generate","count":2},)"
                                     R"({"from":"generate","to":"check","count":1},)"
                                     R"({"from":"check","to":"generate","count":1}])");
  EXPECT_EQ(routing["decisions"].dump(), R"([{"node":"retrieve","agent":"fast","count":2},)"
                                         R"({"node":"retrieve","agent":"slow","count":1}])");
  EXPECT_EQ(m.to_json()["budget_exhausted"].dump(),
            R"({"retry_budget":1,"deadline":2,"loop_bound":0,"breaker_open":0})");
}

TEST_F(MetricsCollectorTest, JsonKeyOrderIsStable) {
  feed();
  const auto j = m.to_json();
  std::vector<std::string> keys;
  for (const auto& [k, v] : j.items()) keys.push_back(k);
  const std::vector<std::string> expected = {
      "quality_threshold", "end_ms",           "requests", "latency_ms",   "quality",
      "per_request",       "classes",          "agents",   "nodes",        "sub_workflows",
      "routing",           "budget_exhausted", "events",   "steady_state", "coordination"};
  EXPECT_EQ(keys, expected);
  // Per node: the calls it made, whichever agent served them.
  ASSERT_FALSE(j["nodes"].empty());
  std::vector<std::string> node_keys;
  for (const auto& [k, v] : j["nodes"][0].items()) node_keys.push_back(k);
  EXPECT_EQ(node_keys,
            (std::vector<std::string>{"name", "calls_started", "calls_ended", "duration_mean_ms"}));
  std::uint64_t node_calls = 0, agent_calls = 0;
  for (const auto& n : j["nodes"]) node_calls += n["calls_started"].get<std::uint64_t>();
  for (const auto& a : j["agents"]) agent_calls += a["calls_started"].get<std::uint64_t>();
  EXPECT_EQ(node_calls, agent_calls);  // every call is counted once per node and once per agent
  std::vector<std::string> agent_keys;
  for (const auto& [k, v] : j["agents"][0].items()) agent_keys.push_back(k);
  const std::vector<std::string> expected_agent = {
      "name",    "calls_started", "calls_ended",  "errors",        "queue_wait_ms",
      "p_wait",  "duration_ms",   "input_tokens", "output_tokens", "cost_usd",
      "breaker", "servers",       "busy_ms",      "utilisation",   "max_queue_length"};
  EXPECT_EQ(agent_keys, expected_agent);
  // Same events, same bytes.
  MetricsCollector again(workflow, {"fast", "slow"}, {"simple", "complex"}, 0.7);
  std::swap(m, again);
  feed();
  EXPECT_EQ(m.to_json().dump(), j.dump());
}

TEST_F(MetricsCollectorTest, CsvRows) {
  feed();
  std::ostringstream csv;
  write_csv(csv, m.result());
  const std::string text = csv.str();
  std::istringstream lines(text);
  std::string line;
  std::getline(lines, line);
  EXPECT_EQ(line, "metric,scope,value");
  int rows = 0;
  while (std::getline(lines, line)) {
    ++rows;
    EXPECT_EQ(std::count(line.begin(), line.end(), ','), 2) << line;
  }
  EXPECT_GT(rows, 80);
  for (const char* row :
       {"\nlatency_p99_ms,all,400\n", "\nlatency_mean_ms,all,233.3333\n",
        "\nutilisation,agent:fast,0.5\n", "\nfailed,cause:deadline_exceeded,1\n",
        "\ncompleted,outcome:answered,2\n", "\nrouting_edge_count,edge:start->retrieve,2\n",
        "\nrouting_decision_count,decision:retrieve->slow,1\n", "\nsuccess_rate,class:simple,0.5\n",
        "\ncalls_timeout,agent:fast,1\n", "\nqueue_wait_p99_ms,agent:fast,3\n",
        "\nerrors_transient,agent:fast,1\n", "\nbudget_exhausted,budget:deadline,2\n",
        "\nquality_pass_rate,all,0.5\n", "\nretries_per_request,all,0.3333\n",
        "\nrequests_in_flight,all,1\n"}) {
    EXPECT_NE(text.find(row), std::string::npos) << row;
  }
}

TEST_F(MetricsCollectorTest, TableMentionsEverySection) {
  feed();
  std::ostringstream table;
  write_table(table, m.result());
  const std::string text = table.str();
  for (const char* part : {"Requests", "deadline_exceeded 1", "Latency (ms)", "233.333", "Quality",
                           "50.00%", "Per request", "retries 0.333", "fast", "transient 1",
                           "start -> retrieve", "retrieve -> slow", "deadline 2"}) {
    EXPECT_NE(text.find(part), std::string::npos) << part << "\n" << text;
  }
  std::ostringstream again;
  write_table(again, m.result());
  EXPECT_EQ(again.str(), text);
}

TEST(MetricsCollectorEmptyTest, UndefinedValuesAreNull) {
  const auto workflow = test_workflow();
  MetricsCollector m(workflow, {"a"});
  const auto j = m.to_json();
  EXPECT_TRUE(j["end_ms"].is_null());
  EXPECT_TRUE(j["requests"]["success_rate"].is_null());
  EXPECT_TRUE(j["latency_ms"]["all"]["p99"].is_null());
  EXPECT_TRUE(j["quality"]["mean"].is_null());
  EXPECT_TRUE(j["agents"][0]["utilisation"].is_null());
  EXPECT_EQ(j["latency_ms"]["all"]["count"], 0);
  std::ostringstream csv, table;
  write_csv(csv, m.result());
  write_table(table, m.result());
  EXPECT_NE(csv.str().find("\nlatency_p99_ms,all,\n"), std::string::npos);
  EXPECT_NE(table.str().find("Requests"), std::string::npos);
}

TEST(MetricsCollectorEmptyTest, UnknownAgentsAndClassesGetNames) {
  const auto workflow = test_workflow();
  MetricsCollector m(workflow, {});
  auto f = finished(1, 2, true, "answered", 5_ms, 1.0);
  m.on_request_finished(f);
  m.on_call_started({sim::Time::zero(), 1, 0, 1, 0, 1, AttemptKind::kFirst, 1});
  const auto j = m.to_json();
  ASSERT_EQ(j["classes"].size(), 3u);
  EXPECT_EQ(j["classes"][2]["name"], "class2");
  ASSERT_EQ(j["agents"].size(), 2u);
  EXPECT_EQ(j["agents"][1]["name"], "agent1");
}

}  // namespace
}  // namespace orchsim::eval::metrics_test
