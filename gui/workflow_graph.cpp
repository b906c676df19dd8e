#include "gui/workflow_graph.hpp"

#include <QCursor>
#include <QFontMetricsF>
#include <QGraphicsItem>
#include <QKeyEvent>
#include <QPainter>
#include <QPainterPath>
#include <QPainterPathStroker>
#include <QSignalBlocker>
#include <QWheelEvent>
#include <QtMath>
#include <algorithm>
#include <cmath>
#include <deque>
#include <map>

namespace orchsim::gui {

int GraphLayout::index_of(const std::string& name) const {
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    if (nodes[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

GraphLayout layout_workflow(const std::vector<EdgeRow>& edges) {
  // Everything in report order, never in map order, so that the same report
  // always draws the same picture.
  std::vector<std::string> names;
  std::map<std::string, std::size_t> id;
  auto intern = [&](const std::string& n) {
    auto [it, inserted] = id.emplace(n, names.size());
    if (inserted) names.push_back(n);
    return it->second;
  };
  intern("start");
  std::vector<std::pair<std::size_t, std::size_t>> ends;  // per edge
  for (const EdgeRow& e : edges) {
    const std::size_t a = intern(e.from);
    ends.emplace_back(a, intern(e.to));
  }
  const std::size_t n_nodes = names.size();
  std::vector<std::vector<std::size_t>> out_edges(n_nodes);
  std::vector<std::uint64_t> in(n_nodes), out(n_nodes);
  for (std::size_t i = 0; i < edges.size(); ++i) {
    out_edges[ends[i].first].push_back(i);
    out[ends[i].first] += edges[i].count;
    in[ends[i].second] += edges[i].count;
  }

  // Depth-first from "start" (then from anything it does not reach): an edge
  // to a node still on the stack closes a loop. Iterative: a workflow may be long.
  GraphLayout layout;
  layout.loop_edge.assign(edges.size(), false);
  enum : char { kNew, kOnStack, kDone };
  std::vector<char> state(n_nodes, kNew);
  for (std::size_t root = 0; root < n_nodes; ++root) {
    if (state[root] != kNew) continue;
    std::vector<std::pair<std::size_t, std::size_t>> stack{{root, 0}};  // node, next out edge
    state[root] = kOnStack;
    while (!stack.empty()) {
      auto& [node, next] = stack.back();
      if (next == out_edges[node].size()) {
        state[node] = kDone;
        stack.pop_back();
        continue;
      }
      const std::size_t e = out_edges[node][next++];
      const std::size_t to = ends[e].second;
      if (state[to] == kOnStack) {
        layout.loop_edge[e] = true;
      } else if (state[to] == kNew) {
        state[to] = kOnStack;
        stack.emplace_back(to, 0);
      }
    }
  }

  // Longest path over the remaining edges (a DAG), in Kahn's order; nodes
  // that nothing feeds, other than "start", begin at layer 1.
  std::vector<int> pending(n_nodes, 0);
  for (std::size_t e = 0; e < edges.size(); ++e) {
    if (!layout.loop_edge[e]) ++pending[ends[e].second];
  }
  std::vector<int> layer(n_nodes, 0);
  for (std::size_t n = 1; n < n_nodes; ++n) layer[n] = 1;
  // What "start" reaches first, then any part it does not reach, so that
  // the main flow takes the first slot of every layer.
  std::vector<std::size_t> order;
  std::vector<bool> queued(n_nodes, false);
  for (std::size_t root = 0; root < n_nodes; ++root) {
    if (queued[root] || pending[root] != 0) continue;
    std::deque<std::size_t> ready{root};
    queued[root] = true;
    while (!ready.empty()) {
      const std::size_t n = ready.front();
      ready.pop_front();
      order.push_back(n);
      for (std::size_t e : out_edges[n]) {
        if (layout.loop_edge[e]) continue;
        const std::size_t to = ends[e].second;
        layer[to] = std::max(layer[to], layer[n] + 1);
        if (--pending[to] == 0) {
          queued[to] = true;
          ready.push_back(to);
        }
      }
    }
  }

  std::vector<int> slot_count;
  for (std::size_t n : order) {
    const auto l = static_cast<std::size_t>(layer[n]);
    if (slot_count.size() <= l) slot_count.resize(l + 1, 0);
    layout.nodes.push_back({names[n], layer[n], slot_count[l]++, in[n], out[n]});
  }
  std::stable_sort(layout.nodes.begin(), layout.nodes.end(),
                   [](const auto& a, const auto& b) { return a.layer < b.layer; });
  layout.layers = static_cast<int>(slot_count.size());
  return layout;
}

namespace {

constexpr int kNodeNameKey = 0;  // QGraphicsItem::data key holding a node item's name
constexpr qreal kNodeHeight = 44;
constexpr qreal kLayerGap = 70;  // horizontal space between layers
constexpr qreal kSlotGap = 40;   // vertical space between nodes of a layer

enum class NodeKind { kStart, kStep, kTerminal };

// A workflow node: a rounded box with its name (start: an ellipse; an end of
// the workflow: grey). Draws its own label so that a node is one scene item.
class NodeItem : public QGraphicsItem {
 public:
  NodeItem(QString name, NodeKind kind, QRectF rect, QFont font, std::optional<QColor> fill)
      : name_(std::move(name)), kind_(kind), rect_(rect), font_(std::move(font)), heat_(fill) {
    setData(kNodeNameKey, name_);
    setCursor(Qt::PointingHandCursor);
  }

  QRectF boundingRect() const override { return rect_.adjusted(-2, -2, 2, 2); }

  void paint(QPainter* p, const QStyleOptionGraphicsItem*, QWidget*) override {
    p->setRenderHint(QPainter::Antialiasing);
    QColor fill(0xde, 0xeb, 0xf7), border(0x31, 0x65, 0x9c);
    if (kind_ == NodeKind::kStart) {
      fill = QColor(0xd9, 0xf0, 0xd3);
      border = QColor(0x2c, 0x7d, 0x2c);
    } else if (kind_ == NodeKind::kTerminal) {
      fill = QColor(0xee, 0xee, 0xee);
      border = QColor(0x55, 0x55, 0x55);
    }
    if (heat_) fill = *heat_;
    p->setPen(QPen(border, isSelected() ? 3.2 : 1.6));
    p->setBrush(fill);
    if (kind_ == NodeKind::kStart) {
      p->drawEllipse(rect_);
    } else {
      p->drawRoundedRect(rect_, 8, 8);
    }
    p->setFont(font_);
    p->setPen(Qt::black);
    p->drawText(rect_, Qt::AlignCenter, name_);
  }

 private:
  QString name_;
  NodeKind kind_;
  QRectF rect_;
  QFont font_;
  std::optional<QColor> heat_;
};

// White through yellow to red as `t` goes from 0 to 1.
QColor heat_colour(double t) {
  t = std::clamp(t, 0.0, 1.0);
  const auto f = [](double v) { return static_cast<float>(v); };
  if (t < 0.5) return QColor::fromRgbF(1.0f, 1.0f, f(1.0 - 1.2 * t));  // white -> pale yellow
  return QColor::fromRgbF(1.0f, f(1.0 - 1.2 * (t - 0.5)), f(0.4 - 0.6 * (t - 0.5)));  // -> red
}

// A traffic-weighted edge with its arrowhead and count, as one scene item.
class EdgeItem : public QGraphicsItem {
 public:
  EdgeItem(QPainterPath path, qreal width, QString label, QFont font)
      : path_(std::move(path)), width_(width), label_(std::move(label)), font_(std::move(font)) {
    // Arrowhead at the end, along the path's direction there.
    const QPointF tip = path_.pointAtPercent(1.0);
    const qreal angle = qDegreesToRadians(path_.angleAtPercent(0.99));
    const qreal size = 9 + width_;
    const QPointF back(-std::cos(angle) * size, std::sin(angle) * size);
    const QPointF side(-std::sin(angle) * size * 0.45, -std::cos(angle) * size * 0.45);
    arrow_ << tip << tip + back + side << tip + back - side;

    const QFontMetricsF metrics(font_);
    const QSizeF text = metrics.size(0, label_);
    label_rect_ =
        QRectF(path_.pointAtPercent(0.5) - QPointF(text.width() / 2 + 3, text.height() / 2 + 1),
               text + QSizeF(6, 2));
    QPainterPathStroker stroker;
    stroker.setWidth(std::max<qreal>(width_, 8));
    shape_ = stroker.createStroke(path_);
    shape_.addPolygon(arrow_);
    shape_.addRect(label_rect_);
    bounds_ = shape_.boundingRect().adjusted(-2, -2, 2, 2);
  }

  QRectF boundingRect() const override { return bounds_; }
  QPainterPath shape() const override { return shape_; }

  void paint(QPainter* p, const QStyleOptionGraphicsItem*, QWidget*) override {
    p->setRenderHint(QPainter::Antialiasing);
    const QColor colour(0x44, 0x55, 0x66, 190);
    QPen pen(colour, width_);
    pen.setCapStyle(Qt::FlatCap);
    p->setPen(pen);
    p->setBrush(Qt::NoBrush);
    p->drawPath(path_);
    p->setPen(Qt::NoPen);
    p->setBrush(colour);
    p->drawPolygon(arrow_);
    p->setBrush(QColor(255, 255, 255, 230));
    p->setPen(QPen(QColor(0xaa, 0xaa, 0xaa), 0.8));
    p->drawRoundedRect(label_rect_, 3, 3);
    p->setFont(font_);
    p->setPen(Qt::black);
    p->drawText(label_rect_, Qt::AlignCenter, label_);
  }

 private:
  QPainterPath path_;
  qreal width_;
  QString label_;
  QFont font_;
  QPolygonF arrow_;
  QRectF label_rect_;
  QPainterPath shape_;
  QRectF bounds_;
};

}  // namespace

WorkflowScene::WorkflowScene(QObject* parent) : QGraphicsScene(parent) {
  setBackgroundBrush(Qt::white);
  connect(this, &QGraphicsScene::selectionChanged, this, [this] {
    const QList<QGraphicsItem*> selected = selectedItems();
    const QString name =
        selected.isEmpty() ? QString() : selected.front()->data(kNodeNameKey).toString();
    if (name != selected_) {
      selected_ = name;
      Q_EMIT node_selected(name);
    }
  });
}

WorkflowScene::~WorkflowScene() {
  blockSignals(true);
  clear();
}

std::optional<double> WorkflowScene::heat_value(const ReportData& report, const std::string& node,
                                                NodeColour by) {
  const NodeRow* n = report.node(node);
  if (n == nullptr || by == NodeColour::kNone) return std::nullopt;
  if (by == NodeColour::kFailureRate) return n->failure_rate();
  return n->duration_mean_ms;
}

void WorkflowScene::set_colour_by(NodeColour by) {
  if (by == colour_by_) return;
  colour_by_ = by;
  if (report_) {
    const std::shared_ptr<const ReportData> keep = report_;  // set_report replaces report_
    set_report(*keep);
  }
}

bool WorkflowScene::select_node(const QString& name) {
  for (QGraphicsItem* item : items()) {
    if (item->data(kNodeNameKey).toString() == name && !name.isEmpty()) {
      clearSelection();
      item->setSelected(true);
      return true;
    }
  }
  return false;
}

void WorkflowScene::clear_graph() {
  const QSignalBlocker quiet(this);  // clearing is not the user deselecting
  clear();
  node_count_ = edge_count_ = cluster_count_ = 0;
  heat_max_ = 0;
}

void WorkflowScene::set_report(const ReportData& report) {
  report_ = std::make_shared<const ReportData>(report);
  const QString was_selected = selected_;
  clear_graph();
  const GraphLayout layout = layout_workflow(report.metrics.edges);
  QFont font;
  font.setPointSizeF(10);
  QFont small = font;
  small.setPointSizeF(8.5);
  const QFontMetricsF metrics(font);

  // Every layer is as wide as its widest node, and centred vertically.
  std::vector<qreal> layer_width(static_cast<std::size_t>(layout.layers), 0);
  std::vector<int> layer_size(static_cast<std::size_t>(layout.layers), 0);
  std::vector<qreal> width(layout.nodes.size());
  for (std::size_t i = 0; i < layout.nodes.size(); ++i) {
    const auto& n = layout.nodes[i];
    width[i] = std::max<qreal>(70, metrics.horizontalAdvance(QString::fromStdString(n.name)) + 24);
    const auto l = static_cast<std::size_t>(n.layer);
    layer_width[l] = std::max(layer_width[l], width[i]);
    layer_size[l] = std::max(layer_size[l], n.slot + 1);
  }
  std::vector<qreal> layer_x(layer_width.size(), 0);
  for (std::size_t l = 1; l < layer_x.size(); ++l) {
    layer_x[l] = layer_x[l - 1] + layer_width[l - 1] + kLayerGap;
  }
  std::vector<QRectF> rects(layout.nodes.size());
  qreal bottom = 0;
  for (std::size_t i = 0; i < layout.nodes.size(); ++i) {
    const auto& n = layout.nodes[i];
    const auto l = static_cast<std::size_t>(n.layer);
    const qreal y = (n.slot - (layer_size[l] - 1) / 2.0) * (kNodeHeight + kSlotGap);
    const qreal x = layer_x[l] + (layer_width[l] - width[i]) / 2;
    rects[i] = QRectF(x, y - kNodeHeight / 2, width[i], kNodeHeight);
    bottom = std::max(bottom, rects[i].bottom());
  }

  std::uint64_t requests = 0, busiest = 1;
  for (const EdgeRow& e : report.metrics.edges) {
    if (e.from == "start") requests += e.count;
    busiest = std::max(busiest, e.count);
  }

  qreal top = 0;
  for (const QRectF& r : rects) top = std::min(top, r.top());
  int below = 0, above = 0;  // lanes used under and over the graph
  for (std::size_t i = 0; i < report.metrics.edges.size(); ++i) {
    const EdgeRow& e = report.metrics.edges[i];
    const auto a = static_cast<std::size_t>(layout.index_of(e.from));
    const auto b = static_cast<std::size_t>(layout.index_of(e.to));
    const QRectF& ra = rects[a];
    const QRectF& rb = rects[b];
    const int span = layout.nodes[b].layer - layout.nodes[a].layer;
    QPainterPath path;
    if (layout.loop_edge[i] || span <= 0) {
      // Closes a loop: under every node, one lane per such edge.
      const qreal lane = bottom + 45 + 30 * below++;
      const QPointF p0(ra.center().x(), ra.bottom()), p3(rb.center().x(), rb.bottom());
      path.moveTo(p0);
      path.cubicTo(QPointF(p0.x(), lane), QPointF(p3.x(), lane), p3);
    } else if (span > 1) {
      // Skips layers: over every node, so it never runs through one.
      const qreal lane = top - 45 - 30 * above++;
      const QPointF p0(ra.center().x(), ra.top()), p3(rb.center().x(), rb.top());
      path.moveTo(p0);
      path.cubicTo(QPointF(p0.x(), lane), QPointF(p3.x(), lane), p3);
    } else {
      // To the next layer: right side to left side, leaving and arriving horizontally.
      const QPointF p0(ra.right(), ra.center().y()), p3(rb.left(), rb.center().y());
      const qreal dx = (p3.x() - p0.x()) / 2;
      path.moveTo(p0);
      path.cubicTo(p0 + QPointF(dx, 0), p3 - QPointF(dx, 0), p3);
    }
    // Thickness by the square root of traffic: a 100x busier edge is 10x thicker,
    // so quiet edges stay visible.
    const double share = std::sqrt(static_cast<double>(e.count) / static_cast<double>(busiest));
    auto* item = new EdgeItem(path, 1.2 + 8.0 * share, QString::number(e.count), small);
    QString tip = QStringLiteral("%1 → %2\n%3 traversals")
                      .arg(QString::fromStdString(e.from), QString::fromStdString(e.to))
                      .arg(e.count);
    if (requests > 0) {
      tip += tr("\n%1 per request")
                 .arg(static_cast<double>(e.count) / static_cast<double>(requests), 0, 'f', 3);
    }
    item->setToolTip(tip);
    item->setZValue(0);
    addItem(item);
    ++edge_count_;
  }

  // Colour scale: failure rates from 0 to the worst node's (at least 5%, so a
  // healthy run stays pale); latencies from 0 to the slowest node's mean.
  for (const NodeRow& n : report.metrics.nodes) {
    const std::optional<double> v = heat_value(report, n.name, colour_by_);
    if (v) heat_max_ = std::max(heat_max_, *v);
  }
  if (colour_by_ == NodeColour::kFailureRate) heat_max_ = std::max(heat_max_, 0.05);
  for (std::size_t i = 0; i < layout.nodes.size(); ++i) {
    const auto& n = layout.nodes[i];
    const NodeKind kind = n.name == "start" ? NodeKind::kStart
                          : n.out == 0      ? NodeKind::kTerminal
                                            : NodeKind::kStep;
    const std::optional<double> heat = heat_value(report, n.name, colour_by_);
    std::optional<QColor> fill;
    if (heat && heat_max_ > 0) fill = heat_colour(*heat / heat_max_);
    auto* item = new NodeItem(QString::fromStdString(n.name), kind, rects[i], font, fill);
    QString tip =
        tr("%1\nin: %2   out: %3").arg(QString::fromStdString(n.name)).arg(n.in).arg(n.out);
    if (const NodeRow* row = report.node(n.name); row && !row->sub_workflow.empty()) {
      tip += tr("\nruns sub-workflow %1: %2 runs (failed %3%)")
                 .arg(QString::fromStdString(row->sub_workflow))
                 .arg(row->runs_started)
                 .arg(row->failure_rate().value_or(0) * 100, 0, 'f', 2);
    } else if (row) {
      tip += tr("\ncalls: %1 (failed %2%)")
                 .arg(row->calls_started)
                 .arg(row->failure_rate().value_or(0) * 100, 0, 'f', 2);
      if (row->duration_mean_ms)
        tip += tr("\nmean call: %1 ms").arg(*row->duration_mean_ms, 0, 'f', 1);
      tip += tr("\nclick for its agents' statistics");
    }
    item->setToolTip(tip);
    item->setFlag(QGraphicsItem::ItemIsSelectable, n.name != "start");
    item->setZValue(1);  // above the edges that end at its border
    addItem(item);
    ++node_count_;
  }
  // Sub-workflows: a box around each one's nodes, named, behind them; a
  // sub-workflow's run enters it by the edge from its calling node.
  cluster_count_ = 0;
  for (const SubWorkflowRow& w : report.metrics.sub_workflows) {
    QRectF box;
    for (const std::string& name : w.nodes) {
      const int i = layout.index_of(name);
      if (i >= 0)
        box = box.isNull() ? rects[static_cast<std::size_t>(i)]
                           : box.united(rects[static_cast<std::size_t>(i)]);
    }
    if (box.isNull()) continue;  // never ran
    box.adjust(-12, -26, 12, 12);
    auto* frame = new QGraphicsRectItem(box);
    frame->setPen(QPen(QColor(90, 110, 160), 1.2, Qt::DashLine));
    frame->setBrush(QColor(235, 240, 250, 160));
    frame->setZValue(-1);
    QString tip =
        tr("sub-workflow %1\nruns: %2").arg(QString::fromStdString(w.name)).arg(w.runs_started);
    if (w.calls_per_run) tip += tr("\nagent calls per run: %1").arg(*w.calls_per_run, 0, 'f', 3);
    if (w.duration_mean_ms) tip += tr("\nmean run: %1 ms").arg(*w.duration_mean_ms, 0, 'f', 1);
    frame->setToolTip(tip);
    addItem(frame);
    auto* label =
        new QGraphicsSimpleTextItem(tr("sub-workflow %1").arg(QString::fromStdString(w.name)));
    label->setFont(small);
    label->setBrush(QColor(60, 70, 110));
    label->setPos(box.left() + 6, box.top() + 4);
    label->setZValue(-1);
    addItem(label);
    ++cluster_count_;
  }
  // Keep the selection when the new run has that node too; otherwise say it is gone.
  if (!was_selected.isEmpty() && !select_node(was_selected)) {
    selected_.clear();
    Q_EMIT node_selected(QString());
  }
  setSceneRect(itemsBoundingRect().adjusted(-30, -30, 30, 30));
}

WorkflowView::WorkflowView(WorkflowScene* scene, QWidget* parent) : QGraphicsView(scene, parent) {
  setRenderHint(QPainter::Antialiasing);
  setDragMode(QGraphicsView::ScrollHandDrag);
  setTransformationAnchor(QGraphicsView::AnchorUnderMouse);
}

void WorkflowView::wheelEvent(QWheelEvent* event) {
  const double steps = event->angleDelta().y() / 120.0;
  if (steps == 0) return;
  zoomed_ = true;
  const double factor = std::pow(1.2, steps);
  scale(factor, factor);
  event->accept();
}

void WorkflowView::keyPressEvent(QKeyEvent* event) {
  if (event->key() == Qt::Key_0 || event->key() == Qt::Key_Home) {
    zoomed_ = false;
    fit();
    return;
  }
  if (event->key() == Qt::Key_Plus || event->key() == Qt::Key_Equal ||
      event->key() == Qt::Key_Minus) {
    zoomed_ = true;
    const double f = event->key() == Qt::Key_Minus ? 1 / 1.2 : 1.2;
    scale(f, f);
    return;
  }
  QGraphicsView::keyPressEvent(event);
}

void WorkflowView::fit() {
  if (scene() == nullptr || scene()->items().isEmpty()) return;
  fitInView(sceneRect(), Qt::KeepAspectRatio);
  // A small graph in a big window would otherwise get huge letters.
  if (transform().m11() > 1.5) setTransform(QTransform::fromScale(1.5, 1.5));
}

void WorkflowView::resizeEvent(QResizeEvent* event) {
  QGraphicsView::resizeEvent(event);
  if (!zoomed_) fit();
}

}  // namespace orchsim::gui
