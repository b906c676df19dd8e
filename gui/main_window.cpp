#include "gui/main_window.hpp"

#include <QAction>
#include <QApplication>
#include <QChartView>
#include <QDir>
#include <QEventLoop>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QHeaderView>
#include <QKeySequence>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QPixmap>
#include <QProgressBar>
#include <QPushButton>
#include <QStatusBar>
#include <QTabWidget>
#include <QTableView>
#include <nlohmann/json.hpp>

#include "gui/agents_view.hpp"
#include "gui/latency_chart.hpp"
#include "gui/summary_model.hpp"
#include "gui/workflow_graph.hpp"
#include "scenarios/scenario.hpp"

namespace orchsim::gui {
namespace {

// A folder, a report.json, or a JSON file that declares a "schema" is a saved
// run; anything else is a scenario, so that its loader (which knows scenarios)
// explains what is wrong with it.
bool is_saved_run(const QString& input) {
  const QFileInfo info(input);
  if (info.isDir()) return true;
  if (!info.isFile()) return false;
  if (info.fileName() == QLatin1String("report.json")) return true;
  QFile file(input);
  if (!file.open(QIODevice::ReadOnly)) return true;  // load_report says why
  const QByteArray bytes = file.readAll();
  const auto doc = nlohmann::json::parse(bytes.constBegin(), bytes.constEnd(), nullptr,
                                         /*allow_exceptions=*/false, /*ignore_comments=*/true);
  if (doc.is_discarded()) return info.suffix() != QLatin1String("json");
  return doc.is_object() && doc.contains("schema");
}

}  // namespace

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent),
      tabs_(new QTabWidget),
      summary_model_(new SummaryModel(this)),
      summary_table_(new QTableView),
      latency_chart_(new LatencyChart),
      agents_view_(new AgentsView),
      workflow_scene_(new WorkflowScene(this)),
      workflow_view_(new WorkflowView(workflow_scene_)),
      runner_(new ScenarioRunner(this)),
      status_(new QLabel),
      progress_(new QProgressBar),
      cancel_(new QPushButton(tr("Cancel"))) {
  setWindowTitle(tr("orchsim explorer"));
  resize(1200, 760);

  summary_table_->setModel(summary_model_);
  summary_table_->verticalHeader()->setVisible(false);
  summary_table_->setAlternatingRowColors(true);
  summary_table_->horizontalHeader()->setSectionResizeMode(SummaryModel::kMetric,
                                                           QHeaderView::ResizeToContents);
  summary_table_->horizontalHeader()->setSectionResizeMode(SummaryModel::kValue,
                                                           QHeaderView::ResizeToContents);
  summary_table_->horizontalHeader()->setStretchLastSection(true);

  tabs_->addTab(summary_table_, tr("Summary"));
  tabs_->addTab(latency_chart_, tr("Latency"));
  tabs_->addTab(agents_view_, tr("Agents"));
  tabs_->addTab(workflow_view_, tr("Workflow"));
  setCentralWidget(tabs_);

  progress_->setMaximumWidth(240);
  progress_->setTextVisible(false);
  statusBar()->addWidget(status_, 1);
  statusBar()->addPermanentWidget(progress_);
  statusBar()->addPermanentWidget(cancel_);
  set_busy(false);
  status_->setText(tr("Open a run folder (File > Open run) or run a scenario."));

  connect(cancel_, &QPushButton::clicked, runner_, &ScenarioRunner::cancel);
  connect(runner_, &ScenarioRunner::progress, this, [this](double fraction) {
    // Small runs report only their start and end: stay "busy" until a real value.
    if (fraction <= 0) return;
    progress_->setRange(0, 1000);
    progress_->setValue(static_cast<int>(fraction * 1000));
  });
  connect(runner_, &ScenarioRunner::finished, this,
          [this](std::shared_ptr<const ReportData> report) { show_report(std::move(report)); });
  connect(runner_, &ScenarioRunner::failed, this, [this](const QString& message) {
    set_busy(false);
    report_error(tr("The scenario could not be run"), message);
  });
  connect(runner_, &ScenarioRunner::cancelled, this, [this] {
    set_busy(false);
    status_->setText(tr("Run cancelled."));
    last_error_ = tr("cancelled");
    Q_EMIT load_failed(last_error_);
  });
  build_menus();
}

MainWindow::~MainWindow() = default;

void MainWindow::build_menus() {
  QMenu* file = menuBar()->addMenu(tr("&File"));
  QAction* open_run_action =
      file->addAction(tr("Open &run folder..."), this, &MainWindow::on_open_run_folder);
  open_run_action->setShortcut(QKeySequence::Open);
  file->addAction(tr("Open report &file..."), this, &MainWindow::on_open_report_file);
  QAction* run_scenario_action =
      file->addAction(tr("Run &scenario file..."), this, &MainWindow::on_open_scenario_file);
  run_scenario_action->setShortcut(QKeySequence(tr("Ctrl+R")));
  QMenu* builtin = file->addMenu(tr("Run &built-in scenario"));
  for (const std::string& name : scenarios::library_names()) {
    const QString qname = QString::fromStdString(name);
    builtin->addAction(qname, this, [this, name] { open_scenario({name, {}, {}}); });
  }
  file->addSeparator();
  QAction* export_view =
      file->addAction(tr("&Export current chart as PNG..."), this, &MainWindow::on_export_view);
  export_view->setShortcut(QKeySequence(tr("Ctrl+E")));
  file->addSeparator();
  QAction* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
  quit->setShortcut(QKeySequence::Quit);

  QMenu* view = menuBar()->addMenu(tr("&View"));
  log_axis_action_ = view->addAction(tr("&Logarithmic latency axis"));
  log_axis_action_->setCheckable(true);
  connect(log_axis_action_, &QAction::toggled, latency_chart_, &LatencyChart::set_log_axis);
}

void MainWindow::report_error(const QString& title, const QString& message) {
  last_error_ = message;
  status_->setText(title);
  if (interactive_) QMessageBox::warning(this, title, message);
  Q_EMIT load_failed(message);
}

void MainWindow::set_busy(bool busy, const QString& what) {
  progress_->setVisible(busy);
  cancel_->setVisible(busy);
  if (busy) {
    progress_->setRange(0, 0);  // "working" until the run reports progress
    status_->setText(what);
  }
}

void MainWindow::open_input(const QString& input, const RunRequest& run) {
  if (!input.isEmpty() && is_saved_run(input)) {
    open_run(input);
    return;
  }
  RunRequest request = run;
  request.scenario =
      input.isEmpty() ? std::string(scenarios::kDefaultScenario) : input.toStdString();
  open_scenario(request);
}

bool MainWindow::open_run(const QString& path) {
  ReportLoad loaded = load_report(path.toStdString());
  if (!loaded.ok()) {
    report_error(tr("The run could not be opened"), QString::fromStdString(loaded.error));
    return false;
  }
  show_report(std::make_shared<const ReportData>(std::move(*loaded.report)));
  return true;
}

void MainWindow::open_scenario(const RunRequest& run) {
  set_busy(true, tr("Running %1...").arg(QString::fromStdString(run.scenario)));
  runner_->start(run);
}

bool MainWindow::open_and_wait(const QString& input, const RunRequest& run, QString* error) {
  bool done = false, ok = false;
  QEventLoop loop;
  const auto loaded = connect(this, &MainWindow::report_loaded, &loop, [&] {
    done = ok = true;
    loop.quit();
  });
  const auto failed = connect(this, &MainWindow::load_failed, &loop, [&](const QString& message) {
    done = true;
    if (error != nullptr) *error = message;
    loop.quit();
  });
  open_input(input, run);
  if (!done) loop.exec();  // a saved run is shown before open_input returns
  disconnect(loaded);
  disconnect(failed);
  return ok;
}

void MainWindow::show_report(std::shared_ptr<const ReportData> report) {
  set_busy(false);
  report_ = std::move(report);
  last_error_.clear();
  summary_model_->set_report(*report_);
  latency_chart_->set_report(*report_);
  agents_view_->set_report(*report_);
  workflow_scene_->set_report(*report_);
  workflow_view_->fit();
  const QString name = QString::fromStdString(report_->scenario_name);
  setWindowTitle(tr("%1 (seed %2, %3 requests) - orchsim explorer")
                     .arg(name)
                     .arg(report_->seed)
                     .arg(report_->arrived));
  status_->setText(QString::fromStdString(report_->source));
  Q_EMIT report_loaded();
}

QString MainWindow::tab_file_name(int tab) {
  static const char* const kNames[kTabCount] = {"gui-summary.png", "gui-latency.png",
                                                "gui-agents.png", "gui-workflow.png"};
  return tab >= 0 && tab < kTabCount ? QString::fromLatin1(kNames[tab]) : QString();
}

bool MainWindow::save_screenshots(const QString& dir, QString* error) {
  if (!QDir().mkpath(dir)) {
    if (error != nullptr) *error = tr("%1: cannot create the folder").arg(dir);
    return false;
  }
  const int was = tabs_->currentIndex();
  for (int tab = 0; tab < kTabCount; ++tab) {
    tabs_->setCurrentIndex(tab);
    // Let the new tab lay itself out (and the graph fit its view) before grabbing.
    QApplication::processEvents();
    if (tab == kWorkflowTab) workflow_view_->fit();
    const QString file = QDir(dir).filePath(tab_file_name(tab));
    if (!grab().save(file, "PNG")) {
      if (error != nullptr) *error = tr("%1: cannot write the picture").arg(file);
      tabs_->setCurrentIndex(was);
      return false;
    }
  }
  tabs_->setCurrentIndex(was);
  return true;
}

QWidget* MainWindow::current_view() {
  switch (tabs_->currentIndex()) {
    case kSummaryTab:
      return summary_table_;
    case kLatencyTab:
      return latency_chart_;
    case kAgentsTab:
      return agents_view_->chart_view();
    case kWorkflowTab:
      return workflow_view_;
    default:
      return tabs_->currentWidget();
  }
}

bool MainWindow::export_current_view(const QString& file, QString* error) {
  if (!current_view()->grab().save(file, "PNG")) {
    if (error != nullptr) *error = tr("%1: cannot write the picture").arg(file);
    return false;
  }
  return true;
}

void MainWindow::on_open_run_folder() {
  const QString dir = QFileDialog::getExistingDirectory(this, tr("Open a run folder"));
  if (!dir.isEmpty()) open_run(dir);
}

void MainWindow::on_open_report_file() {
  const QString file = QFileDialog::getOpenFileName(this, tr("Open a report"), {},
                                                    tr("Reports (*.json);;All files (*)"));
  if (!file.isEmpty()) open_run(file);
}

void MainWindow::on_open_scenario_file() {
  const QString file = QFileDialog::getOpenFileName(
      this, tr("Run a scenario"), QString::fromStdString(scenarios::library_dir()),
      tr("Scenarios (*.json);;All files (*)"));
  if (!file.isEmpty()) open_scenario({file.toStdString(), {}, {}});
}

void MainWindow::on_export_view() {
  const QString suggested = tab_file_name(tabs_->currentIndex());
  const QString file = QFileDialog::getSaveFileName(this, tr("Export as PNG"), suggested,
                                                    tr("PNG pictures (*.png)"));
  if (file.isEmpty()) return;
  QString error;
  if (!export_current_view(file, &error)) report_error(tr("Export failed"), error);
}

}  // namespace orchsim::gui
