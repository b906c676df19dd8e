// RequestLog: which requests it keeps (sample by id mix, slowest, failed, each
// for every reason that applies), what it records about each, the file it
// writes, and that a real run's log is deterministic and self-consistent.
#include "eval/request_log.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "eval/runner.hpp"
#include "scenarios/scenario.hpp"
#include "tests/eval/eval_test_support.hpp"

namespace orchsim::eval::request_log_test {
namespace {

using namespace sim::literals;
using orchestration::AgentIndex;
using orchestration::AttemptKind;
using orchestration::CallEnd;
using orchestration::ErrorKind;
using orchestration::kNoNode;
using orchestration::RequestId;
using Json = nlohmann::ordered_json;

orchestration::Workflow test_workflow() {
  return test_support::workflow_of({"retrieve", "generate", "check", "done"});
}

using test_support::at;

orchestration::RequestArrived arrived(RequestId id, sim::Duration t = 0_ms) {
  return {at(t), id, 0, 100, sim::Time::max()};
}

orchestration::RequestFinished finished(RequestId id, bool success, sim::Duration latency,
                                        sim::Duration arrival = 0_ms) {
  orchestration::RequestFinished e{};
  e.at = at(arrival + latency);
  e.request = id;
  e.success = success;
  e.outcome = success ? "answered" : "deadline_exceeded";
  e.latency = latency;
  return e;
}

orchestration::CallStarted call_started(RequestId request, sim::Duration t, AgentIndex agent,
                                        mock_agents::CallId call) {
  orchestration::CallStarted e{};
  e.at = at(t);
  e.request = request;
  e.node = 1;
  e.agent = agent;
  e.attempt = 0;
  e.call = call;
  e.kind = AttemptKind::kFirst;
  e.input_tokens = 120;
  return e;
}

orchestration::CallEnded call_ended(RequestId request, sim::Duration t, AgentIndex agent,
                                    mock_agents::CallId call, CallEnd how, sim::Duration started) {
  orchestration::CallEnded e{};
  e.at = at(t);
  e.request = request;
  e.node = 1;
  e.agent = agent;
  e.call = call;
  e.end = how;
  e.error = how == CallEnd::kError ? ErrorKind::kTransient : ErrorKind::kNone;
  e.started = at(started);
  e.duration = t - started;
  e.queue_wait = 250_us;
  e.input_tokens = 120;
  e.output_tokens = 30;
  e.cost_usd = 0.002;
  e.quality = 0.75;
  e.confidence = 0.5;
  return e;
}

RequestLogOptions only(std::size_t sample, std::size_t slowest, std::size_t failed) {
  RequestLogOptions o;
  o.sample = sample;
  o.slowest = slowest;
  o.failed = failed;
  return o;
}

std::vector<RequestId> kept_ids(const RequestLog& log) {
  std::vector<RequestId> ids;
  for (const Json& r : log.kept_requests()) ids.push_back(r["request"].get<RequestId>());
  return ids;
}

// The k ids of `ids` with the smallest mix, in increasing id.
std::vector<RequestId> smallest_mix(std::vector<RequestId> ids, std::size_t k) {
  std::sort(ids.begin(), ids.end(),
            [](RequestId a, RequestId b) { return RequestLog::mix(a) < RequestLog::mix(b); });
  ids.resize(std::min(k, ids.size()));
  std::sort(ids.begin(), ids.end());
  return ids;
}

// A scrambled order of 1..n, so that eviction is exercised.
std::vector<RequestId> scrambled(RequestId n) {
  std::vector<RequestId> ids;
  for (RequestId i = 0; i < n; ++i) ids.push_back((i * 7919) % n + 1);
  return ids;
}

class RequestLogTest : public ::testing::Test {
 protected:
  orchestration::Workflow workflow = test_workflow();
  std::vector<std::string> agents = {"fast", "slow"};
  std::vector<std::string> classes = {"simple", "complex"};
};

TEST(RequestLogMix, IsSplitMix64sFinaliser) {
  // Reference values of SplitMix64 seeded with 0: its outputs are mix(0), mix(golden), ...
  EXPECT_EQ(RequestLog::mix(0), 0xe220a8397b1dcdafULL);
  EXPECT_EQ(RequestLog::mix(0x9e3779b97f4a7c15ULL), 0x6e789e6aa1b965f4ULL);
}

TEST_F(RequestLogTest, SampleKeepsTheFinishedIdsWithTheSmallestMix) {
  RequestLog log(workflow, agents, classes, only(10, 0, 0));
  // 1..300 arrive, only 1..200 finish (in a scrambled order): the rest never count.
  for (RequestId id = 1; id <= 300; ++id) log.on_request_arrived(arrived(id));
  std::vector<RequestId> done;
  for (RequestId id : scrambled(200)) {
    log.on_request_finished(finished(id, id % 4 != 0, sim::Duration::milliseconds(id)));
    done.push_back(id);
  }
  std::vector<RequestId> all(300);
  for (RequestId i = 0; i < 300; ++i) all[i] = i + 1;
  const std::vector<RequestId> expected = smallest_mix(done, 10);
  ASSERT_NE(expected, smallest_mix(all, 10));  // an in-flight id would have been sampled
  EXPECT_EQ(kept_ids(log), expected);
  EXPECT_EQ(log.finished(), 200u);
  EXPECT_EQ(log.kept(), 10u);
  for (const Json& r : log.kept_requests()) EXPECT_EQ(r["kept"], Json::parse(R"(["sample"])"));
}

TEST_F(RequestLogTest, SlowestKeepsTheLongestLatenciesWithTiesToTheLowerId) {
  const std::vector<std::pair<RequestId, int>> latency_ms = {{1, 10}, {2, 30}, {3, 20}, {4, 30},
                                                             {5, 30}, {6, 5},  {7, 30}, {8, 29}};
  // Whatever the order they finish in.
  for (const std::vector<std::size_t>& order : {std::vector<std::size_t>{0, 1, 2, 3, 4, 5, 6, 7},
                                                {7, 6, 5, 4, 3, 2, 1, 0},
                                                {6, 4, 0, 3, 7, 1, 5, 2}}) {
    RequestLog log(workflow, agents, classes, only(0, 3, 0));
    for (const auto& [id, ms] : latency_ms) log.on_request_arrived(arrived(id));
    for (const std::size_t i : order) {
      const auto& [id, ms] = latency_ms[i];
      log.on_request_finished(finished(id, true, sim::Duration::milliseconds(ms)));
    }
    EXPECT_EQ(kept_ids(log), (std::vector<RequestId>{2, 4, 5}));
    for (const Json& r : log.kept_requests()) EXPECT_EQ(r["kept"], Json::parse(R"(["slowest"])"));
  }
}

TEST_F(RequestLogTest, FailedKeepsOnlyFailedRequestsChosenLikeTheSample) {
  RequestLog log(workflow, agents, classes, only(0, 0, 5));
  std::vector<RequestId> failed;
  for (RequestId id : scrambled(100)) {
    log.on_request_arrived(arrived(id));
    const bool success = id % 3 != 0;
    log.on_request_finished(finished(id, success, 1_ms));
    if (!success) failed.push_back(id);
  }
  EXPECT_EQ(kept_ids(log), smallest_mix(failed, 5));
  for (const Json& r : log.kept_requests()) {
    EXPECT_FALSE(r["success"].get<bool>());
    EXPECT_EQ(r["kept"], Json::parse(R"(["failed"])"));
  }
}

TEST_F(RequestLogTest, ARequestKeptForSeveralReasonsListsThemAllInOrder) {
  RequestLog log(workflow, agents, classes, only(100, 1, 1));
  log.on_request_arrived(arrived(1));
  log.on_request_arrived(arrived(2));
  log.on_request_arrived(arrived(3));
  log.on_request_finished(finished(1, true, 5_ms));
  log.on_request_finished(finished(2, false, 50_ms));  // slowest and failed
  log.on_request_finished(finished(3, true, 7_ms));
  const std::vector<Json> kept = log.kept_requests();
  ASSERT_EQ(kept.size(), 3u);
  EXPECT_EQ(kept[0]["kept"], Json::parse(R"(["sample"])"));
  EXPECT_EQ(kept[1]["kept"], Json::parse(R"(["sample", "slowest", "failed"])"));
  EXPECT_EQ(kept[2]["kept"], Json::parse(R"(["sample"])"));
}

TEST_F(RequestLogTest, ARequestLosesAReasonWhenEvictedAndDisappearsWithItsLast) {
  // Of 1..10: b has the smallest mix, a the largest, c the second largest.
  std::vector<RequestId> by_mix = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  std::sort(by_mix.begin(), by_mix.end(),
            [](RequestId x, RequestId y) { return RequestLog::mix(x) < RequestLog::mix(y); });
  const RequestId b = by_mix.front(), a = by_mix.back(), c = by_mix[by_mix.size() - 2];
  RequestLog log(workflow, agents, classes, only(1, 1, 0));
  for (RequestId id : {a, b, c}) log.on_request_arrived(arrived(id));

  log.on_request_finished(finished(a, true, 40_ms));
  ASSERT_EQ(log.kept_requests().size(), 1u);
  EXPECT_EQ(log.kept_requests()[0]["kept"], Json::parse(R"(["sample", "slowest"])"));

  // b takes the sample from a; a stays for being the slowest.
  log.on_request_finished(finished(b, true, 10_ms));
  std::vector<Json> kept = log.kept_requests();
  ASSERT_EQ(kept.size(), 2u);
  for (const Json& r : kept) {
    const RequestId id = r["request"].get<RequestId>();
    EXPECT_EQ(r["kept"], Json::parse(id == a ? R"(["slowest"])" : R"(["sample"])")) << id;
  }

  // c is slower: a loses its last reason and is gone.
  log.on_request_finished(finished(c, true, 90_ms));
  std::vector<RequestId> expected = {b, c};
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(kept_ids(log), expected);
  EXPECT_EQ(log.kept(), 2u);
  EXPECT_EQ(log.finished(), 3u);
}

TEST_F(RequestLogTest, RequestsInFlightAtTheEndAreNotKept) {
  RequestLog log(workflow, agents, classes, only(10, 10, 10));
  log.on_request_arrived(arrived(1));
  log.on_request_arrived(arrived(2));
  log.on_request_finished(finished(2, false, 3_ms));
  EXPECT_EQ(kept_ids(log), (std::vector<RequestId>{2}));
  EXPECT_EQ(log.finished(), 1u);
}

TEST_F(RequestLogTest, CallsAreMatchedToTheirEndsAndAnUnendedOneIsUnfinished) {
  RequestLog log(workflow, agents, classes, only(10, 0, 0));
  log.on_request_arrived(arrived(7, 1_ms));
  log.on_call_started(call_started(7, 2_ms, 0, 10));
  log.on_call_started(call_started(7, 3_ms, 1, 11));
  log.on_call_started(call_started(7, 4_ms, 1, 10));  // call ids are per agent
  log.on_call_ended(call_ended(7, 5_ms, 1, 11, CallEnd::kSuccess, 3_ms));
  log.on_call_ended(call_ended(7, 6_ms, 0, 10, CallEnd::kError, 2_ms));
  auto f = finished(7, true, 6_ms, 1_ms);
  f.calls = 3;
  f.cost_usd = 0.004;
  log.on_request_finished(f);
  const std::vector<Json> kept = log.kept_requests();
  ASSERT_EQ(kept.size(), 1u);
  const Json& calls = kept[0]["calls"];
  ASSERT_EQ(calls.size(), 3u);
  EXPECT_EQ(calls[0], Json::parse(R"({"node":"generate","agent":"fast","flow":0,"invocation":0,
      "attempt":0,"kind":"first",
      "start_ms":2,"end_ms":6,"queue_wait_ms":0.25,"end":"error","error":"transient",
      "input_tokens":120,"output_tokens":30,"cost_usd":0.002,"quality":0.75,"confidence":0.5,
      "silent":false})"));
  EXPECT_EQ(calls[1]["agent"], "slow");
  EXPECT_EQ(calls[1]["end_ms"], 5.0);
  EXPECT_EQ(calls[1]["end"], "success");
  EXPECT_EQ(calls[1]["error"], nullptr);
  EXPECT_EQ(calls[2], Json::parse(R"({"node":"generate","agent":"slow","flow":0,"invocation":0,
      "attempt":0,"kind":"first",
      "start_ms":4,"end_ms":null,"queue_wait_ms":null,"end":"unfinished","error":null,
      "input_tokens":120,"output_tokens":0,"cost_usd":0,"quality":null,"confidence":null,
      "silent":false})"));
  // Key order is part of the format.
  std::vector<std::string> keys;
  for (const auto& [key, value] : calls[2].items()) keys.push_back(key);
  EXPECT_EQ(keys, (std::vector<std::string>{"node", "agent", "flow", "invocation", "attempt",
                                            "kind", "start_ms", "end_ms", "queue_wait_ms", "end",
                                            "error", "input_tokens", "output_tokens", "cost_usd",
                                            "quality", "confidence", "silent"}));
}

TEST_F(RequestLogTest, MaxItemsTruncatesTheDetailAndSaysSo) {
  for (const std::size_t max_items : {3u, 4u}) {
    RequestLogOptions o = only(10, 0, 0);
    o.max_items = max_items;
    RequestLog log(workflow, agents, classes, o);
    log.on_request_arrived(arrived(1));
    const std::vector<orchestration::RoutingCandidate> candidates = {{0, 1.0, true}};
    log.on_routing_decision({at(0_ms), 1, 1, "static", &candidates, 0, "only one"});
    log.on_call_started(call_started(1, 0_ms, 0, 1));
    log.on_node_entered({at(1_ms), 1, 1, 2});
    log.on_call_started(call_started(1, 2_ms, 0, 2));  // the fourth item
    log.on_request_finished(finished(1, true, 3_ms));
    const Json r = log.kept_requests().at(0);
    EXPECT_EQ(r["decisions"].size(), 1u);
    EXPECT_EQ(r["events"].size(), 1u);
    EXPECT_EQ(r["calls"].size(), max_items == 3 ? 1u : 2u);
    EXPECT_EQ(r["truncated"].get<bool>(), max_items == 3);
  }
}

TEST_F(RequestLogTest, DecisionsAndEventsCarryTheirInputsAndReasons) {
  RequestLog log(workflow, agents, classes, only(10, 0, 0));
  auto a = arrived(3);
  a.class_index = 1;  // the class comes from the arrival
  log.on_request_arrived(a);
  log.on_node_entered({at(0_ms), 3, kNoNode, 0});
  const std::vector<orchestration::RoutingCandidate> candidates = {{0, 0.25, true},
                                                                   {1, 0.75, false}};
  log.on_routing_decision({at(1_ms), 3, 1, "least_loaded", &candidates, 0, "fewest in flight"});
  log.on_retry_scheduled({at(2_ms), 3, 1, 0, 1, 1500_us, ErrorKind::kRateLimited, CallEnd::kError});
  log.on_retry_scheduled({at(3_ms), 3, 1, 1, 2, 1_ms, ErrorKind::kNone, CallEnd::kTimeout});
  log.on_hedge_launched({at(4_ms), 3, 1, 1, 3});
  log.on_context_fitted(
      {at(5_ms), 3, 1, 0, orchestration::FitPolicy::kSummarize, 9000, 4000, 0.8, 2, true});
  log.on_budget_exhausted({at(6_ms), 3, 1, orchestration::BudgetExhausted::Kind::kRetryBudget});
  log.on_flow_decision({at(7_ms), 3, 2, 3, "score above 0.6"});
  log.on_flow_decision({at(8_ms), 3, 2, kNoNode, "loop bound"});
  log.on_request_finished(finished(3, true, 9_ms));
  const Json r = log.kept_requests().at(0);
  EXPECT_EQ(r["class"], "complex");
  EXPECT_EQ(r["decisions"], Json::parse(R"([
    {"t_ms":1,"node":"generate","kind":"route","policy":"least_loaded",
     "inputs":[{"agent":"fast","score":0.25,"eligible":true},
               {"agent":"slow","score":0.75,"eligible":false}],
     "choice":"fast","reason":"fewest in flight"},
    {"t_ms":7,"node":"check","kind":"flow","choice":"done","flow":0,"reason":"score above 0.6"},
    {"t_ms":8,"node":"check","kind":"flow","choice":null,"flow":0,"reason":"loop bound"}])"));
  EXPECT_EQ(r["events"], Json::parse(R"([
    {"t_ms":0,"kind":"enter","from":"start","to":"retrieve","flow":0},
    {"t_ms":2,"kind":"retry","node":"generate","agent":"fast","attempt":1,"delay_ms":1.5,
     "after":"error","error":"rate_limited"},
    {"t_ms":3,"kind":"retry","node":"generate","agent":"slow","attempt":2,"delay_ms":1,
     "after":"timeout","error":null},
    {"t_ms":4,"kind":"hedge","node":"generate","agent":"slow","attempt":3},
    {"t_ms":5,"kind":"context","node":"generate","agent":"fast","policy":"summarize",
     "tokens_before":9000,"tokens_after":4000,"retained":0.8,"segments_dropped":2,
     "summarized":true},
    {"t_ms":6,"kind":"budget","node":"generate","budget":"retry_budget"}])"));
  EXPECT_FALSE(r["truncated"].get<bool>());
}

// Reasons are kept as data and formatted when a kept request is written;
// a text (a user policy's) is copied, as the event's views die with the call.
TEST_F(RequestLogTest, ReasonsAreFormattedWhenWrittenAndTextsAreCopied) {
  using orchestration::Reason;
  RequestLog log(workflow, agents, classes, only(0, 0, 10));  // the failed only
  std::vector<orchestration::RoutingCandidate> candidates = {{0, 0.5, true}, {1, 1.5, true}};
  std::string mine = "my policy's own words {not a format}";
  std::string cause = "timeout";
  // Request 1 is not kept: its record, reused for request 2, must not leak into it.
  log.on_request_arrived(arrived(1));
  log.on_routing_decision({at(0_ms), 1, 1, "mine", &candidates, 1, mine});
  log.on_request_finished(finished(1, true, 1_ms));
  log.on_request_arrived(arrived(2));
  log.on_routing_decision({at(1_ms), 2, 1, "mine", &candidates, 1, mine});
  log.on_routing_decision(
      {at(2_ms), 2, 1, "round_robin", &candidates, 0, Reason::format("turn {}", 7)});
  log.on_flow_decision({at(3_ms), 2, 2, 3, Reason::format("step failed ({})", cause)});
  log.on_flow_decision(
      {at(4_ms), 2, 2, 3, Reason::format("no rule matched (confidence={:.3f})", 0.4567)});
  // What the views pointed to changes after the calls.
  mine.assign("overwritten, longer than the text it replaced");
  cause.assign("changed");
  candidates = {{1, 9.0, false}};
  log.on_request_finished(finished(2, false, 5_ms));
  const std::vector<Json> kept = log.kept_requests();
  ASSERT_EQ(kept.size(), 1u);
  const Json& d = kept[0]["decisions"];
  ASSERT_EQ(d.size(), 4u);
  EXPECT_EQ(d[0]["reason"], "my policy's own words {not a format}");
  EXPECT_EQ(d[0]["policy"], "mine");
  EXPECT_EQ(d[0]["inputs"], Json::parse(R"([{"agent":"fast","score":0.5,"eligible":true},
                                            {"agent":"slow","score":1.5,"eligible":true}])"));
  EXPECT_EQ(d[1]["reason"], "turn 7");
  EXPECT_EQ(d[1]["policy"], "round_robin");
  EXPECT_EQ(d[1]["inputs"], d[0]["inputs"]);
  EXPECT_EQ(d[2]["reason"], "step failed (timeout)");
  EXPECT_EQ(d[3]["reason"], "no rule matched (confidence=0.457)");
}

TEST_F(RequestLogTest, WriteGivesAHeaderThenOneLinePerKeptRequestInIncreasingId) {
  RequestLog log(workflow, agents, classes, only(3, 1, 1));
  for (RequestId id : scrambled(20)) {
    log.on_request_arrived(arrived(id));
    log.on_request_finished(finished(id, id != 17, sim::Duration::microseconds(100 * id)));
  }
  std::ostringstream out;
  log.write(out, Json{{"scenario", "rag"}, {"seed", 7}});
  std::istringstream in(out.str());
  std::string line;
  ASSERT_TRUE(std::getline(in, line));
  const Json header = Json::parse(line);
  EXPECT_EQ(header.dump(),
            R"({"schema":"orchsim.requests","schema_version":1,"scenario":"rag","seed":7,)"
            R"("selection":{"sample":3,"slowest":1,"failed":1},"finished":20,"kept":)" +
                std::to_string(log.kept()) + "}");
  std::vector<std::string> lines;
  while (std::getline(in, line)) lines.push_back(line);
  const std::vector<Json> kept = log.kept_requests();
  ASSERT_EQ(lines.size(), kept.size());
  ASSERT_EQ(kept.size(), log.kept());
  for (std::size_t i = 0; i < lines.size(); ++i) EXPECT_EQ(lines[i], kept[i].dump());
  // The sample's 3, the slowest (20), the only failed (17), with overlaps merged.
  std::vector<RequestId> all(20);
  for (RequestId i = 0; i < 20; ++i) all[i] = i + 1;
  std::set<RequestId> expected_set;
  for (RequestId id : smallest_mix(all, 3)) expected_set.insert(id);
  expected_set.insert(20);
  expected_set.insert(17);
  const std::vector<RequestId> expected(expected_set.begin(), expected_set.end());
  EXPECT_EQ(kept_ids(log), expected);  // increasing id
  // Request keys in the documented order.
  std::vector<std::string> keys;
  for (const auto& [key, value] : kept[0].items()) keys.push_back(key);
  EXPECT_EQ(keys, (std::vector<std::string>{
                      "request",      "class",         "arrival_ms", "finish_ms",     "latency_ms",
                      "success",      "outcome",       "quality",    "silent_answer", "cost_usd",
                      "input_tokens", "output_tokens", "call_count", "retries",       "hedges",
                      "timeouts",     "fallbacks",     "redirects",  "kept",          "truncated",
                      "calls",        "decisions",     "events",     "flows",         "runs"}));
}

// --- End to end --------------------------------------------------------------------

using test_support::load;

std::string run_and_write(const scenarios::Scenario& s, std::uint64_t seed) {
  RunOptions options;
  options.seed = seed;
  options.requests = 400;
  options.request_log = only(40, 20, 20);
  const RunResult r = run_scenario(s, options);
  EXPECT_EQ(r.request_log->finished(), r.completed + r.failed);
  EXPECT_LE(r.request_log->kept(), 80u);
  std::ostringstream out;
  r.request_log->write(out, Json{{"scenario", s.name}, {"seed", seed}});
  return out.str();
}

TEST(RequestLogRun, TheSameSeedWritesTheSameBytes) {
  const scenarios::Scenario s = load("rag_orchestrated");
  const std::string a = run_and_write(s, 3);
  EXPECT_EQ(a, run_and_write(s, 3));
  EXPECT_NE(a, run_and_write(s, 4));  // the comparison can fail
}

// Every call of a request ends before the request does (finish_request
// cancels the flows' outstanding calls first and bills what they spent), and
// the request's cost is the sum of its calls' costs, summarizer calls included
// (they are launched and billed like any other attempt).
TEST(RequestLogRun, EachKeptRequestsCallsAccountForItsCallCountAndCost) {
  // Summarizer calls (langgraph_chain), decomposition and fallbacks
  // (timeout_fallback_decompose), breakers and retries (rag_orchestrated).
  for (const char* name : {"langgraph_chain", "timeout_fallback_decompose", "rag_orchestrated"}) {
    SCOPED_TRACE(name);
    const scenarios::Scenario s = load(name);
    RunOptions options;
    options.seed = 11;
    options.requests = 400;
    options.request_log = only(40, 20, 20);
    const RunResult r = run_scenario(s, options);
    const std::vector<Json> kept = r.request_log->kept_requests();
    ASSERT_FALSE(kept.empty());
    for (const Json& req : kept) {
      SCOPED_TRACE(req["request"].get<RequestId>());
      ASSERT_FALSE(req["truncated"].get<bool>());
      EXPECT_EQ(req["call_count"].get<std::size_t>(), req["calls"].size());
      double cost = 0.0;
      std::int64_t input_tokens = 0, output_tokens = 0;
      for (const Json& c : req["calls"]) {
        EXPECT_NE(c["end"], "unfinished");
        cost += c["cost_usd"].get<double>();
        input_tokens += c["input_tokens"].get<std::int64_t>();
        output_tokens += c["output_tokens"].get<std::int64_t>();
      }
      EXPECT_NEAR(cost, req["cost_usd"].get<double>(), 1e-6);
      EXPECT_EQ(input_tokens, req["input_tokens"].get<std::int64_t>());
      EXPECT_EQ(output_tokens, req["output_tokens"].get<std::int64_t>());
    }
  }
}

}  // namespace
}  // namespace orchsim::eval::request_log_test
