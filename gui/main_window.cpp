#include "gui/main_window.hpp"

#include <QAction>
#include <QApplication>
#include <QChartView>
#include <QComboBox>
#include <QDir>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QEventLoop>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QKeySequence>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QPixmap>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSplitter>
#include <QStandardItemModel>
#include <QStatusBar>
#include <QTabWidget>
#include <QTableView>
#include <QTextBrowser>
#include <QVBoxLayout>
#include <nlohmann/json.hpp>

#include "gui/agents_view.hpp"
#include "gui/calibration_view.hpp"
#include "gui/chart_view.hpp"
#include "gui/cost_quality_view.hpp"
#include "gui/latency_view.hpp"
#include "gui/node_details.hpp"
#include "gui/over_time_view.hpp"
#include "gui/request_explorer.hpp"
#include "gui/routing_share_view.hpp"
#include "gui/search_view.hpp"
#include "gui/summary_model.hpp"
#include "gui/view_export.hpp"
#include "gui/workflow_graph.hpp"
#include "scenarios/scenario.hpp"

namespace orchsim::gui {
namespace {

// search.json, or a folder holding one and no report.json (a run's folder).
bool is_search_input(const QString& input) {
  const QFileInfo info(input);
  if (info.isFile()) return info.fileName() == QLatin1String("search.json");
  return info.isDir() && QFileInfo(QDir(input).filePath(QStringLiteral("search.json"))).isFile() &&
         !QFileInfo(QDir(input).filePath(QStringLiteral("report.json"))).exists();
}

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
      settings_(
          std::make_unique<QSettings>(QStringLiteral("orchsim"), QStringLiteral("orchsim-gui"))),
      tabs_(new QTabWidget),
      summary_model_(new SummaryModel(this)),
      summary_table_(new QTableView),
      classes_model_(new QStandardItemModel(this)),
      classes_table_(new QTableView),
      latency_view_(new LatencyView),
      over_time_view_(new OverTimeView),
      agents_view_(new AgentsView),
      workflow_scene_(new WorkflowScene(this)),
      workflow_view_(new WorkflowView(workflow_scene_)),
      colour_by_(new QComboBox),
      colour_scale_(new QLabel),
      node_details_(new QTextBrowser),
      request_explorer_(new RequestExplorer),
      cost_quality_view_(new CostQualityView),
      calibration_view_(new CalibrationView),
      routing_share_view_(new RoutingShareView),
      search_view_(new SearchView),
      runner_(new ScenarioRunner(this)),
      status_(new QLabel),
      progress_(new QProgressBar),
      cancel_(new QPushButton(tr("Cancel"))) {
  setWindowTitle(tr("orchsim explorer"));
  resize(1280, 800);
  setAcceptDrops(true);

  summary_table_->setModel(summary_model_);
  summary_table_->verticalHeader()->setVisible(false);
  summary_table_->setAlternatingRowColors(true);
  for (int c : {SummaryModel::kMetric, SummaryModel::kValue, SummaryModel::kCompare,
                SummaryModel::kChange}) {
    summary_table_->horizontalHeader()->setSectionResizeMode(c, QHeaderView::ResizeToContents);
  }
  summary_table_->horizontalHeader()->setStretchLastSection(true);
  classes_table_->setModel(classes_model_);
  classes_table_->verticalHeader()->setVisible(false);
  classes_table_->setAlternatingRowColors(true);
  classes_table_->horizontalHeader()->setStretchLastSection(true);
  auto* summary = new QSplitter(Qt::Vertical);
  summary->addWidget(summary_table_);
  summary->addWidget(classes_table_);
  summary->setStretchFactor(0, 4);
  summary->setStretchFactor(1, 1);

  colour_by_->addItem(tr("Colour nodes by failure rate"),
                      static_cast<int>(NodeColour::kFailureRate));
  colour_by_->addItem(tr("Colour nodes by mean call latency"),
                      static_cast<int>(NodeColour::kLatency));
  colour_by_->addItem(tr("No colouring"), static_cast<int>(NodeColour::kNone));
  connect(colour_by_, &QComboBox::currentIndexChanged, this, [this](int i) {
    workflow_scene_->set_colour_by(static_cast<NodeColour>(colour_by_->itemData(i).toInt()));
    update_colour_scale();
  });
  node_details_->setHtml(tr("<p>Click a node to see its calls and the agents it routed to.</p>"));
  auto* graph_side = new QWidget;
  auto* graph_layout = new QVBoxLayout(graph_side);
  graph_layout->setContentsMargins(0, 0, 0, 0);
  auto* colour_row = new QHBoxLayout;
  colour_row->addWidget(colour_by_);
  colour_row->addWidget(colour_scale_, 1);
  graph_layout->addLayout(colour_row);
  graph_layout->addWidget(workflow_view_);
  auto* workflow = new QSplitter(Qt::Horizontal);
  workflow->addWidget(graph_side);
  workflow->addWidget(node_details_);
  workflow->setStretchFactor(0, 3);
  workflow->setStretchFactor(1, 1);
  connect(workflow_scene_, &WorkflowScene::node_selected, this, [this](const QString& name) {
    if (name.isEmpty() || report() == nullptr) {
      node_details_->setHtml(
          tr("<p>Click a node to see its calls and the agents it routed to.</p>"));
      return;
    }
    node_details_->setHtml(node_details_html(*report(), name.toStdString()));
  });

  tabs_->addTab(summary, tr("Summary"));
  tabs_->addTab(latency_view_, tr("Latency"));
  tabs_->addTab(over_time_view_, tr("Over time"));
  tabs_->addTab(agents_view_, tr("Agents"));
  tabs_->addTab(workflow, tr("Workflow"));
  tabs_->addTab(request_explorer_, tr("Requests"));
  tabs_->addTab(cost_quality_view_, tr("Cost vs quality"));
  tabs_->addTab(calibration_view_, tr("Calibration"));
  tabs_->addTab(routing_share_view_, tr("Routing"));
  tabs_->addTab(search_view_, tr("Search"));
  setCentralWidget(tabs_);

  progress_->setMaximumWidth(240);
  progress_->setTextVisible(false);
  statusBar()->addWidget(status_, 1);
  statusBar()->addPermanentWidget(progress_);
  statusBar()->addPermanentWidget(cancel_);
  set_busy(false);
  status_->setText(tr("Open a run folder (File > Open run, or drop it here) or run a scenario."));

  connect(cancel_, &QPushButton::clicked, runner_, &ScenarioRunner::cancel);
  connect(runner_, &ScenarioRunner::progress, this, [this](double fraction) {
    // Small runs report only their start and end: stay "busy" until a real value.
    if (fraction <= 0) return;
    progress_->setRange(0, 1000);
    progress_->setValue(static_cast<int>(fraction * 1000));
  });
  connect(runner_, &ScenarioRunner::finished, this,
          [this](std::shared_ptr<const LoadedRun> run) { show_run(std::move(run)); });
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

void MainWindow::set_settings(std::unique_ptr<QSettings> settings) {
  settings_ = std::move(settings);
  rebuild_recent_menu();
}

void MainWindow::build_menus() {
  QMenu* file = menuBar()->addMenu(tr("&File"));
  QAction* open_run_action =
      file->addAction(tr("Open &run folder..."), this, &MainWindow::on_open_run_folder);
  open_run_action->setShortcut(QKeySequence::Open);
  file->addAction(tr("Open report &file..."), this, &MainWindow::on_open_report_file);
  recent_menu_ = file->addMenu(tr("Open rece&nt"));
  QAction* run_scenario_action =
      file->addAction(tr("Run &scenario file..."), this, &MainWindow::on_open_scenario_file);
  run_scenario_action->setShortcut(QKeySequence(tr("Ctrl+R")));
  QMenu* builtin = file->addMenu(tr("Run &built-in scenario"));
  for (const std::string& name : scenarios::library_names()) {
    const QString qname = QString::fromStdString(name);
    builtin->addAction(qname, this, [this, name] { open_scenario({name, {}, {}}); });
  }
  file->addSeparator();
  QAction* compare =
      file->addAction(tr("&Compare with run folder..."), this, &MainWindow::on_compare);
  compare->setShortcut(QKeySequence(tr("Ctrl+K")));
  stop_compare_action_ = file->addAction(tr("S&top comparing"), this, &MainWindow::stop_comparing);
  stop_compare_action_->setEnabled(false);
  file->addAction(tr("Open s&weep (cost vs quality)..."), this, &MainWindow::on_open_sweep);
  file->addAction(tr("Open s&earch (orchsim search --out)..."), this, &MainWindow::on_open_search);
  file->addAction(tr("Open &fit report (calibration)..."), this, &MainWindow::on_open_fit_report);
  file->addSeparator();
  QAction* export_view =
      file->addAction(tr("&Export chart as PNG or SVG..."), this, &MainWindow::on_export_view);
  export_view->setShortcut(QKeySequence(tr("Ctrl+E")));
  file->addSeparator();
  QAction* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
  quit->setShortcut(QKeySequence::Quit);

  QMenu* view = menuBar()->addMenu(tr("&View"));
  log_axis_action_ = view->addAction(tr("&Logarithmic latency axis"));
  log_axis_action_->setCheckable(true);
  log_axis_action_->setShortcut(QKeySequence(tr("Ctrl+L")));
  connect(log_axis_action_, &QAction::toggled, latency_view_, &LatencyView::set_log_axis);
  view->addSeparator();
  for (int tab = 0; tab < kTabCount; ++tab) {
    QAction* go =
        view->addAction(tabs_->tabText(tab), this, [this, tab] { tabs_->setCurrentIndex(tab); });
    // Ctrl+1 .. Ctrl+9, then Ctrl+0 for the tenth tab.
    if (tab < 10) go->setShortcut(QKeySequence(QStringLiteral("Ctrl+%1").arg((tab + 1) % 10)));
  }
  view->addSeparator();
  view->addAction(tr("Charts: drag to zoom, wheel to zoom, arrows to pan, 0 to reset"))
      ->setEnabled(false);
  rebuild_recent_menu();
}

QStringList MainWindow::recent_files() const {
  return settings_ ? settings_->value(QStringLiteral("recent")).toStringList() : QStringList();
}

void MainWindow::remember(const QString& path) {
  if (!settings_ || path.isEmpty()) return;
  const QFileInfo info(path);
  const QString key = info.exists() ? info.absoluteFilePath() : path;  // built-in names stay names
  QStringList recent = recent_files();
  recent.removeAll(key);
  recent.prepend(key);
  while (recent.size() > 10) recent.removeLast();
  settings_->setValue(QStringLiteral("recent"), recent);
  // Later: this may run from one of the menu's own actions, which clearing
  // the menu now would delete while its triggered() signal is still going out.
  QMetaObject::invokeMethod(this, &MainWindow::rebuild_recent_menu, Qt::QueuedConnection);
}

void MainWindow::rebuild_recent_menu() {
  if (recent_menu_ == nullptr) return;
  recent_menu_->clear();
  const QStringList recent = recent_files();
  for (const QString& path : recent) {
    recent_menu_->addAction(path, this, [this, path] { open_input(path); });
  }
  recent_menu_->setEnabled(!recent.isEmpty());
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
  const QFileInfo info(input);
  const bool sweep =
      info.fileName() == QLatin1String("sweep.json") ||
      (info.isDir() && QFileInfo(QDir(input).filePath(QStringLiteral("sweep.json"))).isFile() &&
       !QFileInfo(QDir(input).filePath(QStringLiteral("report.json"))).exists());
  if (!input.isEmpty() && info.isFile() && is_fit_report_file(input.toStdString())) {
    if (open_fit_report(input)) {
      remember(input);
      Q_EMIT report_loaded();  // shown: open_and_wait must not wait for a run
    }
    return;
  }
  if (!input.isEmpty() && is_search_input(input)) {
    if (open_search(input)) {
      remember(input);
      Q_EMIT report_loaded();  // shown: open_and_wait must not wait for a run
    }
    return;
  }
  if (!input.isEmpty() && sweep) {
    if (open_sweep(input)) {
      remember(input);
      Q_EMIT report_loaded();  // shown: open_and_wait must not wait for a run
    }
    return;
  }
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
  LoadedRunResult loaded = load_run(path.toStdString());
  if (!loaded.run) {
    report_error(tr("The run could not be opened"), QString::fromStdString(loaded.error));
    return false;
  }
  remember(path);
  show_run(std::move(loaded.run));
  return true;
}

void MainWindow::open_scenario(const RunRequest& run) {
  remember(QString::fromStdString(run.scenario));
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

bool MainWindow::open_compare(const QString& path) {
  LoadedRunResult loaded = load_run(path.toStdString());
  if (!loaded.run) {
    report_error(tr("The run to compare with could not be opened"),
                 QString::fromStdString(loaded.error));
    return false;
  }
  compare_ = std::move(loaded.run);
  stop_compare_action_->setEnabled(true);
  refresh_views();
  status_->setText(tr("Comparing A: %1 with B: %2")
                       .arg(run_ ? QString::fromStdString(run_->report->source) : tr("(none)"),
                            QString::fromStdString(compare_->report->source)));
  return true;
}

void MainWindow::stop_comparing() {
  compare_.reset();
  stop_compare_action_->setEnabled(false);
  refresh_views();
}

bool MainWindow::open_sweep(const QString& path) {
  SweepLoad loaded = load_sweep(path.toStdString());
  if (!loaded.ok()) {
    report_error(tr("The sweep could not be opened"), QString::fromStdString(loaded.error));
    return false;
  }
  sweep_ = std::move(loaded.sweep);
  cost_quality_view_->set_sweep(sweep_);
  tabs_->setCurrentIndex(kCostQualityTab);
  return true;
}

bool MainWindow::open_search(const QString& path) {
  SearchLoad loaded = load_search(path.toStdString());
  if (!loaded.ok()) {
    report_error(tr("The search could not be opened"), QString::fromStdString(loaded.error));
    return false;
  }
  search_view_->set_search(std::move(loaded.search));
  tabs_->setCurrentIndex(kSearchTab);
  return true;
}

bool MainWindow::open_fit_report(const QString& path) {
  FitReportLoad loaded = load_fit_report(path.toStdString());
  if (!loaded.ok()) {
    report_error(tr("The fit report could not be opened"), QString::fromStdString(loaded.error));
    return false;
  }
  calibration_view_->set_report(std::move(loaded.report));
  tabs_->setCurrentIndex(kCalibrationTab);
  return true;
}

bool MainWindow::open_dropped(const QList<QUrl>& urls) {
  for (const QUrl& url : urls) {
    if (!url.isLocalFile()) continue;
    const QString path = url.toLocalFile();
    if (is_fit_report_file(path.toStdString())) return open_fit_report(path);
    if (is_search_input(path)) return open_search(path);
    if (QFileInfo(path).fileName() == QLatin1String("sweep.json") ||
        (QFileInfo(QDir(path).filePath(QStringLiteral("sweep.json"))).isFile() &&
         !QFileInfo(QDir(path).filePath(QStringLiteral("report.json"))).exists())) {
      return open_sweep(path);
    }
    open_input(path);
    return true;
  }
  report_error(tr("Nothing to open"),
               tr("Drop a run folder, a report.json, a sweep, a search, a fit report or a scenario "
                  "file."));
  return false;
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event) {
  if (event->mimeData()->hasUrls()) event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event) {
  if (open_dropped(event->mimeData()->urls())) event->acceptProposedAction();
}

void MainWindow::show_run(std::shared_ptr<const LoadedRun> run) {
  set_busy(false);
  run_ = std::move(run);
  last_error_.clear();
  refresh_views();
  const ReportData& r = *run_->report;
  const QString name = QString::fromStdString(r.scenario_name);
  setWindowTitle(tr("%1 (seed %2, %3 requests) - orchsim explorer")
                     .arg(name)
                     .arg(r.seed)
                     .arg(r.metrics.requests.arrived));
  status_->setText(QString::fromStdString(r.source));
  Q_EMIT report_loaded();
}

void MainWindow::refresh_views() {
  if (!run_) return;
  const ReportData& r = *run_->report;
  summary_model_->set_report(r);
  summary_model_->set_compare(compare_ ? compare_->report.get() : nullptr);
  summary_table_->setColumnHidden(SummaryModel::kCompare, !compare_);
  summary_table_->setColumnHidden(SummaryModel::kChange, !compare_);

  classes_model_->clear();
  classes_model_->setHorizontalHeaderLabels({tr("class"), tr("requests"), tr("completed"),
                                             tr("success"), tr("p50 (ms)"), tr("p99 (ms)"),
                                             tr("quality"), tr("cost (USD)")});
  for (const ClassRow& c : r.metrics.classes) {
    auto number = [](std::optional<double> v, int decimals, double scale = 1.0) {
      auto* item =
          new QStandardItem(v ? QString::number(*v * scale, 'f', decimals) : QStringLiteral("-"));
      if (v) item->setData(*v, Qt::UserRole);
      item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
      return item;
    };
    classes_model_->appendRow(
        {new QStandardItem(QString::fromStdString(c.name)), number(static_cast<double>(c.count), 0),
         number(static_cast<double>(c.completed), 0), number(c.success_rate, 2, 100.0),
         number(c.latency_p50_ms, 1), number(c.latency_p99_ms, 1), number(c.quality_mean, 3),
         number(c.cost_mean_usd, 6)});
  }
  classes_table_->resizeColumnsToContents();

  RunViews runs;
  const QString a_label =
      QStringLiteral("A: %1 (seed %2)").arg(QString::fromStdString(r.scenario_name)).arg(r.seed);
  runs.push_back({compare_ ? a_label : a_label.mid(3), run_->report, run_colour(0)});
  if (compare_) {
    const ReportData& b = *compare_->report;
    runs.push_back(
        {QStringLiteral("B: %1 (seed %2)").arg(QString::fromStdString(b.scenario_name)).arg(b.seed),
         compare_->report, run_colour(1)});
  }
  latency_view_->set_runs(runs);
  over_time_view_->set_runs(runs);
  routing_share_view_->set_runs(runs);
  cost_quality_view_->set_runs(runs);
  cost_quality_view_->set_sweep(sweep_);
  agents_view_->set_report(r);
  workflow_scene_->set_report(r);
  workflow_view_->fit();
  update_colour_scale();
  // The selection may have survived the new report (same node name): its
  // details must be this run's, and no signal says so.
  const QString node = workflow_scene_->selected_node();
  node_details_->setHtml(
      node.isEmpty() ? tr("<p>Click a node to see its calls and the agents it routed to.</p>")
                     : node_details_html(r, node.toStdString()));
  if (run_->requests) {
    request_explorer_->set_requests(run_->requests);
  } else {
    request_explorer_->clear();
    request_explorer_->show_message(QString::fromStdString(run_->requests_note));
  }
}

void MainWindow::update_colour_scale() {
  const double top = workflow_scene_->heat_max();
  switch (workflow_scene_->colour_by()) {
    case NodeColour::kFailureRate:
      colour_scale_->setText(
          tr("<span style='background:#ffffff'>&nbsp;0 %&nbsp;</span>"
             "<span style='background:#ffff99'>&nbsp;&nbsp;&nbsp;</span>"
             "<span style='background:#ff6600'>&nbsp;&nbsp;&nbsp;</span>"
             "<span style='background:#ff0000'>&nbsp;%1 % failed calls&nbsp;</span>"
             " (scale tops at the worst node, at least 5 %)")
              .arg(top * 100, 0, 'f', 1));
      break;
    case NodeColour::kLatency:
      colour_scale_->setText(
          tr("<span style='background:#ffffff'>&nbsp;0 ms&nbsp;</span>"
             "<span style='background:#ffff99'>&nbsp;&nbsp;&nbsp;</span>"
             "<span style='background:#ff6600'>&nbsp;&nbsp;&nbsp;</span>"
             "<span style='background:#ff0000'>&nbsp;%1 ms mean call&nbsp;</span>")
              .arg(top, 0, 'f', 1));
      break;
    case NodeColour::kNone:
      colour_scale_->clear();
      break;
  }
}

QString MainWindow::tab_file_name(int tab) {
  static const char* const kNames[kTabCount] = {
      "gui-summary.png",  "gui-latency.png",  "gui-over-time.png",    "gui-agents.png",
      "gui-workflow.png", "gui-requests.png", "gui-cost-quality.png", "gui-calibration.png",
      "gui-routing.png",  "gui-search.png"};
  return tab >= 0 && tab < kTabCount ? QString::fromLatin1(kNames[tab]) : QString();
}

bool MainWindow::save_screenshots(const QString& dir, QString* error) {
  if (!QDir().mkpath(dir)) {
    if (error != nullptr) *error = tr("%1: cannot create the folder").arg(dir);
    return false;
  }
  // Show something worth seeing where a view needs a selection: the node
  // with the highest failure rate, and the slowest request kept in detail.
  if (const ReportData* r = report()) {
    const NodeRow* worst = nullptr;
    for (const NodeRow& n : r->metrics.nodes) {
      if (worst == nullptr || n.failure_rate().value_or(0) > worst->failure_rate().value_or(0))
        worst = &n;
    }
    if (worst != nullptr) workflow_scene_->select_node(QString::fromStdString(worst->name));
    if (run_->requests && !run_->requests->requests.empty()) {
      const RequestRow* pick = nullptr;
      for (const RequestRow& q : run_->requests->requests) {
        const bool eventful = q.retries + q.hedges + q.fallbacks > 0;
        const bool pick_eventful =
            pick != nullptr && pick->retries + pick->hedges + pick->fallbacks > 0;
        if (pick == nullptr || (eventful && !pick_eventful) ||
            (eventful == pick_eventful && q.success && q.latency_ms > pick->latency_ms)) {
          pick = &q;
        }
      }
      request_explorer_->select_request(pick->id);
    }
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
  // The chart with the keyboard focus, when it is on the current tab: one
  // chart of the Over time or Latency tab can be saved alone.
  QWidget* focus = QApplication::focusWidget();
  auto* chart = qobject_cast<ChartView*>(focus);
  if (chart != nullptr && tabs_->currentWidget()->isAncestorOf(chart)) return chart;
  switch (tabs_->currentIndex()) {
    case kAgentsTab:
      return agents_view_->chart_view();
    case kWorkflowTab:
      return workflow_view_;
    default:
      return tabs_->currentWidget();
  }
}

bool MainWindow::export_current_view(const QString& file, QString* error) {
  QString message;
  if (!export_view(current_view(), file, &message)) {
    if (error != nullptr) *error = message;
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

void MainWindow::on_compare() {
  const QString dir = QFileDialog::getExistingDirectory(this, tr("Compare with a run folder"));
  if (!dir.isEmpty()) open_compare(dir);
}

void MainWindow::on_open_fit_report() {
  const QString file = QFileDialog::getOpenFileName(
      this, tr("Open a fit report (orchsim fit --report FILE)"), QString(), tr("JSON (*.json)"));
  if (!file.isEmpty() && open_fit_report(file)) remember(file);
}

void MainWindow::on_open_search() {
  const QString dir =
      QFileDialog::getExistingDirectory(this, tr("Open a search folder (orchsim search --out)"));
  if (!dir.isEmpty() && open_search(dir)) remember(dir);
}

void MainWindow::on_open_sweep() {
  const QString dir =
      QFileDialog::getExistingDirectory(this, tr("Open a sweep folder (orchsim sweep --out)"));
  if (!dir.isEmpty()) open_sweep(dir);
}

void MainWindow::on_export_view() {
  const QString suggested = tab_file_name(tabs_->currentIndex());
  const QString file =
      QFileDialog::getSaveFileName(this, tr("Export as PNG or SVG"), suggested,
                                   tr("PNG pictures (*.png);;SVG drawings (*.svg)"));
  if (file.isEmpty()) return;
  QString error;
  if (!export_current_view(file, &error)) report_error(tr("Export failed"), error);
}

}  // namespace orchsim::gui
