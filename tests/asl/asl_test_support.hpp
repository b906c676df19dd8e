// Shared pieces of the ASL import tests: import a state machine given as
// text, then run the scenario through the real loader and runner with the
// invariant checker and a recorder of retries, edges, calls and outcomes.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "eval/invariant_checker.hpp"
#include "eval/runner.hpp"
#include "orchestration/events.hpp"
#include "scenarios/asl/import.hpp"
#include "scenarios/scenario.hpp"

namespace orchsim::scenarios::asl::testing {

using Json = scenarios::Json;

inline Json json(const std::string& text) { return Json::parse(text); }

inline ImportResult import_text(const std::string& asl, ImportOptions options = {}) {
  return import_asl(asl, "test.asl.json", options);
}

// What a run did, as the tests read it.
struct Recorder final : public orchestration::Observer {
  std::vector<orchestration::RetryScheduled> retries;
  std::vector<orchestration::CallStarted> started;
  std::vector<orchestration::CallEnded> ended;
  std::map<std::pair<orchestration::NodeId, orchestration::NodeId>, std::uint64_t> edges;
  std::map<std::string, std::uint64_t> outcomes;  // by outcome or cause
  std::map<orchestration::RequestId, sim::Duration> latency;

  void on_retry_scheduled(const orchestration::RetryScheduled& e) override { retries.push_back(e); }
  void on_call_started(const orchestration::CallStarted& e) override { started.push_back(e); }
  void on_call_ended(const orchestration::CallEnded& e) override { ended.push_back(e); }
  void on_node_entered(const orchestration::NodeEntered& e) override { ++edges[{e.from, e.to}]; }
  void on_request_finished(const orchestration::RequestFinished& e) override {
    ++outcomes[std::string(e.outcome)];
    latency[e.request] = e.latency;
  }
};

struct Ran {
  std::string error;  // the scenario did not load, or the run threw
  std::unique_ptr<Scenario> scenario;
  eval::RunResult result;
  Recorder rec;
  std::vector<std::string> violations;

  orchestration::NodeId node(const std::string& name) const {
    return scenario->workflow.find(name);
  }
  std::uint64_t edge(const std::string& from, const std::string& to) const {
    const auto it = rec.edges.find({node(from), node(to)});
    return it == rec.edges.end() ? 0 : it->second;
  }
  std::uint64_t entered(const std::string& name) const {
    std::uint64_t n = 0;
    for (const auto& [e, count] : rec.edges) {
      if (e.second == node(name)) n += count;
    }
    return n;
  }
};

// Loads `doc` as a user's file is loaded and runs `requests` requests, with
// the invariant checker: every request and call ends once, counters count
// what happened.
inline std::unique_ptr<Ran> run(const Json& doc, std::uint64_t requests, std::uint64_t seed = 1) {
  auto out = std::make_unique<Ran>();
  LoadResult loaded = parse_scenario(doc.dump(2), "imported.json");
  if (!loaded.ok()) {
    out->error = loaded.diagnostics.format();
    return out;
  }
  out->scenario = std::make_unique<Scenario>(std::move(*loaded.scenario));
  eval::InvariantChecker checker(out->scenario->workflow);
  orchestration::ObserverList observers;
  observers.add(&checker);
  observers.add(&out->rec);
  eval::RunOptions options;
  options.seed = seed;
  options.requests = requests;
  options.observer = &observers;
  try {
    out->result = eval::run_scenario(*out->scenario, options);
  } catch (const std::exception& e) {
    out->error = e.what();
    return out;
  }
  checker.finish(out->result, out->scenario->run.drain);
  out->violations = checker.violations();
  return out;
}

// Conservation: every request that arrived ended once, none is left, and the
// invariant checker found nothing.
inline void expect_conserved(const Ran& r, std::uint64_t requests) {
  ASSERT_EQ(r.error, "");
  EXPECT_TRUE(r.violations.empty()) << r.violations.front();
  EXPECT_EQ(r.result.arrived, requests);
  EXPECT_EQ(r.result.in_flight, 0u);
  EXPECT_EQ(r.result.completed + r.result.failed, r.result.arrived);
  std::uint64_t ended = 0;
  for (const auto& [outcome, n] : r.rec.outcomes) ended += n;
  EXPECT_EQ(ended, requests);
}

// An agent definition for --agents: `outcomes` and `latency_ms` as given.
inline Json agent(const std::string& name, double latency_ms, Json outcomes = Json::object()) {
  Json a = {{"name", name},
            {"servers", 1000},
            {"latency", {{"base_ms", latency_ms}}},
            {"outcomes", std::move(outcomes)}};
  return a;
}

}  // namespace orchsim::scenarios::asl::testing
