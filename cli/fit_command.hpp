// `orchsim fit`: measurements in, fitted agents (and arrivals) out. The
// options are declared here, next to the command, so that main.cpp only
// registers it.
//
//   FitArgs args;
//   CLI::App* cmd = add_fit_command(app, args, specs);
//   ... app.parse(argc, argv);
//   if (*cmd) return fit_command(args);
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cli/arg_spec.hpp"

namespace orchsim::cli {

struct FitArgs {
  std::vector<std::string> inputs;
  std::string format = "auto";
  std::string group_by = "provider,model";
  std::optional<std::string> out;       // agents file
  std::optional<std::string> report;    // JSON report
  std::optional<std::string> scenario;  // runnable scenario
  std::string print = "table";          // stdout: table | json | none
  std::vector<std::string> families;    // empty = all
  std::string select = "guarded";       // guarded | aic
  std::string max_error = "0.10,0.10,0.20";
  double min_samples = 30;
  double min_ks_p = 0.01;
  std::vector<std::string> map_errors;  // CODE=KIND
  std::vector<std::string> ttft_attributes;
  std::vector<std::string> operations;
  std::uint32_t servers = 64;
  bool arrivals = false;
  std::string arrival_model = "auto";
  std::string arrival_window = "1s";
  std::string arrival_piece = "60s";
  double rate_scale = 1.0;
  // --scenario options.
  std::string name = "fitted";
  std::string policy;
  std::optional<std::uint32_t> users;
  std::uint64_t requests = 2000;
  std::optional<std::string> replay;  // --scenario: replay this trace
  // Drive each fitted agent as the measurements were taken and compare.
  bool check = false;
  std::uint64_t check_requests = 20'000;
  std::optional<std::uint32_t> check_users;
  bool quiet = false;
};

// Every option is declared with its ArgSpec (cli/arg_spec.hpp), recorded in `specs`.
CLI::App* add_fit_command(CLI::App& app, FitArgs& args, ArgSpecs& specs);
int fit_command(const FitArgs& args);

}  // namespace orchsim::cli
