// What the section readers share while a scenario file is read: where
// problems go, the scenario read so far (agents before the workflow, request
// classes before gate conditions) and the node names, so that names in the
// file resolve to indices, each miss with a "did you mean".
//
//   ReadContext ctx(diagnostics, scenario, "scenarios/library", PolicyRegistry::global());
//   AgentIndex a = ctx.agent(json, "/workflow/nodes/0/fallback/0");
//   NodeId n = ctx.node(reader, "next", /*required=*/true);
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "orchestration/workflow.hpp"
#include "scenarios/replay_trace.hpp"

namespace orchsim::orchestration {
class PolicyRegistry;
}
#include "scenarios/json_reader.hpp"

namespace orchsim::scenarios {

struct Scenario;

class ReadContext {
 public:
  ReadContext(Diagnostics& diagnostics, const Scenario& scenario, std::string base_dir,
              const orchestration::PolicyRegistry& policies)
      : diagnostics_(diagnostics),
        scenario_(scenario),
        base_dir_(std::move(base_dir)),
        policies_(policies) {}

  Diagnostics& diagnostics() { return diagnostics_; }
  const Scenario& scenario() const { return scenario_; }
  // The scenario file's folder: relative file names in it resolve from here.
  const std::string& base_dir() const { return base_dir_; }
  // The routing policies a node may name (built-ins, and the caller's).
  const orchestration::PolicyRegistry& policies() const { return policies_; }

  // An agent by name (`j` may be null: "found nothing"); 0 after a problem.
  orchestration::AgentIndex agent(const Json* j, const std::string& at);
  // An array of agent names at `key`.
  std::vector<orchestration::AgentIndex> agents(ObjectReader& r, const std::string& key,
                                                bool required);

  // Node names are known before any node is read, so edges may point forward.
  void set_node_ids(std::map<std::string, orchestration::NodeId> ids) {
    node_ids_ = std::move(ids);
  }
  const std::map<std::string, orchestration::NodeId>& node_ids() const { return node_ids_; }
  // A node by name at `key`; kNoNode when absent or after a problem.
  orchestration::NodeId node(ObjectReader& r, const std::string& key, bool required);
  orchestration::NodeId node(const Json& j, const std::string& at);

  // A replayed trace with per-request attributes (tokens, classes), read
  // with the arrivals and bound to the request classes once they are read.
  std::optional<ReplayTrace> pending_replay;

  // Whether a problem was reported at `pointer` or inside it.
  bool already_reported(const std::string& pointer) const;

 private:
  Diagnostics& diagnostics_;
  const Scenario& scenario_;
  std::string base_dir_;
  const orchestration::PolicyRegistry& policies_;
  std::map<std::string, orchestration::NodeId> node_ids_;
};

// "a.b[2].c" -> "/a/b/2/c": a config's field path as a JSON pointer suffix.
std::string field_pointer(const std::string& field);

}  // namespace orchsim::scenarios
