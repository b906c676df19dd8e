// The Workflow tab: the workflow as the run used it, drawn from the traffic
// on each edge (report.json metrics.routing.edges). Nodes go left to right in
// layers: a node's layer is its longest distance from "start" once the edges
// that close a loop (found by depth-first search from "start") are set aside,
// so a step always sits right of every step that feeds it. An edge to the
// next layer is a short curve; one that skips layers arcs above the graph; one
// that closes a loop (a re-retrieval, a retry of the plan) arcs below it.
// An edge's thickness grows with its traffic; hovering shows the counts.
//
//   WorkflowScene scene;
//   scene.set_report(report);     // one item per node and one per edge
//   WorkflowView view(&scene);    // fits the graph to the view on resize
//
// Only edges that saw traffic are in the report, so a branch never taken is
// not drawn. GUI thread only.
#pragma once

#include <QGraphicsScene>
#include <QGraphicsView>
#include <cstdint>
#include <string>
#include <vector>

#include "gui/report_data.hpp"

namespace orchsim::gui {

// Where each node goes: pure, so it is tested without a scene.
struct GraphLayout {
  struct Node {
    std::string name;
    int layer = 0;  // longest path from "start" over the edges that are not loop-closing
    int slot = 0;   // position within the layer, in order of discovery
    std::uint64_t in = 0, out = 0;  // traffic in and out
  };
  std::vector<Node> nodes;      // by layer, then slot
  std::vector<bool> loop_edge;  // per input edge: it closes a loop (drawn below)
  int layers = 0;
  int index_of(const std::string& name) const;
};

GraphLayout layout_workflow(const std::vector<EdgeRow>& edges);

class WorkflowScene : public QGraphicsScene {
  Q_OBJECT

 public:
  explicit WorkflowScene(QObject* parent = nullptr);

  void set_report(const ReportData& report);
  void clear_graph();

  int node_count() const { return node_count_; }
  int edge_count() const { return edge_count_; }

 private:
  int node_count_ = 0;
  int edge_count_ = 0;
};

class WorkflowView : public QGraphicsView {
  Q_OBJECT

 public:
  explicit WorkflowView(WorkflowScene* scene, QWidget* parent = nullptr);

  // Fits the whole graph in the view (never magnified past 1.5x).
  void fit();

 protected:
  void resizeEvent(QResizeEvent* event) override;
};

}  // namespace orchsim::gui
