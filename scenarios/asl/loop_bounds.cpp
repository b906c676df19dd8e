#include "scenarios/asl/loop_bounds.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <set>

namespace orchsim::scenarios::asl {

namespace {

constexpr double kMaxVisitsLimit = 1e6;  // the scenario format's largest max_visits

// Strongly connected components that hold a cycle (Tarjan), each sorted.
std::vector<std::vector<std::size_t>> cyclic_components(
    const std::vector<std::vector<std::size_t>>& edges) {
  const std::size_t n = edges.size();
  std::vector<std::int64_t> index(n, -1), low(n, 0);
  std::vector<bool> on_stack(n, false);
  std::vector<std::size_t> stack;
  std::int64_t next = 0;
  std::vector<std::vector<std::size_t>> out;
  std::function<void(std::size_t)> connect = [&](std::size_t v) {
    index[v] = low[v] = next++;
    stack.push_back(v);
    on_stack[v] = true;
    bool self = false;
    for (const std::size_t w : edges[v]) {
      self = self || w == v;
      if (index[w] < 0) {
        connect(w);
        low[v] = std::min(low[v], low[w]);
      } else if (on_stack[w]) {
        low[v] = std::min(low[v], index[w]);
      }
    }
    if (low[v] != index[v]) return;
    std::vector<std::size_t> component;
    std::size_t w = 0;
    do {
      w = stack.back();
      stack.pop_back();
      on_stack[w] = false;
      component.push_back(w);
    } while (w != v);
    if (component.size() > 1 || self) {
      std::sort(component.begin(), component.end());
      out.push_back(std::move(component));
    }
  };
  for (std::size_t v = 0; v < n; ++v) {
    if (index[v] < 0) connect(v);
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

std::vector<std::string> node_targets(const Json& node) {
  std::vector<std::string> out;
  const auto add = [&out](const Json& j, const char* key) {
    if (const auto it = j.find(key); it != j.end() && it->is_string()) {
      out.push_back(it->get<std::string>());
    }
  };
  add(node, "next");
  add(node, "on_failure");
  add(node, "on_exhausted");
  add(node, "otherwise");
  add(node, "join");
  if (const auto it = node.find("rules"); it != node.end()) {
    for (const Json& r : *it) add(r, "then");
  }
  if (const auto it = node.find("branches"); it != node.end()) {
    for (const Json& b : *it) out.push_back(b.get<std::string>());
  }
  if (const auto it = node.find("map"); it != node.end()) add(*it, "entry");
  return out;
}

std::vector<bool> on_cycle(const std::vector<std::vector<std::size_t>>& edges) {
  std::vector<bool> out(edges.size(), false);
  for (const auto& component : cyclic_components(edges)) {
    for (const std::size_t v : component) out[v] = true;
  }
  return out;
}

void bound_loops(Json& nodes, const std::map<std::string, LoopHint>& hints, ImportContext& cx) {
  std::map<std::string, std::size_t> id;
  for (std::size_t i = 0; i < nodes.size(); ++i) id[nodes[i]["name"].get<std::string>()] = i;
  const auto bounded = [&nodes](std::size_t i) { return nodes[i].contains("max_visits"); };
  const auto hint_of = [&hints](const std::string& name) {
    const auto it = hints.find(name);
    return it == hints.end() ? LoopHint{} : it->second;
  };
  for (;;) {
    // A bounded node keeps only its on_exhausted edge: a cycle through it ends.
    std::vector<std::vector<std::size_t>> edges(nodes.size());
    for (std::size_t i = 0; i < nodes.size(); ++i) {
      if (bounded(i)) {
        if (const auto it = nodes[i].find("on_exhausted"); it != nodes[i].end()) {
          edges[i].push_back(id.at(it->get<std::string>()));
        }
        continue;
      }
      for (const std::string& t : node_targets(nodes[i])) {
        if (const auto it = id.find(t); it != id.end()) edges[i].push_back(it->second);
      }
    }
    const auto components = cyclic_components(edges);
    if (components.empty()) return;
    for (const auto& component : components) {
      const std::set<std::size_t> members(component.begin(), component.end());
      // The node to bound: by preference, then outermost, then first.
      std::size_t chosen = component.front();
      const auto key = [&](std::size_t i) {
        const LoopHint h = hint_of(nodes[i]["name"].get<std::string>());
        const std::string type = nodes[i]["type"].get<std::string>();
        const int pref = type == "join" ? 9 : type == "fan_out" ? 4 : h.preference;
        return std::make_tuple(pref, h.depth, i);
      };
      for (const std::size_t i : component) {
        if (key(i) < key(chosen)) chosen = i;
      }
      Json& node = nodes[chosen];
      const std::string name = node["name"].get<std::string>();
      const LoopHint h = hint_of(name);
      const double bound = std::min(kMaxVisitsLimit, std::ceil(kLoopVisits * h.multiplier));
      node["max_visits"] = static_cast<std::uint64_t>(bound);
      std::string exit;
      for (const std::string& e : h.exits) {
        const auto it = id.find(e);
        if (it != id.end() && !members.contains(it->second)) {
          exit = e;
          break;
        }
      }
      std::string on;
      for (const std::size_t i : component) {
        const std::string n = nodes[i]["name"].get<std::string>();
        on += (on.empty() ? "" : ", ") + n;
      }
      const std::string where = h.pointer.empty() ? std::string() : h.pointer;
      if (!exit.empty()) {
        node["on_exhausted"] = exit;
        cx.approximated(
            where, fmt::format("a loop through {}", on),
            fmt::format("bounded: after {} visits of \"{}\" in a request it takes \"{}\", "
                        "out of the loop",
                        bound, name, exit));
      } else {
        node["on_exhausted_outcome"] = "fail";
        cx.approximated(where, fmt::format("a loop through {} that no Choice leaves", on),
                        fmt::format("bounded: after {} visits of \"{}\" in a request, it fails "
                                    "(loop_exhausted)",
                                    bound, name));
      }
    }
  }
}

}  // namespace orchsim::scenarios::asl
