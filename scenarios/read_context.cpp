#include "scenarios/read_context.hpp"

#include <fmt/format.h>

#include "scenarios/scenario.hpp"

namespace orchsim::scenarios {

namespace orch = orchestration;

orch::AgentIndex ReadContext::agent(const Json* j, const std::string& at) {
  if (!j || !j->is_string()) {
    diagnostics_.error(
        at, fmt::format("found {}, expected an agent name", j ? describe_json(*j) : "nothing"));
    return 0;
  }
  const std::string name = j->get<std::string>();
  const std::int32_t i = scenario_.agent_index(name);
  if (i < 0 && scenario_.agents.empty()) return 0;  // /agents is missing or broken, reported there
  if (i < 0) {
    std::vector<std::string> names;
    for (const auto& a : scenario_.agents) names.push_back(a.name);
    const std::string near = closest_match(name, names);
    diagnostics_.error(
        at, fmt::format("found \"{}\", expected the name of an agent defined in /agents", name),
        near.empty() ? "" : fmt::format("did you mean \"{}\"?", near));
    return 0;
  }
  return static_cast<orch::AgentIndex>(i);
}

std::vector<orch::AgentIndex> ReadContext::agents(ObjectReader& r, const std::string& key,
                                                  bool required) {
  std::vector<orch::AgentIndex> out;
  const Json* j = r.child(key);
  if (!j) {
    if (required) diagnostics_.error(r.at(key), "missing, expected an array of agent names");
    return out;
  }
  if (!j->is_array()) {
    diagnostics_.error(
        r.at(key), fmt::format("found {}, expected an array of agent names", describe_json(*j)));
    return out;
  }
  for (std::size_t i = 0; i < j->size(); ++i) {
    out.push_back(agent(&(*j)[i], pointer_join(r.at(key), std::to_string(i))));
  }
  return out;
}

orch::NodeId ReadContext::node(ObjectReader& r, const std::string& key, bool required) {
  const Json* j = r.child(key);
  if (!j || j->is_null()) {
    if (required) diagnostics_.error(r.at(key), "missing, expected the name of a node");
    return orch::kNoNode;
  }
  return node(*j, r.at(key));
}

orch::NodeId ReadContext::node(const Json& j, const std::string& at) {
  if (!j.is_string()) {
    diagnostics_.error(at, fmt::format("found {}, expected the name of a node", describe_json(j)));
    return orch::kNoNode;
  }
  const std::string name = j.get<std::string>();
  const auto it = node_ids_.find(name);
  if (it == node_ids_.end()) {
    std::vector<std::string> names;
    for (const auto& [n, id] : node_ids_) names.push_back(n);
    const std::string near = closest_match(name, names);
    diagnostics_.error(
        at, fmt::format("found \"{}\", expected the name of a node in /workflow/nodes", name),
        near.empty() ? "" : fmt::format("did you mean \"{}\"?", near));
    return orch::kNoNode;
  }
  return it->second;
}

bool ReadContext::already_reported(const std::string& pointer) const {
  for (const Diagnostic& x : diagnostics_.items()) {
    if (x.pointer == pointer || x.pointer.rfind(pointer + "/", 0) == 0) return true;
  }
  return false;
}

std::string field_pointer(const std::string& field) {
  std::string out = "/";
  for (char ch : field) {
    if (ch == '.' || ch == '[') {
      out += '/';
    } else if (ch != ']') {
      out += ch;
    }
  }
  std::string cleaned;  // "b[2].c" gave "b/2//c"
  for (char ch : out) {
    if (!(ch == '/' && !cleaned.empty() && cleaned.back() == '/')) cleaned += ch;
  }
  return cleaned;
}

}  // namespace orchsim::scenarios
