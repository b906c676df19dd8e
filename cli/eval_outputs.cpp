#include "cli/eval_outputs.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <map>

#include "cli/commands.hpp"
#include "eval/atomic_file.hpp"
#include "eval/baseline.hpp"
#include "eval/comparison.hpp"
#include "eval/experiment_summaries.hpp"
#include "eval/io_status.hpp"
#include "eval/metric_names.hpp"
#include "eval/plan_check.hpp"
#include "eval/sweep.hpp"

namespace orchsim::cli {

namespace {

using J = nlohmann::ordered_json;
namespace fs = std::filesystem;

const std::vector<std::string>& key_metrics() {
  namespace m = eval::metric;
  static const std::vector<std::string> keys = {
      std::string(m::kLatencyMean), std::string(m::kLatencyP50), std::string(m::kLatencyP99),
      std::string(m::kSuccessRate), std::string(m::kQualityMean), std::string(m::kPassRate),
      std::string(m::kCostPerRequest), std::string(m::kCallsPerRequest),
      // What coordination costs and catches (docs/choreography.md).
      std::string(m::kAllCallsCostPerRequest), std::string(m::kDuplicatedCalls),
      std::string(m::kSilentCaught), std::string(m::kStuckRequests)};
  return keys;
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

int write_replications(const eval::TaskPlan& plan, const std::vector<eval::ReplicationSet>& sets,
                       const OutputOptions& o) {
  const eval::ReplicationSet& set = sets.at(0);
  const std::string& name = plan.configs.at(0).scenario_name;
  const std::vector<eval::MetricSummary> summaries = eval::summarize(set.metrics);
  J report;
  report["scenario"] = name;
  report["replications"] = set.seeds.size();
  report["seeds"] = set.seeds;
  report["confidence_level"] = 0.95;
  report["metrics"] = eval::summaries_to_json(summaries);
  report["latency_ms_merged"] = {{"all", eval::latency_to_json(set.latency_all)},
                                 {"success", eval::latency_to_json(set.latency_success)}};
  if (o.format == "json") {
    std::cout << report.dump(2) << '\n';
  } else if (o.format == "csv") {
    write_summary_csv(std::cout, summaries);
  } else {
    std::cout << fmt::format("{}: {} replications, seeds {}, 95% confidence intervals\n", name,
                             set.seeds.size(), seeds_text(set.seeds));
    write_summary_table(std::cout, summaries);
  }
  if (!o.out_dir.empty()) {
    const eval::Status written = eval::io_status([&] {
      eval::AtomicFile json(o.out_dir + "/replications.json");
      json.stream() << report.dump(2) << '\n';
      eval::AtomicFile csv(o.out_dir + "/replications.csv");
      write_summary_csv(csv.stream(), summaries);
      csv.commit();
      json.commit();
    });
    if (!written.ok()) {
      std::cerr << "orchsim: writing results: " << written.message() << '\n';
      return exit_status(written);
    }
    if (!o.quiet) {
      std::cerr << fmt::format("wrote {}/replications.json, replications.csv\n", o.out_dir);
    }
  }
  return kExitOk;
}

int write_compare(const eval::TaskPlan& plan, const std::vector<eval::ReplicationSet>& sets,
                  const OutputOptions& o) {
  const J report = eval::comparison_json(plan, sets);
  const J& variants = plan.spec.at("variants");
  const eval::ReplicationSet& base_set = sets.at(0);
  std::vector<std::vector<eval::MetricComparison>> comparisons;
  std::vector<std::string> names;
  for (std::size_t i = 0; i < variants.size(); ++i) {
    comparisons.push_back(eval::compare(base_set.metrics, sets.at(i + 1).metrics));
    names.push_back(variants[i].at("name").get<std::string>());
  }

  const std::vector<std::string> chosen = plan.view.value("metrics", std::vector<std::string>{});
  const bool all_metrics = plan.view.value("all_metrics", false);
  const std::vector<std::string>& shown = chosen.empty() ? key_metrics() : chosen;
  for (const std::string& m : chosen) {
    bool known = false;
    for (const auto& c : comparisons.front()) known = known || c.name == m;
    if (!known) {
      std::cerr << fmt::format(
          "orchsim: --metric {}: no such metric (see --format json for names)\n", m);
      return kExitBadInput;
    }
  }
  if (!o.out_dir.empty()) {
    const eval::Status written = eval::io_status([&] {
      eval::AtomicFile json(o.out_dir + "/comparison.json");
      json.stream() << report.dump(2) << '\n';
      json.commit();
    });
    if (!written.ok()) {
      std::cerr << "orchsim: writing results: " << written.message() << '\n';
      return exit_status(written);
    }
    if (!o.quiet) std::cerr << fmt::format("wrote {}/comparison.json\n", o.out_dir);
  }
  if (o.format == "json") {
    std::cout << report.dump(2) << '\n';
    return kExitOk;
  }
  std::cout << fmt::format(
      "{}: {} replications per variant on seeds {} (common random numbers); differences are "
      "variant - base, 95% CIs\n",
      plan.configs.at(0).scenario_name, base_set.seeds.size(), seeds_text(base_set.seeds));
  for (std::size_t i = 0; i < names.size(); ++i) {
    std::cout << fmt::format("\nvariant {} vs base\n", names[i]);
    std::cout << fmt::format("{:<28} {:>11} {:>11} {:>11} {:>26} {:>11} {:>11} {:>7}\n", "metric",
                             "base", "variant", "diff", "paired ci95", "paired +-", "unpaired +-",
                             "ratio");
    for (const eval::MetricComparison& c : comparisons[i]) {
      if (!all_metrics && std::find(shown.begin(), shown.end(), c.name) == shown.end()) continue;
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

int write_sweep(const eval::TaskPlan& plan, const std::vector<eval::ReplicationSet>& sets,
                const OutputOptions& o) {
  const eval::SweepSummary summary = eval::summarize_sweep_plan(plan, sets);
  const std::vector<eval::GridAxis>& grid = summary.grid;
  const std::optional<eval::RouterSpec>& router = summary.router;
  const eval::SweepResult& result = summary.result;
  const std::string name = plan.spec.at("scenario_name").get<std::string>();
  const J report = eval::sweep_json(plan, summary);
  const eval::Status written = eval::io_status([&] {
    eval::AtomicFile csv(fs::path(o.out_dir) / "sweep.csv");
    eval::write_sweep_csv(csv.stream(), grid, result);
    eval::AtomicFile json(fs::path(o.out_dir) / "sweep.json");
    json.stream() << report.dump(2) << '\n';
    csv.commit();
    json.commit();
  });
  if (!written.ok()) {
    std::cerr << "orchsim: writing results: " << written.message() << '\n';
    return exit_status(written);
  }
  if (o.format == "json") {
    std::cout << report.dump(2) << '\n';
  } else {
    std::cout << fmt::format(
        "{}: {} configurations x {} replications (seeds from {}); means with "
        "95% CIs; * = Pareto frontier (p99 down, cost down, quality up)\n",
        name, result.points.size(), plan.replications, plan.first_seed);
    auto cell = [](const eval::SweepPoint& p, std::string_view metric) {
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
                               p.pareto ? "*" : " ", config, cell(p, eval::metric::kLatencyP99),
                               cell(p, eval::metric::kCostPerRequest),
                               cell(p, eval::metric::kQualityMean),
                               cell(p, eval::metric::kSuccessRate));
      if (router) {
        std::cout << fmt::format("  strong {}  pgr {}",
                                 p.strong_fraction ? num(*p.strong_fraction) : "-",
                                 p.pgr ? num(*p.pgr) : "-");
      }
      std::cout << '\n';
    }
    if (router) {
      auto opt = [](const std::optional<double>& x) { return x ? num(*x) : std::string("-"); };
      std::cout << fmt::format(
          "router: q_weak {}  q_strong {}  APGR {}  CPT(50%) {}  CPT(80%) {}\n", opt(result.q_weak),
          opt(result.q_strong), opt(result.apgr), opt(result.cpt50), opt(result.cpt80));
    }
  }
  if (!o.quiet) std::cerr << fmt::format("wrote {}/sweep.csv, sweep.json\n", o.out_dir);
  return kExitOk;
}

int write_baseline(const eval::TaskPlan& plan, const std::vector<eval::ReplicationSet>& sets,
                   const OutputOptions& o) {
  const eval::ReplicationSet& set = sets.at(0);
  eval::BaselineInfo info;
  info.scenario = plan.configs.at(0).scenario;
  info.overrides = plan.configs.at(0).overrides;
  info.seed = plan.first_seed;
  info.replications = plan.replications;
  info.requests = plan.limits.requests;
  const J baseline = eval::make_baseline(info, eval::summarize(set.metrics));
  const std::string out =
      !o.baseline_out.empty()
          ? o.baseline_out
          : (fs::path(o.out_dir) /
             fs::path(plan.view.value("out", std::string("baseline.json"))).filename())
                .string();
  const eval::Status written = eval::io_status([&] {
    eval::AtomicFile file(out);
    file.stream() << baseline.dump(2) << '\n';
    file.commit();
  });
  if (!written.ok()) {
    // The path the user gave with --out: bad input, as documented.
    std::cerr << "orchsim: --out: " << written.message() << '\n';
    return kExitBadInput;
  }
  if (!o.quiet) {
    std::cerr << fmt::format("wrote {} ({} metrics, {} replications, seeds {})\n", out,
                             baseline["metrics"].size(), set.seeds.size(), seeds_text(set.seeds));
  }
  return kExitOk;
}

int write_check(const eval::TaskPlan& plan, const std::vector<eval::ReplicationSet>& sets,
                const OutputOptions& o) {
  const eval::ReplicationSet& set = sets.at(0);
  std::map<std::string, eval::Tolerance> tolerances;
  for (const auto& [metric, text] : plan.spec.at("tolerances").items()) {
    const auto t = eval::parse_tolerance(metric + "=" + text.get<std::string>());
    if (!t) {
      std::cerr << fmt::format("orchsim: stored tolerance {}={} is malformed\n", metric,
                               text.get<std::string>());
      return kExitBadInput;
    }
    tolerances[t->first] = t->second;
  }
  const eval::StatusOr<eval::CheckReport> checked = eval::check_against_baseline(
      plan.spec.at("baseline"), eval::summarize(set.metrics), tolerances);
  if (!checked.ok()) {
    std::cerr << "orchsim: " << checked.status().message() << '\n';
    return exit_status(checked.status());
  }
  const eval::CheckReport& report = *checked;
  std::cout << fmt::format("{} against {} ({} replications, seeds {})\n",
                           plan.configs.at(0).scenario_name,
                           plan.view.value("baseline_path", std::string("the baseline")),
                           set.seeds.size(), seeds_text(set.seeds));
  eval::write_check_text(std::cout, report);
  if (!o.junit.empty()) {
    const eval::Status written = eval::io_status([&] {
      eval::AtomicFile junit(o.junit);
      eval::write_junit(junit.stream(), report);
      junit.commit();
    });
    if (!written.ok()) {
      // The path the user gave with --junit: bad input, as documented.
      std::cerr << "orchsim: --junit: " << written.message() << '\n';
      return kExitBadInput;
    }
  }
  return report.passed() ? kExitOk : kExitFailure;
}

}  // namespace

int write_outputs(const eval::TaskPlan& plan, const std::vector<eval::ReplicationSet>& sets,
                  const OutputOptions& options) {
  // Only a plan read back from a store can lack what its command needs:
  // checked here, so that the writers below may index it.
  if (const eval::Status st = eval::check_summary_inputs(plan, sets.size()); !st.ok()) {
    std::cerr << "orchsim: " << st.message() << '\n';
    return exit_status(st);
  }
  if (plan.command == "run") return write_replications(plan, sets, options);
  if (plan.command == "compare") return write_compare(plan, sets, options);
  if (plan.command == "sweep") return write_sweep(plan, sets, options);
  if (plan.command == "baseline") return write_baseline(plan, sets, options);
  if (plan.command == "check") return write_check(plan, sets, options);
  if (plan.command == "search") {
    // A search is adaptive: each rung's store holds its candidates only,
    // and what comes next depends on them (cli/search_command.cpp).
    std::cerr << "orchsim: this store is one rung of an 'orchsim search'; rerun that search "
                 "with --resume to rebuild search.json from its stores\n";
    return kExitBadInput;
  }
  std::cerr << fmt::format("orchsim: a store of an unknown command '{}'\n", plan.command);
  return kExitBadInput;
}

}  // namespace orchsim::cli
