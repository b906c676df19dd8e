// Metamorphic relations, part 2: orderings between runs with the same seed.
// Common random numbers make them hold request by request, not only on
// average: each request draws the same outcomes, latencies and qualities in
// every run, so a change that can only help (a server, an attempt) or only
// hurt (difficulty) moves every request the same way. Each test also shows
// the ordering is strict somewhere, so that it is not vacuous.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "eval/replications.hpp"
#include "eval/run_metrics_json.hpp"
#include "tests/validation/metamorphic_scenarios.hpp"
#include "tests/validation/scenario_run.hpp"
#include "tests/validation/scenario_test_support.hpp"

namespace orchsim::validation::metamorphic_order_test {
namespace {

// Each finished request's report, by id, from a run of `doc`.
std::map<orchestration::RequestId, orchestration::RequestFinished> finished(const Json& doc) {
  CallCounter calls;
  run(parse(doc.dump()), doc["run"]["seed"].get<std::uint64_t>(), &calls);
  std::map<orchestration::RequestId, orchestration::RequestFinished> out;
  for (const auto& f : calls.finished) out[f.request] = f;
  return out;
}

double mean_latency_ms(
    const std::map<orchestration::RequestId, orchestration::RequestFinished>& r) {
  double sum = 0;
  for (const auto& [id, f] : r) sum += f.latency.milliseconds_f();
  return sum / static_cast<double>(r.size());
}

// One FCFS station (G/G/c, service times drawn per request): with the same
// arrivals and service times, a customer's start of service is the earliest
// free server's time or its arrival, and every server's next free time can
// only come earlier with one more server (Kiefer-Wolfowitz), so no request
// waits longer. Only for one station: in a tandem, a request that leaves the
// first station earlier may get ahead of a shorter one at the second, which
// then waits longer; and retries after errors re-enter the queue earlier.
TEST(MetamorphicOrder, MoreServersNeverMakeAnyRequestSlower) {
  std::map<orchestration::RequestId, orchestration::RequestFinished> fewer =
      finished(bases::single_station(1));
  ASSERT_EQ(fewer.size(), 2000u);
  for (const int servers : {2, 3, 4, 8}) {
    SCOPED_TRACE(servers);
    const auto more = finished(bases::single_station(servers));
    ASSERT_EQ(more.size(), fewer.size());
    int faster = 0;
    for (const auto& [id, f] : more) {
      EXPECT_LE(f.latency, fewer.at(id).latency) << "request " << id;
      faster += f.latency < fewer.at(id).latency;
    }
    if (servers <= 3) {
      EXPECT_GT(faster, 100) << "one more server helped almost no one";
    }
    EXPECT_LE(mean_latency_ms(more), mean_latency_ms(fewer));
    fewer = more;
  }
}

// A chain of two steps, each failing now and then (transient errors, and
// a validator that rejects bad answers), retried up to `attempts` times; no
// fallback, failure edge, deadline or retry budget: a failed step fails the
// request. Attempt k of a step draws the same outcome whatever the maximum,
// so a request that succeeds with k attempts succeeds with more.
Json flaky_chain(int attempts) {
  Json doc = Json::parse(R"({
    "version": 1, "name": "flaky_chain",
    "run": { "seed": 21, "requests": 1500 },
    "agents": [
      { "name": "search", "servers": 500,
        "latency": { "base_ms": { "lognormal": { "median": 50, "p99": 400 } } },
        "outcomes": { "transient_error": 0.3, "silent_failure": 0.05 } },
      { "name": "writer", "servers": 500,
        "latency": { "base_ms": { "lognormal": { "median": 200, "p99": 900 } } },
        "outcomes": { "transient_error": 0.25, "silent_failure": 0.1 } } ],
    "workload": { "arrivals": { "poisson": { "rate_per_s": 20 } } },
    "workflow": { "entry": "retrieve", "nodes": [
      { "name": "retrieve", "type": "call", "agents": ["search"], "next": "write",
        "quality": { "input": "none", "output": "evidence" } },
      { "name": "write", "type": "call", "agents": ["writer"], "next": "done",
        "validator": { "bad_below": 0.3, "true_positive_rate": 0.9, "false_positive_rate": 0.1 } },
      { "name": "done", "type": "terminal" } ] }
  })");
  for (Json& n : doc["workflow"]["nodes"]) {
    if (n["type"] == "call") {
      n["retry"] = {{"max_attempts", attempts},
                    {"backoff", {{"shape", "exponential"}, {"jitter", "full"}, {"base_ms", 50}}}};
    }
  }
  return doc;
}

TEST(MetamorphicOrder, MoreAttemptsNeverLoseASuccess) {
  const auto successes = [](const Json& doc) {
    std::set<orchestration::RequestId> out;
    for (const auto& [id, f] : finished(doc)) {
      if (f.success) out.insert(id);
    }
    return out;
  };
  std::set<orchestration::RequestId> fewer = successes(flaky_chain(1));
  for (const int attempts : {2, 3, 5}) {
    SCOPED_TRACE(attempts);
    const std::set<orchestration::RequestId> more = successes(flaky_chain(attempts));
    for (const orchestration::RequestId id : fewer) {
      EXPECT_TRUE(more.contains(id)) << "request " << id << " lost its success";
    }
    EXPECT_GT(more.size(), fewer.size()) << "the extra attempts rescued no one";
    fewer = more;
  }
}

// The quality model is monotone in difficulty for the same noise (agents.md):
// with no decision that reads a quality or a confidence (no gate on them, no
// cascade) the runs take the same path, and every request's answer is no
// better when its question is harder.
TEST(MetamorphicOrder, AHarderRequestNeverGetsABetterAnswer) {
  const auto with_difficulty = [](double d) {
    Json doc = bases::pipeline();
    doc["workflow"]["nodes"][1].erase("validator");        // reads the quality
    doc["workflow"]["nodes"][3]["rules"] = Json::array();  // reads the critic's verdict
    for (Json& c : doc["workload"]["classes"]) c["difficulty"] = d;
    return doc;
  };
  auto easier = finished(with_difficulty(0.0));
  for (const double d : {0.3, 0.6, 1.0}) {
    SCOPED_TRACE(d);
    const auto harder = finished(with_difficulty(d));
    ASSERT_EQ(harder.size(), easier.size());
    int worse = 0;
    for (const auto& [id, f] : harder) {
      const auto& e = easier.at(id);
      ASSERT_EQ(f.success, e.success) << "request " << id << " took another path";
      EXPECT_LE(f.quality, e.quality) << "request " << id;
      worse += f.quality < e.quality;
    }
    EXPECT_GT(worse, 100) << "difficulty lowered almost no answer";
    easier = harder;
  }
}

TEST(MetamorphicOrder, AHigherQualityThresholdNeverRaisesThePassRate) {
  double previous = 2.0;
  for (int t = 0; t <= 10; ++t) {
    const double threshold = t / 10.0;
    SCOPED_TRACE(threshold);
    // (That nothing else moves is quality_threshold_moves_only_pass_rates,
    // in metamorphic_unchanged_test.cpp.)
    Json doc = bases::pipeline();
    doc["run"]["quality_threshold"] = threshold;
    const double pass = run_document(doc).metrics["quality"]["pass_rate"].get<double>();
    EXPECT_LE(pass, previous);
    previous = pass;
  }
  EXPECT_LT(previous, 0.5);  // it did fall, from 1 at threshold 0
}

TEST(MetamorphicOrder, ReplicationsAreTheSameBytesWhateverTheThreads) {
  const scenarios::Scenario s = parse(bases::fan_out("quorum").dump());
  eval::ReplicationOptions o;
  o.replications = 4;
  o.requests = 200;
  o.jobs = 1;
  const eval::ReplicationSet one = eval::run_replications(s, o);
  o.jobs = 2;
  const eval::ReplicationSet two = eval::run_replications(s, o);
  ASSERT_EQ(one.metrics.size(), 4u);
  EXPECT_EQ(one.seeds, two.seeds);
  for (std::size_t i = 0; i < one.metrics.size(); ++i) {
    EXPECT_EQ(json_difference(eval::to_json(one.metrics[i]), eval::to_json(two.metrics[i])), "")
        << "replication " << i;
  }
  EXPECT_EQ(eval::latency_to_json(one.latency_all).dump(),
            eval::latency_to_json(two.latency_all).dump());
  EXPECT_EQ(eval::summaries_to_json(eval::summarize(one.metrics)).dump(),
            eval::summaries_to_json(eval::summarize(two.metrics)).dump());
  // Control: the replications themselves differ (their seeds do).
  EXPECT_NE(json_difference(eval::to_json(one.metrics[0]), eval::to_json(one.metrics[1])), "");
}

}  // namespace
}  // namespace orchsim::validation::metamorphic_order_test
