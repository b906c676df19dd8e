// The routing decision log: one JSON object per line (JSONL), streamed.
//
// Contract: every RoutingDecision and FlowDecision becomes one line on the
// given std::ostream, in event order, written at once (constant memory):
//
//   {"t_ms":12.345000,"request":17,"node":"retrieve","kind":"route","policy":"p2c",
//    "inputs":[{"agent":"fast","score":12.300000,"eligible":true},...],
//    "choice":"fast","reason":"lower ewma latency"}
//   {"t_ms":20.000000,"request":17,"node":"check","kind":"flow","choice":"answer",
//    "reason":"confidence >= 0.7"}
//
// Keys appear in that order. t_ms is exact (nanoseconds printed as a decimal
// number of milliseconds with 6 places); scores have 6 fixed decimals and are
// null when not finite; a flow decision's choice is the next node's name or
// null (the request ends). Strings are escaped by nlohmann::json. Formatting
// uses fmt, never the locale, so the same events give the same bytes.
// The log never throws on a bad stream: check the stream after the run.
// One thread; the workflow and the stream must outlive the log.
//
//   std::ofstream file("decisions.jsonl");
//   DecisionLog log(file, workflow, agent_names);
//   observers.add(&log);
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "orchestration/events.hpp"

namespace orchsim::eval {

class DecisionLog final : public orchestration::Observer {
 public:
  DecisionLog(std::ostream& out, const orchestration::Workflow& workflow,
              std::vector<std::string> agent_names);

  bool wants_explanations() const override { return true; }
  void on_routing_decision(const orchestration::RoutingDecision& e) override;
  void on_flow_decision(const orchestration::FlowDecision& e) override;

  std::uint64_t lines() const { return lines_; }

 private:
  std::string node_name(orchestration::NodeId node) const;
  std::string agent_name(orchestration::AgentIndex agent) const;

  std::ostream& out_;
  const orchestration::Workflow& workflow_;
  std::vector<std::string> agent_names_;
  std::string line_;  // reused between lines
  std::uint64_t lines_ = 0;
};

}  // namespace orchsim::eval
