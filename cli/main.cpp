// orchsim: run, validate, list and explain orchestration scenarios.
#include <CLI/CLI.hpp>

#include <iostream>

#include "cli/commands.hpp"

int main(int argc, char** argv) {
  using namespace orchsim::cli;
  CLI::App app{"orchsim: a deterministic simulator for orchestrated multi-agent LLM systems.\n"
               "Same scenario + seed = the same bytes out."};
  app.require_subcommand(1);
  app.footer(
      "Examples:\n"
      "  orchsim run                                  # the default built-in scenario\n"
      "  orchsim run hedged_requests --seed 7 --requests 50000 --out results/\n"
      "  orchsim run my.json --set /workload/arrivals/poisson/rate_per_s=300 --format json\n"
      "  orchsim validate scenarios/library/*.json\n"
      "  orchsim explain rag_orchestrated --format dot | dot -Tsvg > rag.svg\n"
      "Exit status: 0 ok, 1 runtime failure, 2 bad input (scenario, arguments).");

  RunArgs run;
  CLI::App* run_cmd = app.add_subcommand("run", "Run a scenario and report its metrics");
  run_cmd->add_option("scenario", run.scenario, "Built-in scenario name or path to a .json file (default: rag_orchestrated)");
  run_cmd->add_option("--seed", run.seed, "Random seed (overrides run.seed)");
  auto* requests = run_cmd->add_option("--requests", run.requests, "Stop arrivals after N requests");
  auto* duration = run_cmd->add_option("--duration", run.duration, "Stop arrivals after this much simulated time (30s, 5min, 250ms)");
  requests->excludes(duration);
  run_cmd->add_option("--set", run.sets, "Override a scenario value: /json/pointer=value (repeatable)");
  run_cmd->add_option("--out", run.out_dir, "Write report.json, metrics.csv, decisions.jsonl (and trace.json) here");
  run_cmd->add_flag("--trace", run.trace, "Also write a Chrome trace (open in Perfetto UI) to --out");
  run_cmd->add_option("--format", run.format, "What to print on stdout")->check(CLI::IsMember({"table", "json", "csv"}));
  run_cmd->add_flag("-q,--quiet", run.quiet, "No progress bar or file notes on stderr");
  run_cmd->footer(
      "Examples:\n"
      "  orchsim run\n"
      "  orchsim run retry_storm --set /resilience/retry_budget/kind=token_bucket\n"
      "  orchsim run scenarios/library/query_fanout.json --duration 2min --out out/ --trace");

  std::vector<std::string> validate_files, validate_sets;
  CLI::App* validate_cmd = app.add_subcommand("validate", "Check scenario files and report every problem");
  validate_cmd->add_option("scenarios", validate_files, "Names or paths")->required();
  validate_cmd->add_option("--set", validate_sets, "Apply overrides before checking");
  validate_cmd->footer("Example:\n  orchsim validate scenarios/library/*.json my_scenario.json");

  CLI::App* list_cmd = app.add_subcommand("list", "List the built-in scenarios");
  list_cmd->footer("Example:\n  orchsim list");

  std::string explain_name, explain_format = "text";
  CLI::App* explain_cmd = app.add_subcommand("explain", "Show a scenario's agents and workflow graph");
  explain_cmd->add_option("scenario", explain_name, "Name or path (default: rag_orchestrated)");
  explain_cmd->add_option("--format", explain_format, "text, dot (Graphviz) or both")
      ->check(CLI::IsMember({"text", "dot", "both"}));
  explain_cmd->footer("Examples:\n  orchsim explain tool_calling_loop\n  orchsim explain rag_orchestrated --format dot | dot -Tpng > rag.png");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kExitBadInput;
  }
  if (*run_cmd) return run_command(run);
  if (*validate_cmd) return validate_command(validate_files, validate_sets);
  if (*list_cmd) return list_command();
  if (*explain_cmd) return explain_command(explain_name, explain_format);
  return kExitBadInput;
}
