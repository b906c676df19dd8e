// run, compare and sweep: the same library calls as `orchsim run`, `orchsim
// compare` and `orchsim sweep` (cli/), returning what those write as JSON
// text. The experiments run their tasks through eval's executor and build
// their summaries with eval/experiment_summaries.hpp, as the CLI does; they
// keep rows in memory instead of a results store (same bytes either way:
// eval/task_result.hpp).
#include "python/src/experiments.hpp"

#include <fmt/format.h>
#include <pybind11/stl.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <sstream>
#include <thread>

#include "eval/experiment_summaries.hpp"
#include "eval/report.hpp"
#include "eval/runner.hpp"
#include "eval/sweep.hpp"
#include "eval/task_executor.hpp"
#include "eval/task_plan.hpp"
#include "eval/task_result.hpp"
#include "python/src/common.hpp"
#include "scenarios/scenario.hpp"

namespace orchsim::python {

scenarios::Scenario load(const ScenarioSource& source, const Overrides& overrides,
                         const orchestration::PolicyRegistry* registry) {
  scenarios::LoadOptions options;
  options.overrides = overrides;
  options.policies = registry;
  scenarios::LoadResult r = source.text
                                ? scenarios::parse_scenario(*source.text, source.name, options)
                                : scenarios::load_scenario(source.name, options);
  if (!r.ok()) {
    std::string message = r.diagnostics.format();
    while (!message.empty() && message.back() == '\n') message.pop_back();
    raise_scenario_error(message);
  }
  return std::move(*r.scenario);
}

std::optional<sim::Duration> seconds(std::optional<double> s, const char* what, bool positive) {
  if (!s) return std::nullopt;
  if (!std::isfinite(*s) || *s < 0.0 || (positive && *s == 0.0)) {
    raise_scenario_error(fmt::format("{}={}: expected a {} number of seconds", what, *s,
                                     positive ? "positive" : "non-negative"));
  }
  return sim::Duration::from_seconds(*s);
}

namespace {

using J = nlohmann::ordered_json;

// Every run takes this with the GIL held, every 65536 events: Ctrl-C stops it.
void check_signals(double) {
  py::gil_scoped_acquire gil;
  if (PyErr_CheckSignals() != 0) throw py::error_already_set();
}

py::tuple run(const ScenarioSource& source, const Overrides& overrides, const py::dict& policies,
              std::optional<std::uint64_t> seed, std::optional<std::uint64_t> requests,
              std::optional<double> duration_s, std::optional<double> warmup_s, bool decisions,
              bool decision_features, std::uint64_t request_sample) {
  const auto registry = python_registry(policies);
  const scenarios::Scenario scenario = load(source, overrides, registry.get());
  eval::RunOptions options;
  options.seed = seed;
  options.requests = requests;
  options.duration = seconds(duration_s, "duration", true);
  if (options.duration && !requests) options.requests = 0;  // the duration alone bounds the run
  options.warmup = seconds(warmup_s, "warmup", false);
  std::ostringstream decision_log;
  if (decisions) options.decision_log = &decision_log;
  options.decision_features = decisions && decision_features;
  if (request_sample > 0) {
    options.request_log =
        eval::RequestLogOptions{.sample = request_sample,
                                .slowest = std::max<std::uint64_t>(1, request_sample / 10),
                                .failed = std::max<std::uint64_t>(1, request_sample / 10)};
  }
  options.progress = check_signals;
  struct Texts {
    std::string report, decisions, requests;
  };
  const Texts texts = run_without_gil([&] {
    const eval::RunResult result = eval::run_scenario(scenario, options);
    Texts t;
    t.report = eval::make_report(scenario, result).dump();
    t.decisions = decision_log.str();
    if (result.request_log) {
      std::ostringstream out;
      result.request_log->write(out, {{"scenario", scenario.name}, {"seed", result.seed}});
      t.requests = out.str();
    }
    return t;
  });
  return py::make_tuple(texts.report, decisions ? py::object(py::str(texts.decisions)) : py::none(),
                        request_sample > 0 ? py::object(py::str(texts.requests)) : py::none());
}

// What every experiment shares: replications, seeds, run limits, threads.
struct ExperimentArgs {
  std::uint64_t replications = 5;
  std::optional<std::uint64_t> seed, requests;
  std::optional<double> duration_s, warmup_s;
  unsigned jobs = 0;
};

// As the CLI's replication_options() and set_runs().
eval::RunLimits limits(const ExperimentArgs& a) {
  if (a.replications == 0) raise_scenario_error("replications=0: expected at least 1");
  eval::RunLimits l;
  l.requests = a.requests;
  l.duration = seconds(a.duration_s, "duration", true);
  if (l.duration && !a.requests) l.requests = 0;
  l.warmup = seconds(a.warmup_s, "warmup", false);
  return l;
}

void check_has_end(const scenarios::Scenario& s, const eval::RunLimits& l) {
  if (l.requests.value_or(s.run.requests) == 0 &&
      l.duration.value_or(s.run.duration) == sim::Duration::zero()) {
    raise_scenario_error(fmt::format(
        "{}: /run: the run has no end: set run.requests or run.duration_s, or pass requests= or "
        "duration=",
        s.source));
  }
}

J pairs_json(const Overrides& o) {
  J j = J::array();
  for (const auto& [ptr, value] : o) j.push_back({ptr, value});
  return j;
}

// Runs every task of the plan on `jobs` threads and returns the replication
// sets. The calling thread keeps the GIL free and looks for Ctrl-C every
// 100 ms: then no new task starts, the running ones finish, and
// KeyboardInterrupt is raised.
std::vector<eval::ReplicationSet> execute(const eval::LoadedPlan& loaded, unsigned jobs) {
  class Rows final : public eval::TaskSink {
   public:
    explicit Rows(std::uint64_t n) : rows(n) {}
    eval::Status finished(eval::TaskResult r) override {
      rows.at(r.index) = std::move(r);
      return {};
    }
    std::vector<eval::TaskResult> rows;
  };
  Rows sink(loaded.plan.size());
  std::vector<std::uint64_t> pending(loaded.plan.size());
  for (std::uint64_t i = 0; i < pending.size(); ++i) pending[i] = i;
  std::atomic<int> stop{0};
  eval::ExecuteOptions options;
  options.jobs = jobs;
  options.stop = &stop;
  options.worker = "python";

  eval::ExecuteOutcome outcome;
  std::mutex mutex;
  std::condition_variable done_cv;
  bool done = false;
  std::optional<py::error_already_set> interrupt;
  {
    py::gil_scoped_release nogil;
    std::thread runner([&] {
      outcome = eval::execute_local(loaded, pending, sink, options);
      const std::lock_guard<std::mutex> lock(mutex);
      done = true;
      done_cv.notify_all();
    });
    std::unique_lock<std::mutex> lock(mutex);
    while (!done_cv.wait_for(lock, std::chrono::milliseconds(100), [&] { return done; })) {
      if (interrupt) continue;
      lock.unlock();
      {
        py::gil_scoped_acquire gil;
        if (PyErr_CheckSignals() != 0) {
          interrupt.emplace();
          stop = 1;
        }
      }
      lock.lock();
    }
    lock.unlock();
    runner.join();
  }
  if (interrupt) {
    py::error_already_set e = std::move(*interrupt);
    throw e;
  }
  if (!outcome.status.ok()) {
    if (outcome.status.code() == eval::Status::Code::kBadInput) {
      raise_scenario_error(outcome.status.message());
    }
    raise_run_failure(std::make_exception_ptr(std::runtime_error(outcome.status.message())));
  }
  auto sets = eval::replication_sets(loaded.plan, sink.rows, "memory");
  if (!sets.ok())
    raise_run_failure(std::make_exception_ptr(std::runtime_error(sets.status().message())));
  return std::move(*sets);
}

std::string default_name(const ScenarioSource& s) {
  return s.name.empty() ? std::string(scenarios::kDefaultScenario) : s.name;
}

std::string compare(const ScenarioSource& base_source, const Overrides& base_sets,
                    const std::vector<Variant>& variants, const ExperimentArgs& args,
                    const py::dict& policies) {
  if (variants.empty()) {
    raise_scenario_error("compare: give at least one variant (variants= or against=)");
  }
  const auto registry = python_registry(policies);
  const eval::RunLimits run_limits = limits(args);
  eval::LoadedPlan loaded;
  eval::TaskPlan& plan = loaded.plan;
  plan.command = "compare";
  scenarios::Scenario base = load(base_source, base_sets, registry.get());
  check_has_end(base, run_limits);
  plan.replications = args.replications;
  plan.first_seed = args.seed.value_or(base.run.seed);  // every variant on the base's seeds
  plan.limits = run_limits;
  plan.configs.push_back(eval::make_config("base", default_name(base_source), base_sets, base));
  loaded.scenarios.push_back(std::move(base));
  J spec_variants = J::array();
  for (const Variant& v : variants) {
    Overrides o = base_sets;
    o.insert(o.end(), v.overrides.begin(), v.overrides.end());
    const ScenarioSource& source = v.scenario ? *v.scenario : base_source;
    scenarios::Scenario s = load(source, o, registry.get());
    check_has_end(s, run_limits);
    plan.configs.push_back(eval::make_config(v.name, default_name(source), o, s));
    loaded.scenarios.push_back(std::move(s));
    spec_variants.push_back({{"name", v.name}, {"overrides", pairs_json(v.overrides)}});
  }
  plan.spec["sets"] = pairs_json(base_sets);
  plan.spec["variants"] = spec_variants;
  const std::vector<eval::ReplicationSet> sets = execute(loaded, args.jobs);
  return eval::comparison_json(plan, sets).dump();
}

std::string sweep(const ScenarioSource& source, const Overrides& base_sets,
                  const std::vector<std::pair<std::string, std::vector<std::string>>>& axes,
                  const std::optional<Router>& router_args, const ExperimentArgs& args,
                  const py::dict& policies) {
  const auto registry = python_registry(policies);
  const eval::RunLimits run_limits = limits(args);
  std::vector<eval::GridAxis> grid;
  for (const auto& [pointer, values] : axes) {
    if (pointer.empty() || pointer[0] != '/' || values.empty()) {
      raise_scenario_error(
          fmt::format("grid: '{}' with {} values: expected a /json/pointer and at least one value",
                      pointer, values.size()));
    }
    grid.push_back({pointer, values});
  }
  std::optional<eval::RouterSpec> router;
  if (router_args) {
    router.emplace();
    router->strong_agent = router_args->strong_agent;
    router->weak_overrides = router_args->weak_sets;
    router->strong_overrides = router_args->strong_sets;
    router->quality_metric = router_args->quality_metric;
    if (router->weak_overrides.empty() || router->strong_overrides.empty()) {
      raise_scenario_error(
          "strong= needs weak_set= and strong_set=: the overrides that make the always-weak and "
          "always-strong reference runs");
    }
  }
  const std::string scenario_arg = default_name(source);
  eval::LoadedPlan loaded;
  eval::TaskPlan& plan = loaded.plan;
  plan.command = "sweep";
  const auto points = eval::grid_points(grid);
  for (std::size_t i = 0; i < points.size(); ++i) {
    Overrides o = base_sets;
    o.insert(o.end(), points[i].begin(), points[i].end());
    scenarios::Scenario s = load(source, o, registry.get());
    plan.configs.push_back(eval::make_config(fmt::format("point {}", i), scenario_arg, o, s));
    loaded.scenarios.push_back(std::move(s));
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
      scenarios::Scenario s = load(source, o, registry.get());
      plan.configs.push_back(eval::make_config(label, scenario_arg, o, s));
      loaded.scenarios.push_back(std::move(s));
    }
    if (!has_agent) {
      raise_scenario_error(
          fmt::format("strong={}: the scenario has no agent of that name", router->strong_agent));
    }
    router_spec = {{"strong_agent", router->strong_agent},
                   {"weak_overrides", pairs_json(router->weak_overrides)},
                   {"strong_overrides", pairs_json(router->strong_overrides)},
                   {"quality_metric", router->quality_metric}};
  }
  const scenarios::Scenario& first = loaded.scenarios.front();
  check_has_end(first, run_limits);
  plan.replications = args.replications;
  plan.first_seed = args.seed.value_or(first.run.seed);
  plan.limits = run_limits;
  J axes_json = J::array();
  for (const eval::GridAxis& a : grid)
    axes_json.push_back({{"pointer", a.pointer}, {"values", a.values}});
  plan.spec["scenario_name"] = first.name;
  plan.spec["sets"] = pairs_json(base_sets);
  plan.spec["grid"] = axes_json;
  plan.spec["router"] = router_spec;
  const std::vector<eval::ReplicationSet> sets = execute(loaded, args.jobs);
  return eval::sweep_json(plan, eval::summarize_sweep_plan(plan, sets)).dump();
}

}  // namespace

void bind_experiments(py::module_& m) {
  py::class_<ScenarioSource>(m, "ScenarioSource")
      .def(py::init([](std::string name, std::optional<std::string> text) {
             return ScenarioSource{std::move(name), std::move(text)};
           }),
           py::arg("name"), py::arg("text") = std::nullopt);

  m.def("run", &run, py::arg("scenario"), py::arg("overrides"), py::arg("policies"),
        py::arg("seed"), py::arg("requests"), py::arg("duration_s"), py::arg("warmup_s"),
        py::arg("decisions"), py::arg("decision_features"), py::arg("request_sample"),
        "One run: (report.json text, decisions.jsonl text or None, requests.jsonl text or None).");

  m.def(
      "compare",
      [](const ScenarioSource& base, const Overrides& sets,
         const std::vector<std::tuple<std::string, std::optional<ScenarioSource>, Overrides>>& vs,
         std::uint64_t replications, std::optional<std::uint64_t> seed,
         std::optional<std::uint64_t> requests, std::optional<double> duration_s,
         std::optional<double> warmup_s, unsigned jobs, const py::dict& policies) {
        std::vector<Variant> variants;
        for (const auto& [name, scenario, overrides] : vs)
          variants.push_back({name, scenario, overrides});
        return compare(base, sets, variants,
                       {replications, seed, requests, duration_s, warmup_s, jobs}, policies);
      },
      py::arg("scenario"), py::arg("sets"), py::arg("variants"), py::arg("replications"),
      py::arg("seed"), py::arg("requests"), py::arg("duration_s"), py::arg("warmup_s"),
      py::arg("jobs"), py::arg("policies"), "comparison.json text.");

  m.def(
      "sweep",
      [](const ScenarioSource& source, const Overrides& sets,
         const std::vector<std::pair<std::string, std::vector<std::string>>>& grid,
         std::optional<std::tuple<std::string, Overrides, Overrides, std::string>> router,
         std::uint64_t replications, std::optional<std::uint64_t> seed,
         std::optional<std::uint64_t> requests, std::optional<double> duration_s,
         std::optional<double> warmup_s, unsigned jobs, const py::dict& policies) {
        std::optional<Router> r;
        if (router) {
          auto& [strong, weak_sets, strong_sets, metric] = *router;
          r = Router{strong, weak_sets, strong_sets, metric};
        }
        return sweep(source, sets, grid, r,
                     {replications, seed, requests, duration_s, warmup_s, jobs}, policies);
      },
      py::arg("scenario"), py::arg("sets"), py::arg("grid"), py::arg("router"),
      py::arg("replications"), py::arg("seed"), py::arg("requests"), py::arg("duration_s"),
      py::arg("warmup_s"), py::arg("jobs"), py::arg("policies"), "sweep.json text.");

  m.def(
      "parse_grid",
      [](const std::string& spec)
          -> std::optional<std::pair<std::string, std::vector<std::string>>> {
        auto axis = eval::parse_grid(spec);
        if (!axis) return std::nullopt;
        return std::pair{axis->pointer, axis->values};
      },
      py::arg("spec"), "'/ptr=v1,v2' as the CLI's --grid reads it, or None.");
}

}  // namespace orchsim::python
