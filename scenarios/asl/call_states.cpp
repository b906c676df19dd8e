// The states that become call nodes: Task (with its Retry, Catch and
// timeouts), Choice (a draw, then a gate) and Wait (a timer).
#include <fmt/format.h>

#include <algorithm>

#include "scenarios/asl/retry_mapping.hpp"
#include "scenarios/asl/state_walker.hpp"
#include "scenarios/asl/walker_values.hpp"

namespace orchsim::scenarios::asl {

namespace {

// A Task's limit on each attempt: TimeoutSeconds, or HeartbeatSeconds when
// shorter; nullopt: none.
std::optional<double> attempt_limit(const Json& j, const std::string& pointer, ImportContext& cx) {
  const std::optional<double> timeout = whole_number(j, "TimeoutSeconds", pointer, 1, cx);
  const std::optional<double> heartbeat = whole_number(j, "HeartbeatSeconds", pointer, 1, cx);
  std::optional<double> limit = timeout;
  if (heartbeat && (!timeout || *heartbeat < *timeout)) {
    limit = heartbeat;
    cx.approximated(pointer_join(pointer, "HeartbeatSeconds"),
                    fmt::format("HeartbeatSeconds {}", *heartbeat),
                    fmt::format("a timeout of {} s on each attempt: exact for a task that never "
                                "sends a heartbeat (a hung callback), too strict for one that "
                                "runs longer while sending them",
                                *heartbeat));
  }
  for (const char* path : {"TimeoutSecondsPath", "HeartbeatSecondsPath"}) {
    if (j.contains(path)) {
      cx.guessed(
          pointer_join(pointer, path), fmt::format("{} (from the input)", path),
          limit ? fmt::format("the other limit only ({} s)", *limit) : std::string("no timeout"));
    }
  }
  return limit;
}

}  // namespace

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
  const std::optional<double> limit = attempt_limit(j, s.pointer, cx_);
  if (limit) node["timeout_ms"] = *limit * 1000.0;
  const auto retry = j.find("Retry");
  node["retry"] =
      map_retry(retry == j.end() ? nullptr : &*retry, pointer_join(s.pointer, "Retry"), cx_);
  node["quality"] = r.family == AgentFamily::kLlm
                        ? Json{{"input", "evidence"}, {"output", "answer"}}
                        : quality_none();
  node["next"] = next_of(sc, s);
  std::optional<Json> gate;
  if (const auto c = j.find("Catch"); c != j.end()) gate = route_task_failures(sc, s, *c, node);
  note_fields(s, {"Resource", "Retry", "Catch", "TimeoutSeconds", "HeartbeatSeconds",
                  "TimeoutSecondsPath", "HeartbeatSecondsPath", "Next", "End"});
  emit(std::move(node), hint(sc, s, 3, s.pointer));
  if (gate) {
    emit(std::move(*gate), hint(sc, s, 1, pointer_join(s.pointer, "Catch")));
  }
}

// A Task's Catch: the node's on_failure when every failure goes to the same
// place, else a gate on the failure's kind, returned to be emitted after the
// node.
std::optional<Json> StateWalker::route_task_failures(const Scope& sc, const State& s,
                                                     const Json& catchers, Json& node) {
  const CatchRoutes routes = read_catchers(catchers, pointer_join(s.pointer, "Catch"), cx_);
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
    return std::nullopt;
  }
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
  return Json{
      {"name", name}, {"type", "gate"}, {"rules", std::move(rules)}, {"otherwise", otherwise}};
}

// A Choice's branches by target state, in the order of the rules, then
// Default; each rule and the Default count once for the default split.
struct StateWalker::ChoiceBranches {
  std::vector<std::string> targets;
  std::vector<double> count;

  void add(const std::string& t) {
    const auto it = std::find(targets.begin(), targets.end(), t);
    if (it == targets.end()) {
      targets.push_back(t);
      count.push_back(1.0);
    } else {
      count[static_cast<std::size_t>(it - targets.begin())] += 1.0;
    }
  }
};

void StateWalker::build_choice(Scope& sc, State& s) {
  const Json& j = *s.json;
  const auto choices = j.find("Choices");
  if (choices == j.end() || !choices->is_array() || choices->empty()) {
    cx_.error(pointer_join(s.pointer, "Choices"),
              fmt::format("found {}, expected a non-empty array of choice rules",
                          choices == j.end() ? std::string("nothing") : found(*choices)));
    return;
  }
  const ChoiceBranches branches = read_choice_branches(sc, s, *choices);
  const std::vector<std::string>& targets = branches.targets;
  if (!cx_.ok() || targets.empty()) return;
  std::vector<double> weights;
  if (std::optional<std::vector<double>> given = values_.choice(s.name, targets, cx_)) {
    weights = *given;
  } else {
    weights = guess_choice_weights(s, branches, choices->size(), j.contains("Default"));
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

// The Choice's rules' Next states, then its Default, each checked.
StateWalker::ChoiceBranches StateWalker::read_choice_branches(const Scope& sc, const State& s,
                                                              const Json& choices) {
  ChoiceBranches branches;
  for (std::size_t i = 0; i < choices.size(); ++i) {
    const Json& rule = choices[i];
    const std::string rp = pointer_join(pointer_join(s.pointer, "Choices"), std::to_string(i));
    if (!rule.is_object() || !rule.contains("Next") || !rule["Next"].is_string()) {
      cx_.error(
          pointer_join(rp, "Next"),
          fmt::format("found {}, expected a choice rule with Next (a state name)", found(rule)));
      continue;
    }
    entry_of(sc, rule["Next"].get<std::string>(), pointer_join(rp, "Next"));
    branches.add(rule["Next"].get<std::string>());
    cx_.ignored(rp, "Choice rule condition");
  }
  const Json& j = *s.json;
  if (const auto def = j.find("Default"); def != j.end()) {
    if (!def->is_string()) {
      cx_.error(pointer_join(s.pointer, "Default"),
                fmt::format("found {}, expected the name of a state", found(*def)));
    } else {
      entry_of(sc, def->get<std::string>(), pointer_join(s.pointer, "Default"));
      branches.add(def->get<std::string>());
    }
  }
  return branches;
}

// Without --choices: the conditions read the input, which the import does not
// have, so each rule (and the Default) gets an equal share.
std::vector<double> StateWalker::guess_choice_weights(const State& s,
                                                      const ChoiceBranches& branches,
                                                      std::size_t rule_count, bool has_default) {
  std::vector<double> weights;
  double rules = 0.0;
  for (const double c : branches.count) rules += c;
  std::string split;
  for (std::size_t i = 0; i < branches.targets.size(); ++i) {
    weights.push_back(branches.count[i] / rules);
    split +=
        fmt::format("{}{} {:.3g}", split.empty() ? "" : ", ", branches.targets[i], weights.back());
  }
  summary_.guessed_choices.push_back(s.name);
  cx_.guessed(s.pointer,
              fmt::format("Choice probabilities (its {} rules read the input{})", rule_count,
                          has_default ? "" : ", and it has no Default"),
              fmt::format("an equal share for each rule{}: {} (set them with --choices)",
                          has_default ? " and the Default" : "", split));
  return weights;
}

void StateWalker::build_wait(Scope& sc, State& s) {
  const Json& j = *s.json;
  std::optional<double> seconds;
  std::string from;
  if (const auto it = j.find("Seconds"); it != j.end()) {
    if (it->is_number() && it->get<double>() >= 0.0 && it->get<double>() <= kMaxWholeNumber) {
      seconds = it->get<double>();
    } else if (it->is_string() && it->get<std::string>().starts_with("{%")) {
      from = "Seconds (a JSONata expression)";
    } else {
      cx_.error(pointer_join(s.pointer, "Seconds"),
                fmt::format("found {}, expected a number of seconds from 0 to {}", found(*it),
                            kMaxWholeNumber));
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

}  // namespace orchsim::scenarios::asl
