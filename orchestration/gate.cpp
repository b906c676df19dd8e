#include "orchestration/gate.hpp"

#include <fmt/format.h>

namespace orchsim::orchestration::detail {
namespace {

bool holds(const Condition& c, const GateInput& f) {
  using W = Condition::What;
  switch (c.what) {
    case W::kAlways:
      return true;
    case W::kLabelIs:
      // No answer yet (or a failed step): no label to match.
      if (f.last_failed || f.last_agent == kNoAgent) return false;
      return c.label_by_agent.empty()
                 ? f.label == c.label
                 : f.last_agent < c.label_by_agent.size() &&
                       c.label_by_agent[f.last_agent] == static_cast<std::int32_t>(f.label);
    case W::kConfidenceBelow:
      return f.confidence < c.value;
    case W::kConfidenceAtLeast:
      return f.confidence >= c.value;
    case W::kVerdictPass:
      return !f.last_failed && f.verdict;
    case W::kVerdictFail:
      return f.last_failed || !f.verdict;
    case W::kLastFailed:
      return f.last_failed;
    case W::kErrorIs:
      return f.last_failed && f.last_error == c.error;
    case W::kClassIs:
      return f.class_index == c.class_index;
    case W::kCostAbove:
      return f.cost_usd > c.value;
    case W::kTimeLeftBelow:
      return f.deadline != sim::Time::max() && f.deadline - f.now < c.duration;
    case W::kVisitsAtLeast:
      return (*f.visits)[c.node] >= c.count;
  }
  return false;
}

}  // namespace

NodeId evaluate_gate(const GateNode& gate, const GateInput& f, Reason* why) {
  for (std::size_t i = 0; i < gate.rules.size(); ++i) {
    if (!holds(gate.rules[i].when, f)) continue;
    if (why) {
      // The verdict in the format, not a string value: a reason with only
      // numbers is kept as it is by the request log, not formatted.
      *why = f.verdict
                 ? Reason::format(
                       "rule {} matched (label={}, confidence={:.3f}, verdict=pass, failed={})", i,
                       f.label, f.confidence, f.last_failed)
                 : Reason::format(
                       "rule {} matched (label={}, confidence={:.3f}, verdict=fail, failed={})", i,
                       f.label, f.confidence, f.last_failed);
    }
    return gate.rules[i].then;
  }
  if (why) *why = Reason::format("no rule matched (confidence={:.3f})", f.confidence);
  return gate.otherwise;
}

}  // namespace orchsim::orchestration::detail
