#include "gui/scenario_runner.hpp"

#include <QMetaObject>
#include <exception>

#include "eval/report.hpp"
#include "eval/runner.hpp"
#include "scenarios/scenario.hpp"

namespace orchsim::gui {
namespace {

// Thrown from the progress callback to leave eval::run_scenario early; never
// escapes the worker.
struct RunCancelled {};

}  // namespace

ScenarioRunner::ScenarioRunner(QObject* parent) : QObject(parent) {}

ScenarioRunner::~ScenarioRunner() { stop_thread(); }

void ScenarioRunner::stop_thread() {
  if (cancel_flag_) cancel_flag_->store(true);
  if (thread_.joinable()) thread_.join();
}

void ScenarioRunner::wait_for_worker() {
  if (thread_.joinable()) thread_.join();
}

void ScenarioRunner::cancel() {
  if (!running_) return;
  if (cancel_flag_) cancel_flag_->store(true);
  // From now on this run's signals are ignored, even if it finishes first.
  ++generation_;
  running_ = false;
  Q_EMIT cancelled();
}

void ScenarioRunner::start(RunRequest request) {
  if (running_) cancel();
  stop_thread();
  const std::uint64_t generation = ++generation_;
  cancel_flag_ = std::make_shared<std::atomic<bool>>(false);
  running_ = true;

  // Posts `fn` to the GUI thread, where it runs only if this run still counts.
  auto post = [this, generation](auto fn) {
    QMetaObject::invokeMethod(
        this,
        [this, generation, fn = std::move(fn)]() {
          if (generation == generation_) fn();
        },
        Qt::QueuedConnection);
  };

  thread_ = std::thread([this, post, request = std::move(request), flag = cancel_flag_]() {
    try {
      const scenarios::LoadResult loaded = scenarios::load_scenario(request.scenario);
      if (!loaded.ok()) {
        const QString message = QString::fromStdString(loaded.diagnostics.format()).trimmed();
        post([this, message] {
          running_ = false;
          Q_EMIT failed(message);
        });
        return;
      }
      eval::RunOptions options;
      options.seed = request.seed;
      options.requests = request.requests;
      options.request_log = eval::RequestLogOptions{};
      options.progress = [this, &post, &flag](double fraction) {
        if (flag->load()) throw RunCancelled{};
        post([this, fraction] { Q_EMIT progress(fraction); });
      };
      const eval::RunResult result = eval::run_scenario(*loaded.scenario, options);
      if (flag->load()) return;
      // The results model itself, no JSON in between; report_from_run gives
      // the numbers `orchsim run --out` would write (tests/gui check both
      // paths agree).
      auto run = std::make_shared<LoadedRun>();
      run->report = std::make_shared<const ReportData>(report_from_run(
          *loaded.scenario, result, "scenario " + loaded.scenario->name + " (run here)"));
      const eval::RequestLog& log = *result.request_log;
      const eval::RequestLogOptions sizes;
      RequestLoad requests =
          requests_from_json(requests_header(loaded.scenario->name, result.seed, log.finished(),
                                             log.kept(), sizes.sample, sizes.slowest, sizes.failed),
                             log.kept_requests(), run->report->source);
      if (requests.ok()) {
        run->requests = std::make_shared<const RequestSet>(std::move(*requests.set));
      } else {
        run->requests_note = requests.error;
      }
      std::shared_ptr<const LoadedRun> done = std::move(run);
      post([this, done] {
        running_ = false;
        Q_EMIT finished(done);
      });
    } catch (const RunCancelled&) {
      // cancel() already told the GUI.
    } catch (const std::exception& e) {
      const QString message = QStringLiteral("%1: the run failed: %2")
                                  .arg(QString::fromStdString(request.scenario), e.what());
      post([this, message] {
        running_ = false;
        Q_EMIT failed(message);
      });
    }
  });
}

}  // namespace orchsim::gui
