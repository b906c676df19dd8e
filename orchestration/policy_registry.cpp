#include "orchestration/policy_registry.hpp"

#include <fmt/format.h>

#include <stdexcept>

namespace orchsim::orchestration {

PolicyRegistry& PolicyRegistry::global() {
  static PolicyRegistry* registry = [] {
    auto* r = new PolicyRegistry();  // never destroyed: policies may outlive static destructors
    register_builtin_policies(*r);
    return r;
  }();
  return *registry;
}

void PolicyRegistry::add(PolicyInfo info, PolicyFactory factory) {
  const std::string& name = info.name;
  const bool well_formed =
      !name.empty() && name[0] >= 'a' && name[0] <= 'z' &&
      name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") == std::string::npos;
  if (!well_formed) {
    throw std::invalid_argument(fmt::format(
        "routing policy name \"{}\": expected lower-case letters, digits and _, starting with a "
        "letter",
        name));
  }
  if (find(name) != nullptr) {
    throw std::invalid_argument(fmt::format("routing policy \"{}\" is already registered", name));
  }
  if (!factory) throw std::invalid_argument(fmt::format("routing policy \"{}\": no factory", name));
  auto shared = std::make_shared<const PolicyFactory>(std::move(factory));
  std::string key = name;  // `name` refers into `info`, which is moved below
  entries_.emplace(std::move(key), Entry{std::move(info), std::move(shared)});
}

const PolicyRegistry::Entry* PolicyRegistry::find(std::string_view name) const {
  const auto it = entries_.find(name);
  if (it != entries_.end()) return &it->second;
  return parent_ ? parent_->find(name) : nullptr;
}

std::vector<const PolicyRegistry::Entry*> PolicyRegistry::entries() const {
  std::map<std::string_view, const Entry*> all;
  for (const PolicyRegistry* r = this; r != nullptr; r = r->parent_) {
    for (const auto& [name, entry] : r->entries_) all.emplace(name, &entry);  // names are unique across layers
  }
  std::vector<const Entry*> out;
  for (const auto& [name, entry] : all) out.push_back(entry);
  return out;
}

std::vector<std::string> PolicyRegistry::names() const {
  std::vector<std::string> out;
  for (const Entry* e : entries()) out.push_back(e->info.name);
  return out;
}

std::pair<std::string, std::string> PolicyRegistry::explain_unknown(std::string_view name) const {
  const std::vector<std::string> known = names();
  std::string list;
  for (const std::string& n : known) list += (list.empty() ? "" : ", ") + n;
  const std::string near = closest_name(name, known);
  return {fmt::format("found \"{}\", expected a registered routing policy: {}", name, list),
          near.empty() ? "" : fmt::format("did you mean \"{}\"?", near)};
}

std::unique_ptr<RoutingPolicy> make_node_policy(
    const RoutingConfig& routing, std::string_view node_name, std::vector<AgentIndex>& candidates,
    std::span<const std::string> agent_names, std::uint32_t class_count,
    const PolicyRegistry& registry, std::vector<ParamProblem>& problems) {
  const PolicyFactory* factory = routing.factory.get();
  if (!factory) {
    const PolicyRegistry::Entry* entry = registry.find(routing.policy);
    if (!entry) {
      auto [message, hint] = registry.explain_unknown(routing.policy);
      problems.push_back({routing.pointer + "/policy", std::move(message), std::move(hint)});
      return nullptr;
    }
    factory = entry->factory.get();
  }
  PolicyParams params(routing.params.get(), routing.pointer + "/params", routing.legacy.get(),
                      routing.pointer);
  NodeSpec spec{.node_name = node_name,
                .candidates = &candidates,
                .agent_names = agent_names,
                .class_count = class_count};
  std::unique_ptr<RoutingPolicy> policy = (*factory)(params, spec);
  for (const ParamProblem& p : params.problems()) problems.push_back(p);
  if (!policy && params.ok()) {
    problems.push_back({routing.pointer + "/policy",
                        fmt::format("the factory of \"{}\" made no policy", routing.policy), ""});
  }
  return policy;
}

RoutingConfig RoutingConfig::named(std::string policy, std::string_view params_json) {
  RoutingConfig c;
  c.policy = std::move(policy);
  if (!params_json.empty()) {
    c.params = std::make_shared<const nlohmann::ordered_json>(
        nlohmann::ordered_json::parse(params_json.begin(), params_json.end()));
  }
  return c;
}

}  // namespace orchsim::orchestration
