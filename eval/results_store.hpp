// The results store: one SQLite file (`results.sqlite` in --out) holding an
// experiment's plan and one row per finished task. It is the truth of an
// experiment: summaries, --resume, MPI runs and shard merges all read rows
// from it, in task-index order.
//
// Contract: write() stores one task in one transaction (WAL mode,
// synchronous=NORMAL): a task is either wholly in the store or not at all,
// whatever kills the process, and a store left by a crash opens as it was
// after its last commit. (An operating-system crash or power loss can roll
// back the last commits too; ORCHSIM_STORE_SYNC=full fsyncs every commit, at
// ~4 ms a task on a virtual disk, see docs/performance.md.) One process writes
// a store at a time: a second one is refused while the first holds it
// (flock). Readers such as sqlite3 or pandas may read it at any time.
// Errors are values: a file that is not a store, is damaged or truncated gives
// a bad-input Status naming the file and the problem; a failed write (a full
// disk) gives a runtime Status. One thread at a time; not copyable, movable.
// Cost: ~0.1 ms a task (bench/store_bench.cpp).
//
// Schema (docs/scaling.md shows queries):
//   experiment(key TEXT PRIMARY KEY, value TEXT)  -- format, schema_version,
//        orchsim_version, command, plan (TaskPlan as JSON)
//   configs(config INTEGER PRIMARY KEY, label, scenario, scenario_name,
//        overrides JSON, scenario_hash)
//   tasks(task INTEGER PRIMARY KEY, config, replication, seed, task_hash,
//        metrics JSON, latency_all BLOB, latency_success BLOB,
//        wall_s, worker, finished_utc)       -- the last three informational
//   VIEW task_summary: key metrics per task as columns
//
//   StatusOr<ResultsStore> s = ResultsStore::create("out/results.sqlite", plan);
//   if (!s.ok()) return report(s.status());
//   Status w = s->write(run_task(loaded, 0, "local"));
//   StatusOr<std::vector<TaskResult>> rows = s->read_all();
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "eval/status.hpp"
#include "eval/task_plan.hpp"
#include "eval/task_result.hpp"

struct sqlite3;

namespace orchsim::eval {

class ResultsStore {
 public:
  static constexpr const char* kFileName = "results.sqlite";
  static constexpr const char* kInMemory = ":memory:";  // a store that lives as long as the object
  static constexpr int kSchemaVersion = 1;

  // A new, empty store for `plan` at `path`, replacing a store (and its WAL)
  // that was there.
  static StatusOr<ResultsStore> create(const std::string& path, const TaskPlan& plan);
  // An existing store: checks that it is an orchsim store and whole, and reads its plan.
  static StatusOr<ResultsStore> open(const std::string& path);
  // A file with no tables at all: what a process killed while creating a
  // store leaves (create() writes everything in one transaction).
  static bool is_empty(const std::string& path);

  ResultsStore(ResultsStore&& other) noexcept;
  ResultsStore& operator=(ResultsStore&& other) noexcept;
  ResultsStore(const ResultsStore&) = delete;
  ResultsStore& operator=(const ResultsStore&) = delete;
  ~ResultsStore();

  const TaskPlan& plan() const { return plan_; }
  const std::string& path() const { return path_; }

  // done[i]: task i is stored.
  StatusOr<std::vector<bool>> done() const;
  std::uint64_t written() const { return written_; }  // rows this object wrote
  // Stores one task (one transaction). Runtime Status when the write fails.
  Status write(const TaskResult& result);
  // Every stored row, in task order; bad input when a row does not belong
  // to the plan (a tampered or foreign row).
  StatusOr<std::vector<TaskResult>> read_all() const;
  // Makes `now` the plan (--force): rows whose task hash is still in `now`
  // are kept under their new index, the others deleted. Returns (kept, deleted).
  StatusOr<std::pair<std::uint64_t, std::uint64_t>> replace_plan(const TaskPlan& now);
  // Checkpoints the WAL into the file and closes it (the destructor does the same).
  Status close();

  // The SQLite library's version ("3.40.1").
  static std::string sqlite_version();

 private:
  ResultsStore() = default;
  Status fail_bad(const std::string& what) const;
  Status fail_runtime(const std::string& what) const;
  Status exec(const char* sql, bool runtime) const;
  Status write_plan(const TaskPlan& plan);

  sqlite3* db_ = nullptr;
  int lock_fd_ = -1;  // flock on the store file: one writer at a time
  std::string path_;
  TaskPlan plan_;
  std::vector<std::string> task_hashes_;  // by task index, of plan_
  std::uint64_t written_ = 0;
};

// Where a command's store goes: --store FILE, else DIR/results.sqlite for
// --out DIR, else in memory.
std::string store_path(const std::string& store_option, const std::string& out_dir);

}  // namespace orchsim::eval
