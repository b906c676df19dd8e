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

SubWorkflowIndex Workflow::add_sub_workflow(std::string sub_name, std::vector<Node> sub_nodes,
                                            NodeId sub_entry) {
  const auto first = static_cast<NodeId>(nodes.size());
  const auto shift = [first](NodeId& id) {
    if (id != kNoNode) id += first;
  };
  for (Node& n : sub_nodes) {
    n.name = sub_name + "/" + n.name;
    shift(n.next);
    shift(n.on_failure);
    shift(n.on_exhausted);
    for (GateRule& r : n.gate.rules) {
      shift(r.then);
      shift(r.when.node);
    }
    shift(n.gate.otherwise);
    for (NodeId& b : n.fan_out.branches) shift(b);
    shift(n.fan_out.map_entry);
    shift(n.fan_out.join);
    shift(n.join.on_failure);
    nodes.push_back(std::move(n));
  }
  SubWorkflow sub;
  sub.name = std::move(sub_name);
  sub.first = first;
  sub.count = static_cast<NodeId>(sub_nodes.size());
  sub.entry = sub_entry == kNoNode ? kNoNode : sub_entry + first;
  sub_workflows.push_back(std::move(sub));
  return static_cast<SubWorkflowIndex>(sub_workflows.size() - 1);
}

SubWorkflowIndex Workflow::scope_of(NodeId node) const {
  for (SubWorkflowIndex w = 0; w < sub_workflows.size(); ++w) {
    const SubWorkflow& sub = sub_workflows[w];
    if (node >= sub.first && node - sub.first < sub.count) return w;
  }
  return kNoSubWorkflow;
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

// One run of Workflow::validate(): the checks, each appending its problems to
// `out` in the order validate() lists them.
class WorkflowChecker {
 public:
  WorkflowChecker(const Workflow& w, std::size_t agent_count, std::vector<std::string>& out)
      : w_(w), nodes_(w.nodes), agent_count_(agent_count), out_(out) {}

  std::string name_of(NodeId i) const {
    return nodes_[i].name.empty() ? fmt::format("node {}", i) : nodes_[i].name;
  }

  // Sub-workflows: their node ranges, entries and limits. Returns the scope
  // of each node (kNoSubWorkflow: the top level).
  std::vector<SubWorkflowIndex> check_sub_workflows() const {
    std::vector<SubWorkflowIndex> scope(nodes_.size(), kNoSubWorkflow);
    for (SubWorkflowIndex w = 0; w < w_.sub_workflows.size(); ++w) {
      const SubWorkflow& sub = w_.sub_workflows[w];
      const std::string label = sub.name.empty() ? fmt::format("sub-workflow {}", w) : sub.name;
      if (sub.count == 0 || sub.first >= nodes_.size() || nodes_.size() - sub.first < sub.count) {
        out_.push_back(
            fmt::format("{}: nodes [{}, {}) are not nodes of the workflow (there are {})", label,
                        sub.first, std::size_t{sub.first} + sub.count, nodes_.size()));
        continue;
      }
      for (NodeId i = sub.first; i < sub.first + sub.count; ++i) {
        if (scope[i] != kNoSubWorkflow) {
          out_.push_back(fmt::format("{}: node {} is in sub-workflow {} too", label, name_of(i),
                                     w_.sub_workflows[scope[i]].name));
        }
        scope[i] = w;
      }
      if (sub.entry < sub.first || sub.entry - sub.first >= sub.count) {
        out_.push_back(fmt::format("{}: entry {} is not one of its nodes", label, sub.entry));
      }
      if (sub.context_window_tokens < 0) {
        out_.push_back(fmt::format("{}: context_window_tokens must be >= 0", label));
      }
      if (sub.timeout < sim::Duration::zero()) {
        out_.push_back(fmt::format("{}: timeout must be >= 0", label));
      }
    }
    return scope;
  }

  // A node's edges stay in its scope, and its own fields make sense.
  void check_node(NodeId i, const std::vector<SubWorkflowIndex>& scope) const {
    const Node& n = nodes_[i];
    for (NodeId t : edges_of(n)) {
      if (t >= nodes_.size()) {
        out_.push_back(fmt::format("{}: edge to unknown node {}", name_of(i), t));
      } else if (scope[t] != scope[i]) {
        out_.push_back(fmt::format("{}: edge to {}, a node of {}, expected one of {}", name_of(i),
                                   name_of(t), scope_name(scope[t]), scope_name(scope[i])));
      }
    }
    switch (n.kind) {
      case NodeKind::kCall:
        check_call_node(i);
        break;
      case NodeKind::kGate:
        check_gate(i, scope);
        break;
      case NodeKind::kFanOut:
        if (n.fan_out.branches.empty() && n.fan_out.map_entry == kNoNode) {
          out_.push_back(fmt::format("{}: fan-out has no branches", name_of(i)));
        }
        if (n.fan_out.join >= nodes_.size() || nodes_[n.fan_out.join].kind != NodeKind::kJoin) {
          out_.push_back(fmt::format("{}: fan-out must name a join node", name_of(i)));
        }
        break;
      case NodeKind::kJoin:
        if (n.next == kNoNode) out_.push_back(fmt::format("{}: join has no next", name_of(i)));
        if (n.join.policy == JoinPolicy::kDeadline && n.join.deadline <= sim::Duration::zero()) {
          out_.push_back(fmt::format("{}: deadline join needs a deadline > 0", name_of(i)));
        }
        break;
      case NodeKind::kTerminal:
        break;
    }
  }

  // Reachability from the entry, and from each sub-workflow's.
  void check_reachable() const {
    std::vector<bool> seen(nodes_.size(), false);
    std::vector<NodeId> stack = {w_.entry};
    for (const SubWorkflow& sub : w_.sub_workflows) {
      if (sub.entry < nodes_.size()) stack.push_back(sub.entry);
    }
    while (!stack.empty()) {
      const NodeId i = stack.back();
      stack.pop_back();
      if (seen[i]) continue;
      seen[i] = true;
      for (NodeId t : targets(i)) stack.push_back(t);
    }
    for (NodeId i = 0; i < nodes_.size(); ++i) {
      if (!seen[i]) out_.push_back(fmt::format("{}: unreachable from the entry", name_of(i)));
    }
  }

  // Loops without a bound. Entering a node with max_visits counts a visit,
  // so a cycle through it ends, except through its on_exhausted edge: an
  // exhausted node passes the request on without counting anything, and a
  // cycle back to it goes round for ever (at one instant, if no call is on
  // it). So the cycles to find are those of the graph where a bounded node
  // keeps only its on_exhausted edge. Each strongly connected component of
  // it (Tarjan) that holds a cycle is reported once.
  void check_unbounded_loops() {
    const std::size_t count = nodes_.size();
    index_.assign(count, -1);
    low_.assign(count, 0);
    on_stack_.assign(count, false);
    for (NodeId i = 0; i < count; ++i) {
      if (index_[i] < 0) connect(i);
    }
    std::sort(loops_.begin(), loops_.end());
    for (const std::vector<NodeId>& loop : loops_) {
      std::string members;
      bool through_exhausted = false;
      for (NodeId i : loop) {
        members += (members.empty() ? "" : ", ") + name_of(i);
        if (nodes_[i].max_visits > 0) {
          members += " (exhausted)";
          through_exhausted = true;
        }
      }
      out_.push_back(
          fmt::format("{}: on a loop without a bound through {} (set max_visits on a node of it{})",
                      name_of(loop.front()), members,
                      through_exhausted ? ", or send on_exhausted out of the loop" : ""));
    }
  }

 private:
  std::string scope_name(SubWorkflowIndex w) const {
    return w == kNoSubWorkflow ? std::string("the top level")
                               : fmt::format("sub-workflow {}", w_.sub_workflows[w].name);
  }

  void check_agent(NodeId i, AgentIndex a, std::string_view what) const {
    if (a >= agent_count_) {
      out_.push_back(fmt::format("{}: {} {} is not an agent (there are {})", name_of(i), what, a,
                                 agent_count_));
    }
  }

  // A call node's own configuration, then each on_revisit one's.
  void check_call_node(NodeId i) const {
    const Node& n = nodes_[i];
    check_call(i, n.call, "");
    std::uint32_t from = 1;
    for (std::size_t v = 0; v < n.on_revisit.size(); ++v) {
      const Revisit& rv = n.on_revisit[v];
      const std::string where = fmt::format("on_revisit {}: ", v);
      if (rv.from_visit <= from) {
        out_.push_back(fmt::format("{}: {}from_visit {} must be > {}", name_of(i), where,
                                   rv.from_visit, from));
      }
      from = std::max(from, rv.from_visit);
      check_call(i, rv.call, where);
    }
    if (n.next == kNoNode) out_.push_back(fmt::format("{}: call node has no next", name_of(i)));
  }

  void check_call(NodeId i, const CallNode& c, const std::string& where) const {
    // Candidates and the routing policy's parameters are checked when the
    // policy is made (orchestration/policy_registry.hpp): a policy may add
    // candidates (a cascade's tiers).
    for (AgentIndex a : c.agents) check_agent(i, a, where + "agent");
    for (AgentIndex a : c.fallback_agents) check_agent(i, a, where + "fallback agent");
    for (AgentIndex a : c.hedge.agents) check_agent(i, a, where + "hedge agent");
    if (c.retry.max_attempts == 0)
      out_.push_back(fmt::format("{}: {}max_attempts must be >= 1", name_of(i), where));
    if (c.retry.rules.size() > kMaxRetryRules) {
      out_.push_back(fmt::format("{}: {}{} retry rules, at most {}", name_of(i), where,
                                 c.retry.rules.size(), kMaxRetryRules));
    }
    if (c.fit == FitPolicy::kSummarize) check_agent(i, c.summarizer, where + "summarizer");
    if (c.time_budget.budget > sim::Duration::zero()) {
      if (c.time_budget.action == TimeBudgetConfig::Action::kRedirect) {
        check_agent(i, c.time_budget.fast_agent, where + "fast agent");
      } else {
        check_agent(i, c.time_budget.decompose_agent, where + "decompose agent");
        if (c.time_budget.parts < 2)
          out_.push_back(fmt::format("{}: {}decompose parts must be >= 2", name_of(i), where));
      }
    }
    if (!(c.output_tokens_factor >= 0.0 && c.output_tokens_factor <= 1e6)) {
      out_.push_back(fmt::format("{}: {}output_tokens_factor {} is not in [0, 1e6]", name_of(i),
                                 where, c.output_tokens_factor));
    }
    if (c.sub_workflow != kNoSubWorkflow) {
      if (c.sub_workflow >= w_.sub_workflows.size()) {
        out_.push_back(fmt::format("{}: {}sub-workflow {} is not a sub-workflow (there are {})",
                                   name_of(i), where, c.sub_workflow, w_.sub_workflows.size()));
      }
      if (!c.agents.empty()) {
        out_.push_back(
            fmt::format("{}: {}names agents and a sub-workflow, expected one", name_of(i), where));
      }
    }
  }

  void check_gate(NodeId i, const std::vector<SubWorkflowIndex>& scope) const {
    const Node& n = nodes_[i];
    if (n.gate.otherwise == kNoNode) {
      out_.push_back(fmt::format("{}: gate has no 'otherwise' target", name_of(i)));
    }
    for (std::size_t r = 0; r < n.gate.rules.size(); ++r) {
      const Condition& c = n.gate.rules[r].when;
      if (c.what == Condition::What::kVisitsAtLeast && c.node >= nodes_.size()) {
        out_.push_back(
            fmt::format("{}: rule {} counts visits of unknown node {}", name_of(i), r, c.node));
      } else if (c.what == Condition::What::kVisitsAtLeast && scope[c.node] != scope[i]) {
        out_.push_back(fmt::format("{}: rule {} counts visits of {}, a node of {}", name_of(i), r,
                                   name_of(c.node), scope_name(scope[c.node])));
      }
    }
  }

  // The edges that lead to nodes (broken ones are reported by check_node()).
  std::vector<NodeId> targets(NodeId i) const {
    std::vector<NodeId> e = edges_of(nodes_[i]);
    std::erase_if(e, [this](NodeId t) { return t >= nodes_.size(); });
    return e;
  }

  // Where a loop can go on from v: a bounded node only through on_exhausted.
  std::vector<NodeId> loop_targets(NodeId v) const {
    if (nodes_[v].max_visits == 0) return targets(v);
    const NodeId t = nodes_[v].on_exhausted;
    return t < nodes_.size() ? std::vector<NodeId>{t} : std::vector<NodeId>{};
  }

  // Tarjan's strongly connected components, from v: each that holds a cycle
  // (more than one node, or a node with an edge to itself) joins loops_.
  void connect(NodeId v) {
    index_[v] = low_[v] = next_index_++;
    component_stack_.push_back(v);
    on_stack_[v] = true;
    bool self_loop = false;
    for (NodeId w : loop_targets(v)) {
      self_loop = self_loop || w == v;
      if (index_[w] < 0) {
        connect(w);
        low_[v] = std::min(low_[v], low_[w]);
      } else if (on_stack_[w]) {
        low_[v] = std::min(low_[v], index_[w]);
      }
    }
    if (low_[v] != index_[v]) return;
    std::vector<NodeId> component;
    NodeId w = kNoNode;
    do {
      w = component_stack_.back();
      component_stack_.pop_back();
      on_stack_[w] = false;
      component.push_back(w);
    } while (w != v);
    if (component.size() > 1 || self_loop) {
      std::sort(component.begin(), component.end());
      loops_.push_back(std::move(component));
    }
  }

  const Workflow& w_;
  const std::vector<Node>& nodes_;
  std::size_t agent_count_;
  std::vector<std::string>& out_;
  // Tarjan's state (check_unbounded_loops()).
  std::vector<std::int64_t> index_, low_;
  std::vector<bool> on_stack_;
  std::vector<NodeId> component_stack_;
  std::int64_t next_index_ = 0;
  std::vector<std::vector<NodeId>> loops_;
};

}  // namespace

std::vector<std::string> Workflow::validate(std::size_t agent_count) const {
  std::vector<std::string> out;
  if (nodes.empty()) {
    out.push_back("workflow: found no nodes, expected at least one");
    return out;
  }
  if (entry >= nodes.size()) out.push_back(fmt::format("workflow: entry {} is not a node", entry));
  // Call keys give the node 12 bits (orchestrator.cpp, CallRequest::variant).
  if (nodes.size() > 4096) {
    out.push_back(fmt::format("workflow: found {} nodes, expected at most 4096", nodes.size()));
  }
  WorkflowChecker check(*this, agent_count, out);
  const std::vector<SubWorkflowIndex> scope = check.check_sub_workflows();
  if (entry < nodes.size() && scope[entry] != kNoSubWorkflow) {
    out.push_back(fmt::format("workflow: entry {} is a node of sub-workflow {}",
                              check.name_of(entry), sub_workflows[scope[entry]].name));
  }
  for (NodeId i = 0; i < nodes.size(); ++i) check.check_node(i, scope);
  // The graph checks follow the edges that lead to nodes (broken ones are
  // reported above), so that one run of validate() lists every problem.
  if (entry >= nodes.size()) return out;
  check.check_reachable();
  check.check_unbounded_loops();
  check_sub_workflow_calls(scope, out);
  return out;
}

// Which sub-workflows each scope calls, with the recursion and the
// sub-workflows nobody calls reported.
void Workflow::check_sub_workflow_calls(const std::vector<SubWorkflowIndex>& scope,
                                        std::vector<std::string>& out) const {
  const std::size_t subs = sub_workflows.size();
  if (subs == 0) return;
  // calls[w] for w < subs: what sub-workflow w calls; calls[subs]: the top level.
  std::vector<std::set<SubWorkflowIndex>> calls(subs + 1);
  std::vector<bool> called(subs, false);
  for (NodeId i = 0; i < nodes.size(); ++i) {
    if (nodes[i].kind != NodeKind::kCall) continue;
    const std::size_t from = scope[i] == kNoSubWorkflow ? subs : scope[i];
    const auto add = [&](const CallNode& c) {
      if (c.sub_workflow >= subs) return;
      calls[from].insert(c.sub_workflow);
      called[c.sub_workflow] = true;
    };
    add(nodes[i].call);
    for (const Revisit& r : nodes[i].on_revisit) add(r.call);
  }
  for (SubWorkflowIndex w = 0; w < subs; ++w) {
    if (!called[w]) {
      out.push_back(fmt::format("{}: no call node runs this sub-workflow", sub_workflows[w].name));
    }
  }
  // Recursion: a cycle among sub-workflows, found by depth-first search
  // (colours: 0 new, 1 on the path, 2 done); each cycle reported once, from
  // the sub-workflow where the search closed it.
  std::vector<int> colour(subs, 0);
  std::vector<SubWorkflowIndex> path;
  std::function<void(SubWorkflowIndex)> visit = [&](SubWorkflowIndex w) {
    colour[w] = 1;
    path.push_back(w);
    for (const SubWorkflowIndex next : calls[w]) {
      if (colour[next] == 1) {
        std::string cycle;
        const auto start = std::find(path.begin(), path.end(), next);
        for (auto it = start; it != path.end(); ++it) cycle += sub_workflows[*it].name + " -> ";
        cycle += sub_workflows[next].name;
        out.push_back(fmt::format("{}: calls itself ({}), expected sub-workflows without recursion",
                                  sub_workflows[next].name, cycle));
      } else if (colour[next] == 0) {
        visit(next);
      }
    }
    path.pop_back();
    colour[w] = 2;
  };
  for (SubWorkflowIndex w = 0; w < subs; ++w) {
    if (colour[w] == 0) visit(w);
  }
}

}  // namespace orchsim::orchestration
