// The explorer against a real run: what its models, charts and graph hold,
// how it refuses bad files, and that its screenshots are pictures.
#include <gtest/gtest.h>

#include <QApplication>
#include <QChart>
#include <QChartView>
#include <QDir>
#include <QFile>
#include <QGraphicsItem>
#include <QGraphicsRectItem>
#include <QImage>
#include <QLineSeries>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardItemModel>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBrowser>
#include <QUrl>
#include <QValueAxis>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>
#include <stdexcept>

#include "eval/report.hpp"
#include "eval/runner.hpp"
#include "gui/agents_model.hpp"
#include "gui/agents_view.hpp"
#include "gui/chart_view.hpp"
#include "gui/cost_quality_view.hpp"
#include "gui/latency_view.hpp"
#include "gui/loaded_run.hpp"
#include "gui/main_window.hpp"
#include "gui/over_time_view.hpp"
#include "gui/report_data.hpp"
#include "gui/request_explorer.hpp"
#include "gui/request_table_model.hpp"
#include "gui/scenario_runner.hpp"
#include "gui/summary_model.hpp"
#include "gui/sweep_data.hpp"
#include "gui/workflow_graph.hpp"
#include "scenarios/scenario.hpp"

namespace orchsim::gui::gui_test {
namespace {

using Json = nlohmann::ordered_json;

void write_file(const QString& path, const std::string& text) {
  std::ofstream out(path.toStdString(), std::ios::binary);
  out << text;
}

// One run folder of the default scenario (500 requests) for the whole suite:
// the report as written to disk, and as JSON for the expected values.
class GuiRunTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new QTemporaryDir;
    ASSERT_TRUE(dir_->isValid());
    const scenarios::LoadResult loaded = scenarios::load_scenario(scenarios::kDefaultScenario);
    ASSERT_TRUE(loaded.ok()) << loaded.diagnostics.format();
    eval::RunOptions options;
    options.requests = 500;
    options.request_log = eval::RequestLogOptions{};
    const eval::RunResult result = eval::run_scenario(*loaded.scenario, options);
    report_ = new Json(eval::make_report(*loaded.scenario, result));
    write_file(dir_->filePath("report.json"), report_->dump(2) + "\n");
    std::ostringstream requests;
    result.request_log->write(requests, {{"scenario", "rag_orchestrated"}, {"seed", result.seed}});
    write_file(dir_->filePath("requests.jsonl"), requests.str());

    // Run B for comparisons: the same scenario at another seed, no request log.
    other_ = new QTemporaryDir;
    options.seed = 99;
    options.request_log.reset();
    const eval::RunResult b = eval::run_scenario(*loaded.scenario, options);
    other_report_ = new Json(eval::make_report(*loaded.scenario, b));
    write_file(other_->filePath("report.json"), other_report_->dump(2) + "\n");
  }
  static void TearDownTestSuite() {
    delete report_;
    delete other_report_;
    delete dir_;
    delete other_;
  }

  static const Json& report() { return *report_; }
  static const Json& other_report() { return *other_report_; }
  static QString run_dir() { return dir_->path(); }
  static QString other_dir() { return other_->path(); }

  static QTemporaryDir* dir_;
  static QTemporaryDir* other_;
  static Json* report_;
  static Json* other_report_;
};

QTemporaryDir* GuiRunTest::dir_ = nullptr;
QTemporaryDir* GuiRunTest::other_ = nullptr;
Json* GuiRunTest::report_ = nullptr;
Json* GuiRunTest::other_report_ = nullptr;

double summary_value(SummaryModel& model, const char* key) {
  const int row = model.row_of(key);
  EXPECT_GE(row, 0) << key;
  return model.data(model.index(row, SummaryModel::kValue), Qt::UserRole).toDouble();
}

TEST_F(GuiRunTest, LoaderReadsTheReportsNumbers) {
  const ReportLoad loaded = load_report(run_dir().toStdString());
  ASSERT_TRUE(loaded.ok()) << loaded.error;
  const ReportData& r = *loaded.report;
  const Json& m = report()["metrics"];
  EXPECT_EQ(r.scenario_name, "rag_orchestrated");
  EXPECT_EQ(r.metrics.requests.arrived, 500u);
  EXPECT_EQ(r.metrics.requests.completed, m["requests"]["completed"].get<std::uint64_t>());
  EXPECT_DOUBLE_EQ(*r.metrics.latency_all.p99, m["latency_ms"]["all"]["p99"].get<double>());
  EXPECT_EQ(r.metrics.agents.size(), m["agents"].size());
  EXPECT_EQ(r.metrics.edges.size(), m["routing"]["edges"].size());
}

TEST_F(GuiRunTest, WindowModelsHoldTheReportsNumbers) {
  MainWindow window;
  window.set_interactive(false);
  ASSERT_TRUE(window.open_run(run_dir())) << window.last_error().toStdString();
  const Json& m = report()["metrics"];

  SummaryModel& summary = *window.summary_model();
  EXPECT_EQ(summary.columnCount(), SummaryModel::kColumnCount);
  EXPECT_FALSE(summary.comparing());
  // 28 headline rows plus one per failure cause.
  EXPECT_EQ(summary.rowCount(), 28 + static_cast<int>(m["requests"]["failed_by_cause"].size()));
  EXPECT_EQ(summary_value(summary, "arrived"), 500.0);
  EXPECT_EQ(summary_value(summary, "completed"), m["requests"]["completed"].get<double>());
  EXPECT_EQ(summary_value(summary, "success_rate"), m["requests"]["success_rate"].get<double>());
  EXPECT_EQ(summary_value(summary, "latency_p50_ms"), m["latency_ms"]["all"]["p50"].get<double>());
  EXPECT_EQ(summary_value(summary, "latency_p99_ms"), m["latency_ms"]["all"]["p99"].get<double>());
  EXPECT_EQ(summary_value(summary, "quality_mean"), m["quality"]["mean"].get<double>());
  EXPECT_EQ(summary_value(summary, "cost_per_request_usd"),
            m["per_request"]["cost_usd"].get<double>());
  const int p99_row = summary.row_of("latency_p99_ms");
  EXPECT_EQ(summary.data(summary.index(p99_row, SummaryModel::kMetric), Qt::DisplayRole).toString(),
            "Latency p99");

  AgentsModel& agents = *window.agents_view()->model();
  ASSERT_EQ(agents.rowCount(), static_cast<int>(m["agents"].size()));
  EXPECT_EQ(agents.columnCount(), AgentsModel::kColumnCount);
  for (int row = 0; row < agents.rowCount(); ++row) {
    const Json& a = m["agents"][static_cast<std::size_t>(row)];
    EXPECT_EQ(agents.data(agents.index(row, AgentsModel::kName), Qt::DisplayRole).toString(),
              QString::fromStdString(a["name"].get<std::string>()));
    EXPECT_EQ(agents.data(agents.index(row, AgentsModel::kUtilisation), Qt::UserRole).toDouble(),
              a["utilisation"].get<double>());
    EXPECT_EQ(
        agents.data(agents.index(row, AgentsModel::kCallsStarted), Qt::UserRole).toULongLong(),
        a["calls_started"].get<std::uint64_t>());
  }
  // The utilisation chart has one bar per agent.
  const QChart* bars = window.agents_view()->chart_view()->chart();
  ASSERT_EQ(bars->series().size(), 1);

  // One scene item per node and per edge: nothing else, nothing missing.
  std::set<std::string> nodes{"start"};
  for (const Json& e : m["routing"]["edges"]) {
    nodes.insert(e["from"].get<std::string>());
    nodes.insert(e["to"].get<std::string>());
  }
  const WorkflowScene& scene = *window.workflow_scene();
  EXPECT_EQ(scene.node_count(), static_cast<int>(nodes.size()));
  EXPECT_EQ(scene.edge_count(), static_cast<int>(m["routing"]["edges"].size()));
  EXPECT_EQ(scene.items().size(),
            static_cast<qsizetype>(nodes.size() + m["routing"]["edges"].size()));
  int with_tooltip = 0;
  for (const QGraphicsItem* item : scene.items()) with_tooltip += !item->toolTip().isEmpty();
  EXPECT_EQ(with_tooltip, scene.items().size());
}

TEST_F(GuiRunTest, LatencyCurveGoesThroughTheQuantiles) {
  const ReportLoad loaded = load_report(run_dir().toStdString());
  ASSERT_TRUE(loaded.ok());
  const QList<QPointF> points = LatencyView::cdf_points(loaded.report->metrics.latency_all);
  ASSERT_EQ(points.size(), 7);  // min, p50, p90, p95, p99, p99.9, max
  EXPECT_EQ(points[0], QPointF(*loaded.report->metrics.latency_all.min, 0.0));
  EXPECT_EQ(points[1], QPointF(*loaded.report->metrics.latency_all.p50, 50.0));
  EXPECT_EQ(points[6].y(), 100.0);
  for (int i = 1; i < points.size(); ++i) EXPECT_GE(points[i].x(), points[i - 1].x());
}

TEST_F(GuiRunTest, LatencyViewDrawsTheBinnedCdfAndHistogram) {
  const ReportLoad loaded = load_report(run_dir().toStdString());
  ASSERT_TRUE(loaded.ok());
  const LatencyBins& bins = loaded.report->latency_bins;
  const Json& h = report()["latency_histogram"];
  ASSERT_EQ(bins.edges_ms.size(), h["edges_ms"].size());
  ASSERT_FALSE(bins.empty());
  std::uint64_t total = 0;
  for (const std::uint64_t c : bins.all) total += c;
  EXPECT_EQ(total, loaded.report->metrics.latency_all.count);

  // CDF: from (first edge, 0) to (last edge, 100), never decreasing.
  const QList<QPointF> cdf = LatencyView::cdf_points(bins.edges_ms, bins.all);
  ASSERT_EQ(cdf.size(), static_cast<qsizetype>(bins.edges_ms.size()));
  EXPECT_EQ(cdf.front(), QPointF(bins.edges_ms.front(), 0.0));
  EXPECT_DOUBLE_EQ(cdf.back().y(), 100.0);
  for (int i = 1; i < cdf.size(); ++i) EXPECT_GE(cdf[i].y(), cdf[i - 1].y());
  // Histogram: two points per bin whose shares add up to 100 %.
  const QList<QPointF> steps = LatencyView::histogram_steps(bins.edges_ms, bins.all);
  ASSERT_EQ(steps.size(), static_cast<qsizetype>(2 * bins.all.size()));
  double shares = 0;
  for (int i = 0; i < steps.size(); i += 2) shares += steps[i].y();
  EXPECT_NEAR(shares, 100.0, 1e-9);

  // The drawn curve passes through the quantiles too, and never goes down.
  const QList<QPointF> merged =
      LatencyView::merged_cdf(cdf, LatencyView::cdf_points(loaded.report->metrics.latency_all));
  EXPECT_EQ(merged.size(), cdf.size() + 7);
  EXPECT_TRUE(merged.contains(QPointF(*loaded.report->metrics.latency_all.p50, 50.0)));
  for (int i = 1; i < merged.size(); ++i) {
    EXPECT_GE(merged[i].x(), merged[i - 1].x());
    EXPECT_GE(merged[i].y(), merged[i - 1].y());
  }

  LatencyView view;
  const auto report = std::make_shared<const ReportData>(*loaded.report);
  view.set_runs({{"A", report, run_colour(0)}});
  // Curves for all and successful requests, then markers for p50, p95, p99.
  EXPECT_EQ(view.cdf_view()->chart()->series().size(), 5);
  EXPECT_EQ(view.histogram_view()->chart()->series().size(), 1);
  view.set_log_axis(true);
  EXPECT_EQ(view.cdf_view()->chart()->axes(Qt::Horizontal).front()->type(),
            QAbstractAxis::AxisTypeLogValue);
  EXPECT_EQ(view.histogram_view()->chart()->axes(Qt::Horizontal).front()->type(),
            QAbstractAxis::AxisTypeLogValue);
  // Two runs: both drawn, each with its own markers.
  view.set_runs({{"A", report, run_colour(0)}, {"B", report, run_colour(1)}});
  EXPECT_EQ(view.cdf_view()->chart()->series().size(), 10);
  EXPECT_EQ(view.histogram_view()->chart()->series().size(), 2);
}

TEST_F(GuiRunTest, OverTimeChartsHoldTheSeries) {
  MainWindow window;
  window.set_interactive(false);
  ASSERT_TRUE(window.open_run(run_dir())) << window.last_error().toStdString();
  const Json& t = report()["timeseries"];
  const double bucket_s = t["bucket_ms"].get<double>() / 1000.0;
  const auto buckets = t["buckets"].get<qsizetype>();
  ASSERT_GT(buckets, 1);

  const QChart* throughput = window.over_time_view()->view(OverTimeView::kThroughput)->chart();
  const QLineSeries* completed = nullptr;
  for (QAbstractSeries* s : throughput->series()) {
    if (s->name() == "completed/s") completed = qobject_cast<QLineSeries*>(s);
  }
  ASSERT_NE(completed, nullptr);
  ASSERT_EQ(completed->count(), buckets);
  // Rates times the bucket width give back the report's counts, except in the
  // last bucket, which is averaged over the part of it the run covered (so
  // its rate is at least count / width); the counts add up to the run's
  // completions.
  double counted = 0;
  for (int i = 0; i < static_cast<int>(buckets); ++i) {
    const double count = t["completed"][static_cast<std::size_t>(i)].get<double>();
    counted += count;
    if (i + 1 < buckets) {
      EXPECT_NEAR(completed->at(i).y() * bucket_s, count, 1e-9) << i;
    } else {
      EXPECT_GE(completed->at(i).y() * bucket_s, count - 1e-9);
    }
  }
  EXPECT_EQ(counted, report()["metrics"]["requests"]["completed"].get<double>());
  EXPECT_DOUBLE_EQ(completed->at(0).x(), bucket_s / 2);  // bucket midpoints

  // In flight: the time-averaged level, point for point.
  const QChart* in_flight = window.over_time_view()->view(OverTimeView::kInFlight)->chart();
  const auto* level = qobject_cast<QLineSeries*>(in_flight->series().front());
  ASSERT_NE(level, nullptr);
  ASSERT_EQ(level->count(), buckets);
  EXPECT_DOUBLE_EQ(level->at(3).y(), t["in_flight_mean"][3].get<double>());

  // Queues: one series per agent that ever had a queue.
  const QChart* queues = window.over_time_view()->view(OverTimeView::kQueues)->chart();
  int queued_agents = 0;
  for (const Json& a : t["agents"]) {
    double top = 0;
    for (const Json& v : a["queue_mean"]) top = std::max(top, v.get<double>());
    queued_agents += top > 0;
  }
  EXPECT_EQ(queues->series().size(), queued_agents);
}

TEST_F(GuiRunTest, CompareShowsRunBBesideRunA) {
  MainWindow window;
  window.set_interactive(false);
  ASSERT_TRUE(window.open_run(run_dir()));
  ASSERT_TRUE(window.open_compare(other_dir())) << window.last_error().toStdString();
  SummaryModel& summary = *window.summary_model();
  ASSERT_TRUE(summary.comparing());
  const int p99 = summary.row_of("latency_p99_ms");
  const double a = report()["metrics"]["latency_ms"]["all"]["p99"].get<double>();
  const double b = other_report()["metrics"]["latency_ms"]["all"]["p99"].get<double>();
  EXPECT_EQ(summary.data(summary.index(p99, SummaryModel::kValue), Qt::UserRole).toDouble(), a);
  EXPECT_EQ(summary.data(summary.index(p99, SummaryModel::kCompare), Qt::UserRole).toDouble(), b);
  EXPECT_DOUBLE_EQ(summary.data(summary.index(p99, SummaryModel::kChange), Qt::UserRole).toDouble(),
                   b - a);
  EXPECT_EQ(summary.headerData(SummaryModel::kValue, Qt::Horizontal, Qt::DisplayRole).toString(),
            "A");

  EXPECT_EQ(window.latency_view()->cdf_view()->chart()->series().size(), 10);
  EXPECT_EQ(window.cost_quality_view()->points().size(), 2u);
  EXPECT_EQ(window.cost_quality_view()->points()[1].cost_usd,
            other_report()["metrics"]["per_request"]["cost_usd"].get<double>());
  // Run B's throughput is on the same chart.
  int b_series = 0;
  for (QAbstractSeries* s :
       window.over_time_view()->view(OverTimeView::kThroughput)->chart()->series()) {
    b_series += s->name().startsWith("B ");
  }
  EXPECT_EQ(b_series, 3);

  window.stop_comparing();
  EXPECT_FALSE(summary.comparing());
  EXPECT_EQ(window.cost_quality_view()->points().size(), 1u);
  EXPECT_FALSE(window.open_compare(run_dir() + "/missing"));
}

TEST_F(GuiRunTest, WorkflowNodesAreColouredAndClickedNodesExplained) {
  MainWindow window;
  window.set_interactive(false);
  ASSERT_TRUE(window.open_run(run_dir()));
  const ReportData& r = *window.report();
  const Json& nodes = report()["metrics"]["nodes"];
  ASSERT_EQ(r.metrics.nodes.size(), nodes.size());
  for (const Json& n : nodes) {
    const Json& ended = n["calls_ended"];
    const double total = ended["success"].get<double>() + ended["invalid"].get<double>() +
                         ended["error"].get<double>() + ended["timeout"].get<double>() +
                         ended["cancelled"].get<double>();
    const double failed = ended["invalid"].get<double>() + ended["error"].get<double>() +
                          ended["timeout"].get<double>();
    const auto heat =
        WorkflowScene::heat_value(r, n["name"].get<std::string>(), NodeColour::kFailureRate);
    ASSERT_TRUE(heat.has_value());
    EXPECT_DOUBLE_EQ(*heat, failed / total);
    EXPECT_EQ(WorkflowScene::heat_value(r, n["name"].get<std::string>(), NodeColour::kLatency),
              n["duration_mean_ms"].get<double>());
  }
  EXPECT_FALSE(WorkflowScene::heat_value(r, "start", NodeColour::kFailureRate).has_value());

  QSignalSpy selected(window.workflow_scene(), &WorkflowScene::node_selected);
  ASSERT_TRUE(window.workflow_scene()->select_node("generate"));
  ASSERT_EQ(selected.size(), 1);
  EXPECT_EQ(selected.front().front().toString(), "generate");
  const QString details = window.node_details()->toPlainText();
  EXPECT_NE(details.indexOf("agent generator"), -1) << details.toStdString();
  EXPECT_NE(details.indexOf("circuit breaker"), -1);
  EXPECT_NE(details.indexOf(QString::number(r.node("generate")->calls_started)), -1);
  EXPECT_FALSE(window.workflow_scene()->select_node("no such node"));
}

TEST(WorkflowHierarchyTest, SubWorkflowsAreBoxesAroundTheirNodes) {
  // nested_retries: the gateway runs "orders", which runs "inventory".
  const scenarios::LoadResult loaded = scenarios::load_scenario("nested_retries");
  ASSERT_TRUE(loaded.ok()) << loaded.diagnostics.format();
  eval::RunOptions options;
  options.requests = 300;
  const eval::RunResult result = eval::run_scenario(*loaded.scenario, options);
  const ReportLoad read =
      report_from_json(eval::make_report(*loaded.scenario, result), "nested_retries");
  ASSERT_TRUE(read.ok()) << read.error;
  const ReportData& r = *read.report;
  ASSERT_EQ(r.metrics.sub_workflows.size(), 2u);
  EXPECT_EQ(r.metrics.sub_workflows[0].name, "orders");
  EXPECT_EQ(r.metrics.sub_workflows[0].called_by, std::vector<std::string>{"api"});
  EXPECT_EQ(r.metrics.sub_workflows[1].nodes,
            (std::vector<std::string>{"inventory/query", "inventory/ok"}));
  EXPECT_GE(r.metrics.sub_workflows[0].runs_started, 300u);
  const NodeRow* api = r.node("api");
  ASSERT_NE(api, nullptr);
  EXPECT_EQ(api->sub_workflow, "orders");
  EXPECT_EQ(api->runs_started, r.metrics.sub_workflows[0].runs_started);
  ASSERT_NE(r.node("inventory/query"), nullptr);
  EXPECT_EQ(r.node("inventory/query")->workflow, "inventory");

  WorkflowScene scene;
  scene.set_report(r);
  EXPECT_EQ(scene.cluster_count(), 2);
  // Nodes, edges, and per box a frame and a label.
  EXPECT_EQ(scene.items().size(), scene.node_count() + scene.edge_count() + 2 * 2);
  int boxes = 0;
  for (const QGraphicsItem* item : scene.items()) {
    if (item->type() == QGraphicsRectItem::Type) {
      ++boxes;
      EXPECT_NE(item->toolTip().indexOf("sub-workflow"), -1);
    }
  }
  EXPECT_EQ(boxes, 2);
  // A flat run draws none.
  const scenarios::LoadResult flat = scenarios::load_scenario("retry_storm");
  ASSERT_TRUE(flat.ok());
  const eval::RunResult flat_run = eval::run_scenario(*flat.scenario, options);
  const ReportLoad flat_read =
      report_from_json(eval::make_report(*flat.scenario, flat_run), "retry_storm");
  ASSERT_TRUE(flat_read.ok());
  scene.set_report(*flat_read.report);
  EXPECT_EQ(scene.cluster_count(), 0);
}

// The over-time view marks retry_storm's fault window, the overload's onset
// and, with a retry budget, its recovery; the title says what happened.
TEST(OverTimeMarks, TheFaultTheOnsetAndTheRecoveryAreDrawn) {
  auto marks_of = [](const scenarios::LoadOptions& o) {
    const scenarios::LoadResult loaded = scenarios::load_scenario("retry_storm", o);
    EXPECT_TRUE(loaded.ok());
    const eval::RunResult run = eval::run_scenario(*loaded.scenario, {});
    const ReportLoad read = report_from_json(eval::make_report(*loaded.scenario, run), "storm");
    EXPECT_TRUE(read.ok()) << read.error;
    auto report = std::make_shared<const ReportData>(*read.report);
    auto view = std::make_unique<OverTimeView>();
    view->set_runs({{"A", report, run_colour(0)}});
    return view;
  };
  const auto names = [](const QChart* c) {
    QStringList out;
    for (QAbstractSeries* s : c->series()) out << s->name();
    return out;
  };
  const auto storm = marks_of({});
  const QChart* c = storm->view(OverTimeView::kThroughput)->chart();
  EXPECT_TRUE(names(c).contains("fault"));
  EXPECT_TRUE(names(c).contains("onset"));
  EXPECT_FALSE(names(c).contains("recovered"));
  EXPECT_NE(c->title().indexOf("did not recover"), -1) << c->title().toStdString();
  // The fault's bracket spans the window, at the panel's top.
  for (QAbstractSeries* s : c->series()) {
    if (s->name() != "fault") continue;
    const auto* bracket = qobject_cast<QLineSeries*>(s);
    ASSERT_EQ(bracket->count(), 4);
    EXPECT_EQ(bracket->at(0).x(), 60.0);
    EXPECT_EQ(bracket->at(3).x(), 85.0);
  }

  scenarios::LoadOptions budget;
  budget.overrides = {{"/resilience/retry_budget/kind", "token_bucket"}};
  const auto budgeted = marks_of(budget);
  const QChart* b = budgeted->view(OverTimeView::kThroughput)->chart();
  EXPECT_TRUE(names(b).contains("recovered"));
  EXPECT_NE(b->title().indexOf("recovered"), -1) << b->title().toStdString();
  EXPECT_NE(b->title().indexOf("s after the fault"), -1) << b->title().toStdString();
}

TEST_F(GuiRunTest, RequestsTabHoldsTheSampleAndSaysWhenThereIsNone) {
  MainWindow window;
  window.set_interactive(false);
  ASSERT_TRUE(window.open_run(run_dir()));
  ASSERT_NE(window.run()->requests, nullptr);
  // 500 requests: a sample of 2000 keeps every one of them.
  EXPECT_EQ(window.run()->requests->requests.size(), 500u);
  EXPECT_EQ(window.request_explorer()->model()->rowCount(), 500);
  ASSERT_TRUE(window.request_explorer()->select_request(window.run()->requests->requests[7].id));

  ASSERT_TRUE(window.open_run(other_dir()));  // no requests.jsonl there
  EXPECT_EQ(window.run()->requests, nullptr);
  EXPECT_NE(window.run()->requests_note.find("requests.jsonl"), std::string::npos);
  EXPECT_EQ(window.request_explorer()->model()->rowCount(), 0);
}

TEST_F(GuiRunTest, ChartsZoomAndPanFromTheKeyboardAndReset) {
  MainWindow window;
  window.set_interactive(false);
  window.setAttribute(Qt::WA_DontShowOnScreen);  // laid out as if shown: the plot area has a size
  window.resize(1000, 700);
  window.show();
  ASSERT_TRUE(window.open_run(run_dir()));
  window.tabs()->setCurrentIndex(MainWindow::kOverTimeTab);
  QApplication::processEvents();
  ChartView* view = window.over_time_view()->view(OverTimeView::kThroughput);
  auto* x = qobject_cast<QValueAxis*>(view->chart()->axes(Qt::Horizontal).front());
  ASSERT_NE(x, nullptr);
  const double lo = x->min(), hi = x->max();
  QTest::keyClick(view, Qt::Key_Plus);
  EXPECT_LT(x->max() - x->min(), hi - lo);  // zoomed in
  const double zoomed_min = x->min();
  QTest::keyClick(view, Qt::Key_Right);
  EXPECT_GT(x->min(), zoomed_min);  // panned right
  QTest::keyClick(view, Qt::Key_0);
  EXPECT_DOUBLE_EQ(x->min(), lo);
  EXPECT_DOUBLE_EQ(x->max(), hi);
}

TEST_F(GuiRunTest, ExportWritesPngAndSvgAndRefusesOtherTypes) {
  MainWindow window;
  window.set_interactive(false);
  window.setAttribute(Qt::WA_DontShowOnScreen);
  window.resize(1000, 700);
  window.show();
  ASSERT_TRUE(window.open_run(run_dir()));
  window.tabs()->setCurrentIndex(MainWindow::kLatencyTab);
  QApplication::processEvents();
  QTemporaryDir out;
  QString error;
  ASSERT_TRUE(window.export_current_view(out.filePath("latency.png"), &error))
      << error.toStdString();
  EXPECT_FALSE(QImage(out.filePath("latency.png")).isNull());
  ASSERT_TRUE(window.export_current_view(out.filePath("latency.svg"), &error))
      << error.toStdString();
  QFile svg(out.filePath("latency.svg"));
  ASSERT_TRUE(svg.open(QIODevice::ReadOnly));
  const QByteArray text = svg.readAll();
  EXPECT_NE(text.indexOf("<svg"), -1);
  EXPECT_NE(text.indexOf("<path"), -1);  // vectors, not only an embedded picture
  EXPECT_FALSE(window.export_current_view(out.filePath("latency.gif"), &error));
  EXPECT_NE(error.indexOf(".png or .svg"), -1) << error.toStdString();
  EXPECT_FALSE(QFile::exists(out.filePath("latency.gif")));
}

TEST_F(GuiRunTest, RecentFilesAndDropsOpenRuns) {
  QTemporaryDir settings_dir;
  MainWindow window;
  window.set_interactive(false);
  window.set_settings(
      std::make_unique<QSettings>(settings_dir.filePath("gui.ini"), QSettings::IniFormat));
  EXPECT_TRUE(window.recent_files().isEmpty());
  ASSERT_TRUE(window.open_dropped({QUrl::fromLocalFile(run_dir())}));
  ASSERT_NE(window.report(), nullptr);
  EXPECT_EQ(window.report()->metrics.requests.arrived, 500u);
  ASSERT_TRUE(window.open_run(other_dir()));
  const QStringList recent = window.recent_files();
  ASSERT_EQ(recent.size(), 2);
  EXPECT_EQ(recent[0], QFileInfo(other_dir()).absoluteFilePath());  // newest first
  EXPECT_EQ(recent[1], QFileInfo(run_dir()).absoluteFilePath());
  ASSERT_TRUE(window.open_run(run_dir()));  // again: moves to the front, no duplicate
  EXPECT_EQ(window.recent_files().size(), 2);
  EXPECT_EQ(window.recent_files()[0], QFileInfo(run_dir()).absoluteFilePath());
  EXPECT_FALSE(window.open_dropped({QUrl("https://example.com/run")}));
}

TEST_F(GuiRunTest, CompareListsEveryFailureCauseAndShowsChangesInTheirUnits) {
  const ReportLoad loaded = load_report(run_dir().toStdString());
  ASSERT_TRUE(loaded.ok());
  ReportData a = *loaded.report;
  ReportData b = a;
  a.metrics.requests.failed_by_cause = {{"timeout", 3}};
  b.metrics.requests.failed_by_cause = {{"overloaded", 5}};
  a.metrics.requests.success_rate = 0.9750;
  b.metrics.requests.success_rate = 0.9873;
  SummaryModel model;
  model.set_report(a);
  model.set_compare(&b);
  const int timeout = model.row_of("failed_timeout");
  const int overloaded = model.row_of("failed_overloaded");
  ASSERT_GE(timeout, 0);
  ASSERT_GE(overloaded, 0);  // a cause only run B saw is listed too
  EXPECT_EQ(model.data(model.index(timeout, SummaryModel::kCompare), Qt::UserRole).toDouble(), 0.0);
  EXPECT_EQ(model.data(model.index(timeout, SummaryModel::kChange), Qt::DisplayRole).toString(),
            "-3 (-100.0 %)");
  EXPECT_EQ(model.data(model.index(overloaded, SummaryModel::kValue), Qt::UserRole).toDouble(),
            0.0);
  EXPECT_EQ(model.data(model.index(overloaded, SummaryModel::kChange), Qt::DisplayRole).toString(),
            "+5");
  // Rates shown in percent change in percentage points.
  const int success = model.row_of("success_rate");
  EXPECT_EQ(model.data(model.index(success, SummaryModel::kChange), Qt::DisplayRole).toString(),
            "+1.23 pp (+1.3 %)");
}

TEST_F(GuiRunTest, NodeDetailsFollowTheRunShown) {
  MainWindow window;
  window.set_interactive(false);
  ASSERT_TRUE(window.open_run(run_dir()));
  ASSERT_TRUE(window.workflow_scene()->select_node("generate"));
  ASSERT_TRUE(window.open_run(other_dir()));
  EXPECT_EQ(window.workflow_scene()->selected_node(), "generate");  // kept: run B has it too
  const auto b_calls = other_report()["metrics"]["nodes"];
  std::uint64_t calls = 0;
  for (const Json& n : b_calls) {
    if (n["name"] == "generate") calls = n["calls_started"].get<std::uint64_t>();
  }
  ASSERT_GT(calls, 0u);
  EXPECT_NE(window.node_details()->toPlainText().indexOf(QString::number(calls)), -1)
      << window.node_details()->toPlainText().toStdString();
}

TEST_F(GuiRunTest, ARequestLogOfAnotherRunIsNotShownAsThisOnes) {
  QTemporaryDir dir;
  QFile::copy(other_dir() + "/report.json", dir.filePath("report.json"));      // seed 99
  QFile::copy(run_dir() + "/requests.jsonl", dir.filePath("requests.jsonl"));  // the default seed
  const LoadedRunResult loaded = load_run(dir.path().toStdString());
  ASSERT_NE(loaded.run, nullptr) << loaded.error;
  EXPECT_EQ(loaded.run->requests, nullptr);
  EXPECT_NE(loaded.run->requests_note.find("belongs to another run"), std::string::npos)
      << loaded.run->requests_note;
}

TEST(OverTimeTest, RatesOfTheLastBucketUseOnlyTheTimeTheRunCovered) {
  // Two 1 s buckets; the run ended 1.5 s in: 10 in the last half second is 20/s.
  const QList<QPointF> rates = OverTimeView::rate_points({10, 10}, 1000.0, 1500.0);
  ASSERT_EQ(rates.size(), 2);
  EXPECT_EQ(rates[0], QPointF(0.5, 10.0));
  EXPECT_EQ(rates[1], QPointF(1.5, 20.0));
  EXPECT_EQ(OverTimeView::rate_points({10, 10}, 1000.0)[1], QPointF(1.5, 10.0));  // end unknown
}

TEST(CostQualityTest, FrontierKeepsPointsNothingBeatsOnBoth) {
  const std::vector<CostQualityPoint> points = {
      {"cheap", 0.001, 0.70, {}, false, false},  // cheapest: on the frontier
      {"mid", 0.002, 0.80, {}, false, false},    // on
      {"worse", 0.003, 0.75, {}, false, false},  // beaten by mid (cheaper and better)
      {"best", 0.010, 0.90, {}, false, false},   // best quality: on
      {"tie", 0.002, 0.80, {}, false, false},    // equal to mid: neither beats the other
      {"dear", 0.010, 0.85, {}, false, false}};  // beaten by best (same cost, better)
  EXPECT_EQ(cost_quality_frontier(points),
            (std::vector<bool>{true, true, false, true, true, false}));
}

TEST(SweepDataTest, ReadsASweepAndRefusesOtherFiles) {
  QTemporaryDir dir;
  write_file(dir.filePath("sweep.json"),
             R"({"schema":"orchsim.sweep","schema_version":1,"scenario":"s",
    "grid":[],"points":[
      {"point":0,"overrides":{"/a":"1"},"pareto":true,"metrics":{"per_request.cost_usd":{"mean":0.01},
        "quality.mean":{"mean":0.8},"latency_ms.all.p99":{"mean":120.5}}},
      {"point":1,"overrides":{"/a":"2"},"pareto":false,"metrics":{"per_request.cost_usd":{"mean":0.02},
        "quality.mean":{"mean":0.7}}}]})");
  const SweepLoad s = load_sweep(dir.path().toStdString());
  ASSERT_TRUE(s.ok()) << s.error;
  ASSERT_EQ(s.sweep->rows.size(), 2u);
  EXPECT_EQ(s.sweep->rows[0].label, "/a=1");
  EXPECT_EQ(s.sweep->rows[0].p99_ms, 120.5);
  EXPECT_TRUE(s.sweep->rows[0].pareto);
  EXPECT_FALSE(s.sweep->rows[1].p99_ms.has_value());

  MainWindow window;  // a sweep opened as the input is "shown": nothing waits for a run
  window.set_interactive(false);
  QString error;
  EXPECT_TRUE(window.open_and_wait(dir.path(), {}, &error)) << error.toStdString();
  EXPECT_EQ(window.cost_quality_view()->points().size(), 2u);

  CostQualityView view;
  view.set_sweep(s.sweep);
  ASSERT_EQ(view.points().size(), 2u);
  EXPECT_EQ(view.frontier(), (std::vector<bool>{true, false}));
  EXPECT_EQ(view.table_model()->rowCount(), 2);

  write_file(dir.filePath("report.json"), R"({"schema":"orchsim.report"})");
  const SweepLoad foreign = load_sweep(dir.filePath("report.json").toStdString());
  EXPECT_NE(foreign.error.find("not an orchsim sweep"), std::string::npos) << foreign.error;
  write_file(dir.filePath("broken.json"), "{\"schema\":");
  EXPECT_NE(load_sweep(dir.filePath("broken.json").toStdString()).error.find("not valid JSON"),
            std::string::npos);
  EXPECT_NE(load_sweep(dir.filePath("none").toStdString()).error.find("no such file"),
            std::string::npos);
}

TEST_F(GuiRunTest, ScreenshotsAreNotBlank) {
  MainWindow window;
  window.set_interactive(false);
  window.setAttribute(Qt::WA_DontShowOnScreen);
  window.resize(1000, 700);
  window.show();
  QString error;
  ASSERT_TRUE(window.open_and_wait(run_dir(), {}, &error)) << error.toStdString();
  QTemporaryDir out;
  ASSERT_TRUE(window.save_screenshots(out.path(), &error)) << error.toStdString();
  for (int tab = 0; tab < MainWindow::kTabCount; ++tab) {
    const QString file = out.filePath(MainWindow::tab_file_name(tab));
    const QImage image(file);
    ASSERT_FALSE(image.isNull()) << file.toStdString();
    EXPECT_GE(image.width(), 500);
    const QRgb first = image.pixel(0, 0);
    std::set<QRgb> colours;
    for (int y = 0; y < image.height(); y += 3) {
      for (int x = 0; x < image.width(); x += 3) colours.insert(image.pixel(x, y));
    }
    EXPECT_GT(colours.size(), 10u)
        << file.toStdString() << " looks blank (first pixel " << std::hex << first << ")";
  }
}

// ---- files the explorer must refuse, with a message, not a crash ------------

class BadFileTest : public ::testing::Test {
 protected:
  QString path(const char* name) { return dir_.filePath(name); }
  QTemporaryDir dir_;
};

TEST_F(BadFileTest, CorruptFileIsNamedAsDamaged) {
  write_file(path("report.json"),
             "{\"schema\": \"orchsim.report\", \"schema_version\": 1, \"run\": {");
  const ReportLoad r = load_report(dir_.path().toStdString());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error, path("report.json").toStdString() +
                         ": not valid JSON (byte 59); the file is damaged or not a report");

  MainWindow window;
  window.set_interactive(false);
  QSignalSpy failed(&window, &MainWindow::load_failed);
  EXPECT_FALSE(window.open_run(dir_.path()));
  ASSERT_EQ(failed.size(), 1);
  EXPECT_EQ(failed.front().front().toString().toStdString(), r.error);
  EXPECT_EQ(window.report(), nullptr);
}

TEST_F(BadFileTest, ForeignJsonIsNamedAsNotAReport) {
  write_file(path("scenario.json"), R"({"name": "mine", "agents": []})");
  ReportLoad r = load_report(path("scenario.json").toStdString());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error, path("scenario.json").toStdString() +
                         ": not an orchsim report (no \"schema\" key; expected \"orchsim.report\", "
                         "as written by `orchsim run --out DIR`)");

  write_file(path("trace.json"), R"({"schema": "chrome.trace", "traceEvents": []})");
  r = load_report(path("trace.json").toStdString());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error, path("trace.json").toStdString() +
                         ": not an orchsim report (schema is \"chrome.trace\", expected "
                         "\"orchsim.report\")");

  write_file(path("array.json"), "[1, 2, 3]");
  r = load_report(path("array.json").toStdString());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error.find("not an orchsim report"), std::string::npos) << r.error;
}

TEST_F(BadFileTest, ReportWithAWrongValueNamesItsPointer) {
  write_file(path("report.json"),
             R"({"schema": "orchsim.report", "schema_version": 1,
                 "scenario": {"name": "x", "description": ""},
                 "run": {"seed": 1, "simulated_s": 1.0, "events": 3},
                 "metrics": {"quality_threshold": 0.7, "end_ms": 1000.0,
                             "requests": {"arrived": 1, "finished": 1, "completed": "many"}}})");
  const ReportLoad r = load_report(path("report.json").toStdString());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error, path("report.json").toStdString() +
                         ": /metrics/requests/completed: found \"many\", expected a count "
                         "(integer >= 0)");
}

TEST_F(BadFileTest, SeriesOfTheWrongLengthAreNamedWithBothLengths) {
  // A real report with one agent series and one histogram row cut short.
  const scenarios::LoadResult loaded = scenarios::load_scenario(scenarios::kDefaultScenario);
  ASSERT_TRUE(loaded.ok());
  eval::RunOptions options;
  options.requests = 100;
  Json report = eval::make_report(*loaded.scenario, eval::run_scenario(*loaded.scenario, options));
  const std::size_t buckets = report["timeseries"]["arrived"].size();
  ASSERT_GT(buckets, 1u);
  report["timeseries"]["agents"][1]["queue_mean"].erase(0);
  write_file(path("report.json"), report.dump());
  ReportLoad r = load_report(path("report.json").toStdString());
  EXPECT_EQ(r.error, path("report.json").toStdString() +
                         ": /timeseries/agents/1/queue_mean: found " + std::to_string(buckets - 1) +
                         " elements, expected " + std::to_string(buckets));

  report = eval::make_report(*loaded.scenario, eval::run_scenario(*loaded.scenario, options));
  const std::size_t bins = report["latency_histogram"]["all"].size();
  report["latency_histogram"]["success"].push_back(0);
  write_file(path("report.json"), report.dump());
  r = load_report(path("report.json").toStdString());
  EXPECT_EQ(r.error, path("report.json").toStdString() + ": /latency_histogram/success: found " +
                         std::to_string(bins + 1) + " elements, expected " + std::to_string(bins));
}

TEST_F(BadFileTest, NewerSchemaAndMissingFilesAreRefused) {
  write_file(path("report.json"), R"({"schema": "orchsim.report", "schema_version": 7})");
  ReportLoad r = load_report(path("report.json").toStdString());
  EXPECT_EQ(r.error, path("report.json").toStdString() +
                         ": written by a newer orchsim (schema_version 7; this explorer reads up "
                         "to 1)");

  QDir(dir_.path()).mkdir("empty");
  r = load_report(path("empty").toStdString());
  EXPECT_EQ(r.error, path("empty").toStdString() +
                         ": no report.json in this folder (a run folder is written by `orchsim "
                         "run --out DIR`)");
  r = load_report(path("nowhere").toStdString());
  EXPECT_EQ(r.error, path("nowhere").toStdString() + ": no such file or folder");
}

// ---- the background runner -------------------------------------------------

TEST(ScenarioRunnerTest, RunsAScenarioOffTheGuiThread) {
  MainWindow window;
  window.set_interactive(false);
  QString error;
  ASSERT_TRUE(window.open_and_wait("rag_orchestrated", {"", 300, 5}, &error))
      << error.toStdString();
  ASSERT_NE(window.report(), nullptr);
  EXPECT_EQ(window.report()->metrics.requests.arrived, 300u);
  EXPECT_EQ(window.report()->seed, 5u);
  EXPECT_EQ(window.report()->source, "scenario rag_orchestrated (run here)");
  EXPECT_GT(window.workflow_scene()->edge_count(), 0);
}

TEST(ScenarioRunnerTest, BadScenarioIsReportedNotRun) {
  MainWindow window;
  window.set_interactive(false);
  QString error;
  EXPECT_FALSE(window.open_and_wait("no_such_scenario_anywhere", {}, &error));
  EXPECT_NE(error.indexOf("no_such_scenario_anywhere"), -1) << error.toStdString();
  EXPECT_EQ(window.report(), nullptr);
}

TEST(ScenarioRunnerTest, CancelledRunNeverDeliversAResult) {
  ScenarioRunner runner;
  QSignalSpy finished(&runner, &ScenarioRunner::finished);
  QSignalSpy cancelled(&runner, &ScenarioRunner::cancelled);
  runner.start({"rag_orchestrated", 2000, {}});
  EXPECT_TRUE(runner.running());
  runner.cancel();
  EXPECT_FALSE(runner.running());
  EXPECT_EQ(cancelled.size(), 1);
  // Whether the worker stopped early or finished anyway, nothing arrives.
  runner.start({"rag_orchestrated", 50, {}});
  runner.cancel();
  // The worker has ended and posted whatever it would; deliver all of it.
  runner.wait_for_worker();
  QCoreApplication::processEvents();
  EXPECT_EQ(finished.size(), 0);
  EXPECT_EQ(cancelled.size(), 2);
}

// Cancelling leaves eval::run_scenario by an exception from its progress
// callback: the run must unwind cleanly from the middle.
TEST(ScenarioRunnerTest, RunScenarioUnwindsFromTheProgressCallback) {
  const scenarios::LoadResult loaded = scenarios::load_scenario("rag_orchestrated");
  ASSERT_TRUE(loaded.ok());
  eval::RunOptions options;
  options.requests = 200;
  int calls = 0;
  options.progress = [&calls](double) {
    if (++calls == 1) throw std::runtime_error("stop");
  };
  EXPECT_THROW(eval::run_scenario(*loaded.scenario, options), std::runtime_error);
  EXPECT_EQ(calls, 1);
}

// ---- layout ----------------------------------------------------------------

TEST(WorkflowLayoutTest, LayersByLongestPathWithLoopsSetAside) {
  const std::vector<EdgeRow> edges = {{"start", "a", 10}, {"a", "b", 6}, {"a", "c", 4},
                                      {"b", "d", 6},      {"c", "d", 4}, {"d", "a", 2},
                                      {"a", "d", 1},      {"x", "y", 1}};
  const GraphLayout layout = layout_workflow(edges);
  ASSERT_EQ(layout.nodes.size(), 7u);
  auto node = [&](const char* name) {
    return layout.nodes[static_cast<std::size_t>(layout.index_of(name))];
  };
  EXPECT_EQ(node("start").layer, 0);
  EXPECT_EQ(node("a").layer, 1);
  EXPECT_EQ(node("b").layer, 2);
  EXPECT_EQ(node("b").slot, 0);
  EXPECT_EQ(node("c").layer, 2);
  EXPECT_EQ(node("c").slot, 1);
  EXPECT_EQ(node("d").layer, 3);  // after b and c, though a feeds it directly too
  EXPECT_EQ(node("a").in, 12u);
  EXPECT_EQ(node("d").out, 2u);
  // Not reached from start: after the main flow in its layers.
  EXPECT_EQ(node("x").layer, 1);
  EXPECT_EQ(node("x").slot, 1);
  EXPECT_EQ(node("y").layer, 2);
  EXPECT_EQ(layout.layers, 4);
  EXPECT_EQ(layout.loop_edge,
            (std::vector<bool>{false, false, false, false, false, true, false, false}));
}

}  // namespace
}  // namespace orchsim::gui::gui_test

int main(int argc, char** argv) {
  // Widgets need a platform; offscreen needs no display. ctest sets it too.
  if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
  QApplication app(argc, argv);
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
