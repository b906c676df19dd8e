// orchsim run --replications, compare, sweep, baseline and check: each turns
// its arguments into an experiment plan (configurations x replications),
// runs it through the results store (cli/experiment.hpp) and writes its
// summaries from the stored rows (cli/eval_outputs.hpp).
#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>
#include <optional>
#include <sstream>

#include "cli/commands.hpp"
#include "cli/duration_arg.hpp"
#include "cli/eval_outputs.hpp"
#include "cli/eval_setup.hpp"
#include "cli/experiment.hpp"
#include "cli/overrides.hpp"
#include "eval/baseline.hpp"
#include "eval/sweep.hpp"
#include "eval/task_result.hpp"
#include "scenarios/scenario.hpp"

namespace orchsim::cli {

namespace {

using J = nlohmann::ordered_json;
using Overrides = std::vector<std::pair<std::string, std::string>>;

OutputOptions output_options(const std::string& format, const std::string& out_dir, bool quiet) {
  OutputOptions o;
  o.format = format;
  o.out_dir = out_dir;
  o.quiet = quiet;
  return o;
}

ExperimentOptions experiment_options(const StoreArgs& store, const std::string& out_dir,
                                     unsigned jobs, bool quiet, std::string label) {
  ExperimentOptions o;
  o.store = store;
  o.out_dir = out_dir;
  o.jobs = jobs;
  o.quiet = quiet;
  o.label = std::move(label);
  return o;
}

// "NAME:/a=1,/b=[1,2]" → name and overrides (cli/overrides.hpp).
bool parse_variant(const std::string& spec, std::string& name, Overrides& out) {
  std::string why;
  auto v = cli::parse_variant(spec, &why);
  if (!v) {
    std::cerr << fmt::format("orchsim: --variant: {}\n", why);
    return false;
  }
  name = std::move(v->name);
  out.insert(out.end(), v->overrides.begin(), v->overrides.end());
  return true;
}

}  // namespace

int run_replications_command(const RunArgs& args) {
  if (args.trace) {
    std::cerr << "orchsim: --trace records one replication: drop --replications or --trace\n";
    return kExitBadInput;
  }
  Overrides overrides;
  if (!parse_sets(args.sets, overrides)) return kExitBadInput;
  auto scenario = load(args.scenario, overrides);
  if (!scenario) return kExitBadInput;
  EvalArgs common;
  common.seed = args.seed;
  common.requests = args.requests;
  common.duration = args.duration;
  common.warmup = args.warmup;
  common.replications = args.replications;
  common.jobs = args.jobs;
  eval::ReplicationOptions options;
  if (!replication_options(common, *scenario, options)) return kExitBadInput;
  const std::string out_dir = args.out_dir.value_or("");
  if (!make_dir(out_dir)) return kExitBadInput;

  eval::LoadedPlan loaded;
  loaded.plan.command = "run";
  set_runs(loaded.plan, options, *scenario);
  loaded.plan.configs.push_back(eval::make_config(
      scenario->name, args.scenario.empty() ? scenarios::kDefaultScenario : args.scenario,
      overrides, *scenario));
  const std::string label = scenario->name;
  loaded.scenarios.push_back(std::move(*scenario));
  const ExperimentRun run =
      run_experiment(loaded, experiment_options(args.store, out_dir, args.jobs, args.quiet, label));
  if (!run.sets) return run.exit_code;
  return write_outputs(loaded.plan, *run.sets, output_options(args.format, out_dir, args.quiet));
}

int compare_command(const CompareArgs& args) {
  Overrides base_sets;
  if (!parse_sets(args.common.sets, base_sets)) return kExitBadInput;
  struct Variant {
    std::string name;
    std::string scenario;
    Overrides overrides;
  };
  std::vector<Variant> variants;
  for (const std::string& spec : args.variants) {
    Variant v;
    v.scenario = args.common.scenario;
    if (!parse_variant(spec, v.name, v.overrides)) return kExitBadInput;
    variants.push_back(std::move(v));
  }
  for (const std::string& other : args.against) {
    variants.push_back({std::filesystem::path(other).stem().string(), other, {}});
  }
  if (variants.empty()) {
    std::cerr
        << "orchsim: compare: give at least one --variant NAME:/ptr=value or --against FILE\n";
    return kExitBadInput;
  }
  auto base = load(args.common.scenario, base_sets);
  if (!base) return kExitBadInput;
  eval::ReplicationOptions options;
  if (!replication_options(args.common, *base, options)) return kExitBadInput;
  if (!options.seed) options.seed = base->run.seed;  // every variant on the base's seeds

  eval::LoadedPlan loaded;
  eval::TaskPlan& plan = loaded.plan;
  plan.command = "compare";
  set_runs(plan, options, *base);
  const std::string base_name =
      args.common.scenario.empty() ? scenarios::kDefaultScenario : args.common.scenario;
  plan.configs.push_back(eval::make_config("base", base_name, base_sets, *base));
  loaded.scenarios.push_back(std::move(*base));
  J spec_variants = J::array();
  for (const Variant& v : variants) {
    Overrides o = base_sets;
    o.insert(o.end(), v.overrides.begin(), v.overrides.end());
    auto s = load(v.scenario, o);
    if (!s) return kExitBadInput;
    eval::ReplicationOptions check = options;
    if (!replication_options(args.common, *s, check)) return kExitBadInput;
    plan.configs.push_back(eval::make_config(
        v.name, v.scenario.empty() ? scenarios::kDefaultScenario : v.scenario, o, *s));
    loaded.scenarios.push_back(std::move(*s));
    spec_variants.push_back({{"name", v.name}, {"overrides", pairs_json(v.overrides)}});
  }
  plan.spec["sets"] = pairs_json(base_sets);
  plan.spec["variants"] = spec_variants;
  plan.view["metrics"] = args.metrics;
  plan.view["all_metrics"] = args.all_metrics;
  if (!make_dir(args.out_dir)) return kExitBadInput;

  const ExperimentRun run =
      run_experiment(loaded, experiment_options(args.common.store, args.out_dir, args.common.jobs,
                                                args.common.quiet, "compare"));
  if (!run.sets) return run.exit_code;
  return write_outputs(plan, *run.sets,
                       output_options(args.common.format, args.out_dir, args.common.quiet));
}

int sweep_command(const SweepArgs& args) {
  Overrides base_sets;
  if (!parse_sets(args.common.sets, base_sets)) return kExitBadInput;
  std::vector<eval::GridAxis> grid;
  for (const std::string& g : args.grid) {
    auto axis = eval::parse_grid(g);
    if (!axis) {
      std::cerr << fmt::format("orchsim: --grid '{}': expected /json/pointer=v1,v2,...\n", g);
      return kExitBadInput;
    }
    grid.push_back(std::move(*axis));
  }
  std::optional<eval::RouterSpec> router;
  if (args.strong_agent) {
    router.emplace();
    router->strong_agent = *args.strong_agent;
    router->quality_metric = args.quality_metric;
    if (!parse_sets(args.weak_sets, router->weak_overrides) ||
        !parse_sets(args.strong_sets, router->strong_overrides)) {
      return kExitBadInput;
    }
    if (router->weak_overrides.empty() || router->strong_overrides.empty()) {
      std::cerr << "orchsim: --strong needs --weak-set and --strong-set: the overrides that make "
                   "the always-weak and always-strong reference runs\n";
      return kExitBadInput;
    }
  } else if (!args.weak_sets.empty() || !args.strong_sets.empty()) {
    std::cerr << "orchsim: --weak-set/--strong-set need --strong AGENT\n";
    return kExitBadInput;
  }
  const std::string scenario_arg =
      args.common.scenario.empty() ? scenarios::kDefaultScenario : args.common.scenario;
  // Every configuration must load before anything runs: the grid points, then
  // the router's two references.
  eval::LoadedPlan loaded;
  eval::TaskPlan& plan = loaded.plan;
  plan.command = "sweep";
  const auto points = eval::grid_points(grid);
  for (std::size_t i = 0; i < points.size(); ++i) {
    Overrides o = base_sets;
    o.insert(o.end(), points[i].begin(), points[i].end());
    auto s = load(args.common.scenario, o);
    if (!s) return kExitBadInput;
    plan.configs.push_back(eval::make_config(fmt::format("point {}", i), scenario_arg, o, *s));
    loaded.scenarios.push_back(std::move(*s));
  }
  J router_spec;
  if (router) {
    bool has_agent = false;
    for (const auto& a : loaded.scenarios.front().agents) {
      has_agent = has_agent || a.name == router->strong_agent;
    }
    for (const auto& [label, extra] :
         {std::pair{"weak", &router->weak_overrides}, {"strong", &router->strong_overrides}}) {
      Overrides o = base_sets;
      o.insert(o.end(), extra->begin(), extra->end());
      auto s = load(args.common.scenario, o);
      if (!s) return kExitBadInput;
      plan.configs.push_back(eval::make_config(label, scenario_arg, o, *s));
      loaded.scenarios.push_back(std::move(*s));
    }
    if (!has_agent) {
      std::cerr << fmt::format("orchsim: --strong {}: the scenario has no agent of that name\n",
                               router->strong_agent);
      return kExitBadInput;
    }
    router_spec = {{"strong_agent", router->strong_agent},
                   {"weak_overrides", pairs_json(router->weak_overrides)},
                   {"strong_overrides", pairs_json(router->strong_overrides)},
                   {"quality_metric", router->quality_metric}};
  }
  // loaded.scenarios is complete: a reference into it stays valid from here on.
  const scenarios::Scenario& first = loaded.scenarios.front();
  eval::ReplicationOptions options;
  if (!replication_options(args.common, first, options)) return kExitBadInput;
  if (!options.seed) options.seed = first.run.seed;
  set_runs(plan, options, first);
  J axes = J::array();
  for (const eval::GridAxis& a : grid)
    axes.push_back({{"pointer", a.pointer}, {"values", a.values}});
  plan.spec["scenario_name"] = first.name;
  plan.spec["sets"] = pairs_json(base_sets);
  plan.spec["grid"] = axes;
  plan.spec["router"] = router_spec;
  if (!make_dir(args.out_dir)) return kExitBadInput;

  const ExperimentRun run =
      run_experiment(loaded, experiment_options(args.common.store, args.out_dir, args.common.jobs,
                                                args.common.quiet, "sweep"));
  if (!run.sets) return run.exit_code;
  return write_outputs(plan, *run.sets,
                       output_options(args.common.format, args.out_dir, args.common.quiet));
}

int baseline_command(const BaselineArgs& args) {
  Overrides sets;
  if (!parse_sets(args.common.sets, sets)) return kExitBadInput;
  auto scenario = load(args.common.scenario, sets);
  if (!scenario) return kExitBadInput;
  eval::ReplicationOptions options;
  if (!replication_options(args.common, *scenario, options)) return kExitBadInput;
  if (args.common.duration) {
    std::cerr << "orchsim: baseline: use --requests, not --duration (a baseline records a request "
                 "count)\n";
    return kExitBadInput;
  }
  if (!options.seed) options.seed = scenario->run.seed;
  eval::LoadedPlan loaded;
  loaded.plan.command = "baseline";
  set_runs(loaded.plan, options, *scenario);
  loaded.plan.configs.push_back(eval::make_config(
      scenario->name,
      args.common.scenario.empty() ? scenarios::kDefaultScenario : args.common.scenario, sets,
      *scenario));
  loaded.plan.view["out"] = args.out;
  const std::string label = scenario->name;
  loaded.scenarios.push_back(std::move(*scenario));
  const ExperimentRun run = run_experiment(
      loaded,
      experiment_options(args.common.store, "", args.common.jobs, args.common.quiet, label));
  if (!run.sets) return run.exit_code;
  OutputOptions out = output_options("table", "", args.common.quiet);
  out.baseline_out = args.out;
  return write_outputs(loaded.plan, *run.sets, out);
}

int check_command(const CheckArgs& args) {
  std::ifstream in(args.baseline, std::ios::binary);
  if (!in) {
    std::cerr << fmt::format("orchsim: --baseline {}: cannot open the file\n", args.baseline);
    return kExitBadInput;
  }
  std::stringstream text;
  text << in.rdbuf();
  const eval::StatusOr<J> parsed = eval::parse_baseline(text.str());
  const eval::StatusOr<eval::BaselineInfo> read =
      parsed.ok() ? eval::baseline_info(*parsed)
                  : eval::StatusOr<eval::BaselineInfo>(parsed.status());
  if (!read.ok()) {
    std::cerr << fmt::format("orchsim: --baseline {}: {}\n", args.baseline,
                             read.status().message());
    return exit_status(read.status());
  }
  const J& baseline = *parsed;
  const eval::BaselineInfo& info = *read;
  std::map<std::string, eval::Tolerance> tolerances = eval::default_tolerances();
  for (const std::string& spec : args.tolerances) {
    const auto t = eval::parse_tolerance(spec);
    if (!t) {
      std::cerr << fmt::format(
          "orchsim: --tolerance '{}': expected metric=rel:FRACTION or metric=abs:AMOUNT (e.g. "
          "latency_ms.all.p99=rel:0.05)\n",
          spec);
      return kExitBadInput;
    }
    tolerances[t->first] = t->second;
  }
  for (const auto& [name, tol] : tolerances) {
    if (!baseline["metrics"].contains(name)) {
      std::cerr << fmt::format("orchsim: --tolerance {}: the baseline has no metric of that name\n",
                               name);
      return kExitBadInput;
    }
  }
  // The baseline's configuration, then this run's deliberate changes.
  Overrides sets = info.overrides;
  if (!parse_sets(args.sets, sets)) return kExitBadInput;
  const std::string name = args.scenario.empty() ? info.scenario : args.scenario;
  auto scenario = load(name, sets);
  if (!scenario) return kExitBadInput;
  EvalArgs common;
  common.replications = info.replications;
  common.jobs = args.jobs;
  common.seed = info.seed;
  common.requests = info.requests;
  eval::ReplicationOptions options;
  if (!replication_options(common, *scenario, options)) return kExitBadInput;
  eval::LoadedPlan loaded;
  loaded.plan.command = "check";
  set_runs(loaded.plan, options, *scenario);
  loaded.plan.configs.push_back(eval::make_config(scenario->name, name, sets, *scenario));
  J tolerance_spec = J::object();
  for (const auto& [metric, tol] : tolerances) tolerance_spec[metric] = eval::to_string(tol);
  loaded.plan.spec["baseline"] = baseline;
  loaded.plan.spec["tolerances"] = tolerance_spec;
  loaded.plan.view["baseline_path"] = args.baseline;
  const std::string label = scenario->name;
  loaded.scenarios.push_back(std::move(*scenario));
  const ExperimentRun run =
      run_experiment(loaded, experiment_options(args.store, "", args.jobs, args.quiet, label));
  if (!run.sets) return run.exit_code;
  OutputOptions out = output_options("table", "", args.quiet);
  out.junit = args.junit.value_or("");
  return write_outputs(loaded.plan, *run.sets, out);
}

}  // namespace orchsim::cli
