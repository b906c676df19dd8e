// The Latency tab: the latency distribution of a run as a cumulative curve
// (share of requests finished within x ms), drawn through the report's
// quantiles min, p50, p90, p95, p99, p99.9 and max with straight segments,
// with p50, p95 and p99 marked and named in the legend.
//
//   LatencyChart chart;
//   chart.set_report(report);
//   chart.set_log_axis(true);   // latency on a log scale: the tail gets room
//
// The curve is only as fine as the quantiles: between two of them it is a
// straight line, not data. GUI thread only; OpenGL rendering stays off (it
// crashes under the offscreen platform used for tests and screenshots).
#pragma once

#include <QChartView>
#include <QList>
#include <QPointF>
#include <optional>

#include "gui/report_data.hpp"

namespace orchsim::gui {

class LatencyChart : public QChartView {
  Q_OBJECT

 public:
  explicit LatencyChart(QWidget* parent = nullptr);

  void set_report(const ReportData& report);
  void clear();
  void set_log_axis(bool on);
  bool log_axis() const { return log_axis_; }

  // The curve's points for a latency summary: (latency in ms, percent of
  // requests at or below it), nulls left out, in increasing order.
  static QList<QPointF> cdf_points(const LatencySummary& latency);

 private:
  void rebuild();

  std::optional<LatencySummary> all_, success_;
  bool log_axis_ = false;
};

}  // namespace orchsim::gui
