// An observer that writes down everything a run did, one line per event, so
// that two runs can be compared event by event rather than only through the
// metrics they add up to. Metamorphic tests (docs/validation.md) use it: two
// runs that must be the same run have the same lines.
//
//   EventRecorder recorder(agent_names);
//   options.observer = &recorder;
//   run_scenario(scenario, options);
//   recorder.lines();   // "E t=1200000 r=3 n=1 a=generator #0 call=4 first success ..."
//
// Every field is written except the ones that name a choice without changing
// it: explanation texts, a routing decision's policy name and candidate
// scores (static and weighted_random [1, 0] choose alike but score apart).
// Agents are written by name, so runs whose agents are listed in another
// order compare alike. Money is kept apart from the lines (costs()), so a
// relation on prices can compare the lines and the costs each its own way.
#pragma once

#include <fmt/format.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "orchestration/events.hpp"

namespace orchsim::validation {

class EventRecorder final : public orchestration::Observer {
 public:
  explicit EventRecorder(std::vector<std::string> agent_names)
      : agent_names_(std::move(agent_names)) {}

  void on_request_arrived(const orchestration::RequestArrived& e) override {
    add(fmt::format("A t={} r={} class={} in={} deadline={}", e.at.count_ns(), e.request,
                    e.class_index, e.input_tokens, e.deadline.count_ns()));
  }
  void on_request_finished(const orchestration::RequestFinished& e) override {
    add(fmt::format("F t={} r={} class={} ok={} {} latency={} q={} silent={} in={} out={} calls={} "
                    "retries={} hedges={} timeouts={} fallbacks={} redirects={}",
                    e.at.count_ns(), e.request, e.class_index, e.success, e.outcome,
                    e.latency.count_ns(), e.quality, e.answer_silent_failure, e.input_tokens,
                    e.output_tokens, e.calls, e.retries, e.hedges, e.timeouts, e.fallbacks,
                    e.redirects),
        e.cost_usd);
  }
  void on_call_started(const orchestration::CallStarted& e) override {
    add(fmt::format("S t={} r={} n={} a={} #{} call={} {} in={}", e.at.count_ns(), e.request,
                    e.node, agent(e.agent), e.attempt, e.call, orchestration::to_string(e.kind),
                    e.input_tokens));
  }
  void on_call_ended(const orchestration::CallEnded& e) override {
    add(fmt::format("E t={} r={} n={} a={} #{} call={} {} {} error={} started={} dur={} wait={} "
                    "in={} out={} q={} conf={} silent={}",
                    e.at.count_ns(), e.request, e.node, agent(e.agent), e.attempt, e.call,
                    orchestration::to_string(e.kind), orchestration::to_string(e.end),
                    mock_agents::to_string(e.error), e.started.count_ns(), e.duration.count_ns(),
                    e.queue_wait.count_ns(), e.input_tokens, e.output_tokens, e.quality,
                    e.confidence, e.silent),
        e.cost_usd);
  }
  void on_routing_decision(const orchestration::RoutingDecision& e) override {
    add(fmt::format("R t={} r={} n={} choice={}", e.at.count_ns(), e.request, e.node,
                    agent(e.choice)));
  }
  void on_node_entered(const orchestration::NodeEntered& e) override {
    add(fmt::format("N t={} r={} {}->{}", e.at.count_ns(), e.request, node(e.from), e.to));
  }
  void on_flow_decision(const orchestration::FlowDecision& e) override {
    add(fmt::format("D t={} r={} n={} next={}", e.at.count_ns(), e.request, e.node, node(e.next)));
  }
  void on_retry_scheduled(const orchestration::RetryScheduled& e) override {
    add(fmt::format("Y t={} r={} n={} a={} next=#{} delay={} after={} {}", e.at.count_ns(),
                    e.request, e.node, agent(e.agent), e.next_attempt, e.delay.count_ns(),
                    orchestration::to_string(e.after), mock_agents::to_string(e.after_error)));
  }
  void on_hedge_launched(const orchestration::HedgeLaunched& e) override {
    add(fmt::format("H t={} r={} n={} a={} #{}", e.at.count_ns(), e.request, e.node, agent(e.agent),
                    e.attempt));
  }
  void on_breaker_changed(const orchestration::BreakerChanged& e) override {
    add(fmt::format("B t={} a={} {}->{}", e.at.count_ns(), agent(e.agent),
                    orchestration::to_string(e.from), orchestration::to_string(e.to)));
  }
  void on_context_fitted(const orchestration::ContextFitted& e) override {
    add(fmt::format("X t={} r={} n={} a={} {} {}->{} kept={} dropped={} summarized={}",
                    e.at.count_ns(), e.request, e.node, agent(e.agent),
                    orchestration::to_string(e.policy), e.tokens_before, e.tokens_after, e.retained,
                    e.segments_dropped, e.summarized));
  }
  void on_budget_exhausted(const orchestration::BudgetExhausted& e) override {
    add(fmt::format("U t={} r={} n={} kind={}", e.at.count_ns(), e.request, e.node,
                    static_cast<int>(e.kind)));
  }

  const std::vector<std::string>& lines() const { return lines_; }
  // The cost in USD each line carries; NaN for lines without one.
  const std::vector<double>& costs() const { return costs_; }

 private:
  void add(std::string line, double cost = std::numeric_limits<double>::quiet_NaN()) {
    lines_.push_back(std::move(line));
    costs_.push_back(cost);
  }
  std::string agent(orchestration::AgentIndex a) const {
    return a < agent_names_.size() ? agent_names_[a] : fmt::format("agent{}", a);
  }
  static std::string node(orchestration::NodeId n) {
    return n == orchestration::kNoNode ? std::string("start") : std::to_string(n);
  }

  std::vector<std::string> agent_names_;
  std::vector<std::string> lines_;
  std::vector<double> costs_;
};

}  // namespace orchsim::validation
