// TimeSeriesCollector: counts land in the bucket holding their time, the
// width doubles by merging neighbours, levels are exact time averages (the
// last bucket over its covered part only), and a real run's series add up to
// its metrics.
#include "eval/timeseries.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <string>
#include <vector>

#include "eval/runner.hpp"
#include "scenarios/scenario.hpp"
#include "tests/eval/eval_test_support.hpp"

namespace orchsim::eval::timeseries_test {
namespace {

using namespace sim::literals;
using orchestration::AgentIndex;
using orchestration::BreakerState;
using orchestration::CallEnd;
using orchestration::ErrorKind;
using orchestration::RequestId;
using Json = nlohmann::ordered_json;

using test_support::at;

orchestration::RequestArrived arrived(sim::Duration t, RequestId id) {
  return {at(t), id, 0, 100, sim::Time::max()};
}

orchestration::RequestFinished finished(sim::Duration t, RequestId id, bool success,
                                        sim::Duration latency, double cost_usd = 0.0) {
  orchestration::RequestFinished e{};
  e.at = at(t);
  e.request = id;
  e.success = success;
  e.outcome = success ? "answered" : "deadline_exceeded";
  e.latency = latency;
  e.cost_usd = cost_usd;
  return e;
}

orchestration::CallStarted call_started(sim::Duration t, AgentIndex agent) {
  orchestration::CallStarted e{};
  e.at = at(t);
  e.agent = agent;
  return e;
}

orchestration::CallStarted call_started_at(sim::Duration t, orchestration::NodeId node,
                                           AgentIndex agent) {
  orchestration::CallStarted e = call_started(t, agent);
  e.node = node;
  return e;
}

orchestration::CallEnded call_ended(sim::Duration end, AgentIndex agent, CallEnd how,
                                    sim::Duration started, sim::Duration queue_wait) {
  orchestration::CallEnded e{};
  e.at = at(end);
  e.agent = agent;
  e.end = how;
  e.error = how == CallEnd::kError ? ErrorKind::kTransient : ErrorKind::kNone;
  e.started = at(started);
  e.duration = end - started;
  e.queue_wait = queue_wait;
  return e;
}

orchestration::BreakerChanged breaker(sim::Duration t, AgentIndex agent, BreakerState from,
                                      BreakerState to) {
  return {at(t), agent, from, to};
}

std::uint64_t sum(const std::vector<std::uint64_t>& v) {
  return std::accumulate(v.begin(), v.end(), std::uint64_t{0});
}

std::uint64_t sum(const Json& array) {
  std::uint64_t s = 0;
  for (const Json& x : array) s += x.get<std::uint64_t>();
  return s;
}

TEST(TimeSeries, CountsLandInTheBucketHoldingTheirTime) {
  TimeSeriesCollector ts({"a"});
  ts.on_request_arrived(arrived(0_ms, 1));
  ts.on_request_arrived(arrived(999'999_ns, 2));  // last instant of bucket 0
  ts.on_request_arrived(arrived(1_ms, 3));        // first instant of bucket 1
  ts.on_request_arrived(arrived(3500_us, 4));
  ts.on_request_finished(finished(2200_us, 1, true, 2200_us, 0.25));
  ts.on_request_finished(finished(2900_us, 2, false, 1900_us, 0.5));
  ts.on_call_started(call_started(1500_us, 0));
  ts.on_call_ended(call_ended(2500_us, 0, CallEnd::kError, 1500_us, 0_ms));
  ts.finalize(at(3900_us));

  EXPECT_EQ(ts.bucket_width(), 1_ms);
  ASSERT_EQ(ts.bucket_count(), 4u);
  EXPECT_EQ(ts.arrived()[0], 2u);
  EXPECT_EQ(ts.arrived()[1], 1u);
  EXPECT_EQ(ts.arrived()[2], 0u);
  EXPECT_EQ(ts.arrived()[3], 1u);
  EXPECT_EQ(ts.completed()[2], 1u);
  EXPECT_EQ(ts.failed()[2], 1u);
  EXPECT_EQ(sum(ts.completed()), 1u);
  EXPECT_EQ(sum(ts.failed()), 1u);
  EXPECT_EQ(ts.agents()[0].calls[1], 1u);
  EXPECT_EQ(ts.agents()[0].failed_calls[2], 1u);

  const Json j = ts.to_json();
  EXPECT_EQ(j["latency_mean_ms"], Json::parse("[null, null, 2.05, null]"));
  EXPECT_EQ(j["cost_usd"], Json::parse("[0, 0, 0.75, 0]"));
}

TEST(TimeSeries, OnlyErrorsTimeoutsAndInvalidOutputsAreFailedCalls) {
  TimeSeriesCollector ts({"a"});
  ts.on_call_ended(call_ended(1_ms, 0, CallEnd::kSuccess, 0_ms, 0_ms));
  ts.on_call_ended(call_ended(1_ms, 0, CallEnd::kCancelled, 0_ms, 0_ms));
  ts.on_call_ended(call_ended(1_ms, 0, CallEnd::kError, 0_ms, 0_ms));
  ts.on_call_ended(call_ended(1_ms, 0, CallEnd::kTimeout, 0_ms, 0_ms));
  ts.on_call_ended(call_ended(1_ms, 0, CallEnd::kInvalid, 0_ms, 0_ms));
  EXPECT_EQ(ts.agents()[0].failed_calls[1], 3u);
  EXPECT_EQ(sum(ts.agents()[0].failed_calls), 3u);
}

TEST(TimeSeries, WidthDoublesAndNeighboursMergeOncePast512Buckets) {
  TimeSeriesCollector ts({"a"});
  ts.on_request_arrived(arrived(500_us, 1));
  ts.on_request_arrived(arrived(1500_us, 2));
  ts.on_request_arrived(arrived(511'999_us, 3));  // still in the last of 512 1-ms buckets
  EXPECT_EQ(ts.bucket_width(), 1_ms);
  EXPECT_EQ(ts.bucket_count(), 512u);
  EXPECT_EQ(ts.arrived()[0], 1u);
  EXPECT_EQ(ts.arrived()[1], 1u);
  EXPECT_EQ(ts.arrived()[511], 1u);

  ts.on_request_arrived(arrived(600_ms, 4));
  EXPECT_EQ(ts.bucket_width(), 2_ms);
  EXPECT_EQ(ts.bucket_count(), 301u);
  EXPECT_EQ(ts.arrived()[0], 2u);    // 0.5 ms and 1.5 ms merged
  EXPECT_EQ(ts.arrived()[255], 1u);  // 511.999 ms
  EXPECT_EQ(ts.arrived()[300], 1u);  // 600 ms
  EXPECT_EQ(sum(ts.arrived()), 4u);

  // 2100 ms needs 8 ms buckets (2100 / 4 = 525 is still past the end): two doublings at once.
  ts.on_request_arrived(arrived(2100_ms, 5));
  EXPECT_EQ(ts.bucket_width(), 8_ms);
  EXPECT_EQ(ts.bucket_count(), 263u);
  EXPECT_EQ(ts.arrived()[0], 2u);
  EXPECT_EQ(ts.arrived()[63], 1u);  // 511.999 ms
  EXPECT_EQ(ts.arrived()[75], 1u);  // 600 ms
  EXPECT_EQ(ts.arrived()[262], 1u);
  EXPECT_EQ(sum(ts.arrived()), 5u);
}

TEST(TimeSeries, LevelAreasMergeWithTheirBuckets) {
  TimeSeriesCollector ts({"a"});
  ts.on_request_arrived(arrived(250_us, 1));
  ts.on_request_finished(finished(750_us, 1, true, 500_us));
  ts.on_request_arrived(arrived(1250_us, 2));
  ts.on_request_finished(finished(1750_us, 2, true, 500_us));
  EXPECT_DOUBLE_EQ(ts.in_flight_mean(0), 0.5);
  // Before finalize the last bucket is covered up to the latest event: [1, 1.75).
  EXPECT_DOUBLE_EQ(ts.in_flight_mean(1), 0.5 / 0.75);
  ts.on_request_arrived(arrived(700_ms, 3));
  ts.finalize(at(701_ms));
  ASSERT_EQ(ts.bucket_width(), 2_ms);
  // 0.5 ms + 0.5 ms in flight out of the first 2 ms.
  EXPECT_DOUBLE_EQ(ts.in_flight_mean(0), 0.5);
  EXPECT_DOUBLE_EQ(ts.in_flight_mean(1), 0.0);
  // Request 3 is in flight for the covered 1 ms of the last bucket [700, 702).
  ASSERT_EQ(ts.bucket_count(), 351u);
  EXPECT_DOUBLE_EQ(ts.in_flight_mean(350), 1.0);
}

TEST(TimeSeries, InFlightMeanIsTheExactTimeAverage) {
  TimeSeriesCollector ts(std::vector<std::string>{});
  ts.on_request_arrived(arrived(250_us, 1));
  ts.on_request_finished(finished(750_us, 1, true, 500_us));
  ts.finalize(at(1_ms));
  EXPECT_EQ(ts.bucket_count(), 2u);  // the end instant opens bucket 1
  EXPECT_DOUBLE_EQ(ts.in_flight_mean(0), 0.5);
}

TEST(TimeSeries, OverlappingRequestsAndTheLastBucketOverItsCoveredPart) {
  TimeSeriesCollector ts(std::vector<std::string>{});
  ts.on_request_arrived(arrived(500_us, 1));
  ts.on_request_arrived(arrived(1500_us, 2));
  ts.on_request_finished(finished(2250_us, 1, true, 1750_us));
  // Request 2 is still in flight at the end: finalize closes its interval.
  ts.finalize(at(2500_us));
  ASSERT_EQ(ts.bucket_count(), 3u);
  EXPECT_DOUBLE_EQ(ts.in_flight_mean(0), 0.5);  // 1 over [0.5, 1)
  EXPECT_DOUBLE_EQ(ts.in_flight_mean(1), 1.5);  // 1 over [1, 1.5), 2 over [1.5, 2)
  // [2, 2.5) is the covered part: 2 over [2, 2.25), 1 over [2.25, 2.5) -> 0.75 / 0.5.
  EXPECT_DOUBLE_EQ(ts.in_flight_mean(2), 1.5);
  EXPECT_EQ(ts.to_json()["in_flight_mean"], Json::parse("[0.5, 1.5, 1.5]"));
}

TEST(TimeSeries, ACallsQueueWaitAndServiceSpreadOverTheBucketsTheySpan) {
  TimeSeriesCollector ts({"a", "b"});
  ts.on_call_started(call_started(500_us, 1));
  // Queued over [0.5, 2.5), in service over [2.5, 4.5).
  ts.on_call_ended(call_ended(4500_us, 1, CallEnd::kTimeout, 500_us, 2_ms));
  ts.finalize(at(4750_us));
  ASSERT_EQ(ts.bucket_count(), 5u);
  const Json j = ts.to_json();
  const Json& b = j["agents"][1];
  EXPECT_EQ(b["calls"], Json::parse("[1, 0, 0, 0, 0]"));
  EXPECT_EQ(b["failed_calls"], Json::parse("[0, 0, 0, 0, 1]"));
  EXPECT_EQ(b["queue_mean"], Json::parse("[0.5, 1, 0.5, 0, 0]"));
  // The last bucket covers [4, 4.75): 0.5 ms busy out of 0.75 ms.
  EXPECT_EQ(b["busy_mean"], Json::parse("[0, 0, 0.5, 1, 0.6667]"));
  EXPECT_EQ(j["agents"][0]["queue_mean"], Json::parse("[0, 0, 0, 0, 0]"));
  EXPECT_EQ(j["agents"][0]["busy_mean"], Json::parse("[0, 0, 0, 0, 0]"));
}

TEST(TimeSeries, ABusySpellOverHundredsOfBucketsFillsEveryBucketBetweenItsEnds) {
  TimeSeriesCollector ts({"a"});
  // In service over [0.25 ms, 300.75 ms): 301 buckets of 1 ms, the ends partial.
  ts.on_call_ended(call_ended(300750_us, 0, CallEnd::kSuccess, 250_us, 0_ms));
  ts.finalize(at(301_ms));  // the instant 301 ms opens bucket 301, empty
  ASSERT_EQ(ts.bucket_count(), 302u);
  const Json busy = ts.to_json()["agents"][0]["busy_mean"];
  ASSERT_EQ(busy.size(), 302u);
  EXPECT_EQ(busy[0], 0.75);
  for (std::size_t i = 1; i < 300; ++i) ASSERT_EQ(busy[i], 1.0) << "bucket " << i;
  EXPECT_EQ(busy[300], 0.75);
  EXPECT_EQ(busy[301], 0.0);
}

TEST(TimeSeries, AQueueWaitLongerThanTheCallIsAllQueue) {
  TimeSeriesCollector ts({"a"});
  ts.on_call_ended(call_ended(1500_us, 0, CallEnd::kCancelled, 500_us, 5_ms));
  ts.finalize(at(2_ms));
  const Json j = ts.to_json();
  EXPECT_EQ(j["agents"][0]["queue_mean"], Json::parse("[0.5, 0.5, 0]"));
  EXPECT_EQ(j["agents"][0]["busy_mean"], Json::parse("[0, 0, 0]"));
}

TEST(TimeSeries, BreakerSharesFollowItsStatesAndTheOpenOneClosesAtFinalize) {
  TimeSeriesCollector ts({"a", "b"});
  ts.on_breaker_changed(breaker(500_us, 1, BreakerState::kClosed, BreakerState::kOpen));
  ts.on_breaker_changed(breaker(2250_us, 1, BreakerState::kOpen, BreakerState::kHalfOpen));
  ts.on_breaker_changed(breaker(2500_us, 1, BreakerState::kHalfOpen, BreakerState::kClosed));
  ts.on_breaker_changed(breaker(3750_us, 1, BreakerState::kClosed, BreakerState::kOpen));
  ts.finalize(at(4500_us));  // still open: counted up to the end
  ASSERT_EQ(ts.bucket_count(), 5u);
  const Json j = ts.to_json();
  EXPECT_EQ(j["agents"][1]["breaker_open_share"], Json::parse("[0.5, 1, 0.25, 0.25, 1]"));
  EXPECT_EQ(j["agents"][1]["breaker_half_open_share"], Json::parse("[0, 0, 0.25, 0, 0]"));
  EXPECT_EQ(j["agents"][0]["breaker_open_share"], Json::parse("[0, 0, 0, 0, 0]"));
}

// "routing": the nodes whose calls went to two or more agents, by node index,
// each agent's calls started there per bucket; a one-agent node is left out,
// and widening the buckets keeps the counts.
TEST(TimeSeries, RoutingCountsCallsPerNodeAndAgentForNodesThatRouted) {
  TimeSeriesCollector ts({"cheap", "strong", "critic"}, {"answer", "check", "cascade"});
  ts.on_call_started(call_started_at(1_ms, 2, 1));
  ts.on_call_started(call_started_at(1_ms, 2, 0));
  ts.on_call_started(call_started_at(2500_us, 2, 0));
  ts.on_call_started(call_started_at(2_ms, 1, 2));  // one agent only: not routing
  ts.on_call_started(call_started_at(3_ms, 0, 0));
  ts.on_call_started(call_started_at(3_ms, 0, 1));
  ts.finalize(at(3500_us));
  ASSERT_EQ(ts.bucket_count(), 4u);
  const Json j = ts.to_json()["routing"];
  ASSERT_EQ(j.size(), 2u);
  EXPECT_EQ(j[0]["node"], "answer");
  EXPECT_EQ(j[0]["agents"][0]["name"], "cheap");
  EXPECT_EQ(j[0]["agents"][0]["calls"], Json::parse("[0, 0, 0, 1]"));
  EXPECT_EQ(j[0]["agents"][1]["calls"], Json::parse("[0, 0, 0, 1]"));
  EXPECT_EQ(j[1]["node"], "cascade");
  ASSERT_EQ(j[1]["agents"].size(), 2u);
  EXPECT_EQ(j[1]["agents"][0]["name"], "cheap");  // by agent index, not first call
  EXPECT_EQ(j[1]["agents"][0]["calls"], Json::parse("[0, 1, 1, 0]"));
  EXPECT_EQ(j[1]["agents"][1]["name"], "strong");
  EXPECT_EQ(j[1]["agents"][1]["calls"], Json::parse("[0, 1, 0, 0]"));

  // A call far later widens the buckets: the counts merge, none is lost.
  TimeSeriesCollector wide({"cheap", "strong"}, {"cascade"});
  wide.on_call_started(call_started_at(1_ms, 0, 0));
  wide.on_call_started(call_started_at(2_ms, 0, 1));
  wide.on_call_started(call_started_at(sim::Duration::seconds(2), 0, 1));
  wide.finalize(at(sim::Duration::seconds(2)));
  const Json w = wide.to_json();
  std::uint64_t total = 0;
  for (const auto& agent : w["routing"][0]["agents"]) {
    for (const auto& v : agent["calls"]) total += v.get<std::uint64_t>();
  }
  EXPECT_EQ(total, 3u);
  EXPECT_EQ(w["routing"][0]["agents"][0]["calls"][0], 1);
  // Nodes and agents past the names given are named by index.
  TimeSeriesCollector unnamed({"a"});
  unnamed.on_call_started(call_started_at(1_ms, 5, 0));
  unnamed.on_call_started(call_started_at(1_ms, 5, 3));
  unnamed.finalize(at(2_ms));
  const Json u = unnamed.to_json()["routing"];
  ASSERT_EQ(u.size(), 1u);
  EXPECT_EQ(u[0]["node"], "node5");
  EXPECT_EQ(u[0]["agents"][1]["name"], "agent3");
}

TEST(TimeSeries, JsonHasTheDocumentedKeysInOrderAndArraysOfLengthBuckets) {
  TimeSeriesCollector ts({"fast", "slow"});
  ts.on_request_arrived(arrived(1_ms, 1));
  ts.on_request_finished(finished(3_ms, 1, true, 2_ms, 0.123456789));
  ts.finalize(at(3500_us));
  const Json j = ts.to_json();
  std::vector<std::string> keys;
  for (const auto& [key, value] : j.items()) keys.push_back(key);
  EXPECT_EQ(keys, (std::vector<std::string>{"bucket_ms", "buckets", "arrived", "completed",
                                            "failed", "latency_mean_ms", "in_flight_mean",
                                            "cost_usd", "agents", "routing"}));
  EXPECT_EQ(j["bucket_ms"].get<double>(), 1.0);
  ASSERT_EQ(j["buckets"].get<std::size_t>(), 4u);
  for (const char* k :
       {"arrived", "completed", "failed", "latency_mean_ms", "in_flight_mean", "cost_usd"}) {
    EXPECT_EQ(j[k].size(), 4u) << k;
  }
  EXPECT_EQ(j["cost_usd"][3].get<double>(), 0.12345679);  // 8 decimals
  ASSERT_EQ(j["agents"].size(), 2u);
  for (const Json& a : j["agents"]) {
    std::vector<std::string> agent_keys;
    for (const auto& [key, value] : a.items()) agent_keys.push_back(key);
    EXPECT_EQ(agent_keys,
              (std::vector<std::string>{"name", "calls", "failed_calls", "queue_mean", "busy_mean",
                                        "breaker_open_share", "breaker_half_open_share"}));
    for (const char* k : {"calls", "failed_calls", "queue_mean", "busy_mean", "breaker_open_share",
                          "breaker_half_open_share"}) {
      EXPECT_EQ(a[k].size(), 4u) << k;
    }
  }
  EXPECT_EQ(j["agents"][0]["name"], "fast");
  EXPECT_EQ(j["agents"][1]["name"], "slow");
}

TEST(TimeSeries, CountsAreConservedAcrossManyDoublings) {
  // 1000 requests over 5 s, in time order: request i arrives at 5 ms * i and,
  // unless i % 11 == 0, finishes 37 ms * (i % 5) later; every seventh fails.
  struct Event {
    sim::Duration t;
    bool finish;
    RequestId id;
  };
  std::vector<Event> events;
  for (RequestId id = 0; id < 1000; ++id) {
    const auto t = sim::Duration::milliseconds(5 * static_cast<std::int64_t>(id));
    events.push_back({t, false, id});
    const auto done = t + sim::Duration::milliseconds(37 * static_cast<std::int64_t>(id % 5));
    if (id % 11 != 0 && done < 5_s) events.push_back({done, true, id});
  }
  std::stable_sort(events.begin(), events.end(),
                   [](const Event& a, const Event& b) { return a.t < b.t; });
  TimeSeriesCollector ts({"a"});
  std::uint64_t finished_n = 0, failed_n = 0;
  for (const Event& e : events) {
    if (!e.finish) {
      ts.on_request_arrived(arrived(e.t, e.id));
      continue;
    }
    const bool success = e.id % 7 != 0;
    ts.on_request_finished(
        finished(e.t, e.id, success,
                 e.t - sim::Duration::milliseconds(5 * static_cast<std::int64_t>(e.id))));
    ++finished_n;
    failed_n += success ? 0 : 1;
  }
  ts.finalize(at(5_s));
  EXPECT_EQ(ts.bucket_width(), 16_ms);  // 5000 / 8 = 625 buckets would be too many
  EXPECT_EQ(ts.bucket_count(), 313u);
  EXPECT_GT(finished_n, 800u);
  EXPECT_EQ(sum(ts.arrived()), 1000u);
  EXPECT_EQ(sum(ts.completed()) + sum(ts.failed()), finished_n);
  EXPECT_EQ(sum(ts.failed()), failed_n);
  const Json j = ts.to_json();
  EXPECT_EQ(sum(j["arrived"]), 1000u);
  EXPECT_EQ(sum(j["completed"]) + sum(j["failed"]), finished_n);
  // Little's law, exactly: the in-flight area is the sum of the time each request spent in flight.
  double area_ms = 0.0;
  // The last bucket, [4992, 5008), is averaged over the 8 ms the run covered.
  for (std::size_t i = 0; i < ts.bucket_count(); ++i) {
    area_ms += ts.in_flight_mean(i) * (i + 1 == ts.bucket_count() ? 8.0 : 16.0);
  }
  double expected_ms = 0.0;
  for (RequestId id = 0; id < 1000; ++id) {
    const std::int64_t start = 5 * static_cast<std::int64_t>(id);
    const std::int64_t done = start + 37 * static_cast<std::int64_t>(id % 5);
    expected_ms += static_cast<double>((id % 11 != 0 && done < 5000 ? done : 5000) - start);
  }
  EXPECT_NEAR(area_ms, expected_ms, 1e-6);
}

// --- End to end --------------------------------------------------------------------

using test_support::load;

RunResult run(const scenarios::Scenario& s, std::uint64_t seed) {
  RunOptions options;
  options.seed = seed;
  options.requests = 600;
  return run_scenario(s, options);
}

TEST(TimeSeries, ARunsSeriesAddUpToItsMetrics) {
  // rag_orchestrated has breakers and retries, so the breaker and failed-call
  // series are exercised too.
  const scenarios::Scenario s = load("rag_orchestrated");
  // The metrics leave warm-up out and the series do not: compare only without one.
  ASSERT_EQ(s.run.warmup, sim::Duration::zero());
  const RunResult r = run(s, 5);
  ASSERT_NE(r.timeseries, nullptr);
  const Json series = r.timeseries->to_json();
  const Json metrics = r.metrics->to_json();
  const std::size_t n = series["buckets"].get<std::size_t>();
  EXPECT_GE(n, 1u);
  EXPECT_LE(n, TimeSeriesCollector::kMaxBuckets);
  EXPECT_EQ(n, r.timeseries->bucket_count());
  const auto& req = metrics.at("requests");
  EXPECT_EQ(sum(series["arrived"]), req.at("arrived").get<std::uint64_t>());
  EXPECT_EQ(sum(series["completed"]), req.at("completed").get<std::uint64_t>());
  EXPECT_EQ(sum(series["failed"]), req.at("failed").get<std::uint64_t>());
  EXPECT_EQ(sum(series["arrived"]), r.arrived);
  ASSERT_EQ(series["agents"].size(), metrics.at("agents").size());
  for (std::size_t i = 0; i < series["agents"].size(); ++i) {
    const Json& sa = series["agents"][i];
    const Json& ma = metrics.at("agents")[i];
    SCOPED_TRACE(ma.at("name").get<std::string>());
    EXPECT_EQ(sa["name"], ma.at("name"));
    EXPECT_EQ(sum(sa["calls"]), ma.at("calls_started").get<std::uint64_t>());
    const Json& ended = ma.at("calls_ended");
    EXPECT_EQ(sum(sa["failed_calls"]), ended.at("error").get<std::uint64_t>() +
                                           ended.at("timeout").get<std::uint64_t>() +
                                           ended.at("invalid").get<std::uint64_t>());
    for (const char* k : {"calls", "queue_mean", "busy_mean", "breaker_open_share"}) {
      EXPECT_EQ(sa[k].size(), n) << k;
    }
    for (const Json& share : sa["breaker_open_share"]) {
      EXPECT_GE(share.get<double>(), 0.0);
      EXPECT_LE(share.get<double>(), 1.0);
    }
  }
}

TEST(TimeSeries, TheSameSeedGivesTheSameSeries) {
  const scenarios::Scenario s = load("rag_orchestrated");
  const Json a = run(s, 9).timeseries->to_json();
  const Json b = run(s, 9).timeseries->to_json();
  EXPECT_EQ(a.dump(), b.dump());
  const Json c = run(s, 10).timeseries->to_json();
  EXPECT_NE(a.dump(), c.dump());  // the comparison can fail
}

}  // namespace
}  // namespace orchsim::eval::timeseries_test
