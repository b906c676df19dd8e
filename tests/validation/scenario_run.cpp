#include "tests/validation/scenario_run.hpp"

#include <fmt/format.h>

#include <exception>
#include <string_view>

#include "eval/invariant_checker.hpp"
#include "orchestration/events.hpp"
#include "scenarios/scenario.hpp"
#include "tests/validation/event_recorder.hpp"

namespace orchsim::validation {

ScenarioRun run_document(const Json& doc, std::optional<std::uint64_t> seed) {
  ScenarioRun out;
  scenarios::LoadResult loaded = scenarios::parse_scenario(doc.dump(2), "generated.json");
  if (!loaded.ok()) {
    out.error = "the scenario did not load:\n" + loaded.diagnostics.format();
    return out;
  }
  const scenarios::Scenario& s = *loaded.scenario;
  std::vector<std::string> agent_names;
  for (const auto& a : s.agents) agent_names.push_back(a.name);
  eval::InvariantChecker checker(s.workflow, s.choreography.has_value());
  EventRecorder recorder(agent_names);
  orchestration::ObserverList observers;
  observers.add(&checker);
  observers.add(&recorder);
  eval::RunOptions options;
  options.seed = seed;
  options.observer = &observers;
  try {
    out.result = eval::run_scenario(s, options);
  } catch (const std::exception& e) {
    out.error = fmt::format("the run threw: {}", e.what());
    return out;
  }
  checker.finish(out.result, s.run.drain);
  out.invariant_violations = checker.violations();
  out.invariant_violation_count = checker.violation_count();
  out.metrics = out.result.metrics->to_json();
  out.events = recorder.lines();
  out.costs = recorder.costs();
  return out;
}

namespace {

bool pointer_ignored(const std::string& pointer, const std::vector<std::string>& ignored) {
  const auto segments = [](std::string_view p) {
    std::vector<std::string_view> out;
    while (!p.empty()) {
      p.remove_prefix(1);  // the '/'
      const std::size_t end = p.find('/');
      out.push_back(p.substr(0, end));
      p = end == std::string_view::npos ? std::string_view() : p.substr(end);
    }
    return out;
  };
  const auto have = segments(pointer);
  for (const std::string& pattern : ignored) {
    const auto want = segments(pattern);
    if (want.size() > have.size()) continue;
    bool match = true;
    for (std::size_t i = 0; i < want.size() && match; ++i) {
      match = want[i] == "*" || want[i] == have[i];
    }
    if (match) return true;  // the pattern or something inside it
  }
  return false;
}

std::string difference_at(const std::string& pointer, const Json& left, const Json& right,
                          const std::vector<std::string>& ignored) {
  if (pointer_ignored(pointer, ignored)) return "";
  const auto differ = [&] {
    return fmt::format("{}: {} != {}", pointer.empty() ? "/" : pointer, left.dump(), right.dump());
  };
  if (left.type() != right.type()) return differ();
  if (left.is_object()) {
    for (auto it = left.begin(); it != left.end(); ++it) {
      const std::string p = pointer + "/" + it.key();
      if (!right.contains(it.key())) {
        if (pointer_ignored(p, ignored)) continue;
        return fmt::format("{}: {} != (absent)", p, it.value().dump());
      }
      if (std::string d = difference_at(p, it.value(), right[it.key()], ignored); !d.empty()) {
        return d;
      }
    }
    for (auto it = right.begin(); it != right.end(); ++it) {
      const std::string p = pointer + "/" + it.key();
      if (!left.contains(it.key()) && !pointer_ignored(p, ignored)) {
        return fmt::format("{}: (absent) != {}", p, it.value().dump());
      }
    }
    // The same keys in another order are different bytes.
    if (left.dump() != right.dump() && left.size() == right.size()) {
      auto l = left.begin();
      auto r = right.begin();
      for (; l != left.end(); ++l, ++r) {
        if (l.key() != r.key()) {
          return fmt::format("{}: key order differs ({} != {})", pointer, l.key(), r.key());
        }
      }
    }
    return "";
  }
  if (left.is_array()) {
    for (std::size_t i = 0; i < left.size() && i < right.size(); ++i) {
      if (std::string d =
              difference_at(pointer + "/" + std::to_string(i), left[i], right[i], ignored);
          !d.empty()) {
        return d;
      }
    }
    for (std::size_t i = std::min(left.size(), right.size());
         i < std::max(left.size(), right.size()); ++i) {
      const std::string p = pointer + "/" + std::to_string(i);
      if (pointer_ignored(p, ignored)) continue;
      return fmt::format("{}: {} != {}", p, i < left.size() ? left[i].dump() : "(absent)",
                         i < right.size() ? right[i].dump() : "(absent)");
    }
    return "";
  }
  // Scalars: compared as the report would print them.
  return left.dump() == right.dump() ? "" : differ();
}

}  // namespace

std::string json_difference(const Json& left, const Json& right,
                            const std::vector<std::string>& ignored) {
  return difference_at("", left, right, ignored);
}

std::string lines_difference(const std::vector<std::string>& left,
                             const std::vector<std::string>& right) {
  const std::size_t n = std::min(left.size(), right.size());
  for (std::size_t i = 0; i < n; ++i) {
    if (left[i] != right[i]) {
      return fmt::format("event {} of {}/{}:\n  left:  {}\n  right: {}{}", i, left.size(),
                         right.size(), left[i], right[i],
                         i > 0 ? "\n  after: " + left[i - 1] : std::string());
    }
  }
  if (left.size() != right.size()) {
    return fmt::format("{} events against {}; the first extra: {}", left.size(), right.size(),
                       left.size() > n ? left[n] : right[n]);
  }
  return "";
}

namespace {

// The integer after "<key>=" in `line`, and where its digits are; nullopt
// when the line has no such field.
struct Field {
  std::size_t begin, end;
  std::int64_t value;
};
std::optional<Field> field(const std::string& line, std::string_view key) {
  const std::string needle = " " + std::string(key) + "=";
  const std::size_t at = line.find(needle);
  if (at == std::string::npos) return std::nullopt;
  const std::size_t begin = at + needle.size();
  std::size_t end = begin;
  while (end < line.size() && (line[end] == '-' || (line[end] >= '0' && line[end] <= '9'))) ++end;
  if (end == begin) return std::nullopt;
  return Field{begin, end, std::stoll(line.substr(begin, end - begin))};
}

}  // namespace

std::map<std::uint64_t, std::vector<std::string>> per_request_events(
    const std::vector<std::string>& lines) {
  std::map<std::uint64_t, std::int64_t> arrival;
  std::map<std::uint64_t, std::vector<std::string>> out;
  for (std::string line : lines) {
    const auto request = field(line, "r");
    const auto at = field(line, "t");
    if (!request || !at) continue;
    const auto id = static_cast<std::uint64_t>(request->value);
    if (line.starts_with("A ")) arrival[id] = at->value;
    const std::int64_t zero = arrival.contains(id) ? arrival[id] : 0;
    // Later fields first, so that earlier positions stay valid.
    for (const char* key : {"until", "deadline", "started", "t"}) {
      const auto f = field(line, key);
      if (!f) continue;
      // A deadline of "none" (Time::max) stays as it is; so does a run's.
      if (std::string_view(key) != "started" && std::string_view(key) != "t" &&
          f->value == INT64_MAX) {
        continue;
      }
      line.replace(f->begin, f->end - f->begin, std::to_string(f->value - zero));
    }
    // Call ids are agents' slot numbers, reused as calls end: they depend on
    // what else was running, not on the request.
    if (const auto call = field(line, "call")) {
      line.erase(call->begin - std::string_view(" call=").size(),
                 call->end - call->begin + std::string_view(" call=").size());
    }
    out[id].push_back(std::move(line));
  }
  return out;
}

}  // namespace orchsim::validation
