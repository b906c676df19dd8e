// The one table of routing policies, built-in and user-written. The scenario
// loader, the schema test, `orchsim list --policies` and docs/policies.md all
// read it; nothing else names a policy.
//
//   PolicyRegistry::global().add(
//       {.name = "my_policy", .summary = "cheapest agent that is not overloaded",
//        .params = "max_queue (default 10)"},
//       [](PolicyParams& p, NodeSpec& node) -> std::unique_ptr<RoutingPolicy> {
//         const auto max_queue = p.integer("max_queue", 10, {0, 1e6});
//         p.finish();
//         return std::make_unique<MyPolicy>(max_queue);
//       });
//   // then load a scenario whose node says "routing": {"policy": "my_policy"}
//
// A factory is called once when a scenario is loaded (to check the
// parameters: with problems, the policy it returns is not used) and once per
// run for every node that names the policy (a fresh policy per node per run,
// so replications do not share learning). It must not keep references to
// the PolicyParams or the NodeSpec.
//
// Thread safety: add() before loading scenarios; lookups may then happen
// from any thread. A registry may layer over a parent, so a caller can add
// policies for one load without touching the global table (the Python
// module does this); a layer cannot shadow a name its parents have.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "orchestration/policy.hpp"
#include "orchestration/policy_params.hpp"

namespace orchsim::orchestration {

using PolicyFactory = std::function<std::unique_ptr<RoutingPolicy>(PolicyParams&, NodeSpec&)>;

struct PolicyInfo {
  std::string name;     // [a-z][a-z0-9_]*
  std::string summary;  // one line: what it does
  std::string params;   // one line: its parameters and their defaults ("" if none)
  bool builtin = false;
};

class PolicyRegistry {
 public:
  struct Entry {
    PolicyInfo info;
    std::shared_ptr<const PolicyFactory> factory;
  };

  explicit PolicyRegistry(const PolicyRegistry* parent = nullptr) : parent_(parent) {}
  // The process-wide table, holding the built-in policies.
  static PolicyRegistry& global();

  // Throws std::invalid_argument for a malformed or taken name.
  void add(PolicyInfo info, PolicyFactory factory);
  const Entry* find(std::string_view name) const;
  // Every entry, this registry's and its parents', sorted by name.
  std::vector<const Entry*> entries() const;
  std::vector<std::string> names() const;
  // "expected one of: a, b, c" and a "did you mean" hint for an unknown name.
  std::pair<std::string, std::string> explain_unknown(std::string_view name) const;

 private:
  const PolicyRegistry* parent_;
  std::map<std::string, Entry, std::less<>> entries_;
};

// Registers every built-in policy (orchestration/policies/); global() does
// this once.
void register_builtin_policies(PolicyRegistry& registry);

// Makes the policy a call node's routing config names: its factory (the one
// the loader resolved, else `registry`'s entry for the name) called with the
// node's parameters. `candidates` starts as the node's agents; the factory may
// add some. Problems (an unknown name, bad parameters, no candidates) are
// appended to `problems`, and the policy returned is then not to be used.
std::unique_ptr<RoutingPolicy> make_node_policy(
    const RoutingConfig& routing, std::string_view node_name, std::vector<AgentIndex>& candidates,
    std::span<const std::string> agent_names, std::uint32_t class_count,
    const PolicyRegistry& registry, std::vector<ParamProblem>& problems);

}  // namespace orchsim::orchestration
