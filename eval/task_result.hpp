// One task's result: what a replication measured, in the exact form the
// results store keeps, and how results become per-configuration summaries.
//
// run_task() is one single-threaded, deterministic simulation; threads and MPI
// ranks only decide where it runs. The metrics are kept as the JSON text
// MetricsCollector::to_json() writes (numbers print so that they parse back to
// the same doubles) and the latency histograms in their exact encoding, so a
// summary built from stored rows is byte-identical to one built in memory.
//
//   LoadedPlan loaded{plan, scenarios};              // scenarios[i] is plan.configs[i]
//   TaskResult r = run_task(loaded, 7);              // task 7
//   auto sets = replication_sets(plan, rows, "results.sqlite");  // rows in task order
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "eval/replications.hpp"
#include "eval/status.hpp"
#include "eval/task_plan.hpp"
#include "scenarios/scenario.hpp"

namespace orchsim::eval {

// A plan with its configurations loaded: what a process needs to run tasks.
struct LoadedPlan {
  TaskPlan plan;
  std::vector<scenarios::Scenario> scenarios;  // by configuration index
};

struct TaskResult {
  std::uint64_t index = 0;
  std::string metrics;          // MetricsCollector::to_json().dump()
  std::string latency_all;      // LogLinearHistogram::encode() of finished requests
  std::string latency_success;  // ... of successful requests
  // Informational only, never in a summary: wall time and who ran it.
  double wall_seconds = 0.0;
  std::string worker;
};

// Runs task `index` of the plan (throws what run_scenario throws).
TaskResult run_task(const LoadedPlan& loaded, std::uint64_t index, const std::string& worker);

// A byte string for sending a result between MPI ranks, and back.
std::string encode_result(const TaskResult& r);
StatusOr<TaskResult> decode_result(std::string_view bytes);

// One ReplicationSet per configuration from every task's row, `rows` sorted
// by task index and complete (rows[i].index == i). Metrics are parsed and
// histograms merged in replication order. A row that does not parse gives a
// bad-input Status naming `source` and the task.
StatusOr<std::vector<ReplicationSet>> replication_sets(const TaskPlan& plan,
                                                       const std::vector<TaskResult>& rows,
                                                       const std::string& source);

}  // namespace orchsim::eval
