// The Over time tab: a run along simulated time, from the report's
// "timeseries" (eval/timeseries.hpp), in four charts sharing the time axis:
//   - Throughput: requests completed and failed per second (and arrivals);
//   - In flight: time-averaged requests in flight and mean latency of the
//     requests ending in each bucket;
//   - Queues: time-averaged calls waiting for a server, per agent;
//   - Errors and breakers: failed calls per second per agent, and the share
//     of each bucket an agent's breaker was open (dotted, right axis).
// Comparing two runs draws run B's throughput and in-flight curves dashed on
// the same charts. Each chart zooms and pans on its own (ChartView).
//
//   OverTimeView view;
//   view.set_runs({{"A: retry_storm", report, run_colour(0)}});
//
// Points sit at bucket midpoints, x in simulated seconds. GUI thread only.
#pragma once

#include <QList>
#include <QPointF>
#include <QWidget>
#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "gui/run_view.hpp"

class QChart;
class QValueAxis;

namespace orchsim::gui {

class ChartView;

class OverTimeView : public QWidget {
  Q_OBJECT

 public:
  enum Panel { kThroughput = 0, kInFlight, kQueues, kErrors, kPanelCount };

  explicit OverTimeView(QWidget* parent = nullptr);

  void set_runs(const RunViews& runs);
  void clear();

  ChartView* view(Panel panel) const { return views_[panel]; }

  // Per-second rates of per-bucket counts, at bucket midpoints (x in s). The
  // run ends `end_ms` into its time (0: unknown), so the last bucket's count
  // is divided by the part of it the run covered, not by the whole width.
  static QList<QPointF> rate_points(const std::vector<std::uint64_t>& counts, double bucket_ms,
                                    double end_ms = 0);
  // Levels (means, shares) at bucket midpoints; `scale` multiplies the value.
  static QList<QPointF> level_points(const std::vector<double>& values, double bucket_ms,
                                     double scale = 1.0);
  // Values with gaps (nullopt) left out.
  static QList<QPointF> level_points(const std::vector<std::optional<double>>& values,
                                     double bucket_ms);

 private:
  void rebuild();
  void add_metastability_marks(QChart* chart, QValueAxis* x, QValueAxis* y);

  RunViews runs_;
  std::array<ChartView*, kPanelCount> views_{};
};

}  // namespace orchsim::gui
