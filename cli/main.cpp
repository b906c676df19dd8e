// orchsim: run, validate, list and explain orchestration scenarios.
#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/commands.hpp"
#include "cli/experiment.hpp"
#include "cli/store_cli.hpp"
#include "cli/fit_command.hpp"

int main(int argc, char** argv) {
  using namespace orchsim::cli;
  note_command_line(argc, argv);
  CLI::App app{
      "orchsim: a deterministic simulator for orchestrated multi-agent LLM systems.\n"
      "Same scenario + seed = the same bytes out."};
  app.require_subcommand(1);
  app.set_version_flag("--version", version_text());
  app.footer(
      "Examples:\n"
      "  orchsim run                                  # the default built-in scenario\n"
      "  orchsim run hedged_requests --seed 7 --requests 50000 --out results/\n"
      "  orchsim run my.json --set /workload/arrivals/poisson/rate_per_s=300 --format json\n"
      "  orchsim validate scenarios/library/*.json\n"
      "  orchsim explain rag_orchestrated --format dot | dot -Tsvg > rag.svg\n"
      "  orchsim compare learned_router --variant cheap:/workflow/nodes/0/routing/policy=static\n"
      "  orchsim baseline rag_orchestrated --out rag.json && orchsim check --baseline rag.json\n"
      "  orchsim import asl order.asl.json --out order.json    # an AWS Step Functions state "
      "machine\n"
      "Exit status: 0 ok, 1 runtime failure, 2 bad input (scenario, arguments).");

  RunArgs run;
  CLI::App* run_cmd = app.add_subcommand("run", "Run a scenario and report its metrics");
  run_cmd->add_option("scenario", run.scenario,
                      "Built-in scenario name or path to a .json file (default: rag_orchestrated)");
  run_cmd->add_option("--seed", run.seed, "Random seed (overrides run.seed)");
  auto* requests =
      run_cmd->add_option("--requests", run.requests, "Stop arrivals after N requests");
  auto* duration =
      run_cmd->add_option("--duration", run.duration,
                          "Stop arrivals after this much simulated time (30s, 5min, 250ms)");
  requests->excludes(duration);
  run_cmd->add_option(
      "--warmup", run.warmup,
      "Leave requests arriving before this simulated time out of the metrics (60s, 5min)");
  run_cmd->add_option("--set", run.sets,
                      "Override a scenario value: /json/pointer=value (repeatable)");
  run_cmd->add_option(
      "--out", run.out_dir,
      "Write report.json, metrics.csv, decisions.jsonl.zst, requests.jsonl (and trace.json) here");
  run_cmd->add_flag("--trace", run.trace,
                    "Also write a Chrome trace (open in Perfetto UI) to --out");
  run_cmd
      ->add_option(
          "--request-sample", run.request_sample,
          "Requests kept with full detail in requests.jsonl: N sampled uniformly plus N/10 "
          "slowest and N/10 failed (default 2000; 0: no requests.jsonl)")
      ->check(CLI::Range(std::uint64_t{0}, std::uint64_t{1'000'000}));
  run_cmd->add_flag("--no-decisions", run.no_decisions,
                    "Do not write decisions.jsonl.zst (the sampled requests keep theirs in "
                    "requests.jsonl); removes an old one from --out");
  run_cmd->add_flag("--decision-features", run.decision_features,
                    "Log what each routing policy saw with each decision (context, candidates' "
                    "live signals, scores): for off-line policy evaluation; larger and slower");
  run_cmd->add_flag("--check-invariants", run.check_invariants,
                    "Check the simulator's invariants as the run goes (every request and call "
                    "ends once, counters count what happened, edges are edges, ...); exit 1 on "
                    "a violation");
  run_cmd->add_option("--format", run.format, "What to print on stdout")
      ->check(CLI::IsMember({"table", "json", "csv"}));
  run_cmd->add_flag("-q,--quiet", run.quiet, "No progress bar or file notes on stderr");
  run_cmd
      ->add_option(
          "-R,--replications", run.replications,
          "Run R replications on seeds seed..seed+R-1 and report mean, sd and 95% CI per metric")
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{100000}));
  run_cmd->add_option(
      "-j,--jobs", run.jobs,
      "Threads for replications (default: one per core; output does not depend on it)");
  add_store_options(run_cmd, run.store);
  run_cmd->footer(
      "Examples:\n"
      "  orchsim run\n"
      "  orchsim run retry_storm --set /resilience/retry_budget/kind=token_bucket\n"
      "  orchsim run scenarios/library/query_fanout.json --duration 2min --out out/ --trace\n"
      "  orchsim run model_cascade --requests 1000000 --out big/ --no-decisions\n"
      "  orchsim run hedged_requests --replications 10 --jobs 4 --requests 2000 --format json");

  // Options shared by the replication-based commands.
  auto add_eval_options = [](CLI::App* cmd, EvalArgs& a, bool with_format) {
    cmd->add_option("scenario", a.scenario,
                    "Built-in scenario name or path to a .json file (default: rag_orchestrated)");
    cmd->add_option("--set", a.sets, "Override a scenario value: /json/pointer=value (repeatable)");
    cmd->add_option("--seed", a.seed,
                    "First seed; replication i runs on seed + i (default: run.seed)");
    auto* req = cmd->add_option("--requests", a.requests,
                                "Stop arrivals after N requests (each replication)");
    auto* dur = cmd->add_option("--duration", a.duration,
                                "Stop arrivals after this much simulated time (30s, 5min)");
    req->excludes(dur);
    cmd->add_option("-R,--replications", a.replications,
                    "Replications per configuration (default 5)")
        ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{100000}));
    cmd->add_option("-j,--jobs", a.jobs,
                    "Threads (default: one per core; output does not depend on it)");
    if (with_format) {
      cmd->add_option("--format", a.format, "What to print on stdout: table or json")
          ->check(CLI::IsMember({"table", "json"}));
    }
    cmd->add_flag("-q,--quiet", a.quiet, "No progress bar or file notes on stderr");
    add_store_options(cmd, a.store);
  };

  CompareArgs compare;
  CLI::App* compare_cmd = app.add_subcommand(
      "compare", "Paired comparison of variants on the same seeds (common random numbers)");
  add_eval_options(compare_cmd, compare.common, true);
  compare_cmd->add_option(
      "--variant", compare.variants,
      "NAME:/ptr=value[,/ptr=value...]: the scenario with these overrides (repeatable)");
  compare_cmd->add_option("--against", compare.against,
                          "Another scenario file as a variant (repeatable)");
  compare_cmd->add_option("--metric", compare.metrics,
                          "A metric to show in the table (repeatable; default: key metrics)");
  compare_cmd->add_flag("--all-metrics", compare.all_metrics, "Show every metric in the table");
  compare_cmd->add_option("--out", compare.out_dir,
                          "Folder for comparison.json and the results store results.sqlite");
  compare_cmd->footer(
      "Reports variant - base per metric: the paired mean difference with its 95% CI, the "
      "unpaired\n"
      "(Welch) CI half-width for the same data, and their ratio. --set applies to every variant.\n"
      "Examples:\n"
      "  orchsim compare learned_router --variant cheap:/workflow/nodes/0/routing/policy=static -R "
      "10\n"
      "  orchsim compare retry_storm --variant budget:/resilience/retry_budget/kind=token_bucket "
      "\\\n"
      "      --variant unlimited:/resilience/retry_budget/kind=unlimited --requests 2000 --format "
      "json\n"
      "  orchsim compare mine.json --against theirs.json --all-metrics");

  SweepArgs sweep;
  CLI::App* sweep_cmd =
      app.add_subcommand("sweep", "Grid sweep with CIs, Pareto frontier and router metrics");
  add_eval_options(sweep_cmd, sweep.common, true);
  sweep_cmd
      ->add_option("--grid", sweep.grid,
                   "/json/pointer=v1,v2,... (repeatable; the cartesian product is run)")
      ->required();
  sweep_cmd
      ->add_option("--out", sweep.out_dir,
                   "Folder for sweep.csv, sweep.json and the results store results.sqlite")
      ->required();
  sweep_cmd->add_option(
      "--strong", sweep.strong_agent,
      "Strong agent of a cost-quality router: report strong fraction, PGR, APGR, CPT");
  sweep_cmd->add_option("--weak-set", sweep.weak_sets,
                        "Override(s) making the always-weak reference run");
  sweep_cmd->add_option("--strong-set", sweep.strong_sets,
                        "Override(s) making the always-strong reference run");
  sweep_cmd->add_option("--quality-metric", sweep.quality_metric,
                        "Quality for PGR (default quality.mean)");
  sweep_cmd->footer(
      "Examples:\n"
      "  orchsim sweep hedged_requests --grid /workflow/nodes/0/hedge/delay_ms=100,200,400 --out "
      "sweep/\n"
      "  orchsim sweep model_cascade --grid "
      "/workflow/nodes/0/routing/accept_confidence=0.5,0.7,0.9 \\\n"
      "      --strong strong_model --weak-set /workflow/nodes/0/routing/accept_confidence=0 \\\n"
      "      --strong-set /workflow/nodes/0/routing/policy=static --requests 2000 --out cascade/\n"
      "See docs/evaluation.md for the Pareto, PGR, APGR and CPT definitions.");

  BaselineArgs baseline;
  CLI::App* baseline_cmd =
      app.add_subcommand("baseline", "Save metrics with CIs as a baseline for 'check'");
  add_eval_options(baseline_cmd, baseline.common, false);
  baseline_cmd->add_option("--out", baseline.out, "Baseline JSON file to write")->required();
  baseline_cmd->footer(
      "Examples:\n"
      "  orchsim baseline rag_orchestrated --requests 2000 -R 5 --out baselines/rag.json\n"
      "  orchsim baseline my.json --set /run/seed=3 --out my.baseline.json");

  CheckArgs check;
  CLI::App* check_cmd =
      app.add_subcommand("check", "Check a run against a baseline; exit 1 on a regression");
  check_cmd->add_option("scenario", check.scenario,
                        "Name or path (default: the baseline's scenario)");
  check_cmd->add_option("--baseline", check.baseline, "Baseline JSON from 'orchsim baseline'")
      ->required();
  check_cmd->add_option("--set", check.sets,
                        "Overrides applied after the baseline's own (repeatable)");
  check_cmd->add_option(
      "--tolerance", check.tolerances,
      "metric=rel:0.05 or metric=abs:10 (repeatable; adds to or replaces the defaults)");
  check_cmd->add_option("--junit", check.junit, "Also write a JUnit XML report here");
  check_cmd->add_option("-j,--jobs", check.jobs, "Threads (default: one per core)");
  check_cmd->add_flag("-q,--quiet", check.quiet, "No progress bar on stderr");
  add_store_options(check_cmd, check.store);
  check_cmd->footer(
      "Runs the baseline's seeds, replications and request count, and compares each checked "
      "metric.\n"
      "Defaults: latency_ms.all.{mean,p50,p99} rel:0.10, per_request.cost_usd rel:0.05,\n"
      "quality.mean abs:0.01, quality.pass_rate abs:0.02, requests.success_rate abs:0.01.\n"
      "Exit status: 0 within tolerance, 1 regressed (per-metric diff on stdout), 2 bad input.\n"
      "Examples:\n"
      "  orchsim check --baseline baselines/rag.json\n"
      "  orchsim check rag_orchestrated --baseline baselines/rag.json --tolerance "
      "latency_ms.all.p99=abs:50 \\\n"
      "      --junit check.xml");

  std::vector<std::string> validate_files, validate_sets;
  CLI::App* validate_cmd =
      app.add_subcommand("validate", "Check scenario files and report every problem");
  validate_cmd->add_option("scenarios", validate_files, "Names or paths")->required();
  validate_cmd->add_option("--set", validate_sets, "Apply overrides before checking");
  validate_cmd->footer("Example:\n  orchsim validate scenarios/library/*.json my_scenario.json");

  CLI::App* list_cmd = app.add_subcommand(
      "list", "List the built-in scenarios (or, with --policies, the routing policies)");
  bool list_policies = false;
  list_cmd->add_flag("--policies", list_policies,
                     "List the registered routing policies, their parameters and defaults");
  list_cmd->footer("Examples:\n  orchsim list\n  orchsim list --policies");

  std::string explain_name, explain_format = "text";
  CLI::App* explain_cmd =
      app.add_subcommand("explain", "Show a scenario's agents and workflow graph");
  explain_cmd->add_option("scenario", explain_name, "Name or path (default: rag_orchestrated)");
  explain_cmd->add_option("--format", explain_format, "text, dot (Graphviz) or both")
      ->check(CLI::IsMember({"text", "dot", "both"}));
  explain_cmd->footer(
      "Examples:\n  orchsim explain tool_calling_loop\n  orchsim explain rag_orchestrated --format "
      "dot | dot -Tpng > rag.png");

  MergeArgs merge;
  CLI::App* merge_cmd = add_merge_command(app, merge);
  FitArgs fit;
  CLI::App* fit_cmd = add_fit_command(app, fit);
  std::string schema_format = "json";
  CLI::App* schema_cmd = app.add_subcommand(
      "schema", "Print the scenario format's JSON Schema (or its reference in Markdown)");
  schema_cmd->add_option("--format", schema_format, "json or markdown")
      ->check(CLI::IsMember({"json", "markdown"}));
  schema_cmd->footer(
      "Examples:\n  orchsim schema > scenario.schema.json\n  orchsim schema --format markdown");

  ImportAslArgs import_asl;
  CLI::App* import_cmd = app.add_subcommand(
      "import", "Import an orchestration you already run as a scenario (AWS Step Functions)");
  import_cmd->require_subcommand(1);
  CLI::App* asl_cmd = import_cmd->add_subcommand(
      "asl", "An AWS Step Functions state machine (Amazon States Language) as a scenario");
  asl_cmd->add_option("file", import_asl.file, "The state machine (.asl.json)")->required();
  asl_cmd->add_option("--out", import_asl.out, "The scenario file to write")->required();
  asl_cmd->add_option("--agents", import_asl.agents,
                      "Agents by name for the Tasks (an array, or a file with \"agents\", e.g. "
                      "from orchsim fit); the others get the default mocks");
  asl_cmd->add_option("--choices", import_asl.choices,
                      "Payload-dependent values by state name: Choice branch weights, Map "
                      "\"items\", Wait \"seconds\"");
  asl_cmd->add_option("--workload", import_asl.workload,
                      "The workload: {\"arrivals\": ..., \"classes\": [...]} (default: Poisson, "
                      "1 request/s)");
  asl_cmd->add_option("--name", import_asl.name, "The scenario's name (default: the file's)");
  asl_cmd->add_option("--description", import_asl.description,
                      "The scenario's description (default: the state machine's Comment and a "
                      "summary of the import)");
  asl_cmd->add_option("--requests", import_asl.requests, "run.requests (default 1000)")
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1'000'000'000}));
  asl_cmd->add_flag("--strict", import_asl.strict,
                    "Exit 2 (writing nothing) if anything cannot be expressed exactly");
  asl_cmd->add_flag("-q,--quiet", import_asl.quiet, "Print only errors");
  asl_cmd->footer(
      "Prints what it defaulted, guessed, approximated or could not express, each with the JSON\n"
      "pointer into the file. Exit status: 0 written, 2 bad input or --strict (nothing written).\n"
      "Examples:\n"
      "  orchsim import asl order.asl.json --out order.json && orchsim explain order.json\n"
      "  orchsim import asl order.asl.json --agents fitted.agents.json --choices choices.json "
      "--strict --out order.json\n"
      "See docs/import.md for the mapping, the error names and the default agents.");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kExitBadInput;
  }
  if (*run_cmd) return run_command(run);
  if (*validate_cmd) return validate_command(validate_files, validate_sets);
  if (*list_cmd) return list_policies ? list_policies_command() : list_command();
  if (*explain_cmd) return explain_command(explain_name, explain_format);
  if (*schema_cmd) return schema_command(schema_format);
  if (*compare_cmd) return compare_command(compare);
  if (*sweep_cmd) return sweep_command(sweep);
  if (*baseline_cmd) return baseline_command(baseline);
  if (*check_cmd) return check_command(check);
  if (*merge_cmd) return merge_command(merge);
  if (*fit_cmd) return fit_command(fit);
  if (*asl_cmd) {
    // The file's header records how it was made (the program's path left out).
    import_asl.command_line = "orchsim";
    for (int i = 1; i < argc; ++i) {
      const std::string a = argv[i];
      const bool plain = a.find_first_of(" \"'$\\") == std::string::npos && !a.empty();
      import_asl.command_line += " " + (plain ? a : "'" + a + "'");
    }
    return import_asl_command(import_asl);
  }
  return kExitBadInput;
}
