// The Cost vs quality tab: one point per run (the open run, the compared
// run) and per sweep row (File > Open sweep), cost per request against mean
// answer quality, with the frontier of the points no other beats on both
// (cheaper or as cheap, and better or as good) drawn as a line. The table
// below lists every point with its p99 latency and whether it is on this
// frontier and on the sweep's own three-objective (p99, cost, quality) one.
//
//   CostQualityView view;
//   view.set_runs(runs);
//   view.set_sweep(load_sweep("sweep_out/").sweep);
//
// GUI thread only.
#pragma once

#include <QString>
#include <QWidget>
#include <optional>
#include <vector>

#include "gui/run_view.hpp"
#include "gui/sweep_data.hpp"

class QStandardItemModel;
class QTableView;

namespace orchsim::gui {

class ChartView;

struct CostQualityPoint {
  QString label;
  double cost_usd = 0;
  double quality = 0;
  std::optional<double> p99_ms;
  bool from_sweep = false;
  bool sweep_pareto = false;
  int run = -1;  // index into the runs for a run's point (its colour), -1 for sweep rows
};

// For each point: no other point has cost <= and quality >= with one strict.
std::vector<bool> cost_quality_frontier(const std::vector<CostQualityPoint>& points);

class CostQualityView : public QWidget {
  Q_OBJECT

 public:
  explicit CostQualityView(QWidget* parent = nullptr);

  void set_runs(const RunViews& runs);
  void set_sweep(std::optional<SweepData> sweep);
  void clear();

  // The points drawn (runs first, then sweep rows; those without a cost or a
  // quality are left out) and which are on the frontier.
  const std::vector<CostQualityPoint>& points() const { return points_; }
  const std::vector<bool>& frontier() const { return frontier_; }
  ChartView* chart_view() const { return chart_; }
  QStandardItemModel* table_model() const { return model_; }

 private:
  void rebuild();

  RunViews runs_;
  std::optional<SweepData> sweep_;
  std::vector<CostQualityPoint> points_;
  std::vector<bool> frontier_;
  ChartView* chart_;
  QStandardItemModel* model_;
  QTableView* table_;
};

}  // namespace orchsim::gui
