// Runs a scenario off the GUI thread and hands back its report and a sample
// of its requests in detail (as `orchsim run --out` writes them).
//
//   ScenarioRunner runner;
//   connect(&runner, &ScenarioRunner::finished, this, &Window::show_report);
//   runner.start({"rag_orchestrated", /*requests=*/500});
//
// One run at a time, on a std::thread; its signals are emitted on the
// runner's own (GUI) thread through queued calls, so slots never need locks.
// cancel() asks the run to stop: the runner cannot be interrupted between
// events, so the request is seen at its next progress callback (every 65,536
// kernel events, well under a second), where the run is abandoned by unwinding
// out of eval::run_scenario; whatever it would have produced is dropped, and
// a result that still arrives from a superseded run is ignored.
// Starting a new run or destroying the runner cancels the current run and
// waits for its thread (bounded by that same progress interval).
#pragma once

#include <QObject>
#include <QString>
#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "gui/loaded_run.hpp"

namespace orchsim::gui {

struct RunRequest {
  std::string scenario;                   // built-in name or path to a .json file
  std::optional<std::uint64_t> requests;  // overrides the scenario's run.requests
  std::optional<std::uint64_t> seed;      // overrides the scenario's run.seed
};

class ScenarioRunner : public QObject {
  Q_OBJECT

 public:
  explicit ScenarioRunner(QObject* parent = nullptr);
  ~ScenarioRunner() override;

  void start(RunRequest request);
  void cancel();
  bool running() const { return running_; }
  // Blocks until the worker thread has ended (after a cancel, or a finished
  // run whose signal is still queued). For tests: no guessing how long to wait.
  void wait_for_worker();

 Q_SIGNALS:
  void progress(double fraction);  // in [0, 1]
  // The report and the request sample (eval::RequestLogOptions' defaults).
  void finished(std::shared_ptr<const orchsim::gui::LoadedRun> run);
  // A bad scenario (with its diagnostics) or a failed run.
  void failed(const QString& message);
  void cancelled();

 private:
  void stop_thread();

  std::thread thread_;
  std::shared_ptr<std::atomic<bool>> cancel_flag_;
  std::uint64_t generation_ = 0;  // GUI thread only: which run's signals still count
  bool running_ = false;
};

}  // namespace orchsim::gui
