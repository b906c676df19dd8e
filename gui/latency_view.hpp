// The Latency tab: the latency distribution of one run, or of two runs
// compared, as a cumulative curve (share of requests finished within x ms)
// above a histogram (share of requests per bin), with p50, p95 and p99 marked
// on the curve for each run.
//
//   LatencyView view;
//   view.set_runs({{"A: rag", report, run_colour(0)}});
//   view.set_log_axis(true);   // latency on a log scale: the tail gets room
//
// Both charts come from the report's "latency_histogram" bins (R10 edges, ten
// per decade), the curve also passing through the report's quantiles; a
// report without bins (written before they existed) falls back to a curve
// through its quantiles alone and no histogram. Zoom and pan as in
// every ChartView. GUI thread only.
#pragma once

#include <QList>
#include <QPointF>
#include <QWidget>

#include "gui/run_view.hpp"

namespace orchsim::gui {

class ChartView;

class LatencyView : public QWidget {
  Q_OBJECT

 public:
  explicit LatencyView(QWidget* parent = nullptr);

  void set_runs(const RunViews& runs);
  void clear();
  void set_log_axis(bool on);
  bool log_axis() const { return log_axis_; }

  ChartView* cdf_view() const { return cdf_; }
  ChartView* histogram_view() const { return histogram_; }

  // The cumulative curve through a report's quantiles min, p50, p90, p95,
  // p99, p99.9 and max: (ms, percent at or below), nulls left out.
  static QList<QPointF> cdf_points(const LatencySummary& latency);
  // The cumulative curve from histogram bins: (edge ms, percent of requests
  // below it), from (first edge, 0) to (last edge, 100). Empty when no counts.
  static QList<QPointF> cdf_points(const std::vector<double>& edges_ms,
                                   const std::vector<std::uint64_t>& counts);
  // The bin-edge curve with the quantile points (p50, p90, ... from the
  // report's exact-to-1/256 quantiles) merged in, sorted by latency and kept
  // non-decreasing: between two edges the bins alone would draw a straight
  // line, so a p50 marker could sit off the curve.
  static QList<QPointF> merged_cdf(const QList<QPointF>& at_edges,
                                   const QList<QPointF>& at_quantiles);
  // The histogram as a step outline: per bin (edge_i, share) and
  // (edge_i+1, share), share in percent of all requests.
  static QList<QPointF> histogram_steps(const std::vector<double>& edges_ms,
                                        const std::vector<std::uint64_t>& counts);

 private:
  void rebuild();
  void rebuild_cdf();
  void rebuild_histogram();

  RunViews runs_;
  bool log_axis_ = false;
  ChartView* cdf_;
  ChartView* histogram_;
};

}  // namespace orchsim::gui
