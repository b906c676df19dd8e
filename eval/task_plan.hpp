// An experiment as a list of tasks, the unit that the results store, --resume,
// threads, MPI ranks and Slurm shards all share.
//
// A task is one configuration (a scenario with overrides) × one replication
// (seed = first_seed + replication). Task i is configuration i / R,
// replication i % R: the index is the task's identity in the store, and every
// summary is built from rows in index order, never in the order tasks
// finished, so the bytes out do not depend on how tasks were handed out.
//
// A plan also carries `spec`, the command's own settings that shape its
// summaries (grid axes, variant names, router references, a baseline), so
// that `orchsim merge` can write the summaries from the store alone. Two
// plans describe the same experiment when plan_differences() is empty.
//
//   TaskPlan plan;
//   plan.command = "sweep";
//   plan.configs.push_back(make_config("point 0", "hedged_requests", overrides, scenario));
//   plan.replications = 5;
//   for (std::uint64_t i = 0; i < plan.size(); ++i) run(plan.task(i));
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "eval/replications.hpp"
#include "eval/status.hpp"
#include "scenarios/scenario.hpp"
#include "sim/time.hpp"

namespace orchsim::eval {

using Overrides = std::vector<std::pair<std::string, std::string>>;

// This build's version (CMake's PROJECT_VERSION): a store made by another
// version is refused by --resume unless --force.
std::string_view orchsim_version();

// One configuration: what a task's simulation is made of.
struct TaskConfig {
  std::string label;          // as the command shows it: "base", a variant name, "point 3"
  std::string scenario;       // the name or path it was loaded from
  Overrides overrides;        // every override applied, in order
  std::string scenario_name;  // Scenario::name
  std::string scenario_hash;  // document_hash() of the scenario after overrides
};

// What bounds each replication (as eval::RunOptions; unset = the scenario's).
struct RunLimits {
  std::optional<std::uint64_t> requests;
  std::optional<sim::Duration> duration;
  std::optional<sim::Duration> warmup;
};

// The most tasks one experiment may have: each is at least one simulation,
// and a store keeps a hash per task in memory (~50 bytes). 10^7 is far past
// a study one machine or a Slurm array finishes, short of exhausting memory;
// a sweep of 100,000 points with 100 replications fits.
inline constexpr std::uint64_t kMaxTasks = 10'000'000;

struct Task {
  std::uint64_t index = 0;
  std::size_t config = 0;
  std::uint64_t replication = 0;
  std::uint64_t seed = 0;
};

struct TaskPlan {
  // Which summaries the rows make: "run" (replications), "compare", "sweep",
  // "baseline" or "check".
  std::string command;
  std::vector<TaskConfig> configs;
  std::uint64_t replications = 1;
  std::uint64_t first_seed = 1;
  RunLimits limits;
  // The command's settings that shape its summaries; part of the identity.
  nlohmann::ordered_json spec = nlohmann::ordered_json::object();
  // How the command showed them (e.g. compare's --metric); not part of the identity.
  nlohmann::ordered_json view = nlohmann::ordered_json::object();
  std::string version{orchsim_version()};

  std::uint64_t size() const { return configs.size() * replications; }
  Task task(std::uint64_t index) const;
};

// Bad input when configurations x replications is past kMaxTasks, the
// replications past kMaxReplications, or the seeds first_seed .. first_seed
// + replications - 1 would wrap past 2^64 - 1 (and repeat other seeds).
// plan_from_json checks a stored plan with it; the commands check theirs.
Status check_plan_size(std::uint64_t configs, std::uint64_t replications, std::uint64_t first_seed);

// A configuration from a loaded scenario.
TaskConfig make_config(std::string label, std::string scenario, Overrides overrides,
                       const scenarios::Scenario& loaded);

// FNV-1a 64 of the document's compact JSON text, as 16 hex digits. Comments
// and layout of the file do not count; every value and key order does.
std::string document_hash(const nlohmann::ordered_json& document);
// The identity of one task's result: the version, the configuration's
// scenario hash, the seed and the run limits. Same hash, same bytes.
std::string task_hash(const TaskPlan& plan, const Task& task);

nlohmann::ordered_json to_json(const TaskPlan& plan);
// The plan's JSON text as a store keeps it, parsed; a discarded value when it
// is not JSON, holds a number beyond a double, or nests deeper than
// scenarios::kMaxJsonNesting (copying such a value would overflow the stack).
nlohmann::ordered_json parse_plan_text(const std::string& text);
// Reads what to_json wrote; a bad-input Status naming `source` otherwise.
StatusOr<TaskPlan> plan_from_json(const nlohmann::ordered_json& j, const std::string& source);

// What differs between the plan a store was made for and a new one, one
// sentence per difference ("replications: the store has 10, this run 5");
// empty when they are the same experiment.
std::vector<std::string> plan_differences(const TaskPlan& stored, const TaskPlan& now);

// A deterministic 1/count of the tasks: task i belongs to shard i % count,
// so every shard gets a share of every configuration.
struct Shard {
  std::uint64_t index = 0;
  std::uint64_t count = 1;
  bool contains(std::uint64_t task) const { return task % count == index; }
};
// "I/N" with 0 <= I < N (Slurm: --array=0-(N-1), --shard $SLURM_ARRAY_TASK_ID/N).
std::optional<Shard> parse_shard(const std::string& spec);

}  // namespace orchsim::eval
