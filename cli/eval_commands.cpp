// orchsim run --replications, compare, sweep, baseline and check: the
// evaluation commands over eval/replications, comparison, sweep and baseline.
#include <fmt/format.h>

#include <filesystem>
#include <limits>
#include <optional>
#include <fstream>
#include <iostream>
#include <sstream>

#include "cli/commands.hpp"
#include "cli/duration_arg.hpp"
#include "cli/overrides.hpp"
#include "cli/progress_bar.hpp"
#include "eval/atomic_file.hpp"
#include "eval/baseline.hpp"
#include "eval/comparison.hpp"
#include "eval/replications.hpp"
#include "eval/sweep.hpp"
#include "scenarios/scenario.hpp"

namespace orchsim::cli {

namespace {

using J = nlohmann::ordered_json;
using Overrides = std::vector<std::pair<std::string, std::string>>;

const std::vector<std::string>& key_metrics() {
  static const std::vector<std::string> keys = {
      "latency_ms.all.mean", "latency_ms.all.p50", "latency_ms.all.p99",   "requests.success_rate",
      "quality.mean",        "quality.pass_rate",  "per_request.cost_usd", "per_request.calls"};
  return keys;
}

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

// A progress bar across replications (stderr, terminals only).
struct Progress {
  explicit Progress(const std::string& label, bool quiet)
      : bar(label), on(!quiet && bar.enabled()) {}
  void attach(eval::ReplicationOptions& o, std::uint64_t offset = 0, std::uint64_t total = 0) {
    if (!on) return;
    o.progress = [this, offset, total](std::uint64_t done, std::uint64_t n) {
      const double all = static_cast<double>(total == 0 ? n : total);
      bar.update(static_cast<double>(offset + done) / all);
    };
  }
  ProgressBar bar;
  bool on;
};

// Runs the replications with a progress bar; nullopt (and a message) when a
// replication failed at run time.
std::optional<eval::ReplicationSet> run_with_progress(const scenarios::Scenario& scenario,
                                                      eval::ReplicationOptions& options, bool quiet) {
  Progress progress(scenario.name, quiet);
  progress.attach(options);
  try {
    eval::ReplicationSet set = eval::run_replications(scenario, options);
    progress.bar.finish();
    return set;
  } catch (const std::exception& e) {
    progress.bar.finish();
    std::cerr << "orchsim: run failed: " << e.what() << '\n';
    return std::nullopt;
  }
}

std::string num(double x) {
  if (!std::isfinite(x)) return "-";
  return fmt::format("{:.6g}", x);
}

std::string ci_text(const eval::stats::ConfidenceInterval& ci) {
  return ci.has_interval() ? fmt::format("[{}, {}]", num(ci.low()), num(ci.high())) : "-";
}

std::string seeds_text(const std::vector<std::uint64_t>& seeds) {
  if (seeds.empty()) return "none";
  if (seeds.size() == 1) return fmt::format("{}", seeds.front());
  return fmt::format("{}..{}", seeds.front(), seeds.back());
}

J overrides_json(const Overrides& o) {
  J j = J::array();
  for (const auto& [ptr, value] : o) j.push_back(ptr + "=" + value);
  return j;
}

void write_summary_table(std::ostream& out, const std::vector<eval::MetricSummary>& summaries) {
  out << fmt::format("{:<48} {:>12} {:>12} {:>12} {:>12} {:>4}\n", "metric", "mean", "sd",
                     "ci95_low", "ci95_high", "n");
  for (const eval::MetricSummary& m : summaries) {
    out << fmt::format("{:<48} {:>12} {:>12} {:>12} {:>12} {:>4}\n", m.name, num(m.ci.mean),
                       num(m.ci.sd), m.ci.has_interval() ? num(m.ci.low()) : "-",
                       m.ci.has_interval() ? num(m.ci.high()) : "-", m.ci.n);
  }
}

void write_summary_csv(std::ostream& out, const std::vector<eval::MetricSummary>& summaries) {
  out << "metric,n,mean,sd,ci_low,ci_high\n";
  for (const eval::MetricSummary& m : summaries) {
    out << fmt::format("{},{},{},{},{},{}\n", m.name, m.ci.n, m.ci.mean, m.ci.sd,
                       m.ci.has_interval() ? fmt::format("{}", m.ci.low()) : "",
                       m.ci.has_interval() ? fmt::format("{}", m.ci.high()) : "");
  }
}

J replications_json(const scenarios::Scenario& s, const eval::ReplicationSet& set,
                    const std::vector<eval::MetricSummary>& summaries) {
  J j;
  j["scenario"] = s.name;
  j["replications"] = set.seeds.size();
  j["seeds"] = set.seeds;
  j["confidence_level"] = 0.95;
  j["metrics"] = eval::summaries_to_json(summaries);
  j["latency_ms_merged"] = {{"all", eval::latency_to_json(set.latency_all)},
                            {"success", eval::latency_to_json(set.latency_success)}};
  return j;
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
  const auto scenario = load(args.scenario, overrides);
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
  if (args.out_dir) {
    std::error_code ec;
    std::filesystem::create_directories(*args.out_dir, ec);
    if (ec) {
      std::cerr << fmt::format("orchsim: --out {}: cannot create the folder: {}\n", *args.out_dir,
                               ec.message());
      return kExitBadInput;
    }
  }
  const std::optional<eval::ReplicationSet> ran = run_with_progress(*scenario, options, args.quiet);
  if (!ran) return kExitFailure;
  const eval::ReplicationSet& set = *ran;
  const std::vector<eval::MetricSummary> summaries = eval::summarize(set.metrics);
  const J report = replications_json(*scenario, set, summaries);
  if (args.format == "json") {
    std::cout << report.dump(2) << '\n';
  } else if (args.format == "csv") {
    write_summary_csv(std::cout, summaries);
  } else {
    std::cout << fmt::format("{}: {} replications, seeds {}, 95% confidence intervals\n",
                             scenario->name, set.seeds.size(), seeds_text(set.seeds));
    write_summary_table(std::cout, summaries);
  }
  if (args.out_dir) {
    try {
      eval::AtomicFile json(*args.out_dir + "/replications.json");
      json.stream() << report.dump(2) << '\n';
      eval::AtomicFile csv(*args.out_dir + "/replications.csv");
      write_summary_csv(csv.stream(), summaries);
      csv.commit();
      json.commit();
    } catch (const std::exception& e) {
      std::cerr << "orchsim: writing results: " << e.what() << '\n';
      return kExitFailure;
    }
    if (!args.quiet) {
      std::cerr << fmt::format("wrote {}/replications.json, replications.csv\n", *args.out_dir);
    }
  }
  return kExitOk;
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
  const auto base = load(args.common.scenario, base_sets);
  if (!base) return kExitBadInput;
  eval::ReplicationOptions options;
  if (!replication_options(args.common, *base, options)) return kExitBadInput;
  if (!options.seed) options.seed = base->run.seed;  // every variant on the base's seeds
  std::vector<scenarios::Scenario> loaded;
  for (const Variant& v : variants) {
    Overrides o = base_sets;
    o.insert(o.end(), v.overrides.begin(), v.overrides.end());
    auto s = load(v.scenario, o);
    if (!s) return kExitBadInput;
    eval::ReplicationOptions check = options;
    if (!replication_options(args.common, *s, check)) return kExitBadInput;
    loaded.push_back(std::move(*s));
  }

  const std::uint64_t total = args.common.replications * (1 + loaded.size());
  Progress progress("compare", args.common.quiet);
  eval::ReplicationSet base_set;
  std::vector<eval::ReplicationSet> sets;
  try {
    progress.attach(options, 0, total);
    base_set = eval::run_replications(*base, options);
    for (std::size_t i = 0; i < loaded.size(); ++i) {
      progress.attach(options, args.common.replications * (i + 1), total);
      sets.push_back(eval::run_replications(loaded[i], options));
    }
  } catch (const std::exception& e) {
    progress.bar.finish();
    std::cerr << "orchsim: run failed: " << e.what() << '\n';
    return kExitFailure;
  }
  progress.bar.finish();

  J report;
  report["scenario"] = base->name;
  report["sets"] = overrides_json(base_sets);
  report["replications"] = base_set.seeds.size();
  report["seeds"] = base_set.seeds;
  report["confidence_level"] = 0.95;
  J jv = J::array();
  std::vector<std::vector<eval::MetricComparison>> comparisons;
  for (std::size_t i = 0; i < variants.size(); ++i) {
    comparisons.push_back(eval::compare(base_set.metrics, sets[i].metrics));
    J v;
    v["name"] = variants[i].name;
    v["scenario"] = loaded[i].name;
    v["overrides"] = overrides_json(variants[i].overrides);
    J metrics = J::object();
    for (const eval::MetricComparison& c : comparisons.back()) metrics[c.name] = eval::to_json(c);
    v["metrics"] = metrics;
    jv.push_back(std::move(v));
  }
  report["variants"] = jv;

  std::vector<std::string> shown = args.metrics.empty() ? key_metrics() : args.metrics;
  for (const std::string& m : args.metrics) {
    bool known = false;
    for (const auto& c : comparisons.front()) known = known || c.name == m;
    if (!known) {
      std::cerr << fmt::format(
          "orchsim: --metric {}: no such metric (see --format json for names)\n", m);
      return kExitBadInput;
    }
  }
  if (args.common.format == "json") {
    std::cout << report.dump(2) << '\n';
    return kExitOk;
  }
  std::cout << fmt::format(
      "{}: {} replications per variant on seeds {} (common random numbers); differences are "
      "variant - base, 95% CIs\n",
      base->name, base_set.seeds.size(), seeds_text(base_set.seeds));
  for (std::size_t i = 0; i < variants.size(); ++i) {
    std::cout << fmt::format("\nvariant {} vs base\n", variants[i].name);
    std::cout << fmt::format("{:<28} {:>11} {:>11} {:>11} {:>26} {:>11} {:>11} {:>7}\n", "metric",
                             "base", "variant", "diff", "paired ci95", "paired +-", "unpaired +-",
                             "ratio");
    for (const eval::MetricComparison& c : comparisons[i]) {
      if (!args.all_metrics && std::find(shown.begin(), shown.end(), c.name) == shown.end())
        continue;
      std::cout << fmt::format(
          "{:<28} {:>11} {:>11} {:>11} {:>26} {:>11} {:>11} {:>7}{}\n", c.name, num(c.base_mean),
          num(c.variant_mean), num(c.paired.mean), ci_text(c.paired), num(c.paired.half_width),
          num(c.unpaired.half_width),
          std::isfinite(c.width_ratio) ? fmt::format("{:.1f}x", c.width_ratio) : "-",
          c.significant() ? " *" : "");
    }
  }
  std::cout << "\n* the paired CI excludes 0. ratio = unpaired / paired CI width (the gain from "
               "common random numbers).\n";
  return kExitOk;
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
  // Check every configuration loads before running anything.
  std::optional<scenarios::Scenario> first;
  for (const auto& point : eval::grid_points(grid)) {
    Overrides o = base_sets;
    o.insert(o.end(), point.begin(), point.end());
    auto s = load(args.common.scenario, o);
    if (!s) return kExitBadInput;
    if (!first) first = std::move(s);
  }
  if (router) {
    for (const Overrides* extra : {&router->weak_overrides, &router->strong_overrides}) {
      Overrides o = base_sets;
      o.insert(o.end(), extra->begin(), extra->end());
      if (!load(args.common.scenario, o)) return kExitBadInput;
    }
    bool has_agent = false;
    for (const auto& a : first->agents) has_agent = has_agent || a.name == router->strong_agent;
    if (!has_agent) {
      std::cerr << fmt::format("orchsim: --strong {}: the scenario has no agent of that name\n",
                               router->strong_agent);
      return kExitBadInput;
    }
  }
  eval::ReplicationOptions options;
  if (!replication_options(args.common, *first, options)) return kExitBadInput;
  if (!options.seed) options.seed = first->run.seed;
  std::error_code ec;
  std::filesystem::create_directories(args.out_dir, ec);
  if (ec) {
    std::cerr << fmt::format("orchsim: --out {}: cannot create the folder: {}\n", args.out_dir,
                             ec.message());
    return kExitBadInput;
  }

  eval::SweepResult result;
  {
    Progress progress("sweep", args.common.quiet);
    const std::uint64_t points = eval::grid_points(grid).size() + (router ? 2 : 0);
    std::uint64_t done = 0;
    if (progress.on) {
      options.progress = [&](std::uint64_t d, std::uint64_t n) {
        if (d == n) ++done;
        progress.bar.update((static_cast<double>(done) +
                             (d == n ? 0.0 : static_cast<double>(d) / static_cast<double>(n))) /
                            static_cast<double>(points));
      };
    }
    try {
      result = eval::run_sweep(
          args.common.scenario.empty() ? scenarios::kDefaultScenario : args.common.scenario,
          base_sets, grid, options, router);
    } catch (const std::invalid_argument& e) {
      progress.bar.finish();
      std::cerr << e.what();
      return kExitBadInput;
    } catch (const std::exception& e) {
      progress.bar.finish();
      std::cerr << "orchsim: sweep failed: " << e.what() << '\n';
      return kExitFailure;
    }
  }
  J report = eval::sweep_to_json(grid, result);
  report["scenario"] = first->name;
  report["sets"] = overrides_json(base_sets);
  report["replications"] = args.common.replications;
  report["first_seed"] = *options.seed;
  try {
    eval::AtomicFile csv(std::filesystem::path(args.out_dir) / "sweep.csv");
    eval::write_sweep_csv(csv.stream(), grid, result);
    eval::AtomicFile json(std::filesystem::path(args.out_dir) / "sweep.json");
    json.stream() << report.dump(2) << '\n';
    csv.commit();
    json.commit();
  } catch (const std::exception& e) {
    std::cerr << "orchsim: writing results: " << e.what() << '\n';
    return kExitFailure;
  }
  if (args.common.format == "json") {
    std::cout << report.dump(2) << '\n';
  } else {
    std::cout << fmt::format(
        "{}: {} configurations x {} replications (seeds from {}); means with "
        "95% CIs; * = Pareto frontier (p99 down, cost down, quality up)\n",
        first->name, result.points.size(), args.common.replications, *options.seed);
    auto cell = [](const eval::SweepPoint& p, const std::string& metric) {
      const eval::MetricSummary* m = eval::find_metric(p.summaries, metric);
      if (m == nullptr || m->ci.n == 0) return std::string("-");
      return m->ci.has_interval() ? fmt::format("{} ±{}", num(m->ci.mean), num(m->ci.half_width))
                                  : num(m->ci.mean);
    };
    for (std::size_t i = 0; i < result.points.size(); ++i) {
      const eval::SweepPoint& p = result.points[i];
      std::string config;
      for (const auto& [ptr, value] : p.overrides) {
        config += (config.empty() ? "" : " ") + ptr + "=" + value;
      }
      std::cout << fmt::format("{:>3}{} {}\n     p99_ms {}  cost_usd {}  quality {}  success {}", i,
                               p.pareto ? "*" : " ", config, cell(p, "latency_ms.all.p99"),
                               cell(p, "per_request.cost_usd"), cell(p, "quality.mean"),
                               cell(p, "requests.success_rate"));
      if (router) {
        std::cout << fmt::format("  strong {}  pgr {}",
                                 p.strong_fraction ? num(*p.strong_fraction) : "-",
                                 p.pgr ? num(*p.pgr) : "-");
      }
      std::cout << '\n';
    }
    if (router) {
      auto o = [](const std::optional<double>& x) { return x ? num(*x) : std::string("-"); };
      std::cout << fmt::format(
          "router: q_weak {}  q_strong {}  APGR {}  CPT(50%) {}  CPT(80%) {}\n", o(result.q_weak),
          o(result.q_strong), o(result.apgr), o(result.cpt50), o(result.cpt80));
    }
  }
  if (!args.common.quiet) {
    std::cerr << fmt::format("wrote {}/sweep.csv, sweep.json\n", args.out_dir);
  }
  return kExitOk;
}

int baseline_command(const BaselineArgs& args) {
  Overrides sets;
  if (!parse_sets(args.common.sets, sets)) return kExitBadInput;
  const auto scenario = load(args.common.scenario, sets);
  if (!scenario) return kExitBadInput;
  eval::ReplicationOptions options;
  if (!replication_options(args.common, *scenario, options)) return kExitBadInput;
  if (args.common.duration) {
    std::cerr << "orchsim: baseline: use --requests, not --duration (a baseline records a request "
                 "count)\n";
    return kExitBadInput;
  }
  if (!options.seed) options.seed = scenario->run.seed;
  const std::optional<eval::ReplicationSet> ran = run_with_progress(*scenario, options, args.common.quiet);
  if (!ran) return kExitFailure;
  const eval::ReplicationSet& set = *ran;
  eval::BaselineInfo info;
  info.scenario = args.common.scenario.empty() ? scenarios::kDefaultScenario : args.common.scenario;
  info.overrides = sets;
  info.seed = *options.seed;
  info.replications = args.common.replications;
  info.requests = args.common.requests;
  const J baseline = eval::make_baseline(info, eval::summarize(set.metrics));
  try {
    eval::AtomicFile out(args.out);
    out.stream() << baseline.dump(2) << '\n';
    out.commit();
  } catch (const std::exception& e) {
    std::cerr << "orchsim: --out: " << e.what() << '\n';
    return kExitBadInput;
  }
  if (!args.common.quiet) {
    std::cerr << fmt::format("wrote {} ({} metrics, {} replications, seeds {})\n", args.out,
                             baseline["metrics"].size(), set.seeds.size(), seeds_text(set.seeds));
  }
  return kExitOk;
}

int check_command(const CheckArgs& args) {
  J baseline;
  eval::BaselineInfo info;
  try {
    std::ifstream in(args.baseline, std::ios::binary);
    if (!in) {
      std::cerr << fmt::format("orchsim: --baseline {}: cannot open the file\n", args.baseline);
      return kExitBadInput;
    }
    std::stringstream text;
    text << in.rdbuf();
    baseline = eval::parse_baseline(text.str());
    info = eval::baseline_info(baseline);
  } catch (const std::exception& e) {
    std::cerr << fmt::format("orchsim: --baseline {}: {}\n", args.baseline, e.what());
    return kExitBadInput;
  }
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
  const auto scenario = load(name, sets);
  if (!scenario) return kExitBadInput;
  EvalArgs common;
  common.replications = info.replications;
  common.jobs = args.jobs;
  common.seed = info.seed;
  common.requests = info.requests;
  eval::ReplicationOptions options;
  if (!replication_options(common, *scenario, options)) return kExitBadInput;
  const std::optional<eval::ReplicationSet> ran = run_with_progress(*scenario, options, args.quiet);
  if (!ran) return kExitFailure;
  const eval::ReplicationSet& set = *ran;
  eval::CheckReport report;
  try {
    report = eval::check_against_baseline(baseline, eval::summarize(set.metrics), tolerances);
  } catch (const std::invalid_argument& e) {
    std::cerr << "orchsim: " << e.what() << '\n';
    return kExitBadInput;
  }
  std::cout << fmt::format("{} against {} ({} replications, seeds {})\n", scenario->name,
                           args.baseline, set.seeds.size(), seeds_text(set.seeds));
  eval::write_check_text(std::cout, report);
  if (args.junit) {
    try {
      eval::AtomicFile junit(*args.junit);
      eval::write_junit(junit.stream(), report);
      junit.commit();
    } catch (const std::exception& e) {
      std::cerr << "orchsim: --junit: " << e.what() << '\n';
      return kExitBadInput;
    }
  }
  return report.passed() ? kExitOk : kExitFailure;
}

}  // namespace orchsim::cli
