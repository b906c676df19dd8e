// `orchsim explain`: the workflow as text and as Graphviz DOT.
#include <iostream>

#include <fmt/format.h>

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
    case W::kAlways: return "always";
    case W::kLabelIs:
      return c.label_name.empty() ? fmt::format("label == #{}", c.label)
                                  : fmt::format("label == {}", c.label_name);
    case W::kConfidenceBelow: return fmt::format("confidence < {}", c.value);
    case W::kConfidenceAtLeast: return fmt::format("confidence >= {}", c.value);
    case W::kVerdictPass: return "verdict pass";
    case W::kVerdictFail: return "verdict fail";
    case W::kLastFailed: return "last step failed";
    case W::kErrorIs: return fmt::format("error == {}", mock_agents::to_string(c.error));
    case W::kClassIs: return fmt::format("class == {}", s.class_names.at(c.class_index));
    case W::kCostAbove: return fmt::format("cost > ${}", c.value);
    case W::kTimeLeftBelow: return fmt::format("time left < {}", c.duration);
    case W::kVisitsAtLeast: return fmt::format("visits({}) >= {}", node_name(s.workflow, c.node), c.count);
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

void write_text(const scenarios::Scenario& s) {
  const orch::Workflow& wf = s.workflow;
  std::cout << fmt::format("{}: {}\n\nagents:\n", s.name, s.description);
  for (const auto& a : s.agents) {
    std::cout << fmt::format("  {:<20} {:<12} servers {:>4}  window {:>7} tokens  mean latency {}\n", a.name,
                             a.role, a.servers, a.context_window_tokens,
                             a.latency.base_ms.mean() ? fmt::format("{:.1f} ms base", *a.latency.base_ms.mean())
                                                      : std::string("(heavy tail)"));
  }
  std::cout << fmt::format("\nworkflow (entry: {}):\n", node_name(wf, wf.entry));
  for (orch::NodeId i = 0; i < wf.nodes.size(); ++i) {
    const orch::Node& n = wf.nodes[i];
    std::string detail;
    if (n.kind == orch::NodeKind::kCall) {
      const auto& c = n.call;
      detail = fmt::format("agents [{}] routing {}", agents_text(s, c.agents),
                           c.routing.policy);
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
                              orch::to_string(c.retry.backoff.shape), orch::to_string(c.retry.backoff.jitter));
      }
      if (c.attempt_timeout > sim::Duration::zero()) detail += fmt::format(", timeout {}", c.attempt_timeout);
      if (c.hedge.max_extra_attempts > 0) detail += fmt::format(", hedge +{} after {}", c.hedge.max_extra_attempts, c.hedge.delay);
      if (!c.fallback_agents.empty()) detail += fmt::format(", fallback [{}]", agents_text(s, c.fallback_agents));
      if (c.validator.enabled) detail += ", validated";
      detail += fmt::format(", context {}", orch::to_string(c.fit));
    } else if (n.kind == orch::NodeKind::kTerminal) {
      detail = fmt::format("{} \"{}\"", n.terminal.success ? "success" : "failure", n.terminal.outcome);
    }
    if (n.max_visits > 0) detail += fmt::format("{}at most {} visits", detail.empty() ? "" : ", ", n.max_visits);
    std::cout << fmt::format("  [{}] {:<22} {:<9} {}\n", i, n.name, orch::to_string(n.kind), detail);
  }
  std::cout << "\nedges:\n";
  for (const Edge& e : edges(s)) {
    std::cout << fmt::format("  {} -> {}  [{}]\n", node_name(wf, e.from), node_name(wf, e.to), e.label);
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
  std::cout << fmt::format("digraph \"{}\" {{\n  rankdir=LR;\n  node [fontname=\"Helvetica\"];\n", dot_escape(s.name));
  std::cout << "  start [shape=point];\n";
  for (orch::NodeId i = 0; i < wf.nodes.size(); ++i) {
    const orch::Node& n = wf.nodes[i];
    std::string shape = "box", label = n.name;
    switch (n.kind) {
      case orch::NodeKind::kCall:
        label += "\\n" + agents_text(s, n.call.agents);
        shape = "box, style=rounded";
        break;
      case orch::NodeKind::kGate: shape = "diamond"; break;
      case orch::NodeKind::kFanOut: shape = "triangle"; break;
      case orch::NodeKind::kJoin: shape = "invtriangle"; break;
      case orch::NodeKind::kTerminal: shape = n.terminal.success ? "doublecircle" : "octagon"; break;
    }
    std::cout << fmt::format("  n{} [label=\"{}\", shape={}];\n", i, dot_escape(label), shape);
  }
  std::cout << fmt::format("  start -> n{};\n", wf.entry);
  for (const Edge& e : edges(s)) {
    std::cout << fmt::format("  n{} -> n{} [label=\"{}\"{}];\n", e.from, e.to, dot_escape(e.label),
                             e.failure ? ", style=dashed, color=firebrick" : "");
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
