#include "scenarios/asl/state_walker.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <functional>

#include "scenarios/asl/retry_mapping.hpp"

namespace orchsim::scenarios::asl {

namespace {

const std::set<std::string> kStateTypes = {"Task",    "Choice", "Wait",     "Pass",
                                           "Succeed", "Fail",   "Parallel", "Map"};

// Fields that only shape data: the simulation has no payload.
const std::set<std::string> kDataFields = {
    "Parameters", "Arguments", "ResultPath", "ResultSelector", "OutputPath",   "InputPath",
    "Output",     "Assign",    "Result",     "ItemSelector",   "ResultWriter", "Label",
    "Cause",      "ErrorPath", "CausePath",  "Credentials",    "QueryLanguage"};

std::string seconds_text(double s) { return fmt::format("{:g}", s); }

Json quality_none() { return {{"input", "none"}, {"output", "none"}}; }

// A whole number >= min, or nullopt with an error.
std::optional<double> whole_number(const Json& j, const std::string& key, const std::string& at,
                                   double min, ImportContext& cx) {
  const auto it = j.find(key);
  if (it == j.end()) return std::nullopt;
  if (!it->is_number_integer() || it->get<double>() < min) {
    cx.error(pointer_join(at, key),
             fmt::format("found {}, expected a whole number >= {}", found(*it), min));
    return std::nullopt;
  }
  return it->get<double>();
}

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
  const auto start = obj.find("StartAt");
  if (start == obj.end() || !start->is_string() || !states->contains(start->get<std::string>())) {
    std::vector<std::string> names;
    for (auto it = states->begin(); it != states->end(); ++it) names.push_back(it.key());
    const std::string wanted = start != obj.end() && start->is_string() ? *start : "";
    const std::string near = closest_match(wanted, names);
    cx_.error(pointer_join(at, "StartAt"),
              fmt::format("found {}, expected the name of one of its States",
                          start == obj.end() ? std::string("nothing") : found(*start)),
              near.empty() ? "" : fmt::format("did you mean \"{}\"?", near));
  }
  if (index > 0) {
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
    const auto type = it->find("Type");
    if (type == it->end() || !type->is_string() ||
        !kStateTypes.contains(type->get<std::string>())) {
      std::vector<std::string> types(kStateTypes.begin(), kStateTypes.end());
      const std::string t = type != it->end() && type->is_string() ? *type : "";
      const std::string near = closest_match(t, types);
      cx_.error(pointer_join(s.pointer, "Type"),
                fmt::format("found {}, expected one of Task, Choice, Wait, Pass, Succeed, Fail, "
                            "Parallel, Map",
                            type == it->end() ? std::string("nothing") : found(*type)),
                near.empty() ? "" : fmt::format("did you mean \"{}\"?", near));
      continue;
    }
    s.type = type->get<std::string>();
    ++summary_.states_by_type[s.type];
    ++summary_.states;
    const Scope& parent = scopes_[index];
    if (s.type == "Parallel") {
      const auto branches = it->find("Branches");
      if (branches == it->end() || !branches->is_array() || branches->empty()) {
        cx_.error(pointer_join(s.pointer, "Branches"),
                  fmt::format("found {}, expected a non-empty array of branches",
                              branches == it->end() ? std::string("nothing") : found(*branches)));
      } else {
        for (std::size_t b = 0; b < branches->size(); ++b) {
          const std::string bp =
              pointer_join(pointer_join(s.pointer, "Branches"), std::to_string(b));
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
    } else if (s.type == "Map") {
      const char* key = it->contains("ItemProcessor") ? "ItemProcessor" : "Iterator";
      const auto processor = it->find(key);
      if (processor == it->end() || !processor->is_object()) {
        cx_.error(pointer_join(s.pointer, "ItemProcessor"),
                  fmt::format("found {}, expected the item processor (StartAt and States)",
                              processor == it->end() ? std::string("nothing") : found(*processor)));
      } else {
        Scope child;
        child.pointer = pointer_join(s.pointer, key);
        child.object = &*processor;
        child.label = s.name;
        child.depth = parent.depth + 1;
        child.in_map = true;
        s.children.push_back(scopes_.size());
        scopes_.push_back(std::move(child));
      }
    }
    Scope& sc = scopes_[index];
    sc.by_name[s.name] = sc.states.size();
    sc.states.push_back(std::move(s));
  }
  for (std::size_t i = 0; i < scopes_[index].states.size(); ++i) {
    for (const std::size_t child : scopes_[index].states[i].children) collect(child);
  }
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

void StateWalker::build_task(Scope& sc, State& s) {
  const Json& j = *s.json;
  const auto res = j.find("Resource");
  if (res == j.end() || !res->is_string()) {
    cx_.error(pointer_join(s.pointer, "Resource"),
              fmt::format("found {}, expected the resource ARN (a string)",
                          res == j.end() ? std::string("nothing") : found(*res)));
    return;
  }
  const TaskResource r = identify_resource(j);
  if (r.family == AgentFamily::kChildExecution) {
    cx_.unsupported(pointer_join(s.pointer, "Resource"),
                    fmt::format("a nested execution ({})", r.resource),
                    fmt::format("a call to \"{}\", a mock of the child's duration: sub-workflows "
                                "(issue 18) will run the child state machine itself",
                                r.agent));
  }
  const std::string agent = task_agent(r, pointer_join(s.pointer, "Resource"));
  Json node = {{"name", s.node}, {"type", "call"}, {"agents", {agent}}};
  // TimeoutSeconds: each attempt's; HeartbeatSeconds: the same when shorter.
  const std::optional<double> timeout = whole_number(j, "TimeoutSeconds", s.pointer, 1, cx_);
  const std::optional<double> heartbeat = whole_number(j, "HeartbeatSeconds", s.pointer, 1, cx_);
  std::optional<double> limit = timeout;
  if (heartbeat && (!timeout || *heartbeat < *timeout)) {
    limit = heartbeat;
    cx_.approximated(pointer_join(s.pointer, "HeartbeatSeconds"),
                     fmt::format("HeartbeatSeconds {}", *heartbeat),
                     fmt::format("a timeout of {} s on each attempt: exact for a task that never "
                                 "sends a heartbeat (a hung callback), too strict for one that "
                                 "runs longer while sending them",
                                 *heartbeat));
  }
  for (const char* path : {"TimeoutSecondsPath", "HeartbeatSecondsPath"}) {
    if (j.contains(path)) {
      cx_.guessed(
          pointer_join(s.pointer, path), fmt::format("{} (from the input)", path),
          limit ? fmt::format("the other limit only ({} s)", *limit) : std::string("no timeout"));
    }
  }
  if (limit) node["timeout_ms"] = *limit * 1000.0;
  const auto retry = j.find("Retry");
  node["retry"] =
      map_retry(retry == j.end() ? nullptr : &*retry, pointer_join(s.pointer, "Retry"), cx_);
  node["quality"] = r.family == AgentFamily::kLlm
                        ? Json{{"input", "evidence"}, {"output", "answer"}}
                        : quality_none();
  node["next"] = next_of(sc, s);
  std::optional<Json> gate;
  if (const auto c = j.find("Catch"); c != j.end()) {
    const CatchRoutes routes = read_catchers(*c, pointer_join(s.pointer, "Catch"), cx_);
    std::array<std::string, kFailureCount> to;
    for (const Catcher& k : routes.catchers) {
      if (!k.next.empty()) entry_of(sc, k.next, pointer_join(k.pointer, "Next"));
    }
    for (const Failure f : kAllFailures) {
      const std::string& t = routes.target[index(f)];
      if (!t.empty() && sc.by_name.contains(t)) to[index(f)] = entry_of(sc, t, "");
    }
    if (routes.uniform()) {
      if (!to.front().empty()) node["on_failure"] = to.front();
    } else {
      // Ordered catchers by error: a gate on the failure's kind. A timeout
      // has no kind, so it takes `otherwise`; every kind is listed that goes
      // elsewhere.
      const auto target = [&](Failure f) {
        return to[index(f)].empty() ? uncaught_node() : to[index(f)];
      };
      const std::string otherwise = target(Failure::kTimeout);
      Json rules = Json::array();
      for (const Failure f : kAllFailures) {
        if (f == Failure::kTimeout) continue;
        const std::string t = target(f);
        if (t != otherwise) rules.push_back({{"if", {{"error_is", to_string(f)}}}, {"then", t}});
      }
      const std::string name = claim(s.node + " (catch)");
      node["on_failure"] = name;
      gate = Json{
          {"name", name}, {"type", "gate"}, {"rules", std::move(rules)}, {"otherwise", otherwise}};
    }
  }
  note_fields(s, {"Resource", "Retry", "Catch", "TimeoutSeconds", "HeartbeatSeconds",
                  "TimeoutSecondsPath", "HeartbeatSecondsPath", "Next", "End"});
  emit(std::move(node), hint(sc, s, 3, s.pointer));
  if (gate) {
    emit(std::move(*gate), hint(sc, s, 1, pointer_join(s.pointer, "Catch")));
  }
}

void StateWalker::build_choice(Scope& sc, State& s) {
  const Json& j = *s.json;
  const auto choices = j.find("Choices");
  if (choices == j.end() || !choices->is_array() || choices->empty()) {
    cx_.error(pointer_join(s.pointer, "Choices"),
              fmt::format("found {}, expected a non-empty array of choice rules",
                          choices == j.end() ? std::string("nothing") : found(*choices)));
    return;
  }
  // Branches by target state, in the order of the rules, then Default; each
  // rule and the Default count once for the default split.
  std::vector<std::string> targets;
  std::vector<double> count;
  const auto add = [&](const std::string& t) {
    const auto it = std::find(targets.begin(), targets.end(), t);
    if (it == targets.end()) {
      targets.push_back(t);
      count.push_back(1.0);
    } else {
      count[static_cast<std::size_t>(it - targets.begin())] += 1.0;
    }
  };
  for (std::size_t i = 0; i < choices->size(); ++i) {
    const Json& rule = (*choices)[i];
    const std::string rp = pointer_join(pointer_join(s.pointer, "Choices"), std::to_string(i));
    if (!rule.is_object() || !rule.contains("Next") || !rule["Next"].is_string()) {
      cx_.error(
          pointer_join(rp, "Next"),
          fmt::format("found {}, expected a choice rule with Next (a state name)", found(rule)));
      continue;
    }
    entry_of(sc, rule["Next"].get<std::string>(), pointer_join(rp, "Next"));
    add(rule["Next"].get<std::string>());
    cx_.ignored(rp, "Choice rule condition");
  }
  const auto def = j.find("Default");
  if (def != j.end()) {
    if (!def->is_string()) {
      cx_.error(pointer_join(s.pointer, "Default"),
                fmt::format("found {}, expected the name of a state", found(*def)));
    } else {
      entry_of(sc, def->get<std::string>(), pointer_join(s.pointer, "Default"));
      add(def->get<std::string>());
    }
  }
  if (!cx_.ok() || targets.empty()) return;
  std::vector<double> weights;
  if (std::optional<std::vector<double>> given = values_.choice(s.name, targets, cx_)) {
    weights = *given;
  } else {
    double rules = 0.0;
    for (const double c : count) rules += c;
    std::string split;
    for (std::size_t i = 0; i < targets.size(); ++i) {
      weights.push_back(count[i] / rules);
      split += fmt::format("{}{} {:.3g}", split.empty() ? "" : ", ", targets[i], weights.back());
    }
    summary_.guessed_choices.push_back(s.name);
    cx_.guessed(s.pointer,
                fmt::format("Choice probabilities (its {} rules read the input{})", choices->size(),
                            def == j.end() ? ", and it has no Default" : ""),
                fmt::format("an equal share for each rule{}: {} (set them with --choices)",
                            def == j.end() ? "" : " and the Default", split));
  }
  const std::string agent = "choice:" + s.node;
  add_agent(draw_agent(agent, "choice", targets, weights));
  Json rules = Json::array();
  std::vector<std::string> exits;
  for (std::size_t i = 0; i < targets.size(); ++i) {
    exits.push_back(entry_of(sc, targets[i], ""));
    if (i + 1 < targets.size()) {
      rules.push_back({{"if", {{"label_is", targets[i]}}}, {"then", exits.back()}});
    }
  }
  note_fields(s, {"Choices", "Default"});
  emit({{"name", s.entry},
        {"type", "call"},
        {"agents", {agent}},
        {"quality", quality_none()},
        {"next", s.node}},
       hint(sc, s, 3, s.pointer));
  emit({{"name", s.node},
        {"type", "gate"},
        {"rules", std::move(rules)},
        {"otherwise", exits.back()}},
       hint(sc, s, 0, s.pointer, exits));
}

void StateWalker::build_wait(Scope& sc, State& s) {
  const Json& j = *s.json;
  std::optional<double> seconds;
  std::string from;
  if (const auto it = j.find("Seconds"); it != j.end()) {
    if (it->is_number() && it->get<double>() >= 0.0) {
      seconds = it->get<double>();
    } else if (it->is_string() && it->get<std::string>().starts_with("{%")) {
      from = "Seconds (a JSONata expression)";
    } else {
      cx_.error(pointer_join(s.pointer, "Seconds"),
                fmt::format("found {}, expected a number of seconds >= 0", found(*it)));
      return;
    }
  } else {
    for (const char* key : {"SecondsPath", "TimestampPath", "Timestamp"}) {
      if (j.contains(key)) {
        from = key;
        break;
      }
    }
    if (from.empty()) {
      cx_.error(s.pointer,
                "found no Seconds, expected one of Seconds, Timestamp, SecondsPath, TimestampPath");
      return;
    }
  }
  if (!seconds) {
    if (std::optional<double> given = values_.seconds(s.name, cx_)) {
      seconds = *given;
    } else {
      seconds = kDefaultWaitSeconds;
      cx_.guessed(s.pointer, fmt::format("the Wait's time ({})", from),
                  fmt::format("{} s (the documented default; set it with --choices {{\"{}\": "
                              "{{\"seconds\": S}}}})",
                              kDefaultWaitSeconds, s.name));
    }
  }
  const std::string agent = fmt::format("wait:{}s", seconds_text(*seconds));
  if (!agent_names_.contains(agent)) add_agent(timer_agent(agent, *seconds));
  note_fields(s, {"Seconds", "SecondsPath", "Timestamp", "TimestampPath", "Next", "End"});
  emit({{"name", s.node},
        {"type", "call"},
        {"agents", {agent}},
        {"quality", quality_none()},
        {"next", next_of(sc, s)}},
       hint(sc, s, 3, s.pointer));
}

std::optional<Json> StateWalker::route_join_failures(const Scope& sc, const State& s, Json& join,
                                                     bool tolerant) {
  const Json& j = *s.json;
  if (const auto r = j.find("Retry"); r != j.end()) {
    cx_.unsupported(pointer_join(s.pointer, "Retry"),
                    fmt::format("Retry of a whole {} state", s.type),
                    "not retried (orchsim retries calls, not a fan-out)");
  }
  const auto c = j.find("Catch");
  if (c == j.end()) return std::nullopt;
  // The error a failed Parallel or Map raises is its failed branch's: a
  // Fail state's Error, or a Task's error. A Map whose tolerance is exceeded
  // raises States.ExceedToleratedFailureThreshold instead.
  std::vector<std::pair<std::string, std::string>>
      fails;  // (node, error) of the branches' Fail states
  std::set<std::string> fail_errors;
  if (!tolerant) {
    for (const std::size_t child : s.children) {
      for (const State& f : scopes_[child].states) {
        if (f.type != "Fail" || !f.reachable) continue;
        const auto e = f.json->find("Error");
        const std::string error = e != f.json->end() && e->is_string() ? e->get<std::string>() : "";
        fails.emplace_back(f.node, error);
        if (!error.empty()) fail_errors.insert(error);
      }
    }
  }
  const CatchRoutes routes = read_catchers(*c, pointer_join(s.pointer, "Catch"), cx_, fail_errors);
  for (const Catcher& k : routes.catchers) {
    if (!k.next.empty()) entry_of(sc, k.next, pointer_join(k.pointer, "Next"));
  }
  const auto names = [](const Catcher& k, std::string_view name) {
    return std::find(k.errors.names.begin(), k.errors.names.end(), name) != k.errors.names.end();
  };
  const auto first_catching = [&](const std::function<bool(const Catcher&)>& matches) {
    for (const Catcher& k : routes.catchers) {
      if (matches(k)) return k.next;
    }
    return std::string();
  };
  // Where a failure that is not a Fail state's goes, by simulated failure
  // (the join does not carry the kind: exact only when they all agree).
  std::array<std::string, kFailureCount> other;
  for (const Failure f : kAllFailures) {
    other[index(f)] = first_catching([&](const Catcher& k) {
      if (tolerant) {
        return names(k, "States.ExceedToleratedFailureThreshold") || names(k, "States.ALL") ||
               names(k, "States.TaskFailed");
      }
      for (const std::string& n : k.errors.names) {
        if (fail_errors.contains(n)) continue;  // a Fail state's name, not a task's
        if (match_error_name(n).failures.test(index(f))) return true;
      }
      return false;
    });
  }
  const bool other_uniform =
      std::all_of(other.begin(), other.end(), [&](const std::string& t) { return t == other[0]; });
  std::string otherwise = other[0];
  if (!other_uniform) {
    otherwise.clear();
    for (const Catcher& k : routes.catchers) {
      if (k.errors.failures.any()) {
        otherwise = k.next;
        break;
      }
    }
    cx_.unsupported(pointer_join(s.pointer, "Catch"),
                    fmt::format("catchers that route a failed {} by the kind of its branch's "
                                "task error",
                                s.type),
                    otherwise.empty()
                        ? std::string("a failed join does not carry the error's kind: none caught")
                        : fmt::format("a failed join does not carry the error's kind: every task "
                                      "error goes to \"{}\", the first catcher's",
                                      otherwise));
  }
  // Each Fail state's error goes to the first catcher naming it (or a wildcard).
  std::vector<std::pair<std::string, std::string>> by_fail;  // (fail node, ASL target)
  for (const auto& [node, error] : fails) {
    by_fail.emplace_back(node, first_catching([&](const Catcher& k) {
                           return names(k, "States.ALL") || names(k, "States.TaskFailed") ||
                                  (!error.empty() && names(k, error));
                         }));
  }
  const bool fails_agree = std::all_of(by_fail.begin(), by_fail.end(),
                                       [&](const auto& f) { return f.second == otherwise; });
  const auto node_of = [&](const std::string& state) {
    return state.empty() ? uncaught_node() : entry_of(sc, state, "");
  };
  if (fails_agree) {
    if (!otherwise.empty() && sc.by_name.contains(otherwise))
      join["on_failure"] = node_of(otherwise);
    return std::nullopt;
  }
  // Which Fail state ended the branch: its visits. Visits are counted per
  // request, so this holds for a state visited once a request.
  if (sc.in_loop || s.on_cycle || sc.in_map) {
    const std::string first = by_fail.front().second.empty() ? otherwise : by_fail.front().second;
    cx_.unsupported(pointer_join(s.pointer, "Catch"),
                    fmt::format("catchers that route a failed {} by the error its branch's Fail "
                                "state raises, on a state visited more than once a request",
                                s.type),
                    first.empty() ? std::string("none caught")
                                  : fmt::format("every failure goes to \"{}\"", first));
    if (!first.empty()) join["on_failure"] = node_of(first);
    return std::nullopt;
  }
  const std::string gate = claim(s.node + " (catch)");
  join["on_failure"] = gate;
  Json rules = Json::array();
  const std::string otherwise_node = node_of(otherwise);
  for (const auto& [node, target] : by_fail) {
    const std::string t = node_of(target);
    if (t == otherwise_node) continue;
    rules.push_back({{"if", {{"visits_at_least", {{"node", node}, {"count", 1}}}}}, {"then", t}});
  }
  return Json{
      {"name", gate}, {"type", "gate"}, {"rules", std::move(rules)}, {"otherwise", otherwise_node}};
}

void StateWalker::build_parallel(Scope& sc, State& s) {
  const std::string join = claim(s.node + " (join)");
  Json branches = Json::array();
  for (const std::size_t child : s.children) {
    Scope& c = scopes_[child];
    c.end_target = join;
    c.multiplier = sc.multiplier;
    branches.push_back(entry_of(c, (*c.object)["StartAt"].get<std::string>(), ""));
  }
  note_fields(s, {"Branches", "Retry", "Catch", "Next", "End"});
  emit({{"name", s.node}, {"type", "fan_out"}, {"branches", std::move(branches)}, {"join", join}},
       hint(sc, s, 4, s.pointer));
  for (const std::size_t child : s.children) build(child);
  // Step Functions' Parallel: one failed branch fails the state (unless caught).
  Json node = {{"name", join}, {"type", "join"}, {"policy", "all"}, {"next", next_of(sc, s)}};
  std::optional<Json> gate = route_join_failures(sc, s, node, false);
  emit(std::move(node), hint(sc, s, 9, s.pointer));
  if (gate) emit(std::move(*gate), hint(sc, s, 1, pointer_join(s.pointer, "Catch")));
}

void StateWalker::build_map(Scope& sc, State& s) {
  const Json& j = *s.json;
  if (s.children.empty()) return;
  Scope& items = scopes_[s.children.front()];
  const ItemCount& count = s.items;
  const std::uint32_t n = count.max();
  items.multiplier = sc.multiplier * n;
  // MaxConcurrency: 0 = no limit.
  std::uint32_t limit = 0;
  if (const std::optional<double> mc = whole_number(j, "MaxConcurrency", s.pointer, 0, cx_)) {
    limit = static_cast<std::uint32_t>(std::min<double>(*mc, kMaxMapItems + 1));
  }
  if (j.contains("MaxConcurrencyPath")) {
    cx_.guessed(pointer_join(s.pointer, "MaxConcurrencyPath"), "MaxConcurrency from the input",
                "no limit");
  }
  std::optional<double> tolerated_count =
      whole_number(j, "ToleratedFailureCount", s.pointer, 0, cx_);
  std::optional<double> tolerated_percent;
  if (const auto it = j.find("ToleratedFailurePercentage"); it != j.end()) {
    if (!it->is_number() || it->get<double>() < 0.0 || it->get<double>() > 100.0) {
      cx_.error(pointer_join(s.pointer, "ToleratedFailurePercentage"),
                fmt::format("found {}, expected a number in [0, 100]", found(*it)));
    } else {
      tolerated_percent = it->get<double>();
    }
  }
  for (const char* path : {"ToleratedFailureCountPath", "ToleratedFailurePercentagePath"}) {
    if (j.contains(path)) {
      cx_.guessed(pointer_join(s.pointer, path), fmt::format("{} (from the input)", path),
                  "no failure tolerated");
    }
  }
  if (j.contains("ItemReader")) {
    cx_.approximated(pointer_join(s.pointer, "ItemReader"), "items read from S3",
                     "not read: the count is the Map's item count, and reading never fails");
  }
  if (j.contains("ItemBatcher")) {
    cx_.approximated(pointer_join(s.pointer, "ItemBatcher"), "items batched per child",
                     "the item count counts batches: one branch a batch");
  }
  const std::string join = claim(s.node + " (join)");
  const std::string start = entry_of(items, (*items.object)["StartAt"].get<std::string>(), "");
  note_fields(s, {"ItemProcessor", "Iterator", "ItemsPath", "Items", "ItemReader", "ItemBatcher",
                  "MaxConcurrency", "MaxConcurrencyPath", "ToleratedFailureCount",
                  "ToleratedFailurePercentage", "ToleratedFailureCountPath",
                  "ToleratedFailurePercentagePath", "Retry", "Catch", "Next", "End"});
  items.end_target = join;
  Json map = {{"entry", start}};
  if (count.fixed()) {
    map["count"] = n;
  } else {
    // The count is drawn on the way in: label i means i + 1 items.
    std::vector<std::string> labels;
    std::vector<double> weights;
    for (std::uint32_t i = 1; i <= n; ++i) {
      labels.push_back(std::to_string(i));
      const auto it = count.weights.find(i);
      weights.push_back(it == count.weights.end() ? 0.0 : it->second);
    }
    const std::string agent = "items:" + s.node;
    add_agent(draw_agent(agent, "items", labels, weights));
    map["count_from_label"] = true;
    emit({{"name", s.entry},
          {"type", "call"},
          {"agents", {agent}},
          {"quality", quality_none()},
          {"next", s.node}},
         hint(sc, s, 3, s.pointer));
  }
  Json fan = {{"name", s.node}, {"type", "fan_out"}, {"map", std::move(map)}, {"join", join}};
  if (limit > 0 && limit < n) fan["max_concurrency"] = limit;
  emit(std::move(fan), hint(sc, s, 4, s.pointer));
  build(s.children.front());
  Json node = {{"name", join}, {"type", "join"}, {"policy", "all"}};
  if (tolerated_count) node["tolerated_failures"] = static_cast<std::uint64_t>(*tolerated_count);
  if (tolerated_percent) node["tolerated_failure_percent"] = *tolerated_percent;
  node["next"] = next_of(sc, s);
  const bool tolerant =
      (tolerated_count && *tolerated_count > 0) || (tolerated_percent && *tolerated_percent > 0);
  std::optional<Json> gate = route_join_failures(sc, s, node, tolerant);
  emit(std::move(node), hint(sc, s, 9, s.pointer));
  if (gate) emit(std::move(*gate), hint(sc, s, 1, pointer_join(s.pointer, "Catch")));
}

}  // namespace orchsim::scenarios::asl
