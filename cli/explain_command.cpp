// `orchsim explain`: the workflow as text and as Graphviz DOT.
#include <fmt/format.h>

#include <iostream>

#include "cli/commands.hpp"
#include "scenarios/scenario.hpp"

namespace orchsim::cli {

namespace {
namespace orch = orchestration;

std::string node_name(const orch::Workflow& wf, orch::NodeId id) {
  return id == orch::kNoNode ? std::string("(end)") : wf.nodes[id].name;
}

std::string agents_text(const scenarios::Scenario& s, const std::vector<orch::AgentIndex>& agents) {
  std::string out;
  for (orch::AgentIndex a : agents) out += (out.empty() ? "" : ", ") + s.agents[a].name;
  return out;
}

std::string condition_text(const scenarios::Scenario& s, const orch::Condition& c) {
  using W = orch::Condition::What;
  switch (c.what) {
    case W::kAlways:
      return "always";
    case W::kLabelIs:
      return c.label_name.empty() ? fmt::format("label == #{}", c.label)
                                  : fmt::format("label == {}", c.label_name);
    case W::kConfidenceBelow:
      return fmt::format("confidence < {}", c.value);
    case W::kConfidenceAtLeast:
      return fmt::format("confidence >= {}", c.value);
    case W::kVerdictPass:
      return "verdict pass";
    case W::kVerdictFail:
      return "verdict fail";
    case W::kLastFailed:
      return "last step failed";
    case W::kErrorIs:
      return fmt::format("error == {}", mock_agents::to_string(c.error));
    case W::kClassIs:
      return fmt::format("class == {}", s.class_names.at(c.class_index));
    case W::kCostAbove:
      return fmt::format("cost > ${}", c.value);
    case W::kTimeLeftBelow:
      return fmt::format("time left < {}", c.duration);
    case W::kVisitsAtLeast:
      return fmt::format("visits({}) >= {}", node_name(s.workflow, c.node), c.count);
  }
  return "?";
}

// Every edge: (from, to, label).
struct Edge {
  orch::NodeId from, to;
  std::string label;
  bool failure;
};

std::vector<Edge> edges(const scenarios::Scenario& s) {
  std::vector<Edge> out;
  const orch::Workflow& wf = s.workflow;
  for (orch::NodeId i = 0; i < wf.nodes.size(); ++i) {
    const orch::Node& n = wf.nodes[i];
    const auto add = [&](orch::NodeId to, std::string label, bool failure = false) {
      if (to != orch::kNoNode) out.push_back({i, to, std::move(label), failure});
    };
    switch (n.kind) {
      case orch::NodeKind::kCall:
        add(n.next, "ok");
        add(n.on_failure, "failed", true);
        // A run of a sub-workflow enters it (dotted: a call, not a step).
        for (std::size_t v = 0; v <= n.on_revisit.size(); ++v) {
          const orch::CallNode& c = v == 0 ? n.call : n.on_revisit[v - 1].call;
          if (c.sub_workflow < wf.sub_workflows.size()) {
            add(wf.sub_workflows[c.sub_workflow].entry,
                v == 0 ? std::string("runs")
                       : fmt::format("runs, from visit {}", n.on_revisit[v - 1].from_visit));
          }
        }
        break;
      case orch::NodeKind::kGate:
        for (const auto& r : n.gate.rules) add(r.then, condition_text(s, r.when));
        add(n.gate.otherwise, "otherwise");
        break;
      case orch::NodeKind::kFanOut:
        for (orch::NodeId b : n.fan_out.branches) add(b, "branch");
        add(n.fan_out.map_entry,
            fmt::format("{}{}",
                        n.fan_out.count_from_label ? std::string("map (count from label)")
                                                   : fmt::format("map x{}", n.fan_out.map_count),
                        n.fan_out.max_concurrency > 0
                            ? fmt::format(", {} at once", n.fan_out.max_concurrency)
                            : std::string()));
        break;
      case orch::NodeKind::kJoin:
        add(n.next, fmt::format("join: {}", orch::to_string(n.join.policy)));
        add(n.join.on_failure, "join failed", true);
        break;
      case orch::NodeKind::kTerminal:
        break;
    }
    add(n.on_exhausted, fmt::format("after {} visits", n.max_visits), true);
  }
  return out;
}

// A choreography has no graph to walk: who reacts to what, and what it publishes.
void write_choreography(const scenarios::Scenario& s) {
  const orch::Choreography& c = *s.choreography;
  std::cout << "\nchoreography (no orchestrator; docs/choreography.md):\n";
  for (std::size_t i = 0; i < c.subscriptions.size(); ++i) {
    const orch::Subscription& sub = c.subscriptions[i];
    std::string filter;
    if (sub.when != orch::DeliveryFilter::kAlways) {
      filter = fmt::format(" if {} {}", sim::enum_name(orch::kDeliveryFilterNames, sub.when),
                           sub.threshold);
    }
    std::string publishes = sub.publish;
    if (!sub.publish_on_reject.empty()) {
      publishes = fmt::format("{} (pass) / {} (fail)", sub.publish, sub.publish_on_reject);
    }
    std::cout << fmt::format("  [{}] {:<20} on {}{} -> {} -> {}; attempts {}, timeout {}{}\n", i,
                             sub.name, sub.on, filter, s.agents[sub.agent].name, publishes,
                             sub.retry.rules.empty() ? fmt::format("{}", sub.retry.max_attempts)
                                                     : std::string("by rules"),
                             sub.timeout > sim::Duration::zero()
                                 ? fmt::format("{} ms", sub.timeout.milliseconds_f())
                                 : std::string("none"),
                             sub.idempotent ? ", idempotent" : "");
  }
  std::string topics;
  for (const std::string& t : c.completes_on) topics += (topics.empty() ? "" : ", ") + t;
  std::cout << fmt::format("  a request completes on: {}\n", topics);
}

void write_text(const scenarios::Scenario& s) {
  const orch::Workflow& wf = s.workflow;
  std::cout << fmt::format("{}: {}\n\nagents:\n", s.name, s.description);
  for (const auto& a : s.agents) {
    std::cout << fmt::format(
        "  {:<20} {:<12} servers {:>4}  window {:>7} tokens  mean latency {}\n", a.name, a.role,
        a.servers, a.context_window_tokens,
        a.latency.base_ms.mean() ? fmt::format("{:.1f} ms base", *a.latency.base_ms.mean())
                                 : std::string("(heavy tail)"));
  }
  if (s.choreography) {
    write_choreography(s);
    return;
  }
  std::cout << fmt::format("\nworkflow (entry: {}):\n", node_name(wf, wf.entry));
  for (orch::NodeId i = 0; i < wf.nodes.size(); ++i) {
    const orch::Node& n = wf.nodes[i];
    std::string detail;
    if (n.kind == orch::NodeKind::kCall) {
      const auto& c = n.call;
      detail =
          c.sub_workflow < wf.sub_workflows.size()
              ? fmt::format("runs sub-workflow {}", wf.sub_workflows[c.sub_workflow].name)
              : fmt::format("agents [{}] routing {}", agents_text(s, c.agents), c.routing.policy);
      for (const auto& rule : c.retry.rules) {
        std::string on;
        for (const auto k : rule.retry_on)
          on += (on.empty() ? "" : "|") + std::string(mock_agents::to_string(k));
        if (rule.retry_on_timeout) on += on.empty() ? "timeout" : "|timeout";
        detail += fmt::format(", retry {} x{} ({} backoff, {} jitter)", on.empty() ? "nothing" : on,
                              rule.max_retries, orch::to_string(rule.backoff.shape),
                              orch::to_string(rule.backoff.jitter));
      }
      if (c.retry.rules.empty() && c.retry.max_attempts > 1) {
        detail += fmt::format(", retry x{} ({} backoff, {} jitter)", c.retry.max_attempts,
                              orch::to_string(c.retry.backoff.shape),
                              orch::to_string(c.retry.backoff.jitter));
      }
      if (c.attempt_timeout > sim::Duration::zero())
        detail += fmt::format(", timeout {}", c.attempt_timeout);
      if (c.hedge.max_extra_attempts > 0)
        detail += fmt::format(", hedge +{} after {}", c.hedge.max_extra_attempts, c.hedge.delay);
      if (!c.fallback_agents.empty())
        detail += fmt::format(", fallback [{}]", agents_text(s, c.fallback_agents));
      if (c.validator.enabled) detail += ", validated";
      detail += fmt::format(", context {}", orch::to_string(c.fit));
      for (const orch::Revisit& r : n.on_revisit) {
        detail += fmt::format(", from visit {}: {}", r.from_visit,
                              r.call.sub_workflow < wf.sub_workflows.size()
                                  ? "sub-workflow " + wf.sub_workflows[r.call.sub_workflow].name
                                  : "agents [" + agents_text(s, r.call.agents) + "]");
      }
    } else if (n.kind == orch::NodeKind::kTerminal) {
      detail =
          fmt::format("{} \"{}\"", n.terminal.success ? "success" : "failure", n.terminal.outcome);
    }
    if (n.max_visits > 0)
      detail += fmt::format("{}at most {} visits", detail.empty() ? "" : ", ", n.max_visits);
    std::cout << fmt::format("  [{}] {:<22} {:<9} {}\n", i, n.name, orch::to_string(n.kind),
                             detail);
  }
  for (const orch::SubWorkflow& w : wf.sub_workflows) {
    std::cout << fmt::format(
        "\nsub-workflow {} (entry: {}, nodes {}..{}{}{})\n", w.name, node_name(wf, w.entry),
        w.first, w.first + w.count - 1,
        w.timeout > sim::Duration::zero() ? fmt::format(", timeout {}", w.timeout) : std::string(),
        w.retry_budget ? ", own retry budget" : "");
  }
  std::cout << "\nedges:\n";
  for (const Edge& e : edges(s)) {
    std::cout << fmt::format("  {} -> {}  [{}]\n", node_name(wf, e.from), node_name(wf, e.to),
                             e.label);
  }
}

std::string dot_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

void write_dot(const scenarios::Scenario& s) {
  const orch::Workflow& wf = s.workflow;
  std::cout << fmt::format("digraph \"{}\" {{\n  rankdir=LR;\n  node [fontname=\"Helvetica\"];\n",
                           dot_escape(s.name));
  std::cout << "  start [shape=point];\n";
  // Sub-workflows as clusters around their nodes.
  std::vector<std::size_t> cluster(wf.nodes.size(), wf.sub_workflows.size());
  for (std::size_t w = 0; w < wf.sub_workflows.size(); ++w) {
    const orch::SubWorkflow& sub = wf.sub_workflows[w];
    for (orch::NodeId i = sub.first; i < sub.first + sub.count && i < wf.nodes.size(); ++i) {
      cluster[i] = w;
    }
  }
  for (orch::NodeId i = 0; i < wf.nodes.size(); ++i) {
    const orch::Node& n = wf.nodes[i];
    const bool opens =
        cluster[i] < wf.sub_workflows.size() && (i == 0 || cluster[i - 1] != cluster[i]);
    if (opens) {
      std::cout << fmt::format(
          "  subgraph cluster_{} {{\n    label=\"sub-workflow {}\"; style=dashed;\n", cluster[i],
          dot_escape(wf.sub_workflows[cluster[i]].name));
    }
    std::string shape = "box", label = n.name;
    switch (n.kind) {
      case orch::NodeKind::kCall:
        label += "\\n" + (n.call.sub_workflow < wf.sub_workflows.size()
                              ? "runs " + wf.sub_workflows[n.call.sub_workflow].name
                              : agents_text(s, n.call.agents));
        shape = "box, style=rounded";
        break;
      case orch::NodeKind::kGate:
        shape = "diamond";
        break;
      case orch::NodeKind::kFanOut:
        shape = "triangle";
        break;
      case orch::NodeKind::kJoin:
        shape = "invtriangle";
        break;
      case orch::NodeKind::kTerminal:
        shape = n.terminal.success ? "doublecircle" : "octagon";
        break;
    }
    std::cout << fmt::format("  n{} [label=\"{}\", shape={}];\n", i, dot_escape(label), shape);
    const bool closes = cluster[i] < wf.sub_workflows.size() &&
                        (i + 1 == wf.nodes.size() || cluster[i + 1] != cluster[i]);
    if (closes) std::cout << "  }\n";
  }
  std::cout << fmt::format("  start -> n{};\n", wf.entry);
  for (const Edge& e : edges(s)) {
    const bool runs = e.label.rfind("runs", 0) == 0;
    std::cout << fmt::format("  n{} -> n{} [label=\"{}\"{}];\n", e.from, e.to, dot_escape(e.label),
                             e.failure ? ", style=dashed, color=firebrick"
                             : runs    ? ", style=dotted, color=steelblue"
                                       : "");
  }
  std::cout << "}\n";
}

}  // namespace

int explain_command(const std::string& name, const std::string& format) {
  const scenarios::LoadResult r =
      scenarios::load_scenario(name.empty() ? scenarios::kDefaultScenario : name);
  if (!r.ok()) {
    std::cerr << r.diagnostics.format();
    return kExitBadInput;
  }
  if (format == "dot") {
    write_dot(*r.scenario);
  } else {
    write_text(*r.scenario);
    if (format == "both") {
      std::cout << "\n";
      write_dot(*r.scenario);
    }
  }
  return kExitOk;
}

}  // namespace orchsim::cli
