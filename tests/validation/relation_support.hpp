// What the relations of relations.cpp, relations_inert.cpp and
// relations_equivalent.cpp share: verdicts, edits of scenario documents,
// and comparisons of runs. For those files only.
#pragma once

#include <fmt/format.h>

#include <cmath>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tests/validation/relations.hpp"

// In namespace relations: they are part of the relations' implementation.
namespace orchsim::validation::relations {

inline Verdict holds() { return {Verdict::Kind::kHolds, ""}; }
inline Verdict broken(std::string detail) { return {Verdict::Kind::kBroken, std::move(detail)}; }
inline Verdict not_applicable(std::string why) {
  return {Verdict::Kind::kNotApplicable, std::move(why)};
}

// --- Editing scenario documents ----------------------------------------------------

inline Json& nodes(Json& doc) { return doc["workflow"]["nodes"]; }

// Every graph's node list: the top level's, then each sub-workflow's.
template <class F>
inline void each_graph(Json& doc, F f) {
  f(nodes(doc));
  if (!doc.contains("workflows")) return;
  for (auto it = doc["workflows"].begin(); it != doc["workflows"].end(); ++it) {
    if (it.value().is_object() && it.value().contains("nodes")) f(it.value()["nodes"]);
  }
}
template <class F>
inline void each_graph(const Json& doc, F f) {
  f(doc["workflow"]["nodes"]);
  if (!doc.contains("workflows")) return;
  for (auto it = doc["workflows"].begin(); it != doc["workflows"].end(); ++it) {
    if (it.value().is_object() && it.value().contains("nodes")) f(it.value()["nodes"]);
  }
}

// Every sub-workflow's definition (the object under /workflows).
template <class F>
inline void each_sub_workflow(Json& doc, F f) {
  if (!doc.contains("workflows")) return;
  for (auto it = doc["workflows"].begin(); it != doc["workflows"].end(); ++it) {
    if (it.value().is_object()) f(it.value());
  }
}

// Every node of `type`, in every graph.
template <class F>
inline void each_node(Json& doc, std::string_view type, F f) {
  each_graph(doc, [&](Json& list) {
    for (Json& n : list) {
      if (n.value("type", "") == type) f(n);
    }
  });
}
template <class F>
inline void each_node(const Json& doc, std::string_view type, F f) {
  each_graph(doc, [&](const Json& list) {
    for (const Json& n : list) {
      if (n.value("type", "") == type) f(n);
    }
  });
}

// Each call node's step, and each of its on_revisit rules' patches, to read.
template <class F>
inline void each_call_step_of(const Json& doc, F f) {
  each_node(doc, "call", [&](const Json& n) {
    f(n);
    if (!n.contains("on_revisit")) return;
    for (const Json& rule : n["on_revisit"]) {
      if (rule.contains("set")) f(rule["set"]);
    }
  });
}

// Every call step's keys: each call node, and each of its on_revisit
// rules' `set` (a patch on the node's keys), so that an edit of the step
// holds on every visit.
template <class F>
inline void each_call_step(Json& doc, F f) {
  each_node(doc, "call", [&](Json& n) {
    f(n);
    if (!n.contains("on_revisit")) return;
    for (Json& rule : n["on_revisit"]) {
      if (rule.contains("set")) f(rule["set"]);
    }
  });
}
template <class F>
inline void each_agent(Json& doc, F f) {
  for (Json& a : doc["agents"]) f(a);
}
inline Json& resilience(Json& doc) {
  if (!doc.contains("resilience")) doc["resilience"] = Json::object();
  return doc["resilience"];
}
inline Json& run_settings(Json& doc) {
  if (!doc.contains("run")) doc["run"] = Json::object();
  return doc["run"];
}
inline std::string first_agent(const Json& doc) {
  return doc["agents"][0]["name"].get<std::string>();
}

// Whether some gate rule of the document reads `condition`.
inline bool reads_condition(const Json& doc, std::string_view condition) {
  bool reads = false;
  each_node(doc, "gate", [&](const Json& n) {
    if (!n.contains("rules")) return;
    for (const Json& rule : n["rules"]) reads = reads || rule["if"].contains(condition);
  });
  return reads;
}
inline std::string policy_of(const Json& call_node) {
  return call_node.contains("routing") ? call_node["routing"].value("policy", "static") : "static";
}

// --- Comparing runs ------------------------------------------------------------------

inline bool same_cost(double a, double b) { return (std::isnan(a) && std::isnan(b)) || a == b; }

inline std::vector<std::string> without(const std::vector<std::string>& lines,
                                        const std::vector<std::string_view>& prefixes) {
  std::vector<std::string> out;
  for (const std::string& l : lines) {
    if (std::none_of(prefixes.begin(), prefixes.end(),
                     [&l](std::string_view p) { return l.starts_with(p); })) {
      out.push_back(l);
    }
  }
  return out;
}

// A timer set to "never" never runs only in a run bounded by its drain
// limit: one whose arrivals ended (else nothing stops the clock before the
// timer) and that ended well before "never".
inline std::optional<Verdict> unbounded(const ScenarioRun& left) {
  if (left.result.arrivals_end == sim::Time::max()) {
    return not_applicable("the arrivals never ended, so no drain limit bounds the run");
  }
  if (left.result.end >= sim::Time::zero() + sim::Duration::from_milliseconds(kNeverMs)) {
    return not_applicable("the run lasted past \"never\"");
  }
  return std::nullopt;
}

// A sub-workflow run's start (a "W" line) states its deadline ("until="):
// the earliest limit above it, a timer that never runs included. The lines
// without it, for relations that add such timers.
inline std::vector<std::string> without_run_deadlines(std::vector<std::string> lines) {
  for (std::string& line : lines) {
    if (line.starts_with("W ")) line.erase(line.find(" until="));
  }
  return lines;
}

// The checks shared by relations whose right side adds timers that never run.
inline std::function<Verdict(const ScenarioRun&, const ScenarioRun&)> same_run_if_bounded() {
  return [](const ScenarioRun& l, const ScenarioRun& r) {
    if (auto v = unbounded(l)) return *v;
    ScenarioRun l2, r2;
    l2.events = without_run_deadlines(l.events);
    r2.events = without_run_deadlines(r.events);
    l2.costs = l.costs;
    r2.costs = r.costs;
    l2.metrics = l.metrics;
    r2.metrics = r.metrics;
    return same_run(l2, r2);
  };
}

}  // namespace orchsim::validation::relations
