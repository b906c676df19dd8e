// The states that become call nodes: Task (with its Retry, Catch and
// timeouts), Choice (a draw, then a gate) and Wait (a timer).
#include <fmt/format.h>

#include <algorithm>

#include "scenarios/asl/retry_mapping.hpp"
#include "scenarios/asl/state_walker.hpp"
#include "scenarios/asl/walker_values.hpp"

namespace orchsim::scenarios::asl {

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

}  // namespace orchsim::scenarios::asl
