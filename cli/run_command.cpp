#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>

#include "cli/commands.hpp"
#include "cli/duration_arg.hpp"
#include "cli/overrides.hpp"
#include "cli/progress_bar.hpp"
#include "eval/atomic_file.hpp"
#include "eval/invariant_checker.hpp"
#include "eval/io_status.hpp"
#include "eval/report.hpp"
#include "eval/run_metrics_text.hpp"
#include "eval/runner.hpp"
#include "eval/zstd_writer.hpp"
#include "orchestration/policy_registry.hpp"
#include "scenarios/scenario.hpp"

namespace orchsim::cli {

bool parse_sets(const std::vector<std::string>& sets,
                std::vector<std::pair<std::string, std::string>>& out) {
  for (const std::string& s : sets) {
    std::string why;
    auto o = parse_set(s, &why);
    if (!o) {
      std::cerr << fmt::format("orchsim: --set: {}\n", why);
      return false;
    }
    out.push_back(std::move(*o));
  }
  return true;
}

int run_command(const RunArgs& args) {
  if (args.replications > 1) return run_replications_command(args);
  if (!args.store.store.empty() || args.store.resume || !args.store.shard.empty()) {
    std::cerr << "orchsim: --store, --resume and --shard keep the tasks of a multi-run command: "
                 "add --replications N (a single run writes its files atomically instead)\n";
    return kExitBadInput;
  }
  scenarios::LoadOptions load;
  if (!parse_sets(args.sets, load.overrides)) return kExitBadInput;
  const std::string name = args.scenario.empty() ? scenarios::kDefaultScenario : args.scenario;
  const scenarios::LoadResult loaded = scenarios::load_scenario(name, load);
  if (!loaded.ok()) {
    std::cerr << loaded.diagnostics.format();
    return kExitBadInput;
  }
  const scenarios::Scenario& scenario = *loaded.scenario;

  eval::RunOptions options;
  options.seed = args.seed;
  options.requests = args.requests;
  if (args.duration) {
    const auto d = parse_duration(*args.duration);
    if (!d || *d <= sim::Duration::zero()) {
      std::cerr << fmt::format(
          "orchsim: --duration '{}': expected a positive duration such as 30s, 5min, 250ms\n",
          *args.duration);
      return kExitBadInput;
    }
    options.duration = *d;
    if (!args.requests) options.requests = 0;  // the duration alone bounds the run
  }
  if (options.requests.value_or(scenario.run.requests) == 0 &&
      options.duration.value_or(scenario.run.duration) == sim::Duration::zero()) {
    std::cerr << fmt::format(
        "{}: /run: the run has no end: set run.requests or run.duration_s, or pass "
        "--requests or --duration\n",
        scenario.source);
    return kExitBadInput;
  }
  if (args.warmup) {
    const auto w = parse_duration(*args.warmup);
    if (!w) {
      std::cerr << fmt::format("orchsim: --warmup '{}': expected a duration such as 60s or 5min\n",
                               *args.warmup);
      return kExitBadInput;
    }
    options.warmup = *w;
  }
  options.trace = args.trace;

  // Output files: each written to a temporary name and renamed at the end, so
  // an interrupted run leaves nothing that looks complete.
  std::unique_ptr<eval::AtomicFile> decisions;
  std::unique_ptr<eval::ZstdOstream> compressed_decisions;
  if (args.out_dir) {
    std::error_code ec;
    std::filesystem::create_directories(*args.out_dir, ec);
    if (ec) {
      std::cerr << fmt::format("orchsim: --out {}: cannot create the folder: {}\n", *args.out_dir,
                               ec.message());
      return kExitBadInput;
    }
    if (!args.no_decisions) {
      const eval::Status opened = eval::io_status([&] {
        decisions = std::make_unique<eval::AtomicFile>(*args.out_dir + "/decisions.jsonl.zst");
        compressed_decisions = std::make_unique<eval::ZstdOstream>(decisions->stream());
      });
      if (!opened.ok()) {
        // Nothing has run yet: the --out folder the user gave is unusable.
        std::cerr << "orchsim: " << opened.message() << '\n';
        return kExitBadInput;
      }
      options.decision_log = compressed_decisions.get();
      options.decision_features = args.decision_features;
    }
    if (args.request_sample > 0) {
      const std::size_t n = args.request_sample;
      options.request_log = eval::RequestLogOptions{.sample = n,
                                                    .slowest = std::max<std::size_t>(1, n / 10),
                                                    .failed = std::max<std::size_t>(1, n / 10)};
    }
  }

  std::optional<eval::InvariantChecker> checker;
  if (args.check_invariants) {
    checker.emplace(scenario.workflow, scenario.choreography.has_value());
    options.observer = &*checker;
  }

  ProgressBar bar(scenario.name);
  if (!args.quiet && bar.enabled()) options.progress = [&bar](double f) { bar.update(f); };
  // The scenario loaded and the run has an end (checked above): run_scenario's
  // preconditions hold, so anything it throws is a bug (cli/main.cpp).
  eval::RunResult result = eval::run_scenario(scenario, options);
  bar.finish();
  if (checker) checker->finish(result, scenario.run.drain);

  const nlohmann::ordered_json report = eval::make_report(scenario, result);
  if (args.format == "json") {
    std::cout << report.dump(2) << '\n';
  } else if (args.format == "csv") {
    eval::write_csv(std::cout, result.metrics->result());
  } else {
    eval::write_summary_table(std::cout, scenario, result);
  }

  if (args.out_dir) {
    const eval::Status written = eval::io_status([&] {
      eval::AtomicFile report_file(*args.out_dir + "/report.json");
      report_file.stream() << report.dump(2) << '\n';
      eval::AtomicFile csv(*args.out_dir + "/metrics.csv");
      eval::write_csv(csv.stream(), result.metrics->result());
      std::unique_ptr<eval::AtomicFile> requests;
      if (result.request_log) {
        requests = std::make_unique<eval::AtomicFile>(*args.out_dir + "/requests.jsonl");
        result.request_log->write(requests->stream(),
                                  {{"scenario", scenario.name}, {"seed", result.seed}});
      }
      std::unique_ptr<eval::AtomicFile> trace;
      if (result.trace) {
        trace = std::make_unique<eval::AtomicFile>(*args.out_dir + "/trace.json");
        result.trace->write(trace->stream());
      }
      // Commit together at the end, after every file is written: a failure
      // before this point replaces nothing. A file this run does not write is
      // removed: one left by an earlier run here would be taken for this run's.
      const auto commit_or_remove = [&](eval::AtomicFile* file, const char* file_name) {
        if (file) {
          file->commit();
        } else {
          std::error_code ignored;
          std::filesystem::remove(*args.out_dir + "/" + file_name, ignored);
        }
      };
      if (compressed_decisions) compressed_decisions->finish();
      commit_or_remove(decisions.get(), "decisions.jsonl.zst");
      // A log of the format before version 2 would pass for this run's.
      std::error_code ignored;
      std::filesystem::remove(*args.out_dir + "/decisions.jsonl", ignored);
      csv.commit();
      commit_or_remove(requests.get(), "requests.jsonl");
      commit_or_remove(trace.get(), "trace.json");
      report_file.commit();
    });
    if (!written.ok()) {
      std::cerr << "orchsim: writing results: " << written.message() << '\n';
      return exit_status(written);
    }
    if (!args.quiet) {
      std::cerr << fmt::format("wrote {}/report.json, metrics.csv{}{}{}\n", *args.out_dir,
                               decisions ? ", decisions.jsonl.zst" : "",
                               result.request_log ? ", requests.jsonl" : "",
                               result.trace ? ", trace.json" : "");
    }
  }
  if (checker && !checker->ok()) {
    std::cerr << fmt::format("orchsim: {} invariant violations (first {} shown):\n",
                             checker->violation_count(), checker->violations().size());
    for (const std::string& v : checker->violations()) std::cerr << "  " << v << '\n';
    return kExitFailure;
  }
  if (checker && !args.quiet) std::cerr << "invariants: all hold\n";
  return kExitOk;
}

int validate_command(const std::vector<std::string>& names, const std::vector<std::string>& sets) {
  scenarios::LoadOptions load;
  if (!parse_sets(sets, load.overrides)) return kExitBadInput;
  int status = kExitOk;
  for (const std::string& name : names) {
    const scenarios::LoadResult r = scenarios::load_scenario(name, load);
    if (r.ok()) {
      std::cout << fmt::format("{}: ok ({} agents, {} nodes)\n", r.scenario->source,
                               r.scenario->agents.size(), r.scenario->workflow.nodes.size());
    } else {
      std::cerr << r.diagnostics.format();
      status = kExitBadInput;
    }
  }
  return status;
}

int list_command() {
  for (const std::string& name : scenarios::library_names()) {
    const scenarios::LoadResult r = scenarios::load_scenario(name);
    std::cout << fmt::format("{:<28} {}\n", name,
                             r.ok()
                                 ? r.scenario->description
                                 : std::string("(invalid: run 'orchsim validate ") + name + "')");
  }
  return kExitOk;
}

int list_policies_command() {
  for (const auto* e : orchestration::PolicyRegistry::global().entries()) {
    std::cout << fmt::format("{:<16} {}\n", e->info.name, e->info.summary);
    if (!e->info.params.empty())
      std::cout << fmt::format("{:<16}   params: {}\n", "", e->info.params);
  }
  return kExitOk;
}

}  // namespace orchsim::cli
