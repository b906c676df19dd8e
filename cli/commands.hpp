// The orchsim subcommands, callable without the argument parser (tests use
// the real executable; main.cpp wires these to CLI11).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "cli/exit_status.hpp"  // kExitOk, kExitFailure, kExitBadInput
#include "cli/store_args.hpp"
#include "eval/metric_names.hpp"

namespace orchsim::cli {

struct RunArgs {
  std::string scenario;  // name or path; empty = the default
  std::optional<std::uint64_t> seed;
  std::optional<std::uint64_t> requests;
  std::optional<std::string> duration;
  std::optional<std::string> warmup;
  std::vector<std::string> sets;  // "/json/pointer=value"
  std::optional<std::string> out_dir;
  bool trace = false;
  // Requests with full detail in --out/requests.jsonl: this many sampled
  // uniformly, plus a tenth as many slowest and failed ones; 0 writes none.
  std::uint64_t request_sample = 2000;
  // No --out/decisions.jsonl.zst; the decisions of the sampled requests are
  // still in requests.jsonl.
  bool no_decisions = false;
  // Log what each policy saw with each decision (eval/decision_log.hpp).
  bool decision_features = false;
  // Attach eval::InvariantChecker; any violation is printed and the command
  // exits 1 (the results are still written: they are what was simulated).
  bool check_invariants = false;
  std::string format = "table";  // table | json | csv
  bool quiet = false;
  std::uint64_t replications = 1;  // > 1: summarise across seeds seed, seed+1, ... with CIs
  unsigned jobs = 0;               // threads for replications; 0 = one per core
  StoreArgs store;                 // with --replications: the results store
};

// Arguments shared by the replication-based commands.
struct EvalArgs {
  std::string scenario;  // name or path; empty = the default
  std::vector<std::string> sets;
  std::optional<std::uint64_t> seed;  // the first seed; default run.seed
  std::optional<std::uint64_t> requests;
  std::optional<std::string> duration;
  std::optional<std::string> warmup;
  std::uint64_t replications = 5;
  unsigned jobs = 0;
  std::string format = "table";
  bool quiet = false;
  StoreArgs store;
};

struct CompareArgs {
  EvalArgs common;
  std::vector<std::string> variants;  // "NAME:/ptr=value[,/ptr=value...]"
  std::vector<std::string> against;   // other scenario files
  std::vector<std::string> metrics;   // shown in the table; empty = the key metrics
  bool all_metrics = false;
  std::string out_dir;  // comparison.json and results.sqlite; "" = print only
};

struct SweepArgs {
  EvalArgs common;
  std::vector<std::string> grid;  // "/ptr=v1,v2,..."
  std::string out_dir;
  std::optional<std::string> strong_agent;  // enables the RouteLLM metrics
  std::vector<std::string> weak_sets, strong_sets;
  std::string quality_metric = std::string(eval::metric::kQualityMean);
};

struct SearchArgs {
  SearchArgs() { common.replications = 3; }
  EvalArgs common;  // --requests is the full fidelity (the top rung)
  std::vector<std::string>
      params;  // "/ptr=lo..hi" | "/ptr=log:lo..hi" | "/ptr=int:lo..hi" | "/ptr=a,b"
  std::optional<std::string> maximize, minimize;  // the objective: one of the two
  std::vector<std::string> constraints;           // "metric<=x" | "metric>=x"
  std::string out_dir;
  std::optional<std::uint64_t> min_requests;  // the bottom rung's floor; default full/27
  unsigned eta = 3;
  unsigned brackets = 4;
  std::optional<std::uint64_t> budget;  // requests x replications, at most
  std::uint64_t search_seed = 1;        // the proposals' stream
  unsigned top = 5;
};

struct BaselineArgs {
  EvalArgs common;
  std::string out;
};

struct CheckArgs {
  std::string scenario;  // empty = the baseline's
  std::string baseline;
  std::vector<std::string> sets;        // applied after the baseline's own
  std::vector<std::string> tolerances;  // "metric=rel:0.05" | "metric=abs:10"
  std::optional<std::string> junit;
  unsigned jobs = 0;
  bool quiet = false;
  StoreArgs store;
};

struct ImportAslArgs {
  std::string file;                    // the ASL state machine
  std::string out;                     // the scenario to write
  std::optional<std::string> agents;   // agent definitions by name (an array, or {"agents": [...]})
  std::optional<std::string> choices;  // Choice probabilities, Map item counts, Wait seconds
  std::optional<std::string> workload;  // {"arrivals": ..., "classes": [...]}
  std::string name;                     // the scenario's name; empty: from the file name
  std::string description;        // empty: the state machine's Comment and the import's summary
  std::string command_line;       // for the file's header: how it was made
  std::uint64_t requests = 1000;  // run.requests
  bool strict = false;            // exit 2 on any unsupported construct
  bool quiet = false;
};

int run_command(const RunArgs& args);
// Writes nothing unless it exits 0.
int import_asl_command(const ImportAslArgs& args);
int validate_command(const std::vector<std::string>& scenarios,
                     const std::vector<std::string>& sets);
int list_command();
// The routing policies of the registry: name, what it does, its parameters.
int list_policies_command();
int explain_command(const std::string& scenario, const std::string& format);
// The scenario format: its JSON Schema ("json") or its reference ("markdown").
int schema_command(const std::string& format);
// run with --replications > 1 (run_command calls it).
int run_replications_command(const RunArgs& args);
int compare_command(const CompareArgs& args);
int sweep_command(const SweepArgs& args);
// Writes search.json and search.csv into --out, one results store per rung
// of each bracket under --out/rungs/.
int search_command(const SearchArgs& args);
int baseline_command(const BaselineArgs& args);
int check_command(const CheckArgs& args);

// Splits "--set /a/b=value" arguments; false (and a message on stderr) when malformed.
bool parse_sets(const std::vector<std::string>& sets,
                std::vector<std::pair<std::string, std::string>>& out);

}  // namespace orchsim::cli
