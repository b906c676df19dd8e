// Command-line wiring of the results store's options and of `orchsim merge`
// (CLI11), kept apart from main.cpp so that main only calls these.
//
//   add_store_options(sweep_cmd, sweep.common.store);
//   CLI::App* merge_cmd = add_merge_command(app, merge);
//   if (*merge_cmd) return merge_command(merge);
#pragma once

#include <CLI/CLI.hpp>

#include "cli/store_args.hpp"

namespace orchsim::cli {

// --store, --resume, --force, --shard and --verbose.
void add_store_options(CLI::App* cmd, StoreArgs& args);
CLI::App* add_merge_command(CLI::App& app, MergeArgs& args);

}  // namespace orchsim::cli
