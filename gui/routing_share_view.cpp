#include "gui/routing_share_view.hpp"

#include <QAreaSeries>
#include <QChart>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineSeries>
#include <QPen>
#include <QVBoxLayout>
#include <QValueAxis>
#include <algorithm>

#include "gui/chart_view.hpp"
#include "gui/over_time_view.hpp"

namespace orchsim::gui {
namespace {

// The agent's index in the report's agent list (its colour), or its position.
std::size_t agent_index(const ReportData& r, const std::string& name, std::size_t fallback) {
  for (std::size_t i = 0; i < r.metrics.agents.size(); ++i) {
    if (r.metrics.agents[i].name == name) return i;
  }
  return fallback;
}

const TimeSeries::RoutingNode* find_node(const ReportData& r, const QString& node) {
  for (const TimeSeries::RoutingNode& n : r.series.routing) {
    if (QString::fromStdString(n.node) == node) return &n;
  }
  return nullptr;
}

}  // namespace

RoutingShareView::RoutingShareView(QWidget* parent)
    : QWidget(parent), nodes_(new QComboBox), chart_(new ChartView) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  auto* bar = new QHBoxLayout;
  bar->addWidget(new QLabel(tr("Routing node:")));
  bar->addWidget(nodes_, 1);
  layout->addLayout(bar);
  layout->addWidget(chart_, 1);
  chart_->chart()->legend()->setAlignment(Qt::AlignBottom);
  connect(nodes_, &QComboBox::currentIndexChanged, this, [this] { rebuild(); });
  rebuild();
}

void RoutingShareView::set_runs(const RunViews& runs) {
  runs_ = runs;
  const QString was = nodes_->currentText();
  const QSignalBlocker block(nodes_);
  nodes_->clear();
  if (!runs_.empty()) {
    for (const TimeSeries::RoutingNode& n : runs_.front().report->series.routing)
      nodes_->addItem(QString::fromStdString(n.node));
  }
  const int keep = nodes_->findText(was);
  nodes_->setCurrentIndex(keep >= 0 ? keep : (nodes_->count() > 0 ? 0 : -1));
  nodes_->setEnabled(nodes_->count() > 1);
  rebuild();
}

void RoutingShareView::clear() { set_runs({}); }

bool RoutingShareView::select_node(const QString& node) {
  const int i = nodes_->findText(node);
  if (i < 0) return false;
  nodes_->setCurrentIndex(i);
  rebuild();
  return true;
}

std::vector<QList<QPointF>> RoutingShareView::cumulative_shares(const TimeSeries::RoutingNode& node,
                                                                double bucket_ms) {
  std::vector<QList<QPointF>> rows(node.calls.size());
  const std::size_t buckets = node.calls.empty() ? 0 : node.calls.front().size();
  for (std::size_t b = 0; b < buckets; ++b) {
    std::uint64_t total = 0;
    for (const auto& agent : node.calls) total += b < agent.size() ? agent[b] : 0;
    const double from = static_cast<double>(b) * bucket_ms / 1000.0;
    const double to = static_cast<double>(b + 1) * bucket_ms / 1000.0;
    double cumulative = 0;
    for (std::size_t k = 0; k < node.calls.size(); ++k) {
      double y = 0;  // no calls: every band is empty
      if (total > 0) {
        cumulative += static_cast<double>(b < node.calls[k].size() ? node.calls[k][b] : 0) /
                      static_cast<double>(total);
        y = k + 1 == node.calls.size() ? 1.0 : cumulative;
      }
      rows[k].append(QPointF(from, y));
      rows[k].append(QPointF(to, y));
    }
  }
  return rows;
}

void RoutingShareView::rebuild() {
  chart_->clear_chart();
  QChart* c = chart_->chart();
  if (runs_.empty()) {
    c->setTitle(tr("Routing: open a run to see each routing node's traffic share"));
    return;
  }
  const ReportData& a = *runs_.front().report;
  const TimeSeries::RoutingNode* node = find_node(a, nodes_->currentText());
  if (node == nullptr) {
    c->setTitle(a.series.empty()
                    ? tr("Routing: this report has no time series (written by an older orchsim)")
                    : tr("Routing: no node sent calls to more than one agent in this run"));
    return;
  }
  const double bucket_ms = a.series.bucket_ms;
  const double end_s = static_cast<double>(a.series.size()) * bucket_ms / 1000.0;
  auto* x = new QValueAxis;
  x->setRange(0, end_s > 0 ? end_s : 1.0);
  x->setTitleText(tr("simulated time (s)"));
  auto* y = new QValueAxis;
  y->setRange(0, 1);
  y->setLabelFormat(QStringLiteral("%.1f"));
  y->setTitleText(tr("share of the node's calls"));
  c->addAxis(x, Qt::AlignBottom);
  c->addAxis(y, Qt::AlignLeft);

  const std::vector<QList<QPointF>> rows = cumulative_shares(*node, bucket_ms);
  QLineSeries* lower = nullptr;
  for (std::size_t k = 0; k < rows.size(); ++k) {
    auto* upper = new QLineSeries;
    upper->replace(rows[k]);
    if (lower == nullptr) {
      lower = new QLineSeries;
      for (const QPointF& p : rows[k]) lower->append(p.x(), 0.0);
    }
    auto* area = new QAreaSeries(upper, lower);
    area->setName(QString::fromStdString(node->agents[k]));
    const QColor colour = agent_colour(agent_index(a, node->agents[k], k));
    area->setColor(colour);
    area->setBorderColor(colour.darker(130));
    c->addSeries(area);
    area->attachAxis(x);
    area->attachAxis(y);
    lower = upper;
  }

  // The node's calls per second, on the right axis.
  std::vector<std::uint64_t> total(a.series.size(), 0);
  for (const auto& calls : node->calls) {
    for (std::size_t b = 0; b < calls.size() && b < total.size(); ++b) total[b] += calls[b];
  }
  const QList<QPointF> rate = OverTimeView::rate_points(total, bucket_ms);
  double top = 0;
  for (const QPointF& p : rate) top = std::max(top, p.y());
  auto* rate_axis = new QValueAxis;
  rate_axis->setRange(0, top > 0 ? top * 1.08 : 1.0);
  rate_axis->applyNiceNumbers();
  rate_axis->setTitleText(tr("calls per second at the node"));
  c->addAxis(rate_axis, Qt::AlignRight);
  auto* rate_line = new QLineSeries;
  rate_line->setName(tr("calls/s"));
  rate_line->replace(rate);
  QPen pen(Qt::black);
  pen.setWidthF(1.2);
  rate_line->setPen(pen);
  c->addSeries(rate_line);
  rate_line->attachAxis(x);
  rate_line->attachAxis(rate_axis);

  // Run B's band edges, dashed, when it routes at the same node.
  if (runs_.size() > 1) {
    const ReportData& b = *runs_[1].report;
    if (const TimeSeries::RoutingNode* nb = find_node(b, nodes_->currentText())) {
      const std::vector<QList<QPointF>> edges = cumulative_shares(*nb, b.series.bucket_ms);
      for (std::size_t k = 0; k + 1 < edges.size(); ++k) {
        auto* edge = new QLineSeries;
        edge->setName(tr("B: %1 | %2")
                          .arg(QString::fromStdString(nb->agents[k]),
                               QString::fromStdString(nb->agents[k + 1])));
        edge->replace(edges[k]);
        QPen dashed(runs_[1].colour);
        dashed.setWidthF(2);
        dashed.setStyle(Qt::DashLine);
        edge->setPen(dashed);
        c->addSeries(edge);
        edge->attachAxis(x);
        edge->attachAxis(y);
      }
    }
  }
  std::uint64_t calls = 0;
  for (std::uint64_t v : total) calls += v;
  c->setTitle(tr("Traffic share at %1 (%2 calls), run %3")
                  .arg(QString::fromStdString(node->node))
                  .arg(calls)
                  .arg(runs_.front().label));
}

}  // namespace orchsim::gui
