#include "scenarios/routing_section.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace orchsim::scenarios {

namespace orch = orchestration;

namespace {

// The flat keys of format version 1, with the checks they always had.
void read_legacy_keys(ObjectReader& rr, const Json& routing, Json& legacy,
                      const std::vector<std::string>& agent_names, std::size_t agent_count) {
  const auto keep = [&](const char* key) {
    if (routing.contains(key)) legacy[key] = routing[key];
  };
  if (const Json* w = rr.child("weights")) {
    if (!w->is_array()) {
      rr.diagnostics().error(rr.at("weights"),
                             fmt::format("found {}, expected an array of numbers, one per agent",
                                         describe_json(*w)));
    } else {
      for (std::size_t i = 0; i < w->size(); ++i) {
        const Json& x = (*w)[i];
        if (!x.is_number() || !(x.get<double>() >= 0.0)) {
          rr.diagnostics().error(pointer_join(rr.at("weights"), std::to_string(i)),
                                 fmt::format("found {}, expected a number >= 0", describe_json(x)));
        }
      }
      if (w->size() != agent_count) {
        rr.diagnostics().error(
            rr.at("weights"),
            fmt::format("found {} weights, expected one per agent ({})", w->size(), agent_count));
      }
    }
    keep("weights");
  }
  rr.number("min_confidence", 0.0, Range::probability());
  rr.number("exploration", 1.0, Range::non_negative());
  rr.number("cost_weight", 10.0, Range::non_negative());
  rr.number("accept_confidence", 0.7, Range::probability());
  for (const char* key : {"min_confidence", "exploration", "cost_weight", "accept_confidence"}) {
    keep(key);
  }
  if (const Json* tiers = rr.child("tiers")) {
    if (!tiers->is_array()) {
      rr.diagnostics().error(
          rr.at("tiers"),
          fmt::format("found {}, expected an array of agent names", describe_json(*tiers)));
    } else {
      for (std::size_t i = 0; i < tiers->size(); ++i) {
        const Json& t = (*tiers)[i];
        const std::string at = pointer_join(rr.at("tiers"), std::to_string(i));
        if (!t.is_string()) {
          rr.diagnostics().error(
              at, fmt::format("found {}, expected the name of an agent", describe_json(t)));
        } else if (std::find(agent_names.begin(), agent_names.end(), t.get<std::string>()) ==
                   agent_names.end()) {
          const std::string near = closest_match(t.get<std::string>(), agent_names);
          rr.diagnostics().error(
              at, fmt::format("found \"{}\", expected the name of an agent", t.get<std::string>()),
              near.empty() ? "" : fmt::format("did you mean \"{}\"?", near));
        }
      }
    }
    keep("tiers");
  }
}

}  // namespace

void read_routing(const Json& routing, const std::string& at, orch::CallNode& call,
                  const std::vector<std::string>& agent_names, Diagnostics& d) {
  ObjectReader rr(routing, at, d);
  call.routing = orch::RoutingConfig{};
  call.routing.pointer = at;
  call.routing.policy = rr.string("policy", "static");
  Json legacy = Json::object();
  if (rr.valid()) read_legacy_keys(rr, routing, legacy, agent_names, call.agents.size());
  if (!legacy.empty()) call.routing.legacy = std::make_shared<const Json>(std::move(legacy));
  if (const Json* params = rr.child("params")) {
    if (!params->is_object()) {
      d.error(rr.at("params"),
              fmt::format("found {}, expected an object of the policy's parameters",
                          describe_json(*params)));
    } else {
      call.routing.params = std::make_shared<const Json>(*params);
    }
  }
  rr.finish();
}

void check_routing(orch::CallNode& call, const std::string& node_name,
                   const std::vector<std::string>& agent_names, std::uint32_t class_count,
                   const orch::PolicyRegistry& registry, Diagnostics& d) {
  const orch::PolicyRegistry::Entry* entry = registry.find(call.routing.policy);
  if (entry) call.routing.factory = entry->factory;
  std::vector<orch::ParamProblem> problems;
  std::vector<orch::AgentIndex> candidates = call.agents;
  // Problems of its own raise no usage concern: the policy made here is only a check.
  (void)orch::make_node_policy(call.routing, node_name, candidates, agent_names, class_count,
                               registry, problems);
  for (orch::ParamProblem& p : problems) {
    // One problem per place: the flat keys were checked as they were read.
    const bool repeated = std::any_of(d.items().begin(), d.items().end(),
                                      [&](const Diagnostic& x) { return x.pointer == p.pointer; });
    if (!repeated) d.error(std::move(p.pointer), std::move(p.message), std::move(p.hint));
  }
  if (problems.empty()) call.agents = std::move(candidates);
}

}  // namespace orchsim::scenarios
