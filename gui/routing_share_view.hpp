// The Routing tab: at each node whose calls went to two or more agents, the
// share of its calls each agent took, over simulated time (the report's
// "timeseries"/"routing", eval/timeseries.hpp). It shows a learned router
// converging on an agent, a cascade's escalation rate, and a breaker moving
// load to a fallback while it is open and back when it closes.
//
// One chart, stacked areas (each agent's band is its share of the bucket's
// calls; the bands add up to 1), and the node's calls per second as a line on
// the right axis. A combo box picks the node; with two runs, run B's shares
// are drawn as dashed band edges over run A's areas.
//
//   RoutingShareView view;
//   view.set_runs(runs);
//   view.select_node("answer_query");
//
// GUI thread only.
#pragma once

#include <QList>
#include <QPointF>
#include <QString>
#include <QWidget>
#include <cstdint>
#include <vector>

#include "gui/report_data.hpp"
#include "gui/run_view.hpp"

class QComboBox;

namespace orchsim::gui {

class ChartView;

class RoutingShareView : public QWidget {
  Q_OBJECT

 public:
  explicit RoutingShareView(QWidget* parent = nullptr);

  void set_runs(const RunViews& runs);
  void clear();
  // Shows `node` when run A routes at it; false otherwise.
  bool select_node(const QString& node);

  ChartView* chart_view() const { return chart_; }
  QComboBox* node_box() const { return nodes_; }

  // Each agent's cumulative share of the bucket's calls (agent k's band runs
  // from row k - 1 to row k; row -1 is 0), as steps: a point at each
  // bucket's start and end (seconds), so nothing is interpolated between
  // buckets. A bucket with no calls at the node has every row at 0: drawn
  // empty, since shares of nothing are not shares.
  static std::vector<QList<QPointF>> cumulative_shares(const TimeSeries::RoutingNode& node,
                                                       double bucket_ms);

 private:
  void rebuild();

  RunViews runs_;
  QComboBox* nodes_;
  ChartView* chart_;
};

}  // namespace orchsim::gui
