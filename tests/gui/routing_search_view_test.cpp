// The Routing and Search tabs: traffic shares that add up to one and follow
// the run's calls, and a search's evaluated points over its Pareto front,
// read from the pinned golden search of tests/cli.
#include <gtest/gtest.h>

#include <QAreaSeries>
#include <QChart>
#include <QComboBox>
#include <QFile>
#include <QLineSeries>
#include <QScatterSeries>
#include <QTemporaryDir>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>

#include "eval/report.hpp"
#include "eval/runner.hpp"
#include "gui/chart_view.hpp"
#include "gui/main_window.hpp"
#include "gui/report_data.hpp"
#include "gui/routing_share_view.hpp"
#include "gui/run_view.hpp"
#include "gui/search_data.hpp"
#include "gui/search_view.hpp"
#include "scenarios/scenario.hpp"

namespace orchsim::gui::routing_search_view_test {
namespace {

std::string golden_search_path() {
  return std::string(ORCHSIM_SOURCE_ROOT) + "/tests/cli/golden/model_cascade_search.json";
}

std::shared_ptr<const ReportData> run_report(const char* scenario, std::uint64_t requests) {
  const scenarios::LoadResult loaded = scenarios::load_scenario(scenario);
  EXPECT_TRUE(loaded.ok());
  eval::RunOptions options;
  options.requests = requests;
  const eval::RunResult run = eval::run_scenario(*loaded.scenario, options);
  const ReportLoad read = report_from_json(eval::make_report(*loaded.scenario, run), scenario);
  EXPECT_TRUE(read.ok()) << read.error;
  return std::make_shared<const ReportData>(*read.report);
}

TEST(RoutingShare, CumulativeSharesOfAHandMadeNodeAreExactStepsAndEmptyWithoutCalls) {
  TimeSeries::RoutingNode node;
  node.node = "n";
  node.agents = {"a", "b"};
  node.calls = {{1, 0, 3}, {3, 0, 1}};
  const auto rows = RoutingShareView::cumulative_shares(node, 1000.0);
  ASSERT_EQ(rows.size(), 2u);
  const QList<QPointF> a = {{0, 0.25}, {1, 0.25}, {1, 0}, {2, 0}, {2, 0.75}, {3, 0.75}};
  const QList<QPointF> b = {{0, 1}, {1, 1}, {1, 0}, {2, 0}, {2, 1}, {3, 1}};
  EXPECT_EQ(rows[0], a);
  EXPECT_EQ(rows[1], b);
}

TEST(RoutingShare, TheLearnedRoutersNodeIsShownWithABandPerAgentAddingUpToOne) {
  const auto report = run_report("learned_router", 4000);
  ASSERT_FALSE(report->series.routing.empty());
  const TimeSeries::RoutingNode& node = report->series.routing.front();
  ASSERT_GE(node.agents.size(), 2u);
  // The section's calls are the calls started at the node: summed over
  // buckets and agents, they are the node's calls in the report.
  std::uint64_t calls = 0;
  for (const auto& agent : node.calls) {
    for (std::uint64_t v : agent) calls += v;
  }
  const NodeRow* row = nullptr;
  for (const NodeRow& n : report->metrics.nodes) {
    if (n.name == node.node) row = &n;
  }
  ASSERT_NE(row, nullptr);
  EXPECT_EQ(calls, row->calls_started);

  RoutingShareView view;
  view.set_runs({{"A", report, run_colour(0)}});
  EXPECT_EQ(view.node_box()->currentText().toStdString(), node.node);
  const QChart* c = view.chart_view()->chart();
  int areas = 0;
  for (QAbstractSeries* s : c->series()) {
    const auto* area = qobject_cast<QAreaSeries*>(s);
    if (area == nullptr) continue;
    ++areas;
    // Every upper edge is within [0, 1]; the last band's is 1 everywhere.
    for (const QPointF& p : area->upperSeries()->points()) {
      EXPECT_GE(p.y(), 0.0);
      EXPECT_LE(p.y(), 1.0 + 1e-12);
    }
    if (areas == static_cast<int>(node.agents.size())) {  // 1, or 0 where no call started
      for (const QPointF& p : area->upperSeries()->points())
        EXPECT_TRUE(p.y() == 1.0 || p.y() == 0.0);
    }
  }
  EXPECT_EQ(areas, static_cast<int>(node.agents.size()));
  EXPECT_NE(c->title().indexOf(QString::number(calls)), -1) << c->title().toStdString();
  EXPECT_FALSE(view.select_node("no_such_node"));
}

TEST(RoutingShare, ARunThatRoutesNowhereSaysSo) {
  const auto report = run_report("hedged_requests", 300);  // one agent
  EXPECT_TRUE(report->series.routing.empty());
  RoutingShareView view;
  view.set_runs({{"A", report, run_colour(0)}});
  EXPECT_NE(view.chart_view()->chart()->title().indexOf("no node sent calls"), -1);
}

TEST(SearchData, ReadsTheGoldenSearchAndRefusesOtherFiles) {
  const SearchLoad s = load_search(golden_search_path());
  ASSERT_TRUE(s.ok()) << s.error;
  EXPECT_EQ(s.search->scenario, "model_cascade");
  EXPECT_EQ(s.search->objective, "quality.mean");
  EXPECT_TRUE(s.search->maximize);
  ASSERT_EQ(s.search->constraints.size(), 1u);
  EXPECT_EQ(s.search->constraints[0].bound, 0.004);
  EXPECT_EQ(s.search->rungs, (std::vector<std::uint64_t>{30, 90, 270}));
  EXPECT_EQ(s.search->rows.size(), 19u);
  EXPECT_EQ(s.search->parameters.size(), 2u);
  EXPECT_FALSE(s.search->pareto.empty());
  EXPECT_TRUE(s.search->best.has_value());
  for (const SearchEvaluationRow& r : s.search->rows) {
    ASSERT_EQ(r.means.size(), 2u);
    EXPECT_EQ(r.values.size(), 2u);
  }

  EXPECT_NE(parse_search("{", "x.json").error.find("not valid JSON"), std::string::npos);
  EXPECT_NE(parse_search(R"({"schema": "orchsim.sweep", "schema_version": 1})", "x.json")
                .error.find("not an orchsim search"),
            std::string::npos);
  EXPECT_NE(parse_search(R"({"schema": "orchsim.search", "schema_version": 2})", "x.json")
                .error.find("/schema_version"),
            std::string::npos);
  // A damaged row is named by its pointer.
  std::ifstream in(golden_search_path());
  std::stringstream text;
  text << in.rdbuf();
  nlohmann::json doc = nlohmann::json::parse(text.str());
  doc["evaluations"][3]["rung"] = "two";
  const SearchLoad bad = parse_search(doc.dump(), "s.json");
  EXPECT_NE(bad.error.find("s.json: /evaluations/3/rung"), std::string::npos) << bad.error;
  doc = nlohmann::json::parse(text.str());
  doc["evaluations"][3]["rung"] = 7;
  EXPECT_NE(parse_search(doc.dump(), "s.json").error.find("past the last rung"), std::string::npos);
  // Found by fuzz_search (CI, 0bd9dac): a flag that is not true/false threw
  // nlohmann's type_error out of the loader.
  doc = nlohmann::json::parse(text.str());
  doc["evaluations"][2]["reused"] = nlohmann::json::object();
  EXPECT_EQ(parse_search(doc.dump(), "s.json").error,
            "s.json: /evaluations/2/reused: not true or false");
  doc = nlohmann::json::parse(text.str());
  doc["evaluations"][0]["feasible"] = 1;
  EXPECT_EQ(parse_search(doc.dump(), "s.json").error,
            "s.json: /evaluations/0/feasible: not true or false");
}

TEST(SearchView, DrawsEachRungTheParetoFrontTheBoundAndTheBest) {
  const SearchLoad s = load_search(golden_search_path());
  ASSERT_TRUE(s.ok()) << s.error;
  SearchView view;
  view.set_search(s.search);
  // x: the constraint's metric, then the two parameters.
  ASSERT_EQ(view.x_box()->count(), 3);
  EXPECT_EQ(view.x_box()->itemText(0).toStdString(), "per_request.cost_usd");
  const QChart* c = view.chart_view()->chart();
  QStringList names;
  for (QAbstractSeries* series : c->series()) names << series->name();
  for (const char* n : {"30 requests", "90 requests", "270 requests",
                        "Pareto front (full fidelity)", "bound \u2264 0.004"})
    EXPECT_TRUE(names.contains(n)) << n << " in " << names.join(", ").toStdString();
  EXPECT_TRUE(names.filter("best: candidate").size() == 1) << names.join(", ").toStdString();
  // Each rung's scatter holds its fresh rows.
  for (QAbstractSeries* series : c->series()) {
    if (series->name() != "270 requests") continue;
    int full = 0;
    for (const SearchEvaluationRow& r : s.search->rows) full += r.rung == 2 && !r.reused;
    EXPECT_EQ(qobject_cast<QScatterSeries*>(series)->count(), full);
  }
  // The front is the Pareto candidates, sorted by x.
  const QList<QPointF> front = SearchView::front_points(*s.search, 0);
  EXPECT_EQ(front.size(), static_cast<qsizetype>(s.search->pareto.size()));
  for (qsizetype i = 1; i < front.size(); ++i) EXPECT_LE(front[i - 1].x(), front[i].x());
  // On a parameter's axis, the x values are the parameter's.
  view.x_box()->setCurrentIndex(1);
  const auto xs = SearchView::x_values(*s.search, 1);
  ASSERT_TRUE(xs.front().has_value());
  EXPECT_EQ(QString::number(*xs.front(), 'g', 6).toStdString(), s.search->rows.front().values[0]);
  EXPECT_NE(c->title().indexOf("maximize quality.mean"), -1) << c->title().toStdString();
  // Rich text: no "<" that would swallow the rest of the title.
  EXPECT_EQ(c->title().indexOf("<"), -1) << c->title().toStdString();
  EXPECT_NE(c->title().indexOf(QStringLiteral("per_request.cost_usd \u2264 0.004")), -1);
}

TEST(SearchView, TheWindowOpensASearchFolderOnTheSearchTab) {
  QTemporaryDir dir;
  ASSERT_TRUE(
      QFile::copy(QString::fromStdString(golden_search_path()), dir.filePath("search.json")));
  MainWindow window;
  window.set_interactive(false);
  QString error;
  ASSERT_TRUE(window.open_and_wait(dir.path(), {}, &error)) << error.toStdString();
  EXPECT_EQ(window.tabs()->currentIndex(), MainWindow::kSearchTab);
  ASSERT_TRUE(window.search_view()->search().has_value());
  EXPECT_EQ(window.search_view()->search()->rows.size(), 19u);
}

}  // namespace
}  // namespace orchsim::gui::routing_search_view_test
