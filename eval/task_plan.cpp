#include "eval/task_plan.hpp"

#include <fmt/format.h>

#include <charconv>
#include <limits>
#include <set>
#include <stdexcept>

#include "scenarios/json_reader.hpp"

#ifndef ORCHSIM_VERSION_STRING
#error "ORCHSIM_VERSION_STRING must be defined by the build (eval/CMakeLists.txt)"
#endif

namespace orchsim::eval {

namespace {

using J = nlohmann::ordered_json;

constexpr const char* kPlanFormat = "orchsim.plan";
constexpr int kPlanVersion = 1;
// As the command line's --requests (request ids are 64-bit, a scenario's
// run.requests is a signed 64-bit integer).
constexpr std::uint64_t kMaxPlanRequests = std::numeric_limits<std::int64_t>::max();

std::uint64_t fnv1a(std::string_view text, std::uint64_t h = 0xcbf29ce484222325ull) {
  for (const char c : text) {
    h ^= static_cast<std::uint8_t>(c);
    h *= 0x100000001b3ull;
  }
  return h;
}

J optional_json(const std::optional<std::uint64_t>& v) { return v ? J(*v) : J(); }
J optional_json(const std::optional<sim::Duration>& v) { return v ? J(v->count_ns()) : J(); }

std::string shown(const J& j) {
  std::string s = j.is_null() ? "(not set)" : j.dump();
  if (s.size() > 160) s = s.substr(0, 157) + "...";
  return s;
}

std::string overrides_text(const Overrides& o) {
  if (o.empty()) return "no overrides";
  std::string s;
  for (const auto& [ptr, value] : o) s += (s.empty() ? "" : " ") + ptr + "=" + value;
  return s;
}

}  // namespace

std::string_view orchsim_version() { return ORCHSIM_VERSION_STRING; }

Task TaskPlan::task(std::uint64_t index) const {
  const std::uint64_t r = replications == 0 ? 1 : replications;
  return {.index = index,
          .config = static_cast<std::size_t>(index / r),
          .replication = index % r,
          .seed = first_seed + index % r};
}

Status check_plan_size(std::uint64_t configs, std::uint64_t replications,
                       std::uint64_t first_seed) {
  constexpr std::uint64_t kMaxSeed = std::numeric_limits<std::uint64_t>::max();
  if (replications == 0 || replications > kMaxReplications) {
    return Status::bad_input(
        fmt::format("found {} replications, expected 1 to {}", replications, kMaxReplications));
  }
  if (first_seed > kMaxSeed - (replications - 1)) {
    return Status::bad_input(fmt::format(
        "found the first seed {} with {} replications, expected a first seed from 0 to {} (the "
        "seeds must not wrap past {})",
        first_seed, replications, kMaxSeed - (replications - 1), kMaxSeed));
  }
  if (configs == 0 || configs > kMaxTasks / replications) {
    return Status::bad_input(
        fmt::format("found {} configurations x {} replications, expected 1 to {} tasks in all",
                    configs, replications, kMaxTasks));
  }
  return Status();
}

TaskConfig make_config(std::string label, std::string scenario, Overrides overrides,
                       const scenarios::Scenario& loaded) {
  return {.label = std::move(label),
          .scenario = std::move(scenario),
          .overrides = std::move(overrides),
          .scenario_name = loaded.name,
          .scenario_hash = document_hash(loaded.document)};
}

std::string document_hash(const nlohmann::ordered_json& document) {
  return fmt::format("{:016x}", fnv1a(document.dump()));
}

std::string task_hash(const TaskPlan& plan, const Task& task) {
  const J identity = {plan.version,
                      plan.configs.at(task.config).scenario_hash,
                      task.seed,
                      optional_json(plan.limits.requests),
                      optional_json(plan.limits.duration),
                      optional_json(plan.limits.warmup)};
  return fmt::format("{:016x}", fnv1a(identity.dump()));
}

J to_json(const TaskPlan& plan) {
  J j;
  j["format"] = kPlanFormat;
  j["format_version"] = kPlanVersion;
  j["orchsim_version"] = plan.version;
  j["command"] = plan.command;
  j["replications"] = plan.replications;
  j["first_seed"] = plan.first_seed;
  j["requests"] = optional_json(plan.limits.requests);
  j["duration_ns"] = optional_json(plan.limits.duration);
  j["warmup_ns"] = optional_json(plan.limits.warmup);
  J configs = J::array();
  for (const TaskConfig& c : plan.configs) {
    J overrides = J::array();
    for (const auto& [ptr, value] : c.overrides) overrides.push_back({ptr, value});
    configs.push_back({{"label", c.label},
                       {"scenario", c.scenario},
                       {"scenario_name", c.scenario_name},
                       {"overrides", overrides},
                       {"scenario_hash", c.scenario_hash}});
  }
  j["configs"] = configs;
  j["spec"] = plan.spec;
  j["view"] = plan.view;
  return j;
}

J parse_plan_text(const std::string& text) {
  scenarios::NestingLimit limit;
  J j = J::parse(text, limit.callback(), /*allow_exceptions=*/false);
  return limit.exceeded() ? J(J::value_t::discarded) : j;
}

StatusOr<TaskPlan> plan_from_json(const J& j, const std::string& source) {
  auto bad = [&source](const std::string& what) {
    return Status::bad_input(fmt::format("{}: the stored plan {}", source, what));
  };
  try {
    if (!j.is_object() || j.value("format", "") != kPlanFormat) {
      return bad(fmt::format("is not an {} document", kPlanFormat));
    }
    if (j.at("format_version") != kPlanVersion) {
      return bad(fmt::format("has format_version {}, this orchsim reads {}",
                             j.at("format_version").dump(), kPlanVersion));
    }
    // Integers only: nlohmann's get<>() converts a double such as 3.9e19 to
    // an integer type it does not fit, which is undefined behaviour (UBSan,
    // found by fuzz_task_plan).
    const auto whole = [&j](const char* key, bool sign) {
      const J& v = j.at(key);
      if (!(v.is_number_unsigned() ||
            (v.is_number_integer() && (sign || v.get<std::int64_t>() >= 0)))) {
        throw std::invalid_argument(fmt::format("'{}' is {}, expected {} integer", key, shown(v),
                                                sign ? "an" : "a non-negative"));
      }
      return v;
    };
    TaskPlan p;
    p.version = j.at("orchsim_version").get<std::string>();
    p.command = j.at("command").get<std::string>();
    p.replications = whole("replications", false).get<std::uint64_t>();
    p.first_seed = whole("first_seed", false).get<std::uint64_t>();
    if (p.replications == 0) return bad("has 0 replications");
    if (!j.at("requests").is_null())
      p.limits.requests = whole("requests", false).get<std::uint64_t>();
    if (!j.at("duration_ns").is_null()) {
      p.limits.duration =
          sim::Duration::nanoseconds(whole("duration_ns", true).get<std::int64_t>());
    }
    if (!j.at("warmup_ns").is_null()) {
      p.limits.warmup = sim::Duration::nanoseconds(whole("warmup_ns", true).get<std::int64_t>());
    }
    for (const J& c : j.at("configs")) {
      TaskConfig config;
      config.label = c.at("label").get<std::string>();
      config.scenario = c.at("scenario").get<std::string>();
      config.scenario_name = c.at("scenario_name").get<std::string>();
      config.scenario_hash = c.at("scenario_hash").get<std::string>();
      for (const J& o : c.at("overrides")) {
        config.overrides.emplace_back(o.at(0).get<std::string>(), o.at(1).get<std::string>());
      }
      p.configs.push_back(std::move(config));
    }
    if (p.configs.empty()) return bad("has no configurations");
    if (Status size = check_plan_size(p.configs.size(), p.replications, p.first_seed); !size.ok()) {
      return bad("is too large: " + size.message());
    }
    if (p.limits.requests && *p.limits.requests > kMaxPlanRequests) {
      return bad(fmt::format("has {} requests per replication, expected at most {}",
                             *p.limits.requests, kMaxPlanRequests));
    }
    for (const auto& [limit, name] :
         {std::pair{p.limits.duration, "duration_ns"}, std::pair{p.limits.warmup, "warmup_ns"}}) {
      if (limit && *limit < sim::Duration::zero()) {
        return bad(fmt::format("has {} {}, expected a duration >= 0", limit->count_ns(), name));
      }
    }
    // Objects only: plan_differences looks keys up in both (value() on an
    // array throws; found by fuzz_task_plan).
    p.spec = j.at("spec");
    if (!p.spec.is_object())
      return bad(fmt::format("has spec {}, expected an object", shown(p.spec)));
    p.view = j.value("view", J::object());
    if (!p.view.is_object())
      return bad(fmt::format("has view {}, expected an object", shown(p.view)));
    return p;
  } catch (const std::exception& e) {
    return bad(fmt::format("is malformed: {}", e.what()));
  }
}

std::vector<std::string> plan_differences(const TaskPlan& stored, const TaskPlan& now) {
  std::vector<std::string> out;
  auto differ = [&out](const std::string& what, const J& a, const J& b) {
    if (a != b)
      out.push_back(fmt::format("{}: the store has {}, this run {}", what, shown(a), shown(b)));
  };
  differ("orchsim version", stored.version, now.version);
  differ("command", stored.command, now.command);
  differ("replications", stored.replications, now.replications);
  differ("first seed", stored.first_seed, now.first_seed);
  differ("requests per replication", optional_json(stored.limits.requests),
         optional_json(now.limits.requests));
  differ("duration (ns)", optional_json(stored.limits.duration),
         optional_json(now.limits.duration));
  differ("warm-up (ns)", optional_json(stored.limits.warmup), optional_json(now.limits.warmup));
  if (stored.configs.size() != now.configs.size()) {
    out.push_back(fmt::format(
        "configurations: the store has {}, this run {} (a different grid or set of variants)",
        stored.configs.size(), now.configs.size()));
  }
  const std::size_t common = std::min(stored.configs.size(), now.configs.size());
  std::size_t shown_configs = 0;
  for (std::size_t i = 0; i < common && shown_configs < 5; ++i) {
    const TaskConfig& a = stored.configs[i];
    const TaskConfig& b = now.configs[i];
    const std::string name = fmt::format("configuration {} ({})", i, b.label);
    const std::size_t before = out.size();
    if (a.label != b.label) differ(name + " label", a.label, b.label);
    if (a.scenario != b.scenario) differ(name + " scenario", a.scenario, b.scenario);
    if (a.overrides != b.overrides) {
      out.push_back(fmt::format("{} overrides: the store has {}, this run {}", name,
                                overrides_text(a.overrides), overrides_text(b.overrides)));
    } else if (a.scenario_hash != b.scenario_hash) {
      out.push_back(fmt::format(
          "{}: the scenario document differs (hash {} in the store, {} now): the scenario file "
          "was edited",
          name, a.scenario_hash, b.scenario_hash));
    }
    if (out.size() > before) ++shown_configs;
  }
  if (shown_configs == 5) out.push_back("(further configurations not compared)");
  std::set<std::string> keys;
  for (const auto& [k, v] : stored.spec.items()) keys.insert(k);
  for (const auto& [k, v] : now.spec.items()) keys.insert(k);
  for (const std::string& k : keys) {  // sorted: the message does not depend on key order
    differ(k, stored.spec.value(k, J()), now.spec.value(k, J()));
  }
  return out;
}

std::optional<Shard> parse_shard(const std::string& spec) {
  const auto slash = spec.find('/');
  if (slash == std::string::npos) return std::nullopt;
  Shard s;
  const char* begin = spec.data();
  const char* mid = begin + slash;
  const char* end = begin + spec.size();
  const auto a = std::from_chars(begin, mid, s.index);
  const auto b = std::from_chars(mid + 1, end, s.count);
  if (a.ec != std::errc() || a.ptr != mid || b.ec != std::errc() || b.ptr != end) {
    return std::nullopt;
  }
  if (s.count == 0 || s.index >= s.count) return std::nullopt;
  return s;
}

}  // namespace orchsim::eval
