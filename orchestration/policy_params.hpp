// A routing policy's parameters, as the scenario gives them, and the node it
// serves. A policy's factory reads its parameters through PolicyParams, which
// checks each value and records every problem against its JSON pointer, so a
// bad parameter gets the same kind of message as any other scenario field:
//
//   Factory make = [](PolicyParams& p, NodeSpec& node) {
//     const double eps = p.number("epsilon", 0.1, {0.0, 1.0});
//     const auto fallback = p.candidate("fallback", node);   // an agent name
//     p.finish();                                            // unknown keys are errors
//     return std::make_unique<EpsilonGreedy>(eps, node.candidates.size());
//   };
//
// Keys come from the node's `routing.params` object; built-in policies also
// read the flat keys the format has always had next to `policy` (weights,
// exploration, tiers, ...). Those are shared by every policy (switching the
// policy with --set keeps the file valid), so only `params` keys are
// checked for being unknown.
#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "orchestration/workflow.hpp"

namespace orchsim::orchestration {

struct ParamProblem {
  std::string pointer;    // e.g. /workflow/nodes/3/routing/params/epsilon
  std::string message;    // "found -1, expected a number in [0, 1]"
  std::string hint = {};  // "did you mean \"epsilon\"?" or empty
};

// The node a policy is made for. A factory may add agents to `candidates`
// (a cascade's tiers that the node did not list); the loader keeps what it
// added, so the run sees the same list.
struct NodeSpec {
  std::string_view node_name;
  std::vector<AgentIndex>* candidates = nullptr;
  std::span<const std::string> agent_names;  // every agent of the scenario, by index
  std::uint32_t class_count = 1;

  std::size_t size() const { return candidates->size(); }
};

class PolicyParams {
 public:
  struct Range {
    double min, max;
  };
  // `params` (may be null: none given) at `pointer`; `legacy` (may be null)
  // holds the flat keys next to `policy`, at `legacy_pointer`.
  PolicyParams(const nlohmann::ordered_json* params, std::string pointer,
               const nlohmann::ordered_json* legacy = nullptr, std::string legacy_pointer = {});

  bool has(std::string_view key) const { return find(key) != nullptr; }
  double number(std::string_view key, double fallback, Range range);
  std::int64_t integer(std::string_view key, std::int64_t fallback, Range range);
  bool boolean(std::string_view key, bool fallback);
  std::string choice(std::string_view key, std::string fallback,
                     std::span<const std::string_view> allowed);
  // An array of numbers in `range`; empty when absent.
  std::vector<double> numbers(std::string_view key, Range range);
  // An agent name (or, from C++, an agent index) among the node's
  // candidates: its position. add_missing: an agent of the scenario that is
  // not a candidate yet becomes one.
  std::optional<std::size_t> candidate(std::string_view key, NodeSpec& node,
                                       bool add_missing = false);
  std::vector<std::size_t> candidate_list(std::string_view key, NodeSpec& node,
                                          bool add_missing = false);
  // A nested object's reader (e.g. "reward"); its problems join this one's.
  PolicyParams object(std::string_view key);

  // Records a problem at `key` (a key of this object, or "" for the object).
  void problem(std::string_view key, std::string message, std::string hint = {});
  // Unknown keys in `params` are problems, with "did you mean".
  void finish();

  bool ok() const { return problems_->empty(); }
  const std::vector<ParamProblem>& problems() const { return *problems_; }

 private:
  PolicyParams(const nlohmann::ordered_json* params, std::string pointer,
               std::shared_ptr<std::vector<ParamProblem>> problems);
  const nlohmann::ordered_json* find(std::string_view key) const;
  std::optional<std::size_t> resolve_agent(const nlohmann::ordered_json& x, const std::string& at,
                                           NodeSpec& node, bool add_missing);
  std::string pointer_of(std::string_view key) const;
  void mark(std::string_view key);

  const nlohmann::ordered_json* params_;
  std::string pointer_;
  const nlohmann::ordered_json* legacy_;
  std::string legacy_pointer_;
  std::vector<std::string> read_;  // keys asked for, for finish()
  std::shared_ptr<std::vector<ParamProblem>> problems_;
};

// "found 3 (a number)"-style text for a JSON value in messages.
std::string describe_value(const nlohmann::ordered_json& v);
// The closest of `options` to `word` by edit distance, if close enough.
std::string closest_name(std::string_view word, std::span<const std::string> options);

}  // namespace orchsim::orchestration
