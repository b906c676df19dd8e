// Bounds every loop of an imported workflow. Step Functions loops until a
// Choice leaves (polling, pagination) or for ever; orchsim's
// Workflow::validate wants a node with max_visits on every cycle, so that no
// request runs for ever. Each cycle gets one, chosen in this order: the
// outermost Choice on it (which, when exhausted, leaves by its first branch
// out of the loop), then a catch gate, then any other node (the request or
// branch then fails with loop_exhausted). The bound is kLoopVisits times the
// copies of the node's scope per request (visits are counted per request,
// and every Map item visits its iterator's nodes). Each bound is reported
// as approximated.
// Internal to scenarios/asl.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "scenarios/asl/import_context.hpp"

namespace orchsim::scenarios::asl {

inline constexpr double kLoopVisits = 100;

struct LoopHint {
  int preference = 3;  // lower is chosen first: 0 Choice gate, 1 catch gate, 2 other gate, 3 call
  int depth = 0;       // of the node's scope (0 = the top)
  double multiplier = 1;           // copies of its scope per request
  std::string pointer;             // into the ASL file, for the finding
  std::string state;               // the ASL state it comes from
  std::vector<std::string> exits;  // a Choice gate's targets, in order
};

// A node's outgoing edges (node names), as orchestration::Workflow follows them.
std::vector<std::string> node_targets(const Json& node);

// `nodes`: the scenario's workflow nodes (an array), changed in place.
void bound_loops(Json& nodes, const std::map<std::string, LoopHint>& hints, ImportContext& cx);

// The nodes on some cycle of the ASL transition graph of one scope (state
// names, edges from Next, Choices, Default and Catch). Used to decide
// whether a Map's item counting can use the per-request visit counts.
std::vector<bool> on_cycle(const std::vector<std::vector<std::size_t>>& edges);

}  // namespace orchsim::scenarios::asl
