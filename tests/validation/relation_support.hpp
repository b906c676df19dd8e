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

template <class F>
inline void each_node(Json& doc, std::string_view type, F f) {
  for (Json& n : nodes(doc)) {
    if (n.value("type", "") == type) f(n);
  }
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
  for (const Json& n : doc["workflow"]["nodes"]) {
    if (n.value("type", "") != "gate" || !n.contains("rules")) continue;
    for (const Json& rule : n["rules"]) {
      if (rule["if"].contains(condition)) return true;
    }
  }
  return false;
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

// The checks shared by relations whose right side adds timers that never run.
inline std::function<Verdict(const ScenarioRun&, const ScenarioRun&)> same_run_if_bounded() {
  return [](const ScenarioRun& l, const ScenarioRun& r) {
    if (auto v = unbounded(l)) return *v;
    return same_run(l, r);
  };
}

}  // namespace orchsim::validation::relations
