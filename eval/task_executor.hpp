// Runs an experiment's pending tasks on threads of this process and hands
// each finished one to a sink (the results store) on the calling thread.
//
// Contract: each task is one single-threaded run_task(); threads only decide
// where. Results reach the sink in completion order, which is harmless: the
// store keys rows by task index and summaries read them in index order. A
// stop request (SIGINT) or a failure (a task threw, the sink could not store
// a result) hands out no new task; tasks already running finish and are
// handed to the sink, so nothing that finished is lost. The MPI runner
// (eval/mpi_runner.hpp) uses the same WorkerPool on every rank.
//
//   StoreSink sink(store);
//   ExecuteOptions o{.jobs = 2, .stop = &sigint_flag};
//   ExecuteOutcome out = execute_local(loaded, pending, sink, o);
//   if (!out.status.ok()) ...; if (out.interrupted) ...;
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "eval/status.hpp"
#include "eval/task_result.hpp"

namespace orchsim::eval {

// Where finished tasks go. Called on the coordinating thread only.
class TaskSink {
 public:
  virtual ~TaskSink() = default;
  // A non-ok Status (the store could not write) stops the run.
  virtual Status finished(TaskResult result) = 0;
};

struct ExecuteOptions {
  unsigned jobs = 1;  // threads; 0 = one per core
  // While non-zero, no task is handed out (SIGINT sets it).
  const std::atomic<int>* stop = nullptr;
  std::string worker;  // names this process in TaskResult::worker
};

struct ExecuteOutcome {
  std::uint64_t stored = 0;  // results the sink accepted
  bool interrupted = false;  // `stop` ended the run early
  Status status;             // the first failure, naming the task
};

// `threads` threads that take task indices from `next` (called concurrently;
// nullopt = no more work for this thread) and run them. The owner collects
// finished tasks with wait(); the destructor joins.
class WorkerPool {
 public:
  struct Finished {
    std::uint64_t index = 0;
    std::optional<TaskResult> result;  // or
    std::string error;                 // what the task threw
  };

  WorkerPool(const LoadedPlan& loaded, unsigned threads,
             std::function<std::optional<std::uint64_t>()> next, std::string worker);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // A finished task, waiting up to `timeout` for one; nullopt if none came.
  std::optional<Finished> wait(std::chrono::milliseconds timeout);
  // Every thread has ended and every finished task was collected.
  bool drained();
  // Wakes wait() early (another event, such as an MPI message, may be due).
  void notify();

 private:
  void run();

  const LoadedPlan& loaded_;
  std::function<std::optional<std::uint64_t>()> next_;
  std::string worker_;
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<Finished> finished_;
  unsigned running_ = 0;
  bool poked_ = false;
  std::vector<std::thread> threads_;
};

// Threads to use for `jobs` (0 = one per core) and `tasks` tasks: at least 1.
unsigned thread_count(unsigned jobs, std::uint64_t tasks);

// Runs `pending` (task indices, in the order to hand them out) on this process.
ExecuteOutcome execute_local(const LoadedPlan& loaded, const std::vector<std::uint64_t>& pending,
                             TaskSink& sink, const ExecuteOptions& options);

// "task 7 (configuration 2 'point 2', replication 1, seed 2)": how messages name a task.
std::string describe_task(const TaskPlan& plan, std::uint64_t index);

}  // namespace orchsim::eval
