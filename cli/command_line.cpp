#include "cli/command_line.hpp"

#include <fmt/format.h>

#include "cli/experiment.hpp"
#include "cli/fit_command.hpp"
#include "cli/store_cli.hpp"
#include "eval/search_space.hpp"
#include "eval/sweep.hpp"
#include "eval/task_plan.hpp"

namespace orchsim::cli {

namespace {

// Replication i runs on seed + i: a first seed this close to 2^64 - 1 would
// wrap around to seed 0, 1, ... and silently repeat other runs' seeds.
void check_seeds_fit(const std::optional<std::uint64_t>& seed, std::uint64_t replications) {
  if (!seed || replications == 0 || *seed <= kMaxSeed - (replications - 1)) return;
  throw CLI::ValidationError(
      "--seed",
      fmt::format("found {} with {} replications, expected a seed from 0 to {} (the "
                  "seeds seed..seed+{} must not pass {})",
                  *seed, replications, kMaxSeed - (replications - 1), replications - 1, kMaxSeed));
}

// An experiment runs configurations x replications tasks (eval/task_plan.hpp).
void check_tasks(const char* option, std::uint64_t configs, const char* what,
                 std::uint64_t replications) {
  if (replications == 0 || configs <= eval::kMaxTasks / replications) return;
  throw CLI::ValidationError(
      option, fmt::format("found {} {} x {} replications, expected at most {} tasks in all (fewer "
                          "{} or replications)",
                          configs, what, replications, eval::kMaxTasks, what));
}

// Every grid point is loaded before the first run, and each point runs
// every replication: the grid and the experiment's tasks are bounded.
void check_grid_size(const std::vector<std::string>& grid, std::uint64_t replications) {
  std::uint64_t points = 1;
  for (const std::string& g : grid) {
    const auto axis = eval::parse_grid(g);
    if (!axis) return;  // refused by its own check
    const std::uint64_t n = axis->values.size();
    if (points > kMaxGridPoints / n) {
      throw CLI::ValidationError(
          "--grid", fmt::format("the grid has more than {} points (the product of the numbers of "
                                "values), expected at most {}",
                                kMaxGridPoints, kMaxGridPoints));
    }
    points *= n;
  }
  check_tasks("--grid", points, "grid points", replications);
}

const char* const kScenarioHelp =
    "Built-in scenario name or path to a .json file (default: rag_orchestrated)";
const char* const kSetHelp = "Override a scenario value: /json/pointer=value (repeatable)";
const char* const kJobsNote = "(0: one per core)";

}  // namespace

CommandLine::CommandLine()
    : app("orchsim: a deterministic simulator for orchestrated multi-agent LLM systems.\n"
          "Same scenario + seed = the same bytes out.") {
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

  const ArgSpec seed = ArgSpec::integer(0, kMaxSeed);
  const ArgSpec requests = ArgSpec::integer(1, kMaxRequests);
  const ArgSpec replications = ArgSpec::integer(1, kMaxReplications);
  const ArgSpec jobs = ArgSpec::integer(0, kMaxJobs, kJobsNote);
  const ArgSpec positive_duration = ArgSpec::duration(sim::Duration::nanoseconds(1));

  RunArgs& run = run_args;
  run_cmd = app.add_subcommand("run", "Run a scenario and report its metrics");
  add_option(run_cmd, "scenario", run.scenario, ArgSpec::name(), kScenarioHelp, specs);
  add_option(run_cmd, "--seed", run.seed, seed, "Random seed (overrides run.seed)", specs);
  auto* run_requests = add_option(run_cmd, "--requests", run.requests, requests,
                                  "Stop arrivals after N requests", specs);
  auto* run_duration =
      add_option(run_cmd, "--duration", run.duration, positive_duration,
                 "Stop arrivals after this much simulated time (30s, 5min, 250ms)", specs);
  run_requests->excludes(run_duration);
  add_option(run_cmd, "--warmup", run.warmup, ArgSpec::duration(sim::Duration::zero()),
             "Leave requests arriving before this simulated time out of the metrics (60s, 5min)",
             specs);
  add_option(run_cmd, "--set", run.sets, ArgSpec::set(), kSetHelp, specs);
  add_option(
      run_cmd, "--out", run.out_dir, ArgSpec::path(),
      "Write report.json, metrics.csv, decisions.jsonl.zst, requests.jsonl (and trace.json) here",
      specs);
  run_cmd->add_flag("--trace", run.trace,
                    "Also write a Chrome trace (open in Perfetto UI) to --out");
  add_option(run_cmd, "--request-sample", run.request_sample,
             ArgSpec::integer(0, kMaxRequestSample, "(0: no requests.jsonl)"),
             "Requests kept with full detail in requests.jsonl: N sampled uniformly plus N/10 "
             "slowest and N/10 failed (default 2000; 0: no requests.jsonl)",
             specs);
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
  add_option(run_cmd, "--format", run.format, ArgSpec::choice({"table", "json", "csv"}),
             "What to print on stdout", specs);
  run_cmd->add_flag("-q,--quiet", run.quiet, "No progress bar or file notes on stderr");
  add_option(run_cmd, "-R,--replications", run.replications, replications,
             "Run R replications on seeds seed..seed+R-1 and report mean, sd and 95% CI per metric",
             specs);
  add_option(run_cmd, "-j,--jobs", run.jobs, jobs,
             "Threads for replications (default: one per core; output does not depend on it)",
             specs);
  add_store_options(run_cmd, run.store, specs);
  run_cmd->callback([this] { check_seeds_fit(run_args.seed, run_args.replications); });
  run_cmd->footer(
      "Examples:\n"
      "  orchsim run\n"
      "  orchsim run retry_storm --set /resilience/retry_budget/kind=token_bucket\n"
      "  orchsim run scenarios/library/query_fanout.json --duration 2min --out out/ --trace\n"
      "  orchsim run model_cascade --requests 1000000 --out big/ --no-decisions\n"
      "  orchsim run hedged_requests --replications 10 --jobs 4 --requests 2000 --format json");

  // Options shared by the replication-based commands.
  auto add_eval_options = [&](CLI::App* cmd, EvalArgs& a, bool with_format) {
    add_option(cmd, "scenario", a.scenario, ArgSpec::name(), kScenarioHelp, specs);
    add_option(cmd, "--set", a.sets, ArgSpec::set(), kSetHelp, specs);
    add_option(cmd, "--seed", a.seed, seed,
               "First seed; replication i runs on seed + i (default: run.seed)", specs);
    auto* req = add_option(cmd, "--requests", a.requests, requests,
                           "Stop arrivals after N requests (each replication)", specs);
    auto* dur = add_option(cmd, "--duration", a.duration, positive_duration,
                           "Stop arrivals after this much simulated time (30s, 5min)", specs);
    req->excludes(dur);
    add_option(cmd, "-R,--replications", a.replications, replications,
               "Replications per configuration (default 5)", specs);
    add_option(cmd, "-j,--jobs", a.jobs, jobs,
               "Threads (default: one per core; output does not depend on it)", specs);
    if (with_format) {
      add_option(cmd, "--format", a.format, ArgSpec::choice({"table", "json"}),
                 "What to print on stdout: table or json", specs);
    }
    cmd->add_flag("-q,--quiet", a.quiet, "No progress bar or file notes on stderr");
    add_store_options(cmd, a.store, specs);
    cmd->callback([&a] { check_seeds_fit(a.seed, a.replications); });
  };

  CompareArgs& compare = compare_args;
  compare_cmd = app.add_subcommand(
      "compare", "Paired comparison of variants on the same seeds (common random numbers)");
  add_eval_options(compare_cmd, compare.common, true);
  // Replaces the shared callback: the seed check and the number of tasks.
  compare_cmd->callback([this] {
    check_seeds_fit(compare_args.common.seed, compare_args.common.replications);
    check_tasks("--variant", 1 + compare_args.variants.size() + compare_args.against.size(),
                "configurations (the base and each --variant and --against)",
                compare_args.common.replications);
  });
  add_option(compare_cmd, "--variant", compare.variants, ArgSpec::variant(),
             "NAME:/ptr=value[,/ptr=value...]: the scenario with these overrides (repeatable)",
             specs);
  add_option(compare_cmd, "--against", compare.against, ArgSpec::path(),
             "Another scenario file as a variant (repeatable)", specs);
  add_option(compare_cmd, "--metric", compare.metrics, ArgSpec::name(),
             "A metric to show in the table (repeatable; default: key metrics)", specs);
  compare_cmd->add_flag("--all-metrics", compare.all_metrics, "Show every metric in the table");
  add_option(compare_cmd, "--out", compare.out_dir, ArgSpec::path(),
             "Folder for comparison.json and the results store results.sqlite", specs);
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

  SweepArgs& sweep = sweep_args;
  sweep_cmd =
      app.add_subcommand("sweep", "Grid sweep with CIs, Pareto frontier and router metrics");
  add_eval_options(sweep_cmd, sweep.common, true);
  add_option(sweep_cmd, "--grid", sweep.grid, ArgSpec::grid(),
             "/json/pointer=v1,v2,... (repeatable; the cartesian product is run)", specs)
      ->required();
  add_option(sweep_cmd, "--out", sweep.out_dir, ArgSpec::path(),
             "Folder for sweep.csv, sweep.json and the results store results.sqlite", specs)
      ->required();
  add_option(sweep_cmd, "--strong", sweep.strong_agent, ArgSpec::name(),
             "Strong agent of a cost-quality router: report strong fraction, PGR, APGR, CPT",
             specs);
  add_option(sweep_cmd, "--weak-set", sweep.weak_sets, ArgSpec::set(),
             "Override(s) making the always-weak reference run", specs);
  add_option(sweep_cmd, "--strong-set", sweep.strong_sets, ArgSpec::set(),
             "Override(s) making the always-strong reference run", specs);
  add_option(sweep_cmd, "--quality-metric", sweep.quality_metric, ArgSpec::name(),
             "Quality for PGR (default quality.mean)", specs);
  // Replaces the shared callback: the seed check and the grid's size.
  sweep_cmd->callback([this] {
    check_seeds_fit(sweep_args.common.seed, sweep_args.common.replications);
    check_grid_size(sweep_args.grid, sweep_args.common.replications);
  });
  sweep_cmd->footer(
      "Examples:\n"
      "  orchsim sweep hedged_requests --grid /workflow/nodes/0/hedge/delay_ms=100,200,400 --out "
      "sweep/\n"
      "  orchsim sweep model_cascade --grid "
      "/workflow/nodes/0/routing/accept_confidence=0.5,0.7,0.9 \\\n"
      "      --strong strong_model --weak-set /workflow/nodes/0/routing/accept_confidence=0 \\\n"
      "      --strong-set /workflow/nodes/0/routing/policy=static --requests 2000 --out cascade/\n"
      "See docs/evaluation.md for the Pareto, PGR, APGR and CPT definitions.");

  SearchArgs& search = search_args;
  search_cmd = app.add_subcommand(
      "search",
      "Find the best settings: model-based successive halving (TPE) with CIs and a Pareto set");
  add_eval_options(search_cmd, search.common, true);
  const ArgSpec search_param = ArgSpec::custom(
      "/json/pointer=lo..hi, log:lo..hi, int:lo..hi or v1,v2,... (lo < hi; log needs lo > 0)",
      [](const std::string& s) { return eval::parse_search_parameter(s).ok(); },
      {"accept=0..1", "/a=1..0", "/a=log:0..1", "/a=int:0.5..2", "/a=x", "/a="},
      {"/a=0..1", "/a=log:100..8000", "/a=int:1..3", "/a=static,cascade"});
  const ArgSpec search_constraint = ArgSpec::custom(
      "METRIC<=NUMBER or METRIC>=NUMBER, such as latency_ms.all.p99<=8000",
      [](const std::string& s) { return eval::parse_search_constraint(s).ok(); },
      {"cost", "cost<0.1", "<=3", "cost<=x"}, {"per_request.cost_usd<=0.01", "quality.mean>=0.8"});
  add_option(search_cmd, "--param", search.params, search_param,
             "/json/pointer=lo..hi | log:lo..hi | int:lo..hi | v1,v2,... (repeatable)", specs)
      ->required();
  auto* maximize = add_option(search_cmd, "--maximize", search.maximize, ArgSpec::name(),
                              "The report metric to maximize (quality.mean, ...)", specs);
  auto* minimize = add_option(search_cmd, "--minimize", search.minimize, ArgSpec::name(),
                              "The report metric to minimize (latency_ms.all.p99, ...)", specs);
  maximize->excludes(minimize);
  add_option(search_cmd, "--constraint", search.constraints, search_constraint,
             "METRIC<=X or METRIC>=X on the mean over replications (repeatable)", specs);
  add_option(search_cmd, "--out", search.out_dir, ArgSpec::path(),
             "Folder for search.json, search.csv and one results store per rung (rungs/)", specs)
      ->required();
  add_option(search_cmd, "--min-requests", search.min_requests, requests,
             "Requests of the bottom rung, at least (default: --requests / 27)", specs);
  add_option(search_cmd, "--eta", search.eta, ArgSpec::integer(2, 16),
             "Keep 1/eta of a rung's candidates for the next rung (default 3)", specs);
  add_option(search_cmd, "--brackets", search.brackets, ArgSpec::integer(1, 1000),
             "Successive-halving brackets to run (default 4)", specs);
  add_option(search_cmd, "--budget", search.budget, ArgSpec::integer(1, kMaxRequests),
             "Stop before a bracket would take the requests simulated (x replications) past this",
             specs);
  add_option(search_cmd, "--search-seed", search.search_seed, seed,
             "Seed of the proposals (the runs use --seed; default 1)", specs);
  add_option(search_cmd, "--top", search.top, ArgSpec::integer(1, 1000),
             "Best configurations to report (default 5)", specs);
  search_cmd->footer(
      "Every candidate runs the same seeds (common random numbers). A bracket starts eta^s\n"
      "candidates on the bottom rung and keeps the best 1/eta for each longer rung, up to\n"
      "--requests; later brackets are proposed by a TPE model of the results so far (BOHB).\n"
      "Examples:\n"
      "  orchsim search model_cascade --param /workflow/nodes/0/routing/accept_confidence=0..1 \\\n"
      "      --maximize quality.mean --constraint per_request.cost_usd<=0.004 --out "
      "cascade-search/\n"
      "  orchsim search hedged_requests --param /workflow/nodes/0/hedge/delay_ms=log:100..10000 "
      "\\\n"
      "      --param /workflow/nodes/0/hedge/max_extra_attempts=int:0..2 \\\n"
      "      --minimize latency_ms.all.p99 --constraint per_request.cost_usd<=0.0034 --out hedge/\n"
      "See docs/search.md.");

  BaselineArgs& baseline = baseline_args;
  baseline_cmd = app.add_subcommand("baseline", "Save metrics with CIs as a baseline for 'check'");
  add_eval_options(baseline_cmd, baseline.common, false);
  add_option(baseline_cmd, "--out", baseline.out, ArgSpec::path(), "Baseline JSON file to write",
             specs)
      ->required();
  baseline_cmd->footer(
      "Examples:\n"
      "  orchsim baseline rag_orchestrated --requests 2000 -R 5 --out baselines/rag.json\n"
      "  orchsim baseline my.json --set /run/seed=3 --out my.baseline.json");

  CheckArgs& check = check_args;
  check_cmd = app.add_subcommand("check", "Check a run against a baseline; exit 1 on a regression");
  add_option(check_cmd, "scenario", check.scenario, ArgSpec::name(),
             "Name or path (default: the baseline's scenario)", specs);
  add_option(check_cmd, "--baseline", check.baseline, ArgSpec::path(),
             "Baseline JSON from 'orchsim baseline'", specs)
      ->required();
  add_option(check_cmd, "--set", check.sets, ArgSpec::set(),
             "Overrides applied after the baseline's own (repeatable)", specs);
  add_option(check_cmd, "--tolerance", check.tolerances, ArgSpec::tolerance(),
             "metric=rel:0.05 or metric=abs:10 (repeatable; adds to or replaces the defaults)",
             specs);
  add_option(check_cmd, "--junit", check.junit, ArgSpec::path(),
             "Also write a JUnit XML report here", specs);
  add_option(check_cmd, "-j,--jobs", check.jobs, jobs, "Threads (default: one per core)", specs);
  check_cmd->add_flag("-q,--quiet", check.quiet, "No progress bar on stderr");
  add_store_options(check_cmd, check.store, specs);
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

  validate_cmd = app.add_subcommand("validate", "Check scenario files and report every problem");
  add_option(validate_cmd, "scenarios", validate_files, ArgSpec::name(), "Names or paths", specs)
      ->required();
  add_option(validate_cmd, "--set", validate_sets, ArgSpec::set(),
             "Apply overrides before checking", specs);
  validate_cmd->footer("Example:\n  orchsim validate scenarios/library/*.json my_scenario.json");

  list_cmd = app.add_subcommand(
      "list", "List the built-in scenarios (or, with --policies, the routing policies)");
  list_cmd->add_flag("--policies", list_policies,
                     "List the registered routing policies, their parameters and defaults");
  list_cmd->footer("Examples:\n  orchsim list\n  orchsim list --policies");

  explain_cmd = app.add_subcommand("explain", "Show a scenario's agents and workflow graph");
  add_option(explain_cmd, "scenario", explain_name, ArgSpec::name(),
             "Name or path (default: rag_orchestrated)", specs);
  add_option(explain_cmd, "--format", explain_format, ArgSpec::choice({"text", "dot", "both"}),
             "text, dot (Graphviz) or both", specs);
  explain_cmd->footer(
      "Examples:\n  orchsim explain tool_calling_loop\n  orchsim explain rag_orchestrated --format "
      "dot | dot -Tpng > rag.png");

  schema_cmd = app.add_subcommand(
      "schema", "Print the scenario format's JSON Schema (or its reference in Markdown)");
  add_option(schema_cmd, "--format", schema_format, ArgSpec::choice({"json", "markdown"}),
             "json or markdown", specs);
  schema_cmd->footer(
      "Examples:\n  orchsim schema > scenario.schema.json\n  orchsim schema --format markdown");

  merge_cmd = add_merge_command(app, merge_args, specs);
  fit_cmd = add_fit_command(app, fit_args, specs);

  ImportAslArgs& asl = import_asl_args;
  import_cmd = app.add_subcommand(
      "import", "Import an orchestration you already run as a scenario (AWS Step Functions)");
  import_cmd->require_subcommand(1);
  import_asl_cmd = import_cmd->add_subcommand(
      "asl", "An AWS Step Functions state machine (Amazon States Language) as a scenario");
  add_option(import_asl_cmd, "file", asl.file, ArgSpec::path(), "The state machine (.asl.json)",
             specs)
      ->required();
  add_option(import_asl_cmd, "--out", asl.out, ArgSpec::path(), "The scenario file to write", specs)
      ->required();
  add_option(import_asl_cmd, "--agents", asl.agents, ArgSpec::path(),
             "Agents by name for the Tasks (an array, or a file with \"agents\", e.g. from "
             "orchsim fit); the others get the default mocks",
             specs);
  add_option(import_asl_cmd, "--choices", asl.choices, ArgSpec::path(),
             "Payload-dependent values by state name: Choice branch weights, Map \"items\", "
             "Wait \"seconds\"",
             specs);
  add_option(import_asl_cmd, "--workload", asl.workload, ArgSpec::path(),
             "The workload: {\"arrivals\": ..., \"classes\": [...]} (default: Poisson, 1 "
             "request/s)",
             specs);
  add_option(import_asl_cmd, "--name", asl.name, ArgSpec::name(),
             "The scenario's name (default: the file's)", specs);
  add_option(import_asl_cmd, "--description", asl.description,
             ArgSpec::custom("some text", [](const std::string& text) { return !text.empty(); },
                             {""}, {"Orders, from the state machine we run"}),
             "The scenario's description (default: the state machine's Comment and a summary "
             "of the import)",
             specs);
  add_option(import_asl_cmd, "--requests", asl.requests, requests, "run.requests (default 1000)",
             specs);
  import_asl_cmd->add_flag("--strict", asl.strict,
                           "Exit 2 (writing nothing) if anything cannot be expressed exactly");
  import_asl_cmd->add_flag("-q,--quiet", asl.quiet, "Print only errors");
  import_asl_cmd->footer(
      "Prints what it defaulted, guessed, approximated or could not express, each with the JSON\n"
      "pointer into the file. Exit status: 0 written, 2 bad input or --strict (nothing "
      "written).\n"
      "Examples:\n"
      "  orchsim import asl order.asl.json --out order.json && orchsim explain order.json\n"
      "  orchsim import asl order.asl.json --agents fitted.agents.json --choices choices.json "
      "--strict --out order.json\n"
      "See docs/import.md for the mapping, the error names and the default agents.");
}

int CommandLine::run() const {
  if (*run_cmd) return run_command(run_args);
  if (*validate_cmd) return validate_command(validate_files, validate_sets);
  if (*list_cmd) return list_policies ? list_policies_command() : list_command();
  if (*explain_cmd) return explain_command(explain_name, explain_format);
  if (*schema_cmd) return schema_command(schema_format);
  if (*compare_cmd) return compare_command(compare_args);
  if (*sweep_cmd) return sweep_command(sweep_args);
  if (*search_cmd) return search_command(search_args);
  if (*baseline_cmd) return baseline_command(baseline_args);
  if (*check_cmd) return check_command(check_args);
  if (*merge_cmd) return merge_command(merge_args);
  if (*fit_cmd) return fit_command(fit_args);
  if (*import_asl_cmd) return import_asl_command(import_asl_args);
  return kExitBadInput;
}

int main_with_args(int argc, char** argv) {
  note_command_line(argc, argv);
  CommandLine cl;
  // CLI11 reports --help, --version and a malformed command line only by
  // throwing: its exceptions are caught at the call, the one place the
  // parser's outcome becomes an exit status (a parse error is bad input).
  try {
    cl.app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return cl.app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return cl.app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return cl.app.exit(e);
  } catch (const CLI::ParseError& e) {
    cl.app.exit(e);
    return kExitBadInput;
  }
  if (*cl.import_asl_cmd) {
    // The file's header records how it was made (the program's path left out).
    std::string& line = cl.import_asl_args.command_line;
    line = "orchsim";
    for (int i = 1; i < argc; ++i) {
      const std::string a = argv[i];
      const bool plain = a.find_first_of(" \"'$\\") == std::string::npos && !a.empty();
      line += " " + (plain ? a : "'" + a + "'");
    }
  }
  return cl.run();
}

}  // namespace orchsim::cli
