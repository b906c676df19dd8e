#include "cli/store_cli.hpp"

#include "cli/experiment.hpp"

namespace orchsim::cli {

void add_store_options(CLI::App* cmd, StoreArgs& a, ArgSpecs& specs) {
  add_option(cmd, "--store", a.store, ArgSpec::path(),
             "Results store (SQLite) to write each finished task to (default: "
             "results.sqlite in --out, if the command has a folder --out)",
             specs);
  cmd->add_flag("--resume", a.resume,
                "Run only the tasks missing from the store (after a crash, Ctrl-C, a full disk); "
                "the summaries are the same bytes as an uninterrupted run's");
  cmd->add_flag("--force", a.force,
                "With --resume: accept a store made for another scenario, grid, seed or version, "
                "keeping the finished tasks that still match");
  add_option(cmd, "--shard", a.shard, ArgSpec::shard(),
             "I/N: run only tasks i with i % N == I into this store (Slurm arrays; combine "
             "with 'orchsim merge')",
             specs);
  cmd->add_flag("-v,--verbose", a.verbose, "One line per finished task on stderr");
}

CLI::App* add_merge_command(CLI::App& app, MergeArgs& a, ArgSpecs& specs) {
  CLI::App* cmd = app.add_subcommand(
      "merge", "Combine the results stores of shards into the summaries of one run");
  add_option(cmd, "inputs", a.inputs, ArgSpec::path(),
             "Folders holding results.sqlite (or store files)", specs)
      ->required();
  add_option(cmd, "--out", a.out_dir, ArgSpec::path(),
             "Folder for the merged results.sqlite and the summaries", specs)
      ->required();
  add_option(cmd, "--format", a.format, ArgSpec::choice({"table", "json", "csv"}),
             "What to print on stdout: table, json or csv", specs);
  cmd->add_flag("-q,--quiet", a.quiet, "No notes on stderr");
  cmd->footer(
      "Every input must be a store of the same experiment (same command, scenario, grid or "
      "variants,\n"
      "seeds and version); the output is what one run of that command writes.\n"
      "Examples:\n"
      "  for i in 0 1 2 3; do orchsim sweep hedged_requests --grid "
      "/workflow/nodes/0/hedge/delay_ms=100,200 \\\n"
      "      --shard $i/4 --out shards/$i; done\n"
      "  orchsim merge shards/0 shards/1 shards/2 shards/3 --out sweep/\n"
      "See docs/scaling.md for Slurm (sbatch --array) and MPI.");
  return cmd;
}

}  // namespace orchsim::cli
