// What the value of each command-line option may be, checked in one place.
//
// Every option of every subcommand is declared with add_option() and an
// ArgSpec. The spec becomes the option's CLI11 validator, so a bad value is a
// parse error before any command runs: exit status 2 and
//
//   --requests: found '-5', expected an integer from 1 to 9223372036854775807
//
// The specs are also kept in an ArgSpecs table keyed by option, so that a
// test can walk every option of the real command line and try the values its
// kind must refuse (tests/cli/arg_spec_test.cpp); an option declared without
// a spec fails that test until it is given one.
//
//   ArgSpecs specs;
//   add_option(run_cmd, "--requests", args.requests, ArgSpec::integer(1, kMaxRequests),
//              "Stop arrivals after N requests", specs);
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "eval/replications.hpp"
#include "sim/time.hpp"

namespace orchsim::cli {

// The limits, and why each is where it is.
// Request ids are 64-bit, and a scenario file's run.requests is read as a
// signed 64-bit integer: the command line accepts the same range.
inline constexpr std::uint64_t kMaxRequests = std::numeric_limits<std::int64_t>::max();
// Replications (eval/replications.hpp) and grid points: far beyond a useful
// study, short of what would exhaust memory before the first run starts.
inline constexpr std::uint64_t kMaxReplications = eval::kMaxReplications;
inline constexpr std::uint64_t kMaxGridPoints = 100'000;
// Threads: more than any machine has cores; a wrapped "-1" is 2^32 - 1.
inline constexpr std::uint64_t kMaxJobs = 1'024;
inline constexpr std::uint64_t kMaxRequestSample = 1'000'000;
inline constexpr std::uint64_t kMaxSeed = std::numeric_limits<std::uint64_t>::max();
// Shards of one experiment (--shard I/N): as many as a Slurm array may hold
// (MaxArraySize is at most 4,000,001), far more than a study has tasks.
inline constexpr std::uint64_t kMaxShards = 1'000'000;

class ArgSpec {
 public:
  enum class Kind {
    kInteger,    // decimal digits only, in [min, max]
    kDuration,   // 250ms, 30s, 5min, 2h, 1500us, 100ns, or seconds; in [min, max]
    kSet,        // /json/pointer=value
    kGrid,       // /json/pointer=v1,v2,...
    kVariant,    // NAME:/json/pointer=value[,/json/pointer=value...]
    kTolerance,  // metric=rel:FRACTION | metric=abs:AMOUNT
    kChoice,     // one of a fixed list
    kName,       // a non-empty name: scenario, agent, metric
    kPath,       // a non-empty file or folder path
    kShard,      // I/N with 0 <= I < N <= kMaxShards
    kNumber,     // a finite decimal number in [min, max], or (min, max] when min is open
    kCustom,     // checked by the option's own parser (a list, a mapping); see custom()
  };

  static ArgSpec integer(std::uint64_t min, std::uint64_t max, std::string note = {});
  static ArgSpec duration(sim::Duration min, std::string note = {});  // max: Duration::max()
  static ArgSpec set();
  static ArgSpec grid();
  static ArgSpec variant();
  static ArgSpec tolerance();
  static ArgSpec choice(std::vector<std::string> choices);
  static ArgSpec name();
  static ArgSpec path();
  static ArgSpec shard();
  static ArgSpec number(double min, double max, bool min_open = false, std::string note = {});
  // A syntax of one option's own: `accepts` decides, `expected` says what is
  // allowed. `refused` and `accepted` are examples the table-driven test
  // (tests/cli/arg_spec_test.cpp) tries, as it tries its own for the other kinds.
  static ArgSpec custom(std::string expected, std::function<bool(const std::string&)> accepts,
                        std::vector<std::string> refused, std::vector<std::string> accepted);

  Kind kind() const { return kind_; }
  std::uint64_t min() const { return min_; }
  std::uint64_t max() const { return max_; }
  sim::Duration min_duration() const { return min_duration_; }
  double min_number() const { return min_number_; }
  double max_number() const { return max_number_; }
  bool min_open() const { return min_open_; }
  const std::vector<std::string>& refused_examples() const { return refused_; }
  const std::vector<std::string>& accepted_examples() const { return accepted_; }
  const std::vector<std::string>& choices() const { return choices_; }

  // What is allowed, for messages: "an integer from 1 to 100000".
  std::string expected() const;
  // Checks one value; may rewrite it into the form CLI11 then converts (an
  // integer without leading zeros, which CLI11 would read as octal). Returns
  // "found '<value>', expected <...>" when the value is refused, "" when ok.
  std::string check(std::string& value) const;
  // The CLI11 validator that runs check() on every value of an option.
  CLI::Validator validator() const;

 private:
  explicit ArgSpec(Kind kind) : kind_(kind) {}

  Kind kind_;
  std::uint64_t min_ = 0, max_ = 0;
  sim::Duration min_duration_;
  std::vector<std::string> choices_;
  double min_number_ = 0, max_number_ = 0;
  bool min_open_ = false;
  std::string custom_expected_;
  std::function<bool(const std::string&)> accepts_;
  std::vector<std::string> refused_, accepted_;
  std::string note_;  // appended to expected(), e.g. "(0: one per core)"
};

// The spec of each option of a command line.
using ArgSpecs = std::map<const CLI::Option*, ArgSpec>;

// CLI11's add_option with the spec's validator, recorded in `specs`.
template <typename T>
CLI::Option* add_option(CLI::App* cmd, const std::string& name, T& variable, ArgSpec spec,
                        const std::string& help, ArgSpecs& specs) {
  CLI::Option* option = cmd->add_option(name, variable, help);
  option->transform(spec.validator());
  specs.emplace(option, std::move(spec));
  return option;
}

}  // namespace orchsim::cli
