// Command-line wiring of the results store's options and of `orchsim merge`
// (CLI11), kept apart from main.cpp so that main only calls these.
//
//   add_store_options(sweep_cmd, sweep.common.store, specs);
//   CLI::App* merge_cmd = add_merge_command(app, merge, specs);
//   if (*merge_cmd) return merge_command(merge);
#pragma once

#include <CLI/CLI.hpp>

#include "cli/arg_spec.hpp"
#include "cli/store_args.hpp"

namespace orchsim::cli {

// --store, --resume, --force, --shard and --verbose; the values are checked
// by their ArgSpec (cli/arg_spec.hpp), recorded in `specs`.
void add_store_options(CLI::App* cmd, StoreArgs& args, ArgSpecs& specs);
CLI::App* add_merge_command(CLI::App& app, MergeArgs& args, ArgSpecs& specs);

}  // namespace orchsim::cli
