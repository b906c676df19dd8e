// Runs a command's experiment plan: the results store, --resume/--force,
// --shard, MPI ranks or threads, progress, --verbose and SIGINT, in one place
// for every multi-run command (run -R, compare, sweep, baseline, check).
//
// The summaries a command prints and writes are made from the store's rows
// (in task order) that run_experiment returns, never from results in memory,
// so an uninterrupted run, a resumed one, a merge of shards and an MPI run
// give the same bytes.
//
//   ExperimentRun run = run_experiment(loaded, {.store = args.store, .out_dir = dir,
//                                               .jobs = args.jobs, .label = "sweep"});
//   if (!run.sets) return run.exit_code;   // interrupted, a shard, an MPI worker, an error
//   render(loaded.plan, *run.sets);
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "cli/store_args.hpp"
#include "eval/replications.hpp"
#include "eval/task_result.hpp"

namespace orchsim::cli {

struct ExperimentOptions {
  StoreArgs store;
  std::string out_dir;  // where the store goes without --store; "" = in memory
  unsigned jobs = 0;    // threads (per rank under MPI); 0 = one per core (1 per rank under MPI)
  bool quiet = false;
  std::string label;  // names the progress bar
};

struct ExperimentRun {
  // Every task's rows, by configuration: present when the experiment is complete.
  std::optional<std::vector<eval::ReplicationSet>> sets;
  // Otherwise what the command exits with (a message is already printed):
  // 0 a shard or an MPI worker rank that did its part, 1 a runtime failure,
  // 2 bad input (a foreign or damaged store), 130 interrupted.
  int exit_code = 0;
};

ExperimentRun run_experiment(const eval::LoadedPlan& loaded, const ExperimentOptions& options);

// Remembers the command line for "rerun with --resume" hints, and silences
// MPI ranks other than 0 (rank 0 speaks for the job). main() calls it first.
void note_command_line(int argc, char** argv);
// The command line with --resume added (and `mpirun -n N` before it under MPI).
std::string resume_command(int world_size = 1);

// "orchsim 0.1.0" and what this build has: the store's SQLite, MPI or not.
std::string version_text();

}  // namespace orchsim::cli
