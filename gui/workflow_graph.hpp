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
// Nodes that made calls are filled by their failure rate (error, timeout or
// invalid output over ended calls; white to red, the scale topping at the
// worst node or 5%) or by their mean call duration (to the slowest node's),
// from the report's metrics.nodes. Clicking a node selects it and emits
// node_selected(name) (empty when deselected); the window shows that node's
// agents beside the graph.
//
// Sub-workflows (metrics.sub_workflows) are drawn as named, dashed boxes
// around their nodes; a run enters one by the edge from its calling node,
// so the hierarchy reads left to right, one box per sub-workflow.
//
// Only edges that saw traffic are in the report, so a branch never taken is
// not drawn. GUI thread only.
#pragma once

#include <QGraphicsScene>
#include <QGraphicsView>
#include <cstdint>
#include <memory>
#include <optional>
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

enum class NodeColour { kNone, kFailureRate, kLatency };

class WorkflowScene : public QGraphicsScene {
  Q_OBJECT

 public:
  explicit WorkflowScene(QObject* parent = nullptr);
  // Items die deselected; no selection signal may reach a half-destroyed scene.
  ~WorkflowScene() override;

  void set_report(const ReportData& report);
  void clear_graph();
  void set_colour_by(NodeColour by);
  NodeColour colour_by() const { return colour_by_; }
  // Selects the node named `name` (as a click would); false if there is none.
  bool select_node(const QString& name);
  const QString& selected_node() const { return selected_; }

  int node_count() const { return node_count_; }
  int edge_count() const { return edge_count_; }
  int cluster_count() const { return cluster_count_; }  // sub-workflow boxes
  // The value a node is coloured by, and the top of the colour scale.
  static std::optional<double> heat_value(const ReportData& report, const std::string& node,
                                          NodeColour by);
  double heat_max() const { return heat_max_; }

 Q_SIGNALS:
  void node_selected(const QString& name);

 private:
  std::shared_ptr<const ReportData> report_;
  NodeColour colour_by_ = NodeColour::kFailureRate;
  QString selected_;
  double heat_max_ = 0;
  int node_count_ = 0;
  int edge_count_ = 0;
  int cluster_count_ = 0;
};

class WorkflowView : public QGraphicsView {
  Q_OBJECT

 public:
  explicit WorkflowView(WorkflowScene* scene, QWidget* parent = nullptr);

  // Fits the whole graph in the view (never magnified past 1.5x).
  void fit();

 protected:
  void resizeEvent(QResizeEvent* event) override;
  // The wheel zooms around the pointer (then resizing no longer refits); 0 or Home fits again.
  void wheelEvent(QWheelEvent* event) override;
  void keyPressEvent(QKeyEvent* event) override;

 private:
  bool zoomed_ = false;
};

}  // namespace orchsim::gui
