// Arguments every multi-run command shares for its results store (see
// eval/results_store.hpp and docs/scaling.md), and those of `orchsim merge`.
#pragma once

#include <string>
#include <vector>

namespace orchsim::cli {

struct StoreArgs {
  std::string store;    // --store FILE; empty = DIR/results.sqlite for --out DIR, else in memory
  bool resume = false;  // run only the tasks the store lacks
  bool force = false;   // with --resume: accept a store of another experiment, keeping what matches
  std::string shard;    // "I/N": run task i only when i % N == I
  bool verbose = false;  // one line per finished task on stderr
};

struct MergeArgs {
  std::vector<std::string> inputs;  // folders holding results.sqlite, or store files
  std::string out_dir;
  std::string format = "table";
  bool quiet = false;
};

int merge_command(const MergeArgs& args);

}  // namespace orchsim::cli
