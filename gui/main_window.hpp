// The explorer's window: opens a saved run (a folder written by
// `orchsim run --out DIR`, or its report.json) or runs a scenario in the
// background, and shows the run in four tabs: Summary, Latency, Agents and
// Workflow.
//
//   MainWindow window;
//   window.open_input("results/");          // or "rag_orchestrated", "my.json"
//   window.show();
//
// Problems (a missing, corrupt or foreign file, a bad scenario, a failed run)
// are shown in a message box, or, with set_interactive(false) (screenshots,
// tests), only through load_failed() and last_error(). GUI thread only.
#pragma once

#include <QMainWindow>
#include <QString>
#include <memory>

#include "gui/report_data.hpp"
#include "gui/scenario_runner.hpp"

class QAction;
class QLabel;
class QProgressBar;
class QPushButton;
class QTabWidget;
class QTableView;

namespace orchsim::gui {

class AgentsView;
class LatencyChart;
class SummaryModel;
class WorkflowScene;
class WorkflowView;

class MainWindow : public QMainWindow {
  Q_OBJECT

 public:
  enum Tab { kSummaryTab = 0, kLatencyTab, kAgentsTab, kWorkflowTab, kTabCount };

  explicit MainWindow(QWidget* parent = nullptr);
  ~MainWindow() override;

  // false: no message boxes (nothing may block when no one is looking).
  void set_interactive(bool on) { interactive_ = on; }

  // Opens whatever `input` names: a run folder or report file is loaded at
  // once; anything else is a scenario (built-in name or .json path) and is
  // run in the background with `run` overriding its request count and seed.
  // Empty: the default scenario.
  void open_input(const QString& input, const RunRequest& run = {});
  // A run folder or report.json; returns false and reports the error if it cannot be shown.
  bool open_run(const QString& path);
  void open_scenario(const RunRequest& run);
  // open_input, then waits (processing events) until the report is shown or
  // loading failed; returns false with the message in *error.
  bool open_and_wait(const QString& input, const RunRequest& run, QString* error);

  void show_report(std::shared_ptr<const ReportData> report);
  const ReportData* report() const { return report_.get(); }
  const QString& last_error() const { return last_error_; }

  // Saves each tab as <dir>/gui-<tab>.png (gui-summary, gui-latency,
  // gui-agents, gui-workflow); returns false with a message in *error.
  bool save_screenshots(const QString& dir, QString* error);
  // Saves the current tab's chart (or graph, or table) as a PNG.
  bool export_current_view(const QString& file, QString* error);
  static QString tab_file_name(int tab);

  // For tests and the screenshot mode.
  QTabWidget* tabs() { return tabs_; }
  SummaryModel* summary_model() { return summary_model_; }
  LatencyChart* latency_chart() { return latency_chart_; }
  AgentsView* agents_view() { return agents_view_; }
  WorkflowScene* workflow_scene() { return workflow_scene_; }
  ScenarioRunner* runner() { return runner_; }

 Q_SIGNALS:
  void report_loaded();
  void load_failed(const QString& message);

 private:
  void build_menus();
  void report_error(const QString& title, const QString& message);
  void set_busy(bool busy, const QString& what = {});
  QWidget* current_view();

  void on_open_run_folder();
  void on_open_report_file();
  void on_open_scenario_file();
  void on_export_view();

  bool interactive_ = true;
  std::shared_ptr<const ReportData> report_;
  QString last_error_;

  QTabWidget* tabs_;
  SummaryModel* summary_model_;
  QTableView* summary_table_;
  LatencyChart* latency_chart_;
  AgentsView* agents_view_;
  WorkflowScene* workflow_scene_;
  WorkflowView* workflow_view_;
  ScenarioRunner* runner_;
  QLabel* status_;
  QProgressBar* progress_;
  QPushButton* cancel_;
  QAction* log_axis_action_ = nullptr;
};

}  // namespace orchsim::gui
