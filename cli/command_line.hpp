// The orchsim command line: every subcommand and option, declared once, with
// the check of each option's value (cli/arg_spec.hpp) and the checks that
// span options (seeds that would wrap, sweeps too large to hold).
//
//   CommandLine cl;
//   try { cl.app.parse(argc, argv); } catch (const CLI::ParseError& e) { ... exit 2 ... }
//   return cl.run();
//
// main.cpp does exactly that; tests build a CommandLine to walk its options
// and to parse arguments without running anything. Not copyable or movable:
// the options are bound to the argument structs inside it.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "cli/arg_spec.hpp"
#include "cli/commands.hpp"
#include "cli/fit_command.hpp"
#include "cli/store_args.hpp"

namespace orchsim::cli {

struct CommandLine {
  CommandLine();
  CommandLine(const CommandLine&) = delete;
  CommandLine& operator=(const CommandLine&) = delete;

  // Runs the subcommand that was parsed; returns the exit status.
  int run() const;

  CLI::App app;
  ArgSpecs specs;  // the spec of every option that takes a value

  RunArgs run_args;
  CompareArgs compare_args;
  SweepArgs sweep_args;
  SearchArgs search_args;
  BaselineArgs baseline_args;
  CheckArgs check_args;
  std::vector<std::string> validate_files, validate_sets;
  std::string explain_name, explain_format = "text";
  bool list_policies = false;
  std::string schema_format = "json";
  MergeArgs merge_args;
  FitArgs fit_args;
  ImportAslArgs import_asl_args;  // command_line: set by main_with_args()

  CLI::App* run_cmd = nullptr;
  CLI::App* compare_cmd = nullptr;
  CLI::App* sweep_cmd = nullptr;
  CLI::App* search_cmd = nullptr;
  CLI::App* baseline_cmd = nullptr;
  CLI::App* check_cmd = nullptr;
  CLI::App* validate_cmd = nullptr;
  CLI::App* list_cmd = nullptr;
  CLI::App* explain_cmd = nullptr;
  CLI::App* schema_cmd = nullptr;
  CLI::App* merge_cmd = nullptr;
  CLI::App* fit_cmd = nullptr;
  CLI::App* import_cmd = nullptr;
  CLI::App* import_asl_cmd = nullptr;
};

// main(): parses, prints a parse error or help, runs. Exit 2 on bad arguments.
int main_with_args(int argc, char** argv);

}  // namespace orchsim::cli
