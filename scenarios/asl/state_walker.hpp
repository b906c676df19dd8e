// Walks the states of an ASL state machine, scope by scope (the top, each
// Parallel branch, each Map's item processor), and builds the workflow
// nodes and the agents they call. Internal to scenarios/asl; import.hpp is
// the public entry point. The passes are in state_walker.cpp, the states
// that become calls (Task, Choice, Wait) in call_states.cpp, and those that
// become a fan-out (Parallel, Map) in fan_out_states.cpp.
//
// Node names: a state's node carries its name; a name used again in a
// nested scope gets the scope in brackets ("Success (Run checks, branch 2)").
// Helper nodes carry the state's name and what they do: "Check (draw)" draws
// a Choice's branch, "Call model (catch)" routes its errors, "Fan (join)"
// ends a Parallel or Map, "End" is where End: true goes at the top.
#pragma once

#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "scenarios/asl/catch_mapping.hpp"
#include "scenarios/asl/import.hpp"
#include "scenarios/asl/import_context.hpp"
#include "scenarios/asl/loop_bounds.hpp"
#include "scenarios/asl/payload_values.hpp"
#include "scenarios/asl/resources.hpp"

namespace orchsim::scenarios::asl {

class StateWalker {
 public:
  // `supplied`: agents from --agents by name.
  StateWalker(const Json& asl, ImportContext& cx, PayloadValues& values,
              const std::map<std::string, Json>& supplied);

  struct Output {
    Json nodes = Json::array();
    std::string entry;
    Json agents = Json::array();
  };
  // Empty when the file has errors (in the context).
  std::optional<Output> walk();

  const ImportSummary& summary() const { return summary_; }
  // Every state name of the file, for --choices checks.
  const std::set<std::string>& state_names() const { return state_names_; }
  // --agents entries no Task uses.
  std::vector<std::string> unused_supplied() const;

 private:
  struct State {
    std::string name;
    std::string pointer;
    const Json* json = nullptr;
    std::string type;
    std::string node;        // the node that carries the state's name
    std::string entry;       // where transitions to the state go (a draw node first, for a Choice)
    bool reachable = false;  // set by analyse()
    bool on_cycle = false;
    std::vector<std::size_t> children;  // scopes: Parallel branches, a Map's processor
    ItemCount items;                    // a Map's item count
  };
  struct Scope {
    std::string pointer;  // of the object holding StartAt and States
    const Json* object = nullptr;
    std::string label;  // for qualified names: "Fan, branch 2", "Process items"
    int depth = 0;
    double multiplier = 1;   // copies per request (Map items)
    bool in_loop = false;    // its owner state, or an enclosing one, is on a loop
    bool in_map = false;     // inside a Map's item processor
    std::string end_target;  // where End: true goes; "" at the top: the End terminal
    std::vector<State> states;
    std::map<std::string, std::size_t> by_name;
  };

  // Pass 1: the scopes and their states, checked for shape.
  void collect(std::size_t scope);
  void check_start_at(const std::string& at, const Json& scope, const Json& states);
  void note_scope_fields(const std::string& at, const Json& scope);
  bool read_type(State& s);
  void add_branch_scopes(State& s, const Scope& parent);
  void add_item_scope(State& s, const Scope& parent);
  // Pass 2: names, ASL ones first (outer scopes first), then helpers.
  void name_states();
  std::string claim(const std::string& wanted);
  std::string claim_qualified(const std::string& name, const Scope& scope);
  // Reachability and loops of each scope's transition graph.
  void analyse(std::size_t scope);
  // A Map's item count: --choices, a literal Items array, or the default.
  ItemCount map_items(const State& s);
  // After pass 3: nodes no transition of the simulation reaches.
  void prune_unreachable();
  // Pass 3: nodes.
  void build(std::size_t scope);
  void build_task(Scope& scope, State& s);
  std::optional<Json> route_task_failures(const Scope& scope, const State& s, const Json& catchers,
                                          Json& node);
  void build_choice(Scope& scope, State& s);
  struct ChoiceBranches;  // call_states.cpp
  ChoiceBranches read_choice_branches(const Scope& scope, const State& s, const Json& choices);
  std::vector<double> guess_choice_weights(const State& s, const ChoiceBranches& branches,
                                           std::size_t rule_count, bool has_default);
  void build_wait(Scope& scope, State& s);
  void build_parallel(Scope& scope, State& s);
  void build_map(Scope& scope, State& s);
  struct MapLimits;  // fan_out_states.cpp
  MapLimits read_map_limits(const State& s);

  // Where the state's transition goes: Next (a state of the scope) or End.
  std::string next_of(const Scope& scope, const State& s);
  std::string entry_of(const Scope& scope, const std::string& state, const std::string& at);
  std::string end_node();
  std::string uncaught_node();
  // Catch (and Retry) of a Parallel or Map: the join's on_failure, and the
  // catch gate to emit after the join when there is one. `tolerant`: a Map
  // with a failure tolerance (it fails with ExceedToleratedFailureThreshold).
  std::optional<Json> route_join_failures(const Scope& scope, const State& s, Json& join,
                                          bool tolerant);
  // (node, error) of the reachable Fail states in the state's branches; their errors.
  std::vector<std::pair<std::string, std::string>> branch_fail_states(
      const State& s, std::set<std::string>& fail_errors) const;
  std::string join_otherwise(const State& s, const CatchRoutes& routes,
                             const std::array<std::string, kFailureCount>& task_targets);
  std::vector<std::string> transitions(const State& s) const;
  // Agents: a Task's (supplied or defaulted), a timer, a draw.
  std::string task_agent(const TaskResource& r, const std::string& at);
  void add_agent(Json agent);
  // Fields that only shape data, unknown fields.
  void note_fields(const State& s, const std::set<std::string>& control);
  static LoopHint hint(const Scope& scope, const State& s, int preference,
                       const std::string& pointer, std::vector<std::string> exits = {});
  void emit(Json node, LoopHint hint);

  const Json& asl_;
  ImportContext& cx_;
  PayloadValues& values_;
  const std::map<std::string, Json>& supplied_;
  std::set<std::string> supplied_used_;
  std::deque<Scope> scopes_;
  std::set<std::string> taken_;  // node names
  std::set<std::string> state_names_;
  std::set<std::string> agent_names_;
  Output out_;
  std::map<std::string, LoopHint> hints_;
  std::string end_node_, uncaught_node_;
  std::vector<Json> trailing_;  // End and Uncaught terminals, emitted last
  ImportSummary summary_;
};

}  // namespace orchsim::scenarios::asl
