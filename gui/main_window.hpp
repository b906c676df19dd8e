// The explorer's window: opens a saved run (a folder written by
// `orchsim run --out DIR`, or its report.json) or runs a scenario in the
// background, and shows it in ten tabs: Summary (with a per-class table),
// Latency (CDF and histogram), Over time, Agents, Workflow (graph coloured by
// failure rate or latency, with the clicked node's agents beside it),
// Requests (the request explorer), Cost vs quality, Calibration (a fit
// report of `orchsim fit`: measured vs fitted CDF and QQ per group and
// quantity), Routing (each routing node's traffic share over time) and Search
// (an `orchsim search`'s evaluations over its Pareto front).
//
//   MainWindow window;
//   window.open_input("results/");          // or "rag_orchestrated", "my.json"
//   window.open_compare("baseline/");       // run B beside it on every view
//   window.show();
//
// Comparing: a second saved run is drawn beside the first on the Summary (B
// and B - A columns), Latency, Over time and Cost vs quality views. Recent
// files (File > Open recent) are kept in QSettings; dropping a folder or file
// on the window opens it. Keyboard: Ctrl+1..9, 0 switch tabs, Ctrl+O open a run,
// Ctrl+R run a scenario file, Ctrl+K compare, Ctrl+E export, Ctrl+L log axis;
// charts zoom and pan with the mouse and keys (ChartView).
//
// Problems (a missing, corrupt or foreign file, a bad scenario, a failed run)
// are shown in a message box, or, with set_interactive(false) (screenshots,
// tests), only through load_failed() and last_error(). GUI thread only.
#pragma once

#include <QMainWindow>
#include <QString>
#include <QStringList>
#include <QUrl>
#include <memory>

#include "gui/fit_report_data.hpp"
#include "gui/loaded_run.hpp"
#include "gui/scenario_runner.hpp"
#include "gui/sweep_data.hpp"

class QAction;
class QComboBox;
class QLabel;
class QMenu;
class QProgressBar;
class QPushButton;
class QSettings;
class QStandardItemModel;
class QTabWidget;
class QTableView;
class QTextBrowser;

namespace orchsim::gui {

class AgentsView;
class CalibrationView;
class CostQualityView;
class RoutingShareView;
class SearchView;
class LatencyView;
class OverTimeView;
class RequestExplorer;
class SummaryModel;
class WorkflowScene;
class WorkflowView;

class MainWindow : public QMainWindow {
  Q_OBJECT

 public:
  enum Tab {
    kSummaryTab = 0,
    kLatencyTab,
    kOverTimeTab,
    kAgentsTab,
    kWorkflowTab,
    kRequestsTab,
    kCostQualityTab,
    kCalibrationTab,
    kRoutingTab,
    kSearchTab,
    kTabCount
  };

  explicit MainWindow(QWidget* parent = nullptr);
  ~MainWindow() override;

  // false: no message boxes (nothing may block when no one is looking).
  void set_interactive(bool on) { interactive_ = on; }
  // Where recent files are remembered (default: the user's QSettings).
  void set_settings(std::unique_ptr<QSettings> settings);

  // Opens whatever `input` names: a run folder or report file is loaded at
  // once; anything else is a scenario (built-in name or .json path) and is
  // run in the background with `run` overriding its request count and seed.
  // Empty: the default scenario.
  void open_input(const QString& input, const RunRequest& run = {});
  // A run folder or report.json; returns false and reports the error if it cannot be shown.
  bool open_run(const QString& path);
  void open_scenario(const RunRequest& run);
  // open_input, then waits (processing events) until the run is shown or
  // loading failed; returns false with the message in *error.
  bool open_and_wait(const QString& input, const RunRequest& run, QString* error);
  // A second saved run, drawn beside the first; false and reported if it cannot be read.
  bool open_compare(const QString& path);
  void stop_comparing();
  // A sweep (folder or sweep.json) for the Cost vs quality view.
  bool open_sweep(const QString& path);
  // A search (folder or search.json) for the Search tab.
  bool open_search(const QString& path);
  // A fit report (orchsim fit --report FILE) for the Calibration view.
  bool open_fit_report(const QString& path);
  // What a drop of these URLs does: opens the first local file or folder.
  bool open_dropped(const QList<QUrl>& urls);

  void show_run(std::shared_ptr<const LoadedRun> run);
  const ReportData* report() const { return run_ ? run_->report.get() : nullptr; }
  const LoadedRun* run() const { return run_.get(); }
  const LoadedRun* compared() const { return compare_.get(); }
  const QString& last_error() const { return last_error_; }
  QStringList recent_files() const;

  // Saves each tab as <dir>/gui-<tab>.png; returns false with a message in *error.
  bool save_screenshots(const QString& dir, QString* error);
  // Saves the focused chart, or else the current tab, as PNG or SVG (by suffix).
  bool export_current_view(const QString& file, QString* error);
  static QString tab_file_name(int tab);

  // For tests and the screenshot mode.
  QTabWidget* tabs() { return tabs_; }
  SummaryModel* summary_model() { return summary_model_; }
  QStandardItemModel* classes_model() { return classes_model_; }
  LatencyView* latency_view() { return latency_view_; }
  OverTimeView* over_time_view() { return over_time_view_; }
  AgentsView* agents_view() { return agents_view_; }
  WorkflowScene* workflow_scene() { return workflow_scene_; }
  QTextBrowser* node_details() { return node_details_; }
  RequestExplorer* request_explorer() { return request_explorer_; }
  CostQualityView* cost_quality_view() { return cost_quality_view_; }
  CalibrationView* calibration_view() { return calibration_view_; }
  RoutingShareView* routing_share_view() { return routing_share_view_; }
  SearchView* search_view() { return search_view_; }
  ScenarioRunner* runner() { return runner_; }
  QAction* log_axis_action() { return log_axis_action_; }

 Q_SIGNALS:
  void report_loaded();
  void load_failed(const QString& message);

 protected:
  void dragEnterEvent(QDragEnterEvent* event) override;
  void dropEvent(QDropEvent* event) override;

 private:
  void build_menus();
  void report_error(const QString& title, const QString& message);
  void set_busy(bool busy, const QString& what = {});
  void refresh_views();
  void update_colour_scale();
  void remember(const QString& path);
  void rebuild_recent_menu();
  QWidget* current_view();

  void on_open_run_folder();
  void on_open_report_file();
  void on_open_scenario_file();
  void on_compare();
  void on_open_sweep();
  void on_open_search();
  void on_open_fit_report();
  void on_export_view();

  bool interactive_ = true;
  std::unique_ptr<QSettings> settings_;
  std::shared_ptr<const LoadedRun> run_;
  std::shared_ptr<const LoadedRun> compare_;
  std::optional<SweepData> sweep_;
  QString last_error_;

  QTabWidget* tabs_;
  SummaryModel* summary_model_;
  QTableView* summary_table_;
  QStandardItemModel* classes_model_;
  QTableView* classes_table_;
  LatencyView* latency_view_;
  OverTimeView* over_time_view_;
  AgentsView* agents_view_;
  WorkflowScene* workflow_scene_;
  WorkflowView* workflow_view_;
  QComboBox* colour_by_;
  QLabel* colour_scale_;
  QTextBrowser* node_details_;
  RequestExplorer* request_explorer_;
  CostQualityView* cost_quality_view_;
  CalibrationView* calibration_view_;
  RoutingShareView* routing_share_view_;
  SearchView* search_view_;
  ScenarioRunner* runner_;
  QLabel* status_;
  QProgressBar* progress_;
  QPushButton* cancel_;
  QAction* log_axis_action_ = nullptr;
  QAction* stop_compare_action_ = nullptr;
  QMenu* recent_menu_ = nullptr;
};

}  // namespace orchsim::gui
