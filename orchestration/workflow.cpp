#include "orchestration/workflow.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <set>
#include <string>

namespace orchsim::orchestration {

std::string_view to_string(NodeKind kind) { return sim::enum_name(kNodeKindNames, kind); }
std::string_view to_string(JoinPolicy policy) { return sim::enum_name(kJoinPolicyNames, policy); }

NodeId Workflow::find(const std::string& node_name) const {
  for (NodeId i = 0; i < nodes.size(); ++i) {
    if (nodes[i].name == node_name) return i;
  }
  return kNoNode;
}

namespace {

// Outgoing edges of a node, in a fixed order.
std::vector<NodeId> edges_of(const Node& n) {
  std::vector<NodeId> out;
  const auto add = [&out](NodeId t) {
    if (t != kNoNode) out.push_back(t);
  };
  add(n.next);
  add(n.on_failure);
  add(n.on_exhausted);
  switch (n.kind) {
    case NodeKind::kGate:
      for (const GateRule& r : n.gate.rules) add(r.then);
      add(n.gate.otherwise);
      break;
    case NodeKind::kFanOut:
      for (NodeId b : n.fan_out.branches) add(b);
      add(n.fan_out.map_entry);
      add(n.fan_out.join);
      break;
    case NodeKind::kJoin:
      add(n.join.on_failure);
      break;
    default:
      break;
  }
  return out;
}

}  // namespace

std::vector<std::string> Workflow::validate(std::size_t agent_count) const {
  std::vector<std::string> out;
  const auto name_of = [this](NodeId i) {
    return nodes[i].name.empty() ? fmt::format("node {}", i) : nodes[i].name;
  };
  if (nodes.empty()) {
    out.push_back("workflow: found no nodes, expected at least one");
    return out;
  }
  if (entry >= nodes.size()) out.push_back(fmt::format("workflow: entry {} is not a node", entry));
  // Call keys give the node 12 bits (orchestrator.cpp, CallRequest::variant).
  if (nodes.size() > 4096) {
    out.push_back(fmt::format("workflow: found {} nodes, expected at most 4096", nodes.size()));
  }

  const auto check_agent = [&](NodeId i, AgentIndex a, const char* what) {
    if (a >= agent_count) {
      out.push_back(fmt::format("{}: {} {} is not an agent (there are {})", name_of(i), what, a,
                                agent_count));
    }
  };
  for (NodeId i = 0; i < nodes.size(); ++i) {
    const Node& n = nodes[i];
    for (NodeId t : edges_of(n)) {
      if (t >= nodes.size())
        out.push_back(fmt::format("{}: edge to unknown node {}", name_of(i), t));
    }
    switch (n.kind) {
      case NodeKind::kCall: {
        const CallNode& c = n.call;
        // Candidates and the routing policy's parameters are checked when the
        // policy is made (orchestration/policy_registry.hpp): a policy may add
        // candidates (a cascade's tiers).
        for (AgentIndex a : c.agents) check_agent(i, a, "agent");
        for (AgentIndex a : c.fallback_agents) check_agent(i, a, "fallback agent");
        for (AgentIndex a : c.hedge.agents) check_agent(i, a, "hedge agent");
        if (c.retry.max_attempts == 0)
          out.push_back(fmt::format("{}: max_attempts must be >= 1", name_of(i)));
        if (c.retry.rules.size() > kMaxRetryRules) {
          out.push_back(fmt::format("{}: {} retry rules, at most {}", name_of(i),
                                    c.retry.rules.size(), kMaxRetryRules));
        }
        if (c.fit == FitPolicy::kSummarize) check_agent(i, c.summarizer, "summarizer");
        if (c.time_budget.budget > sim::Duration::zero()) {
          if (c.time_budget.action == TimeBudgetConfig::Action::kRedirect) {
            check_agent(i, c.time_budget.fast_agent, "fast agent");
          } else {
            check_agent(i, c.time_budget.decompose_agent, "decompose agent");
            if (c.time_budget.parts < 2)
              out.push_back(fmt::format("{}: decompose parts must be >= 2", name_of(i)));
          }
        }
        if (n.next == kNoNode) out.push_back(fmt::format("{}: call node has no next", name_of(i)));
        break;
      }
      case NodeKind::kGate:
        if (n.gate.otherwise == kNoNode) {
          out.push_back(fmt::format("{}: gate has no 'otherwise' target", name_of(i)));
        }
        for (std::size_t r = 0; r < n.gate.rules.size(); ++r) {
          const Condition& c = n.gate.rules[r].when;
          if (c.what == Condition::What::kVisitsAtLeast && c.node >= nodes.size()) {
            out.push_back(
                fmt::format("{}: rule {} counts visits of unknown node {}", name_of(i), r, c.node));
          }
        }
        break;
      case NodeKind::kFanOut:
        if (n.fan_out.branches.empty() && n.fan_out.map_entry == kNoNode) {
          out.push_back(fmt::format("{}: fan-out has no branches", name_of(i)));
        }
        if (n.fan_out.join >= nodes.size() || nodes[n.fan_out.join].kind != NodeKind::kJoin) {
          out.push_back(fmt::format("{}: fan-out must name a join node", name_of(i)));
        }
        break;
      case NodeKind::kJoin:
        if (n.next == kNoNode) out.push_back(fmt::format("{}: join has no next", name_of(i)));
        if (n.join.policy == JoinPolicy::kDeadline && n.join.deadline <= sim::Duration::zero()) {
          out.push_back(fmt::format("{}: deadline join needs a deadline > 0", name_of(i)));
        }
        break;
      case NodeKind::kTerminal:
        break;
    }
  }
  // The graph checks follow the edges that lead to nodes (broken ones are
  // reported above), so that one run of validate() lists every problem.
  if (entry >= nodes.size()) return out;
  const auto targets = [this](NodeId i) {
    std::vector<NodeId> e = edges_of(nodes[i]);
    std::erase_if(e, [this](NodeId t) { return t >= nodes.size(); });
    return e;
  };

  // Reachability from the entry.
  std::vector<bool> seen(nodes.size(), false);
  std::vector<NodeId> stack = {entry};
  while (!stack.empty()) {
    const NodeId i = stack.back();
    stack.pop_back();
    if (seen[i]) continue;
    seen[i] = true;
    for (NodeId t : targets(i)) stack.push_back(t);
  }
  for (NodeId i = 0; i < nodes.size(); ++i) {
    if (!seen[i]) out.push_back(fmt::format("{}: unreachable from the entry", name_of(i)));
  }

  // Loops without a bound. Entering a node with max_visits counts a visit,
  // so a cycle through it ends, except through its on_exhausted edge: an
  // exhausted node passes the request on without counting anything, and a
  // cycle back to it goes round for ever (at one instant, if no call is on
  // it). So the cycles to find are those of the graph where a bounded node
  // keeps only its on_exhausted edge. Each strongly connected component of
  // it (Tarjan) that holds a cycle is reported once.
  const std::size_t count = nodes.size();
  const auto loop_targets = [&](NodeId v) {
    if (nodes[v].max_visits == 0) return targets(v);
    const NodeId t = nodes[v].on_exhausted;
    return t < count ? std::vector<NodeId>{t} : std::vector<NodeId>{};
  };
  std::vector<std::int64_t> index(count, -1), low(count, 0);
  std::vector<bool> on_stack(count, false);
  std::vector<NodeId> component_stack;
  std::int64_t next_index = 0;
  std::vector<std::vector<NodeId>> loops;
  std::function<void(NodeId)> connect = [&](NodeId v) {
    index[v] = low[v] = next_index++;
    component_stack.push_back(v);
    on_stack[v] = true;
    bool self_loop = false;
    for (NodeId w : loop_targets(v)) {
      self_loop = self_loop || w == v;
      if (index[w] < 0) {
        connect(w);
        low[v] = std::min(low[v], low[w]);
      } else if (on_stack[w]) {
        low[v] = std::min(low[v], index[w]);
      }
    }
    if (low[v] != index[v]) return;
    std::vector<NodeId> component;
    NodeId w = kNoNode;
    do {
      w = component_stack.back();
      component_stack.pop_back();
      on_stack[w] = false;
      component.push_back(w);
    } while (w != v);
    if (component.size() > 1 || self_loop) {
      std::sort(component.begin(), component.end());
      loops.push_back(std::move(component));
    }
  };
  for (NodeId i = 0; i < count; ++i) {
    if (index[i] < 0) connect(i);
  }
  std::sort(loops.begin(), loops.end());
  for (const std::vector<NodeId>& loop : loops) {
    std::string members;
    bool through_exhausted = false;
    for (NodeId i : loop) {
      members += (members.empty() ? "" : ", ") + name_of(i);
      if (nodes[i].max_visits > 0) {
        members += " (exhausted)";
        through_exhausted = true;
      }
    }
    out.push_back(
        fmt::format("{}: on a loop without a bound through {} (set max_visits on a node of it{})",
                    name_of(loop.front()), members,
                    through_exhausted ? ", or send on_exhausted out of the loop" : ""));
  }
  return out;
}

}  // namespace orchsim::orchestration
