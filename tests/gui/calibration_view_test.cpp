// The Calibration view on a real fit report (orchsim fit on a shared LLMPerf
// file): what it parses, what its charts draw, how it refuses foreign files,
// and a screenshot that is a picture.
#include "gui/calibration_view.hpp"

#include <gtest/gtest.h>

#include <QChart>
#include <QImage>
#include <QLabel>
#include <QLineSeries>
#include <QScatterSeries>
#include <QStandardItemModel>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTreeWidget>
#include <fstream>

#include "gui/chart_view.hpp"
#include "gui/fit_report_data.hpp"
#include "gui/main_window.hpp"
#include "scenarios/calibration/calibrate.hpp"
#include "scenarios/calibration/fit_report.hpp"

namespace orchsim::gui::calibration_view_test {
namespace {

// The report `orchsim fit anyscale_13b.json lepton_7b.json --group-by file --report` writes.
const std::string& fit_report_text() {
  static const std::string text = [] {
    calibration::FitOptions o;
    const std::string dir = std::string(ORCHSIM_SHARED_DATA) + "/llmperf-2023-12/";
    o.inputs = {dir + "anyscale_13b.json", dir + "lepton_7b.json"};
    std::string problem;
    calibration::parse_group_by("file", o.group_by, problem);
    const auto r = calibration::calibrate(o);
    return calibration::report_json(r.value()).dump(1);
  }();
  return text;
}

template <typename T>
std::vector<T*> series_of(QChart* chart) {
  std::vector<T*> out;
  for (QAbstractSeries* s : chart->series()) {
    if (auto* t = qobject_cast<T*>(s)) out.push_back(t);
  }
  return out;
}

TEST(FitReportData, ParsesGroupsQuantitiesAndFamilies) {
  const FitReportLoad r = parse_fit_report(fit_report_text(), "fit.json");
  ASSERT_TRUE(r.ok()) << r.error;
  ASSERT_EQ(r.report->groups.size(), 2u);
  const FitGroup& g = r.report->groups[0];
  EXPECT_EQ(g.agent, "anyscale_13b");
  EXPECT_EQ(g.calls, 150u);
  ASSERT_EQ(g.quantities.size(), 4u);
  EXPECT_EQ(g.quantities[0].name, "ttft_ms");
  EXPECT_EQ(g.quantities[0].families.size(), 6u);
  ASSERT_NE(g.quantities[0].chosen(), nullptr);
  EXPECT_EQ(g.quantities[0].chosen()->pairs.size(), 103u);
  EXPECT_FALSE(r.report->groups[1].quantities[0].warnings.empty());  // lepton: 20 values
}

TEST(FitReportData, ForeignOrBrokenFilesAreRefusedWithAPointer) {
  EXPECT_EQ(parse_fit_report("{", "x.json").error, "x.json: not valid JSON");
  EXPECT_NE(
      parse_fit_report(R"({"format": "orchsim_report"})", "x.json").error.find("x.json: /format"),
      std::string::npos);
  EXPECT_NE(parse_fit_report(R"({"format": "orchsim_fit_report", "version": 2})", "x.json")
                .error.find("/version: found 2, expected 1"),
            std::string::npos);
  EXPECT_NE(
      parse_fit_report(
          R"({"format": "orchsim_fit_report", "version": 1, "groups": [{"name": "a"}]})", "x.json")
          .error.find("/groups/0/quantities: missing"),
      std::string::npos);
}

TEST(CalibrationView, DrawsMeasuredAndFittedCdfAndAQqPlot) {
  CalibrationView view;
  view.resize(1000, 700);
  view.set_report(parse_fit_report(fit_report_text(), "fit.json").report);
  EXPECT_EQ(view.tree()->topLevelItemCount(), 2);
  EXPECT_EQ(view.shown_group(), 0);
  EXPECT_EQ(view.shown_quantity(), 0);
  // Chosen family only: the measured CDF and one fitted curve; on the QQ plot
  // the diagonal and one set of points.
  auto cdf_lines = series_of<QLineSeries>(view.cdf_view()->chart());
  ASSERT_EQ(cdf_lines.size(), 2u);
  EXPECT_EQ(cdf_lines[0]->name(), "measured");
  EXPECT_EQ(cdf_lines[0]->count(), 103);
  auto qq_points = series_of<QScatterSeries>(view.qq_view()->chart());
  ASSERT_EQ(qq_points.size(), 1u);
  EXPECT_EQ(qq_points[0]->count(), 103);
  EXPECT_EQ(view.table_model()->rowCount(), 6);
  // Every family at once.
  view.show_family("all");
  EXPECT_GE(series_of<QScatterSeries>(view.qq_view()->chart()).size(), 5u);
  // Another group and quantity.
  ASSERT_TRUE(view.select(1, 2));
  EXPECT_NE(view.header()->text().indexOf("output_tokens"), -1);
  EXPECT_FALSE(view.select(5, 0));
  view.set_log_axis(true);
  EXPECT_FALSE(view.cdf_view()->chart()->series().isEmpty());
}

TEST(CalibrationView, MainWindowOpensAFitReportOnItsTab) {
  QTemporaryDir dir;
  const QString path = dir.filePath("fit.json");
  std::ofstream(path.toStdString()) << fit_report_text();
  MainWindow window;
  window.set_interactive(false);
  window.resize(1200, 760);
  QString error;
  ASSERT_TRUE(window.open_and_wait(path, {}, &error)) << error.toStdString();
  EXPECT_EQ(window.tabs()->currentIndex(), MainWindow::kCalibrationTab);
  EXPECT_TRUE(window.calibration_view()->report().has_value());
  EXPECT_EQ(MainWindow::tab_file_name(MainWindow::kCalibrationTab), "gui-calibration.png");
  // A picture of the tab, not a blank.
  window.setAttribute(Qt::WA_DontShowOnScreen);
  window.show();
  const QImage shot = window.grab().toImage();
  std::set<QRgb> colours;
  for (int y = 0; y < shot.height(); y += 7) {
    for (int x = 0; x < shot.width(); x += 7) colours.insert(shot.pixel(x, y));
  }
  EXPECT_GT(colours.size(), 20u);
  const QString out = dir.filePath("gui-calibration.png");
  EXPECT_TRUE(shot.save(out));
  if (const char* keep = std::getenv("ORCHSIM_KEEP_SCREENSHOT")) QFile::copy(out, keep);
}

TEST(CalibrationView, ABrokenFitReportIsReportedNotShown) {
  QTemporaryDir dir;
  const QString path = dir.filePath("fit.json");
  std::ofstream(path.toStdString()) << R"({"format": "orchsim_fit_report", "version": 7})";
  MainWindow window;
  window.set_interactive(false);
  EXPECT_FALSE(window.open_fit_report(path));
  EXPECT_NE(window.last_error().indexOf("/version"), -1);
  EXPECT_FALSE(window.calibration_view()->report().has_value());
}

}  // namespace
}  // namespace orchsim::gui::calibration_view_test
