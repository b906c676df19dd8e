// The summaries of each multi-run command, made from an experiment's stored
// rows: what `run -R`, `compare`, `sweep`, `baseline` and `check` print and
// write, and what `orchsim merge` writes for them from shard stores. A plan's
// `spec` and `view` carry everything these need beyond the rows.
//
//   ExperimentRun run = run_experiment(loaded, options);
//   if (run.sets) return write_outputs(loaded.plan, *run.sets, {.format = "json", .out_dir =
//   "sw"});
#pragma once

#include <string>
#include <vector>

#include "eval/replications.hpp"
#include "eval/task_plan.hpp"

namespace orchsim::cli {

struct OutputOptions {
  std::string format = "table";  // table | json | csv (csv: run -R only)
  std::string out_dir;           // "" = print only (sweep requires one)
  bool quiet = false;            // no "wrote ..." notes on stderr
  std::string baseline_out;      // baseline: the file to write (default: out_dir/<the plan's name>)
  std::string junit;             // check: also write a JUnit report here
};

// By plan.command; the exit status the command returns.
int write_outputs(const eval::TaskPlan& plan, const std::vector<eval::ReplicationSet>& sets,
                  const OutputOptions& options);

}  // namespace orchsim::cli
