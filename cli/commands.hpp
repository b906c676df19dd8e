// The orchsim subcommands, callable without the argument parser (tests use
// the real executable; main.cpp wires these to CLI11).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace orchsim::cli {

// Exit statuses: 0 success, 1 the check found a regression / the run failed
// at runtime, 2 bad input (scenario, arguments, files).
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitBadInput = 2;

struct RunArgs {
  std::string scenario;  // name or path; empty = the default
  std::optional<std::uint64_t> seed;
  std::optional<std::uint64_t> requests;
  std::optional<std::string> duration;
  std::vector<std::string> sets;  // "/json/pointer=value"
  std::optional<std::string> out_dir;
  bool trace = false;
  std::string format = "table";  // table | json | csv
  bool quiet = false;
};

int run_command(const RunArgs& args);
int validate_command(const std::vector<std::string>& scenarios, const std::vector<std::string>& sets);
int list_command();
int explain_command(const std::string& scenario, const std::string& format);

// Splits "--set /a/b=value" arguments; false (and a message on stderr) when malformed.
bool parse_sets(const std::vector<std::string>& sets,
                std::vector<std::pair<std::string, std::string>>& out);

}  // namespace orchsim::cli
