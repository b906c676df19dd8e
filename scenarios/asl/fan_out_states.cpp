// The states that become a fan-out and a join: Parallel and Map, and the
// routing of their failures (Catch on a join).
#include <fmt/format.h>

#include <algorithm>

#include "scenarios/asl/retry_mapping.hpp"
#include "scenarios/asl/state_walker.hpp"
#include "scenarios/asl/walker_values.hpp"

namespace orchsim::scenarios::asl {

namespace {

// Whether the catcher names the error in its ErrorEquals.
bool names(const Catcher& k, std::string_view name) {
  return std::find(k.errors.names.begin(), k.errors.names.end(), name) != k.errors.names.end();
}

// The Next of the first catcher that matches; "" when none does.
template <class Matches>
std::string first_catching(const CatchRoutes& routes, const Matches& matches) {
  for (const Catcher& k : routes.catchers) {
    if (matches(k)) return k.next;
  }
  return std::string();
}

// (node, error) of the Fail states of a Parallel's branches or a Map's
// processor, which the failed state raises.
using FailStates = std::vector<std::pair<std::string, std::string>>;

// Where a failure that is not a Fail state's goes, by simulated failure
// (the join does not carry the kind: exact only when they all agree).
std::array<std::string, kFailureCount> task_failure_targets(
    const CatchRoutes& routes, const std::set<std::string>& fail_errors, bool tolerant) {
  std::array<std::string, kFailureCount> other;
  for (const Failure f : kAllFailures) {
    other[index(f)] = first_catching(routes, [&](const Catcher& k) {
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
  return other;
}

// Each Fail state's error goes to the first catcher naming it (or a
// wildcard): (fail node, ASL target).
FailStates fail_targets(const CatchRoutes& routes, const FailStates& fails) {
  FailStates by_fail;
  for (const auto& fail : fails) {
    // A named reference, not a structured binding: clang 14 (the asan
    // build) cannot capture a binding in a lambda.
    const std::string& error = fail.second;
    by_fail.emplace_back(fail.first, first_catching(routes, [&](const Catcher& k) {
                           return names(k, "States.ALL") || names(k, "States.TaskFailed") ||
                                  (!error.empty() && names(k, error));
                         }));
  }
  return by_fail;
}

}  // namespace

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
  FailStates fails;
  std::set<std::string> fail_errors;
  if (!tolerant) fails = branch_fail_states(s, fail_errors);
  const CatchRoutes routes = read_catchers(*c, pointer_join(s.pointer, "Catch"), cx_, fail_errors);
  for (const Catcher& k : routes.catchers) {
    if (!k.next.empty()) entry_of(sc, k.next, pointer_join(k.pointer, "Next"));
  }
  const std::string otherwise =
      join_otherwise(s, routes, task_failure_targets(routes, fail_errors, tolerant));
  const FailStates by_fail = fail_targets(routes, fails);
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

// The reachable Fail states of the state's branches (or processor), and the
// error names they raise.
FailStates StateWalker::branch_fail_states(const State& s,
                                           std::set<std::string>& fail_errors) const {
  FailStates fails;
  for (const std::size_t child : s.children) {
    for (const State& f : scopes_[child].states) {
      if (f.type != "Fail" || !f.reachable) continue;
      const auto e = f.json->find("Error");
      const std::string error = e != f.json->end() && e->is_string() ? e->get<std::string>() : "";
      fails.emplace_back(f.node, error);
      if (!error.empty()) fail_errors.insert(error);
    }
  }
  return fails;
}

// Where a failed join goes when no Fail state decides: the one target of
// every task failure, or, when they differ, the first catcher's that catches
// any (reported: the join does not carry the error's kind).
std::string StateWalker::join_otherwise(const State& s, const CatchRoutes& routes,
                                        const std::array<std::string, kFailureCount>& other) {
  const bool other_uniform =
      std::all_of(other.begin(), other.end(), [&](const std::string& t) { return t == other[0]; });
  if (other_uniform) return other[0];
  std::string otherwise;
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
  return otherwise;
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

// What a Map's fields ask of its fan-out and join: its concurrency and
// failure tolerance, with what the import cannot read (paths into the input,
// S3 readers, batching) reported.
struct StateWalker::MapLimits {
  std::uint32_t concurrency = 0;  // 0 = no limit
  std::optional<double> tolerated_count, tolerated_percent;
};

StateWalker::MapLimits StateWalker::read_map_limits(const State& s) {
  const Json& j = *s.json;
  MapLimits limits;
  if (const std::optional<double> mc = whole_number(j, "MaxConcurrency", s.pointer, 0, cx_)) {
    limits.concurrency = static_cast<std::uint32_t>(std::min<double>(*mc, kMaxMapItems + 1));
  }
  if (j.contains("MaxConcurrencyPath")) {
    cx_.guessed(pointer_join(s.pointer, "MaxConcurrencyPath"), "MaxConcurrency from the input",
                "no limit");
  }
  limits.tolerated_count = whole_number(j, "ToleratedFailureCount", s.pointer, 0, cx_);
  if (const auto it = j.find("ToleratedFailurePercentage"); it != j.end()) {
    if (!it->is_number() || it->get<double>() < 0.0 || it->get<double>() > 100.0) {
      cx_.error(pointer_join(s.pointer, "ToleratedFailurePercentage"),
                fmt::format("found {}, expected a number in [0, 100]", found(*it)));
    } else {
      limits.tolerated_percent = it->get<double>();
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
  return limits;
}

void StateWalker::build_map(Scope& sc, State& s) {
  if (s.children.empty()) return;
  Scope& items = scopes_[s.children.front()];
  const ItemCount& count = s.items;
  const std::uint32_t n = count.max();
  items.multiplier = sc.multiplier * n;
  const MapLimits limits = read_map_limits(s);
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
  if (limits.concurrency > 0 && limits.concurrency < n) {
    fan["max_concurrency"] = limits.concurrency;
  }
  emit(std::move(fan), hint(sc, s, 4, s.pointer));
  build(s.children.front());
  Json node = {{"name", join}, {"type", "join"}, {"policy", "all"}};
  if (limits.tolerated_count) {
    node["tolerated_failures"] = static_cast<std::uint64_t>(*limits.tolerated_count);
  }
  if (limits.tolerated_percent) node["tolerated_failure_percent"] = *limits.tolerated_percent;
  node["next"] = next_of(sc, s);
  const bool tolerant = (limits.tolerated_count && *limits.tolerated_count > 0) ||
                        (limits.tolerated_percent && *limits.tolerated_percent > 0);
  std::optional<Json> gate = route_join_failures(sc, s, node, tolerant);
  emit(std::move(node), hint(sc, s, 9, s.pointer));
  if (gate) emit(std::move(*gate), hint(sc, s, 1, pointer_join(s.pointer, "Catch")));
}

}  // namespace orchsim::scenarios::asl
