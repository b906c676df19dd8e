// Progress of a multi-run command, task by task, on stderr.
//
// On a terminal: one bar redrawn in place with tasks done, tasks per second
// and the time left ("sweep [#####     ] 12/50 tasks  1.9/s  ETA 0:20").
// Off a terminal (logs, CI, Slurm output files) no bar is drawn, so logs
// stay clean. --verbose adds one line per finished task, anywhere. Called on
// the coordinating thread only.
//
//   TaskProgress p("sweep", plan, /*to_run=*/40, /*already=*/10, quiet, verbose);
//   p.task_done(result);   // each stored task
//   p.finish();
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "eval/task_plan.hpp"
#include "eval/task_result.hpp"

namespace orchsim::cli {

class TaskProgress {
 public:
  TaskProgress(std::string label, const eval::TaskPlan& plan, std::uint64_t to_run,
               std::uint64_t already_done, bool quiet, bool verbose);
  ~TaskProgress() { finish(); }
  TaskProgress(const TaskProgress&) = delete;
  TaskProgress& operator=(const TaskProgress&) = delete;

  void task_done(const eval::TaskResult& r);
  // Clears the bar (the last line printed stays).
  void finish();

  // "1:02:03" / "2:03"; exposed for tests.
  static std::string clock_text(double seconds);

 private:
  void draw();

  std::string label_;
  const eval::TaskPlan& plan_;
  std::uint64_t to_run_, already_, done_ = 0;
  bool bar_, verbose_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

}  // namespace orchsim::cli
