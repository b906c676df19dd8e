// orchsim search: model-based successive halving (eval/search.hpp) over
// scenario overrides, each rung of each bracket run as an experiment of its
// own through the results store (--out/rungs/bBB-rR/results.sqlite). The
// search is deterministic, so after a crash `--resume` proposes the same
// candidates again and every finished rung comes back from its store.
#include <fmt/format.h>

#include <algorithm>
#include <iostream>
#include <sstream>

#include "cli/commands.hpp"
#include "cli/eval_setup.hpp"
#include "cli/experiment.hpp"
#include "eval/atomic_file.hpp"
#include "eval/io_status.hpp"
#include "eval/json_number.hpp"
#include "eval/mpi_runner.hpp"
#include "eval/search.hpp"

namespace orchsim::cli {
namespace {

using J = nlohmann::ordered_json;

// Metric means with 8 decimals: costs per request are ~1e-3 dollars.
J number(double v) { return eval::json_number(v, 8); }

struct SearchSpec {
  std::vector<eval::SearchParameter> space;
  std::vector<std::string> param_texts;  // as given, for messages
  eval::SearchGoal goal;
  std::vector<eval::SearchConstraint> constraints;
  eval::Overrides base_sets;
};

bool refuse(const std::string& message) {
  std::cerr << "orchsim: " << message << '\n';
  return false;
}

bool parse_spec(const SearchArgs& a, SearchSpec& spec) {
  if (a.maximize.has_value() == a.minimize.has_value())
    return refuse(
        "search: give the objective as exactly one of --maximize METRIC or --minimize METRIC");
  spec.goal = {a.maximize ? *a.maximize : *a.minimize, a.maximize.has_value()};
  for (const std::string& p : a.params) {
    auto parsed = eval::parse_search_parameter(p);
    if (!parsed.ok()) return refuse(parsed.status().message());
    spec.space.push_back(std::move(*parsed));
    spec.param_texts.push_back(p);
  }
  for (const std::string& c : a.constraints) {
    auto parsed = eval::parse_search_constraint(c);
    if (!parsed.ok()) return refuse(parsed.status().message());
    spec.constraints.push_back(std::move(*parsed));
  }
  if (!a.common.store.store.empty())
    return refuse(
        "search: --store is not taken: a search keeps one store per rung under --out/rungs/");
  if (!a.common.store.shard.empty())
    return refuse(
        "search: --shard is not taken: each rung depends on the last, so a search runs "
        "in one process (use -j for threads)");
  if (a.common.duration)
    return refuse("search: --duration is not taken: rungs are request counts (use --requests)");
  if (eval::mpi::launched_world_size() > 1)
    return refuse(
        "search: runs in one process (each rung depends on the last); use -j for threads");
  return parse_sets(a.common.sets, spec.base_sets);
}

// Every parameter's ends (every choice of a categorical one) must load, so a
// misspelt pointer or a value the scenario refuses stops the search before it runs.
bool check_space_loads(const std::string& scenario, const SearchSpec& spec) {
  for (std::size_t i = 0; i < spec.space.size(); ++i) {
    const eval::SearchParameter& p = spec.space[i];
    std::vector<std::string> values;
    if (p.categorical()) {
      values = p.choices;
    } else {
      values = {eval::value_text(p, 0.0), eval::value_text(p, 1.0)};
    }
    for (const std::string& v : values) {
      eval::Overrides o = spec.base_sets;
      o.emplace_back(p.pointer, v);
      scenarios::LoadOptions load;
      load.overrides = o;
      scenarios::LoadResult r =
          scenarios::load_scenario(scenario.empty() ? scenarios::kDefaultScenario : scenario, load);
      if (!r.ok()) {
        std::cerr << fmt::format("orchsim: --param '{}': the scenario does not load with {}={}:\n",
                                 spec.param_texts[i], p.pointer, v);
        std::cerr << r.diagnostics.format();
        return false;
      }
    }
  }
  return true;
}

J parameter_json(const eval::SearchParameter& p) {
  using Kind = eval::SearchParameter::Kind;
  J j = {{"pointer", p.pointer}};
  switch (p.kind) {
    case Kind::kCategorical:
      j["kind"] = "choice";
      j["choices"] = p.choices;
      return j;
    case Kind::kInteger:
      j["kind"] = "int";
      break;
    case Kind::kLogReal:
      j["kind"] = "log";
      break;
    case Kind::kReal:
      j["kind"] = "real";
      break;
  }
  j["lo"] = p.lo;
  j["hi"] = p.hi;
  return j;
}

J values_json(const eval::SearchCandidate& c) {
  J j = J::object();
  for (const auto& [pointer, value] : c.overrides) j[pointer] = value;
  return j;
}

J means_json(const eval::SearchEvaluation& e) {
  J j = J::object();
  for (const eval::MetricSummary& m : e.metrics)
    j[m.name] = m.ci.n == 0 ? J(nullptr) : J(number(m.ci.mean));
  return j;
}

// What identifies the search in each rung's store: --resume refuses a store
// of another search unless --force.
J search_identity(const SearchSpec& spec, const SearchArgs& a) {
  J params = J::array();
  for (const auto& p : spec.space) params.push_back(parameter_json(p));
  return {{"parameters", params},
          {"search_seed", a.search_seed},
          {"eta", a.eta},
          {"min_requests", a.min_requests ? J(*a.min_requests) : J(nullptr)}};
}

using Summaries = std::vector<std::vector<eval::MetricSummary>>;

// Runs one rung as an experiment with its own store; sets exit_code when the
// experiment did not finish (interrupted, a runtime failure, a bad store).
eval::StatusOr<Summaries> run_rung(const SearchArgs& a, const SearchSpec& spec,
                                   const eval::ReplicationOptions& options, const J& identity,
                                   const std::vector<const eval::SearchCandidate*>& candidates,
                                   std::uint64_t requests, unsigned bracket, unsigned rung,
                                   int& exit_code) {
  const std::string scenario_arg =
      a.common.scenario.empty() ? scenarios::kDefaultScenario : a.common.scenario;
  eval::LoadedPlan loaded;
  eval::TaskPlan& plan = loaded.plan;
  plan.command = "search";
  for (const eval::SearchCandidate* c : candidates) {
    eval::Overrides o = spec.base_sets;
    o.insert(o.end(), c->overrides.begin(), c->overrides.end());
    auto s = load(a.common.scenario, o);
    if (!s) {
      exit_code = kExitBadInput;
      return eval::Status::bad_input(
          fmt::format("search: candidate {} does not load (see above)", c->id));
    }
    plan.configs.push_back(
        eval::make_config(fmt::format("candidate {}", c->id), scenario_arg, o, *s));
    loaded.scenarios.push_back(std::move(*s));
  }
  eval::ReplicationOptions o = options;
  o.requests = requests;
  set_runs(plan, o, loaded.scenarios.front());
  plan.spec["scenario_name"] = loaded.scenarios.front().name;
  plan.spec["sets"] = pairs_json(spec.base_sets);
  plan.spec["search"] = identity;
  plan.spec["bracket"] = bracket;
  plan.spec["rung"] = rung;

  const std::string dir = fmt::format("{}/rungs/b{:02}-r{}", a.out_dir, bracket, rung);
  if (!make_dir(dir)) {
    exit_code = kExitBadInput;
    return eval::Status::bad_input("search: cannot create " + dir);
  }
  ExperimentOptions eo;
  eo.store = a.common.store;
  eo.out_dir = dir;
  eo.jobs = a.common.jobs;
  eo.quiet = a.common.quiet;
  eo.label = fmt::format("search bracket {} rung {} ({} requests)", bracket, rung, requests);
  const ExperimentRun run = run_experiment(loaded, eo);
  if (!run.sets) {
    exit_code = run.exit_code == kExitOk ? kExitFailure : run.exit_code;
    return eval::Status::runtime("");
  }
  Summaries out;
  out.reserve(run.sets->size());
  for (const eval::ReplicationSet& set : *run.sets) out.push_back(eval::summarize(set.metrics));
  return out;
}

J result_json(const SearchArgs& a, const SearchSpec& spec, const eval::SearchSettings& settings,
              const eval::ReplicationOptions& options, const scenarios::Scenario& base,
              const eval::SearchResult& r) {
  J params = J::array();
  for (const auto& p : spec.space) params.push_back(parameter_json(p));
  J constraints = J::array();
  for (const auto& c : spec.constraints) {
    constraints.push_back(
        {{"metric", c.metric}, {"op", c.at_most ? "<=" : ">="}, {"bound", c.bound}});
  }
  J best = J::array();
  for (std::size_t rank = 0; rank < r.best.size(); ++rank) {
    const eval::SearchEvaluation& e = r.evaluations[r.best[rank]];
    best.push_back({{"rank", rank + 1},
                    {"candidate", e.candidate},
                    {"values", values_json(r.candidates[e.candidate])},
                    {"feasible", e.feasible()},
                    {"violation", number(e.violation)},
                    {"metrics", eval::summaries_to_json(e.metrics)}});
  }
  J pareto = J::array();
  for (std::size_t row : r.pareto) {
    const eval::SearchEvaluation& e = r.evaluations[row];
    pareto.push_back({{"candidate", e.candidate},
                      {"values", values_json(r.candidates[e.candidate])},
                      {"feasible", e.feasible()},
                      {"means", means_json(e)}});
  }
  J rows = J::array();
  for (const eval::SearchEvaluation& e : r.evaluations) {
    const eval::SearchCandidate& c = r.candidates[e.candidate];
    rows.push_back({{"candidate", e.candidate},
                    {"bracket", e.bracket},
                    {"rung", e.rung},
                    {"requests", e.requests},
                    {"proposed_by", c.from_model ? "tpe" : "random"},
                    {"reused", e.reused},
                    {"values", values_json(c)},
                    {"feasible", e.feasible()},
                    {"violation", number(e.violation)},
                    {"means", means_json(e)}});
  }
  J j;
  j["schema"] = "orchsim.search";
  j["schema_version"] = 1;
  j["scenario"] = base.name;
  j["sets"] = pairs_json(spec.base_sets);
  j["objective"] = {{"metric", spec.goal.metric},
                    {"direction", spec.goal.maximize ? "maximize" : "minimize"}};
  j["constraints"] = constraints;
  j["parameters"] = params;
  j["settings"] = {
      {"rungs", r.rungs},
      {"eta", settings.eta},
      {"brackets", settings.brackets},
      {"brackets_run", r.brackets_run},
      {"replications", options.replications},
      {"first_seed", *options.seed},
      {"search_seed", a.search_seed},
      {"random_fraction", number(settings.random_fraction)},
      {"budget_requests", settings.budget_requests ? J(*settings.budget_requests) : J(nullptr)}};
  j["requests_simulated"] = r.requests_simulated;
  j["best"] = best;
  j["pareto"] = pareto;
  j["evaluations"] = rows;
  return j;
}

void write_csv(std::ostream& out, const SearchSpec& spec, const eval::SearchResult& r) {
  out << "candidate,bracket,rung,requests,proposed_by,reused";
  for (const auto& p : spec.space) out << ',' << p.pointer;
  out << ",feasible,violation," << spec.goal.metric;
  for (const auto& c : spec.constraints) out << ',' << c.metric;
  out << ",pareto\n";
  for (std::size_t row = 0; row < r.evaluations.size(); ++row) {
    const eval::SearchEvaluation& e = r.evaluations[row];
    const eval::SearchCandidate& c = r.candidates[e.candidate];
    out << fmt::format("{},{},{},{},{},{}", e.candidate, e.bracket, e.rung, e.requests,
                       c.from_model ? "tpe" : "random", e.reused ? 1 : 0);
    for (const auto& [pointer, value] : c.overrides) out << ",\"" << value << '"';
    out << ',' << (e.feasible() ? 1 : 0) << ',' << number(e.violation).dump();
    for (const eval::MetricSummary& m : e.metrics)
      out << ',' << (m.ci.n == 0 ? std::string() : number(m.ci.mean).dump());
    const bool front = std::find(r.pareto.begin(), r.pareto.end(), row) != r.pareto.end();
    out << ',' << (front ? 1 : 0) << '\n';
  }
}

std::string ci_text(const eval::MetricSummary& m) {
  if (m.ci.n == 0) return "-";
  if (!m.ci.has_interval()) return fmt::format("{:.6g}", m.ci.mean);
  return fmt::format("{:.6g} [{:.6g}, {:.6g}]", m.ci.mean, m.ci.low(), m.ci.high());
}

void print_table(std::ostream& out, const SearchSpec& spec, const eval::ReplicationOptions& o,
                 const scenarios::Scenario& base, const eval::SearchResult& r) {
  std::vector<std::string> subject;
  for (const auto& c : spec.constraints) subject.push_back(eval::describe(c));
  out << fmt::format(
      "search {}: {} {}{}\n", base.name, spec.goal.maximize ? "maximize" : "minimize",
      spec.goal.metric,
      subject.empty() ? "" : fmt::format(" subject to {}", fmt::join(subject, ", ")));
  out << fmt::format(
      "rungs {} requests x {} replications; {} brackets, {} candidates; {} requests simulated\n",
      fmt::join(r.rungs, ", "), o.replications, r.brackets_run, r.candidates.size(),
      r.requests_simulated);
  out << "best at full fidelity (mean [95% CI]):\n";
  for (std::size_t rank = 0; rank < r.best.size(); ++rank) {
    const eval::SearchEvaluation& e = r.evaluations[r.best[rank]];
    std::vector<std::string> values, metrics;
    for (const auto& [pointer, value] : r.candidates[e.candidate].overrides)
      values.push_back(pointer + "=" + value);
    for (const eval::MetricSummary& m : e.metrics) metrics.push_back(m.name + " " + ci_text(m));
    out << fmt::format("  {}. candidate {}{}: {}\n     {}\n", rank + 1, e.candidate,
                       e.feasible() ? "" : " (infeasible)", fmt::join(values, " "),
                       fmt::join(metrics, "; "));
  }
  std::vector<std::size_t> front;
  for (std::size_t row : r.pareto) front.push_back(r.evaluations[row].candidate);
  out << fmt::format("Pareto set over the objective and the constraint metrics: candidates {}\n",
                     fmt::join(front, ", "));
}

}  // namespace

int search_command(const SearchArgs& args) {
  SearchSpec spec;
  if (!parse_spec(args, spec)) return kExitBadInput;
  auto base = load(args.common.scenario, spec.base_sets);
  if (!base) return kExitBadInput;
  if (!check_space_loads(args.common.scenario, spec)) return kExitBadInput;
  eval::ReplicationOptions options;
  if (!replication_options(args.common, *base, options)) return kExitBadInput;
  if (!options.seed) options.seed = base->run.seed;

  eval::SearchSettings settings;
  settings.full_requests = options.requests.value_or(base->run.requests);
  if (settings.full_requests == 0) {
    std::cerr << fmt::format(
        "{}: search: the scenario's run has no request count; pass --requests\n", base->source);
    return kExitBadInput;
  }
  settings.min_requests = args.min_requests.value_or(0);
  settings.eta = args.eta;
  settings.brackets = args.brackets;
  settings.budget_requests = args.budget;
  settings.replications = options.replications;
  settings.seed = args.search_seed;
  settings.top = args.top;
  if (!make_dir(args.out_dir)) return kExitBadInput;

  const J identity = search_identity(spec, args);
  int exit_code = kExitOk;
  auto evaluate = [&](const std::vector<const eval::SearchCandidate*>& candidates,
                      std::uint64_t requests, unsigned bracket, unsigned rung) {
    return run_rung(args, spec, options, identity, candidates, requests, bracket, rung, exit_code);
  };
  auto result = eval::run_search(spec.space, spec.goal, spec.constraints, settings, evaluate);
  if (!result.ok()) {
    if (exit_code != kExitOk) return exit_code;  // the experiment said why
    std::cerr << "orchsim: " << result.status().message() << '\n';
    return exit_status(result.status());
  }
  const J j = result_json(args, spec, settings, options, *base, *result);
  std::ostringstream csv;
  write_csv(csv, spec, *result);
  const std::string json_path = args.out_dir + "/search.json";
  const std::string csv_path = args.out_dir + "/search.csv";
  for (const auto& file : {std::pair{json_path, j.dump(2) + "\n"}, {csv_path, csv.str()}}) {
    const eval::Status written = eval::io_status([&file] {
      eval::AtomicFile out(file.first);
      out.stream() << file.second;
      out.commit();
    });
    if (!written.ok()) {
      std::cerr << fmt::format("orchsim: {}: {}\n", file.first, written.message());
      return exit_status(written);
    }
  }
  if (args.common.format == "json") {
    std::cout << j.dump(2) << '\n';
  } else {
    print_table(std::cout, spec, options, *base, *result);
  }
  if (!args.common.quiet) std::cerr << fmt::format("wrote {} and {}\n", json_path, csv_path);
  return kExitOk;
}

}  // namespace orchsim::cli
