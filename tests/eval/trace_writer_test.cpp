#include "eval/trace_writer.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "eval/decision_log.hpp"
#include "eval/metrics.hpp"
#include "mock_agents/mock_agent.hpp"
#include "orchestration/orchestrator.hpp"
#include "sim/random.hpp"
#include "sim/simulation.hpp"
#include "tests/eval/eval_test_support.hpp"

namespace orchsim::eval::trace_writer_test {
namespace {

using namespace sim::literals;
using orchestration::AttemptKind;
using orchestration::CallEnd;
using orchestration::ErrorKind;
using orchestration::Observer;

orchestration::Workflow test_workflow() {
  return test_support::workflow_of({"retrieve", "generate"}, "trace-test");
}

// A synthetic run: events built directly, dispatched in (time, insertion) order.
class SyntheticRun {
 public:
  void at(std::int64_t t_ns, std::function<void(Observer&)> f) {
    actions_.push_back({t_ns, actions_.size(), std::move(f)});
  }

  // One call: CallStarted at `start`, CallEnded at `end` (`id` or the next
  // unused one).
  void call(orchestration::RequestId request, orchestration::NodeId node,
            orchestration::AgentIndex agent, std::uint32_t attempt, AttemptKind kind,
            std::int64_t start, std::int64_t end, CallEnd how,
            std::optional<mock_agents::CallId> call_id = std::nullopt) {
    const mock_agents::CallId id = call_id.value_or(next_call_++);
    ++calls;
    slices.push_back({request, attempt, start, end});
    if (kind != AttemptKind::kFirst) ++linked_attempts;
    at(start, [=](Observer& o) {
      o.on_call_started({sim::Time::from_ns(start), request, node, agent, attempt, id, kind, 100});
    });
    at(end, [=](Observer& o) {
      orchestration::CallEnded e{};
      e.at = sim::Time::from_ns(end);
      e.request = request;
      e.node = node;
      e.agent = agent;
      e.attempt = attempt;
      e.call = id;
      e.kind = kind;
      e.end = how;
      e.error = how == CallEnd::kError ? ErrorKind::kTransient : ErrorKind::kNone;
      e.started = sim::Time::from_ns(start);
      e.duration = sim::Duration::nanoseconds(end - start);
      e.input_tokens = 100;
      e.output_tokens = 20;
      e.cost_usd = 0.000125;
      e.quality = 0.8;
      e.confidence = 0.75;
      o.on_call_ended(e);
    });
  }

  // Requests with retries and hedges on agents 0 and 1, then a step on agent 2.
  void build(int requests) {
    sim::RandomSource rng(7);
    for (int r = 0; r < requests; ++r) {
      sim::RandomStream s = rng.stream("trace_writer_test", r);
      const auto id = static_cast<orchestration::RequestId>(r);
      const std::int64_t t0 = r * 2'000'000LL + static_cast<std::int64_t>(s.below(1000));
      const auto a = static_cast<orchestration::AgentIndex>(r % 2);
      at(t0, [=](Observer& o) { o.on_request_arrived({sim::Time::from_ns(t0), id, 0, 100, {}}); });
      const double u = s.uniform01();
      std::int64_t step_end = 0;
      if (u < 0.3) {  // error, then a retry
        const std::int64_t e1 = t0 + 1'000'000 + static_cast<std::int64_t>(s.below(9'000'000));
        call(id, 0, a, 0, AttemptKind::kFirst, t0, e1, CallEnd::kError);
        const std::int64_t s2 = e1 + 1'000'000;
        step_end = s2 + 1'000'000 + static_cast<std::int64_t>(s.below(9'000'000));
        call(id, 0, a, 1, AttemptKind::kRetry, s2, step_end, CallEnd::kSuccess);
      } else if (u < 0.5) {  // slow first attempt, a hedge wins
        const std::int64_t h = t0 + 5'000'000;
        step_end = h + 1'000'000 + static_cast<std::int64_t>(s.below(3'000'000));
        call(id, 0, a, 0, AttemptKind::kFirst, t0, step_end, CallEnd::kCancelled);
        call(id, 0, 1 - a, 1, AttemptKind::kHedge, h, step_end, CallEnd::kSuccess);
      } else {
        step_end = t0 + 1'000'000 + static_cast<std::int64_t>(s.below(9'000'000));
        call(id, 0, a, 0, AttemptKind::kFirst, t0, step_end, CallEnd::kSuccess);
      }
      const std::int64_t done = step_end + 500'000 + static_cast<std::int64_t>(s.below(5'000'000));
      call(id, 1, 2, 0, AttemptKind::kFirst, step_end, done, CallEnd::kSuccess);
      at(done, [=](Observer& o) {
        orchestration::RequestFinished f{};
        f.at = sim::Time::from_ns(done);
        f.request = id;
        f.success = true;
        f.outcome = "answered";
        f.latency = sim::Duration::nanoseconds(done - t0);
        o.on_request_finished(f);
      });
    }
  }

  void run(Observer& o) {
    std::stable_sort(actions_.begin(), actions_.end(), [](const Action& x, const Action& y) {
      return std::tie(x.t, x.seq) < std::tie(y.t, y.seq);
    });
    for (const Action& a : actions_) a.f(o);
  }

  int calls = 0;
  int linked_attempts = 0;
  // (request, attempt, start ns, end ns) of every call, as its slice should read.
  std::vector<std::tuple<std::uint64_t, std::uint32_t, std::int64_t, std::int64_t>> slices;

 private:
  struct Action {
    std::int64_t t;
    std::size_t seq;
    std::function<void(Observer&)> f;
  };
  std::vector<Action> actions_;
  mock_agents::CallId next_call_ = 1;
};

std::int64_t ns(const nlohmann::json& us) { return std::llround(us.get<double>() * 1000.0); }

nlohmann::json written(const TraceWriter& t) {
  std::ostringstream out;
  t.write(out);
  return nlohmann::json::parse(out.str());
}

// Structural checks every trace must pass.
void check_trace(const nlohmann::json& doc, bool expect_bound_flows) {
  ASSERT_TRUE(doc.contains("traceEvents"));
  ASSERT_TRUE(doc["traceEvents"].is_array());
  EXPECT_EQ(doc["displayTimeUnit"], "ms");
  ASSERT_TRUE(doc["metadata"].is_object());
  std::map<std::pair<int, int>, std::int64_t> last_ts;
  std::map<std::pair<int, int>, std::string> last_ph;
  std::map<std::pair<int, int>, std::vector<std::pair<std::int64_t, std::int64_t>>> slices;
  std::map<std::uint64_t, int> flow_starts, flow_ends;
  std::vector<nlohmann::json> flows;
  for (const auto& e : doc["traceEvents"]) {
    ASSERT_TRUE(e.contains("name") && e.contains("ph") && e.contains("pid") && e.contains("tid"))
        << e.dump();
    const std::string ph = e["ph"];
    const std::pair<int, int> track{e["pid"].get<int>(), e["tid"].get<int>()};
    if (ph == "M") {
      ASSERT_TRUE(e["args"].is_object()) << e.dump();
      continue;
    }
    ASSERT_TRUE(e.contains("ts")) << e.dump();
    const std::int64_t ts = ns(e["ts"]);
    if (last_ts.count(track)) {
      EXPECT_GE(ts, last_ts[track]) << e.dump();
      // A slice comes before the flow ends that sit at its start.
      if (ph == "X" && ts == last_ts[track]) {
        EXPECT_EQ(last_ph[track], "X") << e.dump();
      }
    }
    last_ts[track] = ts;
    last_ph[track] = ph;
    if (ph == "X") {
      ASSERT_TRUE(e.contains("dur") && e.contains("cat")) << e.dump();
      for (const char* key : {"request", "attempt", "kind", "end", "error", "input_tokens",
                              "output_tokens", "cost_usd", "quality", "confidence"}) {
        ASSERT_TRUE(e["args"].contains(key)) << key << " in " << e.dump();
      }
      slices[track].push_back({ts, ts + ns(e["dur"])});
    } else if (ph == "s" || ph == "f") {
      ASSERT_TRUE(e.contains("id") && e.contains("cat")) << e.dump();
      if (ph == "f") {
        EXPECT_EQ(e["bp"], "e");
      }
      ++(ph == "s" ? flow_starts : flow_ends)[e["id"].get<std::uint64_t>()];
      flows.push_back(e);
    } else if (ph == "C") {
      ASSERT_TRUE(e["args"].is_object());
      EXPECT_EQ(e["pid"], 0);
    } else {
      ADD_FAILURE() << "unexpected phase " << e.dump();
    }
  }
  // Slices on one track never overlap.
  for (auto& [track, v] : slices) {
    std::sort(v.begin(), v.end());
    for (std::size_t i = 1; i < v.size(); ++i) {
      EXPECT_GE(v[i].first, v[i - 1].second)
          << "pid " << track.first << " tid " << track.second << " slice " << i;
    }
  }
  // Every flow id has one start and one end.
  EXPECT_EQ(flow_starts.size(), flow_ends.size());
  for (const auto& [id, n] : flow_starts) {
    EXPECT_EQ(n, 1) << id;
    EXPECT_EQ(flow_ends[id], 1) << id;
  }
  // ... each sitting at the start of a slice on its track.
  if (expect_bound_flows) {
    for (const auto& f : flows) {
      const auto& v = slices[{f["pid"].get<int>(), f["tid"].get<int>()}];
      const std::int64_t ts = ns(f["ts"]);
      EXPECT_TRUE(std::any_of(v.begin(), v.end(), [&](const auto& s) { return s.first == ts; }))
          << f.dump();
    }
  }
}

TEST(TraceWriterTest, WellFormedTraceOfRetriesAndHedges) {
  const auto workflow = test_workflow();
  TraceWriter trace(workflow, {"fast", "slow", "generator"});
  SyntheticRun run;
  run.build(300);
  run.run(trace);
  const auto doc = written(trace);
  check_trace(doc, true);
  int x = 0, s = 0, c = 0;
  std::set<std::string> names;
  for (const auto& e : doc["traceEvents"]) {
    if (e["ph"] == "X") ++x;
    if (e["ph"] == "s") ++s;
    if (e["ph"] == "C") ++c;
    if (e["ph"] == "M" && e["name"] == "process_name") names.insert(e["args"]["name"]);
  }
  EXPECT_EQ(x, run.calls);
  EXPECT_EQ(s, run.linked_attempts);
  EXPECT_GT(run.linked_attempts, 50);
  EXPECT_EQ(c, 600);  // an arrival and a finish per request
  EXPECT_EQ(names, (std::set<std::string>{"requests", "fast", "slow", "generator"}));
  EXPECT_EQ(doc["metadata"]["truncated"], false);
  EXPECT_EQ(doc["metadata"]["dropped_events"], 0);
  EXPECT_FALSE(trace.truncated());
}

TEST(TraceWriterTest, SameEventsSameBytes) {
  const auto workflow = test_workflow();
  std::string first;
  for (int i = 0; i < 2; ++i) {
    TraceWriter trace(workflow, {"fast", "slow", "generator"});
    SyntheticRun run;
    run.build(50);
    run.run(trace);
    std::ostringstream out;
    trace.write(out);
    if (i == 0) {
      first = out.str();
    } else {
      EXPECT_EQ(out.str(), first);
    }
  }
}

TEST(TraceWriterTest, CallTakesLowestFreeLane) {
  const auto workflow = test_workflow();
  TraceWriter trace(workflow, {"a"});
  SyntheticRun run;
  run.call(1, 0, 0, 0, AttemptKind::kFirst, 0, 10'000, CallEnd::kSuccess);       // lane 1
  run.call(2, 0, 0, 0, AttemptKind::kFirst, 5'000, 15'000, CallEnd::kSuccess);   // lane 2
  run.call(3, 0, 0, 0, AttemptKind::kFirst, 12'000, 20'000, CallEnd::kSuccess);  // lane 1 again
  run.call(4, 0, 0, 0, AttemptKind::kFirst, 13'000, 14'000, CallEnd::kSuccess);  // lane 3
  run.run(trace);
  const auto doc = written(trace);
  check_trace(doc, true);
  std::map<int, int> lane_of_request;
  std::set<std::string> lane_names;
  for (const auto& e : doc["traceEvents"]) {
    if (e["ph"] == "X") lane_of_request[e["args"]["request"].get<int>()] = e["tid"].get<int>();
    if (e["ph"] == "M" && e["name"] == "thread_name") lane_names.insert(e["args"]["name"]);
  }
  EXPECT_EQ(lane_of_request, (std::map<int, int>{{1, 1}, {2, 2}, {3, 1}, {4, 3}}));
  EXPECT_EQ(lane_names, (std::set<std::string>{"lane 1", "lane 2", "lane 3"}));
}

TEST(TraceWriterTest, SliceFieldsAndExactMicroseconds) {
  const auto workflow = test_workflow();
  TraceWriter trace(workflow, {"a", "b"});
  SyntheticRun run;
  run.call(9, 1, 1, 0, AttemptKind::kFirst, 1'234'567, 2'000'001, CallEnd::kSuccess);
  run.run(trace);
  std::ostringstream out;
  trace.write(out);
  const std::string text = out.str();
  EXPECT_NE(text.find(R"("ts":1234.567,"dur":765.434,"pid":2,"tid":1)"), std::string::npos) << text;
  const auto doc = nlohmann::json::parse(text);
  const auto it = std::find_if(doc["traceEvents"].begin(), doc["traceEvents"].end(),
                               [](const auto& e) { return e["ph"] == "X"; });
  ASSERT_NE(it, doc["traceEvents"].end());
  EXPECT_EQ((*it)["name"], "generate");
  EXPECT_EQ((*it)["cat"], "first");
  EXPECT_EQ((*it)["args"]["end"], "success");
  EXPECT_EQ((*it)["args"]["request"], 9);
  EXPECT_DOUBLE_EQ((*it)["args"]["cost_usd"].get<double>(), 0.000125);
}

// Node names are quoted once per write; a node the workflow does not have
// is still named, by its number.
TEST(TraceWriterTest, NodeOutsideTheWorkflowIsNamedByNumber) {
  const auto workflow = test_workflow();
  TraceWriter trace(workflow, {"a"});
  SyntheticRun run;
  run.call(1, 1, 0, 0, AttemptKind::kFirst, 0, 1'000, CallEnd::kSuccess);
  run.call(2, 7, 0, 0, AttemptKind::kFirst, 2'000, 3'000, CallEnd::kSuccess);
  run.run(trace);
  std::vector<std::string> names;
  const auto doc = written(trace);
  for (const auto& e : doc["traceEvents"]) {
    if (e["ph"] == "X") names.push_back(e["name"]);
  }
  EXPECT_EQ(names, (std::vector<std::string>{"generate", "node7"}));
}

// An event longer than an output piece (1 MB) is written whole: here a
// slice named after a node of 1.5 MB, between two ordinary ones.
TEST(TraceWriterTest, AnEventLongerThanAnOutputPieceIsWrittenWhole) {
  auto workflow = test_workflow();
  const std::string long_name(1'500'000, 'n');
  workflow.nodes[1].name = long_name;
  TraceWriter trace(workflow, {"a"});
  SyntheticRun run;
  run.call(1, 0, 0, 0, AttemptKind::kFirst, 0, 1'000, CallEnd::kSuccess);
  run.call(2, 1, 0, 0, AttemptKind::kFirst, 2'000, 3'000, CallEnd::kSuccess);
  run.call(3, 0, 0, 0, AttemptKind::kFirst, 4'000, 5'000, CallEnd::kSuccess);
  run.run(trace);
  std::vector<std::string> names;
  const auto doc = written(trace);
  for (const auto& e : doc["traceEvents"]) {
    if (e["ph"] == "X") names.push_back(e["name"]);
  }
  EXPECT_EQ(names,
            (std::vector<std::string>{workflow.nodes[0].name, long_name, workflow.nodes[0].name}));
}

TEST(TraceWriterTest, UnfinishedCallsAreWrittenUpToTheLastEvent) {
  const auto workflow = test_workflow();
  TraceWriter trace(workflow, {"a"});
  trace.on_call_started({sim::Time::from_ns(1'000), 1, 0, 0, 0, 1, AttemptKind::kFirst, 10});
  trace.on_request_arrived({sim::Time::from_ns(9'000), 2, 0, 10, {}});
  const auto doc = written(trace);
  check_trace(doc, true);
  int unfinished = 0;
  for (const auto& e : doc["traceEvents"]) {
    if (e["ph"] != "X") continue;
    EXPECT_EQ(e["args"]["end"], "unfinished");
    EXPECT_EQ(ns(e["dur"]), 8'000);
    ++unfinished;
  }
  EXPECT_EQ(unfinished, 1);
}

TEST(TraceWriterTest, TruncatesPastMaxEvents) {
  const auto workflow = test_workflow();
  TraceWriter trace(workflow, {"fast", "slow", "generator"}, 25);
  SyntheticRun run;
  run.build(100);
  run.run(trace);
  EXPECT_TRUE(trace.truncated());
  EXPECT_EQ(trace.event_count(), 25u);
  const auto doc = written(trace);
  check_trace(doc, false);
  std::size_t kept = 0;
  for (const auto& e : doc["traceEvents"]) kept += e["ph"] != "M" ? 1 : 0;
  EXPECT_LE(kept, 25u);
  EXPECT_EQ(doc["metadata"]["truncated"], true);
  EXPECT_GT(doc["metadata"]["dropped_events"].get<std::uint64_t>(), 0u);
  EXPECT_EQ(doc["metadata"]["max_events"], 25);
}

// Events are kept in chunks of 4096: a run of several chunks of slices and
// of counter samples comes out whole and in order.
// Records are kept in 2 MiB chunks of 96-byte records and written in 1 MB
// pieces: this trace spans three chunks and ~25 pieces.
TEST(TraceWriterTest, EventsOverManyChunksAllComeOutInOrder) {
  constexpr int kRequests = 16'000;
  constexpr std::size_t kRecordsPerChunk = orchsim::eval::kHugeBlockBytes / 96;
  const auto workflow = test_workflow();
  TraceWriter trace(workflow, {"fast", "slow", "generator"}, 1'000'000);
  SyntheticRun run;
  run.build(kRequests);
  run.run(trace);
  ASSERT_GT(trace.event_count(), 2u * kRequests + 2u * kRecordsPerChunk);
  const auto doc = written(trace);
  check_trace(doc, true);
  auto expected = run.slices;
  decltype(expected) seen;
  std::vector<std::uint64_t> in_flight;
  for (const auto& e : doc["traceEvents"]) {
    if (e["ph"] == "X") {
      const std::int64_t ts = ns(e["ts"]);
      seen.emplace_back(e["args"]["request"].get<std::uint64_t>(),
                        e["args"]["attempt"].get<std::uint32_t>(), ts, ts + ns(e["dur"]));
    } else if (e["ph"] == "C") {
      in_flight.push_back(e["args"]["in_flight"].get<std::uint64_t>());
    }
  }
  std::sort(expected.begin(), expected.end());
  std::sort(seen.begin(), seen.end());
  EXPECT_EQ(seen, expected);
  // 2 samples a request, in time order: each one request more or less than the last.
  ASSERT_EQ(in_flight.size(), 2u * kRequests);
  EXPECT_EQ(in_flight.front(), 1u);
  EXPECT_EQ(in_flight.back(), 0u);
  for (std::size_t i = 1; i < in_flight.size(); ++i) {
    EXPECT_EQ(std::max(in_flight[i], in_flight[i - 1]) - std::min(in_flight[i], in_flight[i - 1]),
              1u)
        << "sample " << i;
  }
}

// Counter samples are written by time, ties in the order they came, even
// when one comes late.
TEST(TraceWriterTest, CounterSamplesByTimeThenArrival) {
  const auto workflow = test_workflow();
  TraceWriter trace(workflow, {"a"});
  trace.on_request_arrived({sim::Time::from_ns(5'000), 1, 0, 10, {}});
  trace.on_request_arrived({sim::Time::from_ns(5'000), 2, 0, 10, {}});
  orchestration::RequestFinished f{};
  f.at = sim::Time::from_ns(5'000);
  f.request = 1;
  trace.on_request_finished(f);
  trace.on_request_arrived({sim::Time::from_ns(1'000), 3, 0, 10, {}});  // late
  const auto doc = written(trace);
  std::vector<std::pair<std::int64_t, std::uint64_t>> samples;
  for (const auto& e : doc["traceEvents"]) {
    if (e["ph"] == "C") samples.emplace_back(ns(e["ts"]), e["args"]["in_flight"]);
  }
  EXPECT_EQ(samples, (std::vector<std::pair<std::int64_t, std::uint64_t>>{
                         {1'000, 2}, {5'000, 1}, {5'000, 2}, {5'000, 1}}));
}

// A mock agent's call id is generation << 32 | pool index, and the writer
// keeps calls in flight by that index. Ids that share an index (one started
// while the other runs, or after it ended) and ids far from the rest keep
// their own lanes, and one still running is written unfinished.
TEST(TraceWriterTest, CallIdsSharingAnIndexKeepTheirLanes) {
  const auto workflow = test_workflow();
  TraceWriter trace(workflow, {"a"});
  SyntheticRun run;
  const auto id = [](std::uint64_t generation, std::uint64_t index) {
    return generation << 32 | index;
  };
  run.call(1, 0, 0, 0, AttemptKind::kFirst, 0, 10'000, CallEnd::kSuccess, id(0, 5));
  run.call(2, 0, 0, 0, AttemptKind::kFirst, 1'000, 20'000, CallEnd::kSuccess, id(1, 5));
  run.call(3, 0, 0, 0, AttemptKind::kFirst, 2'000, 3'000, CallEnd::kSuccess, id(0, 0xfffffff0));
  run.call(4, 0, 0, 0, AttemptKind::kFirst, 30'000, 40'000, CallEnd::kSuccess, id(2, 5));
  run.at(50'000, [&](Observer& o) {
    o.on_call_started({sim::Time::from_ns(50'000), 5, 0, 0, 0, id(3, 5), AttemptKind::kFirst, 10});
  });
  run.at(50'000, [&](Observer& o) {
    o.on_call_started({sim::Time::from_ns(50'000), 6, 0, 0, 0, id(4, 5), AttemptKind::kFirst, 10});
  });
  run.at(60'000, [](Observer& o) {
    o.on_request_arrived({sim::Time::from_ns(60'000), 7, 0, 10, {}});
  });
  run.run(trace);
  const auto doc = written(trace);
  check_trace(doc, true);
  std::map<int, std::tuple<int, std::int64_t, std::int64_t, std::string>> slice_of_request;
  for (const auto& e : doc["traceEvents"]) {
    if (e["ph"] != "X") continue;
    slice_of_request[e["args"]["request"].get<int>()] = {e["tid"].get<int>(), ns(e["ts"]),
                                                         ns(e["dur"]), e["args"]["end"]};
  }
  using Slice = std::tuple<int, std::int64_t, std::int64_t, std::string>;
  EXPECT_EQ(slice_of_request, (std::map<int, Slice>{{1, {1, 0, 10'000, "success"}},
                                                    {2, {2, 1'000, 19'000, "success"}},
                                                    {3, {3, 2'000, 1'000, "success"}},
                                                    {4, {1, 30'000, 10'000, "success"}},
                                                    {5, {1, 50'000, 10'000, "unfinished"}},
                                                    {6, {2, 50'000, 10'000, "unfinished"}}}));
}

// A finished request's steps are forgotten and their storage reused: a
// later request's retry has no earlier attempt to link to, though its own
// next retry links to it.
TEST(TraceWriterTest, FinishedRequestLeavesNothingToLinkTo) {
  const auto workflow = test_workflow();
  TraceWriter trace(workflow, {"a"});
  SyntheticRun run;
  run.call(1, 0, 0, 0, AttemptKind::kFirst, 0, 10'000, CallEnd::kSuccess);
  run.at(11'000, [](Observer& o) {
    orchestration::RequestFinished f{};
    f.at = sim::Time::from_ns(11'000);
    f.request = 1;
    o.on_request_finished(f);
  });
  run.call(2, 0, 0, 1, AttemptKind::kRetry, 20'000, 30'000, CallEnd::kError);
  run.call(2, 0, 0, 2, AttemptKind::kRetry, 40'000, 50'000, CallEnd::kSuccess);
  run.run(trace);
  const auto doc = written(trace);
  check_trace(doc, true);
  std::vector<std::int64_t> flow_ts;
  for (const auto& e : doc["traceEvents"]) {
    if (e["ph"] == "s" || e["ph"] == "f") flow_ts.push_back(ns(e["ts"]));
  }
  EXPECT_EQ(flow_ts, (std::vector<std::int64_t>{20'000, 40'000}));
}

// cost_usd with 8 decimals, quality and confidence with 4, rounded as printf
// rounds the exact binary value (to nearest, ties to even): ties, values of
// every size, signs, and non-finite values (null).
TEST(TraceWriterTest, FixedDecimalsAreThoseOfPrintf) {
  std::vector<double> values = {0.0,
                                -0.0,
                                1.0,
                                0.5,
                                0.00005,
                                -0.00004,
                                5e-324,
                                -1e-300,
                                1e15,
                                123456789.123456789,
                                1e300,
                                -1.7976931348623157e308,
                                std::numeric_limits<double>::quiet_NaN(),
                                std::numeric_limits<double>::infinity(),
                                -std::numeric_limits<double>::infinity()};
  for (int k = 0; k < 2048; ++k) {  // ties at 4 decimals (k/32) and at 8 (k/512)
    values.push_back(k / 32.0);
    values.push_back(-k / 512.0);
    values.push_back(k / 512.0 / 1024.0);
  }
  sim::RandomSource rng(3);
  sim::RandomStream s = rng.stream("fixed_decimals", 0);
  for (int i = 0; i < 4000; ++i) {
    values.push_back(s.uniform01());
    values.push_back(s.uniform01() * 1e-4);
    values.push_back(std::ldexp(s.uniform01(), static_cast<int>(s.below(120)) - 70));
  }
  const auto workflow = test_workflow();
  TraceWriter trace(workflow, {"a"});
  for (std::size_t i = 0; i < values.size(); ++i) {
    orchestration::CallEnded e{};
    const auto t = static_cast<std::int64_t>(i) * 1'000;
    e.at = sim::Time::from_ns(t + 500);
    e.started = sim::Time::from_ns(t);
    e.request = i;
    e.call = i;
    e.cost_usd = values[i];
    e.quality = values[values.size() - 1 - i];
    e.confidence = -values[i];
    trace.on_call_ended(e);
  }
  std::ostringstream out;
  trace.write(out);
  const auto fixed = [](double v, int decimals) {
    return std::isfinite(v) ? fmt::format("{:.{}f}", v, decimals) : std::string("null");
  };
  const auto between = [](const std::string& line, const std::string& key, const char* end) {
    const std::size_t from = line.find("\"" + key + "\":") + key.size() + 3;
    return line.substr(from, line.find(end, from) - from);
  };
  std::istringstream lines(out.str());
  std::size_t checked = 0;
  for (std::string line; std::getline(lines, line);) {
    if (line.find("\"ph\":\"X\"") == std::string::npos) continue;
    const std::size_t i = std::stoull(between(line, "request", ","));
    ASSERT_LT(i, values.size());
    EXPECT_EQ(between(line, "cost_usd", ","), fixed(values[i], 8)) << values[i];
    EXPECT_EQ(between(line, "quality", ","), fixed(values[values.size() - 1 - i], 4));
    EXPECT_EQ(between(line, "confidence", ","), fixed(-values[i], 4)) << -values[i];
    ++checked;
  }
  EXPECT_EQ(checked, values.size());
}

// The three observers on a real orchestrator run (p2c routing, retries,
// hedges, queueing) agree with each other and produce well-formed output.
TEST(TraceWriterTest, ObserversAgreeOnARealOrchestratorRun) {
  using namespace orchestration;
  Workflow wf;
  wf.name = "real";
  Node retrieve;
  retrieve.name = "retrieve";
  retrieve.kind = NodeKind::kCall;
  retrieve.call.agents = {0, 1};
  retrieve.call.routing = orchestration::RoutingConfig::named("p2c");
  retrieve.call.retry.max_attempts = 3;
  retrieve.call.hedge = {.max_extra_attempts = 1, .delay = 60_ms, .agents = {1}};
  retrieve.call.output = QualityChannel::kEvidence;
  retrieve.next = 1;
  Node generate;
  generate.name = "generate";
  generate.kind = NodeKind::kCall;
  generate.call.agents = {2};
  generate.next = 2;
  Node done;
  done.name = "answered";
  done.kind = NodeKind::kTerminal;
  wf.nodes = {retrieve, generate, done};
  ASSERT_TRUE(wf.validate(3).empty());

  sim::Simulation sim;
  sim::RandomSource rng(11);
  std::vector<std::unique_ptr<mock_agents::MockAgent>> agents;
  std::vector<mock_agents::Agent*> pointers;
  const std::vector<std::string> names = {"search_a", "search_b", "generator"};
  for (std::size_t i = 0; i < names.size(); ++i) {
    mock_agents::MockAgentConfig c;
    c.name = names[i];
    c.servers = i == 2 ? 2 : 4;
    c.latency.base_ms = sim::Distribution::lognormal_from_median_p99(i == 2 ? 15.0 : 30.0, 200.0);
    c.outcomes.transient_error = i == 0 ? 0.2 : 0.05;
    agents.push_back(std::make_unique<mock_agents::MockAgent>(sim, rng, c));
    pointers.push_back(agents.back().get());
  }
  Orchestrator orch(sim, rng, wf, pointers, OrchestratorConfig{});
  MetricsCollector metrics(wf, names);
  TraceWriter trace(wf, names);
  std::ostringstream decisions;
  DecisionLog log(decisions, wf, names);
  ObserverList observers;
  observers.add(&metrics);
  observers.add(&trace);
  observers.add(&log);
  orch.set_observer(&observers);
  constexpr int kRequests = 300;
  for (int i = 0; i < kRequests; ++i) {
    const RequestInput in{.id = static_cast<RequestId>(i), .input_tokens = 100};
    sim.schedule_at(sim::Time::zero() + 8_ms * i, [&orch, in] { orch.submit(in); });
  }
  sim.run();
  std::vector<AgentUsage> usage;
  for (auto& a : agents) {
    usage.push_back({std::string(a->name()), a->servers(), a->stats().busy_server_time,
                     a->stats().max_queue_length});
  }
  metrics.finalize(sim.now(), usage);

  const auto m = metrics.to_json();
  EXPECT_EQ(m["requests"]["arrived"], kRequests);
  EXPECT_EQ(m["requests"]["finished"], kRequests);
  EXPECT_EQ(m["requests"]["in_flight"], 0);
  EXPECT_EQ(metrics.edge_count(kNoNode, 0), static_cast<std::uint64_t>(kRequests));
  std::uint64_t started = 0, ended = 0;
  for (const auto& a : metrics.agents()) {
    started += a.calls_started;
    for (auto n : a.calls_ended) ended += n;
    EXPECT_GT(a.utilisation, 0.0) << a.name;
    EXPECT_LT(a.utilisation, 1.0) << a.name;
  }
  EXPECT_EQ(started, ended);
  EXPECT_GT(metrics.requests().retries + metrics.requests().hedges, 10u);

  const auto doc = written(trace);
  check_trace(doc, true);
  std::uint64_t slices = 0, flow_starts = 0;
  for (const auto& e : doc["traceEvents"]) {
    slices += e["ph"] == "X" ? 1 : 0;
    flow_starts += e["ph"] == "s" ? 1 : 0;
  }
  EXPECT_EQ(slices, ended);
  EXPECT_EQ(flow_starts, metrics.requests().retries + metrics.requests().hedges);

  log.finish();
  std::uint64_t routed = 0;
  std::istringstream lines(decisions.str());
  std::string header;
  std::getline(lines, header);
  ASSERT_EQ(nlohmann::json::parse(header)["orchsim"], "decisions");
  for (std::string line; std::getline(lines, line);) {
    const auto j = nlohmann::json::parse(line);
    ASSERT_TRUE(j.contains("r") && j.contains("d") && j.contains("f")) << line;
    routed += j["d"].size();
  }
  std::uint64_t decided = 0;
  for (AgentIndex a = 0; a < 3; ++a)
    decided += metrics.decision_count(0, a) + metrics.decision_count(1, a);
  EXPECT_EQ(routed, decided);
}

}  // namespace
}  // namespace orchsim::eval::trace_writer_test
