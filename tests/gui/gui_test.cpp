// The explorer against a real run: what its models, charts and graph hold,
// how it refuses bad files, and that its screenshots are pictures.
#include <gtest/gtest.h>

#include <QApplication>
#include <QChart>
#include <QChartView>
#include <QDir>
#include <QFile>
#include <QGraphicsItem>
#include <QImage>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>
#include <fstream>
#include <set>
#include <stdexcept>

#include "eval/report.hpp"
#include "eval/runner.hpp"
#include "gui/agents_model.hpp"
#include "gui/agents_view.hpp"
#include "gui/latency_chart.hpp"
#include "gui/main_window.hpp"
#include "gui/report_data.hpp"
#include "gui/scenario_runner.hpp"
#include "gui/summary_model.hpp"
#include "gui/workflow_graph.hpp"
#include "scenarios/scenario.hpp"

namespace orchsim::gui {
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
    const eval::RunResult result = eval::run_scenario(*loaded.scenario, options);
    report_ = new Json(eval::make_report(*loaded.scenario, result));
    write_file(dir_->filePath("report.json"), report_->dump(2) + "\n");
  }
  static void TearDownTestSuite() {
    delete report_;
    delete dir_;
  }

  static const Json& report() { return *report_; }
  static QString run_dir() { return dir_->path(); }

  static QTemporaryDir* dir_;
  static Json* report_;
};

QTemporaryDir* GuiRunTest::dir_ = nullptr;
Json* GuiRunTest::report_ = nullptr;

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
  EXPECT_EQ(r.arrived, 500u);
  EXPECT_EQ(r.completed, m["requests"]["completed"].get<std::uint64_t>());
  EXPECT_DOUBLE_EQ(*r.latency_all.p99, m["latency_ms"]["all"]["p99"].get<double>());
  EXPECT_EQ(r.agents.size(), m["agents"].size());
  EXPECT_EQ(r.edges.size(), m["routing"]["edges"].size());
}

TEST_F(GuiRunTest, WindowModelsHoldTheReportsNumbers) {
  MainWindow window;
  window.set_interactive(false);
  ASSERT_TRUE(window.open_run(run_dir())) << window.last_error().toStdString();
  const Json& m = report()["metrics"];

  SummaryModel& summary = *window.summary_model();
  EXPECT_EQ(summary.columnCount(), 3);
  EXPECT_EQ(summary.rowCount(), 25);
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
  const QList<QPointF> points = LatencyChart::cdf_points(loaded.report->latency_all);
  ASSERT_EQ(points.size(), 7);  // min, p50, p90, p95, p99, p99.9, max
  EXPECT_EQ(points[0], QPointF(*loaded.report->latency_all.min, 0.0));
  EXPECT_EQ(points[1], QPointF(*loaded.report->latency_all.p50, 50.0));
  EXPECT_EQ(points[6].y(), 100.0);
  for (int i = 1; i < points.size(); ++i) EXPECT_GE(points[i].x(), points[i - 1].x());

  LatencyChart chart;
  chart.set_report(*loaded.report);
  // Curves for all and successful requests, then markers for p50, p95, p99.
  EXPECT_EQ(chart.chart()->series().size(), 5);
  chart.set_log_axis(true);
  EXPECT_EQ(chart.chart()->series().size(), 5);
  EXPECT_EQ(chart.chart()->axes(Qt::Horizontal).front()->type(), QAbstractAxis::AxisTypeLogValue);
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

  window.tabs()->setCurrentIndex(MainWindow::kLatencyTab);
  const QString exported = out.filePath("latency.png");
  ASSERT_TRUE(window.export_current_view(exported, &error)) << error.toStdString();
  EXPECT_FALSE(QImage(exported).isNull());
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
                 "metrics": {"requests": {"arrived": 1, "finished": 1, "completed": "many"}}})");
  const ReportLoad r = load_report(path("report.json").toStdString());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error, path("report.json").toStdString() +
                         ": /metrics/requests/completed: found \"many\", expected a count "
                         "(integer >= 0)");
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
  EXPECT_EQ(window.report()->arrived, 300u);
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
  QTest::qWait(300);
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
}  // namespace orchsim::gui

int main(int argc, char** argv) {
  // Widgets need a platform; offscreen needs no display. ctest sets it too.
  if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
  QApplication app(argc, argv);
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
