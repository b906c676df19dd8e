#include "cli/eval_setup.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <iostream>
#include <limits>

#include "cli/duration_arg.hpp"

namespace orchsim::cli {

using J = nlohmann::ordered_json;
using Overrides = eval::Overrides;

std::optional<scenarios::Scenario> load(const std::string& name, const Overrides& overrides) {
  scenarios::LoadOptions load;
  load.overrides = overrides;
  scenarios::LoadResult r =
      scenarios::load_scenario(name.empty() ? scenarios::kDefaultScenario : name, load);
  if (!r.ok()) {
    std::cerr << r.diagnostics.format();
    return std::nullopt;
  }
  return std::move(*r.scenario);
}

// Fills the replication options from the common arguments; false (and a
// message) on bad input.
bool replication_options(const EvalArgs& a, const scenarios::Scenario& s,
                         eval::ReplicationOptions& o) {
  o.replications = a.replications;
  o.jobs = a.jobs;
  o.seed = a.seed;
  o.requests = a.requests;
  // The command line checks --seed (cli/command_line.cpp); a seed from the
  // scenario or a baseline file gets the same check here.
  const std::uint64_t first_seed = a.seed.value_or(s.run.seed);
  const std::uint64_t max_seed = std::numeric_limits<std::uint64_t>::max();
  if (a.replications > 0 && first_seed > max_seed - (a.replications - 1)) {
    std::cerr << fmt::format(
        "{}: the seeds {}..{}+{} pass {} and would wrap: expected a first seed from 0 to {}\n",
        s.source, first_seed, first_seed, a.replications - 1, max_seed,
        max_seed - (a.replications - 1));
    return false;
  }
  if (a.duration) {
    const auto d = parse_duration(*a.duration);
    if (!d || *d <= sim::Duration::zero()) {
      std::cerr << fmt::format(
          "orchsim: --duration '{}': expected a positive duration such as 30s, 5min, 250ms\n",
          *a.duration);
      return false;
    }
    o.duration = *d;
    if (!a.requests) o.requests = 0;
  }
  if (a.warmup) {
    const auto w = parse_duration(*a.warmup);
    if (!w) {
      std::cerr << fmt::format("orchsim: --warmup '{}': expected a duration such as 60s or 5min\n",
                               *a.warmup);
      return false;
    }
    o.warmup = *w;
  }
  if (o.requests.value_or(s.run.requests) == 0 &&
      o.duration.value_or(s.run.duration) == sim::Duration::zero()) {
    std::cerr << fmt::format(
        "{}: /run: the run has no end: set run.requests or run.duration_s, or pass --requests or "
        "--duration\n",
        s.source);
    return false;
  }
  return true;
}

J pairs_json(const Overrides& o) {
  J j = J::array();
  for (const auto& [ptr, value] : o) j.push_back({ptr, value});
  return j;
}

// The plan's run settings from the replication options.
void set_runs(eval::TaskPlan& plan, const eval::ReplicationOptions& o,
              const scenarios::Scenario& first) {
  plan.replications = o.replications;
  plan.first_seed = o.seed.value_or(first.run.seed);
  plan.limits.requests = o.requests;
  plan.limits.duration = o.duration;
  plan.limits.warmup = o.warmup;
}

bool make_dir(const std::string& dir) {
  if (dir.empty()) return true;
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    std::cerr << fmt::format("orchsim: --out {}: cannot create the folder: {}\n", dir,
                             ec.message());
    return false;
  }
  return true;
}

}  // namespace orchsim::cli
