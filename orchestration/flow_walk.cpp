// The graph walk: a flow enters a node, and the node decides what happens
// next. Fan-outs nest: a branch may fan out again, and its flow waits at that
// fan-out for its own join. A join ends the group it pairs with; a flow that
// reaches a join it is not a branch of passes through. A main path ends its
// request, or, inside a sub-workflow invocation, the invocation.
#include <algorithm>

#include "orchestration/engine.hpp"
#include "orchestration/gate.hpp"
#include "orchestration/join.hpp"

namespace orchsim::orchestration::detail {

void Engine::enter(Handle<Request> req, std::uint32_t flow, NodeId node_id) {
  Request& r = requests_[req];
  Flow& f = r.flows[flow];
  std::vector<std::uint32_t>& visits = visits_of(r, f);
  // A gate, or a join the flow is not a branch of, hands the flow on at once:
  // the loop takes it to the next node (every request passes gates).
  for (;;) {
    const Node& node = workflow_.nodes[node_id];
    if (observer_) {
      observer_->on_node_entered({.at = sim_.now(),
                                  .request = r.in.id,
                                  .from = f.node,
                                  .to = node_id,
                                  .flow = f.id,
                                  .invocation = invocation_id(r, f)});
    }
    f.node = node_id;
    if (node.max_visits > 0 && visits[node_id] >= node.max_visits) {
      exhausted(req, flow, node_id);
      return;
    }
    ++visits[node_id];
    if (f.invocation != kNone) ++r.visits[node_id];
    switch (node.kind) {
      case NodeKind::kCall:
        start_step(req, flow, node_id);
        return;
      case NodeKind::kGate: {
        Reason why;
        const GateInput in{.last_agent = f.has_previous ? f.last_agent : kNoAgent,
                           .label = f.label,
                           .confidence = f.confidence,
                           .verdict = f.verdict,
                           .last_failed = f.last_failed,
                           .last_error = f.last_error,
                           .class_index = r.in.class_index,
                           .cost_usd = r.cost,
                           .now = sim_.now(),
                           .deadline = deadline_of(r, f),
                           .visits = &visits};
        const NodeId next = evaluate_gate(node.gate, in, explain_ ? &why : nullptr);
        if (observer_) {
          observer_->on_flow_decision({.at = sim_.now(),
                                       .request = r.in.id,
                                       .node = node_id,
                                       .next = next,
                                       .reason = why,
                                       .flow = f.id,
                                       .invocation = invocation_id(r, f)});
        }
        node_id = next;
        continue;
      }
      case NodeKind::kFanOut:
        start_fan_out(req, flow, node_id);
        return;
      case NodeKind::kJoin:
        if (f.group != kNone && r.groups[f.group].join == node_id) {
          branch_done(req, flow, true);
          return;
        }
        node_id = node.next;  // not this flow's join: pass through
        continue;
      case NodeKind::kTerminal:
        if (f.group != kNone) {
          branch_done(req, flow, node.terminal.success);
        } else {
          main_path_ended(req, flow, node.terminal.success, node.terminal.outcome);
        }
        return;
    }
    return;
  }
}

void Engine::main_path_ended(Handle<Request> req, std::uint32_t flow, bool success,
                             std::string_view outcome) {
  const std::uint32_t invocation = requests_[req].flows[flow].invocation;
  if (invocation == kNone) {
    finish_request(req, success, outcome);
  } else {
    end_invocation(req, invocation, success, outcome);
  }
}

// A node's max_visits is reached: its on_exhausted target, else the flow ends
// (a branch fails; the main path ends with the best answer so far or fails).
void Engine::exhausted(Handle<Request> req, std::uint32_t flow, NodeId node_id) {
  Request& r = requests_[req];
  const Node& node = workflow_.nodes[node_id];
  const Flow& f = r.flows[flow];
  if (observer_) {
    observer_->on_budget_exhausted({.at = sim_.now(),
                                    .request = r.in.id,
                                    .node = node_id,
                                    .kind = BudgetExhausted::Kind::kLoopBound});
    observer_->on_flow_decision({.at = sim_.now(),
                                 .request = r.in.id,
                                 .node = node_id,
                                 .next = node.on_exhausted,
                                 .reason = Reason::format("max_visits reached"),
                                 .flow = f.id,
                                 .invocation = invocation_id(r, f)});
  }
  if (node.on_exhausted != kNoNode) {
    enter(req, flow, node.on_exhausted);
  } else if (f.group != kNone) {
    branch_done(req, flow, false);
  } else if (node.exhausted_is_success && best_of(r, f).has) {
    main_path_ended(req, flow, true, "best_so_far");
  } else {
    main_path_ended(req, flow, false, "loop_exhausted");
  }
}

void Engine::start_fan_out(Handle<Request> req, std::uint32_t flow, NodeId node_id) {
  Request& r = requests_[req];
  const FanOutNode& fo = workflow_.nodes[node_id].fan_out;
  const std::uint32_t map_count =
      fo.map_entry == kNoNode
          ? 0
          : std::max<std::uint32_t>(1,
                                    fo.count_from_label ? r.flows[flow].label + 1 : fo.map_count);
  const std::size_t total = fo.branches.size() + map_count;
  const std::uint32_t gi = r.groups.acquire();
  JoinGroup& g = r.groups[gi];
  g.active = true;
  g.join = fo.join;
  g.fan_out = node_id;
  g.parent_flow = flow;
  g.total = static_cast<std::uint32_t>(total);
  g.parent_segments = r.flows[flow].context.segments().size();
  r.flows[flow].child_group = gi;
  const JoinNode& jn = workflow_.nodes[fo.join].join;
  if (jn.policy == JoinPolicy::kDeadline) {
    const std::uint32_t generation = g.generation;
    g.deadline_timer = sim_.schedule_after(jn.deadline, [this, req, gi, generation] {
      Request* rr = requests_.get(req);
      if (!rr || rr->groups[gi].generation != generation || !rr->groups[gi].active) return;
      finish_join(req, gi, rr->groups[gi].ok > 0, Reason::format("join deadline"));
    });
  }
  const std::uint32_t first_branch = r.next_flow_id;
  for (std::size_t b = 0; b < total; ++b) {
    const std::uint32_t bi = r.flows.acquire();
    Flow& branch = r.flows[bi];
    branch = r.flows[flow];  // the branch starts with its parent's state
    branch.active = true;
    branch.step = {};
    branch.id = r.next_flow_id++;
    branch.group = gi;
    branch.child_group = kNone;
    g.branches.push_back(bi);
  }
  if (observer_) {
    const Flow& parent = r.flows[flow];
    observer_->on_flow_decision({.at = sim_.now(),
                                 .request = r.in.id,
                                 .node = node_id,
                                 .next = fo.join,
                                 .reason = explain("fan out to {} branches", total),
                                 .flow = parent.id,
                                 .invocation = invocation_id(r, parent),
                                 .first_branch = first_branch,
                                 .branches = static_cast<std::uint32_t>(total)});
  }
  fill_branches(req, gi, g.generation);
}

// Enters the group's branches not yet started while places are free: all of
// them without max_concurrency. A branch may end at once (and start another
// from branch_done), end the group or the whole request: each turn looks again.
void Engine::fill_branches(Handle<Request> req, std::uint32_t gi, std::uint32_t generation) {
  for (;;) {
    Request* r = requests_.get(req);
    if (!r || r->groups[gi].generation != generation || !r->groups[gi].active) return;
    JoinGroup& g = r->groups[gi];
    const FanOutNode& fo = workflow_.nodes[g.fan_out].fan_out;
    if (g.started >= g.total) return;
    if (fo.max_concurrency > 0 && g.started - g.done >= fo.max_concurrency) return;
    const std::uint32_t b = g.started++;
    enter(req, g.branches[b], b < fo.branches.size() ? fo.branches[b] : fo.map_entry);
  }
}

void Engine::branch_done(Handle<Request> req, std::uint32_t flow, bool success) {
  Request& r = requests_[req];
  Flow& f = r.flows[flow];
  if (!f.active) return;
  f.active = false;
  const std::uint32_t gi = f.group;
  JoinGroup& g = r.groups[gi];
  ++g.done;
  if (success) {
    ++g.ok;
    g.evidence.push_back(f.evidence);
    if (f.has_answer) g.answers.push_back(f.answer);
    const auto& segs = f.context.segments();
    for (std::size_t i = std::min(g.parent_segments, segs.size()); i < segs.size(); ++i) {
      g.added.push_back(segs[i]);
    }
  }
  JoinVerdict v =
      decide_join(workflow_.nodes[g.join].join, {g.total, g.done, g.ok}, success, explain_);
  if (v.what != JoinVerdict::What::kWait) {
    finish_join(req, gi, v.what == JoinVerdict::What::kSucceed, v.why);
  } else if (workflow_.nodes[g.fan_out].fan_out.max_concurrency > 0) {
    fill_branches(req, gi, g.generation);  // a place freed under max_concurrency
  }
}

void Engine::finish_join(Handle<Request> req, std::uint32_t gi, bool success, const Reason& why) {
  Request& r = requests_[req];
  JoinGroup& g = r.groups[gi];
  if (!g.active) return;
  g.active = false;
  sim_.cancel(g.deadline_timer);
  for (const std::uint32_t b : g.branches) cancel_flow(req, b);
  const Node& join_node = workflow_.nodes[g.join];
  const std::uint32_t parent = g.parent_flow;
  Flow& p = r.flows[parent];
  if (success && !g.evidence.empty()) {
    double merged = 0.0;
    switch (join_node.join.merge) {
      case Merge::kMax:
        merged = *std::max_element(g.evidence.begin(), g.evidence.end());
        break;
      case Merge::kMean:
        for (double q : g.evidence) merged += q;
        merged /= static_cast<double>(g.evidence.size());
        break;
      case Merge::kUnion: {
        double miss = 1.0;
        for (double q : g.evidence) miss *= 1.0 - q;
        merged = 1.0 - miss;
        break;
      }
    }
    p.evidence = merged;
    if (!g.answers.empty()) {
      p.answer = *std::max_element(g.answers.begin(), g.answers.end());
      p.has_answer = true;
    }
    // What successful branches added (retrieved documents, tool results, ...)
    // joins the parent's context: memory accumulates across the fan-out.
    p.last_output_tokens = 0;
    for (const Segment& seg : g.added) {
      p.context.add(seg);
      p.last_output_tokens += seg.tokens;
    }
  }
  const NodeId next = success ? join_node.next : join_node.join.on_failure;
  if (observer_) {
    observer_->on_flow_decision({.at = sim_.now(),
                                 .request = r.in.id,
                                 .node = g.join,
                                 .next = next,
                                 .reason = why,
                                 .flow = p.id,
                                 .invocation = invocation_id(r, p)});
  }
  for (const std::uint32_t b : g.branches) r.flows.release(b);
  p.child_group = kNone;
  p.last_failed = !success;
  // The parent leaves from the join (it was parked at the fan-out while the
  // branches ran): the edge taken next is join -> next.
  p.node = g.join;
  r.groups.release(gi);
  if (next != kNoNode) {
    enter(req, parent, next);
  } else {
    flow_failed(req, parent, "join_failed");
  }
}

// A flow that cannot go on: a branch fails its group; the main path ends the
// request with `cause`.
void Engine::flow_failed(Handle<Request> req, std::uint32_t flow, std::string_view cause) {
  Request& r = requests_[req];
  if (r.flows[flow].group != kNone) {
    branch_done(req, flow, false);
  } else {
    main_path_ended(req, flow, false, cause);
  }
}

void Engine::cancel_flow(Handle<Request> req, std::uint32_t flow) {
  Request& r = requests_[req];
  Flow& f = r.flows[flow];
  if (f.step.valid()) {
    const Handle<Step> s = f.step;
    f.step = {};
    end_step(s);
  }
  if (f.child_group != kNone) {
    const std::uint32_t child = f.child_group;
    r.flows[flow].child_group = kNone;
    cancel_group(req, child);
  }
  r.flows[flow].active = false;
}

// Cancels a group's branches and frees them with the group: a cancelled
// invocation's fan-outs would otherwise hold their flows to the request's end.
void Engine::cancel_group(Handle<Request> req, std::uint32_t gi) {
  Request& r = requests_[req];
  JoinGroup& g = r.groups[gi];
  if (!g.active) return;
  g.active = false;
  sim_.cancel(g.deadline_timer);
  for (const std::uint32_t b : g.branches) cancel_flow(req, b);
  for (const std::uint32_t b : r.groups[gi].branches) r.flows.release(b);
  r.groups.release(gi);
}

}  // namespace orchsim::orchestration::detail
