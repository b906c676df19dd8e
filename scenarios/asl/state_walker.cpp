#include "scenarios/asl/state_walker.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "scenarios/asl/walker_values.hpp"

namespace orchsim::scenarios::asl {

namespace {

const std::set<std::string> kStateTypes = {"Task",    "Choice", "Wait",     "Pass",
                                           "Succeed", "Fail",   "Parallel", "Map"};

// Fields that only shape data: the simulation has no payload.
const std::set<std::string> kDataFields = {
    "Parameters", "Arguments", "ResultPath", "ResultSelector", "OutputPath",   "InputPath",
    "Output",     "Assign",    "Result",     "ItemSelector",   "ResultWriter", "Label",
    "Cause",      "ErrorPath", "CausePath",  "Credentials",    "QueryLanguage"};

}  // namespace

StateWalker::StateWalker(const Json& asl, ImportContext& cx, PayloadValues& values,
                         const std::map<std::string, Json>& supplied)
    : asl_(asl), cx_(cx), values_(values), supplied_(supplied) {}

std::vector<std::string> StateWalker::unused_supplied() const {
  std::vector<std::string> out;
  for (const auto& [name, agent] : supplied_) {
    if (!supplied_used_.contains(name)) out.push_back(name);
  }
  return out;
}

std::optional<StateWalker::Output> StateWalker::walk() {
  Scope top;
  top.pointer = "";
  top.object = &asl_;
  scopes_.push_back(std::move(top));
  collect(0);
  if (!cx_.ok()) return std::nullopt;
  analyse(0);
  name_states();
  build(0);
  const Scope& t = scopes_[0];
  out_.entry = t.states[t.by_name.at(asl_["StartAt"].get<std::string>())].entry;
  for (Json& n : trailing_) out_.nodes.push_back(std::move(n));
  if (!cx_.ok()) return std::nullopt;
  prune_unreachable();
  bound_loops(out_.nodes, hints_, cx_);
  summary_.nodes = out_.nodes.size();
  return std::move(out_);
}

// States reached only through what cannot happen in the simulation (a
// catcher of States.ItemReaderFailed, a Parallel's catcher of an error name a
// branch's Fail state raises): orchsim rejects unreachable nodes.
void StateWalker::prune_unreachable() {
  std::map<std::string, std::size_t> id;
  for (std::size_t i = 0; i < out_.nodes.size(); ++i) {
    id[out_.nodes[i]["name"].get<std::string>()] = i;
  }
  std::vector<bool> seen(out_.nodes.size(), false);
  std::vector<std::size_t> stack = {id.at(out_.entry)};
  while (!stack.empty()) {
    const std::size_t i = stack.back();
    stack.pop_back();
    if (seen[i]) continue;
    seen[i] = true;
    for (const std::string& t : node_targets(out_.nodes[i])) {
      if (const auto it = id.find(t); it != id.end()) stack.push_back(it->second);
    }
  }
  Json kept = Json::array();
  std::set<std::string> reported;
  for (std::size_t i = 0; i < out_.nodes.size(); ++i) {
    if (seen[i]) {
      kept.push_back(std::move(out_.nodes[i]));
      continue;
    }
    const std::string name = out_.nodes[i]["name"].get<std::string>();
    const LoopHint& h = hints_[name];
    if (!h.state.empty() && reported.insert(h.pointer).second) {
      cx_.approximated(h.pointer,
                       fmt::format("state \"{}\", reached only through transitions that cannot "
                                   "happen in the simulation (catchers of errors that never occur)",
                                   h.state),
                       "left out");
    }
    hints_.erase(name);
  }
  out_.nodes = std::move(kept);
  // Agents only the left-out nodes called.
  std::set<std::string> called;
  for (const Json& n : out_.nodes) {
    if (const auto it = n.find("agents"); it != n.end()) {
      for (const Json& a : *it) called.insert(a.get<std::string>());
    }
  }
  Json agents = Json::array();
  for (Json& a : out_.agents) {
    if (called.contains(a["name"].get<std::string>())) agents.push_back(std::move(a));
  }
  out_.agents = std::move(agents);
}

// ---------------------------------------------------------------- pass 1: shape

void StateWalker::collect(std::size_t index) {
  const std::string at = scopes_[index].pointer;
  const Json& obj = *scopes_[index].object;
  const auto states = obj.find("States");
  if (states == obj.end() || !states->is_object() || states->empty()) {
    cx_.error(pointer_join(at, "States"),
              fmt::format("found {}, expected an object of states",
                          states == obj.end() ? std::string("nothing") : found(*states)));
    return;
  }
  check_start_at(at, obj, *states);
  if (index > 0) note_scope_fields(at, obj);
  for (auto it = states->begin(); it != states->end(); ++it) {
    State s;
    s.name = it.key();
    s.pointer = pointer_join(pointer_join(at, "States"), s.name);
    s.json = &*it;
    state_names_.insert(s.name);
    if (!it->is_object()) {
      cx_.error(s.pointer, fmt::format("found {}, expected a state object", found(*it)));
      continue;
    }
    if (!read_type(s)) continue;
    ++summary_.states_by_type[s.type];
    ++summary_.states;
    if (s.type == "Parallel") add_branch_scopes(s, scopes_[index]);
    if (s.type == "Map") add_item_scope(s, scopes_[index]);
    Scope& sc = scopes_[index];
    sc.by_name[s.name] = sc.states.size();
    sc.states.push_back(std::move(s));
  }
  for (std::size_t i = 0; i < scopes_[index].states.size(); ++i) {
    for (const std::size_t child : scopes_[index].states[i].children) collect(child);
  }
}

// StartAt names one of the scope's states (else an error, with the nearest name).
void StateWalker::check_start_at(const std::string& at, const Json& obj, const Json& states) {
  const auto start = obj.find("StartAt");
  if (start != obj.end() && start->is_string() && states.contains(start->get<std::string>())) {
    return;
  }
  std::vector<std::string> names;
  for (auto it = states.begin(); it != states.end(); ++it) names.push_back(it.key());
  const std::string wanted = start != obj.end() && start->is_string() ? *start : "";
  const std::string near = closest_match(wanted, names);
  cx_.error(pointer_join(at, "StartAt"),
            fmt::format("found {}, expected the name of one of its States",
                        start == obj.end() ? std::string("nothing") : found(*start)),
            near.empty() ? "" : fmt::format("did you mean \"{}\"?", near));
}

// The fields of a nested scope (a branch, an item processor) besides
// StartAt and States.
void StateWalker::note_scope_fields(const std::string& at, const Json& obj) {
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    const std::string& k = it.key();
    if (k == "StartAt" || k == "States" || k == "Comment") continue;
    if (k == "ProcessorConfig") {
      const Json& mode = *it;
      if (mode.is_object() && mode.value("Mode", "") == "DISTRIBUTED") {
        cx_.approximated(pointer_join(at, k), "Mode DISTRIBUTED (items run as child executions)",
                         "run as the branches of an inline Map");
      }
      continue;
    }
    if (k == "QueryLanguage") {
      cx_.ignored(pointer_join(at, k), k);
      continue;
    }
    cx_.unsupported(pointer_join(at, k), fmt::format("unknown field \"{}\"", k), "ignored");
  }
}

// The state's Type, one of the eight (else an error, with the nearest type).
bool StateWalker::read_type(State& s) {
  const Json& state = *s.json;
  const auto type = state.find("Type");
  if (type == state.end() || !type->is_string() ||
      !kStateTypes.contains(type->get<std::string>())) {
    std::vector<std::string> types(kStateTypes.begin(), kStateTypes.end());
    const std::string t = type != state.end() && type->is_string() ? *type : "";
    const std::string near = closest_match(t, types);
    cx_.error(pointer_join(s.pointer, "Type"),
              fmt::format("found {}, expected one of Task, Choice, Wait, Pass, Succeed, Fail, "
                          "Parallel, Map",
                          type == state.end() ? std::string("nothing") : found(*type)),
              near.empty() ? "" : fmt::format("did you mean \"{}\"?", near));
    return false;
  }
  s.type = type->get<std::string>();
  return true;
}

// A Parallel's branches: a scope each, collected after the parent's states.
void StateWalker::add_branch_scopes(State& s, const Scope& parent) {
  const Json& state = *s.json;
  const auto branches = state.find("Branches");
  if (branches == state.end() || !branches->is_array() || branches->empty()) {
    cx_.error(pointer_join(s.pointer, "Branches"),
              fmt::format("found {}, expected a non-empty array of branches",
                          branches == state.end() ? std::string("nothing") : found(*branches)));
    return;
  }
  for (std::size_t b = 0; b < branches->size(); ++b) {
    const std::string bp = pointer_join(pointer_join(s.pointer, "Branches"), std::to_string(b));
    if (!(*branches)[b].is_object()) {
      cx_.error(bp, fmt::format("found {}, expected a branch (StartAt and States)",
                                found((*branches)[b])));
      continue;
    }
    Scope child;
    child.pointer = bp;
    child.object = &(*branches)[b];
    child.label = fmt::format("{}, branch {}", s.name, b + 1);
    child.depth = parent.depth + 1;
    child.in_map = parent.in_map;
    s.children.push_back(scopes_.size());
    scopes_.push_back(std::move(child));
  }
}

// A Map's item processor (ItemProcessor, or the older Iterator): one scope.
void StateWalker::add_item_scope(State& s, const Scope& parent) {
  const Json& state = *s.json;
  const char* key = state.contains("ItemProcessor") ? "ItemProcessor" : "Iterator";
  const auto processor = state.find(key);
  if (processor == state.end() || !processor->is_object()) {
    cx_.error(pointer_join(s.pointer, "ItemProcessor"),
              fmt::format("found {}, expected the item processor (StartAt and States)",
                          processor == state.end() ? std::string("nothing") : found(*processor)));
    return;
  }
  Scope child;
  child.pointer = pointer_join(s.pointer, key);
  child.object = &*processor;
  child.label = s.name;
  child.depth = parent.depth + 1;
  child.in_map = true;
  s.children.push_back(scopes_.size());
  scopes_.push_back(std::move(child));
}

// ---------------------------------------------------------------- pass 2: names

std::string StateWalker::claim(const std::string& wanted) {
  std::string name = wanted;
  for (int n = 2; taken_.contains(name); ++n) name = fmt::format("{} #{}", wanted, n);
  taken_.insert(name);
  return name;
}

std::string StateWalker::claim_qualified(const std::string& name, const Scope& scope) {
  if (!taken_.contains(name)) return claim(name);
  return claim(fmt::format("{} ({})", name, scope.label));
}

void StateWalker::name_states() {
  int deepest = 0;
  for (const Scope& s : scopes_) deepest = std::max(deepest, s.depth);
  for (int d = 0; d <= deepest; ++d) {
    for (Scope& sc : scopes_) {
      if (sc.depth != d) continue;
      for (State& s : sc.states) {
        s.node = claim_qualified(s.name, sc);
        s.entry = s.node;
      }
    }
  }
  // Helpers in front of a state (so that transitions go to them first).
  for (Scope& sc : scopes_) {
    for (State& s : sc.states) {
      if (s.type == "Choice") s.entry = claim(s.node + " (draw)");
      if (s.type == "Map" && s.reachable) {
        s.items = map_items(s);
        if (!s.items.fixed()) s.entry = claim(s.node + " (items)");
      }
    }
  }
}

ItemCount StateWalker::map_items(const State& s) {
  if (std::optional<ItemCount> given = values_.items(s.name, cx_)) return *given;
  ItemCount c;
  const Json& j = *s.json;
  if (const auto items = j.find("Items"); items != j.end() && items->is_array()) {
    if (items->empty()) {
      cx_.approximated(pointer_join(s.pointer, "Items"), "an empty Items array",
                       "one item (a map runs at least one)");
    }
    c.weights[std::max<std::uint32_t>(
        1, std::min<std::uint32_t>(kMaxMapItems, static_cast<std::uint32_t>(items->size())))] = 1.0;
    return c;
  }
  c.weights[static_cast<std::uint32_t>(kDefaultMapItems)] = 1.0;
  std::string source = "the items come from the input";
  for (const char* key : {"ItemsPath", "Items", "ItemReader"}) {
    if (j.contains(key)) {
      source = fmt::format("the items come from {}", key);
      break;
    }
  }
  cx_.guessed(s.pointer, fmt::format("the Map's item count ({})", source),
              fmt::format("{} items a visit (the documented default; set it with --choices "
                          "{{\"{}\": {{\"items\": N}}}})",
                          kDefaultMapItems, s.name));
  return c;
}

// ---------------------------------------------------------------- reachability, loops

std::vector<std::string> StateWalker::transitions(const State& s) const {
  std::vector<std::string> out;
  const Json& j = *s.json;
  const auto add = [&out](const Json& obj, const char* key) {
    if (const auto it = obj.find(key); it != obj.end() && it->is_string()) {
      out.push_back(it->get<std::string>());
    }
  };
  add(j, "Next");
  add(j, "Default");
  for (const char* list : {"Choices", "Catch"}) {
    if (const auto it = j.find(list); it != j.end() && it->is_array()) {
      for (const Json& e : *it) {
        if (e.is_object()) add(e, "Next");
      }
    }
  }
  return out;
}

void StateWalker::analyse(std::size_t index) {
  Scope& sc = scopes_[index];
  const std::size_t n = sc.states.size();
  std::vector<std::vector<std::size_t>> edges(n);
  for (std::size_t i = 0; i < n; ++i) {
    for (const std::string& t : transitions(sc.states[i])) {
      if (const auto it = sc.by_name.find(t); it != sc.by_name.end()) {
        edges[i].push_back(it->second);
      }
    }
  }
  std::vector<bool> seen(n, false);
  std::vector<std::size_t> stack = {sc.by_name.at((*sc.object)["StartAt"].get<std::string>())};
  while (!stack.empty()) {
    const std::size_t i = stack.back();
    stack.pop_back();
    if (seen[i]) continue;
    seen[i] = true;
    for (const std::size_t t : edges[i]) stack.push_back(t);
  }
  const std::vector<bool> cycle = on_cycle(edges);
  for (std::size_t i = 0; i < n; ++i) {
    State& s = sc.states[i];
    s.reachable = seen[i];
    s.on_cycle = cycle[i];
    if (!s.reachable) {
      cx_.approximated(s.pointer, "a state no transition reaches from StartAt",
                       "left out (it never runs; Step Functions rejects such a machine)");
      continue;
    }
    for (const std::size_t child : s.children) {
      scopes_[child].in_loop = sc.in_loop || s.on_cycle;
      analyse(child);
    }
  }
}

// ---------------------------------------------------------------- pass 3: nodes

LoopHint StateWalker::hint(const Scope& scope, const State& s, int preference,
                           const std::string& pointer, std::vector<std::string> exits) {
  LoopHint h;
  h.preference = preference;
  h.depth = scope.depth;
  h.multiplier = scope.multiplier;
  h.pointer = pointer;
  h.state = s.name;
  h.exits = std::move(exits);
  return h;
}

void StateWalker::emit(Json node, LoopHint hint) {
  const std::string name = node["name"].get<std::string>();
  out_.nodes.push_back(std::move(node));
  hints_[name] = std::move(hint);
}

std::string StateWalker::entry_of(const Scope& scope, const std::string& state,
                                  const std::string& at) {
  const auto it = scope.by_name.find(state);
  if (it == scope.by_name.end()) {
    std::vector<std::string> names;
    for (const State& s : scope.states) names.push_back(s.name);
    const std::string near = closest_match(state, names);
    cx_.error(at,
              fmt::format("found \"{}\", expected the name of a state {}", state,
                          scope.pointer.empty() ? std::string("of the state machine")
                                                : fmt::format("of {}", scope.pointer)),
              near.empty() ? "" : fmt::format("did you mean \"{}\"?", near));
    return {};
  }
  return scope.states[it->second].entry;
}

std::string StateWalker::next_of(const Scope& scope, const State& s) {
  const Json& j = *s.json;
  const auto next = j.find("Next");
  const auto end = j.find("End");
  if (end != j.end() && !end->is_boolean()) {
    cx_.error(pointer_join(s.pointer, "End"), fmt::format("found {}, expected true", found(*end)));
    return {};
  }
  const bool ends = end != j.end() && end->get<bool>();
  if (next != j.end() && ends) {
    cx_.error(s.pointer, "found both Next and End: true, expected one of them");
    return {};
  }
  if (next != j.end()) {
    if (!next->is_string()) {
      cx_.error(pointer_join(s.pointer, "Next"),
                fmt::format("found {}, expected the name of a state", found(*next)));
      return {};
    }
    return entry_of(scope, next->get<std::string>(), pointer_join(s.pointer, "Next"));
  }
  if (!ends) {
    cx_.error(s.pointer, "found neither Next nor End: true, expected one of them");
    return {};
  }
  return scope.end_target.empty() ? end_node() : scope.end_target;
}

std::string StateWalker::end_node() {
  if (end_node_.empty()) {
    end_node_ = claim("End");
    trailing_.push_back(
        {{"name", end_node_}, {"type", "terminal"}, {"success", true}, {"outcome", "succeeded"}});
  }
  return end_node_;
}

std::string StateWalker::uncaught_node() {
  if (uncaught_node_.empty()) {
    uncaught_node_ = claim("Uncaught error");
    trailing_.push_back({{"name", uncaught_node_},
                         {"type", "terminal"},
                         {"success", false},
                         {"outcome", "uncaught_error"}});
  }
  return uncaught_node_;
}

void StateWalker::add_agent(Json agent) {
  agent_names_.insert(agent["name"].get<std::string>());
  out_.agents.push_back(std::move(agent));
}

std::string StateWalker::task_agent(const TaskResource& r, const std::string& at) {
  if (agent_names_.contains(r.agent)) return r.agent;
  if (const auto it = supplied_.find(r.agent); it != supplied_.end()) {
    add_agent(it->second);
    supplied_used_.insert(r.agent);
    summary_.supplied_agents.push_back(r.agent);
    return r.agent;
  }
  add_agent(default_agent(r));
  summary_.defaulted_agents.push_back(r.agent);
  cx_.findings().add(FindingKind::kDefaulted, at, fmt::format("agent \"{}\"", r.agent),
                     "the default mock for a " + describe_default(r.family));
  return r.agent;
}

void StateWalker::note_fields(const State& s, const std::set<std::string>& control) {
  for (auto it = s.json->begin(); it != s.json->end(); ++it) {
    const std::string& k = it.key();
    if (k == "Type" || k == "Comment" || control.contains(k)) continue;
    if (kDataFields.contains(k)) {
      cx_.ignored(pointer_join(s.pointer, k), k);
    } else {
      cx_.unsupported(pointer_join(s.pointer, k),
                      fmt::format("unknown field \"{}\" of a {} state", k, s.type), "ignored");
    }
  }
}

void StateWalker::build(std::size_t index) {
  Scope& sc = scopes_[index];
  for (State& s : sc.states) {
    if (!s.reachable) continue;
    const LoopHint pass = hint(sc, s, 2, s.pointer);
    if (s.type == "Task") {
      build_task(sc, s);
    } else if (s.type == "Choice") {
      build_choice(sc, s);
    } else if (s.type == "Wait") {
      build_wait(sc, s);
    } else if (s.type == "Parallel") {
      build_parallel(sc, s);
    } else if (s.type == "Map") {
      build_map(sc, s);
    } else if (s.type == "Pass") {
      note_fields(s, {"Next", "End"});
      emit({{"name", s.node}, {"type", "gate"}, {"otherwise", next_of(sc, s)}}, pass);
    } else if (s.type == "Succeed") {
      note_fields(s, {});
      if (sc.end_target.empty()) {
        emit({{"name", s.node}, {"type", "terminal"}, {"success", true}, {"outcome", "succeeded"}},
             pass);
      } else {
        // Ends its branch or item successfully: on to the join.
        emit({{"name", s.node}, {"type", "gate"}, {"otherwise", sc.end_target}}, pass);
      }
    } else if (s.type == "Fail") {
      note_fields(s, {"Error"});
      const auto error = s.json->find("Error");
      const bool literal = error != s.json->end() && error->is_string() &&
                           !error->get<std::string>().starts_with("{%");
      emit({{"name", s.node},
            {"type", "terminal"},
            {"success", false},
            {"outcome", literal ? error->get<std::string>() : s.name}},
           pass);
    }
  }
}

}  // namespace orchsim::scenarios::asl
