// An observer for tests: records every event and checks the orchestrator's
// invariants as they happen (every call started ends exactly once, time
// never goes back, every request ends once).
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "orchestration/events.hpp"

namespace orchsim::orchestration::testing {

class RecordingObserver : public Observer {
 public:
  bool wants_explanations() const override { return true; }
  void on_request_arrived(const RequestArrived& e) override {
    tick(e.at);
    EXPECT_TRUE(open_requests.insert(e.request).second)
        << "request " << e.request << " arrived twice";
    ++arrived;
  }
  void on_request_finished(const RequestFinished& e) override {
    tick(e.at);
    EXPECT_EQ(open_requests.erase(e.request), 1u)
        << "request " << e.request << " ended twice or never began";
    finished.push_back(e);
    outcomes.push_back(std::string(e.outcome));
  }
  void on_call_started(const CallStarted& e) override {
    tick(e.at);
    EXPECT_TRUE(open_calls.insert(key(e.agent, e.call)).second);
    started.push_back(e);
  }
  void on_call_ended(const CallEnded& e) override {
    tick(e.at);
    EXPECT_EQ(open_calls.erase(key(e.agent, e.call)), 1u)
        << "call of request " << e.request << " attempt " << e.attempt
        << " ended twice or never started";
    ended.push_back(e);
  }
  void on_routing_decision(const RoutingDecision& e) override {
    tick(e.at);
    decisions.push_back({e.request, e.node, e.choice, e.reason.text()});
  }
  void on_flow_decision(const FlowDecision& e) override {
    tick(e.at);
    flows.push_back({e.request, e.node, e.next, e.reason.text()});
  }
  void on_retry_scheduled(const RetryScheduled& e) override {
    tick(e.at);
    retries.push_back(e);
  }
  void on_hedge_launched(const HedgeLaunched& e) override {
    tick(e.at);
    hedges.push_back(e);
  }
  void on_breaker_changed(const BreakerChanged& e) override {
    tick(e.at);
    breaker_changes.push_back(e);
  }
  void on_context_fitted(const ContextFitted& e) override {
    tick(e.at);
    fits.push_back(e);
  }
  void on_budget_exhausted(const BudgetExhausted& e) override {
    tick(e.at);
    exhausted.push_back(e);
  }
  void on_sub_workflow_started(const SubWorkflowStarted& e) override {
    tick(e.at);
    EXPECT_TRUE(
        open_runs.insert(std::to_string(e.request) + "/" + std::to_string(e.invocation)).second);
    runs_started.push_back(e);
  }
  void on_sub_workflow_ended(const SubWorkflowEnded& e) override {
    tick(e.at);
    EXPECT_EQ(open_runs.erase(std::to_string(e.request) + "/" + std::to_string(e.invocation)), 1u)
        << "invocation " << e.invocation << " of request " << e.request
        << " ended twice or never started";
    runs_ended.push_back(e);
    run_outcomes.push_back(std::string(e.outcome));
  }

  // After the run: nothing left open.
  void expect_all_closed() const {
    EXPECT_TRUE(open_calls.empty()) << open_calls.size() << " calls never ended";
    EXPECT_TRUE(open_requests.empty()) << open_requests.size() << " requests never ended";
    EXPECT_TRUE(open_runs.empty()) << open_runs.size() << " sub-workflow runs never ended";
  }
  std::vector<CallEnded> ended_with(CallEnd end) const {
    std::vector<CallEnded> out;
    for (const auto& e : ended) {
      if (e.end == end) out.push_back(e);
    }
    return out;
  }

  struct Decision {
    RequestId request;
    NodeId node;
    AgentIndex choice;
    std::string reason;
  };
  struct Flow {
    RequestId request;
    NodeId node;
    NodeId next;
    std::string reason;
  };
  std::uint64_t arrived = 0;
  std::vector<RequestFinished> finished;
  std::vector<std::string> outcomes;
  std::vector<CallStarted> started;
  std::vector<CallEnded> ended;
  std::vector<Decision> decisions;
  std::vector<Flow> flows;
  std::vector<RetryScheduled> retries;
  std::vector<HedgeLaunched> hedges;
  std::vector<BreakerChanged> breaker_changes;
  std::vector<ContextFitted> fits;
  std::vector<BudgetExhausted> exhausted;
  std::vector<SubWorkflowStarted> runs_started;
  std::vector<SubWorkflowEnded> runs_ended;
  std::vector<std::string> run_outcomes;

 private:
  // An agent's call ids are unique among its live calls.
  static std::string key(AgentIndex a, mock_agents::CallId call) {
    return std::to_string(a) + "/" + std::to_string(call);
  }
  void tick(sim::Time t) {
    EXPECT_GE(t, last_) << "time went back";
    last_ = t;
  }
  sim::Time last_;
  std::set<std::string> open_calls;
  std::set<RequestId> open_requests;
  std::set<std::string> open_runs;
};

}  // namespace orchsim::orchestration::testing
